//! How the bot's replies look: answers, tables of contents and notices as Telegram HTML,
//! always under the 4096-character limit, plus the navigation between neighbouring clauses.
//!
//! Kept apart from [`super::core`] so that the decisions (what to answer) and the layout (how
//! it reads) can change independently.

use super::lang::Lang;
use super::reply::Reply;
use crate::corpus::{Issue, Passage};
use crate::render::html::{self, escape, MAX_MESSAGE};
use crate::render::SourceLine;
use crate::search::{Answer, Hit};

/// The notice that announces a new issue to subscribers (Telegram HTML, under the limit).
pub fn notice(issue: &Issue) -> String {
    let mut html = format!(
        "📰 <b>新刊已收录：{}</b>\n\n",
        escape(&issue.meta.display())
    );
    let toc = crate::render::toc::Toc::of(issue).html();
    let tail = format!(
        "\n直接发来问题即可查询本期内容；/toc {} 查看完整目录。",
        escape(&issue.meta.id)
    );
    for line in toc.lines().skip(1) {
        if html::visible_len(&html) + html::visible_len(line) + html::visible_len(&tail) + 2
            > MAX_MESSAGE
        {
            html.push_str("…\n");
            break;
        }
        html.push_str(line);
        html.push('\n');
    }
    html.push_str(&tail);
    html
}

/// The answer message: the question, then per passage its source line and the snippet with
/// the matched words in bold and the best sentence underlined (or, when the snippet does not
/// hold it, the best sentence after 👉); shortened until it fits Telegram's limit.
pub(super) fn render_answer(answer: &Answer, page: &[&Hit], at: usize, lang: Lang) -> String {
    // Tiers: whole snippets; then best sentences alone, cut shorter and shorter.
    for tier in [None, Some(400), Some(120), Some(40)] {
        let mut out = format!(
            "🔎 <b>{}</b>{}\n",
            lang.t("问："),
            escape(&html::truncate_chars(&answer.question, 200))
        );
        if let Some(fact) = &answer.fact {
            out.push_str(&format!(
                "\n💡 {}\n",
                escape(&lang.t(&html::truncate_chars(fact, 1500)))
            ));
        } else if answer.hedged() {
            out.push_str(&format!(
                "\n<i>{}</i>\n",
                escape(&lang.t(crate::render::HEDGE))
            ));
        }
        for (i, hit) in page.iter().enumerate() {
            out.push_str(&format!(
                "\n<b>{}</b> <i>{}</i>\n",
                circled(at + i + 1),
                escape(&lang.t(&SourceLine::of_hit(hit).to_string()))
            ));
            // Converted after marking: the marks are byte ranges of the Simplified text,
            // and the conversion leaves the HTML tags alone.
            out.push_str(&lang.t(&hit_body(hit, tier)));
            out.push('\n');
        }
        out.push_str(&footer(answer, lang));
        if html::visible_len(&out) <= MAX_MESSAGE {
            return out;
        }
    }
    // Unreachable with sane inputs (3 × 40-character sentences); keep the promise anyway.
    escape(&html::truncate_chars(
        &html::to_plain(&answer.question),
        1000,
    ))
}

/// One passage's text in an answer. `cut`: show only the best sentence, at most this long.
pub(super) fn hit_body(hit: &Hit, cut: Option<usize>) -> String {
    let best = &hit.best_sentence;
    let snippet = &hit.snippet;
    if let Some(max) = cut {
        let sentence = if best.text.trim().is_empty() {
            snippet
        } else {
            best
        };
        return format!("👉 {}", fit_marked(sentence, max));
    }
    let inside = (!best.text.trim().is_empty())
        .then(|| snippet.text.find(best.text.as_str()))
        .flatten();
    match inside {
        Some(at) => html::marked_underlined(snippet, at..at + best.text.len()),
        None if best.text.trim().is_empty() => html::marked(snippet),
        None => format!("👉 {}\n{}", html::marked(best), html::marked(snippet)),
    }
}

/// Marked text in HTML, cut to `max` characters (marks beyond the cut dropped).
pub(super) fn fit_marked(m: &crate::search::Marked, max: usize) -> String {
    if m.text.chars().count() <= max {
        return html::marked(m);
    }
    let cut = m
        .text
        .char_indices()
        .nth(max)
        .map(|(i, _)| i)
        .unwrap_or(m.text.len());
    let short = crate::search::Marked {
        text: m.text[..cut].to_string(),
        marks: m.marks.iter().filter(|r| r.end <= cut).cloned().collect(),
    };
    format!("{}…", html::marked(&short))
}

/// What closes every answer: a suggestion for a slip, and how the question was read.
fn footer(answer: &Answer, lang: Lang) -> String {
    let mut out = String::new();
    if let Some(s) = crate::render::suggestion_line(answer) {
        out.push_str(&format!("\n{}", escape(&lang.t(&s))));
    }
    let read = crate::render::understood_line(&answer.understood);
    if !read.is_empty() {
        out.push_str(&format!(
            "\n<i>{}</i>",
            escape(&lang.t(&html::truncate_chars(&read, 300)))
        ));
    }
    out
}

pub(super) fn not_found(answer: &Answer, lang: Lang) -> Reply {
    let head = match &answer.notice {
        Some(notice) => escape(&lang.t(notice)),
        None => lang.t(&format!(
            "没有找到与“{}”相关的内容。",
            escape(&html::truncate_chars(&answer.question, 100))
        )),
    };
    // Tips only when there is nothing more specific to say (a notice, a suggestion).
    let tips = if answer.notice.is_none() && answer.suggestion.is_none() {
        lang.t("\n\n可以这样试试：\n• 用文中可能出现的关键词提问，如“政治建设 首要任务”；\n• 用英文引号查确切的词句，如 \"两个维护\"；\n• 发送 /toc 浏览目录，/issues 查看已收录的各期。")
    } else {
        String::new()
    };
    Reply::text(format!("{head}{tips}\n{}", footer(answer, lang)))
}

/// ①…⑳ for list numbers, plain digits beyond.
pub(super) fn circled(n: usize) -> String {
    match n {
        1..=20 => char::from_u32(0x2460 + n as u32 - 1)
            .map(String::from)
            .unwrap_or_else(|| n.to_string()),
        _ => format!("{n}."),
    }
}

/// `2019-03`, `2019-3`, `2019年第3期` → `2019-03`.
pub(super) fn parse_issue_id(arg: &str) -> Option<String> {
    let digits: Vec<u16> = arg
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect::<Option<Vec<u16>>>()?;
    match digits.as_slice() {
        [year, number] if (1900..=2999).contains(year) && (1..=99).contains(number) => {
            Some(crate::corpus::IssueMeta::make_id(*year, *number))
        }
        _ => None,
    }
}

/// Split HTML made of self-contained lines into messages under the limit.
pub(super) fn split_html_lines(html_text: &str) -> Vec<Reply> {
    let mut replies = Vec::new();
    let mut cur = String::new();
    for line in html_text.lines() {
        if html::visible_len(&cur) + html::visible_len(line) + 1 > MAX_MESSAGE && !cur.is_empty() {
            replies.push(Reply::text(std::mem::take(&mut cur)));
        }
        cur.push_str(line);
        cur.push('\n');
    }
    if !cur.is_empty() {
        replies.push(Reply::text(cur));
    }
    replies
}

/// Passages of one clause (or of one unnumbered run) are shown together by 全文 and skipped
/// together by 上一条 / 下一条.
fn same_group(a: &Passage, b: &Passage) -> bool {
    a.article == b.article && a.clause == b.clause
}

/// The first passage of the run of passages sharing `i`'s article and clause.
pub(super) fn group_start(issue: &Issue, i: usize) -> usize {
    let mut s = i;
    while s > 0 && same_group(&issue.passages[s - 1], &issue.passages[i]) {
        s -= 1;
    }
    s
}

/// The last passage of the run of passages sharing `i`'s article and clause.
pub(super) fn group_end(issue: &Issue, i: usize) -> usize {
    let mut e = i;
    while e + 1 < issue.passages.len() && same_group(&issue.passages[e + 1], &issue.passages[i]) {
        e += 1;
    }
    e
}

/// The first passage of the group after `i`'s, if any (下一条).
pub(super) fn next_group(issue: &Issue, i: usize) -> Option<usize> {
    let next = group_end(issue, i) + 1;
    (next < issue.passages.len()).then_some(next)
}

/// The first passage of the group before `i`'s, if any (上一条).
pub(super) fn previous_group(issue: &Issue, i: usize) -> Option<usize> {
    let start = group_start(issue, i);
    (start > 0).then(|| group_start(issue, start - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Pages;
    use crate::search::{Marked, PassageRef};

    fn hit(rank: usize, text: &str) -> Hit {
        Hit {
            rank,
            passage: PassageRef {
                issue: "2019-03".into(),
                index: rank,
            },
            issue: "2019-03".into(),
            magazine: "跨越".into(),
            issue_label: "2019年第3期".into(),
            total: Some(244),
            seq: 1,
            article: "标题<&>".into(),
            column: "特稿".into(),
            pages: Pages::range(4, 9),
            clause: Some("（一）条目".into()),
            source: None,
            text: text.into(),
            snippet: Marked {
                text: text.into(),
                marks: std::iter::once(0..3).collect(),
            },
            best_sentence: Marked {
                text: text.chars().take(2000).collect(),
                marks: Vec::new(),
            },
            score: 1.0,
        }
    }

    #[test]
    fn huge_passages_still_fit_one_message_and_stay_escaped() {
        let long = "政<治>".repeat(3000);
        let hits = [hit(1, &long), hit(2, &long), hit(3, &long)];
        let page: Vec<&Hit> = hits.iter().collect();
        let answer = Answer {
            question: "问<b>".repeat(300),
            level: crate::search::Level::Confident,
            hits: hits.to_vec(),
            ..Answer::default()
        };
        let html = render_answer(&answer, &page, 0, Lang::Simplified);
        assert!(
            html::visible_len(&html) <= MAX_MESSAGE,
            "{}",
            html::visible_len(&html)
        );
        assert!(html.contains("标题&lt;&amp;&gt;") && !html.contains("<治>"));
        assert!(html.contains("①") && html.contains("③"));
    }

    #[test]
    fn best_sentence_inside_the_snippet_is_underlined_not_repeated() {
        let mut h = hit(1, "第一句。第二句答案。第三句。");
        h.best_sentence = Marked {
            text: "第二句答案。".into(),
            marks: Vec::new(),
        };
        let body = hit_body(&h, None);
        assert_eq!(body.matches("第二句答案").count(), 1, "{body}");
        assert!(body.contains("<u>第二句答案。</u>"), "{body}");
    }
}
