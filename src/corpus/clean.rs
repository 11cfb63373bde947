//! Text repair: from the raw lines of one article to headings and whole paragraphs.
//!
//! The raw text comes from a PDF extraction: paragraphs broken at page and column ends
//! (`要坚持用习近` / `平新时代…`), page banners between them, end marks after the last
//! sentence, attributions, bylines. This module removes or sets aside each of those as a
//! named kind (recorded in the `Ledger`), mends broken paragraphs, and tells headings from
//! text. Structure decisions that need a human (where an article starts) come from
//! `issue.toml`; the rest is decided here, the same way for every issue.

use super::ledger::{Kind, Ledger};
use super::structure::ArticleEntry;
use super::text::*;
use std::collections::HashSet;
use std::ops::Range;

/// A piece of content of one raw line.
#[derive(Debug, Clone)]
struct Seg {
    line: usize,
    range: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BlockKind {
    /// Subtitles printed under the title (kept as the article's first paragraph).
    Deck,
    /// A heading; level 1 for parts (`一、`) and unnumbered headings, 2 for clauses (`（一）`),
    /// `○` sub-headings and questions (`●问：`).
    Heading(u8),
    Paragraph,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub kind: BlockKind,
    pub text: String,
    /// First and last raw line of the block.
    pub lines: [usize; 2],
}

/// Character pairs seen inside lines of the issue: evidence that a pair split over a line
/// break is one word broken by the layout (`过` / `程中`), not a heading followed by text.
pub(crate) struct Bigrams(HashSet<(char, char)>);

impl Bigrams {
    pub(crate) fn of(lines: &[&str]) -> Self {
        let mut set = HashSet::new();
        for l in lines {
            let cs: Vec<char> = l.chars().collect();
            for w in cs.windows(2) {
                if is_cjk(w[0]) && is_cjk(w[1]) {
                    set.insert((w[0], w[1]));
                }
            }
        }
        Bigrams(set)
    }

    fn spans_break(&self, before: &str, after: &str) -> bool {
        match (before.chars().next_back(), after.chars().next()) {
            (Some(a), Some(b)) if is_cjk(a) && is_cjk(b) => self.0.contains(&(a, b)),
            _ => false,
        }
    }
}

/// What the cleaner needs to know about the issue beyond one article's lines.
pub(crate) struct Context<'a> {
    pub raw: &'a [&'a str],
    pub running_headers: &'a [String],
    pub bigrams: &'a Bigrams,
}

/// The cleaned article: its blocks, and the source lines found in the body.
pub(crate) struct Cleaned {
    pub blocks: Vec<Block>,
    pub sources: Vec<String>,
}

/// Clean the raw lines `lines` (1-based, inclusive) of one article.
pub(crate) fn clean_article(
    ctx: &Context,
    entry: &ArticleEntry,
    lines: Range<usize>,
    ledger: &mut Ledger,
) -> Cleaned {
    let mut sources = Vec::new();
    let mut segs = Vec::new();
    for n in lines {
        let raw = ctx.raw[n - 1];
        let trimmed = trim_range(raw, 0..raw.len());
        if trimmed.is_empty() {
            continue;
        }
        let text = &raw[trimmed.clone()];
        if ctx.running_headers.iter().any(|h| h == text) {
            ledger.add(n, trimmed, Kind::RunningHeader);
        } else if entry.spaced_title == Some(n) {
            ledger.add(n, trimmed, Kind::SpacedTitle);
        } else if entry.title_printed && entry.start == Some(n) {
            ledger.add(n, trimmed, Kind::Title);
        } else {
            split_line(raw, n, trimmed, &mut segs, &mut sources, ledger);
        }
    }
    take_bylines(ctx.raw, entry, &mut segs, &mut sources, ledger);

    let mut blocks = Vec::new();
    let mut i = 0;
    if entry.title_printed {
        while i < segs.len() && i < 8 && is_deck(seg_text(ctx.raw, &segs[i])) {
            blocks.push(block(ctx.raw, BlockKind::Deck, &segs[i..=i]));
            i += 1;
        }
    }
    for s in &segs {
        ledger.add(s.line, s.range.clone(), Kind::Passage);
    }
    let mut start = i;
    while start < segs.len() {
        let text = seg_text(ctx.raw, &segs[start]);
        let next = segs.get(start + 1).map(|s| seg_text(ctx.raw, s));
        if let Some(level) = heading_level(text, next, ctx.bigrams) {
            // Consecutive unnumbered heading lines are one heading printed on two lines.
            let mut end = start + 1;
            while level == 1
                && part_number(text).is_none()
                && end < segs.len()
                && heading_level(
                    seg_text(ctx.raw, &segs[end]),
                    segs.get(end + 1).map(|s| seg_text(ctx.raw, s)),
                    ctx.bigrams,
                ) == Some(1)
                && part_number(seg_text(ctx.raw, &segs[end])).is_none()
            {
                end += 1;
            }
            blocks.push(block(ctx.raw, BlockKind::Heading(level), &segs[start..end]));
            start = end;
            continue;
        }
        // A paragraph: join lines while the previous one ends open and the next one is not a
        // heading of its own.
        let mut end = start + 1;
        while end < segs.len() {
            let prev = seg_text(ctx.raw, &segs[end - 1]);
            let cur = seg_text(ctx.raw, &segs[end]);
            if ends_sentence(prev) || numbered_heading(cur).is_some() {
                break;
            }
            end += 1;
        }
        blocks.push(block(ctx.raw, BlockKind::Paragraph, &segs[start..end]));
        start = end;
    }
    Cleaned { blocks, sources }
}

fn seg_text<'a>(raw: &'a [&'a str], s: &Seg) -> &'a str {
    &raw[s.line - 1][s.range.clone()]
}

fn trim_range(line: &str, r: Range<usize>) -> Range<usize> {
    let s = &line[r.clone()];
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// Split one content line into end marks, attributions, markup and text segments.
fn split_line(
    raw: &str,
    n: usize,
    r: Range<usize>,
    segs: &mut Vec<Seg>,
    sources: &mut Vec<String>,
    ledger: &mut Ledger,
) {
    let mut r = r;
    // `**二、作品创新点**`: emphasis left by the extraction.
    let t = &raw[r.clone()];
    if t.len() > 4 && t.starts_with("**") && t.ends_with("**") && find_end_mark(t).is_none() {
        ledger.add(n, r.start..r.start + 2, Kind::Markup);
        ledger.add(n, r.end - 2..r.end, Kind::Markup);
        r = trim_range(raw, r.start + 2..r.end - 2);
    }
    let t = &raw[r.clone()];
    if let Some(mark) = find_end_mark(t) {
        let mark = r.start + mark.start..r.start + mark.end;
        let before = trim_range(raw, r.start..mark.start);
        let after = trim_range(raw, mark.end..r.end);
        if !before.is_empty() {
            segs.push(Seg {
                line: n,
                range: before,
            });
        }
        ledger.add(n, mark, Kind::EndMark);
        if !after.is_empty() {
            if let Some(src) = attribution(&raw[after.clone()]) {
                sources.push(src.trim().to_string());
                ledger.add(n, after, Kind::Source);
            } else {
                segs.push(Seg {
                    line: n,
                    range: after,
                });
            }
        }
        return;
    }
    if let Some(src) = attribution(t) {
        sources.push(src.trim().to_string());
        ledger.add(n, r, Kind::Source);
        return;
    }
    // An author in parentheses after the last sentence: `…正常开展。 (程 鹏)`.
    if let Some(open) = t.rfind(['(', '（']) {
        let (text, tail) = (&t[..open], &t[open..]);
        let author = attribution(tail).filter(|a| char_len(a) <= 10);
        if let (true, Some(src)) = (ends_sentence(text.trim_end()), author) {
            sources.push(src.trim().to_string());
            ledger.add(n, r.start + open..r.end, Kind::Source);
            segs.push(Seg {
                line: n,
                range: trim_range(raw, r.start..r.start + open),
            });
            return;
        }
    }
    segs.push(Seg { line: n, range: r });
}

/// Byline lines: one or two consecutive lines that spell the author given by the table of
/// contents (`广州海关关长` / `谢松`).
fn take_bylines(
    raw: &[&str],
    entry: &ArticleEntry,
    segs: &mut Vec<Seg>,
    sources: &mut Vec<String>,
    ledger: &mut Ledger,
) {
    let Some(author) = entry.author.as_deref() else {
        return;
    };
    let key = title_key(author);
    if key.is_empty() {
        return;
    }
    let mut i = 0;
    while i < segs.len() {
        let first = title_key(seg_text(raw, &segs[i]));
        let two = segs
            .get(i + 1)
            .map(|s| first.clone() + &title_key(seg_text(raw, s)));
        let take = if first == key {
            1
        } else if two.as_deref() == Some(key.as_str()) && segs[i + 1].line == segs[i].line + 1 {
            2
        } else {
            i += 1;
            continue;
        };
        let text: Vec<&str> = segs[i..i + take].iter().map(|s| seg_text(raw, s)).collect();
        sources.push(text.join(" "));
        for s in segs.drain(i..i + take) {
            ledger.add(s.line, s.range, Kind::Source);
        }
    }
}

fn is_deck(text: &str) -> bool {
    let date = parenthesized(text).is_some_and(is_date_line);
    date || (char_len(text) <= 60
        && !ends_sentence(text)
        && !has_inner_sentence_end(text)
        && numbered_heading(text).is_none()
        && !opens_list_item(text))
}

/// Headings recognised by their numbering or bullet.
pub(crate) fn numbered_heading(text: &str) -> Option<u8> {
    let short = |t: &str| !has_inner_sentence_end(t) && (char_len(t) <= 40 || !ends_sentence(t));
    if part_number(text).is_some() && short(text) {
        Some(1)
    } else if ((clause_number(text).is_some() || is_circle_heading(text)) && short(text))
        || text.starts_with('●')
    {
        Some(2)
    } else {
        None
    }
}

/// Whether a line is a heading, given the line after it (a last line is never one).
fn heading_level(text: &str, next: Option<&str>, bigrams: &Bigrams) -> Option<u8> {
    numbered_heading(text).or_else(|| {
        next.filter(|n| is_plain_heading(text, n, bigrams))
            .map(|_| 1)
    })
}

/// An unnumbered heading: a short line that ends open, holds no sentence end, and is not the
/// first half of a broken paragraph.
fn is_plain_heading(text: &str, next: &str, bigrams: &Bigrams) -> bool {
    if text.ends_with('：') || text.ends_with(':') {
        return char_len(text) <= 16;
    }
    if ends_sentence(text) || has_inner_sentence_end(text) || opens_list_item(text) {
        return false;
    }
    if char_len(text) > 30 {
        return false;
    }
    if text.ends_with("——") {
        return true;
    }
    // A line ending on a comma or an opening bracket is a sentence cut by a page break.
    if text.ends_with(['，', '、', ',', '“', '（', '《']) {
        return false;
    }
    // Only a line as long as a typeset line can have been broken by the layout; a shorter
    // one that ends open is a heading.
    if char_len(text) < 20 {
        return true;
    }
    let clause = first_clause(next);
    let tiny_first_clause = char_len(clause) <= 3 && clause.len() < next.len();
    !tiny_first_clause && !bigrams.spans_break(text, next)
}

fn block(raw: &[&str], kind: BlockKind, segs: &[Seg]) -> Block {
    let mut text = String::new();
    for s in segs {
        let t = seg_text(raw, s);
        if !text.is_empty() {
            let joined_words = text
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric())
                && t.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
            if joined_words || matches!(kind, BlockKind::Heading(_)) {
                text.push(' ');
            }
        }
        text.push_str(t);
    }
    if kind == BlockKind::Heading(2) {
        text = normalize_clause_label(&text);
    }
    Block {
        kind,
        text,
        lines: [segs[0].line, segs[segs.len() - 1].line],
    }
}

/// `(一) 坚持…` → `（一）坚持…`: one spelling for every clause label, so that lookups and
/// source lines do not depend on how the extraction printed the brackets.
fn normalize_clause_label(text: &str) -> String {
    match clause_number(text) {
        Some((num, rest)) => format!("（{num}）{rest}"),
        None => text.to_string(),
    }
}
