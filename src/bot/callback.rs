//! The data behind every inline button, as one type: built with `to_string`, read back with
//! `parse`, so that no handler formats or splits callback strings by hand.
//!
//! The text form is what Telegram stores with a message and sends back when the button is
//! pressed, so it is a contract with every message already sent: `m:KEY`, `f:KEY:3`, `q:0`,
//! exactly as before this type existed. Telegram allows at most 64 bytes; the state behind a
//! button lives in the database under a short key (see `store::buttons`).

use std::fmt;
use std::str::FromStr;

/// Telegram's limit on callback data, in bytes.
pub(crate) const MAX_BYTES: usize = 64;

/// What a pressed button asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Callback {
    /// One of /start's example questions (`q:N`).
    Example(usize),
    /// The next page of an answer (`m:KEY`, 更多结果).
    More(String),
    /// The previous page (`b:KEY`, 上一页).
    Back(String),
    /// The whole clause of the answer's passage `index` (`f:KEY:I`, 全文).
    Full { key: String, index: usize },
    /// The clause before it (`p:KEY:I`, 上一条).
    Previous { key: String, index: usize },
    /// The clause after it (`n:KEY:I`, 下一条).
    Next { key: String, index: usize },
    /// The question with the suggested word in place of the typed one (`s:KEY`).
    Suggestion(String),
    /// The question's longest topical span as an exact phrase (`v:KEY`, 按原文查找).
    Verbatim(String),
    /// A reader's vote on the answer (`u:KEY` 👍 有用, `d:KEY` 👎 没答到).
    Vote { key: String, up: bool },
    /// Why the answer missed, after a 👎 (`r:KEY:N`, N the stored reason code).
    Reason { key: String, code: usize },
    /// An editor's action on one entry of the misses queue (`mt:ID` 试一试, `mc:ID` 已处理,
    /// `mi:ID` 忽略).
    Miss { id: usize, act: MissAct },
    /// A page of `/misses`, starting at entry `offset` (`mp:OFFSET`).
    MissesPage(usize),
    /// Stop watching the word with this id (`w:ID`, the ✖ of `/watches`).
    Unwatch(usize),
    /// Show or hide the per-passage buttons of a message listing many passages (`o:KEY`,
    /// 更多操作).
    Actions(String),
}

/// What an editor does with a miss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MissAct {
    /// Run the question again now.
    Try,
    /// Mark it handled.
    Close,
    /// Keep it out of the list.
    Ignore,
}

impl Callback {
    /// The key of the state this button refers to, if it has one.
    pub(crate) fn key(&self) -> Option<&str> {
        match self {
            Callback::Example(_)
            | Callback::Miss { .. }
            | Callback::MissesPage(_)
            | Callback::Unwatch(_) => None,
            Callback::More(k)
            | Callback::Back(k)
            | Callback::Suggestion(k)
            | Callback::Verbatim(k)
            | Callback::Actions(k) => Some(k),
            Callback::Full { key, .. }
            | Callback::Previous { key, .. }
            | Callback::Next { key, .. }
            | Callback::Vote { key, .. }
            | Callback::Reason { key, .. } => Some(key),
        }
    }
}

impl fmt::Display for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Callback::Example(i) => write!(f, "q:{i}"),
            Callback::More(k) => write!(f, "m:{k}"),
            Callback::Back(k) => write!(f, "b:{k}"),
            Callback::Full { key, index } => write!(f, "f:{key}:{index}"),
            Callback::Previous { key, index } => write!(f, "p:{key}:{index}"),
            Callback::Next { key, index } => write!(f, "n:{key}:{index}"),
            Callback::Suggestion(k) => write!(f, "s:{k}"),
            Callback::Verbatim(k) => write!(f, "v:{k}"),
            Callback::Vote { key, up: true } => write!(f, "u:{key}"),
            Callback::Vote { key, up: false } => write!(f, "d:{key}"),
            Callback::Reason { key, code } => write!(f, "r:{key}:{code}"),
            Callback::Miss { id, act } => {
                let a = match act {
                    MissAct::Try => "t",
                    MissAct::Close => "c",
                    MissAct::Ignore => "i",
                };
                write!(f, "m{a}:{id}")
            }
            Callback::MissesPage(offset) => write!(f, "mp:{offset}"),
            Callback::Unwatch(id) => write!(f, "w:{id}"),
            Callback::Actions(k) => write!(f, "o:{k}"),
        }
    }
}

/// Callback data this version does not understand (from a much older message, or forged).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown callback data")]
pub(crate) struct UnknownCallback;

impl FromStr for Callback {
    type Err = UnknownCallback;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut parts = s.split(':');
        let verb = parts.next().ok_or(UnknownCallback)?;
        let key = || -> Result<String, UnknownCallback> {
            let k = s.split(':').nth(1).ok_or(UnknownCallback)?;
            if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(UnknownCallback);
            }
            Ok(k.to_string())
        };
        // 上一条/下一条 under a whole clause were sent without an index: it means the first.
        let index = || -> Result<usize, UnknownCallback> {
            match s.split(':').nth(2) {
                None => Ok(0),
                Some(i) => i.parse().map_err(|_| UnknownCallback),
            }
        };
        if s.len() > MAX_BYTES || s.split(':').count() > 3 {
            return Err(UnknownCallback);
        }
        Ok(match verb {
            "q" => Callback::Example(
                parts
                    .next()
                    .and_then(|i| i.parse().ok())
                    .ok_or(UnknownCallback)?,
            ),
            "m" => Callback::More(key()?),
            "b" => Callback::Back(key()?),
            "f" => Callback::Full {
                key: key()?,
                index: index()?,
            },
            "p" => Callback::Previous {
                key: key()?,
                index: index()?,
            },
            "n" => Callback::Next {
                key: key()?,
                index: index()?,
            },
            "s" => Callback::Suggestion(key()?),
            "v" => Callback::Verbatim(key()?),
            "o" => Callback::Actions(key()?),
            "u" | "d" => Callback::Vote {
                key: key()?,
                up: verb == "u",
            },
            "r" if s.split(':').count() == 3 => Callback::Reason {
                key: key()?,
                code: index()?,
            },
            "w" if s.split(':').count() == 2 => Callback::Unwatch(
                parts
                    .next()
                    .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|n| n.parse().ok())
                    .ok_or(UnknownCallback)?,
            ),
            "mt" | "mc" | "mi" | "mp" if s.split(':').count() == 2 => {
                let n: usize = parts
                    .next()
                    .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|n| n.parse().ok())
                    .ok_or(UnknownCallback)?;
                let act = match verb {
                    "mt" => MissAct::Try,
                    "mc" => MissAct::Close,
                    "mi" => MissAct::Ignore,
                    _ => return Ok(Callback::MissesPage(n)),
                };
                Callback::Miss { id: n, act }
            }
            _ => return Err(UnknownCallback),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::KEY_LEN;

    fn all(key: &str, index: usize) -> Vec<Callback> {
        let k = || key.to_string();
        vec![
            Callback::Example(index),
            Callback::More(k()),
            Callback::Back(k()),
            Callback::Full { key: k(), index },
            Callback::Previous { key: k(), index },
            Callback::Next { key: k(), index },
            Callback::Suggestion(k()),
            Callback::Verbatim(k()),
            Callback::Vote { key: k(), up: true },
            Callback::Vote {
                key: k(),
                up: false,
            },
            Callback::Reason {
                key: k(),
                code: index,
            },
            Callback::Miss {
                id: index,
                act: MissAct::Try,
            },
            Callback::Miss {
                id: index,
                act: MissAct::Close,
            },
            Callback::Miss {
                id: index,
                act: MissAct::Ignore,
            },
            Callback::MissesPage(index),
            Callback::Unwatch(index),
            Callback::Actions(k()),
        ]
    }

    #[test]
    fn every_kind_round_trips_within_telegrams_limit() {
        let key = "Z".repeat(KEY_LEN);
        for index in [0, 2, 19, 999] {
            for cb in all(&key, index) {
                let text = cb.to_string();
                assert!(text.len() <= MAX_BYTES, "{text}");
                assert_eq!(text.parse::<Callback>(), Ok(cb));
            }
        }
    }

    #[test]
    fn buttons_of_messages_already_sent_still_parse() {
        // The forms written by hand before this type existed.
        assert_eq!(
            "f:a1B2c3D4e5:2".parse(),
            Ok(Callback::Full {
                key: "a1B2c3D4e5".into(),
                index: 2
            })
        );
        assert_eq!(
            "n:a1B2c3D4e5".parse(),
            Ok(Callback::Next {
                key: "a1B2c3D4e5".into(),
                index: 0
            })
        );
        assert_eq!(
            "m:nosuchkey0".parse(),
            Ok(Callback::More("nosuchkey0".into()))
        );
        assert_eq!("q:1".parse(), Ok(Callback::Example(1)));
    }

    #[test]
    fn anything_else_is_unknown() {
        for bad in [
            "", "x:abc", "m:", "f:abc:x", "q:", "q:-1", "m:a:b:c", "m:ab-c", "m", "r:abc", "mt:",
            "mc:x", "mi:+1", "mp:1:2", "u:", "w:", "w:x", "w:1:2", "o:",
        ] {
            assert_eq!(bad.parse::<Callback>(), Err(UnknownCallback), "{bad:?}");
        }
        assert!(format!("m:{}", "a".repeat(70)).parse::<Callback>().is_err());
    }
}
