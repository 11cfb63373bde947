//! From cleaned blocks to passages: the units a reader gets back.
//!
//! A passage is a clause or section when it is short enough to read at once, otherwise its
//! paragraphs; an article without headings is cut into paragraphs. Every passage remembers its
//! clause label and the enclosing section, so that a hit always names where it stands.

use super::clean::{Block, BlockKind};
use super::model::Passage;
use super::text::char_len;

/// A section shorter than this stays one passage.
const SECTION_MAX: usize = 600;
/// A paragraph shorter than this is merged with the one after it.
const PARAGRAPH_MIN: usize = 60;

pub fn split(article: usize, blocks: &[Block]) -> Vec<Passage> {
    let mut out: Vec<Passage> = Vec::new();
    let mut part: Option<String> = None;
    let mut clause: Option<String> = None;
    let mut pending_heading_line: Option<usize> = None;
    let mut section: Vec<&Block> = Vec::new();

    let flush = |out: &mut Vec<Passage>,
                 section: &mut Vec<&Block>,
                 part: &Option<String>,
                 clause: &Option<String>,
                 heading_line: &mut Option<usize>| {
        if section.is_empty() {
            return;
        }
        let (label, parent) = match clause {
            Some(c) => (Some(c.clone()), part.clone()),
            None => (part.clone(), None),
        };
        for group in group_paragraphs(section) {
            let first = heading_line.take().unwrap_or(group[0].lines[0]);
            let text: Vec<&str> = group.iter().map(|b| b.text.as_str()).collect();
            out.push(Passage {
                article,
                seq: out.len() as u32 + 1,
                clause: label.clone(),
                section: parent.clone(),
                text: text.join("\n"),
                lines: [first, group[group.len() - 1].lines[1]],
            });
        }
        section.clear();
    };

    for b in blocks {
        match b.kind {
            BlockKind::Heading(level) => {
                flush(
                    &mut out,
                    &mut section,
                    &part,
                    &clause,
                    &mut pending_heading_line,
                );
                if level == 1 {
                    part = Some(b.text.clone());
                    clause = None;
                } else {
                    clause = Some(b.text.clone());
                }
                pending_heading_line.get_or_insert(b.lines[0]);
            }
            BlockKind::Deck | BlockKind::Paragraph => section.push(b),
        }
    }
    flush(
        &mut out,
        &mut section,
        &part,
        &clause,
        &mut pending_heading_line,
    );
    out
}

/// One group for a short section; otherwise paragraphs, short ones merged forward.
fn group_paragraphs<'a>(section: &[&'a Block]) -> Vec<Vec<&'a Block>> {
    let total: usize = section.iter().map(|b| char_len(&b.text)).sum();
    if total <= SECTION_MAX {
        return vec![section.to_vec()];
    }
    let mut groups: Vec<Vec<&Block>> = Vec::new();
    let mut current: Vec<&Block> = Vec::new();
    let mut len = 0;
    for b in section {
        current.push(b);
        len += char_len(&b.text);
        if len >= PARAGRAPH_MIN {
            groups.push(std::mem::take(&mut current));
            len = 0;
        }
    }
    if !current.is_empty() {
        match groups.last_mut() {
            Some(last) => last.extend(current),
            None => groups.push(current),
        }
    }
    groups
}
