//! What survives what: the bot end to end against the fake Bot API under flood limits,
//! outages, panics and damaged files, with a real SQLite file in a temp dir.

use crate::fake_telegram::{Failure, Limits};
use crate::harness::{group_text, private_text, TestBot, ADMIN, READER};
use kuayue::bot::backend::EngineBackend;
use kuayue::bot::settings::ReplyPolicy;
use kuayue::bot::{Backend, BackendError, Imported, Library, Opened, Rebuilt, SearchFailed};
use kuayue::config::Paths;
use kuayue::corpus::Corpus;
use kuayue::search::Answer;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const QUESTIONS: [&str; 3] = [
    "党的政治建设的首要任务是什么",
    "什么是“两个维护”",
    "模范机关创建有哪些要求",
];

const SORRY: &str = "暂时无法回答，请稍后再试";

/// 100 readers and 10 groups ask at once while the fake enforces Telegram's limits (30/s
/// overall, 1/s per private chat, 20/min per group): every question gets exactly one answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_questions_from_100_readers_loses_no_answer() {
    let mut bot = TestBot::start_with(|s| {
        s.replies = ReplyPolicy {
            backoff: Duration::from_millis(100),
            ..ReplyPolicy::default()
        };
    })
    .await;
    let readers: Vec<i64> = (0..100).map(|i| 10_000 + i).collect();
    let groups: Vec<i64> = (0..10).map(|i| -500_000 - i).collect();
    // Half the readers are subscribed: a new issue's notices go out during the burst and
    // share the overall limit with the answers.
    let subscribers = &readers[..50];
    for &r in subscribers {
        bot.tg.push(private_text(r, "/subscribe"));
    }
    bot.tg
        .wait_until(Duration::from_secs(20), "subscriptions", |tg| {
            subscribers
                .iter()
                .all(|r| !tg.sent_to("sendmessage", *r).is_empty())
                .then_some(())
        })
        .await;
    let before: HashMap<i64, usize> = readers
        .iter()
        .map(|r| (*r, bot.tg.sent_to("sendmessage", *r).len()))
        .collect();
    let admin_before = bot.tg.sent_to("sendmessage", ADMIN as i64).len();
    crate::harness::add_next_issue(&bot.corpus_dir());
    bot.tg.enforce(Limits::default());
    let started = Instant::now();
    bot.tg.push(private_text(ADMIN as i64, "/reindex"));
    let mut group_questions: HashMap<i64, HashSet<i64>> = HashMap::new();
    for question in QUESTIONS {
        for &r in &readers {
            bot.tg.push(private_text(r, question));
        }
    }
    for k in 0..15 {
        for &g in &groups {
            let update = group_text(g, 900 + k as u64, &format!("/ask {}", QUESTIONS[k % 3]));
            let id = update["message"]["message_id"]
                .as_i64()
                .expect("message id");
            group_questions.entry(g).or_default().insert(id);
            bot.tg.push(update);
        }
    }
    let answers = readers.len() * QUESTIONS.len() + groups.len() * 15;
    bot.tg
        .wait_until(Duration::from_secs(55), "every answer and notice", |tg| {
            let readers_done = readers.iter().all(|r| {
                let owed = QUESTIONS.len() + usize::from(subscribers.contains(r));
                tg.sent_to("sendmessage", *r).len() >= before[r] + owed
            });
            let groups_done = groups
                .iter()
                .all(|g| tg.sent_to("sendmessage", *g).len() >= 15);
            let reported = tg
                .sent_to("sendmessage", ADMIN as i64)
                .iter()
                .any(|c| c.text().contains("索引已重建"));
            (readers_done && groups_done && reported).then_some(())
        })
        .await;
    let took = started.elapsed();
    // Anything late or doubled would show up now.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for &r in &readers {
        let (notices, texts): (Vec<String>, Vec<String>) = bot
            .tg
            .sent_to("sendmessage", r)
            .iter()
            .skip(before[&r])
            .map(|c| c.text().to_string())
            .partition(|t| t.contains("新刊已收录"));
        let subscribed = subscribers.contains(&r);
        assert_eq!(
            notices.len(),
            usize::from(subscribed),
            "reader {r}: {notices:#?}"
        );
        let distinct: HashSet<&String> = texts.iter().collect();
        assert_eq!(texts.len(), QUESTIONS.len(), "reader {r}: {texts:#?}");
        assert_eq!(
            distinct.len(),
            QUESTIONS.len(),
            "reader {r}: one answer per question"
        );
    }
    for &g in &groups {
        let answered: Vec<i64> = bot
            .tg
            .sent_to("sendmessage", g)
            .iter()
            .filter_map(|c| c.params.pointer("/reply_parameters/message_id")?.as_i64())
            .collect();
        let distinct: HashSet<i64> = answered.iter().copied().collect();
        assert_eq!(answered.len(), 15, "group {g}");
        assert_eq!(
            distinct, group_questions[&g],
            "group {g}: each question once"
        );
    }
    let reports: Vec<String> = bot
        .tg
        .sent_to("sendmessage", ADMIN as i64)
        .iter()
        .skip(admin_before)
        .map(|c| c.text().to_string())
        .collect();
    let done = reports.iter().filter(|t| t.contains("索引已重建")).count();
    assert_eq!(done, 1, "{reports:#?}");
    assert!(
        reports.iter().any(|t| t.contains("已排队通知 50 位订阅者")),
        "{reports:#?}"
    );
    eprintln!(
        "flood: {answers} answers, {} notices and the admin's report delivered in {took:?}; \
         the fake refused {} sends with 429",
        subscribers.len(),
        bot.tg.refused("sendmessage")
    );
    bot.stop().await;
}

/// A single 500 on one chat's reply, and a 502 outage on another's: both replies arrive once
/// the server answers again, and a third chat is answered meanwhile without waiting for them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_delay_a_reply_but_never_lose_it_or_stall_other_chats() {
    let mut bot = TestBot::start().await;
    let (one_500, outage, bystander) = (3001, 3002, 3003);
    bot.tg
        .fail("sendmessage", Some(one_500), Failure::ServerError, 1);
    bot.tg.push(private_text(one_500, QUESTIONS[0]));
    // The 500 is being answered (teloxide-core then sleeps 10 s inside that request).
    bot.tg
        .wait_until(Duration::from_secs(10), "the failed send", |tg| {
            (tg.refused("sendmessage") == 1).then_some(())
        })
        .await;
    let t0 = Instant::now();
    let answer = bot.say(bystander, QUESTIONS[1]).await;
    assert!(!answer.text().contains(SORRY));
    // Answered while the failed chat's reply still waits (teloxide sleeps 10 s after a 5xx).
    assert!(bot.tg.sent_to("sendmessage", one_500).is_empty());
    assert!(
        t0.elapsed() < Duration::from_secs(8),
        "another chat waited {:?}",
        t0.elapsed()
    );

    // The Bot API goes down while a question is being handled.
    bot.tg.outage(Duration::from_secs(2));
    let outage_ends = Instant::now() + Duration::from_secs(2);
    bot.tg.push(private_text(outage, QUESTIONS[2]));

    let late = bot.tg.nth_message_to(one_500, 1).await;
    assert!(late.text().contains("①"), "{}", late.text());
    let late = bot.tg.nth_message_to(outage, 1).await;
    assert!(late.at >= outage_ends);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(bot.tg.sent_to("sendmessage", one_500).len(), 1);
    assert_eq!(bot.tg.sent_to("sendmessage", outage).len(), 1);
    bot.stop().await;
}

/// An admin's reindex report meets 429s and still arrives, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reports_wait_out_flood_limits() {
    let mut bot = TestBot::start().await;
    bot.tg
        .fail("sendmessage", Some(ADMIN as i64), Failure::RetryAfter(1), 4);
    bot.tg.push(private_text(ADMIN as i64, "/reindex"));
    let report = bot
        .tg
        .wait_until(Duration::from_secs(30), "the reindex report", |tg| {
            tg.sent_to("sendmessage", ADMIN as i64)
                .into_iter()
                .find(|c| c.text().contains("索引已重建"))
        })
        .await;
    assert!(report.text().contains("段"), "{}", report.text());
    let reports = bot
        .tg
        .sent_to("sendmessage", ADMIN as i64)
        .iter()
        .filter(|c| c.text().contains("索引已重建"))
        .count();
    assert_eq!(reports, 1);
    bot.stop().await;
}

/// An engine whose searches panic on one word, and whose corpus panics while `armed`: what
/// a damaged index or a bug does to a handler.
struct Flaky {
    inner: Arc<dyn Library>,
    armed: Arc<AtomicBool>,
}

/// The word that makes [`Flaky`] panic.
const BOOM: &str = "引爆测试";

impl Library for Flaky {
    fn ask(&self, question: &str, top: usize) -> Result<Answer, SearchFailed> {
        if question.contains(BOOM) {
            panic!("index out of bounds in a damaged segment (test)");
        }
        self.inner.ask(question, top)
    }
    fn generation(&self) -> Option<String> {
        self.inner.generation()
    }
    fn corpus(&self) -> &Corpus {
        if self.armed.load(Ordering::SeqCst) {
            panic!("a bug in a handler (test)");
        }
        self.inner.corpus()
    }
    fn passage_text(&self, issue: &str, index: usize) -> Option<String> {
        self.inner.passage_text(issue, index)
    }
}

struct FlakyBackend {
    armed: Arc<AtomicBool>,
}

impl FlakyBackend {
    fn wrap(&self, inner: Arc<dyn Library>) -> Arc<dyn Library> {
        Arc::new(Flaky {
            inner,
            armed: self.armed.clone(),
        })
    }
}

impl Backend for FlakyBackend {
    fn open(&self, paths: &Paths, progress: &mut dyn FnMut(&str)) -> Result<Opened, BackendError> {
        let opened = EngineBackend.open(paths, progress)?;
        Ok(Opened {
            library: self.wrap(opened.library),
            warnings: opened.warnings,
        })
    }
    fn rebuild(
        &self,
        paths: &Paths,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Arc<dyn Library>, Rebuilt), BackendError> {
        let (lib, stats) = EngineBackend.rebuild(paths, progress)?;
        Ok((self.wrap(lib), stats))
    }
    fn import(&self, paths: &Paths, raw: &[u8]) -> Result<Imported, BackendError> {
        EngineBackend.import(paths, raw)
    }
}

/// A search that panics gets a polite answer, the admins are told and the index is rebuilt
/// in the background; a handler that panics leaves its chat served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_answers_politely_tells_the_admins_and_the_chat_stays_served() {
    let armed = Arc::new(AtomicBool::new(false));
    let backend = Arc::new(FlakyBackend {
        armed: armed.clone(),
    });
    let mut bot = TestBot::start_full(|_| {}, backend, |_| {}).await;

    let sorry = bot.say(READER, &format!("{BOOM}是什么")).await;
    assert!(sorry.text().contains(SORRY), "{}", sorry.text());
    let healed = bot
        .tg
        .wait_until(Duration::from_secs(30), "the admins to hear of it", |tg| {
            let to_admin = tg.sent_to("sendmessage", ADMIN as i64);
            let told = to_admin.iter().any(|c| c.text().contains("搜索出错"));
            let rebuilt = to_admin
                .into_iter()
                .find(|c| c.text().contains("已自动重建索引"));
            rebuilt.filter(|_| told)
        })
        .await;
    assert!(healed.text().contains("段"), "{}", healed.text());
    let answer = bot.say(READER, QUESTIONS[0]).await;
    assert!(answer.text().contains("①"), "{}", answer.text());

    // A panic in a handler (here: reading the table of contents) …
    armed.store(true, Ordering::SeqCst);
    let sorry = bot.say(READER, "/toc").await;
    assert!(sorry.text().contains(SORRY), "{}", sorry.text());
    armed.store(false, Ordering::SeqCst);
    // … and the same chat is answered afterwards: its dispatcher worker lives.
    let answer = bot.say(READER, QUESTIONS[1]).await;
    assert!(answer.text().contains("①"), "{}", answer.text());
    bot.stop().await;
}

/// The generation directory `index.current` names.
fn current_generation(data: &Path) -> PathBuf {
    let pointer = std::fs::read_to_string(data.join("index.current")).expect("index.current");
    data.join(format!(
        "index-{}",
        pointer.lines().next().expect("generation")
    ))
}

/// Every file of a generation but its READY marker, rewritten by `damage`.
fn damage_index(dir: &Path, damage: impl Fn(usize) -> Vec<u8>) {
    for e in std::fs::read_dir(dir).expect("generation dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name == "READY" || name.ends_with(".lock") {
            continue;
        }
        let len = e.metadata().map(|m| m.len() as usize).unwrap_or(0);
        std::fs::write(e.path(), damage(len)).expect("damage a file");
    }
}

fn garbage(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// Garbage in the generation's files while the bot runs: the index is served from memory, and
/// a passage text read from the damaged file is refused by its checksum (no panic, no SIGBUS,
/// no wrong text). That reader is asked to come back, the admins hear of it, the index is
/// rebuilt, and the chat is answered as before. Damage found at a start (truncation, then
/// garbage) is rebuilt by itself, and the admins hear of it too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn damaged_index_files_never_silence_a_chat_and_are_rebuilt() {
    let mut bot = TestBot::start().await;
    let first = current_generation(&bot.data_dir());
    let baseline = bot.say(READER, QUESTIONS[0]).await;

    damage_index(&first, garbage);
    let sorry = bot.say(READER, QUESTIONS[2]).await;
    assert!(sorry.text().contains(SORRY), "{}", sorry.text());
    let healed = bot
        .tg
        .wait_until(Duration::from_secs(30), "the admins to hear of it", |tg| {
            tg.sent_to("sendmessage", ADMIN as i64)
                .into_iter()
                .find(|c| c.text().contains("已自动重建索引"))
        })
        .await;
    assert!(healed.text().contains("段"), "{}", healed.text());
    let answer = bot.say(READER, QUESTIONS[0]).await;
    assert_eq!(answer.text(), baseline.text());
    let second = current_generation(&bot.data_dir());
    assert_ne!(first, second, "a new generation replaced the damaged one");

    bot.stop().await;
    damage_index(&second, |_| Vec::new());
    bot.restart().await;
    let third = current_generation(&bot.data_dir());
    assert_ne!(second, third, "a truncated generation is rebuilt at start");
    let answer = bot.say(READER, QUESTIONS[0]).await;
    assert_eq!(answer.text(), baseline.text());
    let told = bot
        .tg
        .wait_until(Duration::from_secs(10), "the admins to hear", |tg| {
            tg.sent_to("sendmessage", ADMIN as i64)
                .into_iter()
                .find(|c| c.text().contains("索引已损坏"))
        })
        .await;
    assert!(told.text().contains("自动重建"), "{}", told.text());

    // Garbage at start, too.
    bot.stop().await;
    damage_index(&third, garbage);
    bot.restart().await;
    assert_ne!(current_generation(&bot.data_dir()), third);
    let answer = bot.say(READER, QUESTIONS[1]).await;
    assert!(answer.text().contains("①"), "{}", answer.text());
    bot.stop().await;
}

/// Break an issue's structure file the way an editor might (a bad value).
fn break_issue(issue_dir: &Path) {
    let path = issue_dir.join("issue.toml");
    let toml = std::fs::read_to_string(&path).expect("issue.toml");
    std::fs::write(&path, toml.replacen("number = ", "number = \"five\" #", 1))
        .expect("write issue.toml");
}

/// A restart with a broken issue.toml: the last good generation serves (with the corpus it
/// was built from) and the admins are told which file to fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_issue_toml_at_restart_keeps_the_last_good_index_serving() {
    let mut bot = TestBot::start().await;
    let baseline = bot.say(READER, QUESTIONS[0]).await;
    bot.stop().await;
    break_issue(&bot.corpus_dir().join("2019-03"));
    bot.restart().await;
    let answer = bot.say(READER, QUESTIONS[0]).await;
    assert_eq!(answer.text(), baseline.text());
    let told = bot
        .tg
        .wait_until(Duration::from_secs(10), "the admins to hear", |tg| {
            tg.sent_to("sendmessage", ADMIN as i64)
                .into_iter()
                .find(|c| c.text().contains("语料无法解析"))
        })
        .await;
    assert!(
        told.text().contains("2019-03/issue.toml:"),
        "{}",
        told.text()
    );
    bot.stop().await;
}

/// No earlier index and one broken issue: the issues that parse are served, and the admins
/// are told which one was left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_earlier_index_the_issues_that_parse_are_served() {
    let mut bot = TestBot::start_full(
        |_| {},
        Arc::new(EngineBackend),
        |dir: &Path| {
            crate::harness::add_next_issue(&dir.join("corpus"));
            break_issue(&dir.join("corpus/2019-04"));
        },
    )
    .await;
    let answer = bot.say(READER, QUESTIONS[0]).await;
    assert!(
        answer.text().contains("《跨越》2019年第3期"),
        "{}",
        answer.text()
    );
    let told = bot
        .tg
        .wait_until(Duration::from_secs(10), "the admins to hear", |tg| {
            tg.sent_to("sendmessage", ADMIN as i64)
                .into_iter()
                .find(|c| c.text().contains("暂未收录"))
        })
        .await;
    assert!(
        told.text().contains("2019-04/issue.toml:"),
        "{}",
        told.text()
    );
    let issues = bot.say(READER, "/issues").await;
    assert!(!issues.text().contains("第4期"), "{}", issues.text());
    bot.stop().await;
}

/// A data directory that cannot be written is named as the cause, with no advice about the
/// index. (Tests run as root, where permission bits do not stop writes: the directory sits
/// under a regular file instead, which no one can write into.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_data_dir_is_named_as_the_cause() {
    let mut bot = TestBot::start().await;
    bot.stop().await;
    let blocker = bot.dir.path().join("readonly");
    std::fs::write(&blocker, b"a file, not a directory").expect("blocker");
    let mut settings = bot.settings.clone();
    settings.paths.data_dir = blocker.join("data");
    let err = match kuayue::bot::telegram::start(settings, Arc::new(EngineBackend)).await {
        Ok(_) => panic!("the bot started without a writable data directory"),
        Err(e) => format!("{e:#}"),
    };
    assert!(
        err.contains("不可写") && err.contains("readonly/data"),
        "{err}"
    );
    assert!(!err.contains("kuayue index"), "{err}");
}

/// The bot's start error for these settings (it must not start).
async fn start_error(settings: kuayue::bot::settings::Settings) -> String {
    match kuayue::bot::telegram::start(settings, Arc::new(EngineBackend)).await {
        Ok(_) => panic!("the bot started"),
        Err(e) => format!("{e:#}"),
    }
}

/// A database truncated to 0 bytes (or overwritten with garbage) is refused as damaged, with
/// advice to restore from a backup, and left exactly as it was: never replaced by a new,
/// empty database that would forget every subscriber.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_or_garbage_database_is_refused_and_never_overwritten() {
    let mut bot = TestBot::start().await;
    for reader in [4001, 4002, 4003] {
        let reply = bot.say(reader, "/subscribe").await;
        assert!(reply.text().contains("订阅"), "{}", reply.text());
    }
    bot.stop().await;
    let db = bot.data_dir().join("bot.sqlite3");
    assert!(std::fs::metadata(&db).expect("db").len() > 0);
    // The last connection checkpoints the WAL into the file as it closes (a delivery task
    // may drop its handle just after the stop): damage the file only once that is done.
    let wal = bot.data_dir().join("bot.sqlite3-wal");
    for _ in 0..200 {
        if !wal.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    std::fs::write(&db, b"").expect("truncate");
    let err = start_error(bot.settings.clone()).await;
    assert!(
        err.contains("已损坏") && err.contains("为空") && err.contains("备份"),
        "{err}"
    );
    assert_eq!(
        std::fs::metadata(&db).expect("db").len(),
        0,
        "left as it was"
    );

    let junk = garbage(8192);
    std::fs::write(&db, &junk).expect("garbage");
    let err = start_error(bot.settings.clone()).await;
    assert!(err.contains("已损坏") && err.contains("备份"), "{err}");
    assert_eq!(std::fs::read(&db).expect("db"), junk, "left as it was");
}

/// `PRAGMA quick_check` at start on a database of 100,000 subscribers: prints the time.
///
/// `cargo test --release --test tests bench_quick_check -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_quick_check_on_100k_subscribers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = kuayue::store::Store::open_in(dir.path()).expect("store");
    drop(store);
    let path = dir.path().join("bot.sqlite3");
    {
        let mut conn = rusqlite::Connection::open(&path).expect("sqlite");
        let tx = conn.transaction().expect("tx");
        {
            let mut insert = tx
                .prepare(
                    "INSERT INTO subscribers (chat_id, kind, active, since, changed_at)
                     VALUES (?1, 'private', 1, 1700000000, 1700000000)",
                )
                .expect("prepare");
            for chat in 0..100_000i64 {
                insert.execute([10_000_000 + chat]).expect("insert");
            }
        }
        tx.commit().expect("commit");
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut opens = Vec::new();
    let mut checks = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let store = kuayue::store::Store::open(&path).expect("open");
        opens.push(t.elapsed());
        let t = Instant::now();
        store.quick_check().expect("quick_check");
        checks.push(t.elapsed());
        assert_eq!(store.subscriber_count().expect("count"), 100_000);
    }
    opens.sort();
    checks.sort();
    println!(
        "database of 100,000 subscribers ({:.1} MB): quick_check median {:?} (min {:?}, max {:?}); \
         whole open with the check median {:?}",
        size as f64 / 1e6,
        checks[2],
        checks[0],
        checks[4],
        opens[2]
    );
}

/// An importer that dies mid-write: it leaves a partial temporary folder, as the real one
/// does when killed, and then hangs until released.
struct StuckImport {
    entered: Arc<AtomicBool>,
    release: Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
}

impl Backend for StuckImport {
    fn open(&self, paths: &Paths, progress: &mut dyn FnMut(&str)) -> Result<Opened, BackendError> {
        EngineBackend.open(paths, progress)
    }
    fn rebuild(
        &self,
        paths: &Paths,
        progress: &mut dyn FnMut(&str),
    ) -> Result<(Arc<dyn Library>, Rebuilt), BackendError> {
        EngineBackend.rebuild(paths, progress)
    }
    fn import(&self, paths: &Paths, raw: &[u8]) -> Result<Imported, BackendError> {
        let tmp = paths
            .corpus_dir
            .join(format!(".import-2019-04-{}", std::process::id()));
        std::fs::create_dir_all(&tmp).expect("tmp");
        std::fs::write(tmp.join("raw.txt"), &raw[..raw.len() / 2]).expect("partial raw");
        self.entered.store(true, Ordering::SeqCst);
        let (lock, wake) = &*self.release;
        let mut released = lock.lock().unwrap_or_else(|p| p.into_inner());
        let deadline = Instant::now() + Duration::from_secs(60);
        while !*released && Instant::now() < deadline {
            released = wake
                .wait_timeout(released, Duration::from_millis(100))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        Err(BackendError("killed".into()))
    }
}

/// Killed mid-import, then restarted: the temporary folders are gone (with a log line), an
/// unfinished index generation too, and the admin who sent the document is told that the
/// import did not finish.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_mid_import_leaves_nothing_behind_and_the_admin_is_told() {
    let entered = Arc::new(AtomicBool::new(false));
    let release = Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
    let backend = Arc::new(StuckImport {
        entered: entered.clone(),
        release: release.clone(),
    });
    let mut bot = TestBot::start_full(|_| {}, backend, |_| {}).await;
    let raw = crate::harness::next_issue_raw().into_bytes();
    bot.tg.add_file("doc-kill", raw.clone());
    bot.tg.push(crate::harness::document(
        ADMIN as i64,
        "doc-kill",
        "2019-04.txt",
        raw.len(),
        Some("/import"),
    ));
    bot.tg
        .wait_until(Duration::from_secs(20), "the import to begin", |_| {
            entered.load(Ordering::SeqCst).then_some(())
        })
        .await;
    let db = bot.data_dir().join("bot.sqlite3");
    let store = kuayue::store::Store::open(&db).expect("a second connection");
    assert_eq!(
        store.imports_in("running").expect("journal"),
        1,
        "recorded first"
    );
    // An index build that died too, long enough ago not to be another process's.
    let dead_build = bot.data_dir().join("index-0123456789ab-dead");
    std::fs::create_dir_all(&dead_build).expect("dead build");
    std::fs::write(dead_build.join("meta.json"), b"{").expect("partial file");
    let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::open(&dead_build)
        .and_then(|d| d.set_modified(hour_ago))
        .expect("age the dead build");

    bot.crash();
    bot.restart().await;
    let told = bot
        .tg
        .wait_until(Duration::from_secs(10), "the admin to hear", |tg| {
            tg.sent_to("sendmessage", ADMIN as i64)
                .into_iter()
                .find(|c| c.text().contains("导入完成前"))
        })
        .await;
    assert!(told.text().contains("2019-04.txt"), "{}", told.text());
    let leftovers: Vec<String> = std::fs::read_dir(bot.corpus_dir())
        .expect("corpus")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(!dead_build.exists());
    assert_eq!(store.imports_in("interrupted").expect("journal"), 1);
    assert_eq!(store.imports_in("running").expect("journal"), 0);
    // Told once: a second restart says nothing more.
    bot.restart().await;
    let _ = bot.say(READER, QUESTIONS[0]).await;
    let times = bot
        .tg
        .sent_to("sendmessage", ADMIN as i64)
        .iter()
        .filter(|c| c.text().contains("导入完成前"))
        .count();
    assert_eq!(times, 1);
    bot.stop().await;

    let (lock, wake) = &*release;
    *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
    wake.notify_all();
}

/// Index files damaged on disk while the bot runs are noticed by the periodic check: the
/// admins are told and a new generation is built in the background, while readers keep
/// getting answers from the copy in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_bot_notices_damaged_index_files_and_rebuilds_them() {
    let mut bot = TestBot::start_with(|s| s.index_check_every = Duration::from_millis(200)).await;
    let first = current_generation(&bot.data_dir());
    let baseline = bot.say(READER, QUESTIONS[0]).await;
    damage_index(&first, |_| Vec::new());
    let answer = bot.say(READER, QUESTIONS[0]).await;
    assert_eq!(answer.text(), baseline.text());
    let told = bot
        .tg
        .wait_until(Duration::from_secs(20), "the rebuild report", |tg| {
            let to_admin = tg.sent_to("sendmessage", ADMIN as i64);
            let noticed = to_admin.iter().any(|c| c.text().contains("索引文件已损坏"));
            let rebuilt = to_admin
                .into_iter()
                .find(|c| c.text().contains("已自动重建索引"));
            rebuilt.filter(|_| noticed)
        })
        .await;
    assert!(told.text().contains("段"), "{}", told.text());
    let second = current_generation(&bot.data_dir());
    assert_ne!(first, second);
    kuayue::index::verify::check(&second).expect("the new generation is whole");
    let answer = bot.say(READER, QUESTIONS[0]).await;
    assert_eq!(answer.text(), baseline.text());
    bot.stop().await;
}

/// A reply still owed when the bot is killed (here: waiting out a 429) is recorded in the
/// database and sent, once, after the restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_owed_when_the_bot_is_killed_is_sent_after_the_restart() {
    let mut bot = TestBot::start().await;
    bot.tg
        .fail("sendmessage", Some(READER), Failure::RetryAfter(3), 1);
    bot.tg.push(private_text(READER, QUESTIONS[0]));
    bot.tg
        .wait_until(Duration::from_secs(10), "the 429", |tg| {
            (tg.refused("sendmessage") == 1).then_some(())
        })
        .await;
    bot.crash();
    bot.restart().await;
    let answer = bot.tg.nth_message_to(READER, 1).await;
    assert!(answer.text().contains("①"), "{}", answer.text());
    // The killed run's courier wakes from its wait after 3 s: it must not send it again.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(bot.tg.sent_to("sendmessage", READER).len(), 1);
    let store = kuayue::store::Store::open(&bot.data_dir().join("bot.sqlite3")).expect("db");
    assert!(store.replies_owed().expect("owed").is_empty());
    bot.stop().await;
}
