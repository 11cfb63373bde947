//! The bot's SQLite store on a real file: subscriptions, announcements, the outbox and button
//! state, across reopenings (a restart).

use kuayue::store::{ChatKind, Store};

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open_in(dir.path()).expect("store opens")
}

#[test]
fn subscribe_is_idempotent_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(&dir);
        assert!(store.subscribe(1, ChatKind::Private).unwrap());
        assert!(!store.subscribe(1, ChatKind::Private).unwrap());
        assert!(store.subscribe(-5, ChatKind::Group).unwrap());
        assert_eq!(store.subscriber_count().unwrap(), 2);
    }
    let store = open(&dir);
    assert!(store.is_subscribed(1).unwrap());
    assert_eq!(store.subscriber_count().unwrap(), 2);
    assert!(store.unsubscribe(1).unwrap());
    assert!(!store.unsubscribe(1).unwrap());
    assert!(store.subscribe(1, ChatKind::Private).unwrap());
}

#[test]
fn an_issue_is_announced_once_to_each_active_subscriber() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    for chat in 1..=3 {
        store.subscribe(chat, ChatKind::Private).unwrap();
    }
    store.unsubscribe(2).unwrap();
    assert_eq!(store.announce("2019-04", "新刊").unwrap(), Some(2));
    assert_eq!(store.announce("2019-04", "新刊").unwrap(), None);
    let due = store.due(10, &[]).unwrap();
    assert_eq!(due.iter().map(|d| d.chat).collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(due[0].text, "新刊");
    // Busy rows are skipped.
    assert_eq!(store.due(10, &[due[0].id]).unwrap().len(), 1);
}

#[test]
fn outbox_states_follow_delivery_outcomes_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(&dir);
        for chat in 1..=4 {
            store.subscribe(chat, ChatKind::Private).unwrap();
        }
        store.announce("2019-04", "新刊").unwrap();
        let due = store.due(10, &[]).unwrap();
        store.mark_sent(due[0].id).unwrap();
        store.chat_gone(due[1].chat, "403").unwrap();
        store.mark_failed(due[2].id, "boom").unwrap();
        // 429: retry later without using an attempt.
        store
            .mark_retry(due[3].id, kuayue::store::now_ms() + 60_000, "429", false)
            .unwrap();
    }
    let store = open(&dir);
    let counts = store.outbox_counts().unwrap();
    assert_eq!(
        (counts.sent, counts.dropped, counts.failed, counts.pending),
        (1, 1, 1, 1)
    );
    assert!(
        store.due(10, &[]).unwrap().is_empty(),
        "retry is not due yet"
    );
    assert!(!store.is_subscribed(2).unwrap(), "403 unsubscribes");
    assert_eq!(store.subscriber_count().unwrap(), 3);
}

#[test]
fn first_start_records_the_corpus_without_announcing() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    assert!(store.nothing_announced().unwrap());
    store.subscribe(1, ChatKind::Private).unwrap();
    store.mark_known(&["2019-03".into()]).unwrap();
    assert!(store.is_announced("2019-03").unwrap());
    assert!(store.due(10, &[]).unwrap().is_empty());
}

#[test]
fn button_state_has_short_keys_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let key = {
        let store = open(&dir);
        let key = store.put_button_state(r#"{"k":"a"}"#).unwrap();
        assert!(key.len() <= 16 && key.is_ascii());
        let other = store.put_button_state("x").unwrap();
        assert_ne!(key, other);
        key
    };
    let store = open(&dir);
    assert_eq!(
        store.button_state(&key).unwrap().as_deref(),
        Some(r#"{"k":"a"}"#)
    );
    assert_eq!(store.button_state("nope").unwrap(), None);
}

#[test]
fn daily_counters_count() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    store.count("answered").unwrap();
    store.count("answered").unwrap();
    assert_eq!(store.counted_today("answered").unwrap(), 2);
    assert_eq!(store.counted_today("other").unwrap(), 0);
}

#[test]
fn a_group_upgraded_to_a_supergroup_keeps_its_subscription_and_notices() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    store.subscribe(-10, ChatKind::Group).unwrap();
    store.announce("2019-04", "新刊").unwrap();
    store.migrate_chat(-10, -1_000_010).unwrap();
    assert!(!store.is_subscribed(-10).unwrap());
    assert!(store.is_subscribed(-1_000_010).unwrap());
    let due = store.due(10, &[]).unwrap();
    assert_eq!(
        due.iter().map(|d| d.chat).collect::<Vec<_>>(),
        vec![-1_000_010]
    );
}

#[test]
fn watches_are_limited_per_chat_and_paused_by_a_403() {
    use kuayue::store::{Watched, MAX_WATCHES};
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(&dir);
        assert_eq!(store.watch(7, "大湾区").unwrap(), Watched::Added);
        assert_eq!(store.watch(7, "大湾区").unwrap(), Watched::AlreadyWatched);
        for i in 1..MAX_WATCHES {
            assert_eq!(store.watch(7, &format!("词{i}")).unwrap(), Watched::Added);
        }
        assert_eq!(store.watch(7, "第二十一个").unwrap(), Watched::Full);
        assert_eq!(store.watches_of(7).unwrap().len(), MAX_WATCHES);
        assert!(store.unwatch(7, "词1").unwrap());
        assert!(!store.unwatch(7, "词1").unwrap());
        // Only the owner removes by id.
        let id = store.watches_of(7).unwrap()[0].id;
        assert_eq!(store.unwatch_id(8, id).unwrap(), None);
        assert_eq!(store.unwatch_id(7, id).unwrap().as_deref(), Some("大湾区"));
        store.subscribe(7, ChatKind::Private).unwrap();
        store.chat_gone(7, "403").unwrap();
    }
    // Across a reopening: kept but paused, and resumed when the reader writes again.
    let store = open(&dir);
    let kept = store.watches_of(7).unwrap();
    assert_eq!(kept.len(), MAX_WATCHES - 2);
    assert!(kept.iter().all(|w| w.paused));
    assert!(store.active_watches().unwrap().is_empty());
    assert_eq!(store.watch(7, "新词").unwrap(), Watched::Added);
    assert_eq!(store.active_watches().unwrap().len(), MAX_WATCHES - 1);
}

#[test]
fn a_watcher_gets_one_notice_of_its_own_per_issue() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    store.subscribe(1, ChatKind::Private).unwrap();
    store.subscribe(2, ChatKind::Private).unwrap();
    let personal = vec![
        kuayue::store::Personal {
            chat: 2,
            text: "新刊 + 关注".into(),
            buttons: Some("[[]]".into()),
        },
        kuayue::store::Personal {
            chat: 3,
            text: "只有关注".into(),
            buttons: None,
        },
    ];
    assert_eq!(
        store.announce_with("2019-04", "新刊", &personal).unwrap(),
        Some(3)
    );
    assert_eq!(
        store.announce_with("2019-04", "新刊", &personal).unwrap(),
        None,
        "never twice"
    );
    let mut due: Vec<(i64, String, Option<String>)> = store
        .due(10, &[])
        .unwrap()
        .into_iter()
        .map(|d| (d.chat, d.text, d.buttons))
        .collect();
    due.sort();
    assert_eq!(
        due,
        vec![
            (1, "新刊".to_string(), None),
            (2, "新刊 + 关注".to_string(), Some("[[]]".to_string())),
            (3, "只有关注".to_string(), None)
        ]
    );
}

// ---- votes and the misses queue -----------------------------------------------------------

use kuayue::search::Level;
use kuayue::store::{MissState, NewVote, Reason, Shown, Vote, Voted};

/// 2019-03-01 12:00 UTC+8.
const NOON: i64 = 1_551_412_800;
const DAY: i64 = 86_400;

fn shown(seq: u32) -> Shown {
    Shown {
        issue: "2019-03".into(),
        article: "中共中央关于加强党的政治建设的意见".into(),
        seq,
        pages: [4, 9],
        clause: Some("（十六）永葆清正廉洁的政治本色".into()),
    }
}

fn vote<'a>(answer: &'a str, reader: u64, v: Vote, shown: &'a [Shown], at: i64) -> NewVote<'a> {
    NewVote {
        answer,
        reader,
        vote: v,
        reason: None,
        question: "反腐败有什么要求",
        shown,
        level: Level::Confident,
        generation: Some("g1"),
        at,
    }
}

#[test]
fn a_reader_has_one_vote_per_answer_and_may_change_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let on_screen = [shown(25), shown(26)];
    assert_eq!(
        store
            .record_vote(&vote("k1", 7, Vote::Up, &on_screen, NOON))
            .unwrap(),
        Voted::First
    );
    assert!(
        store.open_misses(0, 0, 10).unwrap().is_empty(),
        "👍 is no miss"
    );
    assert_eq!(
        store
            .record_vote(&vote("k1", 7, Vote::Down, &on_screen, NOON + 5))
            .unwrap(),
        Voted::Changed
    );
    assert_eq!(
        store
            .record_vote(&vote("k1", 7, Vote::Down, &on_screen, NOON + 6))
            .unwrap(),
        Voted::Again
    );
    // Another reader, and the same reader on another answer, vote for themselves.
    store
        .record_vote(&vote("k1", 8, Vote::Up, &on_screen, NOON + 7))
        .unwrap();
    store
        .record_vote(&vote("k2", 7, Vote::Up, &on_screen, NOON + 8))
        .unwrap();
    let v = store.vote_of("k1", 7).unwrap().expect("stored");
    assert_eq!(v.vote, Vote::Down);
    assert_eq!(v.question, "反腐败有什么要求");
    assert_eq!(v.shown, on_screen);
    assert_eq!(v.level, Level::Confident);
    assert_eq!(v.generation.as_deref(), Some("g1"));
    assert_eq!(v.at, NOON + 6);
    assert_eq!(
        store.vote_of("k1", 8).unwrap().map(|v| v.vote),
        Some(Vote::Up)
    );
    assert_eq!(store.vote_of("k3", 7).unwrap(), None);

    // The 👎 on a confident answer made one miss, counted once however often it is tapped.
    let misses = store.open_misses(0, 0, 10).unwrap();
    assert_eq!(misses.len(), 1);
    assert_eq!((misses[0].count, misses[0].down), (1, 1));
    assert_eq!(misses[0].shown, Some(shown(25)));
    let counts = store.feedback_counts(NOON).unwrap();
    assert_eq!((counts.votes_up, counts.votes_down), (2, 1));
    assert_eq!(counts.open_misses, 1);

    // Taking the 👎 back leaves the miss for an editor, without its 👎.
    store
        .record_vote(&vote("k1", 7, Vote::Up, &on_screen, NOON + 9))
        .unwrap();
    let misses = store.open_misses(0, 0, 10).unwrap();
    assert_eq!((misses[0].count, misses[0].down), (1, 0));
    // Votes of another day are not today's.
    assert_eq!(store.feedback_counts(NOON + DAY).unwrap().votes_up, 0);
}

#[test]
fn a_down_vote_keeps_its_reason_across_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let on_screen = [shown(3)];
    {
        let store = open(&dir);
        let mut v = vote("k1", 7, Vote::Down, &on_screen, NOON);
        v.reason = Some(Reason::WrongSource);
        store.record_vote(&v).unwrap();
        assert!(!store.set_vote_reason("k1", 8, Reason::Incomplete).unwrap());
        store
            .record_vote(&vote("k2", 7, Vote::Up, &on_screen, NOON))
            .unwrap();
        assert!(
            !store.set_vote_reason("k2", 7, Reason::Incomplete).unwrap(),
            "a 👍 takes no reason"
        );
    }
    let store = open(&dir);
    let v = store.vote_of("k1", 7).unwrap().expect("stored");
    assert_eq!(v.reason, Some(Reason::WrongSource));
    assert!(store.set_vote_reason("k1", 7, Reason::Incomplete).unwrap());
    assert_eq!(
        store.vote_of("k1", 7).unwrap().and_then(|v| v.reason),
        Some(Reason::Incomplete)
    );
    // The stored codes are stable.
    assert_eq!(Reason::from_code("source"), Some(Reason::WrongSource));
    assert_eq!(
        Reason::ALL.map(Reason::label),
        ["不相关", "页码/出处不对", "不完整"]
    );
}

#[test]
fn two_spellings_of_one_question_are_one_miss() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let a = store
        .record_miss(
            "党的政治建设的首要任务是什么？",
            Level::NotFound,
            None,
            NOON,
        )
        .unwrap();
    let b = store
        .record_miss(
            "請問，黨的政治建設的首要任務是什麼呢",
            Level::Hedged,
            Some(&shown(2)),
            NOON + 60,
        )
        .unwrap();
    assert!(a.is_some());
    assert_eq!(a, b);
    let misses = store.open_misses(0, 0, 10).unwrap();
    assert_eq!(misses.len(), 1);
    let m = &misses[0];
    assert_eq!(m.count, 2);
    assert_eq!(m.normalised, "党的政治建设的首要任务");
    assert_eq!(
        m.question, "請問，黨的政治建設的首要任務是什麼呢",
        "the last wording"
    );
    assert_eq!((m.first_asked, m.last_asked), (NOON, NOON + 60));
    assert_eq!(m.level, Level::Hedged);
    assert_eq!(m.shown, Some(shown(2)));
    assert_eq!(m.state, MissState::Open);
    let counts = store.feedback_counts(NOON).unwrap();
    assert_eq!(
        (counts.hedged, counts.refused, counts.open_misses),
        (1, 1, 1)
    );
    // A 👎 on that hedged answer adds a 👎, not another asking.
    let on_screen = [shown(2)];
    let mut v = vote("k9", 1, Vote::Down, &on_screen, NOON + 70);
    v.question = "党的政治建设的首要任务是啥";
    v.level = Level::Hedged;
    store.record_vote(&v).unwrap();
    let m = store.miss(m.id).unwrap().expect("still there");
    assert_eq!((m.count, m.down), (2, 1));
    // Nothing to group by: not recorded.
    assert_eq!(
        store
            .record_miss("？？", Level::NotFound, None, NOON)
            .unwrap(),
        None
    );
}

#[test]
fn misses_are_closed_ignored_and_listed_by_count_since_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let ask = |q: &str, at: i64| {
        store
            .record_miss(q, Level::NotFound, None, at)
            .unwrap()
            .expect("recorded")
    };
    let old = ask("去年的问题", NOON - 10 * DAY);
    let often = ask("常问的问题", NOON);
    ask("常问的问题", NOON + 1);
    ask("常问的问题", NOON + 2);
    let recent = ask("最近的问题", NOON + 50);
    let earlier = ask("较早的问题", NOON + 40);
    let ids = |list: Vec<kuayue::store::Miss>| list.iter().map(|m| m.id).collect::<Vec<_>>();

    assert_eq!(
        ids(store.open_misses(0, 0, 10).unwrap()),
        vec![often, recent, earlier, old],
        "most asked first, then most recently asked"
    );
    let week = NOON - 7 * DAY;
    assert_eq!(
        ids(store.open_misses(week, 0, 10).unwrap()),
        vec![often, recent, earlier]
    );
    assert_eq!(store.open_miss_count(week).unwrap(), 3);
    assert_eq!(ids(store.open_misses(week, 1, 1).unwrap()), vec![recent]);
    assert!(store.open_misses(week, 3, 5).unwrap().is_empty());

    assert!(store
        .set_miss_state(often, MissState::Closed, NOON + 60)
        .unwrap());
    assert!(store
        .set_miss_state(recent, MissState::Ignored, NOON + 60)
        .unwrap());
    assert!(!store.set_miss_state(9999, MissState::Closed, NOON).unwrap());
    assert_eq!(ids(store.open_misses(week, 0, 10).unwrap()), vec![earlier]);
    assert_eq!(store.feedback_counts(NOON).unwrap().open_misses, 2);
    let all = store
        .misses(
            week,
            &[MissState::Open, MissState::Closed, MissState::Ignored],
        )
        .unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].state, MissState::Closed);

    // Missed again: a closed miss opens again, an ignored one stays out of the list.
    ask("常问的问题？", NOON + 100);
    ask("最近的问题", NOON + 100);
    assert_eq!(
        ids(store.open_misses(week, 0, 10).unwrap()),
        vec![often, earlier]
    );
    assert_eq!(store.miss(often).unwrap().map(|m| m.count), Some(4));
    assert_eq!(
        store.miss(recent).unwrap().map(|m| m.state),
        Some(MissState::Ignored)
    );

    // The misses to re-run after a fix holding these words.
    let words = ["较早".to_string(), "去年".to_string()];
    assert_eq!(
        ids(store.misses_containing(&words, 10).unwrap()),
        vec![earlier, old]
    );
    assert_eq!(
        ids(store.misses_containing(&words, 1).unwrap()),
        vec![earlier]
    );
    assert!(store
        .misses_containing(&["无关".into()], 10)
        .unwrap()
        .is_empty());
}

/// The schema of a version-3 database as it shipped (migrations 1 to 3).
const V3_SCHEMA: &str = "
    CREATE TABLE subscribers (chat_id INTEGER PRIMARY KEY, kind TEXT NOT NULL,
        active INTEGER NOT NULL DEFAULT 1, since INTEGER NOT NULL, changed_at INTEGER NOT NULL);
    CREATE TABLE announced (issue TEXT PRIMARY KEY, notice TEXT, at INTEGER NOT NULL);
    CREATE TABLE outbox (id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL,
        issue TEXT NOT NULL REFERENCES announced(issue), state TEXT NOT NULL DEFAULT 'pending',
        attempts INTEGER NOT NULL DEFAULT 0, due_ms INTEGER NOT NULL DEFAULT 0, error TEXT,
        done_at INTEGER, UNIQUE (chat_id, issue));
    CREATE INDEX outbox_due ON outbox (state, due_ms, id);
    CREATE TABLE buttons (key TEXT PRIMARY KEY, state TEXT NOT NULL, created_at INTEGER NOT NULL);
    CREATE TABLE counters (day INTEGER NOT NULL, name TEXT NOT NULL, value INTEGER NOT NULL,
        PRIMARY KEY (day, name));
    CREATE TABLE imports (id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL,
        user_id INTEGER NOT NULL, file_name TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'running',
        started_at INTEGER NOT NULL, done_at INTEGER);
    CREATE TABLE replies (id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, job TEXT NOT NULL,
        created_at INTEGER NOT NULL);
    INSERT INTO subscribers (chat_id, kind, active, since, changed_at)
        VALUES (42, 'private', 1, 1, 1);
    INSERT INTO buttons (key, state, created_at) VALUES ('oldkey', '{\"k\":\"a\"}', 1);
    PRAGMA user_version = 3;
";

#[test]
fn a_version_3_database_is_migrated_and_keeps_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(kuayue::store::DB_FILE);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(V3_SCHEMA).unwrap();
    }
    let store = open(&dir);
    assert!(store.is_subscribed(42).unwrap());
    assert_eq!(
        store.button_state("oldkey").unwrap().as_deref(),
        Some(r#"{"k":"a"}"#)
    );
    let on_screen = [shown(1)];
    store
        .record_vote(&vote("oldkey", 42, Vote::Down, &on_screen, NOON))
        .unwrap();
    assert_eq!(store.open_misses(0, 0, 10).unwrap().len(), 1);
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 6, "every migration ran");
    // What the misses queue keeps names no reader.
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('misses')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        columns
            .iter()
            .all(|c| !c.contains("reader") && !c.contains("user")),
        "{columns:?}"
    );
}

// ---- kuayue misses ------------------------------------------------------------------------

fn kuayue_misses(data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kuayue"))
        .arg("misses")
        .args(args)
        .env("DATA_DIR", data_dir)
        .env("CORPUS_DIR", data_dir.join("no-corpus"))
        .env_remove("RUST_LOG")
        .output()
        .expect("run kuayue")
}

#[test]
fn cli_misses_exports_the_queue_as_a_table_and_as_json_lines() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open(&dir);
        store
            .record_miss(
                "党的政治建设的首要任务是什么？",
                Level::NotFound,
                None,
                NOON,
            )
            .unwrap();
        store
            .record_miss(
                "党的政治建设的首要任务是啥",
                Level::NotFound,
                None,
                NOON + 60,
            )
            .unwrap();
        let shown = shown(25);
        store
            .record_miss(
                "反腐败有什么要求",
                Level::Hedged,
                Some(&shown),
                NOON - 3 * DAY,
            )
            .unwrap();
        let closed = store
            .record_miss("已经修好的问题", Level::NotFound, None, NOON)
            .unwrap()
            .unwrap();
        store
            .set_miss_state(closed, MissState::Closed, NOON)
            .unwrap();
        let on_screen = [shown.clone()];
        let mut v = vote("k1", 99_999, Vote::Down, &on_screen, NOON);
        v.question = "巡视工作有什么要求";
        store.record_vote(&v).unwrap();
    }
    let out = kuayue_misses(dir.path(), &["--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    assert!(!stdout.contains("99999"), "no reader ids: {stdout}");
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 3, "open misses only: {stdout}");
    let first = &lines[0];
    assert_eq!(first["question"], "党的政治建设的首要任务是啥");
    assert_eq!(first["normalised"], "党的政治建设的首要任务");
    assert_eq!(first["count"], 2);
    assert_eq!(first["first_asked"], "2019-03-01T12:00:00+08:00");
    assert_eq!(first["last_asked"], "2019-03-01T12:01:00+08:00");
    assert_eq!(first["level"], "not_found");
    assert_eq!(first["shown"], serde_json::Value::Null);
    assert_eq!(first["state"], "open");
    assert!(first["id"].is_i64());
    let hedged = lines
        .iter()
        .find(|l| l["level"] == "hedged")
        .expect("the hedged one");
    assert_eq!(hedged["shown"]["issue"], "2019-03");
    assert_eq!(
        hedged["shown"]["article"],
        "中共中央关于加强党的政治建设的意见"
    );
    assert_eq!(hedged["shown"]["pages"], serde_json::json!([4, 9]));
    assert_eq!(hedged["shown"]["clause"], "（十六）永葆清正廉洁的政治本色");
    let downvoted = lines
        .iter()
        .find(|l| l["level"] == "confident")
        .expect("the 👎 one");
    assert_eq!(downvoted["down"], 1);

    let out = kuayue_misses(dir.path(), &["--since", "2019-03-01", "--json"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    let out = kuayue_misses(dir.path(), &["--all", "--json"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);

    let out = kuayue_misses(dir.path(), &[]);
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(table.lines().count(), 4, "{table}");
    assert!(
        table.lines().next().is_some_and(|l| l.contains("次数")),
        "{table}"
    );
    assert!(
        table.contains("2019-03-01 12:01") && table.contains("没有找到"),
        "{table}"
    );
    assert!(
        table.contains("→ 2019-03 · 中共中央关于加强党的政治建设的意见"),
        "{table}"
    );

    let out = kuayue_misses(dir.path(), &["--since", "2019-3-1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("YYYY-MM-DD"));
}

#[test]
fn cli_misses_without_a_database_says_so_and_creates_none() {
    let dir = tempfile::tempdir().unwrap();
    let out = kuayue_misses(dir.path(), &["--json"]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("还不存在"));
    assert!(!dir.path().join(kuayue::store::DB_FILE).exists());
}
