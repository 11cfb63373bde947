//! Routing and handlers: the dptree `schema()` sends each update, by [`route`], to the
//! handler that calls the core, and hands the replies to the courier.
//!
//! Handlers do the quick work inline (a search is well under a millisecond) and move the slow
//! work — rebuilding the index, importing a document — onto blocking threads, so that a reply
//! leaves within milliseconds of its update even while an admin reindexes.

use super::App;
use crate::bot::admin;
use crate::bot::admins::Admins;
use crate::bot::commands::{AdminCommand, Command};
use crate::bot::core::{Core, Inbound, Unreadable};
use crate::bot::gate::{Knock, Verdict, LIMITED, PRIVATE};
use crate::bot::reply::{Press, Reply};
use crate::bot::route::{route, Incoming, Route};
use crate::bot::settings::Token;
use crate::store::ChatKind;
use std::sync::Arc;
use std::time::Duration;
use teloxide::dispatching::UpdateHandler;
use teloxide::dptree::case;
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{
    InlineQueryResult, InlineQueryResultArticle, InputMessageContent, InputMessageContentText, Me,
    MessageId, ParseMode,
};

type HandlerResult = anyhow::Result<()>;

/// The whole update routing: each message goes where [`route`] says (the same decision
/// `kuayue chat` makes), and the admins' routes pass the admins' filter or are refused.
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let from_admin = |m: Message, admins: Admins| admins.contains(user_id(&m));
    let routed = dptree::filter_map(|m: Message, me: Me| {
        let incoming = Incoming {
            text: m.text(),
            has_document: m.document().is_some(),
        };
        Some(route(
            incoming,
            me.user.username.as_deref().unwrap_or_default(),
        ))
    })
    .branch(
        case![Route::Document]
            .branch(dptree::filter(from_admin).endpoint(on_document))
            .endpoint(decline_document),
    )
    .branch(case![Route::Command(cmd)].endpoint(on_command))
    .branch(
        // Admin commands: the admins' branch, and a refusal for everyone else, so that no
        // admin handler needs to check who is asking.
        case![Route::Admin(cmd)]
            .branch(dptree::filter(from_admin).endpoint(on_admin_command))
            .endpoint(refuse_admin_command),
    )
    .branch(case![Route::Text].endpoint(on_text))
    .branch(case![Route::Other].endpoint(on_other));
    // Private mode and the per-reader limit come before routing: a refused message costs
    // no handler any work.
    let messages = Update::filter_message()
        .filter_map(|m: Message, me: Me, app: Arc<App>| {
            let knock = Knock {
                chat: m.chat.id.0,
                user: user_id(&m),
                addressed: addressed(&m, &me, &app.core)
                    || m.text().is_some_and(|t| is_command_for(t, &me)),
            };
            Some(app.gate.check(knock, std::time::Instant::now()))
        })
        .branch(case![Verdict::Serve].chain(routed))
        .endpoint(turned_away);
    dptree::entry()
        .inspect(|u: Update, app: Arc<App>| app.core.metrics().update(update_kind(&u)))
        .branch(messages)
        .branch(Update::filter_callback_query().endpoint(on_callback))
        .branch(Update::filter_inline_query().endpoint(on_inline))
}

/// `/cmd` or `/cmd@us`, not `/cmd@another_bot`: a command meant for this bot.
fn is_command_for(text: &str, me: &Me) -> bool {
    let Some(first) = text
        .split_whitespace()
        .next()
        .filter(|w| w.starts_with('/'))
    else {
        return false;
    };
    match first.split_once('@') {
        None => true,
        Some((_, name)) => me
            .user
            .username
            .as_deref()
            .is_some_and(|u| u.eq_ignore_ascii_case(name)),
    }
}

/// An update's kind as `/metrics` labels it.
fn update_kind(u: &Update) -> &'static str {
    use teloxide::types::UpdateKind;
    match &u.kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::InlineQuery(_) => "inline_query",
        UpdateKind::MyChatMember(_) => "my_chat_member",
        _ => "other",
    }
}

/// A message the gate did not let through: told why, once, or dropped.
async fn turned_away(msg: Message, verdict: Verdict, app: Arc<App>) -> HandlerResult {
    let say = match verdict {
        Verdict::Refuse => PRIVATE,
        Verdict::Limited => LIMITED,
        Verdict::Serve | Verdict::Drop => return Ok(()),
    };
    tracing::info!(chat = msg.chat.id.0, ?verdict, "message turned away");
    app.courier.say(msg.chat.id, say.to_string());
    Ok(())
}

fn chat_kind(m: &Message) -> ChatKind {
    if m.chat.is_private() {
        ChatKind::Private
    } else if m.chat.is_channel() {
        ChatKind::Channel
    } else {
        ChatKind::Group
    }
}

fn user_id(m: &Message) -> u64 {
    m.from.as_ref().map(|u| u.id.0).unwrap_or(0)
}

/// In a group: does the message mention the bot or reply to it?
fn addressed(m: &Message, me: &Me, core: &Core) -> bool {
    if m.chat.is_private() {
        return true;
    }
    let mention = m
        .text()
        .or(m.caption())
        .is_some_and(|t| core.mentions_me(t));
    let reply = m
        .reply_to_message()
        .and_then(|r| r.from.as_ref())
        .is_some_and(|u| u.id == me.id);
    mention || reply
}

/// A handler's work on a task of its own, so that a panic ends only that task: the
/// dispatcher's worker for the chat lives on (teloxide's worker would die with it and leave
/// the chat unanswered until a restart). The reader is told to try again and the admins get
/// a report.
async fn guarded<F>(app: &Arc<App>, chat: Option<ChatId>, fut: F) -> HandlerResult
where
    F: std::future::Future<Output = HandlerResult> + Send + 'static,
{
    match tokio::spawn(fut).await {
        Ok(result) => result,
        Err(e) if e.is_panic() => {
            let why = crate::bot::panic_text(e.into_panic());
            tracing::error!(chat = chat.map(|c| c.0), "handler panicked: {why}");
            if let Some(chat) = chat {
                app.courier.say(chat, crate::bot::core::SORRY.into());
            }
            app.alert(
                "panic",
                &format!("⚠️ 处理一条消息时出现内部错误，已请读者稍后再试。\n{why}"),
            );
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

fn inbound<'a>(m: &'a Message, me: &Me, core: &Core, text: &'a str) -> Inbound<'a> {
    Inbound {
        chat: m.chat.id.0,
        user: user_id(m),
        kind: chat_kind(m),
        text,
        addressed: addressed(m, me, core),
        group_admin: false,
    }
}

fn reply_to(m: &Message) -> Option<MessageId> {
    (!m.chat.is_private()).then_some(m.id)
}

async fn on_text(msg: Message, me: Me, app: Arc<App>) -> HandlerResult {
    let chat = msg.chat.id;
    let a = app.clone();
    guarded(&app, Some(chat), async move {
        let started = std::time::Instant::now();
        let text = msg.text().unwrap_or_default();
        if let Some(replies) = a.core.text(&inbound(&msg, &me, &a.core, text)) {
            a.courier
                .answer(chat, replies, reply_to(&msg), Some(started));
            tracing::debug!(
                chat = chat.0,
                compose_us = started.elapsed().as_micros() as u64,
                "answer queued"
            );
        }
        a.check_health();
        Ok(())
    })
    .await
}

async fn on_command(bot: Bot, msg: Message, me: Me, cmd: Command, app: Arc<App>) -> HandlerResult {
    let chat = msg.chat.id;
    let a = app.clone();
    guarded(&app, Some(chat), async move {
        let started = std::time::Instant::now();
        let text = msg.text().unwrap_or_default();
        let mut m = inbound(&msg, &me, &a.core, text);
        let changes_the_group = matches!(
            cmd,
            Command::Subscribe | Command::Unsubscribe | Command::Watch(_) | Command::Unwatch(_)
        );
        if changes_the_group && m.kind != ChatKind::Private {
            m.group_admin = match bot.get_chat_member(chat, UserId(m.user)).await {
                Ok(member) => member.is_privileged(),
                Err(e) => {
                    tracing::warn!("getChatMember failed: {}", Token::scrub(&e, bot.token()));
                    false
                }
            };
        }
        let replies = a.core.command(cmd, &m);
        a.courier
            .answer(chat, replies, reply_to(&msg), Some(started));
        a.check_health();
        Ok(())
    })
    .await
}

/// An admin command from someone who is not an admin: refused politely, nothing changes.
async fn refuse_admin_command(msg: Message, cmd: AdminCommand, app: Arc<App>) -> HandlerResult {
    tracing::info!(user = user_id(&msg), "admin command refused: {cmd:?}");
    app.courier.send(
        msg.chat.id,
        vec![crate::bot::core::refusal()],
        reply_to(&msg),
    );
    Ok(())
}

async fn on_admin_command(msg: Message, cmd: AdminCommand, app: Arc<App>) -> HandlerResult {
    let chat = msg.chat.id;
    let a = app.clone();
    guarded(&app, Some(chat), async move {
        let app = a;
        let user = user_id(&msg);
        match cmd {
            AdminCommand::Stats => app.courier.send(chat, vec![app.core.stats(user)], None),
            AdminCommand::Import(_) => app.courier.say(
                chat,
                "请把一期的 .txt 原文（UTF-8，不超过 5 MB）作为文件发给我，说明里写 /import。"
                    .into(),
            ),
            AdminCommand::Misses => app.courier.send(
                chat,
                vec![crate::bot::feedback::misses_page(app.core.store(), 0)],
                None,
            ),
            AdminCommand::Synonym(arg) => {
                let corpus_dir = app.admin.paths().corpus_dir.clone();
                let html = crate::bot::editors::synonym(&app.core, &corpus_dir, user, &arg);
                report(&app, chat, Ok(html));
            }
            AdminCommand::Dict(arg) => {
                let Some(slot) = app.admin.try_begin() else {
                    app.courier
                        .say(chat, "索引正在重建，请等它完成后再加词。".into());
                    return Ok(());
                };
                let corpus_dir = app.admin.paths().corpus_dir.clone();
                let (added, test) =
                    match crate::bot::editors::dict(&app.core, &corpus_dir, user, &arg) {
                        Ok(done) => done,
                        Err(refused) => {
                            app.courier.say(chat, refused);
                            return Ok(());
                        }
                    };
                app.courier.say(chat, added);
                tokio::spawn(async move {
                    let admin = app.admin.clone();
                    let outcome = run_blocking_with_progress(&app, chat, move |progress| {
                        admin.reindex(&slot, progress)
                    })
                    .await;
                    let outcome = outcome.map(|summary| summary + &test.after(&app.core));
                    report_reindex(&app, chat, outcome);
                });
            }
            AdminCommand::Reindex => {
                let Some(slot) = app.admin.try_begin() else {
                    app.courier
                        .say(chat, "索引正在重建，完成后我会告诉你。".into());
                    return Ok(());
                };
                app.courier
                    .say(chat, "⏳ 开始重建索引，旧索引在此期间照常服务…".into());
                tokio::spawn(async move {
                    let admin = app.admin.clone();
                    let outcome = run_blocking_with_progress(&app, chat, move |progress| {
                        admin.reindex(&slot, progress)
                    })
                    .await;
                    report_reindex(&app, chat, outcome);
                });
            }
        }
        Ok(())
    })
    .await
}

/// Run an admin operation on a blocking thread, forwarding its progress lines to the chat
/// (at most one every few seconds, so a chatty build does not flood the admin).
async fn run_blocking_with_progress<F>(app: &App, chat: ChatId, work: F) -> admin::Outcome
where
    F: FnOnce(&mut dyn FnMut(&str)) -> admin::Outcome + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let job = tokio::task::spawn_blocking(move || {
        let mut progress = |line: &str| {
            let _ = tx.send(line.to_string());
        };
        work(&mut progress)
    });
    let mut last: Option<tokio::time::Instant> = None;
    while let Some(line) = rx.recv().await {
        if last.is_none_or(|t| t.elapsed() >= Duration::from_secs(3)) {
            last = Some(tokio::time::Instant::now());
            app.courier
                .say(chat, format!("⏳ {}", crate::render::html::escape(&line)));
        }
    }
    job.await.unwrap_or_else(|e| {
        let why = if e.is_panic() {
            crate::bot::panic_text(e.into_panic())
        } else {
            e.to_string()
        };
        Err(format!(
            "❌ 内部错误：{}",
            crate::render::html::escape(&why)
        ))
    })
}

/// A reindex's outcome to the admin who asked; a failure also to the other admins.
fn report_reindex(app: &App, chat: ChatId, outcome: admin::Outcome) {
    if let Err(failed) = &outcome {
        app.alerts.raise_except("reindex", failed, Some(chat.0));
    }
    report(app, chat, outcome);
}

/// The outcome of an admin operation, in as many messages as it takes.
fn report(app: &App, chat: ChatId, outcome: admin::Outcome) {
    let html = match outcome {
        Ok(h) | Err(h) => h,
    };
    let pieces = crate::render::html::split_paragraphs(&html, crate::render::html::MAX_MESSAGE);
    app.courier
        .send(chat, pieces.into_iter().map(Reply::text).collect(), None);
}

/// A document from someone who is not an admin: only a reader's file, declined politely
/// (where the reader meant the bot).
async fn decline_document(msg: Message, me: Me, app: Arc<App>) -> HandlerResult {
    let private = msg.chat.is_private() || addressed(&msg, &me, &app.core);
    if let Some(r) = app.core.unreadable(Unreadable::Other, private) {
        app.courier.send(msg.chat.id, vec![r], reply_to(&msg));
    }
    Ok(())
}

/// A document from an admin: a raw issue text to import.
async fn on_document(bot: Bot, msg: Message, app: Arc<App>) -> HandlerResult {
    let chat = msg.chat.id;
    let a = app.clone();
    guarded(&app, Some(chat), async move { document(bot, msg, a).await }).await
}

async fn document(bot: Bot, msg: Message, app: Arc<App>) -> HandlerResult {
    let user = user_id(&msg);
    let chat = msg.chat.id;
    let Some(doc) = msg.document() else {
        return Ok(());
    };
    let name = doc.file_name.clone().unwrap_or_default();
    if !name.to_lowercase().ends_with(".txt") {
        app.courier.say(
            chat,
            "只能导入 .txt 文本文件（一期的原文，UTF-8 编码）。".into(),
        );
        return Ok(());
    }
    if let Err(too_large) = admin::check_size(u64::from(doc.file.size)) {
        app.courier.say(chat, too_large);
        return Ok(());
    }
    let Some(slot) = app.admin.try_begin() else {
        app.courier
            .say(chat, "索引正在重建，请等它完成后再发。".into());
        return Ok(());
    };
    let _ = bot
        .send_chat_action(chat, teloxide::types::ChatAction::Typing)
        .await;
    let mut bytes: Vec<u8> = Vec::new();
    let downloaded = match bot.get_file(doc.file.id.clone()).await {
        Ok(file) => bot
            .download_file(&file.path, &mut bytes)
            .await
            .map_err(|e| Token::scrub(&e, bot.token())),
        Err(e) => Err(Token::scrub(&e, bot.token())),
    };
    if let Err(e) = downloaded {
        tracing::warn!("downloading a document failed: {e}");
        app.courier
            .say(chat, "❌ 文件下载失败，请重新发送。".into());
        return Ok(());
    }
    app.courier.say(
        chat,
        format!(
            "⏳ 收到 {}，正在检查和导入…",
            crate::render::html::escape(&name)
        ),
    );
    // Recorded before it begins: if the process dies mid-import, the next start tells this
    // admin.
    let journal = app
        .core
        .store()
        .import_started(chat.0, user, &name)
        .map_err(|e| tracing::error!("recording an import: {e}"))
        .ok();
    tokio::spawn(async move {
        let admin = app.admin.clone();
        let outcome = run_blocking_with_progress(&app, chat, move |progress| {
            admin.import(&slot, &bytes, progress)
        })
        .await;
        let ok = outcome.is_ok();
        report(&app, chat, outcome);
        if let Some(id) = journal {
            if let Err(e) = app.core.store().import_finished(id, ok) {
                tracing::error!("recording the end of an import: {e}");
            }
        }
    });
    Ok(())
}

/// Stickers, photos, voice and anything else without text.
async fn on_other(msg: Message, me: Me, app: Arc<App>) -> HandlerResult {
    let chat = msg.chat.id;
    let a = app.clone();
    guarded(&app, Some(chat), async move { other(msg, me, a) }).await
}

fn other(msg: Message, me: Me, app: Arc<App>) -> HandlerResult {
    let what = if msg.sticker().is_some() {
        Unreadable::Sticker
    } else if msg.photo().is_some() {
        Unreadable::Photo
    } else if msg.voice().is_some() || msg.audio().is_some() {
        Unreadable::Voice
    } else if msg.caption().is_some() || msg.video().is_some() || msg.animation().is_some() {
        Unreadable::Other
    } else {
        // Service messages (members joining, pins, …) need no answer.
        return Ok(());
    };
    if let Some(r) = app.core.unreadable(
        what,
        msg.chat.is_private() || addressed(&msg, &me, &app.core),
    ) {
        app.courier.send(msg.chat.id, vec![r], reply_to(&msg));
    }
    Ok(())
}

/// Who pressed a button, and where.
struct Presser {
    chat: i64,
    user: u64,
    kind: ChatKind,
    group_admin: bool,
}

impl Presser {
    fn as_inbound(&self) -> Inbound<'static> {
        Inbound {
            chat: self.chat,
            user: self.user,
            kind: self.kind,
            text: "",
            addressed: true,
            group_admin: self.group_admin,
        }
    }
}

/// The presser of a button; in a group, whether they administer it is asked of Telegram only
/// for the buttons that change the group's settings (✖ under `/watches`).
async fn presser(bot: &Bot, q: &CallbackQuery, data: &str) -> Presser {
    let chat = q.message.as_ref().map(|m| m.chat());
    let kind = match chat {
        Some(c) if c.is_private() => ChatKind::Private,
        Some(c) if c.is_channel() => ChatKind::Channel,
        Some(_) => ChatKind::Group,
        // A button under an inline-mode message: no chat of ours.
        None => ChatKind::Private,
    };
    let chat_id = chat.map(|c| c.id.0).unwrap_or(q.from.id.0 as i64);
    let changes_the_group = matches!(
        data.parse::<crate::bot::callback::Callback>(),
        Ok(crate::bot::callback::Callback::Unwatch(_))
    );
    let group_admin = if kind != ChatKind::Private && changes_the_group {
        match bot.get_chat_member(ChatId(chat_id), q.from.id).await {
            Ok(member) => member.is_privileged(),
            Err(e) => {
                tracing::warn!("getChatMember failed: {}", Token::scrub(&e, bot.token()));
                false
            }
        }
    } else {
        false
    };
    Presser {
        chat: chat_id,
        user: q.from.id.0,
        kind,
        group_admin,
    }
}

async fn on_callback(bot: Bot, q: CallbackQuery, app: Arc<App>) -> HandlerResult {
    let chat = q.message.as_ref().map(|m| m.chat().id);
    let a = app.clone();
    guarded(&app, chat, async move {
        let app = a;
        let data = q.data.clone().unwrap_or_default();
        let by = presser(&bot, &q, &data).await;
        let press = app.core.press(&data, &by.as_inbound());
        let place = q.message.as_ref().map(|m| (m.chat().id, m.id()));
        // The toast is best effort: a reader whose press went unanswered sees the spinner
        // stop by itself; the message that matters goes through the courier.
        let answered = match (&press, place) {
            (Press::Notice(text) | Press::EditAndNotice(_, text), _) => {
                bot.answer_callback_query(q.id.clone()).text(text).await
            }
            _ => bot.answer_callback_query(q.id.clone()).await,
        };
        if let Err(e) = answered {
            tracing::debug!(
                "answerCallbackQuery failed: {}",
                Token::scrub(&e, bot.token())
            );
        }
        match (press, place) {
            (Press::Notice(_), _) | (_, None) => {}
            (Press::Edit(reply) | Press::EditAndNotice(reply, _), Some((chat, id))) => {
                app.courier.edit(chat, id, reply)
            }
            (Press::Send(replies), Some((chat, _))) => app.courier.send(chat, replies, None),
        }
        app.check_health();
        Ok(())
    })
    .await
}

async fn on_inline(bot: Bot, q: InlineQuery, app: Arc<App>) -> HandlerResult {
    if !app.gate.allows_chat(q.from.id.0 as i64) {
        // Private mode: nothing to offer outside the organisation's chats.
        bot.answer_inline_query(q.id.clone(), Vec::<InlineQueryResult>::new())
            .cache_time(300)
            .await?;
        return Ok(());
    }
    let a = app.clone();
    guarded(&app, None, async move {
        let results: Vec<InlineQueryResult> = a
            .core
            .inline(&q.query)
            .into_iter()
            .map(|item| {
                let content = InputMessageContent::Text(
                    InputMessageContentText::new(item.html).parse_mode(ParseMode::Html),
                );
                InlineQueryResult::Article(
                    InlineQueryResultArticle::new(item.id, item.title, content)
                        .description(item.description),
                )
            })
            .collect();
        a.check_health();
        bot.answer_inline_query(q.id.clone(), results)
            .cache_time(60)
            .await?;
        Ok(())
    })
    .await
}
