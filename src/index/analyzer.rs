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
    /// as jieba reads it: `李希 nr` is a word with a tag and no frequency; `#` starts a comment).
    /// Words are folded like everything else, so a Traditional entry works. A malformed line
    /// (see [`parse_dict_line`]) still adds its word, without frequency or tag.
    pub fn with_user_dict(user_dict: &str) -> Analyzer {
        super::fold::warm_up();
        let mut jieba = Jieba::new();
        for (i, line) in user_dict.lines().enumerate() {
            let entry = match parse_dict_line(line) {
                Ok(Some(e)) => e,
                Ok(None) => continue,
                Err(why) => {
                    tracing::warn!("user dictionary line {}: {why}", i + 1);
                    match strip_comment(line).split_whitespace().next() {
                        Some(word) => DictEntry {
                            word: word.to_string(),
                            freq: None,
                            tag: None,
                        },
                        None => continue,
                    }
                }
            };
            let word = fold(&entry.word).text;
            // Without a frequency, ask jieba for one that makes the word win against its parts.
            let freq = entry
                .freq
                .unwrap_or_else(|| jieba.suggest_freq(&word).max(10));
            jieba.add_word(&word, Some(freq), entry.tag.as_deref());
        }
        Analyzer {
            jieba: Arc::new(jieba),
        }
    }

    /// Read the user dictionary at `path`, or use the built-in one when there is no such file.
    pub(crate) fn load(path: &Path) -> std::io::Result<(Analyzer, String)> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => BUILTIN_USER_DICT.to_string(),
            Err(e) => return Err(e),
        };
        Ok((Analyzer::with_user_dict(&text), text))
    }

    pub(crate) fn jieba(&self) -> &Jieba {
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
pub(crate) fn is_term(word: &str) -> bool {
    word.chars().any(char::is_alphanumeric)
}

/// One line of a user dictionary: `word [freq] [tag]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DictEntry {
    pub word: String,
    pub freq: Option<usize>,
    /// Part of speech (`nr` a person's name, `ns` a place, `nz` another proper noun, …).
    pub tag: Option<String>,
}

/// A line without its comment (`#` to the end).
fn strip_comment(line: &str) -> &str {
    line.split('#').next().unwrap_or("").trim()
}

/// Whether `tag` has the shape of a jieba part-of-speech tag: one to four lower-case ASCII
/// letters (`n`, `nr`, `ns`, `nz`, `eng`, `nrfg`).
pub(crate) fn is_pos_tag(tag: &str) -> bool {
    (1..=4).contains(&tag.len()) && tag.bytes().all(|b| b.is_ascii_lowercase())
}

/// Read one line of a user dictionary as jieba does (`word`, `word freq`, `word tag`, `word
/// freq tag`): `Ok(None)` for a blank or comment line, `Err` with the reason (in Chinese) for a
/// line of another shape.
pub(crate) fn parse_dict_line(line: &str) -> Result<Option<DictEntry>, String> {
    let fields: Vec<&str> = strip_comment(line).split_whitespace().collect();
    let number = |f: &str| {
        f.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| f.parse().ok())
    };
    let (word, freq, tag) = match fields.as_slice() {
        [] => return Ok(None),
        [w] => (*w, None, None),
        [w, f] => match number(f) {
            Some(n) => (*w, Some(n.ok_or_else(|| format!("词频“{f}”太大"))?), None),
            None => (*w, None, Some(*f)),
        },
        [w, f, t] => match number(f) {
            Some(n) => (
                *w,
                Some(n.ok_or_else(|| format!("词频“{f}”太大"))?),
                Some(*t),
            ),
            None => return Err(format!("第二项“{f}”应是词频（数字）")),
        },
        _ => return Err("每行应为“词语 [词频] [词性]”，最多三项".into()),
    };
    if let Some(t) = tag.filter(|t| !is_pos_tag(t)) {
        return Err(format!(
            "“{t}”不是词性标记（1–4 个小写字母，如 n、nr、ns、nz）"
        ));
    }
    Ok(Some(DictEntry {
        word: word.to_string(),
        freq,
        tag: tag.map(str::to_string),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionary_lines_are_read_as_jieba_reads_them() {
        let entry = |w: &str, f: Option<usize>, t: Option<&str>| {
            Some(DictEntry {
                word: w.into(),
                freq: f,
                tag: t.map(str::to_string),
            })
        };
        assert_eq!(
            parse_dict_line("两个维护"),
            Ok(entry("两个维护", None, None))
        );
        assert_eq!(
            parse_dict_line("李希 nr"),
            Ok(entry("李希", None, Some("nr")))
        );
        assert_eq!(
            parse_dict_line("云计算 5"),
            Ok(entry("云计算", Some(5), None))
        );
        assert_eq!(
            parse_dict_line("创新办 3 nz # 注释"),
            Ok(entry("创新办", Some(3), Some("nz")))
        );
        assert_eq!(parse_dict_line("  # 注释"), Ok(None));
        assert!(parse_dict_line("词 nr 3").is_err());
        assert!(parse_dict_line("词 3 NR").is_err());
        assert!(parse_dict_line("词 3 nr x").is_err());
    }

    #[test]
    fn a_tag_without_a_frequency_is_kept() {
        let a = Analyzer::with_user_dict("马兴瑞 nr\n");
        let tags = a.jieba().tag("马兴瑞", false);
        assert_eq!(
            tags.iter().map(|t| (t.word, t.tag)).collect::<Vec<_>>(),
            vec![("马兴瑞", "nr")]
        );
    }
}
