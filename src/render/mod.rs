//! Renderers: an `Answer` as plain text (CLI), JSON (tools, eval) or Telegram HTML (bot).
//!
//! They all name a passage the same way, with [`source_line`]:
//! `《跨越》2019年第3期 · 第4–9页 · 中共中央关于加强党的政治建设的意见 · （十六）永葆清正廉洁的政治本色`.

pub mod html;
pub mod json;
pub mod text;

use crate::corpus::{Article, IssueMeta, Passage, MAGAZINE};
use crate::search::Hit;

/// Separator between the parts of a source line.
pub const SEP: &str = " · ";

/// The source line of a hit: magazine and issue, pages, article title, clause label.
pub fn source_line(hit: &Hit) -> String {
    let issue = format!("《{MAGAZINE}》{}", hit.issue_label);
    join(
        &issue,
        &hit.pages.to_string(),
        &hit.article,
        hit.clause.as_deref(),
    )
}

/// The same line from the corpus values themselves.
pub fn source_line_of(meta: &IssueMeta, article: &Article, passage: &Passage) -> String {
    join(
        &meta.display(),
        &article.pages.to_string(),
        &article.title,
        passage.clause.as_deref(),
    )
}

fn join(issue: &str, pages: &str, title: &str, clause: Option<&str>) -> String {
    let mut s = format!("{issue}{SEP}{pages}{SEP}{title}");
    if let Some(c) = clause.filter(|c| !c.trim().is_empty()) {
        s.push_str(SEP);
        s.push_str(c.trim());
    }
    s
}
