//! The JSON shape of an answer (stable: documented in the README, other tools depend on it).
//!
//! `{"question", "not_found", "results": [{"rank", "issue", "issue_label", "article", "pages":
//! [first, last], "clause", "text", "snippet", "best_sentence", "score"}]}`

use crate::search::Answer;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct AnswerJson<'a> {
    pub question: &'a str,
    pub not_found: bool,
    pub results: Vec<ResultJson<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ResultJson<'a> {
    pub rank: usize,
    pub issue: &'a str,
    pub issue_label: &'a str,
    pub article: &'a str,
    pub pages: [u32; 2],
    pub clause: Option<&'a str>,
    pub text: &'a str,
    pub snippet: &'a str,
    pub best_sentence: &'a str,
    pub score: f32,
}

pub fn answer_json(a: &Answer) -> AnswerJson<'_> {
    AnswerJson {
        question: &a.question,
        not_found: a.not_found,
        results: a
            .hits
            .iter()
            .map(|h| ResultJson {
                rank: h.rank,
                issue: &h.issue,
                issue_label: &h.issue_label,
                article: &h.article,
                pages: h.pages.pair(),
                clause: h.clause.as_deref(),
                text: &h.text,
                snippet: &h.snippet.text,
                best_sentence: &h.best_sentence.text,
                score: h.score,
            })
            .collect(),
    }
}

/// One line of JSON.
pub fn answer_line(a: &Answer) -> String {
    serde_json::to_string(&answer_json(a)).unwrap_or_else(|_| "{}".to_string())
}
