//! The normal form of a question, by which the misses queue groups what readers asked: two
//! spellings of one question (請問，黨的政治建設的首要任務是什麼呢 / 党的政治建设的首要任务是啥)
//! are one miss.
//!
//! It needs no dictionary (the store calls it on every miss): the question goes through the
//! same noise removal and folding as a search, loses everything that is not a letter, digit or
//! ideograph, and then the filler the search drops ([`STOP`], 请问, 是什么, 吗) from either end,
//! until none is left there. Filler inside the question stays: without segmentation it cannot
//! be told from part of a word (的 in 目的).

use super::lexicon::STOP;
use crate::index::fold_str;
use std::sync::LazyLock;

/// Sentence particles that end a question but no word worth grouping by.
const PARTICLES: &[&str] = &["吗", "呢", "呀", "啊", "吧", "嘛", "哦", "啦"];

/// The question word with the 是 that joins it to its topic (…是什么, 什么是…).
const COPULA_QUESTIONS: &[&str] = &[
    "是什么",
    "是啥",
    "是哪些",
    "是哪个",
    "是多少",
    "是谁",
    "什么是",
    "啥是",
    "谁是",
    "哪些是",
];

/// The normal form of `question`: folded (Simplified, lower case, half-width), without noise,
/// punctuation and spaces, and without filler at either end. When only filler is left, the
/// folded text without punctuation is kept instead, so that no question normalises to nothing
/// unless it holds no letter at all.
pub fn normalise_question(question: &str) -> String {
    let cleaned: String = fold_str(&super::noise::strip(question))
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    let (lead, trail) = &*EDGES;
    let mut s = cleaned.as_str();
    loop {
        let before = s.len();
        if let Some(rest) = lead.iter().find_map(|w| s.strip_prefix(w)) {
            s = rest;
        }
        if let Some(rest) = trail.iter().find_map(|w| s.strip_suffix(w)) {
            s = rest;
        }
        if s.len() == before {
            break;
        }
    }
    if s.is_empty() {
        cleaned
    } else {
        s.to_string()
    }
}

/// What may be cut from the start and from the end of a question, in the order tried: the
/// copula questions first (so that 是什么 goes whole, not 什么 leaving 是), then particles (at
/// the end only), then the filler words of [`STOP`] that are more than one character (single
/// characters such as 的, 是, 在 begin and end too many words to be cut off blindly); longest
/// first within each list.
static EDGES: LazyLock<(Vec<&'static str>, Vec<&'static str>)> = LazyLock::new(|| {
    let longest_first = |mut v: Vec<&'static str>| {
        v.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
        v
    };
    let stop = longest_first(
        STOP.iter()
            .copied()
            .filter(|w| w.chars().count() > 1)
            .collect(),
    );
    let copula = longest_first(COPULA_QUESTIONS.to_vec());
    let lead = copula.iter().chain(&stop).copied().collect();
    let trail = copula
        .iter()
        .chain(PARTICLES)
        .chain(&stop)
        .copied()
        .collect();
    (lead, trail)
});

#[cfg(test)]
mod tests {
    use super::normalise_question as n;

    #[test]
    fn spellings_of_one_question_meet() {
        let want = "党的政治建设的首要任务";
        assert_eq!(n("党的政治建设的首要任务是什么？"), want);
        assert_eq!(n("請問，黨的政治建設的首要任務是什麼呢"), want);
        assert_eq!(n("党的政治建设的首要任务是啥??"), want);
        assert_eq!(n("  什么是 党的政治建设的首要任务 "), want);
        assert_eq!(n("**党的政治建设的首要任务**吗"), want);
    }

    #[test]
    fn words_are_kept_and_nothing_becomes_empty() {
        assert_eq!(n("AEO认证的目的"), "aeo认证的目的");
        assert_eq!(n("什么？"), "什么");
        assert_eq!(n("？？"), "");
        assert_eq!(n("两个维护"), "两个维护");
    }
}
