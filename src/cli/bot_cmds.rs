//! `bot`, `chat`: the Telegram bot and its terminal twin.

use crate::config::Paths;
use anyhow::bail;

pub fn bot(_paths: &Paths) -> anyhow::Result<()> {
    bail!("bot: not available yet")
}

pub fn chat(_paths: &Paths) -> anyhow::Result<()> {
    bail!("chat: not available yet")
}
