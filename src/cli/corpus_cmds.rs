//! `toc`, `dump`, `import`: the corpus as an editor sees it.

use crate::config::Paths;
use crate::corpus::{self, import, Corpus, Issue, IssueId};
use crate::render::json::toc_json;
use crate::render::toc::Toc;
use anyhow::{bail, Context};
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub(crate) fn toc(paths: &Paths, issue: Option<&IssueId>, json: bool) -> anyhow::Result<()> {
    let corpus = corpus::load_dir(&paths.corpus_dir)?;
    let issues: Vec<&Issue> = match issue {
        Some(id) => vec![find_issue(&corpus, id)?],
        None if json => corpus.issues.iter().collect(),
        None => corpus.latest().into_iter().collect(),
    };
    let mut out = std::io::stdout().lock();
    if json {
        let tocs: Vec<Toc> = issues.iter().map(|i| Toc::of(i)).collect();
        let value = json!({ "issues": tocs.iter().map(toc_json).collect::<Vec<_>>() });
        writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?;
        return Ok(());
    }
    for issue in issues {
        write!(out, "{}", Toc::of(issue).text())?;
    }
    Ok(())
}

fn find_issue<'a>(corpus: &'a Corpus, id: &IssueId) -> anyhow::Result<&'a Issue> {
    match corpus.issue(id.as_str()) {
        Some(i) => Ok(i),
        None => {
            let known: Vec<&str> = corpus.issues.iter().map(|i| i.meta.id.as_str()).collect();
            bail!("语料库中没有 {id} 这一期（现有：{}）", known.join("、"))
        }
    }
}

pub(crate) fn dump(paths: &Paths, json: bool) -> anyhow::Result<()> {
    let corpus = corpus::load_dir(&paths.corpus_dir)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for issue in &corpus.issues {
        for p in &issue.passages {
            let a = issue.article_of(p);
            if json {
                let v = json!({
                    "issue": issue.meta.id,
                    "article": a.title,
                    "column": a.column,
                    "pages": a.pages.pair(),
                    "clause": p.clause,
                    "seq": p.seq,
                    "text": p.text,
                    "section": p.section,
                    "lines": p.lines,
                    "source_line": crate::render::SourceLine::of_passage(&issue.meta, a, p).to_string(),
                });
                writeln!(out, "{v}")?;
            } else {
                writeln!(
                    out,
                    "── {} [#{}, 第{}–{}行]\n{}\n",
                    crate::render::SourceLine::of_passage(&issue.meta, a, p),
                    p.seq,
                    p.lines[0],
                    p.lines[1],
                    p.text
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

pub(crate) fn import(paths: &Paths, raw: &Path, replace: bool) -> anyhow::Result<()> {
    let report = import::import_file(raw, &paths.corpus_dir, replace)
        .with_context(|| format!("无法导入 {}", raw.display()))?;
    println!(
        "已{}《{}》{}：{} 篇，{} 段，写入 {}",
        if report.replaced { "替换" } else { "导入" },
        crate::corpus::MAGAZINE,
        report.label,
        report.articles,
        report.passages,
        report.dir.display()
    );
    if report.warnings.is_empty() {
        println!("没有需要核对的地方。");
    } else {
        println!(
            "请编辑核对以下 {} 处（行号为 raw.txt 的行号）：",
            report.warnings.len()
        );
        for w in &report.warnings {
            println!("  - {w}");
        }
    }
    Ok(())
}
