//! What the bot says, before it is Telegram's business: a message with its buttons, the
//! effect of a button press, an inline result. The core decides them, `view` lays them out,
//! and the Telegram side (`telegram`, `deliver`) and `kuayue chat` only carry them.

use super::callback::Callback;
use serde::{Deserialize, Serialize};

/// One message to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// Telegram HTML, at most 4096 visible characters.
    pub html: String,
    /// Rows of buttons under the message.
    pub buttons: Vec<Vec<Button>>,
}

impl Reply {
    /// A reply without buttons.
    pub(crate) fn text(html: String) -> Reply {
        Reply {
            html,
            buttons: Vec::new(),
        }
    }
}

/// An inline button; `data` is the callback data (≤ 64 bytes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Button {
    pub label: String,
    pub data: String,
    /// A copy-text button instead (Bot API `copy_text`): pressing it copies this text to
    /// the reader's clipboard, with no round trip to the bot. (Absent in replies recorded
    /// before it existed.)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
}

/// Telegram copies at most this many characters.
pub(crate) const MAX_COPY_CHARS: usize = 256;

/// A button that copies `text` (cut to [`MAX_COPY_CHARS`]).
pub(crate) fn copy_button(label: impl Into<String>, text: &str) -> Button {
    Button {
        label: label.into(),
        data: String::new(),
        copy: Some(text.chars().take(MAX_COPY_CHARS).collect()),
    }
}

pub(crate) fn button(label: impl Into<String>, action: Callback) -> Button {
    Button {
        label: label.into(),
        data: action.to_string(),
        copy: None,
    }
}

/// What a button press does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Press {
    /// Replace the message the button was under.
    Edit(Reply),
    /// Send new messages.
    Send(Vec<Reply>),
    /// Only a short notice (shown as a toast by Telegram).
    Notice(String),
    /// Replace the message and show a short notice (a vote: 谢谢反馈).
    EditAndNotice(Reply, String),
}

/// One inline-mode result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineItem {
    pub id: String,
    pub title: String,
    pub description: String,
    /// The message posted when the reader picks this result.
    pub html: String,
}
