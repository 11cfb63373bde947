//! Which issue a question is about: `2019年第3期`, `2019-03`, `本期`, `上一期`.
//!
//! A question that names an issue is answered from that issue only; one that names an issue the
//! corpus does not hold is told which issues are there rather than answered from another.

use crate::corpus::numeral::parse_numeral;
use crate::corpus::{Corpus, IssueMeta};
use std::ops::Range;

/// An issue named in a question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueRef {
    /// `2019年第3期`, `2019-03`: by year and number.
    Numbered { year: u16, number: u16 },
    /// 本期, 这期, 这一期, 最新一期: the newest issue.
    Latest,
    /// 上一期, 上期, 前一期: the one before the newest.
    Previous,
}

impl IssueRef {
    /// The issue id this reference resolves to in `corpus`, if the corpus holds it.
    pub(crate) fn resolve(&self, corpus: &Corpus) -> Option<String> {
        let mut ids: Vec<&IssueMeta> = corpus.issues.iter().map(|i| &i.meta).collect();
        ids.sort_by_key(|m| (m.year, m.number));
        match self {
            IssueRef::Numbered { year, number } => ids
                .iter()
                .find(|m| m.year == *year && m.number == *number)
                .map(|m| m.id.clone()),
            IssueRef::Latest => ids.last().map(|m| m.id.clone()),
            IssueRef::Previous => ids.iter().rev().nth(1).map(|m| m.id.clone()),
        }
    }

    /// How a reader would name it: `2019年第3期`, 本期, 上一期.
    pub fn label(&self) -> String {
        match self {
            IssueRef::Numbered { year, number } => format!("{year}年第{number}期"),
            IssueRef::Latest => "本期".to_string(),
            IssueRef::Previous => "上一期".to_string(),
        }
    }
}

const LATEST: &[&str] = &["最新一期", "这一期", "本期", "这期", "当期"];
const PREVIOUS: &[&str] = &["上一期", "前一期", "上期"];

/// The issue a folded question names, with the byte span of the words that name it.
pub(crate) fn find(q: &str) -> Option<(IssueRef, Range<usize>)> {
    if let Some(found) = numbered(q) {
        return Some(found);
    }
    for (words, r) in [(PREVIOUS, IssueRef::Previous), (LATEST, IssueRef::Latest)] {
        for w in words {
            if let Some(i) = q.find(w) {
                return Some((r, i..i + w.len()));
            }
        }
    }
    None
}

/// `2019年第3期`, `2019年3期`, `2019-03`, `2019年第三期`.
fn numbered(q: &str) -> Option<(IssueRef, Range<usize>)> {
    let chars: Vec<(usize, char)> = q.char_indices().collect();
    for k in 0..chars.len() {
        let digits: String = chars[k..]
            .iter()
            .take_while(|(_, c)| c.is_ascii_digit())
            .map(|(_, c)| *c)
            .collect();
        if digits.len() != 4 || (k > 0 && chars[k - 1].1.is_ascii_digit()) {
            continue;
        }
        let Ok(year) = digits.parse::<u16>() else {
            continue;
        };
        if !(1990..=2100).contains(&year) {
            continue;
        }
        let mut j = k + 4;
        let sep = chars.get(j).map(|c| c.1);
        if matches!(sep, Some('-' | '/' | '.')) {
            j += 1;
            let n: String = chars[j..]
                .iter()
                .take_while(|(_, c)| c.is_ascii_digit())
                .map(|(_, c)| *c)
                .collect();
            if (1..=2).contains(&n.len()) {
                let end = chars.get(j + n.len()).map(|c| c.0).unwrap_or(q.len());
                let number = n.parse().ok()?;
                return Some((IssueRef::Numbered { year, number }, chars[k].0..end));
            }
            continue;
        }
        if sep != Some('年') {
            continue;
        }
        j += 1;
        if chars.get(j).map(|c| c.1) == Some('第') {
            j += 1;
        }
        let start_n = j;
        while chars
            .get(j)
            .is_some_and(|c| c.1.is_ascii_digit() || "一二三四五六七八九十".contains(c.1))
        {
            j += 1;
        }
        if j == start_n || chars.get(j).map(|c| c.1) != Some('期') {
            continue;
        }
        let n: String = chars[start_n..j].iter().map(|c| c.1).collect();
        let number = parse_numeral(&n)? as u16;
        let end = chars.get(j + 1).map(|c| c.0).unwrap_or(q.len());
        return Some((IssueRef::Numbered { year, number }, chars[k].0..end));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issues_are_recognised() {
        let n = |y, n| Some(IssueRef::Numbered { year: y, number: n });
        let f = |q: &str| find(q).map(|(r, _)| r);
        assert_eq!(f("2019年第3期的卷首语"), n(2019, 3));
        assert_eq!(f("《跨越》2018年第6期有没有"), n(2018, 6));
        assert_eq!(f("2019年第三期"), n(2019, 3));
        assert_eq!(f("2019-03 卷首"), n(2019, 3));
        assert_eq!(f("本期有哪些文章"), Some(IssueRef::Latest));
        assert_eq!(f("上一期的特稿"), Some(IssueRef::Previous));
        assert_eq!(f("2019年工作部署"), None);
        assert_eq!(f("2018年12月的大事"), None);
    }

    #[test]
    fn the_span_covers_the_reference() {
        let q = "讲2019年第3期的卷首语";
        let (_, span) = find(q).expect("found");
        assert_eq!(&q[span], "2019年第3期");
    }
}
