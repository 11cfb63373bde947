//! Chinese numerals and the numbered labels written with them.
//!
//! The magazine numbers a document's parts `一、…六、` and its clauses `（一）…（二十）`;
//! readers cite them as `第十六条`, `第16条`, `（十六）` or `第五部分`. This module reads every
//! one of these forms; what each reader does with a label (the cleaner takes only those it
//! prints headings with, the search any) is up to it.

/// The numerals 一 to 十: the magazine writes every heading number and enumeration (`一、`,
/// `（十六）`, `一是`, `第一步`) with them.
pub(crate) const SIMPLE_NUMERALS: &str = "一二三四五六七八九十";

/// Longest numeral of a part label (`一百零五、`): a longer run before `、` is a list of
/// words, not a number.
const PART_NUMERAL_MAX_CHARS: usize = 4;

/// Longest numeral of a printed heading (`二十一`).
const HEADING_NUMERAL_MAX_CHARS: usize = 3;

/// A character of a numeral: an ASCII digit, or a Chinese numeral up to 千.
pub(crate) fn is_numeral_char(c: char) -> bool {
    c.is_ascii_digit() || "零〇一二两三四五六七八九十百千".contains(c)
}

/// Value of a numeral written in Chinese (up to the thousands: `十六`, `一百零五`, `两千`) or
/// in ASCII digits (`16`). Zero is no number.
pub(crate) fn parse_numeral(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok().filter(|n| *n > 0);
    }
    let mut total = 0u32;
    let mut digit: Option<u32> = None;
    for c in s.chars() {
        if let Some(d) = chinese_digit(c) {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            _ => return None,
        };
        total += digit.take().unwrap_or(1) * unit;
    }
    total += digit.unwrap_or(0);
    (total > 0).then_some(total)
}

fn chinese_digit(c: char) -> Option<u32> {
    match c {
        '零' | '〇' => Some(0),
        '一' => Some(1),
        '二' | '两' => Some(2),
        '三' => Some(3),
        '四' => Some(4),
        '五' => Some(5),
        '六' => Some(6),
        '七' => Some(7),
        '八' => Some(8),
        '九' => Some(9),
        _ => None,
    }
}

/// `16` → `十六`, `20` → `二十`, `105` → `一百零五` (up to 9999; other numbers in digits).
pub(crate) fn chinese_numeral(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n == 0 || n > 9999 {
        return n.to_string();
    }
    let parts = [(n / 1000, '千'), (n / 100 % 10, '百'), (n / 10 % 10, '十')];
    let mut out = String::new();
    let mut zero = false;
    for (d, unit) in parts {
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push('零');
            zero = false;
        }
        if !(d == 1 && unit == '十' && out.is_empty()) {
            out.push(DIGITS[d as usize]);
        }
        out.push(unit);
    }
    let ones = n % 10;
    if ones > 0 {
        if zero {
            out.push('零');
        }
        out.push(DIGITS[ones as usize]);
    }
    out
}

/// What a label numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LabelKind {
    /// `（十六）`, `第十六条`: a clause.
    Clause,
    /// `五、`, `第五部分`: a part or a numbered section.
    Part,
}

/// A numbered label at the start of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Label<'a> {
    pub kind: LabelKind,
    /// The numeral as printed: between the brackets (spaces included, `( 三 )` → ` 三 `),
    /// before `、`, or between `第` and the unit.
    pub numeral: &'a str,
    pub number: u32,
    /// Byte length of the label: brackets, `、` or unit included.
    pub len: usize,
}

impl<'a> Label<'a> {
    /// Whether the numeral fills the label with no space around it (`(三)`, not `( 三 )`).
    pub(crate) fn is_tight(&self) -> bool {
        self.numeral.chars().all(is_numeral_char)
    }

    /// Whether the numeral is one the magazine prints its headings with: 一 to 十, at most
    /// three characters (`十六`, `二十一`), no Arabic digits, no spaces.
    pub(crate) fn is_heading_numeral(&self) -> bool {
        let n = self.numeral.chars().count();
        (1..=HEADING_NUMERAL_MAX_CHARS).contains(&n)
            && self.numeral.chars().all(|c| SIMPLE_NUMERALS.contains(c))
    }
}

/// `（十六）`, `(十六)`, `(16)`, `( 三 )` at the start of `s` (either bracket style, on either
/// side): a clause label. The numeral runs to the first closing bracket.
pub(crate) fn paren_label(s: &str) -> Option<Label<'_>> {
    let open = s.chars().next().filter(|c| matches!(c, '(' | '（'))?;
    let rest = &s[open.len_utf8()..];
    let close = rest.find([')', '）'])?;
    let numeral = &rest[..close];
    let close_len = rest[close..].chars().next().map_or(0, char::len_utf8);
    Some(Label {
        kind: LabelKind::Clause,
        numeral,
        number: parse_numeral(numeral.trim())?,
        len: open.len_utf8() + close + close_len,
    })
}

/// `五、`, `十六、`, `16、` at the start of `s`: a part label (its numeral at most four
/// characters).
pub(crate) fn part_label(s: &str) -> Option<Label<'_>> {
    let end = s.find('、')?;
    let numeral = &s[..end];
    if numeral.chars().count() > PART_NUMERAL_MAX_CHARS || !numeral.chars().all(is_numeral_char) {
        return None;
    }
    Some(Label {
        kind: LabelKind::Part,
        numeral,
        number: parse_numeral(numeral)?,
        len: end + '、'.len_utf8(),
    })
}

/// `第十六条`, `第16项`, `第三款` (a clause) or `第五部分` (a part) at the start of `s`.
pub(crate) fn ordinal_label(s: &str) -> Option<Label<'_>> {
    let rest = s.strip_prefix('第')?;
    let end = rest
        .char_indices()
        .find(|&(_, c)| !is_numeral_char(c))
        .map_or(rest.len(), |(i, _)| i);
    let numeral = &rest[..end];
    let number = parse_numeral(numeral)?;
    let after = &rest[end..];
    let (kind, unit) = if let Some(u) = ["条", "项", "款"].iter().find(|u| after.starts_with(*u))
    {
        (LabelKind::Clause, *u)
    } else if after.starts_with("部分") {
        (LabelKind::Part, "部分")
    } else {
        return None;
    };
    Some(Label {
        kind,
        numeral,
        number,
        len: '第'.len_utf8() + end + unit.len(),
    })
}

/// The label a heading starts with: a clause in brackets, or else a part. A heading that
/// opens a bracket is a clause or nothing.
pub(crate) fn heading_label(s: &str) -> Option<Label<'_>> {
    if s.starts_with(['(', '（']) {
        paren_label(s)
    } else {
        part_label(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind_number(l: Option<Label>) -> Option<(LabelKind, u32)> {
        l.map(|l| (l.kind, l.number))
    }

    #[test]
    fn numerals() {
        assert_eq!(parse_numeral("九"), Some(9));
        assert_eq!(parse_numeral("十"), Some(10));
        assert_eq!(parse_numeral("十六"), Some(16));
        assert_eq!(parse_numeral("二十"), Some(20));
        assert_eq!(parse_numeral("二十一"), Some(21));
        assert_eq!(parse_numeral("一百零五"), Some(105));
        assert_eq!(parse_numeral("两千〇一十九"), Some(2019));
        assert_eq!(parse_numeral("16"), Some(16));
        assert_eq!(parse_numeral("0"), None);
        assert_eq!(parse_numeral("零"), None);
        assert_eq!(parse_numeral(""), None);
        assert_eq!(parse_numeral("条"), None);
        assert_eq!(parse_numeral("十a"), None);
    }

    #[test]
    fn chinese_numerals_round_trip() {
        for n in [1, 9, 10, 11, 16, 20, 21, 99, 100, 101, 110, 999, 1005, 2019] {
            assert_eq!(parse_numeral(&chinese_numeral(n)), Some(n), "{n}");
        }
        assert_eq!(chinese_numeral(16), "十六");
        assert_eq!(chinese_numeral(105), "一百零五");
        assert_eq!(chinese_numeral(0), "0");
    }

    #[test]
    fn clause_labels_in_brackets() {
        let clause = |n| Some((LabelKind::Clause, n));
        for (s, n) in [
            ("（十六）永葆清正廉洁的政治本色", 16),
            ("(十六)永葆清正廉洁的政治本色", 16),
            ("（一)坚持", 1),
            ("(一）坚持", 1),
            ("(二十)", 20),
            ("(16)", 16),
            ("（一百零五）", 105),
            ("(两)", 2),
        ] {
            assert_eq!(kind_number(paren_label(s)), clause(n), "{s}");
        }
        let l = paren_label("（十六）永葆").expect("label");
        assert_eq!((l.numeral, l.len), ("十六", "（十六）".len()));
        assert!(l.is_tight() && l.is_heading_numeral());
        // Spaces inside the brackets: a label, but not as tight as a heading prints it.
        let spaced = paren_label("( 三 )坚持").expect("label");
        assert_eq!((spaced.number, spaced.len), (3, "( 三 )".len()));
        assert!(!spaced.is_tight() && !spaced.is_heading_numeral());
        let digits = paren_label("(16)").expect("label");
        assert!(digits.is_tight() && !digits.is_heading_numeral());
        for s in [
            "(2019年1月31日)",
            "()",
            "（十六",
            "十六）",
            "(三a)",
            "（转自《人民日报》）",
        ] {
            assert_eq!(paren_label(s), None, "{s}");
        }
    }

    #[test]
    fn part_labels() {
        let part = |n| Some((LabelKind::Part, n));
        assert_eq!(kind_number(part_label("一、加强党的政治建设")), part(1));
        assert_eq!(kind_number(part_label("五、净化政治生态")), part(5));
        assert_eq!(kind_number(part_label("十六、")), part(16));
        assert_eq!(kind_number(part_label("16、")), part(16));
        assert_eq!(kind_number(part_label("一百零五、")), part(105));
        let l = part_label("二十一、总则").expect("label");
        assert_eq!((l.numeral, l.len), ("二十一", "二十一、".len()));
        assert!(l.is_heading_numeral());
        assert!(!part_label("二十二十、").is_some_and(|l| l.is_heading_numeral()));
        assert!(!part_label("16、").is_some_and(|l| l.is_heading_numeral()));
        for s in [
            "一是要切实提高",
            "一千零一十、",
            "加强、改进",
            "、",
            "第一、",
        ] {
            assert_eq!(part_label(s), None, "{s}");
        }
    }

    #[test]
    fn ordinal_labels() {
        let clause = |n| Some((LabelKind::Clause, n));
        assert_eq!(kind_number(ordinal_label("第十六条讲什么")), clause(16));
        assert_eq!(kind_number(ordinal_label("第16条")), clause(16));
        assert_eq!(kind_number(ordinal_label("第三项")), clause(3));
        assert_eq!(kind_number(ordinal_label("第三款")), clause(3));
        assert_eq!(
            kind_number(ordinal_label("第五部分")),
            Some((LabelKind::Part, 5))
        );
        let l = ordinal_label("第16条讲什么").expect("label");
        assert_eq!((l.numeral, l.len), ("16", "第16条".len()));
        assert_eq!(
            ordinal_label("第五部分内容").map(|l| l.len),
            Some("第五部分".len())
        );
        for s in ["第一次会议", "第条", "第三", "十六条", "第三季度"] {
            assert_eq!(ordinal_label(s), None, "{s}");
        }
    }

    #[test]
    fn heading_labels() {
        assert_eq!(
            kind_number(heading_label("(十六)永葆")),
            Some((LabelKind::Clause, 16))
        );
        assert_eq!(
            kind_number(heading_label("五、净化")),
            Some((LabelKind::Part, 5))
        );
        // A bracket that holds no number is no label, even with `、` after it.
        assert_eq!(heading_label("(一是)三、"), None);
        assert_eq!(heading_label("一是围绕"), None);
    }
}
