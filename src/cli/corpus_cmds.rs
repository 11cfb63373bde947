//! `toc`, `dump`, `import`: the corpus as an editor sees it.

use crate::config::Paths;
use anyhow::bail;
use std::path::Path;

pub fn toc(_paths: &Paths, _issue: Option<&str>, _json: bool) -> anyhow::Result<()> {
    bail!("toc: not available yet")
}

pub fn dump(_paths: &Paths, _json: bool) -> anyhow::Result<()> {
    bail!("dump: not available yet")
}

pub fn import(_paths: &Paths, _raw: &Path, _replace: bool) -> anyhow::Result<()> {
    bail!("import: not available yet")
}
