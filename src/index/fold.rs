//! Folding: the normal form in which questions and passages are compared.
//!
//! Readers write in Simplified or Traditional characters, with full-width or half-width Latin
//! letters and digits, in upper or lower case; the printed text was OCR'd and sometimes has a
//! digit zero where a capital O was printed (`AE0` for AEO). Both sides of every comparison — the
//! index and the query, the passage and the highlighter — go through [`fold`], so these variants
//! meet. Folding is (almost always) character for character, and [`Folded`] keeps a map back to
//! byte offsets of the original text, so that highlights land on what the reader sees.

use hanconv::{Converters, Trie};
use std::sync::LazyLock;

static T2S: LazyLock<Vec<&'static Trie<&'static str>>> =
    LazyLock::new(|| Converters::T2S.dictionaries());

/// Build the conversion table now (it is built on first use otherwise, ~0.1 s), so that loading
/// the dictionaries pays for it rather than the first question or the first index build.
pub(crate) fn warm_up() {
    LazyLock::force(&T2S);
}

/// A folded text with the way back to the original.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folded {
    pub text: String,
    /// For every byte position of `text` (and one past its end), the byte position in the
    /// original. `None` when folding changed nothing, so the map is the identity.
    map: Option<Vec<u32>>,
}

impl Folded {
    /// The original byte offset of a byte offset of the folded text (a char boundary, or the end).
    pub(crate) fn orig(&self, folded_offset: usize) -> usize {
        match &self.map {
            None => folded_offset,
            Some(m) => m
                .get(folded_offset)
                .or_else(|| m.last())
                .map(|&o| o as usize)
                .unwrap_or(0),
        }
    }

    /// Whether byte offsets are the same in the folded and the original text.
    #[cfg(test)]
    pub(crate) fn same_offsets(&self) -> bool {
        self.map.is_none()
    }
}

/// Fold `s`: Traditional → Simplified (OpenCC phrase and character tables), full-width ASCII →
/// ASCII, Latin letters → lower case, and the OCR fold of [`fold_ocr_zero`].
pub fn fold(s: &str) -> Folded {
    let mut out = String::with_capacity(s.len());
    let mut map: Vec<u32> = Vec::with_capacity(s.len() + 1);
    let trie = T2S.first().copied();
    let mut rest = s;
    let mut pos = 0usize;
    // Whether any char boundary moved (see the end of this function).
    let mut moved = false;
    while let Some(c) = rest.chars().next() {
        // A Traditional phrase or character: the table decides, longest match first.
        let matched = if is_cjk(c) {
            trie.and_then(|t| t.r#match(rest.chars()))
        } else {
            None
        };
        if let Some((replacement, n_chars)) = matched {
            let src_len: usize = rest.chars().take(n_chars).map(char::len_utf8).sum();
            let same_shape = replacement.chars().count() == n_chars;
            let mut src_chars = rest[..src_len].char_indices();
            for rc in replacement.chars() {
                // Equal lengths map char to char; otherwise every char maps to the phrase start.
                let src_off = if same_shape {
                    src_chars.next().map(|(i, _)| i).unwrap_or(0)
                } else {
                    0
                };
                for _ in 0..rc.len_utf8() {
                    map.push((pos + src_off) as u32);
                }
                out.push(rc);
            }
            pos += src_len;
            rest = &rest[src_len..];
            moved |= out.len() != pos;
            continue;
        }
        let f = fold_char(c);
        for _ in 0..f.len_utf8() {
            map.push(pos as u32);
        }
        out.push(f);
        pos += c.len_utf8();
        rest = &rest[c.len_utf8()..];
        moved |= out.len() != pos;
    }
    map.push(pos as u32);
    fold_ocr_zero(&mut out);
    // Most replacements keep the byte length (one CJK character for another, A for a): then
    // offsets are the identity and no map is kept — it would cost four bytes per text byte.
    Folded {
        text: out,
        map: moved.then_some(map),
    }
}

/// Fold a text whose offsets are not needed (questions, labels).
pub fn fold_str(s: &str) -> String {
    fold(s).text
}

/// One character: full-width letters and digits to ASCII, Latin to lower case. Full-width
/// punctuation (，：（）) stays: it is no term, and keeping it keeps byte offsets unchanged.
fn fold_char(c: char) -> char {
    let c = match c {
        '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
            char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
        }
        _ => c,
    };
    if c.is_ascii_uppercase() {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

/// OCR confuses the letter O and the digit zero. In a run of ASCII letters and digits whose only
/// digit is `0` and that holds at least one letter (`ae0`, `0a`), the zeros are read as `o`; runs
/// with other digits (`g20`, `ky307`) are left alone. Same length, so offsets do not move.
fn fold_ocr_zero(s: &mut String) {
    if !s.contains('0') {
        return;
    }
    let bytes = s.as_bytes();
    let mut fixes = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_alphanumeric() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let run = &bytes[start..i];
            let letters = run.iter().any(|b| b.is_ascii_alphabetic());
            let other_digits = run.iter().any(|b| b.is_ascii_digit() && *b != b'0');
            if letters && !other_digits {
                fixes.extend(
                    run.iter()
                        .enumerate()
                        .filter(|(_, b)| **b == b'0')
                        .map(|(k, _)| start + k),
                );
            }
        } else {
            i += 1;
        }
    }
    if fixes.is_empty() {
        return;
    }
    let mut v = std::mem::take(s).into_bytes();
    for k in fixes {
        v[k] = b'o';
    }
    // Only ASCII bytes were replaced by ASCII bytes, so the text is still UTF-8.
    *s = String::from_utf8(v).unwrap_or_default();
}

/// CJK ideographs (the blocks the conversion tables cover).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Whether the text holds Traditional characters that fold to different Simplified ones.
pub(crate) fn looks_traditional(s: &str) -> bool {
    let simplified = hanconv::t2s(s);
    let changed = s
        .chars()
        .zip(simplified.chars())
        .filter(|(a, b)| a != b)
        .count();
    changed > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_folds_to_simplified_with_offsets() {
        let f = fold("《意見》對反腐敗");
        assert_eq!(f.text, "《意见》对反腐败");
        // Every char is 3 bytes both sides: offsets are the identity on boundaries.
        assert_eq!(f.orig(3), 3);
        assert_eq!(f.orig(f.text.len()), "《意見》對反腐敗".len());
    }

    #[test]
    fn simplified_text_is_left_alone() {
        let f = fold("党的政治建设（十六）：AEO");
        assert_eq!(f.text, "党的政治建设（十六）：aeo");
        assert!(f.same_offsets());
    }

    #[test]
    fn fullwidth_and_case() {
        let f = fold("ＡＥＯ企业 12371");
        assert_eq!(f.text, "aeo企业 12371");
        assert!(!f.same_offsets());
        // Full-width A is 3 bytes, a is 1: the map must say where `企` came from.
        let k = f.text.find('企').unwrap_or(0);
        assert_eq!(f.orig(k), "ＡＥＯ".len());
    }

    #[test]
    fn ocr_zero_read_as_o_only_in_letter_runs() {
        assert_eq!(fold_str("新增培育AE0企业193家"), "新增培育aeo企业193家");
        assert_eq!(fold_str("G20峰会 KY307 2020年"), "g20峰会 ky307 2020年");
    }

    #[test]
    fn detects_traditional() {
        assert!(looks_traditional("廣東高考錄取分數線"));
        assert!(!looks_traditional("广东高考录取分数线"));
    }
}
