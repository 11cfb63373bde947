//! The issue model: what the rest of the program knows about an issue of the magazine.
//!
//! `corpus::load` builds these values from `corpus/<issue>/`; the index, the search and
//! every renderer read them and never look at raw text again.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The name of the magazine, as printed in every source line.
pub(crate) const MAGAZINE: &str = "跨越";

/// Identity of one issue: which magazine, which year and number, when it was printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueMeta {
    /// Stable key, `YYYY-NN` (e.g. `2019-03`); also the directory name under `corpus/`.
    pub id: String,
    pub magazine: String,
    pub year: u16,
    pub number: u16,
    /// 总第N期, where printed.
    pub total: Option<u32>,
    /// Printing date, ISO `YYYY-MM-DD`.
    pub date: String,
}

impl IssueMeta {
    /// `2019年第3期`
    pub fn label(&self) -> String {
        format!("{}年第{}期", self.year, self.number)
    }

    /// `《跨越》2019年第3期`
    pub(crate) fn display(&self) -> String {
        format!("《{}》{}", self.magazine, self.label())
    }

    /// The key for an issue number of a year: `2019-03`.
    pub(crate) fn make_id(year: u16, number: u16) -> String {
        format!("{year:04}-{number:02}")
    }
}

/// Where an article stands in the printed issue.
///
/// Articles inside the magazine have a first and last page (from the table of contents: an
/// article runs to the page before the next one). Cover items (封二, 封三, 封四) have no page
/// number; they carry their cover name and `first == last == 0`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pages {
    pub first: u32,
    pub last: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
}

impl Pages {
    pub fn range(first: u32, last: u32) -> Self {
        Pages {
            first,
            last: last.max(first),
            cover: None,
        }
    }

    pub(crate) fn cover(name: &str) -> Self {
        Pages {
            first: 0,
            last: 0,
            cover: Some(name.to_string()),
        }
    }

    /// `[first, last]` as the JSON interfaces print it.
    pub fn pair(&self) -> [u32; 2] {
        [self.first, self.last]
    }
}

impl fmt::Display for Pages {
    /// `第4–9页`, `第1页` or the cover name (`封二`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cover {
            Some(c) => f.write_str(c),
            None if self.first == self.last => write!(f, "第{}页", self.first),
            None => write!(f, "第{}–{}页", self.first, self.last),
        }
    }
}

/// One unit of the issue: an article of the table of contents, or an item printed in the body
/// without a table-of-contents line (a notice, a cover caption).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// The title as the table of contents gives it (or as printed, for items not in it).
    pub title: String,
    /// The title as printed above the body, where it differs from `title`.
    pub body_title: Option<String>,
    /// 栏目 (卷首, 特稿, 重大部署, …).
    pub column: String,
    /// Source or author where printed: `转自《人民日报》`, `广州海关关长 谢松`.
    pub source: Option<String>,
    pub pages: Pages,
    pub in_toc: bool,
}

/// The unit a reader gets back: a clause, a numbered section or a paragraph of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// Index of the article in `Issue::articles`.
    pub article: usize,
    /// 1-based position of the passage within its article.
    pub seq: u32,
    /// The clause or section label this passage belongs to, e.g. `（十六）永葆清正廉洁的政治本色`
    /// or `一、开展政治引领行动`; `None` for articles without numbering.
    pub clause: Option<String>,
    /// The enclosing higher-level heading, where the clause sits inside a numbered part
    /// (`五、净化政治生态` for clause （十六）).
    pub section: Option<String>,
    /// The repaired text: paragraphs joined by `\n`, page breaks mended, noise removed.
    pub text: String,
    /// First and last raw line (1-based) the passage was cut from, for editors.
    pub lines: [usize; 2],
}

/// One issue of the magazine, parsed and cleaned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub meta: IssueMeta,
    /// In reading (page) order.
    pub articles: Vec<Article>,
    /// All passages of the issue in reading order.
    pub passages: Vec<Passage>,
}

impl Issue {
    pub(crate) fn article_of(&self, passage: &Passage) -> &Article {
        &self.articles[passage.article]
    }

    /// Articles grouped by column as the printed table of contents groups them: columns in
    /// order of first appearance, articles in page order within each.
    pub(crate) fn articles_by_column(&self) -> Vec<(&str, Vec<&Article>)> {
        let mut groups: Vec<(&str, Vec<&Article>)> = Vec::new();
        for a in &self.articles {
            match groups.iter_mut().find(|(c, _)| *c == a.column) {
                Some((_, list)) => list.push(a),
                None => groups.push((&a.column, vec![a])),
            }
        }
        groups
    }
}

/// Every issue under `CORPUS_DIR`, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Corpus {
    pub issues: Vec<Issue>,
}

impl Corpus {
    pub fn issue(&self, id: &str) -> Option<&Issue> {
        self.issues.iter().find(|i| i.meta.id == id)
    }

    /// The newest issue (by year and number).
    pub fn latest(&self) -> Option<&Issue> {
        self.issues
            .iter()
            .max_by_key(|i| (i.meta.year, i.meta.number))
    }

    pub(crate) fn passage_count(&self) -> usize {
        self.issues.iter().map(|i| i.passages.len()).sum()
    }

    pub(crate) fn article_count(&self) -> usize {
        self.issues.iter().map(|i| i.articles.len()).sum()
    }
}
