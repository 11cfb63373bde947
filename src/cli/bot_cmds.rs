//! `bot`, `chat`: the Telegram bot and its terminal twin.

use crate::bot::backend::EngineBackend;
use crate::bot::settings::Settings;
use crate::bot::{chat, telegram};
use crate::config::Paths;
use anyhow::Context;
use std::sync::Arc;

/// `kuayue bot`: validate the settings, start, run until Ctrl-C / SIGTERM.
pub(crate) fn bot() -> anyhow::Result<()> {
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

/// `kuayue chat`: the same handlers on standard input and output.
pub(crate) fn chat(paths: &Paths) -> anyhow::Result<()> {
    let (core, admin) = chat::open(paths, Arc::new(EngineBackend))?;
    let stdin = std::io::stdin();
    chat::run(&core, &admin, stdin.lock(), &mut std::io::stdout())?;
    Ok(())
}
