//! What operators rely on, end to end against local servers only: the start-up notice, the
//! per-reader limit, private mode and the proxy to Telegram.

use crate::fake_telegram::Failure;
use crate::harness::*;
use kuayue::bot::settings::Proxy;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Messages to `chat` that contain `needle`, after a pause long enough for a stray one.
async fn settled_count(bot: &TestBot, chat: i64, needle: &str) -> usize {
    tokio::time::sleep(Duration::from_millis(600)).await;
    bot.tg
        .sent_to("sendmessage", chat)
        .iter()
        .filter(|c| c.text().contains(needle))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_hear_that_the_bot_started_and_what_it_serves() {
    let mut bot = TestBot::start_with(|s| s.deploy.startup_notice = true).await;
    let hello = bot.tg.nth_message_to(ADMIN as i64, 1).await;
    let text = hello.text();
    assert!(
        text.contains("已启动")
            && text.contains(env!("CARGO_PKG_VERSION"))
            && text.contains("已收录：1 期")
            && text.contains("待发送的新刊通知：0 条")
            && text.contains("polling"),
        "{text}"
    );
    assert!(
        bot.tg.sent_to("sendmessage", READER).is_empty(),
        "admins only"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_over_the_limit_is_told_once_and_the_rest_of_the_minute_is_quiet() {
    let mut bot = TestBot::start_with(|s| s.deploy.questions_per_minute = 3).await;
    for _ in 0..3 {
        let answer = bot.say(READER, "党的政治建设的首要任务是什么").await;
        assert!(!answer.text().contains("太频繁"), "{}", answer.text());
    }
    let told = bot.say(READER, "党的政治建设的首要任务是什么").await;
    assert!(told.text().contains("提问太频繁"), "{}", told.text());
    for _ in 0..3 {
        bot.tg.push(private_text(READER, "什么是两个维护"));
    }
    assert_eq!(settled_count(&bot, READER, "").await, 4, "dropped quietly");
    // Another reader and the admin are not held back.
    assert!(!bot
        .say(READER + 1, "什么是两个维护")
        .await
        .text()
        .contains("太频繁"));
    for _ in 0..5 {
        let r = bot.say(ADMIN as i64, "什么是两个维护").await;
        assert!(!r.text().contains("太频繁"), "{}", r.text());
    }
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_mode_answers_only_its_chats_and_says_so_politely_elsewhere() {
    let mut bot =
        TestBot::start_with(|s| s.deploy.allowed_chats = Some([GROUP].into_iter().collect())).await;
    let refused = bot.say(READER, "党的政治建设的首要任务是什么").await;
    assert!(
        refused.text().contains("只在本单位指定的会话中提供服务"),
        "{}",
        refused.text()
    );
    bot.tg.push(private_text(READER, "/subscribe"));
    assert_eq!(
        settled_count(&bot, READER, "").await,
        1,
        "told once, not per message"
    );
    let store = kuayue::store::Store::open_in(&bot.data_dir()).expect("store");
    assert!(
        !store.is_subscribed(READER).expect("reads"),
        "changed nothing"
    );

    let before = bot.tg.sent_to("sendmessage", GROUP).len();
    bot.tg.push(group_text(
        GROUP,
        7,
        &format!(
            "@{} 党的政治建设的首要任务是什么",
            crate::fake_telegram::BOT_USERNAME
        ),
    ));
    let answered = bot.tg.nth_message_to(GROUP, before + 1).await;
    assert!(answered.text().contains("首要任务"), "{}", answered.text());
    // An admin reaches the bot in a private chat, to run it.
    let stats = bot.say(ADMIN as i64, "/stats").await;
    assert!(!stats.text().contains("只在本单位"), "{}", stats.text());
    bot.tg.push(inline_query(READER as u64, "两个维护"));
    let inline = bot
        .tg
        .wait_until(Duration::from_secs(20), "answerInlineQuery", |tg| {
            tg.calls("answerinlinequery").into_iter().next()
        })
        .await;
    assert_eq!(
        inline.params["results"].as_array().map(Vec::len),
        Some(0),
        "nothing offered outside the list"
    );
    bot.stop().await;
}

/// A forward HTTP proxy on loopback: it pipes each connection to the host its first request
/// names and keeps what the client sent, so that a test can see the traffic went through it.
struct TestProxy {
    url: String,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl TestProxy {
    async fn start(user_info: &str) -> TestProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!(
            "http://{user_info}@{}",
            listener.local_addr().expect("addr")
        );
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = sent.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(pipe(client, log.clone()));
            }
        });
        TestProxy { url, sent }
    }

    fn seen(&self) -> String {
        String::from_utf8_lossy(&self.sent.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }
}

/// One proxied connection: the upstream is the `host:port` of the absolute URL on the
/// request line (`POST http://127.0.0.1:PORT/bot…/getMe HTTP/1.1`).
async fn pipe(mut client: TcpStream, log: Arc<Mutex<Vec<u8>>>) {
    let mut head = Vec::new();
    let mut buf = [0u8; 8192];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match client.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let line = String::from_utf8_lossy(&head)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    let Some(host) = line
        .split_whitespace()
        .nth(1)
        .and_then(|u| u.strip_prefix("http://"))
        .and_then(|rest| rest.split('/').next())
        .map(str::to_string)
    else {
        return;
    };
    let Ok(mut upstream) = TcpStream::connect(&host).await else {
        return;
    };
    log.lock()
        .unwrap_or_else(|p| p.into_inner())
        .extend_from_slice(&head);
    if upstream.write_all(&head).await.is_err() {
        return;
    }
    let (mut from_client, mut to_client) = client.into_split();
    let (mut from_upstream, mut to_upstream) = upstream.into_split();
    let up = async {
        let mut buf = [0u8; 8192];
        loop {
            match from_client.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    log.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .extend_from_slice(&buf[..n]);
                    if to_upstream.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to_upstream.shutdown().await;
    };
    let down = async {
        let _ = tokio::io::copy(&mut from_upstream, &mut to_client).await;
        let _ = to_client.shutdown().await;
    };
    tokio::join!(up, down);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bot_api_traffic_goes_through_the_proxy() {
    let proxy = TestProxy::start("kuayue:hunter2").await;
    let via = Proxy::parse(&proxy.url).expect("proxy url");
    let mut bot = TestBot::start_with(|s| s.deploy.proxy = Some(via)).await;
    let answer = bot.say(READER, "党的政治建设的首要任务是什么").await;
    assert!(answer.text().contains("首要任务"), "{}", answer.text());
    bot.stop().await;
    let seen = proxy.seen().to_ascii_lowercase();
    for method in ["/getme ", "/getupdates ", "/sendmessage "] {
        assert!(seen.contains(method), "{method} not through the proxy");
    }
    // The proxy's credentials went to the proxy, as Proxy-Authorization (user:password).
    assert!(
        seen.contains("proxy-authorization: basic a3vhexvlomh1bnrlcji="),
        "no proxy credentials in {}",
        &seen[..seen.len().min(600)]
    );
}

/// A free loopback port for a listener the bot will bind.
fn free_addr() -> std::net::SocketAddr {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    socket.local_addr().expect("addr")
}

const SECRET: &str = "kuayue_Webhook-secret_1";

/// Post `body` to the bot's webhook as Telegram would, with `secret` in the header.
async fn post(url: &str, secret: Option<&str>, body: String) -> u16 {
    let client = reqwest::Client::new();
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = secret {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", s);
    }
    request
        .send()
        .await
        .expect("the listener answers")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_serves_telegram_and_refuses_everyone_else() {
    let listen = free_addr();
    let monitor = free_addr();
    let mut bot = TestBot::start_env(&[
        ("METRICS_LISTEN", monitor.to_string()),
        ("BOT_MODE", "webhook".into()),
        ("WEBHOOK_URL", "https://bot.example.gov.cn/tg/hook".into()),
        ("WEBHOOK_LISTEN", listen.to_string()),
        ("WEBHOOK_SECRET", SECRET.into()),
    ])
    .await;
    let set = bot.tg.calls("setwebhook").remove(0);
    assert_eq!(set.params["url"], "https://bot.example.gov.cn/tg/hook");
    assert_eq!(set.params["secret_token"], SECRET);
    let allowed = set.params["allowed_updates"].to_string();
    assert!(
        allowed.contains("message") && allowed.contains("callback_query"),
        "{allowed}"
    );
    assert!(
        bot.tg.calls("getupdates").is_empty(),
        "no polling beside the webhook"
    );

    let hook = format!("http://{listen}/tg/hook");
    let update = |n: i64, text: &str| {
        let mut u = private_text(READER, text);
        u["update_id"] = serde_json::json!(n);
        u.to_string()
    };
    let question = "党的政治建设的首要任务是什么";
    assert_eq!(post(&hook, None, update(1, question)).await, 401);
    assert_eq!(
        post(&hook, Some("wrong-secret"), update(2, question)).await,
        401
    );
    assert_eq!(
        post(
            &hook,
            Some(&SECRET[..SECRET.len() - 1]),
            update(3, question)
        )
        .await,
        401,
        "a prefix of the secret is not the secret"
    );
    assert_eq!(
        post(&hook, Some(SECRET), "{\"not\": \"an update\"".into()).await,
        400
    );
    assert_eq!(post(&hook, Some(SECRET), "[1, 2, 3]".into()).await, 400);
    assert_eq!(
        settled_count(&bot, READER, "").await,
        0,
        "nothing refused was processed"
    );
    let (_, metrics) = get(&format!("http://{monitor}/metrics")).await;
    assert_eq!(
        sample(
            &metrics,
            "kuayue_webhook_refused_total{reason=\"unauthorised\"}"
        ),
        3.0,
        "{metrics}"
    );
    assert_eq!(
        sample(
            &metrics,
            "kuayue_webhook_refused_total{reason=\"malformed\"}"
        ),
        2.0
    );
    assert_eq!(post(&hook, Some(SECRET), update(4, question)).await, 200);
    let answer = bot.tg.nth_message_to(READER, 1).await;
    assert!(answer.text().contains("首要任务"), "{}", answer.text());
    assert_eq!(settled_count(&bot, READER, "").await, 1);

    // Back to polling: the webhook is deleted before the first getUpdates.
    bot.stop().await;
    bot.settings.deploy.mode = kuayue::bot::settings::Mode::Polling;
    bot.launch().await;
    let calls = bot.tg.calls("");
    let deleted = calls.iter().position(|c| c.method == "deletewebhook");
    let polled = calls.iter().position(|c| c.method == "getupdates");
    assert!(
        deleted.is_some() && deleted < polled,
        "deleteWebhook {deleted:?} before getUpdates {polled:?}"
    );
    bot.stop().await;
}

/// GET `url`: the status and the body.
async fn get(url: &str) -> (u16, String) {
    let response = reqwest::get(url).await.expect("the monitor answers");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The value of the sample `name` (with its labels) in a Prometheus exposition; 0 if absent.
fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics_show_the_operator_how_the_bot_is() {
    let addr = free_addr();
    let mut bot = TestBot::start_env(&[("METRICS_LISTEN", addr.to_string())]).await;
    let healthz = format!("http://{addr}/healthz");
    let metrics = format!("http://{addr}/metrics");

    let (status, body) = get(&healthz).await;
    assert_eq!(status, 200, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(json["status"], "ok");
    assert_eq!(json["index"]["issues"], 1);
    assert_eq!(json["database"], "ok");
    assert_eq!(json["mode"], "polling");

    let (_, before) = get(&metrics).await;
    let confident = "kuayue_questions_answered_total{level=\"confident\"}";
    let messages = "kuayue_updates_received_total{kind=\"message\"}";
    bot.say(READER, "党的政治建设的首要任务是什么").await;
    bot.say(READER, "什么是两个维护").await;
    // The latency is observed once Telegram has accepted the reply: wait for it.
    let latency = "kuayue_reply_latency_seconds_count";
    let after = poll(|| async {
        let (_, text) = get(&metrics).await;
        (sample(&text, latency) >= sample(&before, latency) + 2.0).then_some(text)
    })
    .await;
    assert_eq!(
        sample(&after, confident),
        sample(&before, confident) + 2.0,
        "{after}"
    );
    assert!(
        sample(&after, messages) >= sample(&before, messages) + 2.0,
        "{after}"
    );
    for name in [
        "kuayue_outbox_notices{state=\"pending\"}",
        "kuayue_process_uptime_seconds",
        "kuayue_replies_failed_total",
        "kuayue_reindex_runs_total",
    ] {
        assert!(after.contains(name), "{name} missing from {after}");
    }
    assert!(
        after.contains("kuayue_index_generation_info{generation="),
        "{after}"
    );

    // getUpdates fails, and /healthz says so until an update arrives. (A 400 rather than a
    // 5xx, which teloxide holds for 10 s before reporting.)
    bot.tg.fail("getupdates", None, Failure::BadRequest, 2);
    let body = poll(|| async {
        let (status, body) = get(&healthz).await;
        (status == 503).then_some(body)
    })
    .await;
    assert!(
        body.contains("telegram: the update listener failed"),
        "{body}"
    );
    bot.say(READER, "什么是两个维护").await;
    let (status, body) = get(&healthz).await;
    assert_eq!(status, 200, "{body}");

    // The database does not answer: 503 naming it.
    let db = rusqlite::Connection::open(bot.data_dir().join("bot.sqlite3")).expect("open");
    db.execute_batch("ALTER TABLE outbox RENAME TO outbox_away")
        .expect("rename");
    let (status, body) = get(&healthz).await;
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("database:"), "{body}");
    db.execute_batch("ALTER TABLE outbox_away RENAME TO outbox")
        .expect("rename back");
    assert_eq!(get(&healthz).await.0, 200);
    bot.stop().await;
    assert!(
        reqwest::get(&healthz).await.is_err(),
        "the monitor stops with the bot"
    );
}

/// Call `check` every 20 ms until it yields, for at most 30 s.
async fn poll<T, F, Fut>(mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(std::time::Instant::now() < deadline, "timed out");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A backup taken while readers keep subscribing is one consistent snapshot: restored into a
/// fresh DATA_DIR, everyone who had subscribed before it started is there, and a bot started
/// on it serves. A restore is refused while a bot runs on the data directory, and a backup
/// whose files do not match their checksums is refused before anything is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_the_bot_writes_restores_with_nothing_lost() {
    use kuayue::config::Paths;
    use kuayue::store::Store;
    const BEFORE: i64 = 20;
    let mut bot = TestBot::start().await;
    for i in 0..BEFORE {
        bot.say(5_000 + i, "/subscribe").await;
    }
    // More readers subscribe while the backup runs.
    for i in 0..300 {
        bot.tg.push(private_text(6_000 + i, "/subscribe"));
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let dest = tmp.path().join("backup-1");
    let paths = bot.settings.paths.clone();
    let to = dest.clone();
    let done = tokio::task::spawn_blocking(move || kuayue::backup::backup(&paths, &to))
        .await
        .expect("joined")
        .expect("backup");
    assert!(done.manifest.files.iter().any(|f| f.path == "bot.sqlite3"));
    assert!(done
        .manifest
        .files
        .iter()
        .any(|f| f.path == "corpus/2019-03/raw.txt"));

    let err = kuayue::backup::restore(&dest, &bot.settings.paths).expect_err("bot running");
    assert!(err.to_string().contains("正在使用"), "{err}");
    let err = kuayue::backup::backup(&bot.settings.paths, &dest).expect_err("not empty");
    assert!(err.to_string().contains("不是空目录"), "{err}");
    bot.stop().await;

    // A damaged copy is refused, naming the file, and writes nothing.
    let damaged = tmp.path().join("damaged");
    crate::util::copy_dir(&dest, &damaged);
    let raw = damaged.join("corpus/2019-03/raw.txt");
    let mut bytes = std::fs::read(&raw).expect("read");
    bytes[100] ^= 1;
    std::fs::write(&raw, bytes).expect("write");
    let nowhere = Paths {
        corpus_dir: tmp.path().join("nowhere/corpus"),
        data_dir: tmp.path().join("nowhere/data"),
    };
    let err = kuayue::backup::restore(&damaged, &nowhere).expect_err("damaged");
    assert!(err.to_string().contains("corpus/2019-03/raw.txt"), "{err}");
    assert!(!nowhere.data_dir.exists() && !nowhere.corpus_dir.exists());

    // Restored into a fresh workspace, a bot serves it with every subscriber kept.
    let mut restored = TestBot::start_full(
        |_| {},
        std::sync::Arc::new(kuayue::bot::backend::EngineBackend),
        |workspace| {
            let fresh = Paths {
                corpus_dir: workspace.join("corpus"),
                data_dir: workspace.join("data"),
            };
            kuayue::backup::restore(&dest, &fresh).expect("restore");
        },
    )
    .await;
    let answer = restored.say(READER, "党的政治建设的首要任务是什么").await;
    assert!(answer.text().contains("首要任务"), "{}", answer.text());
    restored.stop().await;
    let store = Store::open_in(&restored.data_dir()).expect("store");
    for i in 0..BEFORE {
        assert!(store.is_subscribed(5_000 + i).expect("reads"), "reader {i}");
    }
    let count = store.subscriber_count().expect("count");
    assert!(
        (BEFORE as u64..=BEFORE as u64 + 300).contains(&count),
        "{count}"
    );
    drop(store);
    // Over a live database and corpus, what is replaced is kept aside, not deleted.
    let again = kuayue::backup::restore(&dest, &restored.settings.paths).expect("again");
    let kept = again.kept.expect("the replaced database");
    assert!(kept.is_file(), "{}", kept.display());
    let aside: Vec<_> = std::fs::read_dir(restored.corpus_dir())
        .expect("corpus")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".before-restore-")
        })
        .collect();
    // One from the first restore (the workspace's own corpus), one from this one.
    assert_eq!(aside.len(), 2);
    assert!(aside
        .iter()
        .all(|a| a.path().join("2019-03/raw.txt").is_file()));
    assert!(kuayue::corpus::load_dir(&restored.corpus_dir()).is_ok());
}

/// The environment a test bot runs with, as `kuayue doctor` reads it.
fn env_of(bot: &TestBot, extra: &[(&str, String)]) -> impl Fn(&str) -> Option<String> {
    let mut env: Vec<(String, String)> = extra
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    env.extend([
        ("TELOXIDE_TOKEN".into(), crate::fake_telegram::TOKEN.into()),
        ("ADMIN_IDS".into(), ADMIN.to_string()),
        ("TELOXIDE_API_URL".into(), bot.tg.url.clone()),
        ("CORPUS_DIR".into(), bot.corpus_dir().display().to_string()),
        ("DATA_DIR".into(), bot.data_dir().display().to_string()),
    ]);
    move |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
}

fn verdicts(
    checks: &[kuayue::bot::doctor::Check],
) -> Vec<(&'static str, kuayue::bot::doctor::Verdict)> {
    checks.iter().map(|c| (c.name, c.verdict)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_passes_a_good_deployment_and_names_what_is_broken_in_a_bad_one() {
    use kuayue::bot::doctor::{run, Verdict::*};
    let mut bot = TestBot::start().await;
    bot.stop().await;
    let good = run(env_of(&bot, &[])).await;
    assert_eq!(
        verdicts(&good),
        [
            ("设置", Ok),
            ("语料", Ok),
            ("索引", Ok),
            ("数据库", Ok),
            ("令牌", Ok),
            ("Webhook", Ok)
        ],
        "{good:#?}"
    );
    assert!(good[4]
        .to_string()
        .contains(crate::fake_telegram::BOT_USERNAME));

    // A bad setting is named, and what needs the settings is skipped.
    let bad = run(env_of(&bot, &[("ADMIN_IDS", "@boss".into())])).await;
    assert_eq!(bad[0].verdict, Fail);
    assert!(bad[0].detail.contains("ADMIN_IDS"), "{bad:#?}");
    assert_eq!(bad[4].verdict, Warn);

    // No corpus, a database newer than this binary, a token Telegram refuses, a webhook
    // that does not match the mode.
    let empty = tempfile::tempdir().expect("tempdir");
    let db = rusqlite::Connection::open(bot.data_dir().join("bot.sqlite3")).expect("db");
    db.pragma_update(None, "user_version", 99).expect("version");
    drop(db);
    bot.tg
        .fail("getme", None, crate::fake_telegram::Failure::Forbidden, 1);
    let broken = run(env_of(
        &bot,
        &[("CORPUS_DIR", empty.path().display().to_string())],
    ))
    .await;
    let v = verdicts(&broken);
    assert_eq!(v[1], ("语料", Fail), "{broken:#?}");
    assert_eq!(v[3], ("数据库", Fail), "{broken:#?}");
    assert!(broken[3].detail.contains("99"), "{broken:#?}");
    assert_eq!(v[4], ("令牌", Fail), "{broken:#?}");
    assert!(!broken[4].detail.contains("AAHdq"), "the token never shows");

    let hooked = run(env_of(
        &bot,
        &[
            ("BOT_MODE", "webhook".into()),
            ("WEBHOOK_URL", "https://bot.example.gov.cn/hook".into()),
            ("WEBHOOK_SECRET", "s3cret".into()),
        ],
    ))
    .await;
    assert_eq!(verdicts(&hooked)[5], ("Webhook", Warn), "{hooked:#?}");
}

/// Notices given up reach the admins as one alert per period, and what was held back in it
/// is summed up with its count when the period ends; neither carries the token.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trouble_reaches_the_admins_once_per_period_with_a_count() {
    let mut bot = TestBot::start_with(|s| s.alert_every = Duration::from_secs(2)).await;
    for reader in [7_001, 7_002, 7_003] {
        bot.say(reader, "/subscribe").await;
        bot.tg
            .fail("sendMessage", Some(reader), Failure::BadRequest, 10);
    }
    add_next_issue(&bot.corpus_dir());
    bot.tg.push(private_text(ADMIN as i64, "/reindex"));
    let alerts = |tg: &crate::fake_telegram::FakeTelegram, needle: &str| {
        tg.sent_to("sendmessage", ADMIN as i64)
            .into_iter()
            .filter(|c| c.text().contains(needle))
            .collect::<Vec<_>>()
    };
    let first = bot
        .tg
        .wait_until(Duration::from_secs(30), "the first alert", |tg| {
            alerts(tg, "已放弃").into_iter().next()
        })
        .await;
    assert!(first.text().contains("2019-04"), "{}", first.text());
    let summary = bot
        .tg
        .wait_until(Duration::from_secs(30), "the summary", |tg| {
            alerts(tg, "同类问题又发生了").into_iter().next()
        })
        .await;
    assert!(
        summary.text().contains("又发生了 2 次"),
        "{}",
        summary.text()
    );
    assert_eq!(
        alerts(&bot.tg, "已放弃").len(),
        2,
        "the first alert and the summary quoting the last, not one per notice"
    );
    for c in bot.tg.sent_to("sendmessage", ADMIN as i64) {
        assert!(!c.text().contains("AAHdq"), "{}", c.text());
    }
    bot.stop().await;
}
