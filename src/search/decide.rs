//! The decision between a confident answer, a hedged one (可能相关) and 没有找到.
//!
//! It looks only at what the best passage offers the question's *topical* words (not filler,
//! not words that only say which kind of answer is wanted, place and time words at a quarter):
//! readers judge the bot by two failures, a "not found" when the passage is there and a
//! confident wrong passage, and both come from reading the setting of a question (广州, 2019年,
//! 党员) as its topic.

use super::weights::Weights;
use super::Level;

/// What the best passage offers, as the decision sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Signals {
    /// Share of the question's evidence weight the passage holds whole.
    pub share: f32,
    /// Evidence weight it holds.
    pub evidence: f32,
    /// Topical words met together in neighbouring sentences.
    pub together: usize,
    /// Share of the evidence weight of the heaviest topical word it lacks.
    pub missing_share: f32,
    /// Longest verbatim span of the question it holds, in characters (for the log: it
    /// ranks, but measured on the dev sets it does not separate answers from near misses).
    pub verbatim: usize,
    /// The passage is the clause the reader named, or holds the exact phrase they quoted.
    pub asked_for: bool,
    /// The question gives a number (a year, a date) the passage does not hold.
    pub missing_number: bool,
    /// Topical words the passage holds whole: with none, it shares only the setting (香港 and
    /// 澳门 of 香港怎么去澳门) or stray characters.
    pub topical: usize,
    /// The question is one word, held whole, that the dictionary tags as a place or time.
    pub setting_keyword: bool,
}

/// Confident, hedged or not found.
pub(crate) fn decide(s: &Signals, w: &Weights) -> Level {
    if s.asked_for {
        return Level::Confident;
    }
    if s.topical == 0 && !s.setting_keyword {
        return Level::NotFound;
    }
    let nothing_big_missing = s.missing_share <= w.confident_missing && !s.missing_number;
    let holds_most = s.share >= w.confident_share;
    let words_meet = s.together >= w.together && s.evidence >= w.together_weight;
    if (holds_most || words_meet) && nothing_big_missing {
        Level::Confident
    } else if s.share >= w.hedged_share || holds_most || s.together >= w.hedged_together {
        Level::Hedged
    } else {
        Level::NotFound
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signals(share: f32, missing_share: f32) -> Signals {
        Signals {
            share,
            evidence: share * 10.0,
            together: 1,
            topical: 1,
            missing_share,
            ..Signals::default()
        }
    }

    #[test]
    fn a_passage_holding_the_question_answers_it() {
        let w = Weights::default();
        assert_eq!(decide(&signals(1.0, 0.0), &w), Level::Confident);
        assert_eq!(decide(&signals(0.8, 0.2), &w), Level::Confident);
    }

    #[test]
    fn a_passage_sharing_only_part_of_the_question_is_hedged() {
        let w = Weights {
            confident_missing: 0.3,
            ..Weights::default()
        };
        // Holds 广州市公安局 but not 局长: hedged, not confident.
        assert_eq!(decide(&signals(0.55, 0.45), &w), Level::Hedged);
        assert_eq!(decide(&signals(w.hedged_share, 0.7), &w), Level::Hedged);
    }

    #[test]
    fn a_passage_sharing_only_the_setting_is_not_an_answer() {
        let w = Weights::default();
        assert_eq!(decide(&signals(0.1, 0.9), &w), Level::NotFound);
        assert_eq!(decide(&Signals::default(), &w), Level::NotFound);
        // 香港 and 澳门 both held, but nothing the question is about.
        let setting_only = Signals {
            topical: 0,
            ..signals(1.0, 0.0)
        };
        assert_eq!(decide(&setting_only, &w), Level::NotFound);
    }

    #[test]
    fn many_words_together_or_a_named_clause_answer() {
        let w = Weights::default();
        let s = Signals {
            topical: w.together,
            together: w.together,
            evidence: w.together_weight + 1.0,
            share: 0.4,
            ..Signals::default()
        };
        assert_eq!(decide(&s, &w), Level::Confident);
        let named = Signals {
            asked_for: true,
            ..Signals::default()
        };
        assert_eq!(decide(&named, &w), Level::Confident);
        // A number the question gives and the passage lacks (2020年) is never confident.
        let other_year = Signals {
            missing_number: true,
            ..signals(0.8, 0.2)
        };
        assert_eq!(decide(&other_year, &w), Level::Hedged);
    }
}
