//! Readers teach the bot: the 👍 有用 / 👎 没答到 row under every answer, the misses queue it
//! feeds, and `/misses`, where an editor works through what readers could not find.
//!
//! Votes never change the ranking: they and the questions answered 没有找到 or only 可能相关
//! go into the queue (`store::misses`), and a person decides (the thesaurus, the dictionary,
//! or nothing). Reader ids are stored with votes for one-vote-per-reader and `/stats`; the
//! queue an editor sees never shows them.

use super::callback::{Callback, MissAct};
use super::lang::Lang;
use super::reply::{button, Button, Reply};
use crate::render::html::{escape, truncate_chars};
use crate::search::{Answer, Level};
use crate::store::{Miss, Reason, Shown, Store};

/// Misses per page of `/misses`.
pub(crate) const MISSES_PAGE: usize = 5;

/// `/misses` lists what readers missed in this many days.
pub(crate) const MISSES_DAYS: i64 = 7;

/// Put an answer that was not confident into the misses queue.
pub fn record_miss(store: &Store, answer: &Answer) {
    if answer.level == Level::Confident {
        return;
    }
    let shown = answer.hits.first().map(Shown::from);
    if let Err(e) = store.record_miss(
        &answer.question,
        answer.level,
        shown.as_ref(),
        crate::store::now(),
    ) {
        tracing::error!("recording a miss failed: {e}");
    }
}

/// The vote row under an answer, and after a 👎 the optional reasons.
pub(super) fn vote_rows(
    key: &str,
    up: Option<bool>,
    reasons: bool,
    lang: Lang,
) -> Vec<Vec<Button>> {
    // The vote cast shows as counted; the other stays, to change one's mind.
    let label = |mine: bool, emoji: &str, text: &str| {
        lang.t(&format!("{emoji} {}", if mine { "谢谢反馈" } else { text }))
    };
    let mut rows = vec![vec![
        button(
            label(up == Some(true), "👍", "有用"),
            Callback::Vote {
                key: key.to_string(),
                up: true,
            },
        ),
        button(
            label(up == Some(false), "👎", "没答到"),
            Callback::Vote {
                key: key.to_string(),
                up: false,
            },
        ),
    ]];
    if reasons {
        rows.push(
            Reason::ALL
                .iter()
                .enumerate()
                .map(|(code, r)| {
                    button(
                        lang.t(r.label()),
                        Callback::Reason {
                            key: key.to_string(),
                            code,
                        },
                    )
                })
                .collect(),
        );
    }
    rows
}

/// Since when `/misses` lists (seconds since the epoch).
fn misses_since() -> i64 {
    crate::store::now() - MISSES_DAYS * 86_400
}

/// One page of `/misses`: the week's most frequent misses from entry `offset`, with 试一试,
/// 已处理 and 忽略 under each, and paging.
pub(crate) fn misses_page(store: &Store, offset: usize) -> Reply {
    let since = misses_since();
    let (misses, total) = match (
        store.open_misses(since, offset, MISSES_PAGE),
        store.open_miss_count(since),
    ) {
        (Ok(m), Ok(t)) => (m, t as usize),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!("reading the misses failed: {e}");
            return Reply::text("抱歉，暂时无法读取未答到的问题，请稍后再试。".into());
        }
    };
    if misses.is_empty() {
        return Reply::text(format!("最近 {MISSES_DAYS} 天没有待处理的未答到问题。"));
    }
    let mut html = format!(
        "<b>最近 {MISSES_DAYS} 天未答到的问题</b>（共 {total} 条，第 {}–{} 条）\n",
        offset + 1,
        offset + misses.len()
    );
    let mut buttons = Vec::new();
    for (i, m) in misses.iter().enumerate() {
        html.push_str(&miss_lines(offset + i + 1, m));
        let n = offset + i + 1;
        let id = m.id.max(0) as usize;
        buttons.push(vec![
            button(
                format!("{n} 试一试"),
                Callback::Miss {
                    id,
                    act: MissAct::Try,
                },
            ),
            button(
                format!("{n} 已处理"),
                Callback::Miss {
                    id,
                    act: MissAct::Close,
                },
            ),
            button(
                format!("{n} 忽略"),
                Callback::Miss {
                    id,
                    act: MissAct::Ignore,
                },
            ),
        ]);
    }
    let mut paging = Vec::new();
    if offset > 0 {
        paging.push(button(
            "‹ 上一页",
            Callback::MissesPage(offset.saturating_sub(MISSES_PAGE)),
        ));
    }
    if offset + misses.len() < total {
        paging.push(button(
            "下一页 ›",
            Callback::MissesPage(offset + MISSES_PAGE),
        ));
    }
    if !paging.is_empty() {
        buttons.push(paging);
    }
    html.push_str("\n用 /synonym 或 /dict 补上词语后，我会重新试一遍相关的问题。");
    Reply { html, buttons }
}

/// One entry of `/misses`: the question, how often and how it missed, what it was shown.
fn miss_lines(n: usize, m: &Miss) -> String {
    let how = match m.level {
        Level::NotFound => "没有找到",
        Level::Hedged => "可能相关",
        Level::Confident => "答了",
    };
    let down = if m.down > 0 {
        format!("，👎 {}", m.down)
    } else {
        String::new()
    };
    let shown = m
        .shown
        .as_ref()
        .map(|s| {
            let clause = s
                .clause
                .as_deref()
                .map(|c| format!(" · {c}"))
                .unwrap_or_default();
            format!("\n   上次给出：{} · 《{}》{clause}", s.issue, s.article)
        })
        .unwrap_or_default();
    format!(
        "\n{n}. {}\n   {} 次 · {how}{down} · 最近 {}{}\n",
        escape(&truncate_chars(&m.question, 100)),
        m.count,
        crate::clock::local_time(m.last_asked),
        escape(&shown)
    )
}
