//! The bot on Telegram: one dptree `schema()` routing updates to handlers that call the core,
//! plus start-up (getMe, setMyCommands, index, outbox) and a clean stop.
//!
//! Handlers do the quick work inline (a search is well under a millisecond) and move the slow
//! work — rebuilding the index, importing a document — onto blocking threads, so that a reply
//! leaves within milliseconds of its update even while an admin reindexes.

use super::admin::{self, Admin};
use super::admins::Admins;
use super::commands::{AdminCommand, Command};
use super::core::{Core, Inbound, Unreadable};
use super::deliver::Courier;
use super::reply::{Press, Reply};
use super::settings::{Settings, Token};
use super::{Backend, Opened};
use crate::store::{ChatKind, Store};
use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;
use teloxide::dispatching::{HandlerExt, UpdateHandler};
use teloxide::error_handlers::ErrorHandler;
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::stop::StopToken;
use teloxide::types::{
    BotCommandScope, InlineQueryResult, InlineQueryResultArticle, InputMessageContent,
    InputMessageContentText, Me, MessageId, ParseMode, Recipient,
};
use teloxide::update_listeners::{Polling, UpdateListener};
use teloxide::utils::command::BotCommands;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

type HandlerResult = anyhow::Result<()>;

/// Everything the handlers share, injected with `dptree::deps!`.
pub struct App {
    pub core: Arc<Core>,
    pub admin: Arc<Admin>,
    /// Every reply goes out through it: ordered per chat, retried through 429s and outages.
    pub courier: Courier,
    admins: Admins,
    /// When each kind of alert last went to the admins, so that a failure repeated by every
    /// question is reported once a minute, not once a question.
    alerted: std::sync::Mutex<std::collections::HashMap<&'static str, std::time::Instant>>,
    /// When a failed search last started a rebuild.
    last_heal: std::sync::Mutex<Option<std::time::Instant>>,
}

/// A failed search starts at most one automatic rebuild per this period: a bug that fails
/// one question every time must not keep the machine rebuilding.
const HEAL_EVERY: Duration = Duration::from_secs(600);

/// The same kind of alert goes to the admins at most once per this period.
const ALERT_EVERY: Duration = Duration::from_secs(60);

impl App {
    /// Tell every admin (in their private chat with the bot), at most once a minute per kind.
    pub fn alert(&self, kind: &'static str, html: &str) {
        {
            let mut alerted = self.alerted.lock().unwrap_or_else(|p| p.into_inner());
            let now = std::time::Instant::now();
            if alerted
                .get(kind)
                .is_some_and(|t| now.duration_since(*t) < ALERT_EVERY)
            {
                return;
            }
            alerted.insert(kind, now);
        }
        tracing::warn!(kind, "alerting the admins");
        for admin in self.admins.iter() {
            self.courier.say(ChatId(admin as i64), html.to_string());
        }
    }

    /// After a search failed: tell the admins and rebuild the index from the corpus in the
    /// background (the failing generation keeps answering what it can meanwhile).
    pub fn check_health(self: &Arc<Self>) {
        if let Some(why) = self.core.take_trouble() {
            self.heal("search", "搜索出错，读者收到“请稍后再试”", &why);
        }
    }

    /// Tell the admins what went wrong (`cause`, with the details `why`) and rebuild the index
    /// in the background, at most once per [`HEAL_EVERY`].
    fn heal(self: &Arc<Self>, kind: &'static str, cause: &str, why: &str) {
        let why = crate::render::html::escape(&crate::render::html::truncate_chars(why, 600));
        let due = {
            let mut last = self.last_heal.lock().unwrap_or_else(|p| p.into_inner());
            let due = last.is_none_or(|t| t.elapsed() >= HEAL_EVERY);
            if due {
                *last = Some(std::time::Instant::now());
            }
            due
        };
        if !due {
            self.alert(
                kind,
                &format!("⚠️ {cause}。刚刚已自动重建过索引，这次不再重建，请查看日志。\n{why}"),
            );
            return;
        }
        let Some(slot) = self.admin.try_begin() else {
            self.alert(kind, &format!("⚠️ {cause}。索引正在重建中。\n{why}"));
            return;
        };
        self.alert(kind, &format!("⚠️ {cause}。正在从语料自动重建索引…\n{why}"));
        let app = self.clone();
        tokio::spawn(async move {
            let admin = app.admin.clone();
            let outcome =
                tokio::task::spawn_blocking(move || admin.reindex(&slot, &mut |_| {})).await;
            let html = match outcome {
                Ok(Ok(summary)) => format!("✅ 已自动重建索引，恢复服务。\n{summary}"),
                Ok(Err(failed)) => failed,
                Err(e) => format!("❌ 自动重建索引时出现内部错误：{e}"),
            };
            app.alert("healed", &html);
        });
    }

    /// Check the serving generation's files on disk against their manifest. The engine
    /// serves from memory, so damage on disk does not reach readers, but the next start
    /// would have to rebuild: it is rebuilt now instead, and the admins are told.
    async fn check_index_files(self: &Arc<Self>) {
        let Some(generation) = self.core.library().generation() else {
            return;
        };
        let data_dir = self.admin.paths().data_dir.clone();
        let dir = crate::index::generation::generation_dir(&data_dir, &generation);
        let checked = tokio::task::spawn_blocking(move || crate::index::verify::check(&dir)).await;
        let Ok(Err(damage)) = checked else {
            return;
        };
        // A rebuild that just replaced (and removed) this generation is not damage.
        let still_current = crate::index::generation::read_pointer(&data_dir)
            .is_some_and(|p| p.generation == generation)
            && self.core.library().generation().as_deref() == Some(generation.as_str());
        if still_current {
            tracing::error!("the serving index is damaged on disk: {damage}");
            self.heal(
                "index-files",
                "磁盘上的索引文件已损坏（读者不受影响，索引在内存中）",
                &damage.to_string(),
            );
        }
    }
}

/// Check the serving generation's files every `every` until the app is dropped.
async fn watch_index(app: std::sync::Weak<App>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let Some(app) = app.upgrade() else {
            return;
        };
        app.check_index_files().await;
    }
}

/// A started bot. [`Running::stop`] stops it cleanly; [`Running::wait`] runs until Ctrl-C or
/// SIGTERM and then stops.
pub struct Running {
    pub app: Arc<App>,
    stop_polling: StopToken,
    dispatcher: JoinHandle<()>,
    outbox: JoinHandle<()>,
    stop_outbox: watch::Sender<bool>,
    stop_grace: Duration,
    index_watch: JoinHandle<()>,
}

impl Running {
    /// Stop polling, let replies in flight finish, let the outbox record sends in flight.
    ///
    /// Stopping goes through the update listener rather than the dispatcher's
    /// `ShutdownToken`: when the listener's stream ends, the dispatcher drains its workers
    /// and returns. (teloxide 0.17's token can miss its wake-up if the dispatcher is busy
    /// with an update at that instant, and then never stops.)
    pub async fn stop(self) {
        self.index_watch.abort();
        self.stop_polling.stop();
        let _ = self.dispatcher.await;
        let left = self.app.courier.flush(self.stop_grace).await;
        // What is left stays recorded and goes out after the next start.
        self.app.courier.halt();
        if left > 0 {
            tracing::warn!("stopping with {left} replies owed; the next start sends them");
        }
        let _ = self.stop_outbox.send(true);
        let _ = self.outbox.await;
        tracing::info!("bot stopped");
    }

    /// Stop at once, as a killed process would: no draining, nothing recorded. Work already
    /// on blocking threads runs on, but its outcome is no longer delivered. For tests of what
    /// a restart finds after a crash.
    pub fn abort(self) {
        self.index_watch.abort();
        self.stop_polling.stop();
        self.app.courier.halt();
        self.dispatcher.abort();
        self.outbox.abort();
        tracing::warn!("bot aborted");
    }

    /// Run until Ctrl-C or SIGTERM, then stop cleanly.
    pub async fn wait(self) {
        shutdown_signal().await;
        tracing::info!("stopping: finishing replies and notices in flight");
        self.stop().await;
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// The Bot API client for these settings.
pub fn client(settings: &Settings) -> Bot {
    let bot = Bot::new(settings.token.expose());
    match &settings.api_url {
        Some(url) => bot.set_api_url(url.clone()),
        None => bot,
    }
}

/// Open the store and the index, register commands, start the outbox and start polling.
/// Open the index on a blocking thread (building it takes a while on first use).
async fn open_index(settings: &Settings, backend: &Arc<dyn Backend>) -> anyhow::Result<Opened> {
    let paths = settings.paths.clone();
    let opener = backend.clone();
    tokio::task::spawn_blocking(move || opener.open(&paths, &mut |p| tracing::info!("index: {p}")))
        .await
        .context("opening the index panicked")?
        .map_err(anyhow::Error::from)
}

/// Tell the admins what opening had to work around (a damaged index rebuilt, an issue left
/// out), while the bot serves as usual.
fn report_start_warnings(app: &App, warnings: &[String]) {
    if warnings.is_empty() {
        return;
    }
    let lines: Vec<String> = warnings
        .iter()
        .map(|w| {
            format!(
                "• {}",
                crate::render::html::escape(&crate::render::html::truncate_chars(w, 600))
            )
        })
        .collect();
    app.alert(
        "start",
        &format!("⚠️ 启动时发现问题，机器人照常服务：\n{}", lines.join("\n")),
    );
}

/// Long polling into the dispatcher, on a task of its own; the token stops the polling, and
/// the dispatcher returns once its workers have drained.
async fn spawn_dispatcher(
    bot: Bot,
    app: Arc<App>,
    settings: &Settings,
) -> (StopToken, JoinHandle<()>) {
    let mut dispatcher = Dispatcher::builder(bot.clone(), schema())
        .dependencies(dptree::deps![app.admins.clone(), app])
        .default_handler(|_| async {})
        .error_handler(RedactingErrorHandler::new("handler failed", &bot))
        .build();
    let polling_bot = bot.clone();
    let mut listener = Polling::builder(bot)
        .timeout(settings.poll_timeout)
        .delete_webhook()
        .await
        .build();
    let stop_polling = listener.stop_token();
    let dispatcher = tokio::spawn(async move {
        dispatcher
            .dispatch_with_listener(
                listener,
                RedactingErrorHandler::new("polling failed", &polling_bot),
            )
            .await
    });
    (stop_polling, dispatcher)
}

pub async fn start(settings: Settings, backend: Arc<dyn Backend>) -> anyhow::Result<Running> {
    let started = std::time::Instant::now();
    super::health::check_data_dir(&settings.paths.data_dir)?;
    // What a killed run left behind (logged line by line).
    super::health::sweep(&settings.paths);
    let store = Arc::new(Store::open_in(&settings.paths.data_dir)?);
    let Opened {
        library,
        warnings: open_warnings,
    } = open_index(&settings, &backend).await?;

    let bot = client(&settings);
    let me = bot.get_me().await.map_err(|e| {
        anyhow::anyhow!(
            "连接 Telegram 失败（getMe）：{}",
            Token::scrub(&e, bot.token())
        )
    })?;
    let core = Arc::new(Core::new(library, store.clone(), settings.admins.clone()));
    core.set_username(me.username());
    register_commands(&bot, &settings).await;

    let wake = Arc::new(Notify::new());
    let admin = Arc::new(Admin::new(
        core.clone(),
        backend,
        settings.paths.clone(),
        wake.clone(),
    ));
    // Issues added to the corpus while the bot was down are news too.
    admin.announce_new();
    if let Err(e) = store.prune_buttons() {
        tracing::warn!("pruning old button state: {e}");
    }

    let courier = Courier::new(bot.clone(), settings.replies.clone(), Some(store.clone()));
    courier.resume();
    let (stop_outbox, stop_rx) = watch::channel(false);
    let outbox = tokio::spawn(super::outbox::run(
        bot.clone(),
        store.clone(),
        settings.pacing.clone(),
        courier.clone(),
        wake,
        stop_rx,
    ));

    let app = Arc::new(App {
        core,
        admin,
        courier,
        admins: settings.admins.clone(),
        alerted: Default::default(),
        last_heal: Default::default(),
    });
    tell_interrupted_imports(&app);
    report_start_warnings(&app, &open_warnings);
    let index_watch = tokio::spawn(watch_index(
        Arc::downgrade(&app),
        settings.index_check_every,
    ));
    let (stop_polling, dispatcher) = spawn_dispatcher(bot, app.clone(), &settings).await;
    tracing::info!(
        username = %me.username(),
        ready_ms = started.elapsed().as_millis() as u64,
        "bot ready"
    );
    Ok(Running {
        app,
        stop_polling,
        dispatcher,
        outbox,
        stop_outbox,
        stop_grace: settings.replies.stop_grace,
        index_watch,
    })
}

/// Imports that a killed run accepted and never finished: each admin who sent one is told.
fn tell_interrupted_imports(app: &App) {
    let interrupted = match app.core.store().take_interrupted_imports() {
        Ok(found) => found,
        Err(e) => {
            tracing::error!("reading the import journal: {e}");
            return;
        }
    };
    for i in interrupted {
        tracing::warn!(chat = i.chat, file = %i.file_name, "an import was interrupted");
        app.courier.say(
            ChatId(i.chat),
            format!(
                "⚠️ 你发送的 {} 在导入完成前机器人停止了（重启或崩溃），这次导入没有完成，\
                 未完成的临时文件已清理。请用 /issues 查看这一期是否已收录，如果没有，请重新发送这个文件。",
                crate::render::html::escape(&i.file_name)
            ),
        );
    }
}

/// Logs what the dispatcher and the polling loop report, with the token cut out
/// (teloxide's `LoggingErrorHandler` prints errors as they are).
struct RedactingErrorHandler {
    what: &'static str,
    bot: Bot,
}

impl RedactingErrorHandler {
    fn new(what: &'static str, bot: &Bot) -> Arc<Self> {
        Arc::new(RedactingErrorHandler {
            what,
            bot: bot.clone(),
        })
    }
}

impl<E: std::fmt::Display + Send + 'static> ErrorHandler<E> for RedactingErrorHandler {
    fn handle_error(
        self: Arc<Self>,
        error: E,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        // `:#` so that an anyhow error shows its whole chain of causes.
        tracing::error!(
            "{}: {}",
            self.what,
            Token::scrub(&format!("{error:#}"), self.bot.token())
        );
        Box::pin(async {})
    }
}

/// The menu: reader commands for everyone, admin commands in each admin's private chat.
async fn register_commands(bot: &Bot, settings: &Settings) {
    if let Err(e) = bot.set_my_commands(Command::bot_commands()).await {
        tracing::warn!("setMyCommands failed: {}", Token::scrub(&e, bot.token()));
    }
    let mut all = Command::bot_commands();
    all.extend(AdminCommand::bot_commands());
    for admin in settings.admins.iter() {
        let scope = BotCommandScope::Chat {
            chat_id: Recipient::Id(ChatId(admin as i64)),
        };
        // Fails until the admin has opened a chat with the bot; harmless.
        if let Err(e) = bot.set_my_commands(all.clone()).scope(scope).await {
            tracing::warn!(
                admin,
                "setMyCommands for an admin failed: {}",
                Token::scrub(&e, bot.token())
            );
        }
    }
}

/// The whole update routing.
pub fn schema() -> UpdateHandler<anyhow::Error> {
    let messages = Update::filter_message()
        .branch(dptree::filter(|m: Message| m.document().is_some()).endpoint(on_document))
        .branch(
            dptree::entry()
                .filter_command::<Command>()
                .endpoint(on_command),
        )
        .branch(
            // Admin commands: the admins' branch, and a refusal for everyone else, so that no
            // admin handler needs to check who is asking.
            dptree::entry()
                .filter_command::<AdminCommand>()
                .branch(
                    dptree::filter(|m: Message, admins: Admins| admins.contains(user_id(&m)))
                        .endpoint(on_admin_command),
                )
                .endpoint(refuse_admin_command),
        )
        .branch(dptree::filter(|m: Message| m.text().is_some()).endpoint(on_text))
        .branch(dptree::endpoint(on_other));
    dptree::entry()
        .branch(messages)
        .branch(Update::filter_callback_query().endpoint(on_callback))
        .branch(Update::filter_inline_query().endpoint(on_inline))
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
            let why = super::panic_text(e.into_panic());
            tracing::error!(chat = chat.map(|c| c.0), "handler panicked: {why}");
            if let Some(chat) = chat {
                app.courier.say(chat, super::core::SORRY.into());
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
            a.courier.send(chat, replies, reply_to(&msg));
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
        let text = msg.text().unwrap_or_default();
        let mut m = inbound(&msg, &me, &a.core, text);
        if matches!(cmd, Command::Subscribe | Command::Unsubscribe) && m.kind != ChatKind::Private {
            m.group_admin = match bot.get_chat_member(chat, UserId(m.user)).await {
                Ok(member) => member.is_privileged(),
                Err(e) => {
                    tracing::warn!("getChatMember failed: {}", Token::scrub(&e, bot.token()));
                    false
                }
            };
        }
        let replies = a.core.command(cmd, &m);
        a.courier.send(chat, replies, reply_to(&msg));
        a.check_health();
        Ok(())
    })
    .await
}

/// An admin command from someone who is not an admin: refused politely, nothing changes.
async fn refuse_admin_command(msg: Message, cmd: AdminCommand, app: Arc<App>) -> HandlerResult {
    tracing::info!(user = user_id(&msg), "admin command refused: {cmd:?}");
    app.courier
        .send(msg.chat.id, vec![super::core::refusal()], reply_to(&msg));
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
            AdminCommand::Import => app.courier.say(
                chat,
                "请把一期的 .txt 原文（UTF-8，不超过 5 MB）作为文件发给我，说明里写 /import。"
                    .into(),
            ),
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
                    report(&app, chat, outcome);
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
            super::panic_text(e.into_panic())
        } else {
            e.to_string()
        };
        Err(format!(
            "❌ 内部错误：{}",
            crate::render::html::escape(&why)
        ))
    })
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

/// A document: from an admin, a raw issue text to import; from anyone else, a polite no.
async fn on_document(bot: Bot, msg: Message, me: Me, app: Arc<App>) -> HandlerResult {
    let chat = msg.chat.id;
    let a = app.clone();
    guarded(
        &app,
        Some(chat),
        async move { document(bot, msg, me, a).await },
    )
    .await
}

async fn document(bot: Bot, msg: Message, me: Me, app: Arc<App>) -> HandlerResult {
    let user = user_id(&msg);
    let chat = msg.chat.id;
    let Some(doc) = msg.document() else {
        return Ok(());
    };
    if !app.core.is_admin(user) {
        if let Some(r) = app.core.unreadable(
            Unreadable::Other,
            msg.chat.is_private() || addressed(&msg, &me, &app.core),
        ) {
            app.courier.send(chat, vec![r], reply_to(&msg));
        }
        return Ok(());
    }
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

async fn on_callback(bot: Bot, q: CallbackQuery, app: Arc<App>) -> HandlerResult {
    let chat = q.message.as_ref().map(|m| m.chat().id);
    let a = app.clone();
    guarded(&app, chat, async move {
        let app = a;
        let data = q.data.clone().unwrap_or_default();
        let press = app.core.press(&data);
        let place = q.message.as_ref().map(|m| (m.chat().id, m.id()));
        // The toast is best effort: a reader whose press went unanswered sees the spinner
        // stop by itself; the message that matters goes through the courier.
        let answered = match (&press, place) {
            (Press::Notice(text), _) => bot.answer_callback_query(q.id.clone()).text(text).await,
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
            (Press::Edit(reply), Some((chat, id))) => app.courier.edit(chat, id, reply),
            (Press::Send(replies), Some((chat, _))) => app.courier.send(chat, replies, None),
        }
        app.check_health();
        Ok(())
    })
    .await
}

async fn on_inline(bot: Bot, q: InlineQuery, app: Arc<App>) -> HandlerResult {
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
