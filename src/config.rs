//! Settings shared by every subcommand: where the corpus and the data (index, database) live.
//!
//! Read from the environment, after `.env` has been loaded by `main`. Bot-only settings live in
//! `crate::bot::settings`, so that the offline CLI never asks for a token.

use std::ffi::OsString;
use std::path::PathBuf;

/// Default corpus directory, relative to the working directory.
pub(crate) const DEFAULT_CORPUS_DIR: &str = "./corpus";
/// Default data directory (index generations, SQLite database).
pub(crate) const DEFAULT_DATA_DIR: &str = "./data";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub corpus_dir: PathBuf,
    pub data_dir: PathBuf,
}

impl Paths {
    /// `CORPUS_DIR` and `DATA_DIR` from the environment, with their defaults.
    pub(crate) fn from_env() -> Self {
        Paths::from_lookup(|name| std::env::var_os(name))
    }

    /// `CORPUS_DIR` and `DATA_DIR` through `get`, with their defaults. The bot's settings read
    /// them through the same lookup as its other settings, so both agree on what an unset or
    /// blank value means.
    pub fn from_lookup(get: impl Fn(&str) -> Option<OsString>) -> Self {
        // Paths need not be UTF-8, so the lookup yields `OsString`s.
        let get = |name: &str, default: &str| {
            get(name)
                .filter(|v| !v.to_string_lossy().trim().is_empty())
                .map_or_else(|| PathBuf::from(default), PathBuf::from)
        };
        Paths {
            corpus_dir: get("CORPUS_DIR", DEFAULT_CORPUS_DIR),
            data_dir: get("DATA_DIR", DEFAULT_DATA_DIR),
        }
    }
}
