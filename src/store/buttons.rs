//! Server-side state behind inline buttons.
//!
//! Telegram limits `callback_data` to 64 bytes, far too little for a question and the passages
//! on screen, so a button carries a short random key and the state lives here. Keys survive a
//! restart; states older than [`BUTTON_TTL_DAYS`] are pruned, and a press on one then gets a
//! polite "expired".

use super::{now, Result, Store};
use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicU64, Ordering};

/// How long button state is kept.
pub(crate) const BUTTON_TTL_DAYS: i64 = 30;
/// Length of a key: 10 base-62 characters (about 59 bits), unguessable enough that nobody
/// presses another chat's buttons by trying keys.
pub const KEY_LEN: usize = 10;

const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh key from the time, the process id and a counter, hashed.
fn fresh_key() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let mut h = Sha256::new();
    h.update(nanos.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let digest = h.finalize();
    digest
        .iter()
        .take(KEY_LEN)
        .map(|b| ALPHABET[(*b as usize) % ALPHABET.len()] as char)
        .collect()
}

impl Store {
    /// Keep `state` (opaque text, JSON by convention) and return its key.
    pub fn put_button_state(&self, state: &str) -> Result<String> {
        let conn = self.conn();
        loop {
            let key = fresh_key();
            let n = conn.execute(
                "INSERT OR IGNORE INTO buttons (key, state, created_at) VALUES (?1, ?2, ?3)",
                params![key, state, now()],
            )?;
            if n == 1 {
                return Ok(key);
            }
        }
    }

    /// Replace the state behind an existing key (a 更多结果 press moves the page).
    pub(crate) fn update_button_state(&self, key: &str, state: &str) -> Result<()> {
        self.conn().execute(
            "UPDATE buttons SET state = ?2 WHERE key = ?1",
            params![key, state],
        )?;
        Ok(())
    }

    pub fn button_state(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT state FROM buttons WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Forget states older than the TTL. Returns how many went.
    pub(crate) fn prune_buttons(&self) -> Result<usize> {
        Ok(self.conn().execute(
            "DELETE FROM buttons WHERE created_at < ?1",
            [now() - BUTTON_TTL_DAYS * 86_400],
        )?)
    }
}
