//! The account of every character of a raw text: which passage, title or source it went
//! into, or which named kind of noise removed it. The "nothing is lost" test reads it.

use std::ops::Range;

/// Where a piece of raw text went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Kept in a passage's text.
    Passage,
    /// Kept as an article's printed title.
    Title,
    /// Kept as an article's source or author line.
    Source,
    /// Removed: the table of contents (kept as structure instead).
    Toc,
    /// Removed: masthead and imprint around the table of contents.
    Masthead,
    /// Removed: a column banner repeated at the top of pages.
    RunningHeader,
    /// Removed: the end-of-article page mark (`²⁵`, `**25**`).
    EndMark,
    /// Removed: a title printed spaced out inside the body (kept as the article's title).
    SpacedTitle,
    /// Removed: emphasis markup left by the extraction (`**`).
    Markup,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Passage => "passage",
            Kind::Title => "title",
            Kind::Source => "source",
            Kind::Toc => "toc",
            Kind::Masthead => "masthead",
            Kind::RunningHeader => "running_header",
            Kind::EndMark => "end_mark",
            Kind::SpacedTitle => "spaced_title",
            Kind::Markup => "markup",
        }
    }
}

/// A byte range of one raw line (1-based) and where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub line: usize,
    pub range: Range<usize>,
    pub kind: Kind,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    pub pieces: Vec<Piece>,
}

impl Ledger {
    pub(crate) fn add(&mut self, line: usize, range: Range<usize>, kind: Kind) {
        if !range.is_empty() {
            self.pieces.push(Piece { line, range, kind });
        }
    }

    /// Non-whitespace characters per kind, sorted by kind.
    pub fn counts(&self, raw_lines: &[&str]) -> Vec<(Kind, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for p in &self.pieces {
            let text = &raw_lines[p.line - 1][p.range.clone()];
            *counts.entry(p.kind).or_insert(0) +=
                text.chars().filter(|c| !c.is_whitespace()).count();
        }
        counts.into_iter().collect()
    }
}
