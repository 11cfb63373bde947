//! Character-level helpers shared by the cleaner and the importer: what counts as sentence
//! end, heading numbering, end marks, attributions, and how two titles are compared.

use super::numeral::{paren_label, part_label, Label, SIMPLE_NUMERALS};

/// Characters that may end a paragraph (a closing quote or bracket after them is allowed).
const TERMINALS: &[char] = &['。', '！', '？', '；', '…', '!', '?', ';', '：', ':'];
const CLOSERS: &[char] = &['”', '’', '」', '』', '）', ')', '】', '》', '"'];

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

pub(crate) fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// True when `line` ends a sentence (`。`, `！`, … possibly followed by closing quotes).
pub(crate) fn ends_sentence(line: &str) -> bool {
    let trimmed = line.trim_end().trim_end_matches(CLOSERS);
    trimmed.ends_with(TERMINALS)
}

/// True when the line holds a sentence end before its last character: running text, not a
/// heading.
pub(crate) fn has_inner_sentence_end(line: &str) -> bool {
    let t = line.trim_end();
    let body = t.strip_suffix(|c: char| !c.is_whitespace()).unwrap_or(t);
    body.contains(['。', '！', '？'])
}

/// Text up to the first punctuation mark: the first clause of a line.
pub(crate) fn first_clause(line: &str) -> &str {
    let end = line
        .char_indices()
        .find(|(_, c)| is_punct(*c))
        .map(|(i, _)| i)
        .unwrap_or(line.len());
    &line[..end]
}

pub(crate) fn is_punct(c: char) -> bool {
    !(c.is_alphanumeric() || c.is_whitespace()) || matches!(c, '○' | '●')
}

/// `一、` style part heading, numbered as the magazine prints its headings (一 to 十, at most
/// three characters); returns the numeral. `16、` and `一百零五、` are labels too, but in the
/// magazine's text they number list items, not headings.
pub(crate) fn part_number(line: &str) -> Option<&str> {
    part_label(line)
        .filter(Label::is_heading_numeral)
        .map(|l| l.numeral)
}

/// `（十六）` / `(十六)` style clause heading, numbered as the magazine prints its headings;
/// returns the numeral and the rest of the line.
pub(crate) fn clause_number(line: &str) -> Option<(&str, &str)> {
    paren_label(line)
        .filter(Label::is_heading_numeral)
        .map(|l| (l.numeral, line[l.len..].trim()))
}

/// `○ heading` style sub-heading.
pub(crate) fn is_circle_heading(line: &str) -> bool {
    line.starts_with('○')
}

/// A paragraph that opens an enumeration (一是…, 第一步…, 首先…): running text, never a heading.
pub(crate) fn opens_list_item(line: &str) -> bool {
    let mut chars = line.chars();
    let first = chars.next();
    let second = chars.next();
    match (first, second) {
        (Some(a), Some('是')) if SIMPLE_NUMERALS.contains(a) => true,
        (Some('第'), Some(b)) if SIMPLE_NUMERALS.contains(b) => line
            .chars()
            .nth(2)
            .is_some_and(|c| matches!(c, '步' | '是' | '点')),
        _ => ["首先", "其次", "再次", "最后", "此外", "另外", "同时"]
            .iter()
            .any(|p| line.starts_with(p)),
    }
}

/// A line wholly inside parentheses, such as `（转自《人民日报》）` or `(工委党建督查室)`.
pub(crate) fn parenthesized(line: &str) -> Option<&str> {
    let t = line.trim();
    let inner = t
        .strip_prefix('（')
        .or_else(|| t.strip_prefix('('))?
        .strip_suffix('）')
        .or_else(|| {
            t.strip_prefix('（')
                .or_else(|| t.strip_prefix('('))
                .and_then(|x| x.strip_suffix(')'))
        })?;
    (!inner.contains(['（', '(', '）', ')'])).then_some(inner)
}

/// A parenthesized date line, `(2019年1月31日)`, printed under a title: part of the deck.
pub(crate) fn is_date_line(inner: &str) -> bool {
    let t = inner.trim();
    t.contains('年')
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '年' | '月' | '日' | ' '))
}

/// An attribution line: the source or author of an article, printed in parentheses.
pub(crate) fn attribution(line: &str) -> Option<&str> {
    let inner = parenthesized(line)?;
    (char_len(inner) <= 60 && !is_date_line(inner)).then_some(inner)
}

/// End marks printed after an article's last sentence: superscript page numbers (`²⁵`) or the
/// bold page number of the extraction (`**25**`). A mark counts only after a sentence end and
/// with nothing but an attribution after it, so that `3000m²` stays text. Returns the byte
/// range of the mark.
pub(crate) fn find_end_mark(line: &str) -> Option<std::ops::Range<usize>> {
    let r = find_mark(line)?;
    let after = line[r.end..].trim();
    (ends_sentence(line[..r.start].trim_end())
        && (after.is_empty() || attribution(after).is_some()))
    .then_some(r)
}

fn find_mark(line: &str) -> Option<std::ops::Range<usize>> {
    let sup = |c: char| "⁰¹²³⁴⁵⁶⁷⁸⁹".contains(c);
    if let Some(start) = line.find(sup) {
        let end = line[start..]
            .char_indices()
            .find(|(_, c)| !sup(*c))
            .map(|(i, _)| start + i)
            .unwrap_or(line.len());
        return Some(start..end);
    }
    let mut from = 0;
    while let Some(pos) = line[from..].find("**") {
        let start = from + pos;
        let digits = &line[start + 2..];
        let n = digits.chars().take_while(|c| c.is_ascii_digit()).count();
        if (1..=3).contains(&n) && digits[n..].starts_with("**") {
            return Some(start..start + 2 + n + 2);
        }
        from = start + 2;
    }
    None
}

/// A title-comparison key: no whitespace, no punctuation, quotes folded away.
pub(crate) fn title_key(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !is_punct(*c))
        .collect()
}

/// Similarity of two titles in [0, 1]: Dice coefficient over character bigrams of their keys.
pub(crate) fn title_similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (title_key(a), title_key(b));
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    if a == b {
        return 1.0;
    }
    let grams = |s: &str| {
        let cs: Vec<char> = s.chars().collect();
        if cs.len() < 2 {
            return vec![(cs[0], ' ')];
        }
        cs.windows(2).map(|w| (w[0], w[1])).collect::<Vec<_>>()
    };
    let ga = grams(&a);
    let mut gb = grams(&b);
    let total = ga.len() + gb.len();
    let mut common = 0;
    for g in &ga {
        if let Some(pos) = gb.iter().position(|x| x == g) {
            gb.swap_remove(pos);
            common += 1;
        }
    }
    2.0 * common as f64 / total as f64
}

/// A title printed with spaces between its words in the middle of a page
/// (`着力 打造 中国 特色 …`): many short space-separated pieces.
pub(crate) fn looks_spaced(line: &str) -> bool {
    let parts: Vec<&str> = line.split_whitespace().collect();
    parts.len() >= 4 && parts.iter().all(|p| char_len(&title_key(p)) <= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering() {
        assert_eq!(part_number("一、加强党的政治建设的总体要求"), Some("一"));
        assert_eq!(part_number("一是要切实提高"), None);
        assert_eq!(
            clause_number("（十六）永葆清正廉洁的政治本色"),
            Some(("十六", "永葆清正廉洁的政治本色"))
        );
        assert_eq!(
            clause_number("(一) 坚持用党的科学理论武装头脑"),
            Some(("一", "坚持用党的科学理论武装头脑"))
        );
        assert_eq!(clause_number("(2019年1月31日)"), None);
        assert_eq!(clause_number("（二十）加强"), Some(("二十", "加强")));
        assert_eq!(clause_number("(16)第十六项"), None);
        assert_eq!(clause_number("( 三 )坚持"), None);
        assert_eq!(part_number("16、数字编号"), None);
        assert_eq!(part_number("十六、"), Some("十六"));
        assert!(opens_list_item("二是健全完善工作机制"));
        assert!(opens_list_item("第一步，叫停。"));
        assert!(!opens_list_item("第三季度"));
    }

    #[test]
    fn end_marks_and_attributions() {
        let l = "参加会议。²⁵ （转自《南方日报》）";
        let r = find_end_mark(l).unwrap();
        assert_eq!(&l[r.clone()], "²⁵");
        assert_eq!(attribution(l[r.end..].trim()), Some("转自《南方日报》"));
        let l = "衷心祝大家健康！**26** (转自《秘书工作》)";
        assert_eq!(&l[find_end_mark(l).unwrap()], "**26**");
        assert_eq!(find_end_mark("**二、作品创新点**"), None);
        assert_eq!(attribution("(2019年1月31日)"), None);
        assert_eq!(
            attribution("(汪洪滨 陈国文 郭旺男)"),
            Some("汪洪滨 陈国文 郭旺男")
        );
    }

    #[test]
    fn sentences_and_titles() {
        assert!(ends_sentence("提供坚强政治保证。”"));
        assert!(!ends_sentence("要坚持用习近"));
        assert!(looks_spaced("着力 打造 中国 特色 社会 主义 新 海 关"));
        assert!(!looks_spaced("李希讲话 马兴瑞主持"));
        assert!(title_similarity("有压力？试试这五个妙招", "有压力？试试这五个小妙招") > 0.8);
        assert!(
            title_similarity(
                "省直机关第二届“感动随手拍”手机摄影作品选登",
                "省直机关第二届「感动随手拍」手机摄影作品选登"
            ) > 0.99
        );
    }
}
