//! The search core: one path from a reader's question to ranked passages, shared by the CLI,
//! the bot and the tests.
//!
//! `Engine` owns the loaded corpus, the shared jieba dictionary and an open tantivy index
//! generation under `DATA_DIR`. Renderers (`crate::render`) turn an `Answer` into plain text,
//! Telegram HTML or JSON; they never search themselves.
//!
//! - [`query`]: question analysis (filler, quotes, titles, clause references, answer type);
//! - [`clause`]: clause numbers in questions and labels;
//! - [`rank`]: re-ranking candidates by coverage, proximity and answer type;
//! - [`snippet`]: snippets and best sentences on character boundaries;
//! - [`engine`]: open/build generations and answer questions;
//! - [`eval`]: Recall@k and MRR over a question file.

pub mod bench;
pub mod clause;
pub mod engine;
pub mod error;
pub mod eval;
pub mod query;
pub mod rank;
pub mod snippet;

pub use engine::{BuildStats, Engine};
pub use error::SearchError;

use crate::corpus::{Corpus, Pages};
use std::ops::Range;

/// Where a passage lives: the issue id and its position in `Issue::passages`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PassageRef {
    pub issue: String,
    pub index: usize,
}

/// A piece of text with the byte ranges a renderer should emphasise (matched words).
/// Ranges are sorted, non-overlapping and always on `char` boundaries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Marked {
    pub text: String,
    pub marks: Vec<Range<usize>>,
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// 1-based.
    pub rank: usize,
    pub passage: PassageRef,
    pub issue: String,
    /// `2019年第3期`
    pub issue_label: String,
    /// The table-of-contents title of the article.
    pub article: String,
    pub column: String,
    pub pages: Pages,
    pub clause: Option<String>,
    /// The whole passage.
    pub text: String,
    /// A short window of the passage around the matches.
    pub snippet: Marked,
    /// The sentence that best answers the question.
    pub best_sentence: Marked,
    pub score: f32,
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub question: String,
    /// True when the magazine does not answer the question; `hits` is then empty.
    pub not_found: bool,
    /// True when the question was written in Traditional characters, so that replies can
    /// answer in kind.
    pub traditional: bool,
    pub hits: Vec<Hit>,
}

/// Read access to the corpus behind an engine, for tables of contents and neighbours.
pub trait CorpusView {
    fn corpus(&self) -> &Corpus;
}

impl CorpusView for Engine {
    fn corpus(&self) -> &Corpus {
        Engine::corpus(self)
    }
}
