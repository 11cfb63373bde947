//! Every tuned constant of the ranking and of the answer decision, in one documented place.
//!
//! Each value was chosen by measuring `kuayue eval` on the dev sets (tests/data/dev.jsonl and
//! dev2.jsonl) and checked on the held-out sets (heldout.jsonl, heldout2.jsonl), which were not
//! used to choose them. Change one only with those four runs before and after.

/// The weights of the re-ranking score and the thresholds of the confident / hedged / not
/// found decision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Weights {
    /// How many BM25 candidates are re-ranked: enough that the passage holding the answer one
    /// sentence beyond the words is among them, few enough to re-rank in well under a ms.
    pub candidates: usize,
    /// Field boosts relative to the passage text: readers often name the heading (1.5) or the
    /// article (1.2) rather than the paragraph's words; the column name rarely (0.5).
    pub heading_boost: f32,
    pub title_boost: f32,
    pub column_boost: f32,
    /// BM25, normalised to the best candidate: a tie-breaker, since BM25 rewards repeating one
    /// word over covering the question.
    pub bm25: f32,
    /// Share of the question (by rarity) the passage holds, in text or labels.
    pub coverage: f32,
    /// The same within the best pair of neighbouring sentences: the words of an answer sit
    /// together.
    pub proximity: f32,
    /// The best sentence's own coverage plus its answer-type cue (a number for 多少).
    pub best_sentence: f32,
    /// Typographically quoted phrases the passage holds.
    pub quoted: f32,
    /// A 《title》 the reader names is the passage's article.
    pub title: f32,
    /// The article's opening passage says what it is about: it wins ties.
    pub lead: f32,
    /// A verbatim span of the question longer than its words, per character beyond the word,
    /// up to [`Weights::verbatim_cap`] characters.
    pub verbatim: f32,
    pub verbatim_cap: usize,
    /// For a question pointing at an article (那篇说…), the share of the question the rest of
    /// the passage's article holds.
    pub article: f32,
    /// A passage holding a keyword question (2–6 characters) verbatim comes first.
    pub keyword: f32,
    /// The clause the reader names, and its first passage before its continuations.
    pub clause: f32,
    pub clause_first: f32,
    /// A question word neither the dictionary nor the index knows (jieba's HMM guessed it,
    /// often gluing a function character to a content one: 要花, 来评) counts this much.
    pub unknown_word: f32,
    /// Candidates of a 谁 question re-checked for names (tagging costs a jieba pass per sentence).
    pub person_recheck: usize,
    /// Confident when the best passage holds this share of the question's evidence…
    pub confident_share: f32,
    /// …and misses no topical word weighing more than this share of it…
    pub confident_missing: f32,
    /// …or when this many topical words meet in neighbouring sentences with at least this much
    /// evidence weight and nothing heavier is missing.
    pub together: usize,
    pub together_weight: f32,
    /// Hedged (可能相关) when the best passage holds at least this share of the evidence;
    /// below it, not found.
    pub hedged_share: f32,
    /// …or when at least this many topical words meet in neighbouring sentences.
    pub hedged_together: usize,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            candidates: 25,
            heading_boost: 1.5,
            title_boost: 1.2,
            column_boost: 0.5,
            bm25: 0.3,
            coverage: 1.0,
            proximity: 1.0,
            best_sentence: 0.25,
            quoted: 0.5,
            title: 0.3,
            lead: 0.03,
            verbatim: 0.05,
            verbatim_cap: 8,
            keyword: 1.0,
            article: 0.3,
            clause: 3.0,
            clause_first: 0.2,
            unknown_word: 0.5,
            person_recheck: 6,
            confident_share: 0.45,
            confident_missing: 0.35,
            together: 3,
            together_weight: 8.0,
            hedged_share: 0.3,
            hedged_together: 2,
        }
    }
}
