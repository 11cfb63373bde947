//! The bot's test harness: a temp workspace, bot settings pointing at the fake Bot API, update
//! builders, and a handle that starts, restarts and stops the real bot.

use crate::fake_telegram::{chat_json, FakeTelegram, TOKEN};

use kuayue::bot::backend::EngineBackend;
use kuayue::bot::settings::{Pacing, ReplyPolicy, Settings};
use kuayue::bot::telegram::{self, Running};
use kuayue::bot::Backend;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tempfile::TempDir;

pub const ADMIN: u64 = 42;
pub const READER: i64 = 1001;
pub const GROUP: i64 = -100_200;

use crate::util::{copy_dir, corpus_dir, seed_issue_dir};

/// A temp dir holding `corpus/` (the 2019-03 issue and the user dictionary) and `data/`.
pub fn temp_workspace() -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let src = corpus_dir();
    copy_dir(&seed_issue_dir(), &dir.path().join("corpus/2019-03"));
    for entry in std::fs::read_dir(&src).expect("corpus dir") {
        let entry = entry.expect("entry");
        if entry.file_type().expect("type").is_file() {
            std::fs::copy(
                entry.path(),
                dir.path().join("corpus").join(entry.file_name()),
            )
            .expect("copy");
        }
    }
    dir
}

/// The raw text of the 2019-03 issue with its identity changed to 2019年第4期: a "new issue"
/// the importer and the index take as different from the one in the corpus.
pub fn next_issue_raw() -> String {
    let raw = std::fs::read_to_string(seed_issue_dir().join("raw.txt")).expect("raw");
    raw.replacen("第3期", "第4期", 1)
        .replacen("(总第244期)", "(总第245期)", 1)
        .replacen("2019年3月1日编印", "2019年4月1日编印", 1)
}

/// Put a 2019-04 issue into the corpus by hand: the 2019-03 directory with its identity
/// changed in the structure file.
pub fn add_next_issue(corpus: &Path) {
    let to = corpus.join("2019-04");
    copy_dir(&corpus.join("2019-03"), &to);
    let toml_path = to.join("issue.toml");
    let toml = std::fs::read_to_string(&toml_path).expect("issue.toml");
    let toml = toml
        .replacen("number = 3", "number = 4", 1)
        .replacen("total = 244", "total = 245", 1)
        .replacen("date = \"2019-03-01\"", "date = \"2019-04-01\"", 1);
    std::fs::write(&toml_path, toml).expect("write issue.toml");
    std::fs::write(to.join("raw.txt"), next_issue_raw()).expect("write raw");
}

/// Settings for a bot talking to `tg`, with fast pacing so tests stay short.
/// `extra` settings in the environment win over the defaults.
pub fn settings_env(tg: &FakeTelegram, dir: &Path, extra: &[(&str, String)]) -> Settings {
    let mut env = vec![
        ("TELOXIDE_TOKEN", TOKEN.to_string()),
        ("ADMIN_IDS", ADMIN.to_string()),
        ("TELOXIDE_API_URL", tg.url.clone()),
        ("CORPUS_DIR", dir.join("corpus").display().to_string()),
        ("DATA_DIR", dir.join("data").display().to_string()),
    ];
    env.splice(0..0, extra.iter().cloned());
    let mut s = Settings::from_lookup(|k| {
        env.iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.clone())
    })
    .expect("valid settings");
    s.pacing = Pacing {
        per_second: 200.0,
        per_chat_gap: Duration::from_millis(200),
        max_attempts: 3,
        backoff: Duration::from_millis(50),
    };
    // Replies: no pacing beyond what the tests' fake enforces, short backoffs.
    s.replies = ReplyPolicy {
        per_second: 0.0,
        private_gap: Duration::ZERO,
        backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(500),
        give_up_after: Duration::from_secs(120),
        stop_grace: Duration::from_secs(5),
    };
    s.poll_timeout = Duration::from_secs(1);
    // Tests that count messages to the admin, or send many, opt in to these (tests/ops.rs).
    s.deploy.startup_notice = false;
    s.deploy.questions_per_minute = 0;
    s
}

/// The real bot running against a fake Telegram in a temp workspace.
pub struct TestBot {
    pub tg: FakeTelegram,
    pub dir: TempDir,
    pub settings: Settings,
    /// How long the last start took, until the bot polled for updates.
    pub ready: Duration,
    running: Option<Running>,
    backend: Arc<dyn Backend>,
}

impl TestBot {
    pub async fn start() -> TestBot {
        TestBot::start_with(|_| {}).await
    }

    /// Start with `extra` settings in the environment, as an operator would set them.
    pub async fn start_env(extra: &[(&str, String)]) -> TestBot {
        TestBot::start_from(extra, |_| {}, Arc::new(EngineBackend), |_| {}).await
    }

    /// Start with the test settings adjusted by `tweak`.
    pub async fn start_with(tweak: impl FnOnce(&mut Settings)) -> TestBot {
        TestBot::start_full(tweak, Arc::new(EngineBackend), |_| {}).await
    }

    /// Start with adjusted settings and engine, after `prepare` has had the workspace (the
    /// temp dir holding `corpus/` and `data/`) to itself.
    pub async fn start_full(
        tweak: impl FnOnce(&mut Settings),
        backend: Arc<dyn Backend>,
        prepare: impl FnOnce(&Path),
    ) -> TestBot {
        TestBot::start_from(&[], tweak, backend, prepare).await
    }

    async fn start_from(
        extra: &[(&str, String)],
        tweak: impl FnOnce(&mut Settings),
        backend: Arc<dyn Backend>,
        prepare: impl FnOnce(&Path),
    ) -> TestBot {
        let tg = FakeTelegram::start().await;
        let dir = temp_workspace();
        let mut settings = settings_env(&tg, dir.path(), extra);
        tweak(&mut settings);
        prepare(dir.path());
        let mut bot = TestBot {
            tg,
            dir,
            settings,
            ready: Duration::ZERO,
            running: None,
            backend,
        };
        bot.launch().await;
        bot
    }

    pub async fn launch(&mut self) {
        // Logs show up for failing tests (RUST_LOG=debug cargo test …).
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
            )
            .with_test_writer()
            .try_init();
        // Ready once it polls (or, with a webhook, once it has told Telegram where it listens).
        let ready_call = match self.settings.deploy.mode {
            kuayue::bot::settings::Mode::Polling => "getupdates",
            kuayue::bot::settings::Mode::Webhook(_) => "setwebhook",
        };
        let before = self.tg.calls(ready_call).len();
        let started = std::time::Instant::now();
        let running = telegram::start(self.settings.clone(), self.backend.clone())
            .await
            .expect("bot starts");
        self.running = Some(running);
        self.tg
            .wait_until(Duration::from_secs(20), "the bot to be ready", |tg| {
                (tg.calls(ready_call).len() > before).then_some(())
            })
            .await;
        self.ready = started.elapsed();
    }

    pub async fn stop(&mut self) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
    }

    /// Stop as a killed process would (see `Running::abort`).
    pub fn crash(&mut self) {
        if let Some(r) = self.running.take() {
            r.abort();
        }
    }

    pub async fn restart(&mut self) {
        self.stop().await;
        self.launch().await;
    }

    pub fn corpus_dir(&self) -> PathBuf {
        self.dir.path().join("corpus")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Send a private message from `chat` (user id = chat id) and wait for the `n`-th message
    /// to that chat.
    pub async fn say(&self, chat: i64, text: &str) -> crate::fake_telegram::Call {
        let before = self.tg.sent_to("sendmessage", chat).len();
        self.tg.push(private_text(chat, text));
        self.tg.nth_message_to(chat, before + 1).await
    }
}

static MESSAGE_ID: AtomicI64 = AtomicI64::new(1);

fn next_message_id() -> i64 {
    MESSAGE_ID.fetch_add(1, Ordering::Relaxed)
}

pub fn user_json(user: u64) -> Value {
    json!({"id": user, "is_bot": false, "first_name": "读者", "language_code": "zh-hans"})
}

fn message(chat: i64, user: u64, extra: Value) -> Value {
    let mut m = json!({
        "message_id": next_message_id(),
        "date": 1_700_000_000,
        "chat": chat_json(chat),
        "from": user_json(user),
    });
    if let (Some(m), Some(extra)) = (m.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            m.insert(k.clone(), v.clone());
        }
    }
    json!({ "message": m })
}

/// A text message in a private chat (chat id = user id).
pub fn private_text(chat: i64, text: &str) -> Value {
    message(chat, chat as u64, json!({ "text": text }))
}

/// A text message in a group from `user`.
pub fn group_text(chat: i64, user: u64, text: &str) -> Value {
    message(chat, user, json!({ "text": text }))
}

/// A group message replying to one of the bot's messages.
pub fn group_reply_to_bot(chat: i64, user: u64, text: &str, bot_message: i64) -> Value {
    message(
        chat,
        user,
        json!({
            "text": text,
            "reply_to_message": {
                "message_id": bot_message,
                "date": 1_700_000_000,
                "chat": chat_json(chat),
                "from": {"id": crate::fake_telegram::BOT_ID, "is_bot": true,
                         "first_name": "跨越问答", "username": crate::fake_telegram::BOT_USERNAME},
                "text": "之前的回答"
            }
        }),
    )
}

pub fn sticker(chat: i64) -> Value {
    message(
        chat,
        chat as u64,
        json!({"sticker": {"file_id": "s1", "file_unique_id": "us1", "type": "regular",
                           "width": 512, "height": 512, "is_animated": false, "is_video": false}}),
    )
}

pub fn photo(chat: i64) -> Value {
    message(
        chat,
        chat as u64,
        json!({"photo": [{"file_id": "p1", "file_unique_id": "up1", "width": 90, "height": 90}]}),
    )
}

pub fn voice(chat: i64) -> Value {
    message(
        chat,
        chat as u64,
        json!({"voice": {"file_id": "v1", "file_unique_id": "uv1", "duration": 2, "mime_type": "audio/ogg"}}),
    )
}

/// A document in a private chat, with an optional caption.
pub fn document(chat: i64, file_id: &str, name: &str, size: usize, caption: Option<&str>) -> Value {
    let mut extra = json!({"document": {"file_id": file_id, "file_unique_id": format!("u{file_id}"),
                                        "file_name": name, "mime_type": "text/plain", "file_size": size}});
    if let Some(c) = caption {
        extra["caption"] = json!(c);
    }
    message(chat, chat as u64, extra)
}

/// A button press on the bot's message `message_id` in `chat`.
pub fn callback(chat: i64, user: u64, message_id: i64, data: &str) -> Value {
    json!({"callback_query": {
        "id": format!("cb{}", next_message_id()),
        "from": user_json(user),
        "message": {"message_id": message_id, "date": 1_700_000_000, "chat": chat_json(chat),
                    "from": {"id": crate::fake_telegram::BOT_ID, "is_bot": true, "first_name": "跨越问答",
                             "username": crate::fake_telegram::BOT_USERNAME},
                    "text": "之前的回答"},
        "chat_instance": "ci1",
        "data": data
    }})
}

pub fn inline_query(user: u64, query: &str) -> Value {
    json!({"inline_query": {
        "id": format!("iq{}", next_message_id()),
        "from": user_json(user),
        "query": query,
        "offset": ""
    }})
}
