//! `kuayue backup DEST` and `kuayue restore SRC`: what must survive the loss of the server.
//!
//! A backup is a directory: `bot.sqlite3` (subscribers, notices owed, votes, …), `corpus/`
//! (the issues and the editors' dictionary and thesaurus), and `backup.json`, a manifest with
//! every file's size and SHA-256. The index is not in it: it is derived, and the bot rebuilds
//! it from the corpus on the first start after a restore.
//!
//! The database is copied with SQLite's online backup API in a single step, which reads one
//! consistent snapshot: safe while the bot writes (WAL mode lets the bot go on writing
//! meanwhile). A restore checks everything before it writes anything: the manifest, every
//! checksum, the database's integrity and schema version, and that the corpus parses. It
//! takes the data directory's lock first, so it refuses while a bot runs there, and it never
//! deletes: what it replaces is moved aside (see [`restore`]).

use crate::config::Paths;
use crate::store::{DataLock, LockError, DB_FILE};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Component, Path, PathBuf};

/// The manifest's name inside a backup.
pub const MANIFEST: &str = "backup.json";
/// The manifest format this binary writes and reads.
const FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} 已存在且不是空目录：请给一个新的备份目录，旧备份不会被覆盖")]
    DestNotEmpty(PathBuf),
    #[error("没有可备份的数据库：{0} 不存在（机器人还没有运行过？）")]
    NoDatabase(PathBuf),
    #[error("{path}：{err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("数据库 {path}：{err}")]
    Sql { path: PathBuf, err: rusqlite::Error },
    #[error("{0} 不是有效的备份：{1}")]
    Invalid(PathBuf, String),
    #[error(transparent)]
    Locked(#[from] LockError),
}

type Result<T> = std::result::Result<T, BackupError>;

/// `backup.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub format: u32,
    /// The version of kuayue that wrote it.
    pub kuayue: String,
    /// Unix seconds.
    pub created: i64,
    /// `PRAGMA user_version` of the database copied.
    pub schema: i64,
    /// Every file of the backup but the manifest, with `/` separators.
    pub files: Vec<FileEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// What a backup or a restore did, for the CLI to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Done {
    pub manifest: Manifest,
    /// Restore only: the database that was replaced, kept under this name.
    pub kept: Option<PathBuf>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |err| BackupError::Io {
        path: path.to_path_buf(),
        err,
    }
}

fn sql(path: &Path) -> impl FnOnce(rusqlite::Error) -> BackupError + '_ {
    move |err| BackupError::Sql {
        path: path.to_path_buf(),
        err,
    }
}

/// Write a backup of `paths` into `dest` (created; it must not hold anything yet).
pub fn backup(paths: &Paths, dest: &Path) -> Result<Done> {
    let db = paths.data_dir.join(DB_FILE);
    if !db.is_file() {
        return Err(BackupError::NoDatabase(db));
    }
    if dest.exists() {
        let empty = std::fs::read_dir(dest).map_err(io(dest))?.next().is_none();
        if !empty {
            return Err(BackupError::DestNotEmpty(dest.to_path_buf()));
        }
    }
    std::fs::create_dir_all(dest).map_err(io(dest))?;
    let copy = dest.join(DB_FILE);
    let schema = copy_database(&db, &copy)?;
    let mut files = vec![entry(dest, &copy)?];
    for file in corpus_files(&paths.corpus_dir)? {
        let rel = file
            .strip_prefix(&paths.corpus_dir)
            .map_err(|_| BackupError::Invalid(file.clone(), "不在语料目录内".into()))?;
        let to = dest.join("corpus").join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::copy(&file, &to).map_err(io(&file))?;
        files.push(entry(dest, &to)?);
    }
    let manifest = Manifest {
        format: FORMAT,
        kuayue: env!("CARGO_PKG_VERSION").to_string(),
        created: crate::store::now(),
        schema,
        files,
    };
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| BackupError::Invalid(dest.to_path_buf(), e.to_string()))?;
    // Written last: a backup without its manifest is visibly unfinished.
    let path = dest.join(MANIFEST);
    std::fs::write(&path, json + "\n").map_err(io(&path))?;
    // The corpus is copied file by file: an import that replaced an issue meanwhile could
    // leave a mixed copy. Check it as a restore would, so that a bad backup is known now.
    verify(dest)?;
    Ok(Done {
        manifest,
        kept: None,
    })
}

/// Copy the database at `from` to `to` in one step of the online backup API (one consistent
/// snapshot, however busy the bot is), and return its schema version.
fn copy_database(from: &Path, to: &Path) -> Result<i64> {
    let src = Connection::open_with_flags(
        from,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sql(from))?;
    // A busy writer holds its lock for well under a millisecond; wait rather than fail.
    src.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(sql(from))?;
    let mut dst = Connection::open(to).map_err(sql(to))?;
    {
        use rusqlite::backup::StepResult;
        let copy = rusqlite::backup::Backup::new(&src, &mut dst).map_err(sql(to))?;
        // -1: every page in one step, so one read transaction sees one snapshot. (A copy in
        // several steps restarts whenever the bot writes between two of them.)
        let mut waits = 0;
        loop {
            match copy.step(-1).map_err(sql(from))? {
                StepResult::Done => break,
                StepResult::Busy | StepResult::Locked if waits < 1_000 => {
                    waits += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                StepResult::More => {}
                _ => {
                    return Err(BackupError::Invalid(
                        from.to_path_buf(),
                        "数据库一直被占用，无法读取一致的副本".into(),
                    ))
                }
            }
        }
    }
    // A single file, not a WAL pair, so that the backup is one self-contained copy.
    dst.pragma_update(None, "journal_mode", "DELETE")
        .map_err(sql(to))?;
    dst.query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(sql(to))
}

/// The corpus's files, sorted: everything but hidden entries (an import or an edit in
/// progress writes `.`-prefixed temporary files).
fn corpus_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for item in std::fs::read_dir(&d).map_err(io(&d))? {
            let item = item.map_err(io(&d))?;
            let path = item.path();
            if item.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            let kind = item.file_type().map_err(io(&path))?;
            if kind.is_dir() {
                todo.push(path);
            } else if kind.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn entry(root: &Path, file: &Path) -> Result<FileEntry> {
    let bytes = std::fs::read(file).map_err(io(file))?;
    let rel = file
        .strip_prefix(root)
        .map_err(|_| BackupError::Invalid(file.to_path_buf(), "不在备份目录内".into()))?;
    let path = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    Ok(FileEntry {
        path,
        bytes: bytes.len() as u64,
        sha256: sha256_hex(&bytes),
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Check the backup in `src` from end to end, changing nothing: the manifest, every file's
/// checksum, the database's integrity and schema, and that the corpus parses.
pub fn verify(src: &Path) -> Result<Manifest> {
    let invalid = |why: String| BackupError::Invalid(src.to_path_buf(), why);
    let path = src.join(MANIFEST);
    let text =
        std::fs::read_to_string(&path).map_err(|e| invalid(format!("读不到 {MANIFEST}（{e}）")))?;
    let manifest: Manifest =
        serde_json::from_str(&text).map_err(|e| invalid(format!("{MANIFEST} 格式不对（{e}）")))?;
    if manifest.format != FORMAT {
        return Err(invalid(format!(
            "备份格式 {} 不是本程序支持的 {FORMAT}",
            manifest.format
        )));
    }
    if manifest.schema > crate::store::supported_version() {
        return Err(invalid(format!(
            "数据库版本 {} 比本程序支持的 {} 新，请用更新的程序恢复",
            manifest.schema,
            crate::store::supported_version()
        )));
    }
    if !manifest.files.iter().any(|f| f.path == DB_FILE) {
        return Err(invalid(format!("清单里没有 {DB_FILE}")));
    }
    for f in &manifest.files {
        let rel = Path::new(&f.path);
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            return Err(invalid(format!("清单里的路径 {} 不安全", f.path)));
        }
        let bytes =
            std::fs::read(src.join(rel)).map_err(|e| invalid(format!("缺少 {}（{e}）", f.path)))?;
        if bytes.len() as u64 != f.bytes || sha256_hex(&bytes) != f.sha256 {
            return Err(invalid(format!(
                "{} 与清单不符（文件已损坏或被改动）",
                f.path
            )));
        }
    }
    let db = src.join(DB_FILE);
    let conn =
        Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(sql(&db))?;
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(sql(&db))?;
    if check != "ok" {
        return Err(invalid(format!("数据库完整性检查未通过：{check}")));
    }
    let corpus = src.join("corpus");
    crate::corpus::load_dir(&corpus).map_err(|e| invalid(format!("语料无法解析：{e}")))?;
    Ok(manifest)
}

/// Restore the backup in `src` into `paths`: verified first, refused while a bot runs on
/// the data directory, and nothing deleted (see the module doc).
///
/// Everything is copied to staging names first (the database beside the live one, the
/// corpus into a hidden directory of `CORPUS_DIR`), so that a full disk or a failed copy
/// leaves the live files untouched. Only then are the live ones moved aside — the database
/// to `bot.sqlite3.before-restore-<time>`, the corpus's entries into
/// `CORPUS_DIR/.before-restore-<time>/` (hidden: no issue, and not backed up) — and the
/// staged ones renamed into place.
pub fn restore(src: &Path, paths: &Paths) -> Result<Done> {
    let manifest = verify(src)?;
    std::fs::create_dir_all(&paths.data_dir).map_err(io(&paths.data_dir))?;
    std::fs::create_dir_all(&paths.corpus_dir).map_err(io(&paths.corpus_dir))?;
    // Held until the restore is complete, so that no bot starts halfway.
    let _lock = DataLock::acquire(&paths.data_dir)?;
    let stamp = crate::store::now();

    // 1. Stage.
    let staged_db = paths.data_dir.join(format!(".restore-{DB_FILE}"));
    copy_synced(&src.join(DB_FILE), &staged_db)?;
    let staged_corpus = unused(paths.corpus_dir.join(format!(".restore-{stamp}")));
    for f in manifest.files.iter().filter(|f| f.path != DB_FILE) {
        if let Some(rel) = f.path.strip_prefix("corpus/") {
            copy_synced(&src.join(&f.path), &staged_corpus.join(rel))?;
        }
    }

    // 2. Move the live files aside, then the staged ones into place.
    let db = paths.data_dir.join(DB_FILE);
    let kept = if db.exists() {
        let aside = unused(
            paths
                .data_dir
                .join(format!("{DB_FILE}.before-restore-{stamp}")),
        );
        // The WAL first: a live WAL left beside the restored database would be replayed
        // into it.
        for suffix in ["-wal", "-shm"] {
            let side = paths.data_dir.join(format!("{DB_FILE}{suffix}"));
            if side.exists() {
                let to = PathBuf::from(format!("{}{suffix}", aside.display()));
                std::fs::rename(&side, &to).map_err(io(&side))?;
            }
        }
        std::fs::rename(&db, &aside).map_err(io(&db))?;
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&staged_db, &db).map_err(io(&db))?;
    let aside = unused(paths.corpus_dir.join(format!(".before-restore-{stamp}")));
    for item in std::fs::read_dir(&paths.corpus_dir).map_err(io(&paths.corpus_dir))? {
        let item = item.map_err(io(&paths.corpus_dir))?;
        if item.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        std::fs::create_dir_all(&aside).map_err(io(&aside))?;
        std::fs::rename(item.path(), aside.join(item.file_name())).map_err(io(&item.path()))?;
    }
    if staged_corpus.exists() {
        for item in std::fs::read_dir(&staged_corpus).map_err(io(&staged_corpus))? {
            let item = item.map_err(io(&staged_corpus))?;
            let to = paths.corpus_dir.join(item.file_name());
            std::fs::rename(item.path(), &to).map_err(io(&to))?;
        }
        std::fs::remove_dir(&staged_corpus).map_err(io(&staged_corpus))?;
    }
    Ok(Done { manifest, kept })
}

/// `path`, or `path-2`, `path-3`, … : the first that does not exist (two restores within a
/// second must not meet).
fn unused(path: PathBuf) -> PathBuf {
    let mut n = 1;
    let mut candidate = path.clone();
    while candidate.exists() {
        n += 1;
        candidate = PathBuf::from(format!("{}-{n}", path.display()));
    }
    candidate
}

/// Copy `from` to `to` (creating its directory) and flush it to disk.
fn copy_synced(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    std::fs::copy(from, to).map_err(io(from))?;
    std::fs::File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(io(to))
}
