//! Renderers: an `Answer` as plain text (CLI), JSON (tools, eval) or Telegram HTML (bot).
//!
//! They all name a passage the same way, with [`source_line`]:
//! `《跨越》2019年第3期 · 第4–9页 · 中共中央关于加强党的政治建设的意见 · （十六）永葆清正廉洁的政治本色`,
//! and cite it for a reader's own documents the same way, with [`citation`].

pub mod cite;
pub mod html;
pub mod json;
pub mod text;

pub use cite::{citation, citation_of};

use crate::corpus::{Article, IssueMeta, Passage};
use crate::search::{Answer, Hit, Understood};

/// Separator between the parts of a source line.
pub const SEP: &str = " · ";

/// The source line of a hit: magazine and issue, pages, article title, clause label.
pub fn source_line(hit: &Hit) -> String {
    let issue = format!("《{}》{}", hit.magazine, hit.issue_label);
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

/// The line that opens a hedged answer (可能相关).
pub const HEDGE: &str = "没有找到完全对应的段落，以下内容可能相关：";

/// The line under every answer saying how the question was read, e.g.
/// `检索词：腹式呼吸 · 问：好处`; empty when nothing was read.
pub fn understood_line(u: &Understood) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(c) = &u.corrected {
        parts.push(format!("已按“{c}”查找"));
    }
    if !u.terms.is_empty() {
        parts.push(format!("检索词：{}", u.terms.join(" ")));
    }
    for p in &u.phrases {
        parts.push(format!("原文短语：“{p}”"));
    }
    if let Some(c) = &u.clause {
        parts.push(format!("条款：{c}"));
    }
    if let Some(a) = &u.asks {
        parts.push(format!("问：{a}"));
    }
    if let Some(i) = &u.issue {
        parts.push(format!("限于：{i}"));
    }
    parts.join(SEP)
}

/// 您是不是要找：保障
pub fn suggestion_line(a: &Answer) -> Option<String> {
    a.suggestion
        .as_deref()
        .map(|s| format!("您是不是要找：{s}"))
}
