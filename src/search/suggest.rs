//! "您是不是要找：保障" — suggestions for pinyin-input slips (报障 for 保障, 维户 for 维护).
//!
//! A reader typing pinyin picks the wrong one of several characters that sound alike. A question
//! word the index does not hold is looked up by its sound among the words the index does hold;
//! a word that sounds the same and shares a character in the same place is suggested. Two
//! rules keep this honest, learnt from Meilisearch's silent pinyin matching (景点 found 经典):
//! suggestions come only from the index's own words, and they are only ever *suggested* — the
//! engine retries a corrected question only when the typed one found nothing confident, and
//! says so. Polyphones (行 xing/hang) are handled by trying every reading.

use pinyin::ToPinyin;
use std::collections::HashMap;

/// Words of at most this many characters are looked up (longer slips are rare, and the number
/// of readings to try grows with every character).
const MAX_CHARS: usize = 4;

/// The index's words by sound.
#[derive(Debug, Default)]
pub(crate) struct SoundIndex {
    by_sound: HashMap<String, Vec<(String, u32)>>,
}

/// The reading of a word of ideographs, each character by its most common reading, as
/// toneless syllables joined by spaces; `None` when a character has no reading or the word is
/// too long. Only the common reading is used, on both sides: a rare reading of a polyphone (车
/// read ju as in chess) would pair words no reader confuses (开车 with 开具).
fn reading(word: &str) -> Option<String> {
    let n = word.chars().count();
    if !(2..=MAX_CHARS).contains(&n) {
        return None;
    }
    let mut out = String::new();
    for p in word.to_pinyin() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(p?.plain());
    }
    Some(out)
}

impl SoundIndex {
    /// Index `words` (each with how many passages hold it).
    pub(crate) fn new(words: impl IntoIterator<Item = (String, u32)>) -> SoundIndex {
        let mut by_sound: HashMap<String, Vec<(String, u32)>> = HashMap::new();
        for (w, df) in words {
            if !w.chars().all(crate::index::fold::is_cjk) {
                continue;
            }
            if let Some(r) = reading(&w) {
                by_sound.entry(r).or_default().push((w, df));
            }
        }
        SoundIndex { by_sound }
    }

    /// The indexed word that sounds like `typed` and shares a character with it in the same
    /// place, the most common first; `None` when there is none.
    pub(crate) fn suggest(&self, typed: &str) -> Option<&str> {
        let typed_chars: Vec<char> = typed.chars().collect();
        let mut best: Option<(&str, u32)> = None;
        if let Some(r) = reading(typed) {
            for (w, df) in self.by_sound.get(&r).into_iter().flatten() {
                if w == typed {
                    continue;
                }
                let shares = w.chars().zip(&typed_chars).any(|(a, b)| a == *b);
                if shares && best.is_none_or(|b| *df > b.1 || (*df == b.1 && w.as_str() < b.0)) {
                    best = Some((w, *df));
                }
            }
        }
        best.map(|b| b.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> SoundIndex {
        SoundIndex::new(
            [
                ("保障", 9),
                ("维护", 20),
                ("经典", 3),
                ("银行", 2),
                ("执行", 8),
            ]
            .map(|(w, n)| (w.to_string(), n)),
        )
    }

    #[test]
    fn slips_are_suggested_from_the_index() {
        let i = index();
        assert_eq!(i.suggest("报障"), Some("保障"));
        assert_eq!(i.suggest("维户"), Some("维护"));
        assert_eq!(i.suggest("直行"), Some("执行"));
        // 车 is read che here, never ju: 开车 is not 开具.
        let j = SoundIndex::new([("开具".to_string(), 5)]);
        assert_eq!(j.suggest("开车"), None);
    }

    #[test]
    fn words_sharing_no_character_are_never_suggested() {
        // 景点 sounds like 经典 (jing dian) but shares no character with it.
        assert_eq!(index().suggest("景点"), None);
        assert_eq!(index().suggest("保障"), None);
        assert_eq!(index().suggest("高铁"), None);
    }
}
