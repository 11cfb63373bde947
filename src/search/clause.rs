//! Clause numbers: `第十六条`, `第16条`, `（十六）` in a question; `（十六）永葆…`, `一、…` in labels.
//!
//! Documents such as the 意见 number their clauses `（一）…（二十）` inside parts `一、…六、`;
//! readers cite a clause as 第十六条, 第16条 or （十六）, and a part as 第五部分. Questions and
//! labels are folded first; full-width and ASCII brackets are both accepted.

use crate::corpus::numeral::{
    chinese_numeral, heading_label, ordinal_label, paren_label, Label, LabelKind,
};

/// Which numbering a reference or label uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClauseKind {
    /// `(十六)` — a clause.
    Paren,
    /// `五、` — a part or a numbered section.
    Part,
}

impl From<LabelKind> for ClauseKind {
    fn from(kind: LabelKind) -> ClauseKind {
        match kind {
            LabelKind::Clause => ClauseKind::Paren,
            LabelKind::Part => ClauseKind::Part,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClauseRef {
    pub kind: ClauseKind,
    pub number: u32,
}

impl ClauseRef {
    /// How the reference is printed: `（十六）` for a clause, `第五部分` for a part.
    pub fn label(&self) -> String {
        let n = chinese_numeral(self.number);
        match self.kind {
            ClauseKind::Paren => format!("（{n}）"),
            ClauseKind::Part => format!("第{n}部分"),
        }
    }

    fn of(label: &Label) -> ClauseRef {
        ClauseRef {
            kind: label.kind.into(),
            number: label.number,
        }
    }
}

/// The clause a (folded) question refers to, if it names one.
#[cfg(test)]
pub(crate) fn find_ref(q: &str) -> Option<ClauseRef> {
    find_ref_span(q).map(|(r, _)| r)
}

/// The clause reference and the byte span of its words (`第16条`, `(三)`) in the question:
/// the first `第N条` / `第N项` / `第N款` / `第N部分`, or `(N)` with nothing but the numeral in
/// the brackets.
pub(crate) fn find_ref_span(q: &str) -> Option<(ClauseRef, std::ops::Range<usize>)> {
    q.char_indices().find_map(|(i, c)| {
        let label = match c {
            '第' => ordinal_label(&q[i..]),
            '(' | '（' => paren_label(&q[i..]).filter(Label::is_tight),
            _ => None,
        }?;
        Some((ClauseRef::of(&label), i..i + label.len))
    })
}

/// The number of a (folded) clause or section label: `(十六)永葆…` → Paren 16, `五、净化…` → Part 5.
pub(crate) fn label_ref(label: &str) -> Option<ClauseRef> {
    heading_label(label.trim_start()).map(|l| ClauseRef::of(&l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let p = |n| {
            Some(ClauseRef {
                kind: ClauseKind::Paren,
                number: n,
            })
        };
        assert_eq!(find_ref("意见第十六条"), p(16));
        assert_eq!(find_ref("第16条讲什么"), p(16));
        assert_eq!(find_ref("意见(三)坚决站稳政治立场"), p(3));
        assert_eq!(find_ref("意见（三）坚决站稳政治立场"), p(3));
        assert_eq!(find_ref("《意见》第十四条讲什么"), p(14));
        assert_eq!(
            find_ref("第五部分"),
            Some(ClauseRef {
                kind: ClauseKind::Part,
                number: 5
            })
        );
        assert_eq!(find_ref("第一次会议"), None);
        assert_eq!(find_ref_span("意见第16条").map(|x| x.1), Some(6..14));
        assert_eq!(find_ref("()"), None);
        // In a question the brackets hold the numeral alone; the first reference counts.
        assert_eq!(find_ref("意见( 三 )讲什么"), None);
        assert_eq!(find_ref_span("第一次(三)").map(|x| x.1), Some(9..14));
        assert_eq!(find_ref("(16)和第三条"), p(16));
    }

    #[test]
    fn labels() {
        assert_eq!(
            label_ref("(十六)永葆清正廉洁的政治本色").map(|r| r.number),
            Some(16)
        );
        assert_eq!(
            label_ref("五、净化政治生态"),
            Some(ClauseRef {
                kind: ClauseKind::Part,
                number: 5
            })
        );
        assert_eq!(label_ref("一是围绕"), None);
        // Labels are read as leniently as they may be printed.
        assert_eq!(label_ref("  ( 三 )坚持").map(|r| r.number), Some(3));
        assert_eq!(
            label_ref("16、数字"),
            Some(ClauseRef {
                kind: ClauseKind::Part,
                number: 16
            })
        );
        assert_eq!(label_ref("(一是)三、"), None);
    }
}
