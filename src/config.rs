//! Settings shared by every subcommand: where the corpus and the data (index, database) live.
//!
//! Read from the environment, after `.env` has been loaded by `main`. Bot-only settings live in
//! `crate::bot::settings`, so that the offline CLI never asks for a token.

use std::path::PathBuf;

/// Default corpus directory, relative to the working directory.
pub const DEFAULT_CORPUS_DIR: &str = "./corpus";
/// Default data directory (index generations, SQLite database).
pub const DEFAULT_DATA_DIR: &str = "./data";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub corpus_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// `CORPUS_DIR` and `DATA_DIR` from the environment, with their defaults.
    pub fn from_env() -> Self {
        let get = |name: &str, default: &str| {
            std::env::var_os(name)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(default))
        };
        Paths {
            corpus_dir: get("CORPUS_DIR", DEFAULT_CORPUS_DIR),
            data_dir: get("DATA_DIR", DEFAULT_DATA_DIR),
        }
    }
}
