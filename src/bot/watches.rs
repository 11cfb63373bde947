//! Topic alerts (关注): `/watch 词语`, `/watches`, `/unwatch 词语`, and what a new issue
//! tells each watcher.
//!
//! A watch is a word or an exact phrase (quotes are taken off). When an issue is announced,
//! each watcher whose words the issue *prints* (folded: Traditional, full-width and case do
//! not matter) gets the best passages of that issue for each such word; a word the issue does
//! not print sends nothing. A subscriber's matches ride on its new-issue notice, so it gets
//! one message, not two (see `store::watches`).

use super::inbound::Inbound;
use super::reply::{button, Reply};
use super::view::{circled, hit_body};
use super::Library;
use crate::bot::callback::Callback;
use crate::corpus::Issue;
use crate::index::fold::fold_str;
use crate::render::html::{escape, visible_len, MAX_MESSAGE};
use crate::render::SourceLine;
use crate::search::Hit;
use crate::store::{ChatKind, Store, Watched, MAX_WATCHES};

/// A watched word is at most this long: a word or a short phrase, not a question.
pub(crate) const MAX_WORD_CHARS: usize = 30;

/// Passages listed per word.
const PER_WORD: usize = 3;

/// The word of `/watch 词语`, quotes and spaces taken off; or why it cannot be watched.
pub(crate) fn watch_word(arg: &str) -> Result<String, String> {
    let word: String = arg
        .trim()
        .trim_matches(|c: char| "\"'“”‘’「」『』《》".contains(c) || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if word.is_empty() {
        return Err("用法：/watch 词语，例如 /watch 大湾区。新一期提到它时我会通知你。".into());
    }
    if word.chars().count() > MAX_WORD_CHARS {
        return Err(format!(
            "关注的词语最长 {MAX_WORD_CHARS} 个字，请换一个更短的词或短语。"
        ));
    }
    Ok(word)
}

/// In a group only its administrators change what the group watches.
fn may_change(m: &Inbound) -> bool {
    m.kind == ChatKind::Private || m.group_admin
}

const GROUP_ONLY_ADMINS: &str = "只有本群管理员可以更改本群关注的词语。";
const STORE_FAILED: &str = "抱歉，暂时无法保存，请稍后再试。";

/// `/watch 词语`: confirm, and show what the newest issue already says about it.
pub(crate) fn watch(store: &Store, lib: &dyn Library, m: &Inbound, arg: &str) -> Reply {
    let word = match watch_word(arg) {
        Ok(w) => w,
        Err(why) => return Reply::text(escape(&why)),
    };
    if !may_change(m) {
        return Reply::text(GROUP_ONLY_ADMINS.into());
    }
    let head = match store.watch(m.chat, &word) {
        Ok(Watched::Added) => format!(
            "🔔 已关注“{}”：新一期提到它时，我会把相关段落发到这里。/watches 查看和管理。",
            escape(&word)
        ),
        Ok(Watched::AlreadyWatched) => format!("已经在关注“{}”了。", escape(&word)),
        Ok(Watched::Full) => {
            return Reply::text(format!(
                "最多可以关注 {MAX_WATCHES} 个词语。请先用 /watches 取消一些，再关注新的。"
            ))
        }
        Err(e) => {
            tracing::error!("watch failed: {e}");
            return Reply::text(STORE_FAILED.into());
        }
    };
    let Some(newest) = lib.corpus().latest() else {
        return Reply::text(head);
    };
    let already = matches_in(lib, newest, &word)
        .map(|hits| {
            let lines: Vec<String> = hits.iter().map(|h| hit_line("•", h)).collect();
            format!(
                "\n\n{}已经提到：\n{}",
                escape(&newest.meta.display()),
                lines.join("\n")
            )
        })
        .unwrap_or_else(|| format!("\n\n{}还没有提到它。", escape(&newest.meta.display())));
    Reply::text(fit(format!("{head}{already}")))
}

/// `/watches`: the chat's words, each with a button that removes it.
pub(crate) fn list(store: &Store, m: &Inbound) -> Reply {
    let watches = match store.watches_of(m.chat) {
        Ok(w) => w,
        Err(e) => {
            tracing::error!("listing watches failed: {e}");
            return Reply::text(STORE_FAILED.into());
        }
    };
    if watches.is_empty() {
        return Reply::text(
            "还没有关注任何词语。发送 /watch 词语 即可关注，例如 /watch 大湾区。".into(),
        );
    }
    let mut html = format!("<b>关注的词语</b>（{}/{MAX_WATCHES}）\n", watches.len());
    for w in &watches {
        let paused = if w.paused { "（已暂停）" } else { "" };
        html.push_str(&format!("• {}{paused}\n", escape(&w.word)));
    }
    html.push_str("\n点下面的按钮取消关注。");
    let buttons = watches
        .chunks(2)
        .map(|pair| {
            pair.iter()
                .map(|w| {
                    button(
                        format!("✖ {}", crate::render::html::truncate_chars(&w.word, 12)),
                        Callback::Unwatch(w.id.max(0) as usize),
                    )
                })
                .collect()
        })
        .collect();
    Reply { html, buttons }
}

/// `/unwatch 词语`.
pub(crate) fn unwatch(store: &Store, m: &Inbound, arg: &str) -> Reply {
    let word = match watch_word(arg) {
        Ok(w) => w,
        Err(_) => return Reply::text("用法：/unwatch 词语；/watches 列出关注的词语。".into()),
    };
    if !may_change(m) {
        return Reply::text(GROUP_ONLY_ADMINS.into());
    }
    match store.unwatch(m.chat, &word) {
        Ok(true) => Reply::text(format!("已取消关注“{}”。", escape(&word))),
        Ok(false) => Reply::text(format!(
            "没有关注“{}”。/watches 列出关注的词语。",
            escape(&word)
        )),
        Err(e) => {
            tracing::error!("unwatch failed: {e}");
            Reply::text(STORE_FAILED.into())
        }
    }
}

/// The ✖ button of `/watches`: removes the watch (only in the chat that owns it) and shows
/// the list again.
pub(crate) fn unwatch_pressed(store: &Store, m: &Inbound, id: usize) -> Result<Reply, String> {
    if !may_change(m) {
        return Err(GROUP_ONLY_ADMINS.into());
    }
    match store.unwatch_id(m.chat, id as i64) {
        Ok(Some(_)) => Ok(list(store, m)),
        Ok(None) => Err("这个词语已经不在关注列表里了。".into()),
        Err(e) => {
            tracing::error!("unwatch failed: {e}");
            Err(STORE_FAILED.into())
        }
    }
}

/// The best passages of `issue` for `word`, or `None` when the issue does not print the word.
fn matches_in(lib: &dyn Library, issue: &Issue, word: &str) -> Option<Vec<Hit>> {
    let folded = fold_str(word);
    if !(0..issue.passages.len()).any(|i| {
        lib.passage_text(&issue.meta.id, i)
            .is_some_and(|t| fold_str(&t).contains(&folded))
    }) {
        return None;
    }
    let answer = lib.ask_in(word, &issue.meta.id, PER_WORD).ok()?;
    let hits: Vec<Hit> = answer.hits.into_iter().take(PER_WORD).collect();
    (!hits.is_empty()).then_some(hits)
}

/// One passage of a list: `mark` (a bullet or its number), its source, a short body.
fn hit_line(mark: &str, h: &Hit) -> String {
    format!(
        "{mark} <i>{}</i>\n{}",
        escape(&SourceLine::of_hit(h).to_string()),
        hit_body(h, Some(120))
    )
}

/// One chat's notice of a new issue with its watched words' matches. The passages it lists
/// are numbered ①② in `html`, in the order of `hits`, so that its buttons can name them as
/// an answer's do.
#[derive(Debug, Clone)]
pub(crate) struct WatchNotice {
    pub chat: i64,
    pub html: String,
    /// The watched words the issue prints.
    pub words: Vec<String>,
    pub hits: Vec<Hit>,
}

/// Per watching chat, the notice of `issue` it gets: the common `notice` followed by its
/// words' matches for a subscriber, the matches alone otherwise. Chats none of whose words
/// the issue prints are left out (a subscriber among them gets the common notice).
pub(crate) fn notices_for(
    lib: &dyn Library,
    store: &Store,
    issue: &Issue,
    notice: &str,
) -> Vec<WatchNotice> {
    let watches = match store.active_watches() {
        Ok(w) => w,
        Err(e) => {
            tracing::error!("reading watches failed: {e}");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for chat_watches in watches.chunk_by(|a, b| a.chat == b.chat) {
        let chat = chat_watches[0].chat;
        let found: Vec<(&str, Vec<Hit>)> = chat_watches
            .iter()
            .filter_map(|w| matches_in(lib, issue, &w.word).map(|hits| (w.word.as_str(), hits)))
            .collect();
        if found.is_empty() {
            continue;
        }
        let (head, tail) = if store.is_subscribed(chat).unwrap_or(false) {
            (format!("{notice}\n\n"), String::new())
        } else {
            (
                format!(
                    "📰 <b>{}提到了你关注的词语</b>\n\n",
                    escape(&issue.meta.display())
                ),
                "\n\n/watches 管理关注的词语。".to_string(),
            )
        };
        out.push(numbered(chat, head, &found, &tail));
    }
    out
}

/// The notice `head`, then per word its passages numbered across the message, then `tail`;
/// passages that would not fit one message are left out, with their numbers.
fn numbered(chat: i64, head: String, found: &[(&str, Vec<Hit>)], tail: &str) -> WatchNotice {
    let room = MAX_MESSAGE.saturating_sub(visible_len(tail) + 2);
    // A big issue's own notice may already fill the message: cut it, so that the whole stays
    // within Telegram's limit (the passages then do not fit, and are left out).
    let mut html = if visible_len(&head) + 2 > room {
        fit_within(head, room.saturating_sub(2))
    } else {
        head
    };
    let mut words = Vec::new();
    let mut hits = Vec::new();
    'words: for (word, word_hits) in found {
        let title = format!("🔔 <b>关注：{}</b>", escape(word));
        let mut section = String::new();
        for h in word_hits {
            let line = hit_line(&circled(hits.len() + 1), h);
            let joined = if section.is_empty() {
                format!("{title}\n{line}")
            } else {
                format!("{section}\n{line}")
            };
            if visible_len(&html) + visible_len(&joined) + 2 > room {
                if !section.is_empty() {
                    html.push_str(&section);
                }
                html.push('…');
                break 'words;
            }
            section = joined;
            hits.push(h.clone());
        }
        html.push_str(&section);
        html.push_str("\n\n");
        words.push(word.to_string());
    }
    let mut html = html.trim_end().to_string();
    html.push_str(tail);
    WatchNotice {
        chat,
        html,
        words,
        hits,
    }
}

/// Cut HTML made of self-contained lines to one message.
fn fit(html: String) -> String {
    fit_within(html, MAX_MESSAGE)
}

/// Cut HTML made of self-contained lines to `max` visible characters.
fn fit_within(html: String, max: usize) -> String {
    if visible_len(&html) <= max {
        return html;
    }
    let mut out = String::new();
    for line in html.lines() {
        if visible_len(&out) + visible_len(line) + 2 > max {
            out.push('…');
            break;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_trimmed_and_checked() {
        assert_eq!(watch_word("  “大湾区” ").as_deref(), Ok("大湾区"));
        assert_eq!(watch_word("\"两个 维护\"").as_deref(), Ok("两个 维护"));
        assert!(watch_word("  ").is_err());
        assert!(watch_word(&"长".repeat(MAX_WORD_CHARS + 1)).is_err());
        assert!(watch_word(&"长".repeat(MAX_WORD_CHARS)).is_ok());
    }
}
