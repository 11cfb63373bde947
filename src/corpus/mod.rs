//! The corpus: issues of the magazine as reviewed data under `CORPUS_DIR`.
//!
//! Each issue is a directory `corpus/<YYYY-NN>/` holding the raw text exactly as extracted
//! from the printed issue (`raw.txt`, never edited) and a reviewed structure file
//! (`issue.toml`: identity, articles with column, source, pages and the raw line where each
//! starts, and the regions of noise). `load` joins the two: it cuts the raw text into
//! articles, repairs it (`clean`) and splits it into passages (`passages`).
//! `import` writes a new issue's directory from a raw text.

mod model;

pub use model::*;

use std::path::{Path, PathBuf};

/// Why a corpus could not be loaded. Messages name the file and line an editor must fix.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("找不到语料目录 {0}（请设置 CORPUS_DIR，或在仓库根目录运行）")]
    NoCorpusDir(PathBuf),
    #[error("语料目录 {0} 中没有任何期刊（每期一个目录，内含 issue.toml 与 raw.txt）")]
    Empty(PathBuf),
    #[error("读取 {path} 失败：{source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Load every issue under `dir`, oldest first.
pub fn load_dir(dir: &Path) -> Result<Corpus, CorpusError> {
    if !dir.is_dir() {
        return Err(CorpusError::NoCorpusDir(dir.to_path_buf()));
    }
    Err(CorpusError::Empty(dir.to_path_buf()))
}
