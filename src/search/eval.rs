//! Measuring answer quality on a question file (the dev-set JSONL format).
//!
//! A question is answered when its answer string (Simplified, as printed) is inside a returned
//! passage of the right article — its text or its clause label, both shown to the reader. Negatives (no article) are answered when the engine says
//! "not found". The CLI prints the report; the tests assert the targets on it.

use super::{Answer, Engine};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// How many passages are examined per question (Recall@1, @3 and MRR over these).
pub(crate) const DEPTH: usize = 5;

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Question {
    pub id: String,
    pub question: String,
    pub article: Option<String>,
    pub page: Option<u32>,
    pub answer: Option<String>,
    pub kind: String,
    /// Where a question about the issue itself finds its answer: `source` (inside a result's
    /// byline), `title` (inside its article title) or `page` (the result is the article and
    /// starts on `page`). Absent: inside the passage text, as for every other question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_in: Option<String>,
}

impl Question {
    /// A question the magazine does not answer: no article or no answer string (null or
    /// empty, as different question files write it).
    pub(crate) fn is_negative(&self) -> bool {
        let blank = |s: &Option<String>| s.as_deref().is_none_or(|s| s.trim().is_empty());
        blank(&self.article) || blank(&self.answer)
    }
}

/// Read a JSONL question file; blank lines are skipped, a bad line is an error naming it.
pub fn load_questions(path: &Path) -> Result<Vec<Question>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("无法读取问题文件 {}：{e}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .map_err(|e| format!("{}:{}: 不是有效的问题记录：{e}", path.display(), i + 1))
        })
        .collect()
}

/// The result of one question.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub kind: String,
    pub question: String,
    pub negative: bool,
    /// 1-based rank of the first correct passage among the top [`DEPTH`].
    pub rank: Option<usize>,
    pub not_found: bool,
    /// The answer was hedged (可能相关).
    pub hedged: bool,
    /// What came back: (article, clause, snippet) per hit.
    pub got: Vec<(String, Option<String>, String)>,
    pub expected_article: Option<String>,
    pub expected_answer: Option<String>,
}

impl Outcome {
    /// Right and sure of it: the right passage first and confident; for a negative, no
    /// confident answer.
    pub(crate) fn ok(&self) -> bool {
        if self.negative {
            self.not_found || self.hedged
        } else {
            self.rank == Some(1) && !self.hedged
        }
    }

    fn level(&self) -> &'static str {
        if self.not_found {
            "没有找到"
        } else if self.hedged {
            "可能相关"
        } else {
            "确定"
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub questions: usize,
    pub recall_at_1: f64,
    pub recall_at_3: f64,
    pub mrr: f64,
    pub negatives: usize,
    pub negatives_not_found: usize,
    pub calibration: Calibration,
}

/// How sure the engine was, against whether it was right. "Right" is the right passage first.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq, Eq)]
pub struct Calibration {
    /// Answerable questions answered with confidence, the right passage first.
    pub confident_right: usize,
    /// Answerable questions answered with confidence, but not with the right passage first.
    pub confident_wrong: usize,
    /// Answerable questions answered 可能相关.
    pub hedged: usize,
    /// Answerable questions refused (没有找到).
    pub refused: usize,
    /// Negatives refused, as they should be.
    pub negatives_refused: usize,
    /// Negatives answered 可能相关.
    pub negatives_hedged: usize,
    /// Negatives answered with confidence: the failure readers notice most.
    pub negatives_confident: usize,
}

impl Calibration {
    fn add(&mut self, o: &Outcome) {
        match (o.negative, o.not_found, o.hedged) {
            (true, true, _) => self.negatives_refused += 1,
            (true, false, true) => self.negatives_hedged += 1,
            (true, false, false) => self.negatives_confident += 1,
            (false, true, _) => self.refused += 1,
            (false, false, true) => self.hedged += 1,
            (false, false, false) if o.rank == Some(1) => self.confident_right += 1,
            (false, false, false) => self.confident_wrong += 1,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub overall: Scores,
    pub per_kind: BTreeMap<String, Scores>,
    pub outcomes: Vec<Outcome>,
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Is `h` a right answer to `q`? The answer string must be where the row says the reader
/// finds it: by default in the passage as shown (its clause label, then its text).
fn is_right(q: &Question, article: &str, answer: &str, h: &super::Hit) -> bool {
    let same_article = squash(&h.article) == article;
    match q.answer_in.as_deref() {
        Some("source") => h
            .source
            .as_deref()
            .is_some_and(|s| squash(s).contains(answer)),
        Some("title") => squash(&h.article).contains(answer),
        Some("page") => same_article && q.page == Some(h.pages.first),
        _ => {
            let shown = format!("{}{}", h.clause.as_deref().unwrap_or(""), h.text);
            same_article && squash(&shown).contains(answer)
        }
    }
}

/// Judge one answer.
pub(crate) fn judge(q: &Question, a: &Answer) -> Outcome {
    let negative = q.is_negative();
    // A negative has no right passage: an empty answer string would be "inside" every one.
    let rank = match (&q.article, &q.answer) {
        (Some(article), Some(answer)) if !negative => {
            let (article, answer) = (squash(article), squash(answer));
            a.hits
                .iter()
                .take(DEPTH)
                .position(|h| is_right(q, &article, &answer, h))
                .map(|i| i + 1)
        }
        _ => None,
    };
    Outcome {
        id: q.id.clone(),
        kind: q.kind.clone(),
        question: q.question.clone(),
        negative,
        rank,
        not_found: a.not_found(),
        hedged: a.hedged(),
        got: a
            .hits
            .iter()
            .take(3)
            .map(|h| (h.article.clone(), h.clause.clone(), h.snippet.text.clone()))
            .collect(),
        expected_article: q.article.clone(),
        expected_answer: q.answer.clone(),
    }
}

fn scores<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> Scores {
    let mut s = Scores::default();
    let mut positives = 0usize;
    let (mut r1, mut r3, mut rr) = (0usize, 0usize, 0f64);
    for o in outcomes {
        s.questions += 1;
        s.calibration.add(o);
        if o.negative {
            s.negatives += 1;
            if o.not_found {
                s.negatives_not_found += 1;
            }
            continue;
        }
        positives += 1;
        if let Some(r) = o.rank {
            r1 += usize::from(r == 1);
            r3 += usize::from(r <= 3);
            rr += 1.0 / r as f64;
        }
    }
    if positives > 0 {
        let n = positives as f64;
        s.recall_at_1 = r1 as f64 / n;
        s.recall_at_3 = r3 as f64 / n;
        s.mrr = rr / n;
    }
    s
}

/// Ask every question and score the answers.
pub fn run(engine: &Engine, questions: &[Question]) -> Report {
    let outcomes: Vec<Outcome> = questions
        .iter()
        .map(|q| judge(q, &engine.ask(&q.question, DEPTH)))
        .collect();
    let overall = scores(outcomes.iter());
    let mut kinds: BTreeMap<String, Vec<&Outcome>> = BTreeMap::new();
    for o in &outcomes {
        kinds.entry(o.kind.clone()).or_default().push(o);
    }
    let per_kind = kinds
        .into_iter()
        .map(|(k, v)| (k, scores(v.into_iter())))
        .collect();
    Report {
        overall,
        per_kind,
        outcomes,
    }
}

fn score_row(name: &str, s: &Scores) -> String {
    let positives = s.questions - s.negatives;
    let neg = if s.negatives > 0 {
        format!("{}/{}", s.negatives_not_found, s.negatives)
    } else {
        "-".to_string()
    };
    if positives == 0 {
        format!(
            "{name:<12} {:>4} {:>8} {:>8} {:>8} {:>10}\n",
            s.questions, "-", "-", "-", neg
        )
    } else {
        format!(
            "{name:<12} {:>4} {:>8.3} {:>8.3} {:>8.3} {:>10}\n",
            s.questions, s.recall_at_1, s.recall_at_3, s.mrr, neg
        )
    }
}

impl Report {
    /// The eval report as a table, then every miss with what came back instead.
    pub fn table(&self) -> String {
        let r = self;
        let mut out = format!(
            "{:<12} {:>4} {:>8} {:>8} {:>8} {:>10}\n",
            "kind", "n", "R@1", "R@3", "MRR", "not-found"
        );
        for (k, s) in &r.per_kind {
            out.push_str(&score_row(k, s));
        }
        out.push_str(&score_row("ALL", &r.overall));
        out.push_str(&format!(
            "\n{:<12} {:>4} {:>6} {:>6} {:>6} {:>6} {:>8} {:>8} {:>8}\n",
            "calibration",
            "n",
            "ok",
            "wrong",
            "hedged",
            "refused",
            "neg-ref",
            "neg-hdg",
            "neg-conf"
        ));
        for (k, s) in r
            .per_kind
            .iter()
            .chain(std::iter::once((&"ALL".to_string(), &r.overall)))
        {
            let c = &s.calibration;
            out.push_str(&format!(
                "{k:<12} {:>4} {:>6} {:>6} {:>6} {:>6} {:>8} {:>8} {:>8}\n",
                s.questions,
                c.confident_right,
                c.confident_wrong,
                c.hedged,
                c.refused,
                c.negatives_refused,
                c.negatives_hedged,
                c.negatives_confident
            ));
        }
        let misses: Vec<_> = r.outcomes.iter().filter(|o| !o.ok()).collect();
        if !misses.is_empty() {
            out.push_str(&format!("\n未在第一位答对的问题（{}）：\n", misses.len()));
        }
        for o in misses {
            let rank = o.rank.map(|r| format!("第{r}位")).unwrap_or_else(|| {
                if o.negative {
                    "应答“没有找到”".into()
                } else {
                    "未找到".into()
                }
            });
            out.push_str(&format!(
                "- {} [{}] {}（{}，{}）\n",
                o.id,
                o.kind,
                o.question,
                rank,
                o.level()
            ));
            if let (Some(a), Some(ans)) = (&o.expected_article, &o.expected_answer) {
                out.push_str(&format!("    期望：{a} ⟨{ans}⟩\n"));
            }
            if o.got.is_empty() {
                out.push_str("    得到：没有找到\n");
            }
            for (i, (article, clause, snip)) in o.got.iter().enumerate() {
                let snip: String = snip.chars().take(60).collect();
                out.push_str(&format!(
                    "    {}. {}{} ⟨{}⟩\n",
                    i + 1,
                    article,
                    clause
                        .as_deref()
                        .map(|c| format!(" · {c}"))
                        .unwrap_or_default(),
                    snip
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Pages;
    use crate::search::{Hit, Level, Marked, PassageRef};

    const ARTICLE: &str = "中共中央关于加强党的政治建设的意见";

    fn hit(article: &str, clause: Option<&str>, text: &str) -> Hit {
        Hit {
            rank: 1,
            passage: PassageRef {
                issue: "2019-03".into(),
                index: 0,
            },
            issue: "2019-03".into(),
            magazine: "跨越".into(),
            issue_label: "2019年第3期".into(),
            total: Some(244),
            seq: 1,
            article: article.into(),
            column: "特稿".into(),
            pages: Pages::range(4, 9),
            clause: clause.map(str::to_string),
            source: None,
            text: text.into(),
            snippet: Marked {
                text: text.into(),
                marks: Vec::new(),
            },
            best_sentence: Marked::default(),
            score: 1.0,
        }
    }

    fn answer(level: Level, hits: Vec<Hit>) -> Answer {
        Answer {
            question: "问".into(),
            level,
            hits,
            ..Answer::default()
        }
    }

    fn question(article: Option<&str>, answer: Option<&str>, answer_in: Option<&str>) -> Question {
        Question {
            id: "q1".into(),
            question: "问".into(),
            article: article.map(str::to_string),
            page: Some(4),
            answer: answer.map(str::to_string),
            kind: "事实".into(),
            answer_in: answer_in.map(str::to_string),
        }
    }

    fn other() -> Hit {
        hit("别的文章", None, "首要任务是保证全党服从中央")
    }

    #[test]
    fn the_answer_must_be_in_a_passage_of_the_right_article() {
        let q = question(Some(ARTICLE), Some("保证全党 服从中央"), None);
        let right = hit(ARTICLE, None, "首要任务是保证全党服从中央，坚持党中央权威");
        // The same words in another article do not count; whitespace in the answer does not
        // matter; the rank is that of the first right passage.
        let o = judge(&q, &answer(Level::Confident, vec![other(), right.clone()]));
        assert_eq!(o.rank, Some(2));
        assert!(!o.ok(), "right, but not first");
        let o = judge(&q, &answer(Level::Confident, vec![right.clone()]));
        assert_eq!(o.rank, Some(1));
        assert!(o.ok());
        // The right article without the answer is a miss.
        let o = judge(
            &q,
            &answer(Level::Confident, vec![hit(ARTICLE, None, "永葆清正廉洁")]),
        );
        assert_eq!(o.rank, None);
        // Hits past DEPTH are not examined.
        let mut deep: Vec<Hit> = (0..DEPTH).map(|_| other()).collect();
        deep.push(right);
        assert_eq!(judge(&q, &answer(Level::Confident, deep)).rank, None);
    }

    #[test]
    fn the_clause_label_counts_as_shown_text() {
        let q = question(Some(ARTICLE), Some("永葆清正廉洁的政治本色"), None);
        let h = hit(
            ARTICLE,
            Some("（十六）永葆清正廉洁的政治本色"),
            "党员干部要严守纪律",
        );
        assert_eq!(judge(&q, &answer(Level::Confident, vec![h])).rank, Some(1));
        let without = hit(ARTICLE, None, "党员干部要严守纪律");
        assert_eq!(
            judge(&q, &answer(Level::Confident, vec![without])).rank,
            None
        );
    }

    #[test]
    fn answer_in_source_looks_in_the_byline_of_any_article() {
        let q = question(Some(ARTICLE), Some("人民日报"), Some("source"));
        let mut h = hit("别的文章", None, "正文里没有");
        assert_eq!(
            judge(&q, &answer(Level::Confident, vec![h.clone()])).rank,
            None
        );
        h.source = Some("转自《人民日报》".into());
        assert_eq!(judge(&q, &answer(Level::Confident, vec![h])).rank, Some(1));
        // In the text only, it is not where the row says the reader finds it.
        let in_text = hit(ARTICLE, None, "人民日报评论");
        assert_eq!(
            judge(&q, &answer(Level::Confident, vec![in_text])).rank,
            None
        );
    }

    #[test]
    fn answer_in_title_looks_in_the_article_title() {
        let q = question(Some(ARTICLE), Some("政治建设"), Some("title"));
        let h = hit("把党的政治建设摆在首位", None, "正文");
        assert_eq!(judge(&q, &answer(Level::Confident, vec![h])).rank, Some(1));
        let h = hit("别的文章", None, "政治建设");
        assert_eq!(judge(&q, &answer(Level::Confident, vec![h])).rank, None);
    }

    #[test]
    fn answer_in_page_needs_the_article_starting_on_that_page() {
        let q = question(Some(ARTICLE), Some("4"), Some("page"));
        let mut h = hit(ARTICLE, None, "正文");
        assert_eq!(
            judge(&q, &answer(Level::Confident, vec![h.clone()])).rank,
            Some(1)
        );
        h.pages = Pages::range(5, 9);
        assert_eq!(
            judge(&q, &answer(Level::Confident, vec![h])).rank,
            None,
            "a later first page is another article's answer"
        );
        let elsewhere = Hit {
            pages: Pages::range(4, 9),
            ..other()
        };
        assert_eq!(
            judge(&q, &answer(Level::Confident, vec![elsewhere])).rank,
            None
        );
    }

    #[test]
    fn negatives_with_empty_strings_are_negatives_and_never_ranked() {
        for (article, ans) in [
            (None, None),
            (Some(""), Some("")),
            (Some(ARTICLE), Some("  ")),
            (Some(" "), Some("保证全党服从中央")),
        ] {
            let q = question(article, ans, None);
            assert!(q.is_negative(), "{article:?} {ans:?}");
            let any = hit(ARTICLE, None, "首要任务是保证全党服从中央");
            let o = judge(&q, &answer(Level::Confident, vec![any.clone()]));
            assert!(o.negative);
            assert_eq!(o.rank, None, "{article:?} {ans:?}");
            assert!(!o.ok(), "a confident answer to a negative is wrong");
            let o = judge(&q, &answer(Level::Hedged, vec![any]));
            assert!(o.ok(), "a hedged answer to a negative is fine");
            let o = judge(&q, &answer(Level::NotFound, Vec::new()));
            assert!(o.ok() && o.not_found);
        }
    }

    #[test]
    fn scores_count_calibration_and_recall_over_positives_only() {
        let q = question(Some(ARTICLE), Some("保证全党服从中央"), None);
        let neg = question(None, None, None);
        let right = || hit(ARTICLE, None, "首要任务是保证全党服从中央");
        let outcomes = [
            // Confident and right, first.
            judge(&q, &answer(Level::Confident, vec![right()])),
            // Confident, right passage third: wrong for calibration, counts for R@3.
            judge(
                &q,
                &answer(Level::Confident, vec![other(), other(), right()]),
            ),
            // Hedged with the right passage first: hedged, not confident-right.
            judge(&q, &answer(Level::Hedged, vec![right()])),
            // Refused.
            judge(&q, &answer(Level::NotFound, Vec::new())),
            // Negatives: refused, hedged, confident.
            judge(&neg, &answer(Level::NotFound, Vec::new())),
            judge(&neg, &answer(Level::Hedged, vec![other()])),
            judge(&neg, &answer(Level::Confident, vec![other()])),
        ];
        let s = scores(outcomes.iter());
        assert_eq!(s.questions, 7);
        assert_eq!(s.negatives, 3);
        assert_eq!(s.negatives_not_found, 1);
        assert_eq!(
            s.calibration,
            Calibration {
                confident_right: 1,
                confident_wrong: 1,
                hedged: 1,
                refused: 1,
                negatives_refused: 1,
                negatives_hedged: 1,
                negatives_confident: 1,
            }
        );
        // Over the four positives: ranks 1, 3, 1 (hedged still has a rank), none.
        assert!(
            (s.recall_at_1 - 2.0 / 4.0).abs() < 1e-9,
            "{}",
            s.recall_at_1
        );
        assert!(
            (s.recall_at_3 - 3.0 / 4.0).abs() < 1e-9,
            "{}",
            s.recall_at_3
        );
        let mrr = (1.0 + 1.0 / 3.0 + 1.0) / 4.0;
        assert!((s.mrr - mrr).abs() < 1e-9, "{}", s.mrr);
        let oks = outcomes.iter().filter(|o| o.ok()).count();
        assert_eq!(oks, 3, "confident-right, negative refused, negative hedged");
    }

    #[test]
    fn no_positives_leave_recall_at_zero() {
        let neg = question(None, None, None);
        let o = judge(&neg, &answer(Level::NotFound, Vec::new()));
        let s = scores(std::iter::once(&o));
        assert_eq!((s.recall_at_1, s.recall_at_3, s.mrr), (0.0, 0.0, 0.0));
        assert_eq!((s.questions, s.negatives, s.negatives_not_found), (1, 1, 1));
    }
}
