//! `ask`, `index`, `eval`, `bench`: the search core from the command line.

use crate::config::Paths;
use anyhow::bail;
use std::path::Path;

pub fn ask(_paths: &Paths, _question: &[String], _top: usize, _json: bool) -> anyhow::Result<()> {
    bail!("ask: not available yet")
}

pub fn index(_paths: &Paths) -> anyhow::Result<()> {
    bail!("index: not available yet")
}

pub fn eval(_paths: &Paths, _file: &Path, _json: bool) -> anyhow::Result<()> {
    bail!("eval: not available yet")
}

pub fn bench(
    _paths: &Paths,
    _rounds: usize,
    _issues: usize,
    _questions: Option<&Path>,
) -> anyhow::Result<()> {
    bail!("bench: not available yet")
}
