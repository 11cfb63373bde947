//! `issue.toml`: the reviewed structure of one issue's raw text.
//!
//! This is the file an editor reads and corrects by hand. It says who the issue is, which
//! raw lines are front matter (masthead, table of contents), which repeated lines are running
//! headers, and where each article starts. Everything finer (paragraph repair, headings,
//! passages) is derived from it by `clean` and `passages`, so the file stays short.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Structure {
    pub issue: IssueSection,
    pub front: Front,
    #[serde(default, rename = "article")]
    pub articles: Vec<ArticleEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueSection {
    pub magazine: String,
    pub year: u16,
    pub number: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u32>,
    /// `YYYY-MM-DD`
    pub date: String,
    /// Last printed page; the last article of the table of contents runs to it.
    pub last_page: u32,
}

/// The front matter block: masthead and imprint around the table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Front {
    /// First and last raw line (1-based, inclusive) of the whole block.
    pub lines: [usize; 2],
    /// First and last raw line of the table of contents inside it.
    pub toc: [usize; 2],
    /// Lines printed at the top of pages (column banners) that are not part of any text.
    #[serde(default)]
    pub running_headers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArticleEntry {
    /// Title as the table of contents gives it (as printed, for items not in it).
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_title: Option<String>,
    pub column: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// `[first, last]`; absent for cover items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<[u32; 2]>,
    /// `封二`, `封三`, `封四` for cover items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cover: Option<String>,
    pub in_toc: bool,
    /// First raw line of the item in the body (its printed title, or its first paragraph when
    /// no title is printed). Absent when the item has no text in the raw file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    /// The beginning of that line, checked on load so that a shifted line number is caught.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
    /// Whether line `start` is the printed title (false: the body starts with text).
    #[serde(default)]
    pub title_printed: bool,
    /// A line where the title is printed spaced out inside the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spaced_title: Option<usize>,
}

impl Structure {
    pub fn parse(text: &str) -> Result<Structure, toml::de::Error> {
        toml::from_str(text)
    }

    /// The file as the importer writes it: a header comment, then the data.
    ///
    /// A structure that cannot be serialised is an error, never a file: an `issue.toml`
    /// holding only a comment would load as an issue without articles.
    pub fn to_toml(&self) -> Result<String, toml::ser::Error> {
        let body = toml::to_string(self)?;
        Ok(format!(
            "# Reviewed structure of raw.txt (《{}》{}年第{}期). raw.txt is never edited;\n\
             # correct this file instead. Line numbers are 1-based lines of raw.txt.\n\n{}",
            self.issue.magazine, self.issue.year, self.issue.number, body
        ))
    }
}

/// How many characters of a line are kept as its anchor.
pub(crate) const ANCHOR_CHARS: usize = 12;

pub(crate) fn anchor_of(line: &str) -> String {
    line.trim().chars().take(ANCHOR_CHARS).collect()
}
