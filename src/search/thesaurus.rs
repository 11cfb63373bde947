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
    pub fn terms_in<'a>(&'a self, text: &str) -> Vec<&'a str> {
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

    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// The thesaurus file, re-read when it changes: each question checks the file's modification
/// time (one `stat`), so an editor's change applies to the next question.
#[derive(Debug)]
pub struct LiveThesaurus {
    path: PathBuf,
    current: RwLock<(Option<SystemTime>, Arc<Thesaurus>)>,
}

impl LiveThesaurus {
    /// Load `path` now. A missing file is an empty thesaurus; a malformed one is an error.
    pub fn open(path: &Path) -> Result<LiveThesaurus, ThesaurusError> {
        let (mtime, t) = read(path)?;
        Ok(LiveThesaurus {
            path: path.to_path_buf(),
            current: RwLock::new((mtime, Arc::new(t))),
        })
    }

    /// The thesaurus as the file now says. A file that became malformed keeps the last good
    /// version in use (and says so in the log) until it is fixed.
    pub fn get(&self) -> Arc<Thesaurus> {
        let mtime = std::fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .ok();
        if let Ok(cur) = self.current.read() {
            if cur.0 == mtime {
                return cur.1.clone();
            }
        }
        match read(&self.path) {
            Ok((mtime, t)) => {
                let t = Arc::new(t);
                if let Ok(mut cur) = self.current.write() {
                    *cur = (mtime, t.clone());
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
                cur.0 = mtime;
                cur.1.clone()
            }
        }
    }
}

fn read(path: &Path) -> Result<(Option<SystemTime>, Thesaurus), ThesaurusError> {
    let mtime = std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let text = std::fs::read_to_string(path).unwrap_or_default();
    Ok((mtime, Thesaurus::parse(&text, path)?))
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
    fn a_line_with_one_term_is_refused_with_its_number() {
        let e = Thesaurus::parse("国外 = 海外\n孤词\n", Path::new("s.txt")).expect_err("refused");
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("s.txt:2"));
    }
}
