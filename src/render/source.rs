//! Where a passage stands, in the one form every output uses (the CLI, the bot, `dump`, the
//! JSON): `《跨越》2019年第3期 · 第4–9页 · 标题 · （十六）条款`.
//!
//! It is a type rather than a `format!` at each place so that the parts stay together: a
//! renderer that wants the title alone, or the pages alone, takes them from here instead of
//! re-deriving them from the corpus.

use super::SEP;
use crate::corpus::{Article, IssueMeta, Pages, Passage};
use crate::search::Hit;
use std::fmt;

/// Magazine and issue, pages, article title and (when the passage has one) clause label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceLine {
    /// `《跨越》2019年第3期`
    pub issue: String,
    pub pages: Pages,
    pub title: String,
    /// `（十六）永葆清正廉洁的政治本色`; `None` for a passage outside numbered clauses.
    pub clause: Option<String>,
}

impl SourceLine {
    /// The source of a search hit.
    pub fn of_hit(hit: &Hit) -> SourceLine {
        SourceLine::new(
            format!("《{}》{}", hit.magazine, hit.issue_label),
            &hit.pages,
            &hit.article,
            hit.clause.as_deref(),
        )
    }

    /// The source of a passage, from the corpus values themselves.
    pub(crate) fn of_passage(meta: &IssueMeta, article: &Article, passage: &Passage) -> SourceLine {
        SourceLine::new(
            meta.display(),
            &article.pages,
            &article.title,
            passage.clause.as_deref(),
        )
    }

    fn new(issue: String, pages: &Pages, title: &str, clause: Option<&str>) -> SourceLine {
        SourceLine {
            issue,
            pages: pages.clone(),
            title: title.to_string(),
            clause: clause
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string),
        }
    }
}

impl fmt::Display for SourceLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{SEP}{}{SEP}{}", self.issue, self.pages, self.title)?;
        if let Some(c) = &self.clause {
            write!(f, "{SEP}{c}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(clause: Option<&str>) -> SourceLine {
        SourceLine::new(
            "《跨越》2019年第3期".into(),
            &Pages {
                first: 4,
                last: 9,
                cover: None,
            },
            "中共中央关于加强党的政治建设的意见",
            clause,
        )
    }

    #[test]
    fn the_clause_is_the_last_part_when_there_is_one() {
        assert_eq!(
            line(Some(" （十六）永葆清正廉洁的政治本色 ")).to_string(),
            "《跨越》2019年第3期 · 第4–9页 · 中共中央关于加强党的政治建设的意见 · （十六）永葆清正廉洁的政治本色"
        );
        assert_eq!(
            line(Some("  ")).to_string(),
            "《跨越》2019年第3期 · 第4–9页 · 中共中央关于加强党的政治建设的意见"
        );
        assert_eq!(line(None), line(Some("")));
    }
}
