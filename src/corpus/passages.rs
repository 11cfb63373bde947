//! From cleaned blocks to passages: the units a reader gets back.
//!
//! A passage is a clause or section when it is short enough to read at once, otherwise its
//! paragraphs; an article without headings is cut into paragraphs. Every passage remembers its
//! clause label and the enclosing section, so that a hit always names where it stands. The
//! headings themselves print above the first passage of their section: a reader sees them,
//! and a question that quotes a sub-heading finds the passage under it.

use super::clean::{Block, BlockKind};
use super::model::Passage;
use super::text::char_len;

/// A section shorter than this stays one passage.
const SECTION_MAX: usize = 600;
/// A paragraph shorter than this is merged with the one after it.
const PARAGRAPH_MIN: usize = 60;

pub(crate) fn split(article: usize, blocks: &[Block]) -> Vec<Passage> {
    let mut b = Builder {
        article,
        out: Vec::new(),
        part: None,
        clause: None,
        headings: Vec::new(),
        heading_line: None,
    };
    let mut section: Vec<&Block> = Vec::new();
    for block in blocks {
        match block.kind {
            BlockKind::Heading(level) => {
                b.flush(&mut section);
                if level == 1 {
                    b.part = Some(block.text.clone());
                    b.clause = None;
                } else {
                    b.clause = Some(block.text.clone());
                }
                b.heading_line.get_or_insert(block.lines[0]);
                b.headings.push(block.text.clone());
            }
            BlockKind::Deck | BlockKind::Paragraph => section.push(block),
        }
    }
    b.flush(&mut section);
    // Headings with no text after them (an article ending on a question or a heading) are
    // still text of the article.
    if !b.headings.is_empty() {
        let first = b.heading_line.take().unwrap_or(0);
        let last = blocks.last().map(|x| x.lines[1]).unwrap_or(first);
        let (label, parent) = match &b.clause {
            Some(c) => (Some(c.clone()), b.part.clone()),
            None => (b.part.clone(), None),
        };
        b.out.push(Passage {
            article,
            seq: b.out.len() as u32 + 1,
            clause: label,
            section: parent,
            text: b.headings.join("\n"),
            lines: [first, last],
        });
    }
    b.out
}

struct Builder {
    article: usize,
    out: Vec<Passage>,
    /// The current level-1 heading (part, or unnumbered heading).
    part: Option<String>,
    /// The current level-2 heading (clause, ○ heading, question).
    clause: Option<String>,
    /// Headings not yet printed above a passage, and the line of the first of them.
    headings: Vec<String>,
    heading_line: Option<usize>,
}

impl Builder {
    fn flush(&mut self, section: &mut Vec<&Block>) {
        if section.is_empty() {
            return;
        }
        let (label, parent) = match &self.clause {
            Some(c) => (Some(c.clone()), self.part.clone()),
            None => (self.part.clone(), None),
        };
        for group in group_paragraphs(section) {
            let first = self.heading_line.take().unwrap_or(group[0].lines[0]);
            let mut text: Vec<&str> = self.headings.iter().map(String::as_str).collect();
            text.extend(group.iter().map(|b| b.text.as_str()));
            let text = text.join("\n");
            self.headings.clear();
            self.out.push(Passage {
                article: self.article,
                seq: self.out.len() as u32 + 1,
                clause: label.clone(),
                section: parent.clone(),
                text,
                lines: [first, group[group.len() - 1].lines[1]],
            });
        }
        section.clear();
    }
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
