//! Replies not yet delivered. The courier (`bot::deliver`) records each reply here when it is
//! queued and deletes it once Telegram accepted it (or it was given up); a start finds the
//! ones a stopped or killed run still owed and sends them. A reply is an opaque JSON `job`
//! here: the store does not know Telegram's shapes.

use super::{now, Result, Store};
use rusqlite::params;

impl Store {
    /// Record replies for `chat`, in order; returns their ids.
    pub(crate) fn replies_queued(&self, chat: i64, jobs: &[String]) -> Result<Vec<i64>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let mut ids = Vec::with_capacity(jobs.len());
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO replies (chat_id, job, created_at) VALUES (?1, ?2, ?3)",
            )?;
            for job in jobs {
                insert.execute(params![chat, job, now()])?;
                ids.push(tx.last_insert_rowid());
            }
        }
        tx.commit()?;
        Ok(ids)
    }

    /// The reply is delivered (or given up): forget it.
    pub(crate) fn reply_done(&self, id: i64) -> Result<()> {
        self.conn()
            .execute("DELETE FROM replies WHERE id = ?1", [id])?;
        Ok(())
    }

    /// Every reply still owed, oldest first: `(id, chat, job)`.
    pub fn replies_owed(&self) -> Result<Vec<(i64, i64, String)>> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT id, chat_id, job FROM replies ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
