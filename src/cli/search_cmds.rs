//! `ask`, `index`, `eval`, `bench`: the search core from the command line.

use crate::config::Paths;
use crate::corpus::IssueId;
use crate::render::{json, text};
use crate::search::eval;
use crate::search::{AskOptions, Engine};
use anyhow::Context;
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// Progress lines go to standard error, so that standard output stays the answer.
fn progress(line: &str) {
    eprintln!("{line}");
}

fn open(paths: &Paths) -> anyhow::Result<Engine> {
    Ok(Engine::open(paths, &mut progress)?)
}

/// The script `kuayue ask` prints in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Script {
    /// The question's: a question in Traditional characters gets the answer in Traditional.
    Auto,
    Simp,
    Trad,
}

/// How `kuayue ask` prints each answer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Show {
    pub json: bool,
    pub cite: bool,
    pub script: Script,
}

pub fn ask(
    paths: &Paths,
    question: &[String],
    top: usize,
    show: Show,
    issue: Option<&IssueId>,
) -> anyhow::Result<()> {
    let engine = open(paths)?;
    if let Some(id) = issue {
        if engine.corpus().issue(id.as_str()).is_none() {
            let held: Vec<&str> = engine
                .corpus()
                .issues
                .iter()
                .map(|i| i.meta.id.as_str())
                .collect();
            anyhow::bail!("语料中没有 {id} 这一期。已收录：{}。", held.join("、"));
        }
    }
    let opts = AskOptions {
        top: top.max(1),
        issue: issue.map(IssueId::to_string),
    };
    let stdout = std::io::stdout();
    let style = if stdout.is_terminal() {
        text::Style::Bold
    } else {
        text::Style::Brackets
    };
    let mut out = stdout.lock();
    let answer_one = |q: &str, out: &mut dyn Write| -> anyhow::Result<()> {
        print_answer(&engine.ask_with(q, &opts), show, style, out)
    };
    let result = if question.is_empty() {
        each_stdin_line(show.json, &mut out, answer_one)
    } else {
        answer_one(&question.join(" "), &mut out)
    };
    quiet_on_broken_pipe(result)
}

/// One answer as `show` asks: JSON, citations, or text in the script wanted.
fn print_answer(
    a: &crate::search::Answer,
    show: Show,
    style: text::Style,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if show.json {
        writeln!(out, "{}", json::answer_line(a)?)?;
    } else if show.cite {
        write_citations(a, out)?;
    } else {
        let printed = text::answer(a, style);
        let trad = match show.script {
            Script::Auto => a.traditional,
            Script::Simp => false,
            Script::Trad => true,
        };
        // Converted for display only; the engine's answer is untouched.
        let printed = if trad {
            crate::render::to_traditional(&printed)
        } else {
            printed
        };
        write!(out, "{printed}")?;
    }
    Ok(())
}

/// Answer each line of standard input with `answer`. A line that is not UTF-8 is answered
/// with an error (a JSON error record with `json`), and the rest still are.
fn each_stdin_line(
    as_json: bool,
    out: &mut dyn Write,
    mut answer: impl FnMut(&str, &mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut stdin = std::io::stdin().lock();
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = stdin
            .read_until(b'\n', &mut buf)
            .context("无法读取标准输入")?;
        if n == 0 {
            return Ok(());
        }
        line_no += 1;
        let Ok(line) = std::str::from_utf8(&buf) else {
            let msg = format!("第 {line_no} 行不是有效的 UTF-8 文本，已跳过");
            if as_json {
                writeln!(out, "{}", json::error_line(line_no, &msg))?;
            } else {
                writeln!(out, "{msg}\n")?;
            }
            continue;
        };
        let line = line.trim_end_matches(['\n', '\r']);
        if !line.trim().is_empty() {
            answer(line, out)?;
        }
    }
}

/// `--cite`: one citation a line for each passage, in rank order; two passages of one clause
/// cite alike and are listed once. An answer without passages says so on standard error, so
/// that standard output holds only citations.
fn write_citations(a: &crate::search::Answer, out: &mut dyn Write) -> anyhow::Result<()> {
    if a.hits.is_empty() {
        eprintln!("没有找到与“{}”相关的内容。", a.question.trim());
    }
    let mut seen: Vec<String> = Vec::new();
    for h in &a.hits {
        let c = crate::render::citation(h);
        if !seen.contains(&c) {
            writeln!(out, "{c}")?;
            seen.push(c);
        }
    }
    Ok(())
}

/// A reader who closes the pipe (`kuayue ask … | head`) has read enough: that is no error.
pub(super) fn quiet_on_broken_pipe(result: anyhow::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        other => other,
    }
}

pub(crate) fn index(paths: &Paths) -> anyhow::Result<()> {
    let (_, stats) = Engine::rebuild(paths, &mut progress)?;
    println!(
        "已建立索引：{} 期、{} 篇文章、{} 段，用时 {:.2} 秒（{}）",
        stats.issues,
        stats.articles,
        stats.passages,
        stats.seconds,
        crate::index::generation::generation_dir(&paths.data_dir, &stats.generation).display()
    );
    Ok(())
}

pub(crate) fn eval(paths: &Paths, file: &Path, as_json: bool) -> anyhow::Result<()> {
    let questions = eval::load_questions(file).map_err(anyhow::Error::msg)?;
    let engine = open(paths)?;
    let report = eval::run(&engine, &questions);
    if as_json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.table());
    }
    Ok(())
}

pub(crate) fn bench(
    paths: &Paths,
    rounds: usize,
    issues: usize,
    questions: Option<&Path>,
) -> anyhow::Result<()> {
    crate::search::bench::run(paths, rounds, issues, questions, &mut std::io::stdout())
}
