//! Reading a raw issue's front matter: its identity (year, number, 总第N期, date) and its
//! table of contents (`[page]title/author` paragraphs grouped under column headers).

use super::text::{char_len, ends_sentence};

/// One table-of-contents entry as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TocEntry {
    /// Raw line (1-based) of the entry's first line.
    pub line: usize,
    pub column: String,
    /// Page number, or `None` for cover items.
    pub page: Option<u32>,
    pub cover: Option<String>,
    /// The first line of the title.
    pub title: String,
    /// Lines after the first that carry no author: either the title wrapping onto them or a
    /// subtitle; the body decides which.
    pub more: Vec<String>,
    pub author: Option<String>,
    /// Last raw line of the entry.
    pub last_line: usize,
}

/// The table of contents and the lines it spans.
#[derive(Debug, Clone)]
pub(crate) struct Toc {
    pub entries: Vec<TocEntry>,
    pub first_line: usize,
    pub last_line: usize,
}

/// A paragraph of the front matter: consecutive non-blank lines.
struct Para {
    first: usize,
    lines: Vec<String>,
}

fn paragraphs(lines: &[&str]) -> Vec<Para> {
    let mut out: Vec<Para> = Vec::new();
    let mut prev_blank = true;
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim();
        if t.is_empty() {
            prev_blank = true;
            continue;
        }
        if prev_blank || entry_head(t).is_some() {
            out.push(Para {
                first: i + 1,
                lines: Vec::new(),
            });
        }
        if let Some(p) = out.last_mut() {
            p.lines.push(t.to_string());
        }
        prev_blank = false;
    }
    out
}

/// `[13]title` → (13, "title"); `封二：title` → cover.
fn entry_head(line: &str) -> Option<(Option<u32>, Option<String>, &str)> {
    if let Some(rest) = line.strip_prefix(['[', '［']) {
        let close = rest.find([']', '］'])?;
        let digits: String = rest[..close]
            .trim()
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10).unwrap_or(c),
                c => c,
            })
            .collect();
        let page: u32 = digits.parse().ok()?;
        let after = &rest[close..];
        let after = after.strip_prefix([']', '］']).unwrap_or(after);
        return Some((Some(page), None, after.trim()));
    }
    for cover in ["封一", "封二", "封三", "封四"] {
        if let Some(rest) = line.strip_prefix(cover) {
            let rest = rest.strip_prefix(['：', ':'])?;
            return Some((None, Some(cover.to_string()), rest.trim()));
        }
    }
    None
}

/// `党建质量 【工作动态】` → `党建质量·工作动态`; `【文摘】` → `文摘`.
pub(crate) fn column_name(header: &str) -> String {
    let parts: Vec<String> = header
        .split(['【', '】'])
        .map(|p| p.split_whitespace().collect::<String>())
        .filter(|p| !p.is_empty())
        .collect();
    parts.join("·")
}

/// Find the table of contents: the largest cluster of entry paragraphs, with the column
/// headers between them.
pub(crate) fn parse_toc(lines: &[&str]) -> Option<Toc> {
    let paras = paragraphs(lines);
    let is_entry: Vec<bool> = paras
        .iter()
        .map(|p| entry_head(&p.lines[0]).is_some())
        .collect();
    // Clusters of entries with at most three column headers between two entries.
    let mut best: Option<(usize, usize, usize)> = None; // (first para, last para, entries)
    let mut i = 0;
    while i < paras.len() {
        if !is_entry[i] {
            i += 1;
            continue;
        }
        let (first, mut last, mut count, mut gap) = (i, i, 1, 0);
        let mut j = i + 1;
        while j < paras.len() && gap <= 2 {
            if is_entry[j] {
                last = j;
                count += 1;
                gap = 0;
            } else if is_header(&paras[j]) {
                gap += 1;
            } else {
                break;
            }
            j += 1;
        }
        if best.is_none_or(|b| count > b.2) {
            best = Some((first, last, count));
        }
        i = last + 1;
    }
    let (first, last, count) = best?;
    if count < 3 {
        return None;
    }
    // The column header right before the first entry belongs to the table.
    let first = if first > 0 && is_header(&paras[first - 1]) {
        first - 1
    } else {
        first
    };
    let mut entries = Vec::new();
    let mut column = String::new();
    for p in &paras[first..=last] {
        let Some((page, cover, head)) = entry_head(&p.lines[0]) else {
            column = column_name(&p.lines.join(" "));
            continue;
        };
        let (mut title, mut author) = split_author(head);
        let mut more: Vec<String> = Vec::new();
        for l in &p.lines[1..] {
            if author.is_some() {
                break;
            }
            if let Some(a) = l.strip_prefix('/') {
                author = Some(a.trim().to_string());
            } else if let Some((t, a)) = l.split_once('/') {
                // The title wrapped over all the lines up to the author.
                for m in more.drain(..) {
                    title.push_str(&m);
                }
                title.push_str(t.trim());
                author = Some(a.trim().to_string());
            } else {
                more.push(l.clone());
            }
        }
        if title.is_empty() {
            if let Some(first_more) = (!more.is_empty()).then(|| more.remove(0)) {
                title = first_more;
            }
        }
        entries.push(TocEntry {
            line: p.first,
            column: if cover.is_some() {
                cover.clone().unwrap_or_default()
            } else {
                column.clone()
            },
            page,
            cover,
            title,
            more,
            author,
            last_line: p.first + p.lines.len() - 1,
        });
    }
    Some(Toc {
        first_line: paras[first].first,
        last_line: entries.last().map(|e| e.last_line)?,
        entries,
    })
}

/// A column header: one or two short lines (`基层风采` / `【支部建设】`).
fn is_header(p: &Para) -> bool {
    p.lines.len() <= 2
        && entry_head(&p.lines[0]).is_none()
        && p.lines
            .iter()
            .all(|l| char_len(l) <= 20 && !ends_sentence(l))
}

fn split_author(head: &str) -> (String, Option<String>) {
    match head.split_once('/') {
        Some((t, a)) => (t.trim().to_string(), Some(a.trim().to_string())),
        None => (head.trim().to_string(), None),
    }
}

/// The identity as printed in the masthead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Identity {
    pub year: u16,
    pub number: u16,
    pub total: Option<u32>,
    pub date: Option<String>,
}

/// Digits at the start of `s`, and the rest.
fn leading_number(s: &str) -> Option<(u32, &str)> {
    let end = s
        .char_indices()
        .find(|(_, c)| !c.is_ascii_digit())
        .map(|(i, _)| i)
        .unwrap_or(s.len());
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// Read year, number, 总第N期 and the printing date from masthead lines.
pub(crate) fn parse_identity(lines: &[&str]) -> Option<Identity> {
    let text: String = lines
        .iter()
        .map(|l| l.split_whitespace().collect::<String>())
        .collect::<Vec<_>>()
        .join("\n");
    let mut year_number = None;
    let mut total = None;
    let mut date = None;
    let flat = text.replace('\n', "");
    let chars: Vec<(usize, char)> = flat.char_indices().collect();
    for &(i, c) in &chars {
        if !c.is_ascii_digit() || (i > 0 && flat[..i].ends_with(|p: char| p.is_ascii_digit())) {
            continue;
        }
        let Some((n, rest)) = leading_number(&flat[i..]) else {
            continue;
        };
        if flat[..i].ends_with("总第") && rest.starts_with('期') && total.is_none() {
            total = Some(n);
        } else if let Some(rest) = rest.strip_prefix('年') {
            if let Some(r) = rest.strip_prefix('第') {
                if let Some((num, r2)) = leading_number(r) {
                    let plausible = (1900..2200).contains(&n) && (1..=99).contains(&num);
                    if r2.starts_with('期') && year_number.is_none() && plausible {
                        year_number = Some((n as u16, num as u16));
                    }
                }
            } else if let Some((m, r)) = leading_number(rest) {
                if let Some(r) = r.strip_prefix('月') {
                    if let Some((d, r)) = leading_number(r) {
                        if r.starts_with('日')
                            && date.is_none()
                            && (1..=12).contains(&m)
                            && (1..=31).contains(&d)
                        {
                            date = Some(format!("{n:04}-{m:02}-{d:02}"));
                        }
                    }
                }
            }
        }
    }
    let (year, number) = year_number?;
    Some(Identity {
        year,
        number,
        total,
        date,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns() {
        assert_eq!(column_name("党建质量 【工作动态】"), "党建质量·工作动态");
        assert_eq!(column_name("【实践聚焦】"), "实践聚焦");
        assert_eq!(column_name("大事记"), "大事记");
    }

    #[test]
    fn identity() {
        let lines = [
            "跨越",
            "",
            "2019年",
            "第3期",
            "(总第244期)",
            "2019年3月1日编印",
        ];
        let id = parse_identity(&lines).unwrap();
        assert_eq!(
            id,
            Identity {
                year: 2019,
                number: 3,
                total: Some(244),
                date: Some("2019-03-01".into())
            }
        );
    }

    #[test]
    fn entries() {
        let raw = "卷首\n\n[1]把党的政治建设摆在首位\n\n特稿\n\n[4]中共中央关于加强党的政治建设的意见\n\n【工作动态】\n\n[33]省直机关工委组织召开省直单位党组织书记\n抓基层党建工作述职评议会/工委基层组织建设指导部\n\n[15]扎实推进\n/局长 吴紫骊\n\n封二：省直机关\n抓基层";
        let lines: Vec<&str> = raw.split('\n').collect();
        let toc = parse_toc(&lines).unwrap();
        assert_eq!(toc.first_line, 1);
        assert_eq!(toc.entries.len(), 5);
        let e = &toc.entries[2];
        assert_eq!(
            e.title,
            "省直机关工委组织召开省直单位党组织书记抓基层党建工作述职评议会"
        );
        assert_eq!(e.author.as_deref(), Some("工委基层组织建设指导部"));
        assert_eq!(e.column, "工作动态");
        assert_eq!(toc.entries[3].author.as_deref(), Some("局长 吴紫骊"));
        assert_eq!(toc.entries[4].cover.as_deref(), Some("封二"));
        assert_eq!(toc.entries[4].more, vec!["抓基层".to_string()]);
    }
}
