//! Ranking beyond BM25: what makes a passage *answer* a question.
//!
//! tantivy's BM25 (over the passage, its heading, its article title and its column) picks the
//! candidates; this module re-scores them with what BM25 cannot see:
//! - *coverage*: how much of the question's content (each word weighted by its rarity) the
//!   passage holds, in its text or in its heading and title — a passage that covers more of the
//!   question beats one that repeats a single word;
//! - *proximity*: the best pair of neighbouring sentences, scored the same way — the words of a
//!   good answer sit together, and the answer may sit one sentence beyond the one that matches;
//! - *answer type*: a question asking 多少 wants a number near the matched words, 谁 a name,
//!   什么时候 a date, 哪些 a list;
//! - quoted phrases, titles named in 《…》 and clause references.
//!
//! It also weighs the *evidence* that the best passage answers at all (the not-found decision
//! in `engine`): the question's words it holds whole, each weighted by rarity, where a place or
//! time word (广州, 香港, 今天) counts a quarter, and single characters do not make words meet. A
//! question about 高铁 between 广州 and 深圳 shares only its setting with the magazine.
//!
//! All matching is substring search of folded words in folded text (precomputed per passage), so
//! a word still matches where jieba cut the passage differently than the question.

use super::lexicon::MEASURES;
use super::query::{Analysed, Aspect, Want};
use memchr::memmem::Finder;
use std::ops::Range;

/// Partial credit for a concept met only through one of its sub-words.
const SUB_CREDIT: f32 = 0.5;

/// A place or time word's share of its weight when deciding whether a question is answered.
/// 广州, 香港, 今天 say where or when a question is set; in a magazine of Guangdong's provincial
/// organs they occur in many articles, whatever the question asks about (高铁, 旅游, 天气).
pub(crate) const SETTING_EVIDENCE: f32 = 0.25;

/// What the index knows of a question word.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rarity {
    pub idf: f32,
    /// Whether the index holds the word (as a word, not only inside other words).
    pub indexed: bool,
}

/// One content word, ready to be searched for.
pub(crate) struct ConceptMatcher {
    whole: Finder<'static>,
    /// The thesaurus' equivalents, matched as whole words.
    alts: Vec<Finder<'static>>,
    subs: Vec<Finder<'static>>,
    /// Role weight × rarity (idf).
    pub weight: f32,
    /// The weight as evidence that a passage answers: less for place and time words.
    pub evidence: f32,
    /// Whether the magazine holds the word at all.
    pub indexed: bool,
    /// One CJK character: met inside unrelated words (克 of 克服, 机 of 机关).
    single: bool,
    /// A place or time word (see [`crate::search::query::Concept::setting`]).
    setting: bool,
    /// A word that only says which kind of answer is wanted (好处, 措施).
    kind: bool,
    /// Holds a digit: 2020年, 12366, 1月31日.
    number: bool,
    /// An ordinal (第三届, 第二次): the third is not the second.
    ordinal: bool,
}

impl ConceptMatcher {
    /// Can this word, met in a passage, show what the question is about? Not a place or time
    /// word, and not a single character (开 and 机 of 开不了机 sit in 开展 and 机关).
    fn topical(&self) -> bool {
        !self.setting && !self.single && !self.kind
    }
}

/// The question, compiled for matching passages.
pub(crate) struct Matcher {
    pub concepts: Vec<ConceptMatcher>,
    pub total: f32,
    /// Sum of the concepts' evidence weights.
    pub total_evidence: f32,
    quoted: Vec<Finder<'static>>,
    required: Vec<Finder<'static>>,
    titles: Vec<Finder<'static>>,
    pub want: Want,
    aspect: Aspect,
    /// The question asks for a time of day (几点).
    clock: bool,
    unit: Option<char>,
    /// The question's runs of letters, digits and ideographs, for verbatim spans.
    runs: Vec<String>,
}

/// What a sentence holding the asked aspect (a benefit, a reason, a way) adds to its cue.
const ASPECT_CUE: f32 = 0.4;

/// The shortest verbatim span that counts (see [`Matcher::verbatim`]).
pub(crate) const VERBATIM_MIN: usize = 3;

/// Where a concept occurs in a (folded) text.
#[derive(Debug, Clone)]
pub(crate) struct Occurrence {
    pub range: Range<usize>,
    pub concept: usize,
    pub credit: f32,
}

/// What a passage offers to a question.
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    pub coverage: f32,
    pub proximity: f32,
    /// Evidence that the passage answers: the evidence weight (see
    /// [`ConceptMatcher::evidence`]) of the question's words it holds whole, as words.
    pub evidence: f32,
    /// The same as a share of the question's evidence weight. Words the magazine never uses
    /// (高铁, 旅游, 电脑) weigh most, being rarest: they carry what an off-topic question is about.
    pub evidence_share: f32,
    /// The largest evidence weight of a topical question word the passage does not hold whole
    /// (what the reader asks about that the passage never mentions), as a share of the
    /// question's evidence weight.
    pub missing_share: f32,
    /// Longest verbatim span of the question in the passage (see [`Matcher::verbatim`]).
    pub verbatim: usize,
    /// The question gives a number (a year, a date, a hotline) the passage does not hold.
    pub missing_number: bool,
    /// How many topical words (see [`ConceptMatcher::topical`]) the passage holds whole.
    pub topical_held: usize,
    /// Most distinct topical concepts (see [`ConceptMatcher::topical`]) found whole together in
    /// one pair of neighbouring sentences (or labels).
    pub together: usize,
    /// How well the best sentence holds the kind of answer asked for (0 when it does not).
    pub cue: f32,
    /// The best sentence's own share of the question (text only) plus its cue.
    pub best_score: f32,
    pub quoted: f32,
    pub title: bool,
    pub required_ok: bool,
    /// Index of the best sentence in `sentences`.
    pub best: usize,
    pub sentences: Vec<Range<usize>>,
    pub occurrences: Vec<Occurrence>,
}

fn finder(s: &str) -> Finder<'static> {
    Finder::new(s.as_bytes()).into_owned()
}

impl Matcher {
    /// `rarity(word)` gives what the index knows of a word.
    pub(crate) fn new(q: &Analysed, rarity: impl Fn(&str) -> Rarity) -> Matcher {
        let concepts: Vec<ConceptMatcher> = q
            .concepts
            .iter()
            .map(|c| {
                let r = rarity(&c.word);
                let weight = c.weight * r.idf;
                ConceptMatcher {
                    whole: finder(&c.word),
                    alts: c.alts.iter().map(|s| finder(s)).collect(),
                    subs: c.subs.iter().map(|s| finder(s)).collect(),
                    weight,
                    evidence: if c.kind {
                        0.0
                    } else if c.setting {
                        weight * SETTING_EVIDENCE
                    } else {
                        weight
                    },
                    indexed: r.indexed,
                    single: c.word.chars().count() == 1
                        && c.word.chars().all(crate::index::fold::is_cjk),
                    setting: c.setting,
                    kind: c.kind,
                    number: c.word.chars().any(|ch| ch.is_ascii_digit()),
                    ordinal: is_ordinal(&c.word),
                }
            })
            .collect();
        let total = concepts.iter().map(|c| c.weight).sum();
        let total_evidence = concepts.iter().map(|c| c.evidence).sum();
        Matcher {
            concepts,
            total,
            total_evidence,
            quoted: q.quoted.iter().map(|p| finder(&p.text)).collect(),
            required: q.required.iter().map(|p| finder(&p.text)).collect(),
            titles: q.titles.iter().map(|t| finder(t)).collect(),
            want: q.want,
            aspect: q.aspect,
            clock: ["几点", "几时几分", "什么时间段"]
                .iter()
                .any(|w| q.text.contains(w)),
            unit: q.unit,
            runs: q
                .text
                .split(|c: char| !(c.is_alphanumeric()))
                .filter(|r| r.chars().count() >= VERBATIM_MIN)
                .map(str::to_string)
                .collect(),
        }
    }

    /// The longest stretch of the question (in characters, at least [`VERBATIM_MIN`]) that
    /// `text` holds verbatim and that is longer than any one question word inside it: the
    /// reader quoting the text without quote marks. 0 when there is none.
    pub(crate) fn verbatim(&self, text: &str) -> usize {
        let h = text.as_bytes();
        let mut best = 0usize;
        for run in &self.runs {
            let bounds: Vec<usize> = run
                .char_indices()
                .map(|(i, _)| i)
                .chain(std::iter::once(run.len()))
                .collect();
            let n = bounds.len() - 1;
            for i in 0..n {
                if n - i <= best {
                    break;
                }
                // Grow the span from i while the text still holds it.
                let mut j = i + VERBATIM_MIN.max(best + 1);
                if j > n {
                    continue;
                }
                let mut longest = 0;
                while j <= n
                    && memchr::memmem::find(h, &run.as_bytes()[bounds[i]..bounds[j]]).is_some()
                {
                    longest = j - i;
                    j += 1;
                }
                if longest == 0 {
                    continue;
                }
                let span = &run[bounds[i]..bounds[i + longest]];
                let word_len = self
                    .concepts
                    .iter()
                    .map(|c| c.whole.needle())
                    .filter(|w| span.as_bytes().windows(w.len()).any(|x| x == *w))
                    .map(|w| {
                        std::str::from_utf8(w)
                            .map(|s| s.chars().count())
                            .unwrap_or(0)
                    })
                    .max();
                // A span that is one question word is credited as that word already; a span
                // made only of filler (的是什么) is no evidence at all.
                if word_len.is_some_and(|l| l < longest) {
                    best = best.max(longest);
                }
            }
        }
        best
    }

    /// Every occurrence of every concept in `text`, in text order. A whole-word occurrence
    /// hides the sub-word occurrences inside it.
    pub(crate) fn occurrences(&self, text: &str) -> Vec<Occurrence> {
        let h = text.as_bytes();
        let mut out = Vec::new();
        for (ci, c) in self.concepts.iter().enumerate() {
            let n = c.whole.needle().len();
            // A number matches as a whole number: 12 is not in 2012 or 125.
            let digit_at = |i: usize| h.get(i).is_some_and(u8::is_ascii_digit);
            let wholes: Vec<usize> = c
                .whole
                .find_iter(h)
                .filter(|&s| !c.number || !(s > 0 && digit_at(s - 1) || digit_at(s + n)))
                .collect();
            for &s in &wholes {
                out.push(Occurrence {
                    range: s..s + n,
                    concept: ci,
                    credit: 1.0,
                });
            }
            for alt in &c.alts {
                let m = alt.needle().len();
                for s in alt.find_iter(h) {
                    out.push(Occurrence {
                        range: s..s + m,
                        concept: ci,
                        credit: 1.0,
                    });
                }
            }
            for sub in &c.subs {
                let m = sub.needle().len();
                for s in sub.find_iter(h) {
                    if wholes.iter().any(|&w| s >= w && s + m <= w + n) {
                        continue;
                    }
                    out.push(Occurrence {
                        range: s..s + m,
                        concept: ci,
                        credit: SUB_CREDIT,
                    });
                }
            }
        }
        out.sort_by_key(|o| (o.range.start, std::cmp::Reverse(o.range.end)));
        out
    }

    /// Credit per concept (0, 0.5 or 1) in a label text (title, heading, column).
    pub(crate) fn label_credit(&self, label: &str) -> Vec<f32> {
        let mut credit = vec![0f32; self.concepts.len()];
        for o in self.occurrences(label) {
            credit[o.concept] = credit[o.concept].max(o.credit);
        }
        credit
    }

    /// Score a passage: `text` and `label` are folded.
    /// `sentences` are the spans of [`sentences`]`(text)`, computed once per passage;
    /// `person(i)` says whether sentence `i` names a person (asked only for 谁 questions).
    pub(crate) fn features(
        &self,
        text: &str,
        sentences: &[Range<usize>],
        label: &str,
        person: impl Fn(usize) -> bool,
    ) -> Features {
        let occ = self.occurrences(text);
        let label_credit = self.label_credit(label);
        let total = self.total.max(1e-6);
        let mut held = label_credit.clone();
        for o in &occ {
            held[o.concept] = held[o.concept].max(o.credit);
        }
        let coverage = self
            .concepts
            .iter()
            .zip(&held)
            .map(|(c, h)| c.weight * h)
            .sum::<f32>()
            / total;
        let ev = self.evidence(&held, text, sentences);
        let per_sentence = per_sentence_credit(&occ, sentences, self.concepts.len());
        let (proximity, together) = self.nearness(&per_sentence, &label_credit);
        let (best, best_score, cue) = self.best_sentence(text, sentences, &per_sentence, person);
        let found =
            |f: &Finder| f.find(text.as_bytes()).is_some() || f.find(label.as_bytes()).is_some();
        let quoted = if self.quoted.is_empty() {
            0.0
        } else {
            self.quoted.iter().filter(|f| found(f)).count() as f32 / self.quoted.len() as f32
        };
        Features {
            coverage,
            proximity,
            evidence: ev.evidence,
            evidence_share: ev.evidence / self.total_evidence.max(1e-6),
            missing_share: ev.missing / self.total_evidence.max(1e-6),
            missing_number: ev.missing_number,
            topical_held: ev.topical_held,
            verbatim: self.verbatim(text),
            together,
            cue,
            quoted,
            title: self
                .titles
                .iter()
                .any(|f| f.find(label.as_bytes()).is_some()),
            required_ok: self.required.iter().all(found),
            best,
            best_score: best_score.max(0.0),
            sentences: sentences.to_vec(),
            occurrences: occ,
        }
    }

    /// What the passage offers as evidence that it answers, from the credit each question word
    /// has in it (text or labels).
    fn evidence(&self, held: &[f32], text: &str, sentences: &[Range<usize>]) -> Evidence {
        let whole = |i: usize| held[i] >= 1.0;
        let concepts = || self.concepts.iter().enumerate();
        // The question's words it holds, as words. A single character the magazine never uses
        // as a word (克 of 一克) is met only inside others.
        let evidence: f32 = concepts()
            .filter(|&(i, c)| whole(i) && (c.indexed || !c.single))
            .map(|(_, c)| c.evidence)
            .sum();
        let missing = concepts()
            .filter(|&(i, c)| c.topical() && !whole(i))
            .map(|(_, c)| c.evidence)
            .fold(0f32, f32::max);
        let topical_held = concepts().filter(|&(i, c)| c.topical() && whole(i)).count();
        // Years, hotlines and counts (2020年, 12366) only: a month or a day (2月, 18日) is often
        // printed once above the entries it dates, not in each.
        let digits = |c: &ConceptMatcher| {
            c.whole
                .needle()
                .iter()
                .filter(|b| b.is_ascii_digit())
                .count()
        };
        let missing_number = concepts()
            .any(|(i, c)| !whole(i) && ((c.number && digits(c) >= 3) || c.ordinal))
            || (self.clock && !sentences.iter().any(|r| has_clock_time(&text[r.clone()])));
        Evidence {
            evidence,
            missing,
            topical_held,
            missing_number,
        }
    }

    /// The best single sentence or pair of neighbouring sentences: its share of the question
    /// (proximity) and how many topical words meet in it (together).
    fn nearness(&self, per_sentence: &[Vec<f32>], label_credit: &[f32]) -> (f32, usize) {
        let total = self.total.max(1e-6);
        let score_of = |credits: &dyn Fn(usize) -> f32| -> f32 {
            self.concepts
                .iter()
                .enumerate()
                .map(|(i, c)| c.weight * credits(i).max(label_credit[i]))
                .sum::<f32>()
                / total
        };
        // Only whole topical words count here: a sub-word of a word the magazine lacks (世界 of
        // 世界杯) is no evidence that the question is about the magazine, nor are 广州 and 深圳
        // meeting in a sentence about the 大湾区 when the question asks about 高铁.
        let count_of = |credits: &dyn Fn(usize) -> f32| -> usize {
            (0..self.concepts.len())
                .filter(|&i| self.concepts[i].topical() && credits(i).max(label_credit[i]) >= 1.0)
                .count()
        };
        let mut proximity = per_sentence
            .iter()
            .map(|cr| score_of(&|i| cr[i]))
            .fold(0f32, f32::max);
        let mut together = per_sentence
            .iter()
            .map(|cr| count_of(&|i| cr[i]))
            .max()
            .unwrap_or(0);
        for w in per_sentence.windows(2) {
            let s = score_of(&|i| w[0][i].max(w[1][i]));
            proximity = proximity.max(s * 0.97);
            together = together.max(count_of(&|i| w[0][i].max(w[1][i])));
        }
        (proximity, together)
    }

    /// The sentence that best answers: most of the question, and the kind of answer asked for.
    /// Returns its index, its score and its cue.
    fn best_sentence(
        &self,
        text: &str,
        sentences: &[Range<usize>],
        per_sentence: &[Vec<f32>],
        person: impl Fn(usize) -> bool,
    ) -> (usize, f32, f32) {
        let total = self.total.max(1e-6);
        let mut best = (0, f32::MIN, 0f32);
        for (i, r) in sentences.iter().enumerate() {
            let own = per_sentence[i]
                .iter()
                .zip(&self.concepts)
                .map(|(cr, c)| c.weight * cr)
                .sum::<f32>()
                / total;
            let cue = if own > 0.0 {
                self.cue(&text[r.clone()], || person(i))
            } else {
                0.0
            };
            if own + cue > best.1 + 1e-6 {
                best = (i, own + cue, cue);
            }
        }
        best
    }

    /// Does this sentence hold the kind of answer the question asks for? A number with the
    /// very unit asked about (多少家 → 193家) counts more than any number.
    fn cue(&self, s: &str, person: impl FnOnce() -> bool) -> f32 {
        let yes = |b: bool| if b { 0.2 } else { 0.0 };
        let cues: &[&str] = match self.aspect {
            Aspect::None => &[],
            Aspect::Benefit => super::lexicon::BENEFIT_CUES,
            Aspect::Reason => super::lexicon::REASON_CUES,
            Aspect::Method => super::lexicon::METHOD_CUES,
        };
        // The more of them a sentence says (可以…降低…提高), the more it is about that aspect.
        let said = cues.iter().filter(|c| s.contains(*c)).count().min(3);
        let aspect = ASPECT_CUE * said as f32 / 3.0;
        aspect
            + match self.want {
                Want::Any => 0.0,
                Want::Number => match self.unit {
                    Some(u) if has_number_with(s, u) => 0.35,
                    _ => yes(has_number(s)),
                },
                Want::Date => yes(has_date(s)),
                Want::List => yes(s.matches('、').count() >= 2 || s.contains("一是")),
                Want::Person => yes(person()),
            }
    }
}

/// What [`Matcher::evidence`] finds.
struct Evidence {
    evidence: f32,
    missing: f32,
    topical_held: usize,
    missing_number: bool,
}

/// Each concept's best credit in each sentence.
fn per_sentence_credit(occ: &[Occurrence], sentences: &[Range<usize>], n: usize) -> Vec<Vec<f32>> {
    let mut per_sentence = vec![vec![0f32; n]; sentences.len()];
    let mut k = 0;
    for o in occ {
        while k < sentences.len() && sentences[k].end <= o.range.start {
            k += 1;
        }
        if k == sentences.len() {
            break;
        }
        let c = &mut per_sentence[k][o.concept];
        *c = c.max(o.credit);
    }
    per_sentence
}

/// Sentence spans of a text: cut after 。！？；!?; and at line breaks; never empty.
pub(crate) fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n') {
            continue;
        }
        let mut end = i + c.len_utf8();
        // A closing quote after the full stop belongs to the sentence it closes.
        while let Some(&(j, d)) = iter.peek() {
            if matches!(d, '”' | '’' | '」' | '』' | ')') {
                end = j + d.len_utf8();
                iter.next();
            } else {
                break;
            }
        }
        if !text[start..end].trim().is_empty() {
            out.push(start..end);
        }
        start = end;
    }
    if !text[start..].trim().is_empty() {
        out.push(start..text.len());
    }
    if out.is_empty() {
        out.push(0..text.len());
    }
    out
}

/// A number the reader might be asking for: ASCII digits, or Chinese numerals before a measure word.
pub(crate) fn has_number(s: &str) -> bool {
    if s.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(2)
        .any(|w| "一二两三四五六七八九十百千半".contains(w[0]) && MEASURES.contains(w[1]))
}

/// A number directly followed by the measure word `unit` (`193家`, `两个`, `10首`).
pub(crate) fn has_number_with(s: &str, unit: char) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(2).any(|w| {
        w[1] == unit && (w[0].is_ascii_digit() || "一二两三四五六七八九十百千半".contains(w[0]))
    })
}

/// An ordinal: 第 and a Chinese or Arabic number before a measure word (第三届, 第2次).
fn is_ordinal(w: &str) -> bool {
    let Some(rest) = w.strip_prefix('第') else {
        return false;
    };
    let digits: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十百".contains(*c))
        .collect();
    !digits.is_empty() && rest[digits.len()..].chars().count() <= 1
}

/// A time of day: `9点`, `9:00`, `18时`, `上午9`.
pub(crate) fn has_clock_time(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(2)
        .any(|w| w[0].is_ascii_digit() && matches!(w[1], '点' | '时' | ':' | '：'))
        || ["上午", "下午", "晚上", "早上", "中午"].iter().any(|p| {
            s.match_indices(p).any(|(i, _)| {
                s[i + p.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit())
            })
        })
}

/// A date: `2月13日`, `2019年`, `1月31日`.
pub(crate) fn has_date(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars
        .windows(2)
        .any(|w| w[0].is_ascii_digit() && matches!(w[1], '年' | '月' | '日' | '号'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_cuts() {
        let t = "甲乙。丙丁！“戊。”\n己";
        let s: Vec<&str> = sentences(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(s, vec!["甲乙。", "丙丁！", "“戊。”", "己"]);
    }

    #[test]
    fn ordinals_and_clock_times() {
        assert!(is_ordinal("第三届") && is_ordinal("第2次") && !is_ordinal("第一责任人"));
        assert!(has_clock_time("每天9点到18点") && has_clock_time("上午9时"));
        assert!(!has_clock_time("8-12月人工接听总量164.70万次"));
    }

    #[test]
    fn numbers_and_dates() {
        assert!(has_number("新增培育aeo企业193家"));
        assert!(has_number("坚持两个月以上"));
        assert!(!has_number("统一意志、统一行动"));
        assert!(has_date("2月13日，李学同"));
        assert!(!has_date("第一责任人"));
    }
}
