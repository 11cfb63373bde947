//! The bot's memory: one SQLite file under `DATA_DIR` (rusqlite, bundled SQLite, WAL).
//!
//! It holds what must survive a restart: who subscribed, which issues were announced, which
//! notices are still owed to whom (the outbox), the state behind inline buttons, and daily
//! counters for `/stats`, replies not yet delivered, the journal of imports admins sent (to report one a crash cut
//! short), readers' votes on answers (`feedback`) and the misses queue the editors work
//! through (`misses`). The search index is not here: it is rebuilt from the corpus.
//!
//! All access goes through one connection behind a mutex. Every operation is a short
//! statement or transaction (well under a millisecond in WAL mode with `synchronous=NORMAL`),
//! so async handlers may call it directly.

mod buttons;
mod feedback;
mod imports;
mod lock;
mod misses;
mod outbox;
mod replies;
mod schema;
mod shown;
mod stats;
mod subscribers;
mod watches;

pub use buttons::KEY_LEN;
pub use feedback::{NewVote, Reason, StoredVote, Vote, Voted};
pub use imports::Interrupted;
pub use lock::{DataLock, LockError, LOCK_FILE};
pub use misses::{FeedbackCounts, Miss, MissState};
pub use outbox::{Delivery, OutboxCounts};
pub use schema::supported_version;
pub use shown::{level_code, Shown};
pub use subscribers::ChatKind;
pub use watches::{Personal, Watch, Watched, MAX_WATCHES};

use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

/// File name of the database inside `DATA_DIR`.
pub const DB_FILE: &str = "bot.sqlite3";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Causes are quoted in the messages (the bot shows only the message), so they are not
    /// also chained as sources: the CLI prints the chain, which would say them twice.
    #[error("无法创建数据目录 {path}：{err}")]
    Dir { path: PathBuf, err: std::io::Error },
    #[error("数据库 {path} 出错：{err}")]
    Open { path: PathBuf, err: rusqlite::Error },
    #[error("数据库出错：{0}")]
    Sql(rusqlite::Error),
    #[error(
        "数据库 {path} 已损坏（{why}），机器人不会覆盖或修改它。请先停止机器人，从备份恢复\
         （kuayue restore <备份目录>，或把备份中的 bot.sqlite3 复制为 {path}），再启动；原文件请留作排查"
    )]
    Damaged { path: PathBuf, why: String },
    #[error("数据库 {path} 的版本 {found} 比本程序支持的 {supported} 新，请升级程序")]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
}

/// `?` on a query: the message quotes the SQLite error (see [`StoreError`]).
impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        StoreError::Sql(err)
    }
}

pub(crate) type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A handle on the bot database. Cheap to share behind an `Arc`.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Open (creating if needed) `DATA_DIR/bot.sqlite3` and bring its schema up to date.
    pub fn open_in(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir).map_err(|err| StoreError::Dir {
            path: data_dir.to_path_buf(),
            err,
        })?;
        Store::open(&data_dir.join(DB_FILE))
    }

    /// Open the database file at `path` and migrate it.
    ///
    /// A new database is created only where no file exists, and then under a temporary name
    /// renamed into place once its schema is written: so an existing file that is empty or
    /// has no schema can only be damage (a truncation, a bad copy), and is refused like any
    /// other damage, after `PRAGMA quick_check`, without writing to it.
    pub fn open(path: &Path) -> Result<Store> {
        if !path.exists() {
            Store::create(path)?;
        }
        let damaged = |why: String| StoreError::Damaged {
            path: path.to_path_buf(),
            why,
        };
        let len = std::fs::metadata(path)
            .map_err(|e| damaged(format!("无法读取：{e}")))?
            .len();
        if len == 0 {
            return Err(damaged("文件为空（0 字节）".into()));
        }
        let open_err = |err| StoreError::Open {
            path: path.to_path_buf(),
            err,
        };
        // Never let SQLite create a file here: a vanished file is not a new database.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(open_err)?;
        let started = std::time::Instant::now();
        quick_check(&conn).map_err(damaged)?;
        tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            "database integrity checked (PRAGMA quick_check)"
        );
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| damaged(e.to_string()))?;
        if version == 0 {
            return Err(damaged("没有任何表结构，不是本机器人的数据库".into()));
        }
        Store::configure(&conn).map_err(open_err)?;
        schema::migrate(&mut conn, path)?;
        Ok(Store {
            conn: Mutex::new(conn),
        })
    }

    /// Write a new database with the whole schema at `path`, through a temporary file.
    fn create(path: &Path) -> Result<()> {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.new-{}", std::process::id()));
        let open_err = |err| StoreError::Open {
            path: tmp.clone(),
            err,
        };
        for stale in [tmp.clone(), wal_of(&tmp, "-wal"), wal_of(&tmp, "-shm")] {
            let _ = std::fs::remove_file(stale);
        }
        {
            let mut conn = Connection::open(&tmp).map_err(open_err)?;
            Store::configure(&conn).map_err(open_err)?;
            schema::migrate(&mut conn, &tmp)?;
            // Closing the last connection checkpoints the WAL into the file.
            conn.close().map_err(|(_, e)| open_err(e))?;
        }
        std::fs::rename(&tmp, path).map_err(|e| StoreError::Dir {
            path: path.to_path_buf(),
            err: e,
        })?;
        tracing::info!("created a new database {}", path.display());
        Ok(())
    }

    fn configure(conn: &Connection) -> rusqlite::Result<()> {
        // WAL: readers never block the writer; NORMAL: a commit is durable once the WAL is
        // synced at checkpoint, which survives a process crash (not a power cut) and keeps
        // commits in the microseconds.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")
    }

    /// `PRAGMA quick_check` on the open database (what `open` runs before anything else).
    pub fn quick_check(&self) -> Result<()> {
        quick_check(&self.conn()).map_err(|why| StoreError::Damaged {
            path: PathBuf::from(DB_FILE),
            why,
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite itself consistent (each statement is
        // atomic), so a poisoned lock is safe to keep using.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn wal_of(path: &Path, suffix: &str) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(suffix);
    PathBuf::from(p)
}

/// `PRAGMA quick_check`: `Err` with SQLite's findings (or its error: "file is not a
/// database") unless it says `ok`.
fn quick_check(conn: &Connection) -> Result<(), String> {
    let mut stmt = conn
        .prepare("PRAGMA quick_check")
        .map_err(|e| e.to_string())?;
    let rows: Vec<String> = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .and_then(|rows| rows.collect())
        .map_err(|e| e.to_string())?;
    if rows.len() == 1 && rows[0] == "ok" {
        Ok(())
    } else {
        Err(rows.into_iter().take(5).collect::<Vec<_>>().join("；"))
    }
}

/// Seconds since the Unix epoch.
pub(crate) fn now() -> i64 {
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
