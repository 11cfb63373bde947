//! The JSON shape of an answer (stable: documented in the README, other tools depend on it).
//!
//! `{"question", "not_found", "confidence", "results": [{"rank", "issue", "issue_label",
//! "article", "column", "source", "pages": [first, last], "clause", "text", "snippet",
//! "best_sentence", "score", "source_line", "citation"}], "understood", "suggestion", "fact", "notice"}`. Fields are added,
//! never renamed.
//!
//! Every line is one record: U+2028, U+2029 and U+0085, which JSON allows raw but
//! line-splitting readers (Python's `str.splitlines()`) take for line ends, are escaped.

use crate::search::{Answer, Level, Understood};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub(crate) struct AnswerJson<'a> {
    pub question: &'a str,
    pub not_found: bool,
    /// `high` for a confident answer, `low` for a hedged one (可能相关) or none.
    pub confidence: &'static str,
    pub results: Vec<ResultJson<'a>>,
    pub understood: UnderstoodJson<'a>,
    /// A word of the index that sounds like one the reader typed.
    pub suggestion: Option<&'a str>,
    /// The direct answer to a question about the issue itself (byline, page, contents).
    pub fact: Option<&'a str>,
    /// Why the search was not run as asked (an issue not in the corpus).
    pub notice: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ResultJson<'a> {
    pub rank: usize,
    pub issue: &'a str,
    pub issue_label: &'a str,
    pub article: &'a str,
    pub column: &'a str,
    /// The article's byline or source, or null.
    pub source: Option<&'a str>,
    pub pages: [u32; 2],
    pub clause: Option<&'a str>,
    pub text: &'a str,
    pub snippet: &'a str,
    pub best_sentence: &'a str,
    pub score: f32,
    /// Where the passage stands, as the CLI and the bot print it.
    pub source_line: String,
    /// The passage cited as in official documents (see [`crate::render::citation`]).
    pub citation: String,
}

/// How the question was read.
#[derive(Debug, Serialize)]
pub(crate) struct UnderstoodJson<'a> {
    pub terms: &'a [String],
    pub asks: Option<&'a str>,
    pub clause: Option<&'a str>,
    pub issue: Option<&'a str>,
    pub phrases: &'a [String],
    pub corrected: Option<&'a str>,
}

fn understood(u: &Understood) -> UnderstoodJson<'_> {
    UnderstoodJson {
        terms: &u.terms,
        asks: u.asks.as_deref(),
        clause: u.clause.as_deref(),
        issue: u.issue.as_deref(),
        phrases: &u.phrases,
        corrected: u.corrected.as_deref(),
    }
}

pub(crate) fn answer_json(a: &Answer) -> AnswerJson<'_> {
    AnswerJson {
        question: &a.question,
        not_found: a.not_found(),
        confidence: if a.level == Level::Confident {
            "high"
        } else {
            "low"
        },
        results: a
            .hits
            .iter()
            .map(|h| ResultJson {
                rank: h.rank,
                issue: &h.issue,
                issue_label: &h.issue_label,
                article: &h.article,
                column: &h.column,
                source: h.source.as_deref(),
                pages: h.pages.pair(),
                clause: h.clause.as_deref(),
                text: &h.text,
                snippet: &h.snippet.text,
                best_sentence: &h.best_sentence.text,
                score: h.score,
                source_line: super::SourceLine::of_hit(h).to_string(),
                citation: super::citation(h),
            })
            .collect(),
        understood: understood(&a.understood),
        suggestion: a.suggestion.as_deref(),
        fact: a.fact.as_deref(),
        notice: a.notice.as_deref(),
    }
}

/// One line of JSON.
pub fn answer_line(a: &Answer) -> Result<String, serde_json::Error> {
    to_line(&answer_json(a))
}

/// The error record for an input line that could not be read as a question, so that a reader
/// of the stream still gets one record per line.
pub(crate) fn error_line(line: usize, error: &str) -> String {
    let v = serde_json::json!({ "line": line, "error": error, "not_found": true, "results": [] });
    to_line(&v).unwrap_or_default()
}

/// Serialise to one line, with the line separators JSON leaves raw escaped.
pub(crate) fn to_line<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let s = serde_json::to_string(value)?;
    Ok(escape_separators(&s))
}

fn escape_separators(s: &str) -> String {
    if !s.contains(['\u{2028}', '\u{2029}', '\u{85}']) {
        return s.to_string();
    }
    s.replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
        .replace('\u{85}', "\\u0085")
}

/// The `toc --json` shape of one issue (a contract: see the README).
#[derive(Debug, Serialize)]
pub(crate) struct TocJson<'a> {
    pub issue: &'a str,
    pub label: String,
    pub total: Option<u32>,
    pub date: &'a str,
    pub articles: Vec<TocArticleJson<'a>>,
}

#[derive(Debug, Serialize)]
pub(crate) struct TocArticleJson<'a> {
    pub title: &'a str,
    pub column: &'a str,
    pub source: Option<&'a str>,
    pub pages: [u32; 2],
    pub cover: Option<&'a str>,
    pub in_toc: bool,
}

pub(crate) fn toc_json<'a>(toc: &super::toc::Toc<'a>) -> TocJson<'a> {
    TocJson {
        issue: &toc.meta.id,
        label: toc.meta.label(),
        total: toc.meta.total,
        date: &toc.meta.date,
        articles: toc
            .articles
            .iter()
            .map(|a| TocArticleJson {
                title: &a.title,
                column: &a.column,
                source: a.source.as_deref(),
                pages: a.pages.pair(),
                cover: a.pages.cover.as_deref(),
                in_toc: a.in_toc,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_separators_are_escaped_and_still_parse() {
        let a = Answer::nothing("甲\u{2028}乙\u{2029}丙\u{85}丁");
        let line = answer_line(&a).expect("serialises");
        assert!(!line.contains(['\u{2028}', '\u{2029}', '\u{85}']), "{line}");
        assert_eq!(line.lines().count(), 1);
        let v: serde_json::Value = serde_json::from_str(&line).expect("valid JSON");
        assert_eq!(v["question"], "甲\u{2028}乙\u{2029}丙\u{85}丁");
        assert_eq!(v["confidence"], "low");
    }
}
