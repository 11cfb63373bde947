//! Telegram HTML: escaping, matched words in bold, and the 4096-character budget.
//!
//! Telegram's HTML parse mode understands a handful of tags and the entities `&lt; &gt; &amp;
//! &quot;`. Every piece of corpus or user text goes through [`escape`]; tags come only from
//! this module. Telegram counts the limit of 4096 on the text *after* entity parsing, in UTF-16
//! code units; [`visible_len`] measures that, so a reply is checked against what Telegram
//! checks. [`to_plain`] turns our HTML back into plain text for `kuayue chat`.

use crate::search::Marked;
use std::ops::Range;

/// Telegram's limit on a message's text.
pub(crate) const MAX_MESSAGE: usize = 4096;

/// Escape text for Telegram HTML.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Text with its marked ranges in bold. Ranges that are out of bounds or not on character
/// boundaries are ignored rather than trusted.
pub(crate) fn marked(m: &Marked) -> String {
    let mut out = String::with_capacity(m.text.len() + 16 * m.marks.len());
    let mut at = 0;
    for r in &m.marks {
        if r.start < at
            || r.end > m.text.len()
            || r.start >= r.end
            || !m.text.is_char_boundary(r.start)
            || !m.text.is_char_boundary(r.end)
        {
            continue;
        }
        out.push_str(&escape(&m.text[at..r.start]));
        out.push_str("<b>");
        out.push_str(&escape(&m.text[r.start..r.end]));
        out.push_str("</b>");
        at = r.end;
    }
    out.push_str(&escape(&m.text[at..]));
    out
}

/// Like [`marked`], with the byte range `underline` (the best sentence) underlined. Each
/// stretch of text gets its own tags, so bold and underline nest correctly however the ranges
/// overlap.
pub(crate) fn marked_underlined(m: &Marked, underline: Range<usize>) -> String {
    let text = &m.text;
    let valid = |r: &Range<usize>| {
        r.start < r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end)
    };
    if !valid(&underline) {
        return marked(m);
    }
    let bold: Vec<&Range<usize>> = m.marks.iter().filter(|r| valid(r)).collect();
    let mut cuts: Vec<usize> = vec![0, text.len(), underline.start, underline.end];
    for r in &bold {
        cuts.push(r.start);
        cuts.push(r.end);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::with_capacity(text.len() + 32);
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let piece = escape(&text[a..b]);
        let is_bold = bold.iter().any(|r| r.start <= a && b <= r.end);
        let is_under = underline.start <= a && b <= underline.end;
        match (is_under, is_bold) {
            (true, true) => out.push_str(&format!("<u><b>{piece}</b></u>")),
            (true, false) => out.push_str(&format!("<u>{piece}</u>")),
            (false, true) => out.push_str(&format!("<b>{piece}</b>")),
            (false, false) => out.push_str(&piece),
        }
    }
    // Adjacent underlined stretches read better (and are shorter) as one.
    out.replace("</u><u>", "")
}

/// At most `max` characters of `text`, with an ellipsis when cut.
pub(crate) fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((i, _)) => format!("{}…", &text[..i]),
    }
}

/// The length Telegram checks: UTF-16 code units of the text after tags and entities.
pub fn visible_len(html: &str) -> usize {
    to_plain(html).encode_utf16().count()
}

/// Strip our tags and decode entities: the message as a reader sees it.
pub(crate) fn to_plain(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            match rest.find('>') {
                Some(j) => rest = &rest[j + 1..],
                None => {
                    out.push_str(rest);
                    rest = "";
                }
            }
        } else {
            let (decoded, len) = [
                ("&amp;", '&'),
                ("&lt;", '<'),
                ("&gt;", '>'),
                ("&quot;", '"'),
            ]
            .iter()
            .find(|(e, _)| rest.starts_with(e))
            .map(|(e, c)| (*c, e.len()))
            .unwrap_or(('&', 1));
            out.push(decoded);
            rest = &rest[len..];
        }
    }
    out.push_str(rest);
    out
}

/// Split long text into messages of at most `max` visible characters, on paragraph boundaries
/// (`\n`) where possible, on character boundaries otherwise. Returns plain-text pieces; the
/// caller escapes them.
pub(crate) fn split_paragraphs(text: &str, max: usize) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = String::new();
    let len = |s: &str| s.encode_utf16().count();
    for para in text.split('\n') {
        let para_len = len(para);
        if para_len > max {
            // A paragraph longer than a whole message: flush, then cut it by characters.
            if !cur.is_empty() {
                parts.push(std::mem::take(&mut cur));
            }
            let mut piece = String::new();
            for c in para.chars() {
                if len(&piece) + c.len_utf16() > max {
                    parts.push(std::mem::take(&mut piece));
                }
                piece.push(c);
            }
            cur = piece;
            continue;
        }
        let sep = usize::from(!cur.is_empty());
        if len(&cur) + sep + para_len > max {
            parts.push(std::mem::take(&mut cur));
        } else if sep == 1 {
            cur.push('\n');
        }
        cur.push_str(para);
    }
    if !cur.is_empty() || parts.is_empty() {
        parts.push(cur);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character() {
        assert_eq!(escape("<b>&\"x\""), "&lt;b&gt;&amp;&quot;x&quot;");
        assert_eq!(to_plain(&escape("<b>&\"x\"")), "<b>&\"x\"");
    }

    #[test]
    fn marks_become_bold_and_text_stays_escaped() {
        let m = Marked {
            text: "两个维护<&>很重要".into(),
            marks: std::iter::once(0.."两个维护".len()).collect(),
        };
        assert_eq!(marked(&m), "<b>两个维护</b>&lt;&amp;&gt;很重要");
        let bad = Marked {
            text: "两个".into(),
            marks: vec![1..2, 0..100],
        };
        assert_eq!(marked(&bad), "两个");
    }

    #[test]
    fn underline_and_bold_nest_whatever_the_overlap() {
        let m = Marked {
            text: "甲乙丙丁".into(),
            marks: std::iter::once(3..9).collect(),
        };
        assert_eq!(
            marked_underlined(&m, 6..12),
            "甲<b>乙</b><u><b>丙</b>丁</u>"
        );
        assert_eq!(to_plain(&marked_underlined(&m, 6..12)), "甲乙丙丁");
    }

    #[test]
    fn visible_length_counts_after_entities() {
        assert_eq!(visible_len("<b>a&amp;b</b>"), 3);
    }

    #[test]
    fn split_keeps_paragraphs_whole_and_under_the_limit() {
        let text = ["甲".repeat(6), "乙".repeat(6), "丙".repeat(25)].join("\n");
        let parts = split_paragraphs(&text, 14);
        assert!(
            parts.iter().all(|p| p.encode_utf16().count() <= 14),
            "{parts:?}"
        );
        assert_eq!(parts[0], format!("{}\n{}", "甲".repeat(6), "乙".repeat(6)));
        assert_eq!(parts.concat().replace('\n', ""), text.replace('\n', ""));
    }
}
