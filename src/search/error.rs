//! Why the engine could not start or rebuild, in sentences that say what to do.
//!
//! Each message already quotes its cause, so causes are not chained as `source` (the CLI prints
//! the whole chain, which would say everything twice).

use crate::corpus::CorpusError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The corpus error already says which file and line to fix.
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error("语料目录中没有任何段落可以索引，请先导入一期杂志（kuayue import <raw.txt>）")]
    NothingToIndex,
    #[error("无法创建数据目录 {path}：{err}。请检查 DATA_DIR 是否可写")]
    DataDir { path: PathBuf, err: std::io::Error },
    #[error("读取用户词典 {path} 失败：{err}")]
    Dictionary { path: PathBuf, err: std::io::Error },
    #[error("索引出错（{path}）：{err}。可运行 kuayue index 重新建立索引")]
    Index {
        path: PathBuf,
        err: tantivy::TantivyError,
    },
    #[error("写入 {path} 失败：{err}。请检查磁盘空间与 DATA_DIR 的写权限")]
    Io { path: PathBuf, err: std::io::Error },
}
