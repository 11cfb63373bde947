//! The bot on Telegram: start-up (getMe, setMyCommands, index, outbox, polling) and a clean
//! stop. What the handlers share is in [`app`], the routing and the handlers in [`handlers`],
//! and every reply leaves through the courier (`bot/deliver.rs`).

mod app;
mod handlers;
mod monitor;
mod webhook;

pub use app::App;
pub use handlers::schema;

use super::admin::Admin;
use super::commands::{AdminCommand, Command};
use super::core::Core;
use super::deliver::Courier;
use super::settings::{Mode, Settings, Token};
use super::{Backend, Opened};
use crate::store::Store;
use anyhow::Context;
use app::watch_index;
use std::sync::Arc;
use std::time::Duration;
use teloxide::error_handlers::ErrorHandler;
use teloxide::prelude::*;
use teloxide::stop::StopToken;
use teloxide::types::{BotCommandScope, Recipient};
use teloxide::update_listeners::{Polling, UpdateListener};
use teloxide::utils::command::BotCommands;
use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

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
    /// Stops the `/healthz` and `/metrics` server, when there is one.
    stop_monitor: Option<StopToken>,
    _lock: crate::store::DataLock,
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
        if let Some(monitor) = &self.stop_monitor {
            monitor.stop();
        }
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
        let metrics = self.app.core.metrics();
        tracing::info!(
            webhook_unauthorised = metrics.webhook_refused_count("unauthorised"),
            webhook_malformed = metrics.webhook_refused_count("malformed"),
            "bot stopped"
        );
    }

    /// Stop at once, as a killed process would: no draining, nothing recorded. Work already
    /// on blocking threads runs on, but its outcome is no longer delivered. For tests of what
    /// a restart finds after a crash.
    pub fn abort(self) {
        self.index_watch.abort();
        if let Some(monitor) = &self.stop_monitor {
            monitor.stop();
        }
        self.stop_polling.stop();
        self.app.courier.halt();
        self.dispatcher.abort();
        self.outbox.abort();
        tracing::warn!("bot aborted");
    }

    /// Run until Ctrl-C or SIGTERM, then stop cleanly.
    pub(crate) async fn wait(self) {
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

/// The Bot API client for these settings: through `TELEGRAM_PROXY` when it is set, else
/// through whatever `HTTPS_PROXY`/`NO_PROXY` say (reqwest reads them).
pub(crate) fn client(settings: &Settings) -> anyhow::Result<Bot> {
    let mut builder = teloxide::net::default_reqwest_settings();
    if let Some(proxy) = &settings.deploy.proxy {
        // reqwest's error would repeat the URL, password and all.
        let via = reqwest::Proxy::all(proxy.url().as_str())
            .map_err(|_| anyhow::anyhow!("设置 TELEGRAM_PROXY 不正确：{}", proxy.shown()))?;
        builder = builder.proxy(via);
        tracing::info!(proxy = %proxy.shown(), "Bot API traffic goes through the proxy");
    }
    let http = builder
        .build()
        .map_err(|e| anyhow::anyhow!("创建 HTTP 客户端失败：{e}"))?;
    let bot = Bot::with_client(settings.token.expose(), http);
    Ok(match &settings.api_url {
        Some(url) => bot.set_api_url(url.clone()),
        None => bot,
    })
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

/// The dispatcher on a task of its own, fed by the webhook listener when there is one, else
/// by long polling (which deletes any webhook first, so that the two modes never fight). The
/// token stops the listener, and the dispatcher returns once its workers have drained.
async fn spawn_dispatcher<L>(
    bot: Bot,
    app: Arc<App>,
    settings: &Settings,
    hook: Option<L>,
) -> (StopToken, JoinHandle<()>)
where
    L: UpdateListener + Send + 'static,
    L::Err: std::fmt::Debug + std::fmt::Display + Send,
{
    let metrics = app.core.metrics().clone();
    let alerts = app.alerts.clone();
    let dispatcher = Dispatcher::builder(bot.clone(), schema())
        .dependencies(dptree::deps![app.admins.clone(), app])
        .default_handler(|_| async {})
        .error_handler(RedactingErrorHandler::for_handlers(&bot, alerts))
        .build();
    match hook {
        Some(listener) => run_listener(dispatcher, listener, &bot, "webhook failed", metrics),
        None => {
            let listener = Polling::builder(bot.clone())
                .timeout(settings.poll_timeout)
                .delete_webhook()
                .await
                .build();
            run_listener(dispatcher, listener, &bot, "polling failed", metrics)
        }
    }
}

fn run_listener<L>(
    mut dispatcher: Dispatcher<Bot, anyhow::Error, teloxide::dispatching::DefaultKey>,
    mut listener: L,
    bot: &Bot,
    what: &'static str,
    metrics: Arc<crate::bot::metrics::Metrics>,
) -> (StopToken, JoinHandle<()>)
where
    L: UpdateListener + Send + 'static,
    L::Err: std::fmt::Debug + std::fmt::Display + Send,
{
    let stop = listener.stop_token();
    let errors = RedactingErrorHandler::for_listener(what, bot, metrics.clone());
    let task = tokio::spawn(async move {
        dispatcher.dispatch_with_listener(listener, errors).await;
        // Also when stopping; then the monitor stops too.
        metrics.listener_ended();
    });
    (stop, task)
}

pub async fn start(settings: Settings, backend: Arc<dyn Backend>) -> anyhow::Result<Running> {
    let started = std::time::Instant::now();
    super::health::check_data_dir(&settings.paths.data_dir)?;
    // One bot per data directory; held until the bot is dropped (or its process dies).
    let lock = crate::store::DataLock::acquire(&settings.paths.data_dir)?;
    // What a killed run left behind (logged line by line).
    super::health::sweep(&settings.paths);
    let store = Arc::new(Store::open_in(&settings.paths.data_dir)?);
    let Opened {
        library,
        warnings: open_warnings,
    } = open_index(&settings, &backend).await?;

    let bot = client(&settings)?;
    let me = bot.get_me().await.map_err(|e| {
        anyhow::anyhow!(
            "连接 Telegram 失败（getMe）：{}",
            Token::scrub(&e, bot.token())
        )
    })?;
    let core = Arc::new(Core::new(library, store.clone(), settings.admins.clone()));
    core.set_username(me.username());
    register_commands(&bot, &settings).await;
    // In webhook mode, listening (and telling Telegram so) comes before anything else is
    // started, so that a port in use or a refused setWebhook stops the start cleanly.
    let hook = match &settings.deploy.mode {
        Mode::Webhook(w) => Some(webhook::listen(&bot, w, core.metrics().clone()).await?),
        Mode::Polling => None,
    };

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

    let courier = Courier::new(
        bot.clone(),
        settings.replies.clone(),
        Some(store.clone()),
        Some(core.metrics().clone()),
    );
    courier.resume();
    let alerts = crate::bot::alerts::Alerts::new(
        settings.admins.clone(),
        courier.clone(),
        settings.alert_every,
    );
    let (stop_outbox, stop_rx) = watch::channel(false);
    let outbox = tokio::spawn(super::outbox::run(
        bot.clone(),
        store.clone(),
        settings.pacing.clone(),
        courier.clone(),
        Some(alerts.clone()),
        wake,
        stop_rx,
    ));

    let app = Arc::new(App {
        core,
        admin,
        courier,
        admins: settings.admins.clone(),
        alerts: alerts.clone(),
        last_heal: Default::default(),
        mode: settings.deploy.mode.name(),
        gate: crate::bot::gate::Gate::new(
            settings.admins.clone(),
            settings.deploy.allowed_chats.clone(),
            settings.deploy.questions_per_minute,
        ),
    });
    tell_interrupted_imports(&app);
    report_start_warnings(&app, &open_warnings);
    if settings.deploy.startup_notice {
        greet_admins(&app, &settings);
    }
    let index_watch = tokio::spawn(watch_index(
        Arc::downgrade(&app),
        settings.index_check_every,
    ));
    let stop_monitor = match settings.deploy.metrics_listen {
        Some(addr) => {
            let (token, flag) = teloxide::stop::mk_stop_token();
            monitor::serve(addr, app.clone(), flag).await?;
            Some(token)
        }
        None => None,
    };
    let (stop_polling, dispatcher) = spawn_dispatcher(bot, app.clone(), &settings, hook).await;
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
        stop_monitor,
        _lock: lock,
    })
}

/// The start-up notice (`STARTUP_NOTICE`): each admin hears that the bot is up, which
/// version, what it serves, what it still owes and how updates reach it.
fn greet_admins(app: &App, settings: &Settings) {
    let library = app.core.library();
    let corpus = library.corpus();
    let passages: usize = corpus.issues.iter().map(|i| i.passages.len()).sum();
    let pending = match app.core.store().outbox_counts() {
        Ok(c) => c.pending.to_string(),
        Err(e) => {
            tracing::warn!("counting pending notices: {e}");
            "未知".into()
        }
    };
    let mode = match &settings.deploy.mode {
        super::settings::Mode::Polling => "长轮询（polling）".to_string(),
        super::settings::Mode::Webhook(w) => {
            format!("webhook（{}）", crate::render::html::escape(w.url.as_str()))
        }
    };
    let text = format!(
        "✅ 跨越问答机器人已启动\n版本：{}\n已收录：{} 期，{} 段\n待发送的新刊通知：{} 条\n接收方式：{mode}",
        env!("CARGO_PKG_VERSION"),
        corpus.issues.len(),
        passages,
        pending,
    );
    for admin in settings.admins.iter() {
        app.courier.say(ChatId(admin as i64), text.clone());
    }
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
    /// For the update listener's handler: its failures make `/healthz` report Telegram
    /// unreachable.
    listener_of: Option<Arc<crate::bot::metrics::Metrics>>,
    /// For the handlers' errors: told to the admins.
    alerts: Option<Arc<crate::bot::alerts::Alerts>>,
}

impl RedactingErrorHandler {
    fn for_handlers(bot: &Bot, alerts: Arc<crate::bot::alerts::Alerts>) -> Arc<Self> {
        Arc::new(RedactingErrorHandler {
            what: "handler failed",
            bot: bot.clone(),
            listener_of: None,
            alerts: Some(alerts),
        })
    }

    fn for_listener(
        what: &'static str,
        bot: &Bot,
        metrics: Arc<crate::bot::metrics::Metrics>,
    ) -> Arc<Self> {
        Arc::new(RedactingErrorHandler {
            what,
            bot: bot.clone(),
            listener_of: Some(metrics),
            alerts: None,
        })
    }
}

impl<E: std::fmt::Display + Send + 'static> ErrorHandler<E> for RedactingErrorHandler {
    fn handle_error(
        self: Arc<Self>,
        error: E,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        if let Some(m) = &self.listener_of {
            m.listener_failed();
        }
        // `:#` so that an anyhow error shows its whole chain of causes.
        let text = Token::scrub(&format!("{error:#}"), self.bot.token());
        tracing::error!("{}: {text}", self.what);
        if let Some(alerts) = &self.alerts {
            alerts.raise(
                "handler",
                &format!(
                    "⚠️ 处理一条更新时出错（读者可能没有收到回复）：{}",
                    crate::render::html::escape(&crate::render::html::truncate_chars(&text, 300))
                ),
            );
        }
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
