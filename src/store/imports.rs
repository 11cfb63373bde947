//! The journal of imports: an admin's document is recorded as `running` before the import
//! begins and marked `done` or `failed` when it ends. A row still `running` at start belongs
//! to a run that died mid-import; the bot tells that admin and marks it `interrupted`.

use super::{now, Result, Store};
use rusqlite::params;

/// An import that a previous run accepted and never finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interrupted {
    pub id: i64,
    pub chat: i64,
    pub file_name: String,
    /// Seconds since the Unix epoch.
    pub started_at: i64,
}

impl Store {
    /// Record an accepted import before it begins; returns its id.
    pub(crate) fn import_started(&self, chat: i64, user: u64, file_name: &str) -> Result<i64> {
        let conn = self.conn();
        conn.execute(
            "INSERT INTO imports (chat_id, user_id, file_name, started_at) VALUES (?1, ?2, ?3, ?4)",
            params![chat, user as i64, file_name, now()],
        )?;
        Ok(conn.last_insert_rowid())
    }

    /// The import ended (its admin has been told how).
    pub(crate) fn import_finished(&self, id: i64, ok: bool) -> Result<()> {
        self.conn().execute(
            "UPDATE imports SET state = ?2, done_at = ?3 WHERE id = ?1",
            params![id, if ok { "done" } else { "failed" }, now()],
        )?;
        Ok(())
    }

    /// Imports left `running` by an earlier run, now marked `interrupted` (in one
    /// transaction, so each is reported once).
    pub(crate) fn take_interrupted_imports(&self) -> Result<Vec<Interrupted>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let found = {
            let mut stmt = tx.prepare(
                "SELECT id, chat_id, file_name, started_at FROM imports
                 WHERE state = 'running' ORDER BY id",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(Interrupted {
                    id: r.get(0)?,
                    chat: r.get(1)?,
                    file_name: r.get(2)?,
                    started_at: r.get(3)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        tx.execute(
            "UPDATE imports SET state = 'interrupted', done_at = ?1 WHERE state = 'running'",
            [now()],
        )?;
        tx.commit()?;
        Ok(found)
    }

    /// How many imports are in `state` (for tests and `/stats`).
    pub fn imports_in(&self, state: &str) -> Result<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM imports WHERE state = ?1",
            [state],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }
}
