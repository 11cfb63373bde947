//! The running bot's claim on `DATA_DIR`: an exclusive lock on `DATA_DIR/bot.lock`, held for
//! as long as the bot runs.
//!
//! Two bots on one data directory would answer every update twice and race on the outbox;
//! `kuayue restore` must not replace a database under a running bot. The lock is the
//! operating system's (`flock`), so a bot killed with -9 releases it with its process and no
//! stale lock file ever needs removing by hand.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = "bot.lock";

/// Held while the bot runs (or a restore writes); dropping it releases the lock.
#[derive(Debug)]
pub struct DataLock {
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{path} 已被另一个进程锁定：机器人正在使用这个数据目录（DATA_DIR）。同一数据目录只能运行一个机器人；恢复备份前请先停止它")]
    Held { path: PathBuf },
    #[error("无法打开锁文件 {path}：{err}")]
    Io { path: PathBuf, err: std::io::Error },
}

impl DataLock {
    /// Take the lock on `data_dir` (which must exist), or say who holds it.
    pub fn acquire(data_dir: &Path) -> Result<DataLock, LockError> {
        let path = data_dir.join(LOCK_FILE);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|err| LockError::Io {
                path: path.clone(),
                err,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(DataLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(LockError::Held { path }),
            Err(TryLockError::Error(err)) => Err(LockError::Io { path, err }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_holder_at_a_time_and_released_on_drop() {
        let dir = tempfile::tempdir().expect("tempdir");
        let held = DataLock::acquire(dir.path()).expect("first");
        let err = DataLock::acquire(dir.path()).expect_err("second");
        assert!(err.to_string().contains("正在使用"), "{err}");
        drop(held);
        DataLock::acquire(dir.path()).expect("free again");
    }
}
