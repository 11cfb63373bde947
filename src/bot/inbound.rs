//! What the bot is told: who wrote, where, and what. Plain values, made from a Telegram
//! message by the handlers and by `kuayue chat` from a typed line, and read by the core and
//! the features beside it (watches, feedback) without any of them knowing the other.

use crate::store::ChatKind;

/// Who sent a text message and whether it was meant for the bot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inbound<'a> {
    pub chat: i64,
    pub user: u64,
    pub kind: ChatKind,
    pub text: &'a str,
    /// In a group: the message mentions the bot or replies to it. Always true in private.
    pub addressed: bool,
    /// In a group: the sender is one of its administrators (only checked when it matters).
    pub group_admin: bool,
}
