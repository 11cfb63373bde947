//! Start-up checks that name the real cause of a failure before anything else trips over it,
//! and tidy what an interrupted run left behind.
//!
//! - The data directory must be writable (the database and the index live there): probed by
//!   creating and removing a file, which also catches a read-only mount or a full disk.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum HealthError {
    #[error(
        "数据目录 {path} 不可写（{source}）。机器人要在这里保存数据库和索引：请检查 DATA_DIR \
         是否指向正确的目录、目录权限、磁盘空间，以及是否被只读挂载"
    )]
    DataDirNotWritable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Create `data_dir` if needed and prove that a file can be written in it.
pub fn check_data_dir(data_dir: &Path) -> Result<(), HealthError> {
    let fail = |source| HealthError::DataDirNotWritable {
        path: data_dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(fail)?;
    let probe = data_dir.join(format!(".write-probe-{}", std::process::id()));
    let written = std::fs::File::create(&probe)
        .and_then(|mut f| f.write_all(b"ok").and_then(|()| f.sync_all()));
    let _ = std::fs::remove_file(&probe);
    written.map_err(fail)
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
}
