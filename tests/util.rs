//! Helpers shared by the integration tests: where the repository's files are, temp corpora.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root (where Cargo.toml is).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shipped corpus.
pub fn corpus_dir() -> PathBuf {
    repo().join("corpus")
}

/// The shipped 2019-03 issue directory.
pub fn seed_issue_dir() -> PathBuf {
    corpus_dir().join("2019-03")
}

pub fn test_data(name: &str) -> PathBuf {
    repo().join("tests").join("data").join(name)
}

/// The dev set committed with the tests (a copy of the shared one), so that a test's verdict
/// depends only on what is in the repository.
pub fn dev_set() -> PathBuf {
    test_data("dev.jsonl")
}

/// Copy a directory tree (files and subdirectories).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create target dir");
    for entry in std::fs::read_dir(from).expect("read source dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// A fresh temp directory holding a copy of the shipped corpus (all issues and data files).
pub fn temp_corpus() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("corpus");
    copy_dir(&corpus_dir(), &dir);
    (tmp, dir)
}

/// A temp workspace: a copy of the shipped corpus in `corpus/` and an empty `data/` beside it,
/// as the engine's paths. Keep the directory alive as long as the paths are used.
pub fn temp_paths() -> (tempfile::TempDir, kuayue::config::Paths) {
    let (tmp, corpus_dir) = temp_corpus();
    let data_dir = tmp.path().join("data");
    (
        tmp,
        kuayue::config::Paths {
            corpus_dir,
            data_dir,
        },
    )
}

/// Every file below `dir`, relative, sorted: to prove that a failed operation wrote nothing.
pub fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    walk(base, &p, out);
                } else if let Ok(rel) = p.strip_prefix(base) {
                    let bytes = std::fs::read(&p).map(|b| b.len()).unwrap_or(0);
                    out.push(format!("{} ({bytes})", rel.display()));
                }
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}
