//! The Telegram bot and its terminal twin (`kuayue chat`).
//!
//! Layers, from the reader inwards:
//!
//! - [`telegram`]: teloxide dispatcher (`schema()`), turning updates into calls on the core and
//!   replies into Bot API requests; [`deliver`] sends replies (one ordered queue per chat,
//!   retried through 429s and outages); [`outbox`] delivers new-issue notices at a paced rate.
//! - [`chat`]: the same core driven by lines typed in a terminal.
//! - [`core`]: everything a reader sees — question → reply text + buttons, commands, button
//!   presses, inline results — with no network and no teloxide types, so the bot and `chat`
//!   behave the same and tests can drive it directly.
//! - [`admin`]: `/reindex` and document import, which rebuild the index in the background,
//!   swap it in and announce new issues.
//!
//! The search engine is reached through [`Library`] and [`Backend`], so that this module
//! depends on what it uses of the engine and nothing more.

pub mod admin;
pub mod admins;
mod alerts;
pub mod backend;
pub mod callback;
pub mod chat;
pub mod commands;
pub mod core;
pub mod deliver;
pub mod doctor;
pub mod editors;
pub mod feedback;
mod gate;
pub mod health;
pub mod inbound;
mod lang;
pub mod metrics;
pub mod outbox;
pub mod pace;
pub mod reply;
pub mod route;
pub mod settings;
pub mod telegram;
mod view;
pub mod watches;

use crate::config::Paths;
use crate::corpus::Corpus;
use crate::search::Answer;
use std::path::PathBuf;
use std::sync::Arc;

/// What the bot needs of an open index: answers, the corpus behind them and its texts.
pub trait Library: Send + Sync {
    /// The best passages for a question, or why the index could not search (a damaged
    /// generation): never an empty answer in place of an error.
    fn ask(&self, question: &str, top: usize) -> Result<Answer, SearchFailed>;
    /// The same, in one issue only (`YYYY-NN`). The default filters a wider answer; the
    /// engine searches that issue alone.
    fn ask_in(&self, question: &str, issue: &str, top: usize) -> Result<Answer, SearchFailed> {
        let mut answer = self.ask(question, (top * 5).min(50))?;
        answer.hits.retain(|h| h.issue == issue);
        answer.hits.truncate(top);
        Ok(answer)
    }
    /// The index generation serving (its directory name under `DATA_DIR` without the
    /// `index-` prefix), where there is one on disk.
    fn generation(&self) -> Option<String> {
        None
    }
    /// The issues served. An engine's corpus holds no passage texts (they stay on disk):
    /// read them with [`Library::passage_text`].
    fn corpus(&self) -> &Corpus;
    /// The text of passage `index` of `issue` (`YYYY-NN`) as printed; `None` when there is
    /// no such passage or its text cannot be read. The default reads the corpus, for
    /// libraries that hold their texts in it.
    fn passage_text(&self, issue: &str, index: usize) -> Option<String> {
        let p = self.corpus().issue(issue)?.passages.get(index)?;
        Some(p.text.clone())
    }
}

/// A search that failed inside the index (an error or a panic), as a sentence for the logs
/// and the admins.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct SearchFailed(pub String);

/// The message of a panic's payload (a `&str` or a `String`, as `panic!` makes them).
pub(crate) fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "未知错误".into())
}

/// An open index and what was worked around to open it (sentences for the admins).
pub struct Opened {
    pub library: Arc<dyn Library>,
    pub warnings: Vec<String>,
}

/// What `/reindex` reports about a new index generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Rebuilt {
    pub issues: usize,
    pub articles: usize,
    pub passages: usize,
    pub seconds: f64,
    pub generation: String,
}

/// What the importer did with a raw text.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// `YYYY-NN` of the new issue.
    pub issue: String,
    /// The directory it was written to, removed again if the reindex that follows fails.
    pub dir: PathBuf,
    /// Things the editor should check (unplaced titles, …), with line numbers.
    pub warnings: Vec<String>,
}

/// An engine or importer failure, as a sentence for the admin (with file and line where the
/// corpus is at fault).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct BackendError(pub String);

/// Opening, rebuilding and extending the index: the engine's long-running operations.
/// All of them block; callers run them on a blocking thread.
pub trait Backend: Send + Sync {
    /// Open the index (rebuilding it when it is damaged), with what the admins should hear
    /// about (a corpus that did not parse and what is served instead).
    fn open(&self, paths: &Paths, progress: &mut dyn FnMut(&str)) -> Result<Opened, BackendError>;
    /// Build a new generation while the current one keeps serving.
    fn rebuild(
        &self,
        paths: &Paths,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Arc<dyn Library>, Rebuilt), BackendError>;
    /// Write a raw issue text into the corpus as a new issue (never replacing one). Nothing
    /// is written unless the whole issue parses.
    fn import(&self, paths: &Paths, raw: &[u8]) -> Result<Imported, BackendError>;
}
