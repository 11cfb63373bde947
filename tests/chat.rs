//! `kuayue chat`: the bot's handlers on text input and output, with the real engine.

use kuayue::bot::backend::EngineBackend;
use kuayue::bot::chat;
use kuayue::config::Paths;
use std::sync::Arc;

fn run(input: &str) -> String {
    let dir = crate::harness::temp_workspace();
    let paths = Paths {
        corpus_dir: dir.path().join("corpus"),
        data_dir: dir.path().join("data"),
    };
    let (core, admin) = chat::open(&paths, Arc::new(EngineBackend)).expect("index opens");
    let mut out = Vec::new();
    chat::run(&core, &admin, input.as_bytes(), &mut out).expect("chat runs");
    String::from_utf8(out).expect("utf-8 output")
}

#[test]
fn questions_get_plain_text_answers_with_numbered_buttons() {
    let out = run("党的政治建设的首要任务是什么\n4\n13\n/toc\n/stats\n");
    assert!(out.contains("《跨越》2019年第3期 · 第"), "{out}");
    assert!(
        !out.contains("<b>") && !out.contains("&amp;"),
        "plain text: {out}"
    );
    assert!(
        out.contains("[1] ① 全文")
            && out.contains("[4] ① 复制引文")
            && out.contains("[13] 更多结果"),
        "{out}"
    );
    assert!(
        out.contains("（消息已更新）") && out.contains("④"),
        "button 13 pressed: {out}"
    );
    assert!(out.contains("卷首") && out.contains("统计"), "{out}");
    assert!(out.contains("【"), "best sentence bracketed: {out}");
    assert!(
        out.contains("（已复制：《跨越》2019年第3期（总第244期）"),
        "the citation is shown as copied: {out}"
    );
    assert!(
        out.contains("👍 有用") && out.contains("👎 没答到"),
        "{out}"
    );
}

/// The terminal routes admin commands the way the bot's schema does (`bot::route`), with the
/// operator as the admin: `/import` needs a path, a missing file is named, `/reindex` runs.
#[test]
fn admin_commands_route_as_on_telegram() {
    let out = run("/import\n/import /no/such/issue.txt\n/reindex\n");
    assert!(out.contains("用法：/import 文件路径"), "{out}");
    assert!(out.contains("无法读取 /no/such/issue.txt"), "{out}");
    assert!(
        out.contains("⏳") && out.contains("✅"),
        "reindex ran: {out}"
    );
}
