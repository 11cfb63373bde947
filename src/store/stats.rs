//! Daily counters (questions answered, …) for `/stats`. A day is a calendar day in China
//! Standard Time (UTC+8), where the readers are.

use super::{now, Result, Store};
use rusqlite::{params, OptionalExtension};

/// Days since the epoch in UTC+8.
pub(crate) fn today() -> i64 {
    crate::clock::day_of(now())
}

impl Store {
    pub fn count(&self, name: &str) -> Result<()> {
        self.conn().execute(
            "INSERT INTO counters (day, name, value) VALUES (?1, ?2, 1)
             ON CONFLICT (day, name) DO UPDATE SET value = value + 1",
            params![today(), name],
        )?;
        Ok(())
    }

    pub fn counted_today(&self, name: &str) -> Result<u64> {
        let v: Option<i64> = self
            .conn()
            .query_row(
                "SELECT value FROM counters WHERE day = ?1 AND name = ?2",
                params![today(), name],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.unwrap_or(0) as u64)
    }
}
