//! What votes and misses record about an answer: the passages it showed and its confidence
//! level, in the stable forms the database keeps.

use crate::search::{Hit, Level};
use serde::{Deserialize, Serialize};

/// A passage as it was shown to a reader: where it stands, enough to find it again after the
/// corpus changed (`issue`, `article`, `seq`) and to cite it (`pages`, `clause`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shown {
    /// `2019-03`
    pub issue: String,
    /// The article's table-of-contents title.
    pub article: String,
    /// The passage's 1-based position within its article.
    pub seq: u32,
    /// The article's first and last page (`[0, 0]` for cover items).
    pub pages: [u32; 2],
    pub clause: Option<String>,
}

impl From<&Hit> for Shown {
    fn from(h: &Hit) -> Shown {
        Shown {
            issue: h.issue.clone(),
            article: h.article.clone(),
            seq: h.seq,
            pages: h.pages.pair(),
            clause: h.clause.clone(),
        }
    }
}

/// The stored code of a confidence level (stable): `confident`, `hedged`, `not_found`; also
/// what `kuayue misses --json` prints.
pub fn level_code(level: Level) -> &'static str {
    match level {
        Level::Confident => "confident",
        Level::Hedged => "hedged",
        Level::NotFound => "not_found",
    }
}

pub(crate) fn level_from_code(code: &str) -> Level {
    match code {
        "confident" => Level::Confident,
        "hedged" => Level::Hedged,
        _ => Level::NotFound,
    }
}
