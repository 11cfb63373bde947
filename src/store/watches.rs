//! Topic alerts (关注): the words each chat watches, and the notices a new issue owes them.
//!
//! A watcher's notice is queued in the same outbox row as the new-issue notice (one row per
//! chat and issue, so a subscriber who watches gets one message, not two), with a text of
//! its own. Announcing writes the issue, the subscribers' rows and the watchers' rows in one
//! transaction: a restart in the middle leaves all of it or none, and never a second copy.
//! A chat that blocked the bot (403) keeps its watches, paused, until it writes again.

use super::{now, Result, Store};
use rusqlite::params;

/// At most this many watches per chat.
pub const MAX_WATCHES: usize = 20;

/// One watched word.
/// A chat's own notice of an issue (a watcher's): its text and, as JSON rows, its buttons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personal {
    pub chat: i64,
    pub text: String,
    pub buttons: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watch {
    pub id: i64,
    pub chat: i64,
    pub word: String,
    pub paused: bool,
}

/// What [`Store::watch`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Watched {
    Added,
    AlreadyWatched,
    /// The chat watches [`MAX_WATCHES`] words already; nothing was added.
    Full,
}

impl Store {
    /// Watch `word` in `chat` (and resume the chat's paused watches: it is writing again).
    pub fn watch(&self, chat: i64, word: &str) -> Result<Watched> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        tx.execute("UPDATE watches SET paused = 0 WHERE chat_id = ?1", [chat])?;
        let exists: i64 = tx.query_row(
            "SELECT COUNT(*) FROM watches WHERE chat_id = ?1 AND word = ?2",
            params![chat, word],
            |r| r.get(0),
        )?;
        if exists > 0 {
            tx.commit()?;
            return Ok(Watched::AlreadyWatched);
        }
        let count: i64 = tx.query_row(
            "SELECT COUNT(*) FROM watches WHERE chat_id = ?1",
            [chat],
            |r| r.get(0),
        )?;
        if count as usize >= MAX_WATCHES {
            tx.commit()?;
            return Ok(Watched::Full);
        }
        tx.execute(
            "INSERT INTO watches (chat_id, word, added_at) VALUES (?1, ?2, ?3)",
            params![chat, word, now()],
        )?;
        tx.commit()?;
        Ok(Watched::Added)
    }

    /// Stop watching `word`; false when it was not watched.
    pub fn unwatch(&self, chat: i64, word: &str) -> Result<bool> {
        let n = self.conn().execute(
            "DELETE FROM watches WHERE chat_id = ?1 AND word = ?2",
            params![chat, word],
        )?;
        Ok(n > 0)
    }

    /// Stop watching by id, only in the chat that owns it; the word, if it was removed.
    pub fn unwatch_id(&self, chat: i64, id: i64) -> Result<Option<String>> {
        let conn = self.conn();
        let word: Option<String> = rusqlite::OptionalExtension::optional(conn.query_row(
            "SELECT word FROM watches WHERE id = ?1 AND chat_id = ?2",
            params![id, chat],
            |r| r.get(0),
        ))?;
        if word.is_some() {
            conn.execute("DELETE FROM watches WHERE id = ?1", [id])?;
        }
        Ok(word)
    }

    /// A chat's watches, oldest first.
    pub fn watches_of(&self, chat: i64) -> Result<Vec<Watch>> {
        self.select_watches("WHERE chat_id = ?1", params![chat])
    }

    /// Every watch that is not paused, by chat.
    pub fn active_watches(&self) -> Result<Vec<Watch>> {
        self.select_watches("WHERE paused = 0", params![])
    }

    fn select_watches(&self, filter: &str, args: impl rusqlite::Params) -> Result<Vec<Watch>> {
        let conn = self.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT id, chat_id, word, paused FROM watches {filter} ORDER BY chat_id, id"
        ))?;
        let rows = stmt.query_map(args, |r| {
            Ok(Watch {
                id: r.get(0)?,
                chat: r.get(1)?,
                word: r.get(2)?,
                paused: r.get::<_, i64>(3)? != 0,
            })
        })?;
        Ok(rows.collect::<std::result::Result<_, _>>()?)
    }

    /// Announce `issue`: `notice` to every active subscriber, and to each chat in `personal`
    /// its own text instead (the notice with its watched words' matches, or the matches alone
    /// for a chat that is not subscribed). One transaction; `None` when the issue had already
    /// been announced, else the number of notices queued.
    pub fn announce_with(
        &self,
        issue: &str,
        notice: &str,
        personal: &[Personal],
    ) -> Result<Option<u64>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO announced (issue, notice, at) VALUES (?1, ?2, ?3)",
            params![issue, notice, now()],
        )?;
        if inserted == 0 {
            return Ok(None);
        }
        let mut queued = tx.execute(
            "INSERT OR IGNORE INTO outbox (chat_id, issue, state, due_ms)
             SELECT chat_id, ?1, 'pending', 0 FROM subscribers WHERE active = 1",
            [issue],
        )? as u64;
        for p in personal {
            let updated = tx.execute(
                "UPDATE outbox SET text = ?3, buttons = ?4 WHERE chat_id = ?1 AND issue = ?2",
                params![p.chat, issue, p.text, p.buttons],
            )?;
            if updated == 0 {
                queued += tx.execute(
                    "INSERT INTO outbox (chat_id, issue, state, due_ms, text, buttons)
                     VALUES (?1, ?2, 'pending', 0, ?3, ?4)",
                    params![p.chat, issue, p.text, p.buttons],
                )? as u64;
            }
        }
        tx.commit()?;
        Ok(Some(queued))
    }
}
