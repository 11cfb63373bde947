//! Webhook mode (`BOT_MODE=webhook`): Telegram posts updates to `WEBHOOK_URL`, which the
//! operator's TLS proxy forwards to the listener on `WEBHOOK_LISTEN`.
//!
//! teloxide 0.17's `webhooks-axum` listener is not used, for three reasons: it answers 200 to
//! a body that is not an update (and logs the body, which may be a reader's message), it does
//! not pass `allowed_updates` to setWebhook, and it compares the secret with `!=`. This one
//! refuses a request without the right `X-Telegram-Bot-Api-Secret-Token` with 401 (counted,
//! and logged at most once a minute with the count, so a scanner cannot flood the log),
//! answers 400 to a body that is not an update, and feeds the rest to the dispatcher.

use crate::bot::metrics::Metrics;
use crate::bot::settings::{Token, Webhook};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use teloxide::prelude::*;
use teloxide::stop::{mk_stop_token, StopFlag, StopToken};
use teloxide::types::{AllowedUpdate, Update};
use teloxide::update_listeners::{StatefulListener, UpdateListener};
use tokio::sync::mpsc;

/// The header Telegram sends the secret in.
const SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Refused requests are logged at most once per this period.
const LOG_REFUSED_EVERY: Duration = Duration::from_secs(60);

/// The updates the handlers take (see `handlers::schema`).
pub(super) const ALLOWED_UPDATES: [AllowedUpdate; 3] = [
    AllowedUpdate::Message,
    AllowedUpdate::CallbackQuery,
    AllowedUpdate::InlineQuery,
];

#[derive(Clone)]
struct Hook {
    webhook: Arc<Webhook>,
    tx: mpsc::UnboundedSender<Update>,
    flag: StopFlag,
    metrics: Arc<Metrics>,
    /// When a refused request was last logged, and how many went unlogged since.
    quiet: Arc<Mutex<(Option<Instant>, u64)>>,
}

/// Register the webhook with Telegram and start listening. The returned listener ends, and
/// the HTTP server with it, when its stop token is stopped.
pub(super) async fn listen(
    bot: &Bot,
    webhook: &Webhook,
    metrics: Arc<Metrics>,
) -> anyhow::Result<impl UpdateListener<Err = Infallible> + Send + 'static> {
    // Bind first: a port in use should stop the start before Telegram is told to post here.
    let socket = tokio::net::TcpListener::bind(webhook.listen)
        .await
        .map_err(|e| anyhow::anyhow!("无法在 WEBHOOK_LISTEN={} 上监听：{e}", webhook.listen))?;
    bot.set_webhook(webhook.url.clone())
        .secret_token(webhook.secret.expose().to_string())
        .allowed_updates(ALLOWED_UPDATES)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "设置 webhook 失败（setWebhook）：{}",
                Token::scrub(&e, bot.token())
            )
        })?;
    let (stop_token, stop_flag) = mk_stop_token();
    let (tx, rx) = mpsc::unbounded_channel();
    let hook = Hook {
        webhook: Arc::new(webhook.clone()),
        tx,
        flag: stop_flag.clone(),
        metrics: metrics.clone(),
        quiet: Arc::default(),
    };
    let app = axum::Router::new()
        .route(webhook.path(), axum::routing::post(receive))
        .with_state(hook);
    let shutdown = stop_flag.clone();
    tokio::spawn(async move {
        if let Err(e) = axum::serve(socket, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!("webhook server failed: {e}");
            metrics.listener_failed();
        }
    });
    tracing::info!(listen = %webhook.listen, path = webhook.path(), "webhook registered");
    Ok(listener(rx, stop_token))
}

/// The updates received, as teloxide's dispatcher consumes them. The stream ends when the
/// channel closes, that is once the server has shut down after the stop and dropped its
/// senders: updates already answered 200 are still handled, never dropped with the stop.
fn listener(
    rx: mpsc::UnboundedReceiver<Update>,
    stop_token: StopToken,
) -> impl UpdateListener<Err = Infallible> + Send + 'static {
    use futures::StreamExt;
    let updates = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|u| (Ok::<Update, Infallible>(u), rx))
    })
    .boxed();
    StatefulListener::new((updates, stop_token), first, token_of)
}

// Named functions rather than closures: a closure cannot say that the stream it lends out
// lives as long as the borrow of the state.
fn first<A, B>(state: &mut (A, B)) -> &mut A {
    &mut state.0
}

fn token_of<A>(state: &mut (A, StopToken)) -> StopToken {
    state.1.clone()
}

async fn receive(State(hook): State<Hook>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let given = headers
        .get(SECRET_HEADER)
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !hook.webhook.secret.matches(given) {
        hook.metrics.webhook_refused("unauthorised");
        hook.log_refused();
        return StatusCode::UNAUTHORIZED;
    }
    let update = match serde_json::from_slice::<Update>(&body) {
        Ok(u) => u,
        Err(e) => {
            hook.metrics.webhook_refused("malformed");
            // Not the body: it may hold a reader's message.
            tracing::warn!(bytes = body.len(), "webhook: not an update: {e}");
            return StatusCode::BAD_REQUEST;
        }
    };
    if hook.flag.is_stopped() || hook.tx.send(update).is_err() {
        // Stopping: Telegram delivers it again to the next run.
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::OK
}

impl Hook {
    fn log_refused(&self) {
        let mut quiet = self.quiet.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if quiet
            .0
            .is_some_and(|t| now.duration_since(t) < LOG_REFUSED_EVERY)
        {
            quiet.1 += 1;
            return;
        }
        tracing::warn!(
            unlogged_since = quiet.1,
            "webhook: refused a request without the right secret token (401)"
        );
        *quiet = (Some(now), 0);
    }
}
