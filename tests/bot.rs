//! End to end: the real bot (teloxide over HTTP, the real engine on a temp copy of the
//! corpus) against the fake Bot API on loopback.

use crate::fake_telegram::{Failure, BOT_USERNAME};
use crate::harness::*;
use kuayue::store::{ChatKind, Store};
use std::time::Duration;

const QUESTION: &str = "党的政治建设的首要任务是什么";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_registers_commands_with_admin_scope() {
    let mut bot = TestBot::start().await;
    let calls = bot.tg.calls("setmycommands");
    assert!(calls.iter().any(|c| c.params.get("scope").is_none()
        && !c.params.to_string().contains("reindex")
        && c.params.to_string().contains("subscribe")));
    let admin = calls
        .iter()
        .find(|c| c.params.get("scope").is_some())
        .expect("admin scope registered");
    assert_eq!(admin.params["scope"]["type"], "chat");
    assert_eq!(admin.params["scope"]["chat_id"], ADMIN as i64);
    assert!(admin.params.to_string().contains("reindex"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_gets_passages_with_source_lines_and_buttons() {
    let mut bot = TestBot::start().await;
    let reply = bot.say(READER, QUESTION).await;
    assert_eq!(reply.params["parse_mode"], "HTML");
    let text = reply.text();
    assert!(text.contains("《跨越》2019年第3期 · 第"), "{text}");
    assert!(text.contains("①"), "{text}");
    // Bold spans that are words of the question: the matches, not just the bold headers.
    let bold_matches = text
        .split("<b>")
        .skip(1)
        .filter_map(|rest| rest.split("</b>").next())
        .filter(|b| !b.is_empty() && QUESTION.contains(*b))
        .count();
    assert!(bold_matches > 0, "matched words in bold: {text}");
    assert!(kuayue::render::html::visible_len(text) <= 4096);
    let buttons = reply.buttons();
    assert!(buttons.iter().any(|(label, _)| label.contains("全文")));
    assert!(
        buttons.iter().all(|(_, data)| data.len() <= 64),
        "{buttons:?}"
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markup_in_a_question_is_echoed_escaped() {
    let mut bot = TestBot::start().await;
    let reply = bot.say(READER, "<b>政治建设</b> & 首要任务").await;
    let text = reply.text();
    assert!(
        text.contains("&lt;b&gt;政治建设&lt;/b&gt; &amp; 首要任务"),
        "{text}"
    );
    assert!(!text.contains("<b>政治建设</b> &"), "{text}");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn more_results_edits_the_message_and_full_text_sends_the_clause() {
    let mut bot = TestBot::start().await;
    let reply = bot.say(READER, "政治建设").await;
    let message_id = reply.message_id.expect("message id");
    let buttons = reply.buttons();
    let more = buttons
        .iter()
        .find(|(label, _)| label.contains("更多结果"))
        .expect("更多结果 button")
        .1
        .clone();
    bot.tg
        .push(callback(READER, READER as u64, message_id, &more));
    let edit = bot
        .tg
        .wait_until(Duration::from_secs(20), "editMessageText", |tg| {
            tg.calls("editmessagetext").into_iter().next()
        })
        .await;
    assert_eq!(edit.params["message_id"], message_id);
    assert_eq!(edit.params["chat_id"], READER);
    assert!(
        edit.text().contains("④"),
        "next page starts at 4: {}",
        edit.text()
    );
    assert!(edit.text().contains("《跨越》2019年第3期"));

    // 全文 of the first passage sends the whole clause as new messages.
    let full = buttons
        .iter()
        .find(|(label, _)| label.contains("全文"))
        .expect("全文")
        .1
        .clone();
    let before = bot.tg.sent_to("sendmessage", READER).len();
    bot.tg
        .push(callback(READER, READER as u64, message_id, &full));
    let whole = bot.tg.nth_message_to(READER, before + 1).await;
    assert!(
        whole.text().starts_with("<b>《跨越》2019年第3期"),
        "{}",
        whole.text()
    );
    assert!(kuayue::render::html::visible_len(whole.text()) <= 4096);
    let answered = bot.tg.calls("answercallbackquery");
    assert!(answered.len() >= 2, "every press is answered");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons_keep_working_after_a_restart_and_unknown_ones_expire() {
    let mut bot = TestBot::start().await;
    let reply = bot.say(READER, QUESTION).await;
    let next = reply
        .buttons()
        .into_iter()
        .find(|(label, _)| label.contains("下一条"))
        .expect("下一条")
        .1;
    bot.restart().await;
    let before = bot.tg.sent_to("sendmessage", READER).len();
    bot.tg.push(callback(READER, READER as u64, 1, &next));
    let neighbour = bot.tg.nth_message_to(READER, before + 1).await;
    assert!(neighbour.text().contains("《跨越》2019年第3期"));

    bot.tg
        .push(callback(READER, READER as u64, 1, "m:nosuchkey0"));
    let toast = bot
        .tg
        .wait_until(Duration::from_secs(20), "expired notice", |tg| {
            tg.calls("answercallbackquery")
                .into_iter()
                .find(|c| c.params.to_string().contains("过期"))
        })
        .await;
    assert!(toast.params["text"].as_str().unwrap_or("").contains("过期"));
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_hear_ask_mentions_and_replies_but_not_chatter() {
    let mut bot = TestBot::start().await;
    bot.tg.push(group_text(GROUP, 7, "今天大家辛苦了"));
    bot.tg.push(group_text(GROUP, 7, "/ask 两个维护"));
    let answer = bot.tg.nth_message_to(GROUP, 1).await;
    assert!(answer.text().contains("《跨越》"), "{}", answer.text());
    assert!(
        answer.params.get("reply_parameters").is_some(),
        "answers the /ask message"
    );
    bot.tg.push(group_text(
        GROUP,
        7,
        &format!("@{BOT_USERNAME} 什么是四个意识"),
    ));
    let mention = bot.tg.nth_message_to(GROUP, 2).await;
    assert!(mention.text().contains("四个意识"), "{}", mention.text());
    bot.tg.push(group_reply_to_bot(
        GROUP,
        7,
        "模范机关",
        answer.message_id.unwrap_or(0),
    ));
    bot.tg.nth_message_to(GROUP, 3).await;
    // Chatter after the last answered message: still only three messages.
    bot.tg.push(group_text(GROUP, 7, "收到，谢谢"));
    bot.tg
        .push(group_text(GROUP, 7, "/ask@kuayue_test_bot 信鬼神"));
    bot.tg.nth_message_to(GROUP, 4).await;
    assert_eq!(bot.tg.sent_to("sendmessage", GROUP).len(), 4);
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_survives_a_restart_and_groups_need_an_admin() {
    let mut bot = TestBot::start().await;
    let first = bot.say(READER, "/subscribe").await;
    assert!(first.text().contains("已订阅"), "{}", first.text());
    bot.restart().await;
    let again = bot.say(READER, "/subscribe").await;
    assert!(again.text().contains("已经订阅"), "{}", again.text());

    bot.tg.push(group_text(GROUP, 7, "/subscribe"));
    let refused = bot.tg.nth_message_to(GROUP, 1).await;
    assert!(refused.text().contains("管理员"), "{}", refused.text());
    bot.tg.make_group_admin(8);
    bot.tg.push(group_text(GROUP, 8, "/subscribe"));
    let ok = bot.tg.nth_message_to(GROUP, 2).await;
    assert!(ok.text().contains("已订阅"), "{}", ok.text());
    bot.stop().await;
    {
        let store = Store::open_in(&bot.data_dir()).unwrap();
        assert!(store.is_subscribed(READER).unwrap() && store.is_subscribed(GROUP).unwrap());
    }
    bot.restart().await;
    let off = bot.say(READER, "/unsubscribe").await;
    assert!(off.text().contains("已取消订阅"), "{}", off.text());
    let again = bot.say(READER, "/unsubscribe").await;
    assert!(again.text().contains("没有订阅"), "{}", again.text());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_admin_reindex_changes_nothing() {
    let mut bot = TestBot::start().await;
    bot.say(READER, "/subscribe").await;
    add_next_issue(&bot.corpus_dir());
    let refusal = bot.say(READER, "/reindex").await;
    assert!(refusal.text().contains("管理员"), "{}", refusal.text());
    let issues = bot.say(READER, "/issues").await;
    assert!(!issues.text().contains("第4期"), "{}", issues.text());
    // No notice went out.
    assert_eq!(bot.tg.sent_to("sendmessage", READER).len(), 3);
    bot.stop().await;
    let store = Store::open_in(&bot.data_dir()).unwrap();
    assert_eq!(store.outbox_counts().unwrap().pending, 0);
    assert!(!store.is_announced("2019-04").unwrap());
}

/// Subscribers get the notice of a new issue exactly once, even with a 429, a chat that
/// blocked the bot, and a restart while the notices go out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reindex_notifies_every_subscriber_exactly_once() {
    const SUBSCRIBERS: i64 = 40;
    const THROTTLED: i64 = 2_005;
    const BLOCKED: i64 = 2_007;
    let mut bot = TestBot::start_with(|s| s.pacing.per_second = 20.0).await;
    {
        let store = Store::open_in(&bot.data_dir()).unwrap();
        for chat in 2_001..2_001 + SUBSCRIBERS {
            store.subscribe(chat, ChatKind::Private).unwrap();
        }
    }
    bot.tg
        .fail("sendMessage", Some(THROTTLED), Failure::RetryAfter(1), 1);
    bot.tg
        .fail("sendMessage", Some(BLOCKED), Failure::Forbidden, 1);
    add_next_issue(&bot.corpus_dir());

    bot.tg.push(private_text(ADMIN as i64, "/reindex"));
    let summary = bot
        .tg
        .wait_until(Duration::from_secs(60), "reindex summary", |tg| {
            tg.sent_to("sendmessage", ADMIN as i64)
                .into_iter()
                .find(|c| c.text().contains("索引已重建"))
        })
        .await;
    assert!(summary.text().contains("2019年第4期"), "{}", summary.text());

    // Restart once some notices went out and some are still owed.
    let notices = |tg: &crate::fake_telegram::FakeTelegram| {
        tg.calls("sendmessage")
            .into_iter()
            .filter(|c| !c.failed && c.text().contains("新刊已收录"))
            .count()
    };
    bot.tg
        .wait_until(Duration::from_secs(30), "some notices", |tg| {
            (notices(tg) >= 10).then_some(())
        })
        .await;
    bot.restart().await;
    let sent_at_restart = notices(&bot.tg);
    assert!(
        sent_at_restart < SUBSCRIBERS as usize - 1,
        "restart came mid-way"
    );

    bot.tg
        .wait_until(Duration::from_secs(60), "every notice", |tg| {
            (notices(tg) >= SUBSCRIBERS as usize - 1).then_some(())
        })
        .await;
    // Let a straggler show itself if there were one.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for chat in 2_001..2_001 + SUBSCRIBERS {
        let got = bot
            .tg
            .sent_to("sendmessage", chat)
            .iter()
            .filter(|c| c.text().contains("新刊已收录"))
            .count();
        let expected = usize::from(chat != BLOCKED);
        assert_eq!(got, expected, "chat {chat} got {got} notices");
    }
    bot.stop().await;
    let store = Store::open_in(&bot.data_dir()).unwrap();
    assert!(!store.is_subscribed(BLOCKED).unwrap(), "403 unsubscribes");
    let counts = store.outbox_counts().unwrap();
    assert_eq!(counts.sent, SUBSCRIBERS as u64 - 1);
    assert_eq!((counts.pending, counts.dropped), (0, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_admin_imports_a_document() {
    let mut bot = TestBot::start().await;
    bot.say(READER, "/subscribe").await;
    let admin = ADMIN as i64;

    // Not UTF-8: refused, nothing written.
    bot.tg
        .add_file("bad", vec![0xC4, 0xE3, 0xBA, 0xC3, 0x0A, 0xFF]);
    bot.tg
        .push(document(admin, "bad", "2019-04.txt", 6, Some("/import")));
    let refused = bot
        .tg
        .wait_until(Duration::from_secs(30), "refusal", |tg| {
            tg.sent_to("sendmessage", admin)
                .into_iter()
                .find(|c| c.text().contains("❌"))
        })
        .await;
    assert!(refused.text().contains("UTF-8"), "{}", refused.text());
    assert!(!bot.corpus_dir().join("2019-04").exists());

    // UTF-8 but no table of contents: the importer refuses, nothing is written.
    let before = crate::util::tree(&bot.corpus_dir());
    let prose = "这是一篇没有目录的文章。\n".repeat(50).into_bytes();
    let len = prose.len();
    bot.tg.add_file("prose", prose);
    bot.tg
        .push(document(admin, "prose", "notes.txt", len, Some("/import")));
    let no_toc = bot
        .tg
        .wait_until(Duration::from_secs(30), "no-TOC refusal", |tg| {
            tg.sent_to("sendmessage", admin)
                .into_iter()
                .find(|c| c.text().contains("目录") && c.text().contains("❌"))
        })
        .await;
    assert!(no_toc.text().contains("导入失败"), "{}", no_toc.text());
    assert_eq!(
        crate::util::tree(&bot.corpus_dir()),
        before,
        "nothing half-written"
    );

    let raw = next_issue_raw().into_bytes();
    let size = raw.len();
    bot.tg.add_file("good", raw);
    bot.tg.push(document(
        admin,
        "good",
        "kuayue-2019-04.txt",
        size,
        Some("/import"),
    ));
    let done = bot
        .tg
        .wait_until(Duration::from_secs(60), "import summary", |tg| {
            tg.sent_to("sendmessage", admin)
                .into_iter()
                .find(|c| c.text().contains("已导入"))
        })
        .await;
    assert!(done.text().contains("2019-04"), "{}", done.text());
    assert!(bot.corpus_dir().join("2019-04").is_dir());
    assert!(!bot.tg.calls("getfile").is_empty());
    let notice = bot
        .tg
        .wait_until(Duration::from_secs(30), "notice", |tg| {
            tg.sent_to("sendmessage", READER)
                .into_iter()
                .find(|c| c.text().contains("新刊已收录"))
        })
        .await;
    assert!(notice.text().contains("2019年第4期"));

    // A reader's document is not imported.
    bot.tg.add_file("r", b"hello".to_vec());
    let reply = {
        let before = bot.tg.sent_to("sendmessage", READER).len();
        bot.tg.push(document(READER, "r", "x.txt", 5, None));
        bot.tg.nth_message_to(READER, before + 1).await
    };
    assert!(reply.text().contains("文字"), "{}", reply.text());
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn non_text_and_odd_messages_get_short_polite_answers() {
    let mut bot = TestBot::start().await;
    for (i, update) in [sticker(READER), photo(READER), voice(READER)]
        .into_iter()
        .enumerate()
    {
        bot.tg.push(update);
        let reply = bot.tg.nth_message_to(READER, i + 1).await;
        assert!(reply.text().contains("文字"), "{}", reply.text());
    }
    let unknown = bot.say(READER, "/frobnicate").await;
    assert!(unknown.text().contains("/help"), "{}", unknown.text());
    let blank = bot.say(READER, "   ").await;
    assert!(blank.text().contains("问题"), "{}", blank.text());
    let huge = bot.say(READER, &"政治".repeat(2_000)).await;
    assert!(huge.text().contains("太长"), "{}", huge.text());
    let nothing = bot.say(READER, "比特币今天的价格").await;
    assert!(nothing.text().contains("没有找到"), "{}", nothing.text());
    let help = bot.say(READER, "/help").await;
    assert!(
        help.text().contains("/toc") && !help.text().contains("/reindex"),
        "{}",
        help.text()
    );
    let toc = bot.say(READER, "/toc 2019-03").await;
    assert!(
        toc.text().contains("中共中央关于加强党的政治建设的意见"),
        "{}",
        toc.text()
    );
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn traditional_questions_get_traditional_words_and_inline_mode_lists_passages() {
    let mut bot = TestBot::start().await;
    let reply = bot.say(READER, "黨的政治建設的首要任務是什麼").await;
    assert!(reply.text().contains("問："), "{}", reply.text());
    // The passages and their source lines are in Traditional too.
    assert!(
        reply.text().contains("《跨越》2019年第3期") && reply.text().contains("黨的政治建設"),
        "{}",
        reply.text()
    );
    assert!(!reply.text().contains("党的政治建设"), "{}", reply.text());
    let start = bot.say(READER, "/start").await;
    assert!(start.buttons().len() == 3, "three example questions");
    // The deep link t.me/<bot>?start=subscribe arrives as "/start subscribe".
    let subscribed = bot.say(READER, "/start subscribe").await;
    assert!(
        subscribed.text().contains("已订阅"),
        "{}",
        subscribed.text()
    );

    bot.tg.push(inline_query(READER as u64, "两个维护"));
    let answer = bot
        .tg
        .wait_until(Duration::from_secs(20), "answerInlineQuery", |tg| {
            tg.calls("answerinlinequery").into_iter().next()
        })
        .await;
    let results = answer.params["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !results.is_empty() && results.len() <= 10,
        "{}",
        answer.params
    );
    let posted = results[0]["input_message_content"]["message_text"]
        .as_str()
        .unwrap_or("");
    assert!(posted.contains("《跨越》2019年第3期"), "{posted}");
    bot.stop().await;
}

/// A corpus that does not parse: the admin hears which file and line, readers keep their
/// answers from the old index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_corpus_is_reported_and_the_old_index_keeps_serving() {
    let mut bot = TestBot::start().await;
    let broken = bot.corpus_dir().join("2019-05");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::copy(
        bot.corpus_dir().join("2019-03/raw.txt"),
        broken.join("raw.txt"),
    )
    .unwrap();
    let toml = std::fs::read_to_string(bot.corpus_dir().join("2019-03/issue.toml")).unwrap();
    std::fs::write(
        broken.join("issue.toml"),
        toml.replacen("number = 3", "number = \"five\"", 1),
    )
    .unwrap();

    let admin = ADMIN as i64;
    bot.tg.push(private_text(admin, "/reindex"));
    let error = bot
        .tg
        .wait_until(Duration::from_secs(60), "the rebuild error", |tg| {
            tg.sent_to("sendmessage", admin)
                .into_iter()
                .find(|c| c.text().contains("❌"))
        })
        .await;
    assert!(
        error.text().contains("2019-05/issue.toml:"),
        "{}",
        error.text()
    );
    assert!(error.text().contains("旧索引继续服务"), "{}", error.text());

    let answer = bot.say(READER, QUESTION).await;
    assert!(
        answer.text().contains("《跨越》2019年第3期"),
        "{}",
        answer.text()
    );
    let stats = bot.say(admin, "/stats").await;
    assert!(
        stats.text().contains("段落") && stats.text().contains("今日回答问题：1"),
        "{}",
        stats.text()
    );
    let refused = bot.say(READER, "/stats").await;
    assert!(refused.text().contains("管理员"), "{}", refused.text());
    bot.stop().await;
}

/// A notice that keeps failing for another reason is retried with backoff, then given up and
/// counted, while everyone else gets theirs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_that_keeps_failing_is_given_up_and_counted() {
    const FLAKY: i64 = 3_002;
    let mut bot = TestBot::start().await;
    {
        let store = Store::open_in(&bot.data_dir()).unwrap();
        for chat in 3_001..=3_003 {
            store.subscribe(chat, ChatKind::Private).unwrap();
        }
    }
    bot.tg
        .fail("sendMessage", Some(FLAKY), Failure::BadRequest, 10);
    add_next_issue(&bot.corpus_dir());
    bot.tg.push(private_text(ADMIN as i64, "/reindex"));
    let attempts = |tg: &crate::fake_telegram::FakeTelegram| {
        tg.calls("sendmessage")
            .into_iter()
            .filter(|c| c.chat() == Some(FLAKY))
            .count()
    };
    // max_attempts is 3 in the test settings.
    bot.tg
        .wait_until(Duration::from_secs(30), "three attempts", |tg| {
            (attempts(tg) >= 3).then_some(())
        })
        .await;
    bot.tg.nth_message_to(3_001, 1).await;
    bot.tg.nth_message_to(3_003, 1).await;
    // The give-up is recorded right after the third answer; ask until /stats shows it.
    let admin = ADMIN as i64;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    let report = loop {
        let r = bot.say(admin, "/stats").await;
        if r.text().contains("失败 1") || std::time::Instant::now() > deadline {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(report.text().contains("失败 1"), "{}", report.text());
    assert!(report.text().contains("已发 2"), "{}", report.text());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(attempts(&bot.tg), 3, "no attempt after giving up");
    bot.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hedged_answer_says_so_and_offers_an_exact_phrase_search() {
    let mut bot = TestBot::start().await;
    // The magazine names 广州市公安局 but never its 局长: close passages, not an answer.
    let reply = bot.say(READER, "广州市公安局局长是谁").await;
    let text = reply.text();
    assert!(text.contains(kuayue::render::HEDGE), "{text}");
    assert!(text.contains("检索词：广州市公安局 局长"), "{text}");
    assert!(
        text.matches("《跨越》2019年第3期 · 第").count() <= 3,
        "{text}"
    );
    let exact = reply
        .buttons()
        .into_iter()
        .find(|(label, _)| label.contains("按原文查找"))
        .expect("按原文查找 button")
        .1;
    assert!(exact.len() <= 64);
    let before = bot.tg.sent_to("sendmessage", READER).len();
    bot.tg.push(callback(
        READER,
        READER as u64,
        reply.message_id.expect("message id"),
        &exact,
    ));
    // The exact phrase is not printed anywhere: an honest 没有找到, saying what was looked up.
    let again = bot.tg.nth_message_to(READER, before + 1).await;
    assert!(again.text().contains("没有找到"), "{}", again.text());
    assert!(
        again.text().contains("原文短语：“广州市公安局局长”"),
        "{}",
        again.text()
    );

    // A confident answer carries no such button, and its reading line.
    let sure = bot.say(READER, "腹式呼吸有啥好处").await;
    assert!(!sure.text().contains(kuayue::render::HEDGE));
    assert!(
        sure.text().contains("检索词：腹式呼吸 · 问：好处"),
        "{}",
        sure.text()
    );
    assert!(!sure
        .buttons()
        .iter()
        .any(|(label, _)| label.contains("按原文查找")));
    bot.stop().await;
}
