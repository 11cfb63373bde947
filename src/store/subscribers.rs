//! Subscriptions: one row per chat, kept when a chat unsubscribes (so that re-subscribing is a
//! flip of `active`, and a 403 leaves a trace of when the chat went away).

use super::{now, Result, Store};
use rusqlite::{params, OptionalExtension};

/// What kind of chat subscribed; groups are subscribed by one of their admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatKind {
    Private,
    Group,
    Channel,
}

impl ChatKind {
    fn as_str(self) -> &'static str {
        match self {
            ChatKind::Private => "private",
            ChatKind::Group => "group",
            ChatKind::Channel => "channel",
        }
    }
}

impl Store {
    /// Subscribe a chat. Returns false when it already was (idempotent).
    pub fn subscribe(&self, chat: i64, kind: ChatKind) -> Result<bool> {
        let conn = self.conn();
        let t = now();
        let was: Option<i64> = conn
            .query_row(
                "SELECT active FROM subscribers WHERE chat_id = ?1",
                [chat],
                |r| r.get(0),
            )
            .optional()?;
        match was {
            Some(1) => Ok(false),
            Some(_) => {
                conn.execute(
                    "UPDATE subscribers SET active = 1, changed_at = ?2 WHERE chat_id = ?1",
                    params![chat, t],
                )?;
                Ok(true)
            }
            None => {
                conn.execute(
                    "INSERT INTO subscribers (chat_id, kind, active, since, changed_at)
                     VALUES (?1, ?2, 1, ?3, ?3)",
                    params![chat, kind.as_str(), t],
                )?;
                Ok(true)
            }
        }
    }

    /// Unsubscribe a chat. Returns false when it was not subscribed.
    /// Notices still owed to it are dropped: it asked not to get them.
    pub fn unsubscribe(&self, chat: i64) -> Result<bool> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let changed = tx.execute(
            "UPDATE subscribers SET active = 0, changed_at = ?2 WHERE chat_id = ?1 AND active = 1",
            params![chat, now()],
        )?;
        tx.execute(
            "UPDATE outbox SET state = 'dropped', done_at = ?2 WHERE chat_id = ?1 AND state = 'pending'",
            params![chat, now()],
        )?;
        tx.commit()?;
        Ok(changed > 0)
    }

    pub fn is_subscribed(&self, chat: i64) -> Result<bool> {
        let active: Option<i64> = self
            .conn()
            .query_row(
                "SELECT active FROM subscribers WHERE chat_id = ?1",
                [chat],
                |r| r.get(0),
            )
            .optional()?;
        Ok(active == Some(1))
    }

    pub fn subscriber_count(&self) -> Result<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM subscribers WHERE active = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}
