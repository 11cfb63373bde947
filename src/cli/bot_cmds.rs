//! `bot`, `chat`: the Telegram bot and its terminal twin.

use crate::bot::admin::Admin;
use crate::bot::backend::EngineBackend;
use crate::bot::settings::Settings;
use crate::bot::{chat, telegram, Backend};
use crate::config::Paths;
use crate::store::Store;
use anyhow::Context;
use std::collections::BTreeSet;
use std::sync::Arc;

/// `kuayue bot`: validate the settings, start, run until Ctrl-C / SIGTERM.
pub fn bot() -> anyhow::Result<()> {
    // The bot reads CORPUS_DIR / DATA_DIR itself, together with its own settings, so that
    // one validation names whatever is wrong.
    let settings = Settings::from_env()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("无法启动异步运行时")?;
    runtime.block_on(async {
        let running = telegram::start(settings, Arc::new(EngineBackend)).await?;
        eprintln!("机器人已启动，按 Ctrl-C 停止。");
        running.wait().await;
        anyhow::Ok(())
    })
}

/// `kuayue chat`: the same handlers on standard input and output. Keeps its own database
/// (`DATA_DIR/chat.sqlite3`) so that trying things here never touches the bot's subscribers.
pub fn chat(paths: &Paths) -> anyhow::Result<()> {
    let backend: Arc<dyn Backend> = Arc::new(EngineBackend);
    let library = backend.open(paths, &mut |p| eprintln!("{p}"))?;
    std::fs::create_dir_all(&paths.data_dir)
        .with_context(|| format!("无法创建数据目录 {}", paths.data_dir.display()))?;
    let store = Arc::new(Store::open(&paths.data_dir.join("chat.sqlite3"))?);
    let admins = BTreeSet::from([chat::TERMINAL_USER]);
    let core = Arc::new(crate::bot::core::Core::new(library, store, admins));
    let admin = Admin::new(
        core.clone(),
        backend,
        paths.clone(),
        Arc::new(tokio::sync::Notify::new()),
    );
    admin.announce_new();
    let stdin = std::io::stdin();
    chat::run(&core, &admin, stdin.lock(), &mut std::io::stdout())?;
    Ok(())
}
