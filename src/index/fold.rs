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

/// Which BMP CJK characters begin a key of the conversion table, one bit each. Most characters
/// of a Simplified text begin none, and a bit test is far cheaper than the table's hash lookup:
/// folding every passage is most of the time the engine takes to open.
static KEY_STARTS: LazyLock<KeyStarts> = LazyLock::new(KeyStarts::build);

/// The BMP span of [`is_cjk`] the bitset covers; characters beyond it always ask the table.
const BMP_CJK: std::ops::RangeInclusive<u32> = 0x3400..=0xFAFF;

struct KeyStarts(Vec<u64>);

impl KeyStarts {
    fn build() -> KeyStarts {
        let len = (BMP_CJK.end() - BMP_CJK.start()) as usize + 1;
        let mut bits = vec![0u64; len.div_ceil(64)];
        if let Some(trie) = T2S.first() {
            let mut buf = [0u8; 4];
            for u in BMP_CJK {
                let Some(c) = char::from_u32(u) else { continue };
                if is_cjk(c) && trie.starts_with(c.encode_utf8(&mut buf)) {
                    let i = (u - BMP_CJK.start()) as usize;
                    bits[i / 64] |= 1 << (i % 64);
                }
            }
        }
        KeyStarts(bits)
    }

    /// Whether the table may hold a key starting with `c` (a CJK character).
    fn may_start(&self, c: char) -> bool {
        let u = c as u32;
        if !BMP_CJK.contains(&u) {
            return true;
        }
        let i = (u - BMP_CJK.start()) as usize;
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

/// Build the conversion table now (it is built on first use otherwise, ~0.1 s), so that loading
/// the dictionaries pays for it rather than the first question or the first index build.
pub(crate) fn warm_up() {
    LazyLock::force(&KEY_STARTS);
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
    // Most replacements keep the byte length (one CJK character for another, A for a): then
    // offsets are the identity and no map is kept — it would cost four bytes per text byte.
    // So the map is only made at the first step that moves a char boundary.
    let mut map: Option<Vec<u32>> = None;
    let trie = T2S.first().copied();
    let starts = &*KEY_STARTS;
    let mut rest = s;
    let mut pos = 0usize;
    while let Some(c) = rest.chars().next() {
        let out_before = out.len();
        // A Traditional phrase or character: the table decides, longest match first.
        let matched = if is_cjk(c) && starts.may_start(c) {
            trie.and_then(|t| t.r#match(rest.chars()))
        } else {
            None
        };
        let src_len = match matched {
            Some((replacement, n_chars)) => {
                out.push_str(replacement);
                rest.chars().take(n_chars).map(char::len_utf8).sum()
            }
            None => {
                out.push(fold_char(c));
                c.len_utf8()
            }
        };
        if map.is_none() && out.len() != pos + src_len {
            // Until now every step kept its length: the identity, up to here.
            let mut m = Vec::with_capacity(s.len() + 1);
            m.extend(0..out_before as u32);
            map = Some(m);
        }
        if let Some(m) = &mut map {
            map_step(
                m,
                &out[out_before..],
                &rest[..src_len],
                pos,
                matched.is_some(),
            );
        }
        pos += src_len;
        rest = &rest[src_len..];
    }
    if let Some(m) = &mut map {
        m.push(pos as u32);
    }
    fold_ocr_zero(&mut out);
    Folded { text: out, map }
}

/// The map entries of one folding step: `folded` was written for `src`, which starts at byte
/// `pos` of the original. A phrase of equal length maps char to char; otherwise every char of
/// the replacement maps to the phrase's start.
fn map_step(map: &mut Vec<u32>, folded: &str, src: &str, pos: usize, phrase: bool) {
    let same_shape = phrase && folded.chars().count() == src.chars().count();
    let mut src_chars = src.char_indices();
    for rc in folded.chars() {
        let src_off = if same_shape {
            src_chars.next().map(|(i, _)| i).unwrap_or(0)
        } else {
            0
        };
        for _ in 0..rc.len_utf8() {
            map.push((pos + src_off) as u32);
        }
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
    fn a_map_made_midway_keeps_the_offsets_before_and_after() {
        let s = "國家Ａ級景區，廣東";
        let f = fold(s);
        assert_eq!(f.text, "国家a级景区，广东");
        assert_eq!(f.orig(0), 0);
        assert_eq!(f.orig("国家".len()), "國家".len());
        let k = f.text.find('级').unwrap_or(0);
        assert_eq!(f.orig(k), "國家Ａ".len());
        assert_eq!(f.orig(f.text.len()), s.len());
    }

    #[test]
    fn the_key_start_bits_agree_with_the_table() {
        let trie = T2S.first().copied().expect("the T2S table");
        let mut buf = [0u8; 4];
        for u in BMP_CJK {
            let Some(c) = char::from_u32(u) else { continue };
            if is_cjk(c) {
                assert_eq!(
                    KEY_STARTS.may_start(c),
                    trie.starts_with(c.encode_utf8(&mut buf)),
                    "{c}"
                );
            }
        }
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
