//! Checking a generation before it serves, and holding its index in memory while it does.
//!
//! A generation is written once; when it is complete, its READY marker records every file's
//! size and SHA-256 (the manifest). Opening a generation reads each index file whole, checks
//! it against the manifest, and hands the bytes to tantivy as a `RamDirectory`:
//!
//! - a file damaged on disk (garbage, truncated, missing) is refused at open, and the caller
//!   rebuilds the generation from the corpus (the index is derived data);
//! - once open, nothing on disk is read again: a file truncated or overwritten while the bot
//!   runs cannot reach the engine. (tantivy's default `MmapDirectory` maps the files: a
//!   file truncated under the mapping kills the process with SIGBUS on the next question,
//!   and garbage written into it makes searches panic.)
//!
//! The cost is resident memory equal to the index size (about 220 KB per issue) and reading
//! it once per open; the page cache would hold the same bytes under mmap.
//!
//! The generation also keeps a snapshot of the corpus it was built from (`corpus.json`,
//! without the passage texts), so that the bot can keep serving it when the live corpus no
//! longer parses, and the passage texts (`texts.bin`, see [`super::texts`]), which stay on
//! disk and check themselves on every read.

use super::texts::{TextStore, TEXTS_FILE};
use crate::corpus::{Article, Corpus, Issue, IssueMeta, Passage};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use tantivy::directory::RamDirectory;
use tantivy::{Directory, Index};

/// The marker of a complete generation; it holds the manifest.
pub(crate) const READY_FILE: &str = "READY";
/// The corpus the generation was built from.
pub(crate) const SNAPSHOT_FILE: &str = "corpus.json";
const MANIFEST_HEADER: &str = "kuayue-manifest 1";

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("{0} 没有完整的清单（旧版本或未写完的索引）")]
    NoManifest(PathBuf),
    #[error("索引文件 {path} 已损坏：{what}")]
    Damaged { path: PathBuf, what: String },
    /// Causes are quoted in the messages (the bot shows only the message), so they are not
    /// also chained as sources: the CLI prints the chain, which would say them twice.
    #[error("读取 {path} 失败：{err}")]
    Io { path: PathBuf, err: io::Error },
    #[error("索引无法打开：{0}")]
    Tantivy(tantivy::TantivyError),
    #[error("语料快照 {path} 无法读取：{what}")]
    Snapshot { path: PathBuf, what: String },
}

/// `?` on an index operation: the message quotes the tantivy error (see [`VerifyError`]).
impl From<tantivy::TantivyError> for VerifyError {
    fn from(err: tantivy::TantivyError) -> Self {
        VerifyError::Tantivy(err)
    }
}

/// One line of the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    size: u64,
    sha256: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Files of a generation that belong in the manifest: everything but the marker itself and
/// tantivy's (empty, per-process) lock files.
fn listed(dir: &Path) -> io::Result<Vec<String>> {
    let mut names = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        if !e.file_type()?.is_file() {
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        if name == READY_FILE || name.ends_with(".lock") {
            continue;
        }
        names.push(name);
    }
    names.sort();
    Ok(names)
}

/// Mark `dir` complete: write READY with every file's size and checksum. Written last, by
/// a rename, so that a READY file always holds a whole manifest.
pub(crate) fn write_manifest(dir: &Path) -> io::Result<()> {
    let mut text = format!("{MANIFEST_HEADER}\n");
    for name in listed(dir)? {
        let bytes = std::fs::read(dir.join(&name))?;
        let sum = hex(&Sha256::digest(&bytes));
        text.push_str(&format!("{sum} {} {name}\n", bytes.len()));
    }
    let tmp = dir.join(format!("{READY_FILE}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, dir.join(READY_FILE))
}

fn read_manifest(dir: &Path) -> Result<Vec<Entry>, VerifyError> {
    let path = dir.join(READY_FILE);
    let text = std::fs::read_to_string(&path).map_err(|err| VerifyError::Io {
        path: path.clone(),
        err,
    })?;
    let mut lines = text.lines();
    if lines.next() != Some(MANIFEST_HEADER) {
        return Err(VerifyError::NoManifest(dir.to_path_buf()));
    }
    let mut entries = Vec::new();
    for line in lines {
        let mut parts = line.splitn(3, ' ');
        let (Some(sum), Some(size), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(VerifyError::NoManifest(dir.to_path_buf()));
        };
        let size = size
            .parse()
            .map_err(|_| VerifyError::NoManifest(dir.to_path_buf()))?;
        if name.contains(['/', '\\']) || name.starts_with("..") {
            return Err(VerifyError::NoManifest(dir.to_path_buf()));
        }
        entries.push(Entry {
            name: name.to_string(),
            size,
            sha256: sum.to_string(),
        });
    }
    if entries.is_empty() {
        return Err(VerifyError::NoManifest(dir.to_path_buf()));
    }
    Ok(entries)
}

/// Whether a file of `size` bytes hashing to `digest` is what its manifest line says.
fn matches(path: PathBuf, e: &Entry, size: u64, digest: &[u8]) -> Result<(), VerifyError> {
    if size != e.size {
        return Err(VerifyError::Damaged {
            path,
            what: format!("应为 {} 字节，实际 {size} 字节", e.size),
        });
    }
    if hex(digest) != e.sha256 {
        return Err(VerifyError::Damaged {
            path,
            what: "校验和不符".into(),
        });
    }
    Ok(())
}

/// Read one listed file and check it against its manifest line.
fn read_checked(dir: &Path, e: &Entry) -> Result<Vec<u8>, VerifyError> {
    let path = dir.join(&e.name);
    let bytes = std::fs::read(&path).map_err(|err| VerifyError::Io {
        path: path.clone(),
        err,
    })?;
    matches(path, e, bytes.len() as u64, &Sha256::digest(&bytes))?;
    Ok(bytes)
}

/// Check one listed file against its manifest line, a chunk at a time: a check of a large
/// file must not cost its size in memory.
fn check_file(dir: &Path, e: &Entry) -> Result<(), VerifyError> {
    let path = dir.join(&e.name);
    let io_err = |err| VerifyError::Io {
        path: path.clone(),
        err,
    };
    let mut file = std::fs::File::open(&path).map_err(io_err)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    matches(path, e, size, &hasher.finalize())
}

/// Open the generation in `dir` from memory, after checking every index file against the
/// manifest.
pub(crate) fn open_verified(dir: &Path) -> Result<Index, VerifyError> {
    let ram = RamDirectory::create();
    for e in read_manifest(dir)? {
        if e.name == SNAPSHOT_FILE || e.name == TEXTS_FILE {
            continue;
        }
        let bytes = read_checked(dir, &e)?;
        ram.atomic_write(Path::new(&e.name), &bytes)
            .map_err(|err| VerifyError::Io {
                path: dir.join(&e.name),
                err,
            })?;
    }
    Ok(Index::open(ram)?)
}

/// Whether `dir` is a complete generation whose files all match the manifest.
pub fn check(dir: &Path) -> Result<(), VerifyError> {
    for e in read_manifest(dir)? {
        check_file(dir, &e)?;
    }
    Ok(())
}

/// The passage texts of the generation in `dir`, after checking the file against the
/// manifest.
pub(crate) fn open_texts(dir: &Path) -> Result<TextStore, VerifyError> {
    let path = dir.join(TEXTS_FILE);
    let entry = read_manifest(dir)?
        .into_iter()
        .find(|e| e.name == TEXTS_FILE)
        .ok_or_else(|| VerifyError::Damaged {
            path: path.clone(),
            what: "清单中没有段落文本".into(),
        })?;
    check_file(dir, &entry)?;
    TextStore::open(dir).map_err(|e| VerifyError::Damaged {
        path,
        what: e.to_string(),
    })
}

#[derive(Serialize)]
struct SnapshotOut<'a> {
    issues: Vec<IssueOut<'a>>,
}

#[derive(Serialize)]
struct IssueOut<'a> {
    meta: &'a IssueMeta,
    articles: &'a [Article],
    passages: &'a [Passage],
}

#[derive(Deserialize)]
struct SnapshotIn {
    issues: Vec<IssueIn>,
}

#[derive(Deserialize)]
struct IssueIn {
    meta: IssueMeta,
    articles: Vec<Article>,
    passages: Vec<Passage>,
}

/// Write the parsed corpus beside the index (before the manifest, which then covers it):
/// its structure in the snapshot, its passage texts in their own file.
pub(crate) fn write_snapshot(dir: &Path, corpus: &Corpus) -> io::Result<()> {
    super::texts::write(
        dir,
        corpus
            .issues
            .iter()
            .flat_map(|i| i.passages.iter().map(|p| p.text.as_str())),
    )?;
    // The texts are in `texts.bin`; the snapshot keeps the rest of each passage.
    let untexted: Vec<Vec<Passage>> = corpus
        .issues
        .iter()
        .map(|i| {
            i.passages
                .iter()
                .map(|p| Passage {
                    article: p.article,
                    seq: p.seq,
                    clause: p.clause.clone(),
                    section: p.section.clone(),
                    text: String::new(),
                    lines: p.lines,
                })
                .collect()
        })
        .collect();
    let out = SnapshotOut {
        issues: corpus
            .issues
            .iter()
            .zip(&untexted)
            .map(|(i, passages)| IssueOut {
                meta: &i.meta,
                articles: &i.articles,
                passages,
            })
            .collect(),
    };
    let json = serde_json::to_vec(&out).map_err(io::Error::other)?;
    std::fs::write(dir.join(SNAPSHOT_FILE), json)
}

/// The corpus a verified generation was built from, without its passage texts (see
/// [`open_texts`]).
pub(crate) fn read_snapshot(dir: &Path) -> Result<Corpus, VerifyError> {
    let entry = read_manifest(dir)?
        .into_iter()
        .find(|e| e.name == SNAPSHOT_FILE)
        .ok_or_else(|| VerifyError::Snapshot {
            path: dir.join(SNAPSHOT_FILE),
            what: "这一代索引没有保存语料快照".into(),
        })?;
    let bytes = read_checked(dir, &entry)?;
    let snap: SnapshotIn = serde_json::from_slice(&bytes).map_err(|e| VerifyError::Snapshot {
        path: dir.join(SNAPSHOT_FILE),
        what: e.to_string(),
    })?;
    Ok(Corpus {
        issues: snap
            .issues
            .into_iter()
            .map(|i| Issue {
                meta: i.meta,
                articles: i.articles,
                passages: i.passages,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_or_truncated_file_fails_the_check() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.idx"), b"0123456789").unwrap();
        std::fs::write(dir.path().join("meta.json"), b"{}").unwrap();
        std::fs::write(dir.path().join(".tantivy-meta.lock"), b"").unwrap();
        write_manifest(dir.path()).unwrap();
        check(dir.path()).unwrap();
        std::fs::write(dir.path().join("a.idx"), b"0123456780").unwrap();
        assert!(matches!(
            check(dir.path()),
            Err(VerifyError::Damaged { .. })
        ));
        std::fs::write(dir.path().join("a.idx"), b"").unwrap();
        let err = check(dir.path()).unwrap_err().to_string();
        assert!(err.contains("应为 10 字节"), "{err}");
        std::fs::write(dir.path().join(READY_FILE), b"").unwrap();
        assert!(matches!(check(dir.path()), Err(VerifyError::NoManifest(_))));
    }
}
