//! Readers teach the bot and follow it: topic alerts (关注) end to end, through the fake Bot
//! API with the real engine and a real SQLite file.

use crate::fake_telegram::Failure;
use crate::harness::*;
use std::time::Duration;

/// `/watch` confirms with what the newest issue says; a new issue imported by an admin's
/// document gives a subscribed watcher one message (the notice and its matches), an
/// unsubscribed watcher the matches alone, a watcher of a word the issue does not print
/// nothing, each exactly once across a kill in the middle of the sending.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_hear_of_a_new_issue_once_across_a_restart() {
    const SUBSCRIBED: i64 = 3_001;
    const UNSUBSCRIBED: i64 = 3_002;
    const QUIET: i64 = 3_003;
    let mut bot = TestBot::start().await;
    bot.say(SUBSCRIBED, "/subscribe").await;
    let confirmed = bot.say(SUBSCRIBED, "/watch 大湾区").await;
    assert!(
        confirmed.text().contains("已关注“大湾区”")
            && confirmed.text().contains("2019年第3期已经提到")
            && confirmed.text().contains("大湾区"),
        "{}",
        confirmed.text()
    );
    bot.say(UNSUBSCRIBED, "/watch “政治建设”").await;
    let none = bot.say(QUIET, "/watch 火星探测").await;
    assert!(none.text().contains("还没有提到它"), "{}", none.text());

    // The unsubscribed watcher's notice meets a 429, so it is still owed at the kill.
    bot.tg
        .fail("sendMessage", Some(UNSUBSCRIBED), Failure::RetryAfter(2), 1);
    let raw = next_issue_raw().into_bytes();
    let size = raw.len();
    bot.tg.add_file("next", raw);
    bot.tg.push(document(
        ADMIN as i64,
        "next",
        "2019-04.txt",
        size,
        Some("/import"),
    ));
    let combined = bot
        .tg
        .wait_until(Duration::from_secs(60), "the subscriber's notice", |tg| {
            tg.sent_to("sendmessage", SUBSCRIBED)
                .into_iter()
                .find(|c| c.text().contains("新刊已收录"))
        })
        .await;
    assert!(
        combined.text().contains("2019年第4期") && combined.text().contains("关注：大湾区"),
        "{}",
        combined.text()
    );
    bot.tg
        .wait_until(Duration::from_secs(30), "the 429", |tg| {
            tg.calls("sendmessage")
                .into_iter()
                .find(|c| c.failed && c.chat() == Some(UNSUBSCRIBED))
        })
        .await;
    bot.crash();
    bot.restart().await;

    let alone = bot
        .tg
        .wait_until(Duration::from_secs(60), "the watcher's notice", |tg| {
            tg.sent_to("sendmessage", UNSUBSCRIBED)
                .into_iter()
                .find(|c| c.text().contains("提到了你关注的词语"))
        })
        .await;
    assert!(
        alone.text().contains("关注：政治建设") && !alone.text().contains("新刊已收录"),
        "{}",
        alone.text()
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let count = |chat: i64, needle: &str| {
        bot.tg
            .sent_to("sendmessage", chat)
            .iter()
            .filter(|c| c.text().contains(needle))
            .count()
    };
    assert_eq!(count(SUBSCRIBED, "新刊已收录"), 1);
    assert_eq!(count(UNSUBSCRIBED, "提到了你关注的词语"), 1);
    assert_eq!(
        count(QUIET, "2019年第4期"),
        0,
        "a word the issue does not print"
    );
    bot.stop().await;
}

/// Bad watches get a polite answer and change nothing; `/watches` lists with a ✖ each, and
/// the ✖ removes one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watches_are_listed_limited_and_removed() {
    const READER: i64 = 3_101;
    let mut bot = TestBot::start().await;
    let long = bot
        .say(READER, &format!("/watch {}", "长".repeat(31)))
        .await;
    assert!(long.text().contains("最长 30 个字"), "{}", long.text());
    let empty = bot.say(READER, "/watch").await;
    assert!(empty.text().contains("用法：/watch"), "{}", empty.text());
    for i in 0..20 {
        let r = bot.say(READER, &format!("/watch 词语{i}")).await;
        assert!(r.text().contains("已关注"), "{}", r.text());
    }
    let full = bot.say(READER, "/watch 第二十一个").await;
    assert!(
        full.text().contains("最多可以关注 20 个词语"),
        "{}",
        full.text()
    );

    let list = bot.say(READER, "/watches").await;
    assert!(list.text().contains("（20/20）"), "{}", list.text());
    assert!(!list.text().contains("第二十一个"));
    let (label, data) = list.buttons()[0].clone();
    assert!(label.contains("词语0"), "{label}");
    let message_id = list.message_id.expect("the list was sent");
    bot.tg
        .push(callback(READER, READER as u64, message_id, &data));
    let edited = bot
        .tg
        .wait_until(Duration::from_secs(20), "the list edited", |tg| {
            tg.sent_to("editmessagetext", READER).into_iter().next()
        })
        .await;
    assert!(
        edited.text().contains("（19/20）") && !edited.text().contains("词语0\n"),
        "{}",
        edited.text()
    );
    let gone = bot.say(READER, "/unwatch 词语0").await;
    assert!(gone.text().contains("没有关注“词语0”"), "{}", gone.text());
    let removed = bot.say(READER, "/unwatch 词语1").await;
    assert!(
        removed.text().contains("已取消关注“词语1”"),
        "{}",
        removed.text()
    );
    bot.stop().await;
}
