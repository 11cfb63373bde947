//! Start-up checks that name the real cause of a failure before anything else trips over it,
//! and tidy what an interrupted run left behind.
//!
//! - The data directory must be writable (the database and the index live there): probed by
//!   creating and removing a file, which also catches a read-only mount or a full disk.
//! - [`sweep`]: what a killed run left behind is removed with a log line: the importer's
//!   temporary folders (`corpus/.import-<issue>-<pid>/`), an issue set aside while being
//!   replaced (`corpus/.replaced-<issue>-<pid>/`, put back if the replacement never landed),
//!   index generations that were never finished (no READY), temporary pointer and database
//!   files. Anything belonging to a process that is still alive is left alone.

use crate::config::Paths;
use crate::index::generation;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub(crate) enum HealthError {
    /// The cause is quoted in the message (admins read only the message), so it is not also
    /// chained as a source: the CLI prints the chain, which would say it twice.
    #[error(
        "数据目录 {path} 不可写（{err}）。机器人要在这里保存数据库和索引：请检查 DATA_DIR \
         是否指向正确的目录、目录权限、磁盘空间，以及是否被只读挂载"
    )]
    DataDirNotWritable { path: PathBuf, err: std::io::Error },
}

/// Create `data_dir` if needed and prove that a file can be written in it.
pub(crate) fn check_data_dir(data_dir: &Path) -> Result<(), HealthError> {
    let fail = |err| HealthError::DataDirNotWritable {
        path: data_dir.to_path_buf(),
        err,
    };
    std::fs::create_dir_all(data_dir).map_err(fail)?;
    let probe = data_dir.join(format!(".write-probe-{}", std::process::id()));
    let written = std::fs::File::create(&probe)
        .and_then(|mut f| f.write_all(b"ok").and_then(|()| f.sync_all()));
    let _ = std::fs::remove_file(&probe);
    written.map_err(fail)
}

/// A generation without READY younger than this may be another process's build in progress
/// (`kuayue index` while the bot runs); older ones are dead.
const UNFINISHED_INDEX_AGE: Duration = Duration::from_secs(120);

/// Remove what interrupted runs left under the corpus and data directories. Returns one line
/// per thing removed or put back (each also logged).
pub(crate) fn sweep(paths: &Paths) -> Vec<String> {
    let mut done = Vec::new();
    let mut note = |line: String| {
        tracing::warn!("{line}");
        done.push(line);
    };
    for (path, name) in entries(&paths.corpus_dir) {
        if let Some(rest) = name.strip_prefix(".import-") {
            if !owner_alive(rest) {
                remove(&path, &mut note, "未完成的导入留下的临时目录");
            }
        } else if let Some(rest) = name.strip_prefix(".replaced-") {
            if owner_alive(rest) {
                continue;
            }
            let issue = rest.rsplit_once('-').map_or(rest, |(issue, _)| issue);
            let target = paths.corpus_dir.join(issue);
            if !issue.is_empty() && !target.exists() {
                match std::fs::rename(&path, &target) {
                    Ok(()) => note(format!(
                        "替换 {issue} 时被中断：已把原来的一期放回 {}",
                        target.display()
                    )),
                    Err(e) => tracing::error!("putting back {}: {e}", path.display()),
                }
            } else {
                remove(&path, &mut note, "替换一期时留下的旧目录");
            }
        }
    }
    let current = generation::read_pointer(&paths.data_dir).map(|p| p.generation);
    for (path, name) in entries(&paths.data_dir) {
        if let Some(generation) = name.strip_prefix("index-") {
            let unfinished = path.is_dir()
                && Some(generation) != current.as_deref()
                && !generation::is_ready(&path)
                && age(&path) > UNFINISHED_INDEX_AGE;
            if unfinished {
                remove(&path, &mut note, "未建完的索引目录");
            }
        } else if let Some(rest) = name.strip_prefix(&format!("{}.tmp-", generation::POINTER_FILE))
        {
            if !pid_alive(rest) {
                remove(&path, &mut note, "未写完的索引指针");
            }
        } else if name.starts_with(&format!(".{}.new-", crate::store::DB_FILE)) {
            let pid = name.rsplit('-').next().unwrap_or("");
            if !pid_alive(pid) {
                remove(&path, &mut note, "未建完的新数据库");
            }
        }
    }
    done
}

fn entries(dir: &Path) -> Vec<(PathBuf, String)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.flatten()
        .map(|e| (e.path(), e.file_name().to_string_lossy().into_owned()))
        .collect()
}

fn remove(path: &Path, note: &mut impl FnMut(String), what: &str) {
    let removed = if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    };
    match removed {
        Ok(()) => note(format!("已删除{what}：{}", path.display())),
        Err(e) => tracing::error!("removing {}: {e}", path.display()),
    }
}

/// `<issue>-<pid>`: whether that pid is a live process other than this one.
fn owner_alive(issue_and_pid: &str) -> bool {
    issue_and_pid
        .rsplit_once('-')
        .is_some_and(|(_, pid)| pid_alive(pid))
}

/// Whether `pid` names a live process other than this one. Where that cannot be known
/// (no /proc), a process is assumed alive: leaving a folder is better than removing
/// another run's work.
fn pid_alive(pid: &str) -> bool {
    let Ok(pid) = pid.parse::<u32>() else {
        return false;
    };
    if pid == std::process::id() {
        return false;
    }
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

fn age(path: &Path) -> Duration {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_dir_that_cannot_be_written_is_named() {
        let dir = tempfile::tempdir().unwrap();
        check_data_dir(&dir.path().join("data")).unwrap();
        // A regular file where a directory should be: unwritable even for root.
        std::fs::write(dir.path().join("file"), b"").unwrap();
        let err = check_data_dir(&dir.path().join("file/data"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("不可写") && err.contains("file/data"), "{err}");
    }

    #[test]
    fn sweep_removes_leftovers_and_puts_back_an_issue_being_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let paths = Paths {
            corpus_dir: dir.path().join("corpus"),
            data_dir: dir.path().join("data"),
        };
        let me = std::process::id();
        let import = paths.corpus_dir.join(format!(".import-2019-04-{me}"));
        std::fs::create_dir_all(&import).unwrap();
        std::fs::write(import.join("raw.txt"), b"half").unwrap();
        let replaced = paths.corpus_dir.join(format!(".replaced-2019-03-{me}"));
        std::fs::create_dir_all(&replaced).unwrap();
        std::fs::write(replaced.join("issue.toml"), b"old").unwrap();
        std::fs::create_dir_all(&paths.data_dir).unwrap();
        let pointer = paths.data_dir.join(format!("index.current.tmp-{me}"));
        std::fs::write(&pointer, b"x").unwrap();
        let fresh_build = paths.data_dir.join("index-abc-fresh");
        std::fs::create_dir_all(&fresh_build).unwrap();

        let lines = sweep(&paths);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(!import.exists() && !replaced.exists() && !pointer.exists());
        assert_eq!(
            std::fs::read(paths.corpus_dir.join("2019-03/issue.toml")).unwrap(),
            b"old"
        );
        assert!(
            fresh_build.exists(),
            "a build that may be in progress stays"
        );
    }
}
