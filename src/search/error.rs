//! Why the engine could not start or rebuild, in sentences that say what to do.

use crate::corpus::CorpusError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("语料有误：{0}")]
    Corpus(#[from] CorpusError),
    #[error("语料目录中没有任何段落可以索引，请先导入一期杂志（kuayue import <raw.txt>）")]
    NothingToIndex,
    #[error("无法创建数据目录 {path}：{source}。请检查 DATA_DIR 是否可写")]
    DataDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("读取用户词典 {path} 失败：{source}")]
    Dictionary {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("索引出错（{path}）：{source}。可运行 kuayue index 重新建立索引")]
    Index {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    #[error("写入 {path} 失败：{source}。请检查磁盘空间与 DATA_DIR 的写权限")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
