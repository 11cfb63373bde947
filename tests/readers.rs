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
    bot.say(UNSUBSCRIBED, "/watch 模范机关").await;
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
    // The same buttons as an answer: per passage (numbered as in the text) and the votes.
    let copy = combined
        .params
        .pointer("/reply_markup/inline_keyboard/0/3/copy_text/text")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        copy.starts_with("《跨越》2019年第4期（总第245期）第"),
        "citation {copy:?} in {}",
        combined.params["reply_markup"]
    );
    assert!(combined.text().contains('①'), "{}", combined.text());
    button_data(&combined, "① 全文");
    let up = button_data(&combined, "👍 有用");
    let notice_id = combined.message_id.expect("message id");
    bot.tg
        .push(callback(SUBSCRIBED, SUBSCRIBED as u64, notice_id, &up));
    let voted = nth_edit(&bot, 0).await;
    assert!(
        voted.buttons().iter().any(|(l, _)| l == "👍 谢谢反馈")
            && voted.text().contains("新刊已收录"),
        "{:?}",
        voted.buttons()
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
        alone.text().contains("关注：政治建设")
            && alone.text().contains("关注：模范机关")
            && !alone.text().contains("新刊已收录"),
        "{}",
        alone.text()
    );
    // Sent after the restart with its stored buttons; six passages wait behind 更多操作.
    let more = button_data(&alone, "更多操作");
    assert!(
        !alone.buttons().iter().any(|(l, _)| l.contains("全文")),
        "{:?}",
        alone.buttons()
    );
    let edits = bot.tg.calls("editmessagetext").len();
    bot.tg.push(callback(
        UNSUBSCRIBED,
        UNSUBSCRIBED as u64,
        alone.message_id.expect("message id"),
        &more,
    ));
    let opened = nth_edit(&bot, edits).await;
    button_data(&opened, "④ 全文");
    button_data(&opened, "收起操作");
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

    let store = kuayue::store::Store::open_in(&bot.data_dir()).expect("store");
    let key = up.trim_start_matches("u:");
    let vote = store
        .vote_of(key, SUBSCRIBED as u64)
        .expect("reads")
        .expect("the vote on the notice");
    assert_eq!(vote.question, "关注：大湾区");
    assert!(vote.shown.iter().all(|s| s.issue == "2019-04") && !vote.shown.is_empty());
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

/// The button with `label` in `call`'s keyboard, by its callback data.
fn button_data(call: &crate::fake_telegram::Call, label: &str) -> String {
    call.buttons()
        .into_iter()
        .find(|(l, _)| l.contains(label))
        .unwrap_or_else(|| panic!("no {label} button in {:?}", call.buttons()))
        .1
}

/// The edit of message `id` that comes after the first `after` edits.
async fn nth_edit(bot: &TestBot, after: usize) -> crate::fake_telegram::Call {
    bot.tg
        .wait_until(Duration::from_secs(20), "editMessageText", |tg| {
            tg.calls("editmessagetext").into_iter().nth(after)
        })
        .await
}

/// A vote, a changed vote and a 👎 with a reason: each recorded once per reader, the
/// buttons say so, and the copy-text button holds the citation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_vote_change_their_vote_and_give_a_reason() {
    let mut bot = TestBot::start().await;
    let answer = bot.say(READER, "党的政治建设的首要任务是什么").await;
    let id = answer.message_id.expect("message id");
    let copy = answer
        .params
        .pointer("/reply_markup/inline_keyboard/0/3/copy_text/text")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_string();
    assert!(
        copy.starts_with("《跨越》2019年第3期（总第244期）第") && copy.contains("页，"),
        "citation: {copy:?} in {}",
        answer.params["reply_markup"]
    );

    let up = button_data(&answer, "👍 有用");
    let key = up.trim_start_matches("u:").to_string();
    bot.tg.push(callback(READER, READER as u64, id, &up));
    let edited = nth_edit(&bot, 0).await;
    assert!(
        edited.buttons().iter().any(|(l, _)| l == "👍 谢谢反馈"),
        "{:?}",
        edited.buttons()
    );
    let toast = bot
        .tg
        .wait_until(Duration::from_secs(20), "the toast", |tg| {
            tg.calls("answercallbackquery")
                .into_iter()
                .find(|c| c.params["text"] == "谢谢反馈")
        })
        .await;
    assert_eq!(toast.params["text"], "谢谢反馈");

    // Changed to 👎: the reasons are offered; one of them is recorded with the vote.
    let down = button_data(&answer, "👎 没答到");
    bot.tg.push(callback(READER, READER as u64, id, &down));
    let edited = nth_edit(&bot, 1).await;
    let reason = button_data(&edited, "页码/出处不对");
    assert!(edited.buttons().iter().any(|(l, _)| l == "👎 谢谢反馈"));
    bot.tg.push(callback(READER, READER as u64, id, &reason));
    let edited = nth_edit(&bot, 2).await;
    assert!(
        !edited.buttons().iter().any(|(l, _)| l.contains("不完整")),
        "the reasons go once one is given"
    );
    bot.stop().await;

    let store = kuayue::store::Store::open_in(&bot.data_dir()).expect("store");
    let vote = store
        .vote_of(&key, READER as u64)
        .expect("reads")
        .expect("one vote");
    assert_eq!(vote.vote, kuayue::store::Vote::Down);
    assert_eq!(vote.reason, Some(kuayue::store::Reason::WrongSource));
    assert_eq!(vote.question, "党的政治建设的首要任务是什么");
    assert!(!vote.shown.is_empty() && vote.shown.len() <= 3);
    assert!(vote.generation.is_some());
}

/// The hit test's 之前 and 现在 lines.
fn before_line(text: &str) -> &str {
    text.lines().find(|l| l.contains("之前：")).unwrap_or("")
}

fn now_line(text: &str) -> &str {
    text.lines().find(|l| l.contains("现在：")).unwrap_or("")
}

/// A question the magazine cannot answer shows up in `/misses`; `/synonym` makes a hedged
/// one answer, with before and after; `/dict` rebuilds the index; readers are refused all
/// three, and nothing changes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editors_see_misses_and_fix_them_from_the_chat() {
    let mut bot = TestBot::start().await;
    let admin = ADMIN as i64;
    let dict_before = std::fs::read(bot.corpus_dir().join("user.dict")).expect("user.dict");
    let synonyms_before = std::fs::read(bot.corpus_dir().join("synonyms.txt")).expect("synonyms");
    for cmd in [
        "/misses",
        "/synonym GBA = 粤港澳大湾区",
        "/dict 减税降费红利",
    ] {
        let refused = bot.say(READER, cmd).await;
        assert!(
            refused.text().contains("只有管理员"),
            "{cmd}: {}",
            refused.text()
        );
    }
    assert_eq!(
        std::fs::read(bot.corpus_dir().join("user.dict")).expect("user.dict"),
        dict_before
    );
    assert_eq!(
        std::fs::read(bot.corpus_dir().join("synonyms.txt")).expect("synonyms"),
        synonyms_before
    );

    let refused = bot.say(READER, "火星探测器什么时候发射").await;
    assert!(refused.text().contains("没有找到"), "{}", refused.text());
    let hedged = bot.say(READER, "GBA建设有什么进展").await;
    assert!(hedged.text().contains("可能相关"), "{}", hedged.text());
    let misses = bot.say(admin, "/misses").await;
    assert!(
        misses.text().contains("火星探测器什么时候发射")
            && misses.text().contains("GBA建设有什么进展"),
        "{}",
        misses.text()
    );
    assert!(
        !misses.text().contains(&READER.to_string()),
        "no reader ids"
    );
    assert!(misses.buttons().iter().any(|(l, _)| l.contains("试一试")));

    let bad = bot.say(admin, "/synonym GBA").await;
    assert!(bad.text().contains("用法：/synonym"), "{}", bad.text());
    let fixed = bot.say(admin, "/synonym GBA = 粤港澳大湾区").await;
    assert!(fixed.text().contains("已加入同义词组"), "{}", fixed.text());
    assert!(
        fixed.text().contains("GBA建设有什么进展")
            && fixed.text().contains("之前：可能相关")
            && !before_line(fixed.text()).contains("大湾区")
            && now_line(fixed.text()).contains("粤港澳大湾区"),
        "{}",
        fixed.text()
    );
    let synonyms = std::fs::read_to_string(bot.corpus_dir().join("synonyms.txt")).expect("read");
    assert!(
        synonyms.contains("由 管理员 42 添加") && synonyms.ends_with("GBA = 粤港澳大湾区\n"),
        "{synonyms}"
    );

    let long = bot.say(admin, &format!("/dict {}", "长".repeat(31))).await;
    assert!(long.text().contains("没有修改"), "{}", long.text());
    let bad_tag = bot.say(admin, "/dict 新词 NR").await;
    assert!(
        bad_tag.text().contains("不是词性标记") && bad_tag.text().contains("没有修改"),
        "{}",
        bad_tag.text()
    );
    let bad_group = bot.say(admin, "/synonym 甲 = 甲").await;
    assert!(
        bad_group.text().contains("没有修改"),
        "{}",
        bad_group.text()
    );
    assert_eq!(
        std::fs::read(bot.corpus_dir().join("user.dict")).expect("user.dict"),
        dict_before,
        "refused words leave the dictionary as it was"
    );
    bot.tg.push(private_text(admin, "/dict 减税降费红利"));
    let rebuilt = bot
        .tg
        .wait_until(Duration::from_secs(60), "the rebuild", |tg| {
            tg.sent_to("sendmessage", admin)
                .into_iter()
                .find(|c| c.text().contains("索引已重建"))
        })
        .await;
    assert!(rebuilt.text().contains("命中测试"), "{}", rebuilt.text());
    let dict = std::fs::read_to_string(bot.corpus_dir().join("user.dict")).expect("read");
    assert!(dict.contains("减税降费红利"));
    bot.stop().await;
}
