//! The editors' thesaurus, `corpus/synonyms.txt`: groups of terms that mean the same thing in
//! general usage (十九大 = 党的第十九次全国代表大会, 国外 = 海外), applied when a question is
//! searched, never when the index is built — so an edit takes effect with the next question and
//! needs no reindex (Elasticsearch's search-time synonyms; IK refused synonyms inside the
//! segmenter for the same reason).
//!
//! Format: one group a line, terms separated by `=` (or `,`, `，`, `、` when no `=` is used);
//! `#` starts a comment. Terms are folded like everything else, so a Traditional entry works.
//! A line with fewer than two terms is an error naming the line, so a broken edit is refused
//! rather than half-applied.

use crate::index::fold_str;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

/// A malformed line of the thesaurus.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}: 同义词组至少要有两个词：“{text}”")]
pub struct ThesaurusError {
    pub path: PathBuf,
    pub line: usize,
    pub text: String,
}

/// The parsed thesaurus.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Thesaurus {
    groups: Vec<Vec<String>>,
    /// Folded term → indexes of the groups that hold it.
    by_term: HashMap<String, Vec<usize>>,
}

impl Thesaurus {
    /// Parse the text of a thesaurus file (`path` only names it in errors).
    pub fn parse(text: &str, path: &Path) -> Result<Thesaurus, ThesaurusError> {
        let mut t = Thesaurus::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let terms: Vec<String> = if line.contains('=') {
                line.split('=').map(str::trim).map(fold_str).collect()
            } else {
                line.split([',', '，', '、'])
                    .map(str::trim)
                    .map(fold_str)
                    .collect()
            };
            let mut terms: Vec<String> = terms.into_iter().filter(|s| !s.is_empty()).collect();
            terms.dedup();
            if terms.len() < 2 {
                return Err(ThesaurusError {
                    path: path.to_path_buf(),
                    line: i + 1,
                    text: raw.trim().to_string(),
                });
            }
            let g = t.groups.len();
            for term in &terms {
                t.by_term.entry(term.clone()).or_default().push(g);
            }
            t.groups.push(terms);
        }
        Ok(t)
    }

    /// The other terms of every group holding `term` (folded).
    pub fn alternatives(&self, term: &str) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for &g in self.by_term.get(term).into_iter().flatten() {
            for t in &self.groups[g] {
                if t != term && !out.contains(&t.as_str()) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// Terms of the thesaurus that occur in `text` (folded), longest first and not inside a
    /// longer one found: 党的第十九次全国代表大会 in a question is one term, not its words.
    pub(crate) fn terms_in<'a>(&'a self, text: &str) -> Vec<&'a str> {
        let mut found: Vec<(usize, usize, &str)> = Vec::new();
        let mut terms: Vec<&str> = self.by_term.keys().map(String::as_str).collect();
        terms.sort_by_key(|t| std::cmp::Reverse(t.len()));
        for t in terms {
            for (i, _) in text.match_indices(t) {
                let (a, b) = (i, i + t.len());
                if !found.iter().any(|f| a < f.1 && b > f.0) {
                    found.push((a, b, t));
                }
            }
        }
        found.sort_by_key(|f| f.0);
        let mut out: Vec<&str> = Vec::new();
        for f in found {
            if !out.contains(&f.2) {
                out.push(f.2);
            }
        }
        out
    }

    /// The groups, in the order of the file, each with its terms folded.
    pub(crate) fn groups(&self) -> &[Vec<String>] {
        &self.groups
    }

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// The thesaurus file, re-read when it changes: each question looks at the file (one `stat`),
/// so an editor's change applies to the next question.
#[derive(Debug)]
pub(crate) struct LiveThesaurus {
    path: PathBuf,
    current: RwLock<(Option<Stamp>, Arc<Thesaurus>)>,
}

/// What tells that the file changed: its modification time, its length and (on Unix) its
/// inode. The time alone is not enough: file systems keep it in ticks of a few milliseconds,
/// so a save within the same tick as the last read would go unnoticed; a file replaced by a
/// rename (as `edits` writes it) always has a new inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Some(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode,
    })
}

impl LiveThesaurus {
    /// Load `path` now. A missing file is an empty thesaurus; a malformed one is an error.
    pub fn open(path: &Path) -> Result<LiveThesaurus, ThesaurusError> {
        let (seen, t) = read(path)?;
        Ok(LiveThesaurus {
            path: path.to_path_buf(),
            current: RwLock::new((seen, Arc::new(t))),
        })
    }

    /// The thesaurus as the file now says. A file that became malformed keeps the last good
    /// version in use (and says so in the log) until it is fixed.
    pub(crate) fn get(&self) -> Arc<Thesaurus> {
        let seen = stamp(&self.path);
        if let Ok(cur) = self.current.read() {
            if cur.0 == seen {
                return cur.1.clone();
            }
        }
        match read(&self.path) {
            Ok((seen, t)) => {
                let t = Arc::new(t);
                if let Ok(mut cur) = self.current.write() {
                    *cur = (seen, t.clone());
                }
                tracing::info!("thesaurus reloaded: {} groups", t.len());
                t
            }
            Err(e) => {
                tracing::warn!("thesaurus not reloaded, keeping the last good one: {e}");
                let mut cur = match self.current.write() {
                    Ok(c) => c,
                    Err(p) => p.into_inner(),
                };
                // Do not re-read the broken file on every question.
                cur.0 = seen;
                cur.1.clone()
            }
        }
    }
}

fn read(path: &Path) -> Result<(Option<Stamp>, Thesaurus), ThesaurusError> {
    let seen = stamp(path);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    Ok((seen, Thesaurus::parse(&text, path)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_read_both_ways_and_folded() {
        let t = Thesaurus::parse(
            "# 注释\n十九大 = 党的第十九次全国代表大会\n國外，海外\n",
            Path::new("s.txt"),
        )
        .expect("parses");
        assert_eq!(t.alternatives("十九大"), vec!["党的第十九次全国代表大会"]);
        assert_eq!(t.alternatives("海外"), vec!["国外"]);
        assert!(t.alternatives("党").is_empty());
        assert_eq!(
            t.terms_in("党的第十九次全国代表大会以来"),
            vec!["党的第十九次全国代表大会"]
        );
    }

    #[test]
    fn a_file_replaced_within_the_same_clock_tick_is_still_re_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("synonyms.txt");
        std::fs::write(&path, "国外 = 海外\n").expect("write");
        let live = LiveThesaurus::open(&path).expect("opens");
        assert!(live.get().alternatives("境外").is_empty());
        // A new version renamed over the old one, with the very same modification time.
        let mtime = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .expect("mtime");
        let tmp = dir.path().join(".synonyms.txt.new");
        std::fs::write(&tmp, "国外 = 境外\n").expect("write");
        let f = std::fs::File::options()
            .write(true)
            .open(&tmp)
            .expect("open");
        f.set_modified(mtime).expect("set mtime");
        std::fs::rename(&tmp, &path).expect("rename");
        assert_eq!(live.get().alternatives("境外"), vec!["国外"]);
    }

    #[test]
    fn a_line_with_one_term_is_refused_with_its_number() {
        let e = Thesaurus::parse("国外 = 海外\n孤词\n", Path::new("s.txt")).expect_err("refused");
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("s.txt:2"));
    }
}
