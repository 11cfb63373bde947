//! The bot's memory: one SQLite file under `DATA_DIR` (rusqlite, bundled SQLite, WAL).
//!
//! It holds what must survive a restart: who subscribed, which issues were announced, which
//! notices are still owed to whom (the outbox), the state behind inline buttons, and daily
//! counters for `/stats`. The search index is not here: it is rebuilt from the corpus.
//!
//! All access goes through one connection behind a mutex. Every operation is a short
//! statement or transaction (well under a millisecond in WAL mode with `synchronous=NORMAL`),
//! so async handlers may call it directly.

mod buttons;
mod outbox;
mod schema;
mod stats;
mod subscribers;

pub use outbox::{Delivery, OutboxCounts};
pub use subscribers::ChatKind;

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// File name of the database inside `DATA_DIR`.
pub const DB_FILE: &str = "bot.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("无法创建数据目录 {path}：{source}")]
    Dir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("数据库 {path} 出错：{source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("数据库出错：{0}")]
    Sql(#[from] rusqlite::Error),
    #[error("数据库 {path} 的版本 {found} 比本程序支持的 {supported} 新，请升级程序")]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the bot database. Cheap to share behind an `Arc`.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Open (creating if needed) `DATA_DIR/bot.sqlite3` and bring its schema up to date.
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|source| StoreError::Dir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        Store::open(&data_dir.join(DB_FILE))
    }

    /// Open the database file at `path` and migrate it.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        // WAL: readers never block the writer; NORMAL: a commit is durable once the WAL is
        // synced at checkpoint, which survives a process crash (not a power cut) and keeps
        // commits in the microseconds.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        schema::migrate(&mut conn, path)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent (each statement is
        // atomic), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Milliseconds since the Unix epoch, for due times that need sub-second pacing.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
