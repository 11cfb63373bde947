//! Index generations on disk and the pointer that names the current one.
//!
//! ```text
//! DATA_DIR/
//!   index.current          "<generation>\n<fingerprint>\n", replaced by rename (atomic)
//!   index-<generation>/    a complete tantivy index, the corpus it was built from
//!                          (corpus.json), and READY (the files' manifest) once fully written
//! ```
//!
//! A rebuild writes a new directory while any open engine keeps reading its own one, then renames
//! a new pointer file into place: a reader sees the old generation or the new, never half of one.
//! Old generations are removed afterwards (on Unix an engine that still has one open keeps its
//! files until it drops them). The fingerprint covers the corpus as parsed, the user dictionary
//! and the schema version, so a changed corpus, dictionary or parser is noticed at start-up.

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

pub(crate) fn read_pointer(data_dir: &Path) -> Option<Pointer> {
    let text = std::fs::read_to_string(data_dir.join(POINTER_FILE)).ok()?;
    let mut lines = text.lines();
    let generation = lines.next()?.trim().to_string();
    let fingerprint = lines.next()?.trim().to_string();
    if generation.is_empty() || generation.contains(['/', '\\', '.']) {
        return None;
    }
    Some(Pointer {
        generation,
        fingerprint,
    })
}

/// Replace the pointer atomically: write a temporary file beside it, then rename it over.
pub(crate) fn write_pointer(data_dir: &Path, p: &Pointer) -> io::Result<()> {
    let tmp = data_dir.join(format!("{POINTER_FILE}.tmp-{}", std::process::id()));
    {
        let mut f = std::fs::File::create(&tmp)?;
        writeln!(f, "{}\n{}", p.generation, p.fingerprint)?;
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
