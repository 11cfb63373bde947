//! Kuayue Bot: answers readers' questions about issues of 《跨越》, the party-building magazine
//! of the Guangdong provincial organs, from a local full-text index.
//!
//! Data flows one way:
//!
//! ```text
//! corpus/<issue>/ (raw.txt + issue.toml)
//!    │ corpus::load_dir  → Corpus { issues[ Issue { meta, articles, passages } ] }
//!    ▼
//! index               → tantivy index generation under DATA_DIR (jieba tokens, T→S folded)
//!    ▼
//! search::Engine      → Answer { hits[ Hit { passage, source, snippet, best_sentence } ] }
//!    ▼
//! render              → plain text (CLI) · Telegram HTML (bot) · JSON (tools, eval)
//!    ▲
//! bot (teloxide)      ← messages, commands, buttons, inline queries
//! store (SQLite)      ← subscribers, notices owed, button state, votes, misses
//! ```
//!
//! One search path serves the CLI, the bot and the tests; the bot adds only Telegram concerns.

pub mod backup;
pub mod bot;
pub mod cli;
pub mod clock;
pub mod config;
pub mod corpus;
pub mod index;
pub mod render;
pub mod search;
pub mod store;
