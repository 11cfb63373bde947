//! `kuayue chat`: the bot's handlers in a terminal, so anyone can try it without a token.
//!
//! Each input line is a message from a private chat whose user is an admin (the operator at
//! the keyboard). Replies print as plain text; buttons print numbered as `[1] 更多结果`, and
//! typing the number presses the button of the latest reply. `/import FILE` imports a raw
//! text from disk, as sending a document would on Telegram. Lines are routed by
//! [`super::route`], the same decision the Telegram schema makes.

use super::admin::{Admin, Outcome, Slot};
use super::admins::Admins;
use super::commands::AdminCommand;
use super::core::{Core, Inbound};
use super::reply::{Button, Press, Reply};
use super::route::{route, Incoming, Route};
use super::Backend;
use crate::config::Paths;
use crate::render::html::to_plain;
use crate::store::{ChatKind, Store};
use anyhow::Context;
use std::io::{self, BufRead, Write};
use std::sync::Arc;

/// Chat and user id of the terminal.
pub(crate) const TERMINAL_USER: u64 = 1;

/// Open the index and the terminal's own database (`DATA_DIR/chat.sqlite3`, so that trying
/// things here never touches the bot's subscribers) and announce issues added since the last
/// run, as the bot does at its start.
pub fn open(paths: &Paths, backend: Arc<dyn Backend>) -> anyhow::Result<(Arc<Core>, Admin)> {
    for line in super::health::sweep(paths) {
        eprintln!("{line}");
    }
    let opened = backend.open(paths, &mut |p| eprintln!("{p}"))?;
    for w in &opened.warnings {
        eprintln!("⚠️ {w}");
    }
    let library = opened.library;
    std::fs::create_dir_all(&paths.data_dir)
        .with_context(|| format!("无法创建数据目录 {}", paths.data_dir.display()))?;
    let store = Arc::new(Store::open(&paths.data_dir.join("chat.sqlite3"))?);
    let admins = Admins::new([TERMINAL_USER]);
    let core = Arc::new(Core::new(library, store, admins));
    let admin = Admin::new(
        core.clone(),
        backend,
        paths.clone(),
        Arc::new(tokio::sync::Notify::new()),
    );
    admin.announce_new();
    Ok((core, admin))
}

/// Read lines from `input` until it ends (or `/quit`), printing replies to `out`.
pub fn run(core: &Core, admin: &Admin, input: impl BufRead, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "《{}》问答机器人（终端模式）。直接输入问题；/help 查看命令；输入按钮编号按下按钮；/quit 退出。",
        crate::corpus::MAGAZINE
    )?;
    let mut buttons: Vec<Button> = Vec::new();
    for line in input.lines() {
        let line = line?;
        let text = line.trim();
        if text == "/quit" || text == "/exit" {
            break;
        }
        if let Ok(n) = text.parse::<usize>() {
            if let Some(b) = n.checked_sub(1).and_then(|i| buttons.get(i)).cloned() {
                if let Some(text) = &b.copy {
                    writeln!(out, "（已复制：{text}）")?;
                    continue;
                }
                let by = Inbound {
                    chat: TERMINAL_USER as i64,
                    user: TERMINAL_USER,
                    kind: ChatKind::Private,
                    text: "",
                    addressed: true,
                    group_admin: false,
                };
                match core.press(&b.data, &by) {
                    Press::Edit(reply) => {
                        writeln!(out, "（消息已更新）")?;
                        buttons = print(out, &[reply])?;
                    }
                    Press::EditAndNotice(reply, text) => {
                        writeln!(out, "（{text}）")?;
                        buttons = print(out, &[reply])?;
                    }
                    Press::Send(replies) => buttons = print(out, &replies)?,
                    Press::Notice(text) => writeln!(out, "（{text}）")?,
                }
                continue;
            }
        }
        let m = Inbound {
            chat: TERMINAL_USER as i64,
            user: TERMINAL_USER,
            kind: ChatKind::Private,
            text,
            addressed: true,
            group_admin: false,
        };
        let incoming = Incoming {
            text: Some(text),
            has_document: false,
        };
        let replies = match route(incoming, &core.username()) {
            Route::Command(cmd) => core.command(cmd, &m),
            // The terminal's user is an admin, so the schema's admin filter always passes.
            Route::Admin(cmd) => match cmd {
                AdminCommand::Stats => vec![core.stats(TERMINAL_USER)],
                AdminCommand::Import(path) if path.trim().is_empty() => {
                    vec![plain("用法：/import 文件路径（一期的 .txt 原文）")]
                }
                AdminCommand::Import(path) => vec![import(admin, path.trim(), out)],
                AdminCommand::Reindex => vec![reindex(admin, out)],
                AdminCommand::Misses => vec![crate::bot::feedback::misses_page(core.store(), 0)],
                AdminCommand::Synonym(arg) => vec![Reply::text(crate::bot::editors::synonym(
                    core,
                    &admin.paths().corpus_dir,
                    TERMINAL_USER,
                    &arg,
                ))],
                AdminCommand::Dict(arg) => dict(core, admin, &arg, out),
            },
            Route::Text | Route::Document | Route::Other => core.text(&m).unwrap_or_default(),
        };
        buttons = print(out, &replies)?;
    }
    Ok(())
}

/// A reply from plain text (escaped for the HTML every reply is in).
fn plain(text: &str) -> Reply {
    Reply::text(crate::render::html::escape(text))
}

fn reindex(admin: &Admin, out: &mut dyn Write) -> Reply {
    in_foreground(admin, out, |slot, progress| admin.reindex(slot, progress))
}

/// `/dict`: add the word, rebuild here and now, then show the hit test.
fn dict(core: &Core, admin: &Admin, arg: &str, out: &mut dyn Write) -> Vec<Reply> {
    match crate::bot::editors::dict(core, &admin.paths().corpus_dir, TERMINAL_USER, arg) {
        Err(refused) => vec![Reply::text(refused)],
        Ok((added, test)) => {
            let rebuilt = reindex(admin, out);
            vec![
                Reply::text(added),
                Reply::text(rebuilt.html + &test.after(core)),
            ]
        }
    }
}

fn import(admin: &Admin, path: &str, out: &mut dyn Write) -> Reply {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return plain(&format!("无法读取 {path}：{e}")),
    };
    in_foreground(admin, out, |slot, progress| {
        admin.import(slot, &bytes, progress)
    })
}

/// Run an admin operation here and now (the bot runs it on a blocking thread instead),
/// printing its progress lines as they come.
fn in_foreground(
    admin: &Admin,
    out: &mut dyn Write,
    op: impl FnOnce(&Slot, &mut dyn FnMut(&str)) -> Outcome,
) -> Reply {
    let Some(slot) = admin.try_begin() else {
        return plain("索引正在重建，请等它完成后再试。");
    };
    let outcome = op(&slot, &mut |p| {
        let _ = writeln!(out, "⏳ {p}");
    });
    Reply::text(outcome.unwrap_or_else(|e| e))
}

/// Print replies as plain text with numbered buttons; return the buttons now pressable.
fn print(out: &mut dyn Write, replies: &[Reply]) -> io::Result<Vec<Button>> {
    let mut buttons = Vec::new();
    for reply in replies {
        // The best sentence is underlined on Telegram; here it is bracketed.
        let html = reply.html.replace("<u>", "【").replace("</u>", "】");
        writeln!(out, "\n{}", to_plain(&html).trim_end())?;
        for row in &reply.buttons {
            let cells: Vec<String> = row
                .iter()
                .map(|b| {
                    buttons.push(b.clone());
                    format!("[{}] {}", buttons.len(), b.label)
                })
                .collect();
            writeln!(out, "  {}", cells.join("  "))?;
        }
    }
    out.flush()?;
    Ok(buttons)
}
