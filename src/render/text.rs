//! Plain text for the terminal: each hit with its source line, the passage with the matched
//! words marked, and the best-answering sentence pointed out.
//!
//! Marks are 【…】 in plain output and bold when the output is a terminal, so that piped output
//! stays plain text.

use super::{suggestion_line, understood_line, SourceLine, HEDGE};
use crate::search::{Answer, Hit, Marked};
use std::ops::Range;

/// How matched words are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    /// 【word】
    Brackets,
    /// ANSI bold (for terminals).
    Bold,
}

/// Apply `marks` to a text.
pub(crate) fn marked(m: &Marked, style: Style) -> String {
    mark(&m.text, &m.marks, style)
}

fn mark(text: &str, marks: &[Range<usize>], style: Style) -> String {
    let (open, close) = match style {
        Style::Brackets => ("【", "】"),
        Style::Bold => ("\x1b[1m", "\x1b[0m"),
    };
    let mut out = String::with_capacity(text.len() + marks.len() * 8);
    let mut at = 0;
    for r in marks {
        let (Some(before), Some(word)) = (text.get(at..r.start), text.get(r.start..r.end)) else {
            continue;
        };
        out.push_str(before);
        out.push_str(open);
        out.push_str(word);
        out.push_str(close);
        at = r.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

/// The whole answer as text: the notice or direct answer, the hedge line when it is hedged,
/// the passages, a suggestion, and how the question was read.
pub(crate) fn answer(a: &Answer, style: Style) -> String {
    let mut out = String::new();
    if let Some(n) = &a.notice {
        out.push_str(n);
        out.push('\n');
    }
    if a.not_found() {
        if a.notice.is_none() {
            out.push_str(&format!(
                "没有找到与“{}”相关的内容。\n可以换用杂志里的关键词提问，用引号 \"…\" 查找原文短语，或用 kuayue toc 查看目录。\n",
                a.question.trim()
            ));
        }
    } else {
        if let Some(f) = &a.fact {
            out.push_str(f);
            out.push_str("\n\n");
        } else if a.hedged() {
            out.push_str(HEDGE);
            out.push_str("\n\n");
        }
        for h in &a.hits {
            out.push_str(&format!("{}. {}\n", h.rank, SourceLine::of_hit(h)));
            let best = marked(&h.best_sentence, style);
            if !best.is_empty() {
                out.push_str(&format!("   ▶ {best}\n"));
            }
            for line in mark(&h.text, &whole_marks(h), style)
                .lines()
                .filter(|l| !l.trim().is_empty())
            {
                out.push_str("   ");
                out.push_str(line);
                out.push('\n');
            }
            out.push('\n');
        }
    }
    if let Some(s) = suggestion_line(a) {
        out.push_str(&s);
        out.push('\n');
    }
    let read = understood_line(&a.understood);
    if !read.is_empty() {
        out.push_str(&format!("（{read}）\n"));
    }
    out
}

/// Marks for the whole passage: every place where a word marked in the snippet or the best
/// sentence occurs.
fn whole_marks(h: &Hit) -> Vec<Range<usize>> {
    let mut words: Vec<&str> = h
        .snippet
        .marks
        .iter()
        .filter_map(|r| h.snippet.text.get(r.clone()))
        .chain(
            h.best_sentence
                .marks
                .iter()
                .filter_map(|r| h.best_sentence.text.get(r.clone())),
        )
        .collect();
    words.sort_unstable();
    words.dedup();
    let mut ranges: Vec<Range<usize>> = Vec::new();
    for w in words.iter().filter(|w| !w.is_empty()) {
        ranges.extend(h.text.match_indices(*w).map(|(i, _)| i..i + w.len()));
    }
    ranges.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_on_char_boundaries() {
        let m = Marked {
            text: "坚决做到两个维护".to_string(),
            marks: std::iter::once(12..24).collect(),
        };
        assert_eq!(marked(&m, Style::Brackets), "坚决做到【两个维护】");
    }
}
