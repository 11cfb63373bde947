//! Index generations on disk and the pointer that names the current one.
//!
//! ```text
//! DATA_DIR/
//!   index.current          "<generation>\n<fingerprint>\n[<inputs>\n]", replaced by rename
//!                          (atomic)
//!   index-<generation>/    a complete tantivy index, the corpus it was built from
//!                          (corpus.json), and READY (the files' manifest) once fully written
//! ```
//!
//! A rebuild writes a new directory while any open engine keeps reading its own one, then renames
//! a new pointer file into place: a reader sees the old generation or the new, never half of one.
//! Old generations are removed afterwards (on Unix an engine that still has one open keeps its
//! files until it drops them). The fingerprint covers the corpus as parsed, the user dictionary
//! and the schema version, so a changed corpus, dictionary or parser is noticed at start-up.
//!
//! Parsing the corpus to compute that fingerprint is most of a start with many issues (twenty
//! years of issues take over a second). So a generation built from a whole corpus also records
//! its *inputs* digest: the corpus files' bytes, the dictionary, the schema version and the
//! running binary's identity. When the files digest the same at the next start, the corpus is
//! read from the generation's snapshot instead of being parsed again; any difference (an edited
//! file, a new issue, another binary) falls back to parsing.

use super::schema::SCHEMA_VERSION;
use crate::corpus::Corpus;
use sha2::{Digest, Sha256};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub(crate) const POINTER_FILE: &str = "index.current";
use super::verify::READY_FILE;
const PREFIX: &str = "index-";

/// What the pointer file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pointer {
    pub generation: String,
    pub fingerprint: String,
    /// The [`inputs`] digest the generation was built from, when it was built from a whole
    /// corpus (absent in pointers written before it existed).
    pub inputs: Option<String>,
}

/// A SHA-256 over the parsed corpus, the user dictionary and the schema version, in hex.
pub(crate) fn fingerprint(corpus: &Corpus, user_dict: &str) -> String {
    struct HashWriter(Sha256);
    impl Write for HashWriter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.update(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut h = HashWriter(Sha256::new());
    let _ = writeln!(h, "schema {SCHEMA_VERSION}");
    h.0.update(user_dict.as_bytes());
    for issue in &corpus.issues {
        // Serialising plain data into a hasher cannot fail; a failure would only weaken the
        // fingerprint, never break the index.
        let _ = serde_json::to_writer(&mut h, &issue.meta);
        let _ = serde_json::to_writer(&mut h, &issue.articles);
        let _ = serde_json::to_writer(&mut h, &issue.passages);
    }
    let digest = h.0.finalize();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A SHA-256 over what a generation is built from, read as bytes without parsing: every file
/// of every issue directory (in order), the user dictionary, the schema version, and the
/// running binary (its path, size and modification time: a rebuilt binary may parse
/// differently). Read before the corpus is parsed, so that a file changed meanwhile makes
/// the digest differ from the files' next state rather than vouch for it.
pub(crate) fn inputs(corpus_dir: &Path, user_dict: &str) -> io::Result<String> {
    let mut h = Sha256::new();
    h.update(format!("inputs 1 schema {SCHEMA_VERSION}\n").as_bytes());
    // Without the binary's identity a new parser could be served an old snapshot: no digest.
    let exe = std::env::current_exe()?;
    let meta = std::fs::metadata(&exe)?;
    let modified = meta
        .modified()?
        .duration_since(UNIX_EPOCH)
        .map_err(io::Error::other)?;
    h.update(format!("{} {} {modified:?}\n", exe.display(), meta.len()).as_bytes());
    h.update(user_dict.as_bytes());
    let dirs = crate::corpus::issue_dirs(corpus_dir).map_err(io::Error::other)?;
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file)?;
            h.update(format!("\n{} {}\n", file.display(), bytes.len()).as_bytes());
            h.update(&bytes);
        }
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

pub(crate) fn read_pointer(data_dir: &Path) -> Option<Pointer> {
    let text = std::fs::read_to_string(data_dir.join(POINTER_FILE)).ok()?;
    let mut lines = text.lines();
    let generation = lines.next()?.trim().to_string();
    let fingerprint = lines.next()?.trim().to_string();
    let inputs = lines
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| !l.is_empty());
    if generation.is_empty() || generation.contains(['/', '\\', '.']) {
        return None;
    }
    Some(Pointer {
        generation,
        fingerprint,
        inputs,
    })
}

/// Replace the pointer atomically: write a temporary file beside it, then rename it over.
pub(crate) fn write_pointer(data_dir: &Path, p: &Pointer) -> io::Result<()> {
    let tmp = data_dir.join(format!("{POINTER_FILE}.tmp-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        writeln!(f, "{}\n{}", p.generation, p.fingerprint)?;
        if let Some(inputs) = &p.inputs {
            writeln!(f, "{inputs}")?;
        }
        f.sync_all()?;
    }
    std::fs::rename(&tmp, data_dir.join(POINTER_FILE))
}

pub(crate) fn generation_dir(data_dir: &Path, generation: &str) -> PathBuf {
    data_dir.join(format!("{PREFIX}{generation}"))
}

/// A fresh generation name: the fingerprint's head and the time, unique per build.
pub(crate) fn new_generation(fingerprint: &str) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let head: String = fingerprint.chars().take(12).collect();
    format!("{head}-{:x}{:05x}", now.as_secs(), now.subsec_micros())
}

/// Mark a fully written generation ready: READY holds the manifest of its files (see
/// [`super::verify`]).
pub(crate) fn mark_ready(dir: &Path) -> io::Result<()> {
    super::verify::write_manifest(dir)
}

pub(crate) fn is_ready(dir: &Path) -> bool {
    dir.join(READY_FILE).is_file()
}

/// Remove every generation directory but `keep`. A directory without READY may be another
/// process's build in progress: it is left alone unless it is more than an hour old.
pub(crate) fn remove_old(data_dir: &Path, keep: &str) {
    let Ok(entries) = std::fs::read_dir(data_dir) else {
        return;
    };
    let keep_name = format!("{PREFIX}{keep}");
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !name.starts_with(PREFIX) || name == keep_name {
            continue;
        }
        let path = e.path();
        let stale = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > Duration::from_secs(3600));
        if is_ready(&path) || stale {
            if let Err(err) = std::fs::remove_dir_all(&path) {
                tracing::debug!("could not remove old index {}: {err}", path.display());
            }
        }
    }
}
