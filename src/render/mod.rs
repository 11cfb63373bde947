//! Renderers: an `Answer` as plain text (CLI), JSON (tools, eval) or Telegram HTML (bot).
//!
//! They all name a passage the same way, with a [`SourceLine`]:
//! `《跨越》2019年第3期 · 第4–9页 · 中共中央关于加强党的政治建设的意见 · （十六）永葆清正廉洁的政治本色`,
//! and cite it for a reader's own documents the same way, with [`citation`].

pub mod cite;
pub mod html;
pub mod json;
pub mod source;
pub mod text;
pub mod toc;

pub use cite::{citation, citation_of};
pub use source::SourceLine;

use crate::search::{Answer, Understood};

/// Separator between the parts of a source line.
pub(crate) const SEP: &str = " · ";

/// Text for a reader who writes Traditional characters: Hong Kong forms (OpenCC's s2hk,
/// 作為 rather than 作爲), since those are the readers who ask in Traditional. For display
/// only: what is quoted (a citation) stays as printed.
pub(crate) fn to_traditional(s: &str) -> String {
    hanconv::s2hk(s)
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
pub(crate) fn suggestion_line(a: &Answer) -> Option<String> {
    a.suggestion
        .as_deref()
        .map(|s| format!("您是不是要找：{s}"))
}
