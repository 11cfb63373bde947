//! The search core: one path from a reader's question to ranked passages, shared by the CLI,
//! the bot and the tests.
//!
//! `Engine` owns the loaded corpus, the shared jieba dictionary and an open tantivy index
//! generation under `DATA_DIR`. Renderers (`crate::render`) turn an `Answer` into plain text,
//! Telegram HTML or JSON; they never search themselves.
//!
//! - [`query`]: question analysis (filler, quotes, titles, clause references, answer type),
//!   with [`noise`] (markup and typing noise made inert), [`scope`] (the issue a question
//!   names) and the word lists of [`lexicon`];
//! - [`meta`]: questions about the issue itself, answered from its structure;
//! - [`thesaurus`]: the editors' synonyms, applied at query time; [`edits`]: the editors'
//!   additions to it and to the user dictionary, written safely;
//! - [`normalise`]: the normal form of a question, by which the misses queue groups them;
//! - [`suggest`]: pinyin-slip suggestions from the index's own words;
//! - [`clause`]: clause numbers in questions and labels;
//! - [`rank`]: the features of a passage for a question (coverage, proximity, evidence, cues);
//! - [`weights`]: every tuned constant; [`decide`]: confident, hedged or not found;
//! - [`snippet`]: snippets and best sentences on character boundaries;
//! - [`engine`]: open/build generations and run the pipeline of stages;
//! - [`eval`]: Recall@k, MRR and calibration over a question file; [`bench`]: speed.

pub mod bench;
pub mod clause;
pub mod decide;
pub mod edits;
pub mod engine;
pub mod error;
pub mod eval;
pub mod lexicon;
pub mod meta;
pub mod noise;
pub mod normalise;
mod passage_text;
pub mod query;
pub mod rank;
pub mod scope;
pub mod snippet;
pub mod suggest;
pub mod thesaurus;
pub mod weights;

pub use engine::{AskOptions, BuildStats, Engine};
pub use error::SearchError;
pub use normalise::normalise_question;

use crate::corpus::Pages;
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
    /// The magazine's name as the issue gives it (`跨越`).
    pub magazine: String,
    /// `2019年第3期`
    pub issue_label: String,
    /// 总第N期, where the issue prints it.
    pub total: Option<u32>,
    /// The table-of-contents title of the article.
    pub article: String,
    /// The passage's 1-based position within its article.
    pub seq: u32,
    pub column: String,
    pub pages: Pages,
    pub clause: Option<String>,
    /// The article's byline or source as printed (`转自《人民日报》`, `广州海关关长 谢松`).
    pub source: Option<String>,
    /// The whole passage.
    pub text: String,
    /// A short window of the passage around the matches.
    pub snippet: Marked,
    /// The sentence that best answers the question.
    pub best_sentence: Marked,
    pub score: f32,
}

/// How sure the engine is that its passages answer the question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    /// The passages hold the question's topical words together: shown as the answer.
    Confident,
    /// Passages share some of the question but none answers it exactly: shown as 可能相关,
    /// behind one line that says so.
    Hedged,
    /// Nothing in the magazine is close enough: no passages at all.
    #[default]
    NotFound,
}

/// How the engine read a question, shown under every answer (检索词：… · 问：…) so that a
/// reader can see why it answered what it did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Understood {
    /// The topical words searched for, as folded.
    pub terms: Vec<String>,
    /// The kind of answer asked for (数字, 人名, 日期, 列举) or the question about the issue
    /// itself (作者, 页码, 栏目, 目录, 期号), in Chinese.
    pub asks: Option<String>,
    /// The clause looked up (（十六）, 第五部分).
    pub clause: Option<String>,
    /// The issue the search was limited to (`2019-03`).
    pub issue: Option<String>,
    /// Exact phrases every passage had to contain.
    pub phrases: Vec<String>,
    /// The corrected question that was searched instead of the one typed.
    pub corrected: Option<String>,
    /// The question's longest topical span, for an exact-phrase search (按原文查找).
    pub span: Option<String>,
}

/// The answer to one question.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Answer {
    pub question: String,
    pub level: Level,
    /// True when the question was written in Traditional characters, so that replies can
    /// answer in kind.
    pub traditional: bool,
    /// Empty exactly when `level` is [`Level::NotFound`].
    pub hits: Vec<Hit>,
    /// A direct answer from the issue's structure (who wrote an article, its page, what an
    /// issue holds), when the question is about the magazine rather than inside it.
    pub fact: Option<String>,
    /// A word the index holds that sounds like one the reader typed (您是不是要找：…).
    pub suggestion: Option<String>,
    /// The question with the suggested word in place of the typed one.
    pub suggested_question: Option<String>,
    /// Why the search was not run as asked, e.g. the question names an issue not in the
    /// corpus: a sentence for the reader.
    pub notice: Option<String>,
    pub understood: Understood,
}

impl Answer {
    /// True when the magazine does not answer the question; `hits` is then empty.
    pub fn not_found(&self) -> bool {
        self.level == Level::NotFound
    }

    pub(crate) fn hedged(&self) -> bool {
        self.level == Level::Hedged
    }

    /// An answer with no passages.
    pub(crate) fn nothing(question: &str) -> Answer {
        Answer {
            question: question.to_string(),
            ..Answer::default()
        }
    }
}
