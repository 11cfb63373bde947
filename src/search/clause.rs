//! Clause numbers: `第十六条`, `第16条`, `（十六）` in a question; `（十六）永葆…`, `一、…` in labels.
//!
//! Documents such as the 意见 number their clauses `（一）…（二十）` inside parts `一、…六、`;
//! readers cite a clause as 第十六条, 第16条 or （十六）, and a part as 第五部分. Questions and
//! labels are folded first; full-width and ASCII brackets are both accepted.

/// Which numbering a reference or label uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClauseKind {
    /// `(十六)` — a clause.
    Paren,
    /// `五、` — a part or a numbered section.
    Part,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClauseRef {
    pub kind: ClauseKind,
    pub number: u32,
}

impl ClauseRef {
    /// How the reference is printed: `（十六）` for a clause, `第五部分` for a part.
    pub fn label(&self) -> String {
        let n = chinese_number(self.number);
        match self.kind {
            ClauseKind::Paren => format!("（{n}）"),
            ClauseKind::Part => format!("第{n}部分"),
        }
    }
}

/// `16` → `十六`, `20` → `二十`, `105` → `一百零五` (up to 9999).
pub fn chinese_number(n: u32) -> String {
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

/// Value of a number written in Chinese numerals (up to the thousands) or ASCII digits.
pub fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() {
        return None;
    }
    if s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok().filter(|n| *n > 0);
    }
    let mut total = 0u32;
    let mut digit: Option<u32> = None;
    for c in s.chars() {
        let d = match c {
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
        };
        if let Some(d) = d {
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

fn is_numeral(c: char) -> bool {
    c.is_ascii_digit() || "零〇一二两三四五六七八九十百千".contains(c)
}

/// The clause a (folded) question refers to, if it names one.
pub fn find_ref(q: &str) -> Option<ClauseRef> {
    find_ref_span(q).map(|(r, _)| r)
}

/// The clause reference and the byte span of its words (`第16条`, `(三)`) in the question.
pub fn find_ref_span(q: &str) -> Option<(ClauseRef, std::ops::Range<usize>)> {
    let chars: Vec<(usize, char)> = q.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        // 第N条 / 第N项 / 第N款 / 第N部分
        if c == '第' {
            let start = i + c.len_utf8();
            let mut j = k + 1;
            while j < chars.len() && is_numeral(chars[j].1) {
                j += 1;
            }
            let end = chars.get(j).map(|x| x.0).unwrap_or(q.len());
            let Some(number) = parse_number(&q[start..end]) else {
                continue;
            };
            let rest = &q[end..];
            if rest.starts_with('条') || rest.starts_with('项') || rest.starts_with('款') {
                let r = ClauseRef {
                    kind: ClauseKind::Paren,
                    number,
                };
                return Some((r, i..end + '条'.len_utf8()));
            }
            if rest.starts_with("部分") {
                let r = ClauseRef {
                    kind: ClauseKind::Part,
                    number,
                };
                return Some((r, i..end + "部分".len()));
            }
        }
        // (N) or （N）
        if c == '(' || c == '（' {
            let start = i + c.len_utf8();
            let mut j = k + 1;
            while j < chars.len() && is_numeral(chars[j].1) {
                j += 1;
            }
            if j > k + 1 && matches!(chars.get(j).map(|x| x.1), Some(')' | '）')) {
                if let Some(number) = parse_number(&q[start..chars[j].0]) {
                    let r = ClauseRef {
                        kind: ClauseKind::Paren,
                        number,
                    };
                    return Some((r, i..chars[j].0 + chars[j].1.len_utf8()));
                }
            }
        }
    }
    None
}

/// The number of a (folded) clause or section label: `(十六)永葆…` → Paren 16, `五、净化…` → Part 5.
pub fn label_ref(label: &str) -> Option<ClauseRef> {
    let l = label.trim_start();
    if let Some(rest) = l.strip_prefix('(').or_else(|| l.strip_prefix('（')) {
        let end = rest.find([')', '）'])?;
        let number = parse_number(rest[..end].trim())?;
        return Some(ClauseRef {
            kind: ClauseKind::Paren,
            number,
        });
    }
    let end = l.find('、')?;
    let head = &l[..end];
    if head.chars().count() > 4 || !head.chars().all(is_numeral) {
        return None;
    }
    Some(ClauseRef {
        kind: ClauseKind::Part,
        number: parse_number(head)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers_round_trip() {
        for n in [1, 9, 10, 11, 16, 20, 21, 99, 100, 101, 110, 999, 1005, 2019] {
            assert_eq!(parse_number(&chinese_number(n)), Some(n), "{n}");
        }
        assert_eq!(chinese_number(16), "十六");
        assert_eq!(chinese_number(105), "一百零五");
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("十六"), Some(16));
        assert_eq!(parse_number("二十"), Some(20));
        assert_eq!(parse_number("十"), Some(10));
        assert_eq!(parse_number("一百零五"), Some(105));
        assert_eq!(parse_number("16"), Some(16));
        assert_eq!(parse_number("条"), None);
    }

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
    }
}
