//! Snippets and best sentences, cut on character boundaries of the original passage text.
//!
//! Matching runs on folded text; a [`Folded`] map brings every range back to the original, so
//! a Traditional-folded or full-width passage is shown as printed, with the right words marked.

use super::rank::Occurrence;
use super::Marked;
use crate::index::Folded;
use std::ops::Range;

/// Longest snippet, in characters (a Telegram reply shows three of them comfortably).
pub(crate) const SNIPPET_CHARS: usize = 120;
const ELLIPSIS: &str = "…";

/// Maps folded offsets of one passage to offsets of its original text.
pub(crate) struct Source<'a> {
    pub orig: &'a str,
    pub folded: Option<&'a Folded>,
}

impl Source<'_> {
    fn map(&self, folded_offset: usize) -> usize {
        let o = match self.folded {
            Some(f) => f.orig(folded_offset),
            None => folded_offset,
        };
        floor_boundary(self.orig, o.min(self.orig.len()))
    }

    /// The original text of a folded range, trimmed of surrounding whitespace, with the
    /// occurrences inside it marked.
    pub(crate) fn marked(&self, range: Range<usize>, occ: &[Occurrence]) -> Marked {
        let (mut a, mut b) = (self.map(range.start), self.map(range.end));
        if b < a {
            b = a;
        }
        let raw = &self.orig[a..b];
        let lead = raw.len() - raw.trim_start().len();
        let trail = raw.len() - raw.trim_end().len();
        a += lead;
        b = (b - trail).max(a);
        let mut marks: Vec<Range<usize>> = Vec::new();
        for o in occ {
            if o.range.start < range.start || o.range.end > range.end {
                continue;
            }
            let (s, e) = (self.map(o.range.start), self.map(o.range.end));
            if s < a || e > b || s >= e {
                continue;
            }
            let r = (s - a)..(e - a);
            match marks.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => marks.push(r),
            }
        }
        Marked {
            text: self.orig[a..b].to_string(),
            marks,
        }
    }
}

/// The snippet: the best sentence, widened by its neighbours (the next one first, as answers
/// often follow the sentence that matches) up to [`SNIPPET_CHARS`]; a best sentence longer
/// than that is cut to a window around its first match.
pub(crate) fn snippet(
    src: &Source<'_>,
    folded_text: &str,
    sentences: &[Range<usize>],
    best: usize,
    occ: &[Occurrence],
) -> Marked {
    let Some(first) = sentences.get(best) else {
        return Marked::default();
    };
    let chars = |r: &Range<usize>| folded_text[r.clone()].chars().count();
    let mut range = first.clone();
    let mut n = chars(&range);
    if n > SNIPPET_CHARS {
        let anchor = occ
            .iter()
            .find(|o| o.range.start >= range.start && o.range.end <= range.end)
            .map(|o| o.range.start)
            .unwrap_or(range.start);
        // Start a little before the first match, on a char boundary.
        let mut start = anchor;
        let mut back = 0;
        while start > range.start && back < 20 {
            start = floor_boundary(folded_text, start - 1);
            back += 1;
        }
        let end = folded_text[start..range.end]
            .char_indices()
            .nth(SNIPPET_CHARS)
            .map(|(i, _)| start + i)
            .unwrap_or(range.end);
        let mut m = src.marked(start..end, occ);
        if start > 0 {
            shift(&mut m, ELLIPSIS);
        }
        if end < folded_text.len() {
            m.text.push_str(ELLIPSIS);
        }
        return m;
    }
    let (mut lo, mut hi) = (best, best);
    loop {
        let mut grew = false;
        if hi + 1 < sentences.len() && n + chars(&sentences[hi + 1]) <= SNIPPET_CHARS {
            hi += 1;
            n += chars(&sentences[hi]);
            grew = true;
        }
        if lo > 0 && n + chars(&sentences[lo - 1]) <= SNIPPET_CHARS {
            lo -= 1;
            n += chars(&sentences[lo]);
            grew = true;
        }
        if !grew {
            break;
        }
    }
    range.start = sentences[lo].start;
    range.end = sentences[hi].end;
    let mut m = src.marked(range.clone(), occ);
    if range.start > 0 {
        shift(&mut m, ELLIPSIS);
    }
    if range.end < folded_text.len() && !folded_text[range.end..].trim().is_empty() {
        m.text.push_str(ELLIPSIS);
    }
    m
}

fn shift(m: &mut Marked, prefix: &str) {
    m.text.insert_str(0, prefix);
    for r in &mut m.marks {
        *r = (r.start + prefix.len())..(r.end + prefix.len());
    }
}

/// The largest char boundary ≤ `i`.
pub(crate) fn floor_boundary(s: &str, mut i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
