//! Announced issues and the outbox of notices owed to subscribers.
//!
//! Announcing an issue is one transaction: the issue is recorded as announced and one outbox
//! row per active subscriber is queued, so a crash either queues all or none, and an issue is
//! never announced twice. A row becomes `sent` only after Telegram accepted the message; the
//! sender (`bot::outbox`) picks up `pending` rows again after a restart.
//!
//! States: `pending` → `sent` | `failed` (given up after repeated errors) | `dropped` (the chat
//! blocked the bot or unsubscribed).

use super::{now, now_ms, Result, Store};
use rusqlite::{params, OptionalExtension};

/// One notice to deliver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub chat: i64,
    pub issue: String,
    pub text: String,
    /// The notice's buttons as JSON rows (a watcher's notice); `None` for the common notice.
    pub buttons: Option<String>,
    pub attempts: u32,
}

/// How the outbox stands, for `/stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
    pub dropped: u64,
}

impl Store {
    pub fn is_announced(&self, issue: &str) -> Result<bool> {
        let found: Option<String> = self
            .conn()
            .query_row(
                "SELECT issue FROM announced WHERE issue = ?1",
                [issue],
                |r| r.get(0),
            )
            .optional()?;
        Ok(found.is_some())
    }

    /// True before any issue was ever recorded: the first start of a fresh bot.
    pub fn nothing_announced(&self) -> Result<bool> {
        let n: i64 = self
            .conn()
            .query_row("SELECT COUNT(*) FROM announced", [], |r| r.get(0))?;
        Ok(n == 0)
    }

    /// Record issues as known without notifying anyone (the corpus a fresh bot starts with).
    pub fn mark_known(&self, issues: &[String]) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        for issue in issues {
            tx.execute(
                "INSERT OR IGNORE INTO announced (issue, notice, at) VALUES (?1, NULL, ?2)",
                params![issue, now()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Announce `issue` to every active subscriber with `notice` (Telegram HTML). Returns the
    /// number of notices queued, or `None` when the issue had already been announced.
    pub fn announce(&self, issue: &str, notice: &str) -> Result<Option<u64>> {
        self.announce_with(issue, notice, &[])
    }

    /// Up to `limit` pending notices due now, oldest first, skipping the ids in `busy`
    /// (being sent right now).
    pub fn due(&self, limit: usize, busy: &[i64]) -> Result<Vec<Delivery>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT o.id, o.chat_id, o.issue, COALESCE(o.text, a.notice, ''), o.attempts, o.buttons
             FROM outbox o JOIN announced a ON a.issue = o.issue
             WHERE o.state = 'pending' AND o.due_ms <= ?1
             ORDER BY o.due_ms, o.id
             LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![now_ms(), (limit + busy.len()) as i64], |r| {
            Ok(Delivery {
                id: r.get(0)?,
                chat: r.get(1)?,
                issue: r.get(2)?,
                text: r.get(3)?,
                attempts: r.get::<_, i64>(4)? as u32,
                buttons: r.get(5)?,
            })
        })?;
        let mut out = Vec::new();
        for row in rows {
            let d = row?;
            if !busy.contains(&d.id) {
                out.push(d);
            }
            if out.len() == limit {
                break;
            }
        }
        Ok(out)
    }

    /// Milliseconds until the next pending notice is due (`None` when nothing is pending).
    pub(crate) fn next_due_in_ms(&self) -> Result<Option<i64>> {
        let due: Option<i64> = self.conn().query_row(
            "SELECT MIN(due_ms) FROM outbox WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(due.map(|d| (d - now_ms()).max(0)))
    }

    /// Telegram accepted the notice.
    pub fn mark_sent(&self, id: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET state = 'sent', done_at = ?2, error = NULL WHERE id = ?1",
            params![id, now()],
        )?;
        Ok(())
    }

    /// Try again at `due_ms`; `counts` says whether this failure uses up an attempt (429s do not).
    pub fn mark_retry(&self, id: i64, due_ms: i64, error: &str, counts: bool) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET due_ms = ?2, error = ?3, attempts = attempts + ?4 WHERE id = ?1",
            params![id, due_ms, error, counts as i64],
        )?;
        Ok(())
    }

    /// Given up after repeated failures.
    pub fn mark_failed(&self, id: i64, error: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE outbox SET state = 'failed', attempts = attempts + 1, error = ?2, done_at = ?3
             WHERE id = ?1",
            params![id, error, now()],
        )?;
        Ok(())
    }

    /// The chat blocked the bot, was deleted or kicked it out (403): unsubscribe it and drop
    /// what it is still owed, in one transaction.
    pub fn chat_gone(&self, chat: i64, error: &str) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "UPDATE subscribers SET active = 0, changed_at = ?2 WHERE chat_id = ?1",
            params![chat, now()],
        )?;
        tx.execute(
            "UPDATE outbox SET state = 'dropped', error = ?2, done_at = ?3
             WHERE chat_id = ?1 AND state = 'pending'",
            params![chat, error, now()],
        )?;
        // Watches are the reader's own list: kept, paused until the chat writes again.
        tx.execute("UPDATE watches SET paused = 1 WHERE chat_id = ?1", [chat])?;
        tx.commit()?;
        Ok(())
    }

    /// A group became a supergroup with a new id: move its subscription and the notices it
    /// is still owed to the new id, in one transaction, and make them due at once.
    pub fn migrate_chat(&self, old: i64, new: i64) -> Result<()> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute(
            "INSERT OR IGNORE INTO subscribers (chat_id, kind, active, since, changed_at)
             SELECT ?2, kind, active, since, ?3 FROM subscribers WHERE chat_id = ?1",
            params![old, new, now()],
        )?;
        tx.execute(
            "UPDATE subscribers SET active = 0, changed_at = ?2 WHERE chat_id = ?1",
            params![old, now()],
        )?;
        tx.execute(
            "UPDATE OR IGNORE outbox SET chat_id = ?2, due_ms = 0
             WHERE chat_id = ?1 AND state = 'pending'",
            params![old, new],
        )?;
        tx.execute(
            "UPDATE OR IGNORE watches SET chat_id = ?2 WHERE chat_id = ?1",
            params![old, new],
        )?;
        // Whatever could not move (the new id already had that notice) is not owed twice.
        tx.execute(
            "UPDATE outbox SET state = 'dropped', error = 'migrated', done_at = ?2
             WHERE chat_id = ?1 AND state = 'pending'",
            params![old, now()],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn outbox_counts(&self) -> Result<OutboxCounts> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached("SELECT state, COUNT(*) FROM outbox GROUP BY state")?;
        let mut counts = OutboxCounts::default();
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            let n = n as u64;
            match state.as_str() {
                "pending" => counts.pending = n,
                "sent" => counts.sent = n,
                "failed" => counts.failed = n,
                "dropped" => counts.dropped = n,
                _ => {}
            }
        }
        Ok(counts)
    }
}
