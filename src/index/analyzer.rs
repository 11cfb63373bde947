//! The analyzer: how a text becomes index terms — fold, segment with jieba, drop punctuation.
//!
//! One `jieba_rs::Jieba` (the default dictionary plus the magazine's user dictionary) is loaded
//! once per process and shared behind an `Arc` by the index writer, the query analysis and the
//! highlighter; loading it costs ~200 ms and ~25 MB, so nothing else may load a second one.
//!
//! Terms are jieba words of the folded text (see [`crate::index::fold`]). Words of three or more
//! characters also yield their two- and three-character sub-words that the dictionary knows
//! (`粤港澳大湾区` → `大湾区`, `湾区`), at the same position as the whole word, so a question
//! that names a part of a compound still matches while quoted phrases keep their word positions.

use super::fold::{fold, is_cjk};
use jieba_rs::Jieba;
use std::io::BufRead;
use std::path::Path;
use std::sync::Arc;

/// The magazine's terms, compiled in: used when the corpus directory carries no `user.dict`.
pub const BUILTIN_USER_DICT: &str = include_str!("../../corpus/user.dict");

/// One term of a text, with its byte span in the *original* text and its word position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub text: String,
    pub from: usize,
    pub to: usize,
    /// Word position: consecutive whole words have consecutive positions; sub-words share the
    /// position of the word they are part of.
    pub position: usize,
    /// True for a sub-word of a longer word.
    pub sub: bool,
}

/// The shared segmenter. Cheap to clone.
#[derive(Clone)]
pub struct Analyzer {
    jieba: Arc<Jieba>,
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzer")
    }
}

impl Analyzer {
    /// The default jieba dictionary plus a user dictionary text (`word [freq] [tag]` per line,
    /// `#` starts a comment). Words are folded like everything else, so a Traditional entry works.
    pub fn with_user_dict(user_dict: &str) -> Analyzer {
        super::fold::warm_up();
        let mut jieba = Jieba::new();
        for line in user_dict.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let mut parts = line.split_whitespace();
            let Some(word) = parts.next() else { continue };
            let word = fold(word).text;
            let freq = parts.next().and_then(|f| f.parse::<usize>().ok());
            let tag = parts.next();
            // Without a frequency, ask jieba for one that makes the word win against its parts.
            let freq = freq.unwrap_or_else(|| jieba.suggest_freq(&word).max(10));
            jieba.add_word(&word, Some(freq), tag);
        }
        Analyzer {
            jieba: Arc::new(jieba),
        }
    }

    /// Read the user dictionary at `path`, or use the built-in one when there is no such file.
    pub fn load(path: &Path) -> std::io::Result<(Analyzer, String)> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BUILTIN_USER_DICT.to_string(),
            Err(e) => return Err(e),
        };
        Ok((Analyzer::with_user_dict(&text), text))
    }

    pub fn jieba(&self) -> &Jieba {
        &self.jieba
    }

    /// All terms of `text` (whole words and sub-words), offsets into `text` itself.
    pub fn terms(&self, text: &str) -> Vec<Term> {
        let folded = fold(text);
        let mut out = Vec::new();
        let mut position = 0usize;
        for tok in self.jieba.cut(&folded.text, true) {
            if !is_term(tok.word) {
                continue;
            }
            let n_chars = tok.end - tok.start;
            if n_chars >= 3 && tok.word.chars().all(is_cjk) {
                self.sub_words(tok.word, n_chars, |rel_from, rel_to| {
                    let (a, b) = (tok.byte_start + rel_from, tok.byte_start + rel_to);
                    out.push(Term {
                        text: folded.text[a..b].to_string(),
                        from: folded.orig(a),
                        to: folded.orig(b),
                        position,
                        sub: true,
                    });
                });
            }
            out.push(Term {
                text: tok.word.to_string(),
                from: folded.orig(tok.byte_start),
                to: folded.orig(tok.byte_end),
                position,
                sub: false,
            });
            position += 1;
        }
        out
    }

    /// Call `emit(from, to)` (byte offsets inside `word`) for each 2- and 3-char dictionary word
    /// inside a word of `n_chars` characters.
    fn sub_words(&self, word: &str, n_chars: usize, mut emit: impl FnMut(usize, usize)) {
        let bounds: Vec<usize> = word
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(word.len()))
            .collect();
        for len in [2usize, 3] {
            if n_chars <= len {
                continue;
            }
            for i in 0..=(n_chars - len) {
                let (a, b) = (bounds[i], bounds[i + len]);
                if self.jieba.has_word(&word[a..b]) {
                    emit(a, b);
                }
            }
        }
    }
}

/// A token is a term when it holds a letter, digit or ideograph: punctuation and spaces are not.
pub fn is_term(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// Read a user dictionary for its words only (for tests and tools).
pub fn dict_words(reader: impl BufRead) -> Vec<String> {
    reader
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| {
            let l = l.split('#').next().unwrap_or("").trim().to_string();
            l.split_whitespace().next().map(str::to_string)
        })
        .collect()
}
