//! An issue's table of contents, in the three forms it is shown: plain text for `kuayue toc`
//! (the editors' view: every item, marked when the printed contents leave it out, with its
//! byline), Telegram HTML for `/toc` (the readers' view: what the printed contents list) and
//! JSON for `kuayue toc --json` (the shape lives with the other JSON, in [`super::json`]).
//!
//! All three start from [`Toc`], so the heading (`《跨越》2019年第3期（总第244期） 2019-03-01`)
//! and the grouping by column are worked out once.

use super::html::escape;
use crate::corpus::{Article, Issue, IssueMeta};

/// One issue's contents: its heading and its articles grouped by column, in print order.
pub(crate) struct Toc<'a> {
    pub meta: &'a IssueMeta,
    pub columns: Vec<(&'a str, Vec<&'a Article>)>,
    /// Every article in print order, for the JSON (which is not grouped).
    pub articles: &'a [Article],
}

impl<'a> Toc<'a> {
    pub(crate) fn of(issue: &'a Issue) -> Toc<'a> {
        Toc {
            meta: &issue.meta,
            columns: issue.articles_by_column(),
            articles: &issue.articles,
        }
    }

    /// `（总第244期）`, or nothing when the issue does not give its total number.
    fn total(&self) -> String {
        self.meta
            .total
            .map(|t| format!("（总第{t}期）"))
            .unwrap_or_default()
    }

    /// The editors' view: every item, those outside the printed contents marked.
    pub(crate) fn text(&self) -> String {
        let total = self.meta.total.map(|t| t.to_string());
        let mut s = format!(
            "{}（总第{}期，{}）\n",
            self.meta.display(),
            total.as_deref().unwrap_or("?"),
            self.meta.date
        );
        for (column, articles) in &self.columns {
            s.push_str(&format!("\n【{column}】\n"));
            for a in articles {
                let mark = if a.in_toc { "" } else { "（目录外）" };
                let source = a
                    .source
                    .as_deref()
                    .map(|x| format!(" —— {x}"))
                    .unwrap_or_default();
                s.push_str(&format!("  {}  {}{}{}\n", a.pages, a.title, mark, source));
            }
        }
        s
    }

    /// The readers' view as self-contained HTML lines (so that a long contents splits into
    /// messages between lines): what the printed contents list, under bold column names.
    pub(crate) fn html(&self) -> String {
        let mut out = format!("<b>{}</b>{}", escape(&self.meta.display()), self.total());
        out.push_str(&format!(" {}\n", escape(&self.meta.date)));
        for (column, articles) in &self.columns {
            let listed: Vec<_> = articles.iter().filter(|a| a.in_toc).collect();
            if listed.is_empty() {
                continue;
            }
            out.push_str(&format!("\n<b>{}</b>\n", escape(column)));
            for a in listed {
                out.push_str(&format!("• {} · {}\n", escape(&a.title), a.pages));
            }
        }
        out
    }
}
