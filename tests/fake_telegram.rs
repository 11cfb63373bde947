//! A fake Telegram Bot API server on 127.0.0.1:0 for end-to-end tests.
//!
//! It speaks enough of the Bot API for the real bot (the teloxide client over HTTP) to run
//! against it: getMe, getUpdates (long polling over a queue the test fills), sendMessage,
//! editMessageText, answerCallbackQuery, answerInlineQuery, setMyCommands, getFile and the file
//! download, sendChatAction, getChatMember, getWebhookInfo/deleteWebhook. Method names are
//! matched case-insensitively (teloxide sends `/bot<token>/SendMessage`). Every call is
//! recorded with its parameters and arrival time; a test can script failures (429 with
//! retry_after, 403, 5xx) for the next calls of a method, optionally for one chat only,
//! enforce Telegram's flood limits on sendMessage ([`Limits`]: 429 with retry_after when a
//! send exceeds them), and answer 502 to everything but getUpdates for a time window
//! ([`FakeTelegram::outage`]).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

pub const BOT_ID: u64 = 777_000_111;
pub const BOT_USERNAME: &str = "kuayue_test_bot";
/// A token of the right shape; the fake accepts any.
pub const TOKEN: &str = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0";

/// One recorded Bot API call.
#[derive(Debug, Clone)]
pub struct Call {
    /// Lowercase method name: `sendmessage`.
    pub method: String,
    pub params: Value,
    pub at: Instant,
    /// True when the fake answered with a scripted failure.
    pub failed: bool,
    /// The id the fake gave the message it created (sendMessage).
    pub message_id: Option<i64>,
}

impl Call {
    pub fn chat(&self) -> Option<i64> {
        self.params.get("chat_id").and_then(Value::as_i64)
    }
    pub fn text(&self) -> &str {
        self.params
            .get("text")
            .and_then(Value::as_str)
            .unwrap_or("")
    }
    /// Callback data of every inline button in the call's reply markup, row by row.
    pub fn buttons(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(rows) = self
            .params
            .pointer("/reply_markup/inline_keyboard")
            .and_then(Value::as_array)
        {
            for row in rows {
                for b in row.as_array().into_iter().flatten() {
                    out.push((
                        b["text"].as_str().unwrap_or("").to_string(),
                        b["callback_data"].as_str().unwrap_or("").to_string(),
                    ));
                }
            }
        }
        out
    }
}

/// A scripted failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// 429 Too Many Requests with `retry_after` seconds.
    RetryAfter(u32),
    /// 403: the user blocked the bot.
    Forbidden,
    /// 400 with a description teloxide does not know: a failure that is neither a flood
    /// limit nor a blocked chat.
    BadRequest,
    /// 500. (teloxide waits 10 s after any 5xx before reporting it, so tests use it sparingly.)
    ServerError,
    /// 502 with an HTML page, as a front end answers while the Bot API is down.
    BadGateway,
}

/// Flood limits the fake enforces on sendMessage, over sliding windows, like Telegram's.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Messages per second, all chats together.
    pub per_second: usize,
    /// Messages per second to one private chat.
    pub private_per_second: usize,
    /// Messages per minute to one group.
    pub group_per_minute: usize,
    /// The retry_after the fake answers with, in seconds.
    pub retry_after: u32,
}

impl Default for Limits {
    /// Telegram's published limits.
    fn default() -> Self {
        Limits {
            per_second: 30,
            private_per_second: 1,
            group_per_minute: 20,
            retry_after: 1,
        }
    }
}

#[derive(Default)]
struct Flood {
    limits: Option<Limits>,
    all: VecDeque<Instant>,
    per_chat: HashMap<i64, VecDeque<Instant>>,
}

impl Flood {
    /// Whether a message to `chat` now stays within the limits; if so it is counted.
    fn admit(&mut self, chat: i64, now: Instant) -> Result<(), u32> {
        let Some(l) = self.limits else {
            return Ok(());
        };
        let second = Duration::from_secs(1);
        let (window, cap) = if chat > 0 {
            (second, l.private_per_second)
        } else {
            (Duration::from_secs(60), l.group_per_minute)
        };
        while self
            .all
            .front()
            .is_some_and(|t| now.duration_since(*t) >= second)
        {
            self.all.pop_front();
        }
        let q = self.per_chat.entry(chat).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        if self.all.len() >= l.per_second || q.len() >= cap {
            return Err(l.retry_after);
        }
        self.all.push_back(now);
        q.push_back(now);
        Ok(())
    }
}

#[derive(Default)]
struct Inner {
    flood: Flood,
    /// Until when every method but getUpdates answers 502.
    outage_until: Option<Instant>,
    updates: VecDeque<(i64, Value)>,
    next_update: i64,
    next_message: i64,
    calls: Vec<Call>,
    failures: Vec<(String, Option<i64>, Failure, u32)>,
    files: HashMap<String, Vec<u8>>,
    delivered: HashMap<i64, Instant>,
    group_admins: HashSet<u64>,
    /// The webhook URL set with setWebhook, until deleteWebhook.
    webhook: Option<String>,
}

#[derive(Default)]
struct Shared {
    inner: Mutex<Inner>,
    new_update: Notify,
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The running fake server. Dropping it stops the server.
pub struct FakeTelegram {
    pub url: String,
    shared: Arc<Shared>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeTelegram {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeTelegram {
    pub async fn start() -> FakeTelegram {
        let shared = Arc::new(Shared::default());
        shared.lock().next_update = 1;
        shared.lock().next_message = 5_000;
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeTelegram {
            url: format!("http://{addr}/"),
            shared,
            server,
        }
    }

    /// Queue an update (without `update_id`; one is assigned and returned).
    pub fn push(&self, mut update: Value) -> i64 {
        let id = {
            let mut inner = self.shared.lock();
            let id = inner.next_update;
            inner.next_update += 1;
            update["update_id"] = json!(id);
            inner.updates.push_back((id, update));
            id
        };
        self.shared.new_update.notify_waiters();
        id
    }

    /// When the update was handed to the bot by getUpdates.
    pub fn delivered_at(&self, update: i64) -> Option<Instant> {
        self.shared.lock().delivered.get(&update).copied()
    }

    /// Make the next `times` calls of `method` (for `chat`, or any chat) fail.
    pub fn fail(&self, method: &str, chat: Option<i64>, failure: Failure, times: u32) {
        self.shared
            .lock()
            .failures
            .push((method.to_lowercase(), chat, failure, times));
    }

    /// Enforce flood limits on sendMessage from now on.
    pub fn enforce(&self, limits: Limits) {
        self.shared.lock().flood.limits = Some(limits);
    }

    /// Answer 502 Bad Gateway (an HTML page, as Telegram's front end does) to every method
    /// but getUpdates for the next `window`.
    pub fn outage(&self, window: Duration) {
        self.shared.lock().outage_until = Some(Instant::now() + window);
    }

    /// Calls of `method` the fake refused (scripted failures, flood limits, outages).
    pub fn refused(&self, method: &str) -> usize {
        self.calls(method).iter().filter(|c| c.failed).count()
    }

    /// A file the bot can fetch with getFile and download.
    pub fn add_file(&self, file_id: &str, bytes: Vec<u8>) {
        self.shared.lock().files.insert(file_id.to_string(), bytes);
    }

    /// getChatMember reports this user as an administrator of every group.
    pub fn make_group_admin(&self, user: u64) {
        self.shared.lock().group_admins.insert(user);
    }

    /// Every call so far of `method` (lowercase), or of every method for `""`.
    pub fn calls(&self, method: &str) -> Vec<Call> {
        let method = method.to_lowercase();
        self.shared
            .lock()
            .calls
            .iter()
            .filter(|c| method.is_empty() || c.method == method)
            .cloned()
            .collect()
    }

    /// Successful calls of `method` to `chat`.
    pub fn sent_to(&self, method: &str, chat: i64) -> Vec<Call> {
        self.calls(method)
            .into_iter()
            .filter(|c| !c.failed && c.chat() == Some(chat))
            .collect()
    }

    /// Poll the recorded calls until `done` holds, or panic after `timeout`.
    pub async fn wait_until<T>(
        &self,
        timeout: Duration,
        what: &str,
        mut done: impl FnMut(&FakeTelegram) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(v) = done(self) {
                return v;
            }
            if Instant::now() > deadline {
                let calls: Vec<String> = self
                    .calls("")
                    .iter()
                    .rev()
                    .take(12)
                    .map(|c| format!("{} {}", c.method, c.params))
                    .collect();
                panic!("timed out waiting for {what}; last calls: {calls:#?}");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// Wait for the `n`-th successful sendMessage to `chat` (1-based) and return it.
    pub async fn nth_message_to(&self, chat: i64, n: usize) -> Call {
        self.wait_until(
            Duration::from_secs(20),
            &format!("message {n} to {chat}"),
            |tg| tg.sent_to("sendmessage", chat).get(n - 1).cloned(),
        )
        .await
    }
}

fn ok(result: Value) -> Response {
    (
        StatusCode::OK,
        axum::Json(json!({"ok": true, "result": result})),
    )
        .into_response()
}

fn failure(f: Failure) -> Response {
    let (status, body) = match f {
        Failure::RetryAfter(s) => (
            StatusCode::TOO_MANY_REQUESTS,
            json!({"ok": false, "error_code": 429,
                   "description": format!("Too Many Requests: retry after {s}"),
                   "parameters": {"retry_after": s}}),
        ),
        Failure::Forbidden => (
            StatusCode::FORBIDDEN,
            json!({"ok": false, "error_code": 403,
                   "description": "Forbidden: bot was blocked by the user"}),
        ),
        Failure::BadRequest => (
            StatusCode::BAD_REQUEST,
            json!({"ok": false, "error_code": 400, "description": "Bad Request: something odd"}),
        ),
        Failure::ServerError => (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"ok": false, "error_code": 500, "description": "Internal Server Error"}),
        ),
        Failure::BadGateway => {
            return (
                StatusCode::BAD_GATEWAY,
                "<html><head><title>502 Bad Gateway</title></head></html>",
            )
                .into_response()
        }
    };
    (status, axum::Json(body)).into_response()
}

fn bot_user() -> Value {
    json!({"id": BOT_ID, "is_bot": true, "first_name": "跨越问答", "username": BOT_USERNAME})
}

pub fn chat_json(chat: i64) -> Value {
    if chat > 0 {
        json!({"id": chat, "type": "private", "first_name": "读者"})
    } else {
        json!({"id": chat, "type": "supergroup", "title": "学习小组"})
    }
}

fn message_json(id: i64, chat: i64, text: &str) -> Value {
    json!({
        "message_id": id,
        "date": 1_700_000_000,
        "chat": chat_json(chat),
        "from": bot_user(),
        "text": text,
    })
}

/// The text fields of a multipart/form-data body (teloxide sends setWebhook so, in case it
/// carries a certificate), each parsed as JSON where it is JSON.
fn multipart_fields(body: &[u8]) -> Option<Value> {
    let text = String::from_utf8_lossy(body);
    let boundary = text.lines().next()?.trim().to_string();
    if !boundary.starts_with("--") {
        return None;
    }
    let mut fields = serde_json::Map::new();
    for part in text.split(boundary.as_str()) {
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let Some(name) = head
            .split("name=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
        else {
            continue;
        };
        let value = value.trim_end_matches("\r\n");
        let parsed = serde_json::from_str(value).unwrap_or_else(|_| json!(value));
        fields.insert(name.to_string(), parsed);
    }
    Some(Value::Object(fields))
}

async fn handle(State(shared): State<Arc<Shared>>, uri: Uri, body: Bytes) -> Response {
    let path = uri.path().to_string();
    // File download: /file/bot<token>/<file_path>
    if let Some(rest) = path.strip_prefix("/file/") {
        // teloxide percent-encodes the file path's slash.
        let decoded = rest.replace("%2F", "/").replace("%2f", "/");
        let file_id = decoded
            .rsplit('/')
            .next()
            .unwrap_or("")
            .trim_end_matches(".txt")
            .to_string();
        let bytes = shared.lock().files.get(&file_id).cloned();
        return match bytes {
            Some(b) => (StatusCode::OK, b).into_response(),
            None => (StatusCode::NOT_FOUND, "no such file").into_response(),
        };
    }
    let method = path.rsplit('/').next().unwrap_or("").to_lowercase();
    let params: Value = if body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&body)
            .ok()
            .or_else(|| multipart_fields(&body))
            .unwrap_or_else(|| json!({"raw": String::from_utf8_lossy(&body)}))
    };

    if method == "getupdates" {
        return get_updates(&shared, &params).await;
    }

    let chat = params.get("chat_id").and_then(Value::as_i64);
    let scripted = {
        let mut inner = shared.lock();
        let hit = inner
            .failures
            .iter_mut()
            .find(|(m, c, _, n)| *m == method && *n > 0 && (c.is_none() || *c == chat));
        let mut f = hit.map(|entry| {
            entry.3 -= 1;
            entry.2
        });
        let now = Instant::now();
        if f.is_none() && inner.outage_until.is_some_and(|t| now < t) {
            f = Some(Failure::BadGateway);
        }
        if f.is_none() && method == "sendmessage" {
            if let Err(wait) = inner.flood.admit(chat.unwrap_or(0), now) {
                f = Some(Failure::RetryAfter(wait));
            }
        }
        let message_id = (f.is_none() && method == "sendmessage").then(|| {
            inner.next_message += 1;
            inner.next_message
        });
        inner.calls.push(Call {
            method: method.clone(),
            params: params.clone(),
            at: Instant::now(),
            failed: f.is_some(),
            message_id,
        });
        (f, message_id)
    };
    let (scripted, message_id) = scripted;
    if let Some(f) = scripted {
        return failure(f);
    }

    match method.as_str() {
        "getme" => ok(json!({
            "id": BOT_ID, "is_bot": true, "first_name": "跨越问答", "username": BOT_USERNAME,
            "can_join_groups": true, "can_read_all_group_messages": false,
            "supports_inline_queries": true, "can_connect_to_business": false,
            "has_main_web_app": false
        })),
        "getwebhookinfo" => {
            let url = shared.lock().webhook.clone().unwrap_or_default();
            ok(json!({"url": url, "has_custom_certificate": false, "pending_update_count": 0}))
        }
        "setwebhook" => {
            shared.lock().webhook = params["url"].as_str().map(str::to_string);
            ok(json!(true))
        }
        "deletewebhook" => {
            shared.lock().webhook = None;
            ok(json!(true))
        }
        "sendmessage" => {
            let id = message_id.unwrap_or(0);
            let text = params["text"].as_str().unwrap_or("");
            ok(message_json(id, chat.unwrap_or(0), text))
        }
        "editmessagetext" => {
            let id = params["message_id"].as_i64().unwrap_or(0);
            let text = params["text"].as_str().unwrap_or("");
            ok(message_json(id, chat.unwrap_or(0), text))
        }
        "getfile" => {
            let id = params["file_id"].as_str().unwrap_or("").to_string();
            let size = shared.lock().files.get(&id).map(Vec::len);
            match size {
                Some(size) => ok(json!({
                    "file_id": id, "file_unique_id": format!("u-{id}"),
                    "file_size": size, "file_path": format!("documents/{id}.txt")
                })),
                None => (
                    StatusCode::BAD_REQUEST,
                    axum::Json(json!({"ok": false, "error_code": 400, "description": "Bad Request: invalid file_id"})),
                )
                    .into_response(),
            }
        }
        "getchatmember" => {
            let user = params["user_id"].as_u64().unwrap_or(0);
            let admin = shared.lock().group_admins.contains(&user);
            let user_json = json!({"id": user, "is_bot": false, "first_name": "读者"});
            if admin {
                ok(json!({"status": "creator", "user": user_json, "is_anonymous": false}))
            } else {
                ok(json!({"status": "member", "user": user_json}))
            }
        }
        // setMyCommands, deleteMyCommands, deleteWebhook, sendChatAction,
        // answerCallbackQuery, answerInlineQuery, …
        _ => ok(json!(true)),
    }
}

/// Long polling: answer at once when updates are queued, else wait for one (capped well under
/// the client's timeout so that a stopping bot is not held up).
async fn get_updates(shared: &Shared, params: &Value) -> Response {
    let scripted = {
        let mut inner = shared.lock();
        let hit = inner
            .failures
            .iter_mut()
            .find(|(m, _, _, n)| m == "getupdates" && *n > 0);
        hit.map(|entry| {
            entry.3 -= 1;
            entry.2
        })
    };
    if let Some(f) = scripted {
        return failure(f);
    }
    if shared.lock().webhook.is_some() {
        // As Telegram does: the two ways of receiving updates exclude each other.
        return (
            StatusCode::CONFLICT,
            axum::Json(json!({"ok": false, "error_code": 409,
                "description": "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"})),
        )
            .into_response();
    }
    let offset = params.get("offset").and_then(Value::as_i64).unwrap_or(0);
    let limit = params.get("limit").and_then(Value::as_u64).unwrap_or(100) as usize;
    let timeout = params.get("timeout").and_then(Value::as_u64).unwrap_or(0);
    let wait = Duration::from_secs(timeout).min(Duration::from_millis(300));
    let deadline = tokio::time::Instant::now() + wait;
    shared.lock().calls.push(Call {
        method: "getupdates".into(),
        params: params.clone(),
        at: Instant::now(),
        failed: false,
        message_id: None,
    });
    loop {
        let notified = shared.new_update.notified();
        {
            let mut inner = shared.lock();
            // Updates below the offset are confirmed: forget them.
            while inner.updates.front().is_some_and(|(id, _)| *id < offset) {
                inner.updates.pop_front();
            }
            let batch: Vec<(i64, Value)> = inner.updates.iter().take(limit).cloned().collect();
            if !batch.is_empty() || tokio::time::Instant::now() >= deadline {
                let now = Instant::now();
                for (id, _) in &batch {
                    inner.delivered.entry(*id).or_insert(now);
                }
                return ok(Value::Array(batch.into_iter().map(|(_, u)| u).collect()));
            }
        }
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep_until(deadline) => {}
        }
    }
}
