//! The index: how passages become a tantivy index generation on disk, and how text is analysed.
//!
//! - [`fold`]: the normal form (Traditional → Simplified, full-width → ASCII, lower case).
//! - [`analyzer`]: one shared jieba dictionary that turns folded text into terms.
//! - [`tokenizer`]: the same analyzer as a tantivy tokenizer.
//! - [`schema`]: the fields of a passage document.
//! - [`generation`]: fingerprints, generation directories and the pointer file that makes a
//!   rebuild an atomic swap.
//! - [`build`]: writes a generation from a corpus.
//! - [`verify`]: the manifest of a generation's files, checked on open; the index is then
//!   served from memory, so damage on disk cannot reach a running engine's index.
//! - [`texts`]: the passage texts, on disk, read (and checked) when a search needs them.

pub mod analyzer;
pub mod build;
pub mod fold;
pub mod generation;
pub mod schema;
pub mod texts;
pub mod tokenizer;
pub mod verify;

pub use analyzer::{Analyzer, Term};
pub use fold::{fold, fold_str, Folded};
