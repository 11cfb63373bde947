//! `doctor`, `backup`, `restore`: the operator's commands.

use crate::backup;
use crate::config::Paths;
use std::path::Path;

/// `kuayue backup DEST`.
pub(crate) fn backup(paths: &Paths, dest: &Path) -> anyhow::Result<()> {
    let done = backup::backup(paths, dest)?;
    let corpus = done.manifest.files.len().saturating_sub(1);
    println!(
        "备份完成：{}（数据库版本 {}，语料 {} 个文件）",
        dest.display(),
        done.manifest.schema,
        corpus
    );
    Ok(())
}

/// `kuayue restore SRC`.
pub(crate) fn restore(paths: &Paths, src: &Path) -> anyhow::Result<()> {
    let done = backup::restore(src, paths)?;
    println!(
        "已从 {} 恢复数据库和 {} 个语料文件到 DATA_DIR={}、CORPUS_DIR={}。",
        src.display(),
        done.manifest.files.len().saturating_sub(1),
        paths.data_dir.display(),
        paths.corpus_dir.display()
    );
    if let Some(kept) = done.kept {
        println!("原来的数据库保留为 {}。", kept.display());
    }
    println!("索引会在机器人下次启动时按恢复的语料重建。");
    Ok(())
}

/// `kuayue doctor`: one line per check; fails (exit 1) when any check failed.
pub(crate) fn doctor() -> anyhow::Result<()> {
    use crate::bot::doctor::{self, Verdict};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| anyhow::anyhow!("无法启动异步运行时：{e}"))?;
    let checks = runtime.block_on(doctor::run(|name| std::env::var(name).ok()));
    for c in &checks {
        println!("{c}");
    }
    let failed = checks.iter().filter(|c| c.verdict == Verdict::Fail).count();
    if failed > 0 {
        anyhow::bail!("{failed} 项检查未通过");
    }
    println!("部署检查通过。");
    Ok(())
}
