//! Measurements, not assertions: run with
//! `cargo test --release --test tests bench_ -- --ignored --nocapture --test-threads 1`.
//!
//! - Start-up: from `telegram::start` to the first getUpdates, with and without an index.
//! - Reply latency: from the moment the fake server hands an update to the bot (getUpdates
//!   response) to the moment the bot's sendMessage arrives back at it, over ≥ 500 questions.
//! - Notice throughput: 10,000 subscribers, a new issue, an admin /reindex; the rate at which
//!   notices reach the fake server, unpaced (the machinery's capacity) and paced at the
//!   production 25/s (over a shorter run: 10,000 at 25/s is 400 s by design).

use crate::harness::*;
use kuayue::store::{ChatKind, Store};
use std::time::Duration;

fn questions() -> Vec<String> {
    let from_file: Vec<String> = std::fs::read_to_string(crate::util::dev_set())
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["question"].as_str().map(String::from))
        .collect();
    if from_file.is_empty() {
        vec![
            "党的政治建设的首要任务是什么".into(),
            "什么是两个维护".into(),
            "模范机关创建有哪些要求".into(),
        ]
    } else {
        from_file
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: prints numbers"]
async fn bench_reply_latency() {
    const N: usize = 600;
    let mut bot = TestBot::start().await;
    let first = bot.ready;
    bot.restart().await;
    println!(
        "start until polling: {:.0} ms building the index on first start, {:.0} ms with the index present",
        first.as_secs_f64() * 1e3,
        bot.ready.as_secs_f64() * 1e3
    );
    let qs = questions();
    // Warm up the caches once.
    bot.say(READER, &qs[0]).await;
    let mut latencies = Vec::with_capacity(N);
    for i in 0..N {
        let q = &qs[i % qs.len()];
        let before = bot.tg.sent_to("sendmessage", READER).len();
        let update = bot.tg.push(private_text(READER, q));
        let reply = bot.tg.nth_message_to(READER, before + 1).await;
        let delivered = bot.tg.delivered_at(update).expect("delivered");
        latencies.push(reply.at.saturating_duration_since(delivered));
    }
    latencies.sort();
    let mean = latencies.iter().sum::<Duration>() / N as u32;
    println!(
        "reply latency over {N} questions (update handed to the bot → sendMessage received): \
         median {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms, mean {:.2} ms",
        percentile(&latencies, 0.5).as_secs_f64() * 1e3,
        percentile(&latencies, 0.9).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies[N - 1].as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e3,
    );
    bot.stop().await;
}

/// Subscribe `n` chats, announce a new issue with an admin /reindex, time the notices.
async fn notices(n: i64, per_second: f64) -> (usize, Duration) {
    let mut bot = TestBot::start_with(|s| {
        s.pacing.per_second = per_second;
        s.pacing.per_chat_gap = Duration::from_secs(1);
    })
    .await;
    {
        let store = Store::open_in(&bot.data_dir()).expect("store");
        for chat in 1_000_000..1_000_000 + n {
            store.subscribe(chat, ChatKind::Private).expect("subscribe");
        }
    }
    add_next_issue(&bot.corpus_dir());
    bot.tg.push(private_text(ADMIN as i64, "/reindex"));
    let is_notice = |c: &crate::fake_telegram::Call| !c.failed && c.text().contains("新刊已收录");
    let first = bot
        .tg
        .wait_until(Duration::from_secs(60), "first notice", |tg| {
            tg.calls("sendmessage").into_iter().find(|c| is_notice(c))
        })
        .await;
    let limit = Duration::from_secs_f64(n as f64 / per_second * 1.5 + 60.0);
    let last = bot
        .tg
        .wait_until(limit, "every notice", |tg| {
            let sent: Vec<_> = tg
                .calls("sendmessage")
                .into_iter()
                .filter(|c| is_notice(c))
                .collect();
            (sent.len() as i64 >= n)
                .then(|| sent.last().cloned())
                .flatten()
        })
        .await;
    let count = bot
        .tg
        .calls("sendmessage")
        .into_iter()
        .filter(|c| is_notice(c))
        .count();
    bot.stop().await;
    (count, last.at.saturating_duration_since(first.at))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: prints numbers"]
async fn bench_notice_throughput() {
    let (count, took) = notices(10_000, 100_000.0).await;
    println!(
        "notices, unpaced: {count} to 10000 subscribers in {:.2} s = {:.0}/s (capacity of outbox + client + fake server)",
        took.as_secs_f64(),
        count as f64 / took.as_secs_f64()
    );
    let (count, took) = notices(500, 25.0).await;
    println!(
        "notices, paced at 25/s: {count} in {:.2} s = {:.2}/s; 10000 subscribers at this rate: {:.0} s",
        took.as_secs_f64(),
        (count - 1) as f64 / took.as_secs_f64(),
        10_000.0 / ((count - 1) as f64 / took.as_secs_f64())
    );
}
