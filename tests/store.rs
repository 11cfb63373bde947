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
    let personal = vec![(2, "新刊 + 关注".to_string()), (3, "只有关注".to_string())];
    assert_eq!(
        store.announce_with("2019-04", "新刊", &personal).unwrap(),
        Some(3)
    );
    assert_eq!(
        store.announce_with("2019-04", "新刊", &personal).unwrap(),
        None,
        "never twice"
    );
    let mut due: Vec<(i64, String)> = store
        .due(10, &[])
        .unwrap()
        .into_iter()
        .map(|d| (d.chat, d.text))
        .collect();
    due.sort();
    assert_eq!(
        due,
        vec![
            (1, "新刊".to_string()),
            (2, "新刊 + 关注".to_string()),
            (3, "只有关注".to_string())
        ]
    );
}
