//! The benchmark behind `kuayue bench`: dictionary load, index build, query latency (top 5 with
//! snippets and best sentences) on the real corpus and on a synthetic corpus of many issues
//! (the real issues replicated under new identities), index size and peak memory.
//!
//! Numbers are printed, never asserted: timing belongs here, not in tests.

use super::eval::load_questions;
use super::{Engine, SearchError};
use crate::config::Paths;
use crate::corpus::{self, Corpus};
use crate::index::Analyzer;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Questions used when no file is given (any kinds of question work as a query mix).
const FALLBACK_QUESTIONS: &[&str] = &[
    "党的政治建设的首要任务是什么",
    "意见第十六条",
    "广州建成了多少个出入境自助办证服务区？",
    "腹式呼吸",
    "今天广州天气怎么样",
];

/// Latency figures in milliseconds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Latency {
    pub queries: usize,
    pub median_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The slowest questions with their mean time.
    pub slowest: Vec<(f64, String)>,
}

fn latency(engine: &Engine, questions: &[String], rounds: usize) -> Latency {
    let mut samples = Vec::with_capacity(questions.len() * rounds);
    let mut per_question = vec![0f64; questions.len()];
    for _ in 0..rounds {
        for (i, q) in questions.iter().enumerate() {
            let t = Instant::now();
            let a = engine.ask(q, 5);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            samples.push(ms);
            per_question[i] += ms;
            std::hint::black_box(a);
        }
    }
    let mut slowest: Vec<(f64, &String)> = per_question
        .iter()
        .map(|t| t / rounds.max(1) as f64)
        .zip(questions)
        .collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| {
        samples
            .get(((samples.len() as f64 - 1.0) * p).round() as usize)
            .copied()
            .unwrap_or(0.0)
    };
    Latency {
        slowest: slowest
            .into_iter()
            .take(3)
            .map(|(ms, q)| (ms, q.clone()))
            .collect(),
        queries: samples.len(),
        median_ms: at(0.5),
        p99_ms: at(0.99),
        max_ms: samples.last().copied().unwrap_or(0.0),
    }
}

/// The reference system's figures (see `tests/baseline/bm25s_jieba.py`).
#[derive(Debug, serde::Deserialize)]
struct Baseline {
    queries: usize,
    median_ms: f64,
    p99_ms: f64,
}

/// Time BM25 with bm25s over jieba words on the same passages and questions, in Python, so
/// that our per-question cost is compared in the same run on the same machine. `Err` says why
/// it could not run (no python3, or `pip install bm25s jieba` not done).
fn bm25s_baseline(
    corpus: &Corpus,
    questions: &[String],
    rounds: usize,
    scratch: &Path,
) -> Result<Baseline, String> {
    const SCRIPT: &str = include_str!("../../tests/baseline/bm25s_jieba.py");
    std::fs::create_dir_all(scratch).map_err(|e| e.to_string())?;
    let script = scratch.join("bm25s_jieba.py");
    let passages = scratch.join("passages.jsonl");
    let asked = scratch.join("questions.jsonl");
    let lines = |items: &mut dyn Iterator<Item = &str>| -> String {
        items
            .map(|t| serde_json::to_string(t).unwrap_or_default() + "\n")
            .collect()
    };
    let texts = lines(
        &mut corpus
            .issues
            .iter()
            .flat_map(|i| i.passages.iter().map(|p| p.text.as_str())),
    );
    std::fs::write(&script, SCRIPT).map_err(|e| e.to_string())?;
    std::fs::write(&passages, texts).map_err(|e| e.to_string())?;
    std::fs::write(&asked, lines(&mut questions.iter().map(String::as_str)))
        .map_err(|e| e.to_string())?;
    let run = std::process::Command::new("python3")
        .arg(&script)
        .arg(&passages)
        .arg(&asked)
        .arg(rounds.to_string())
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !run.status.success() {
        let err = String::from_utf8_lossy(&run.stderr);
        return Err(err
            .lines()
            .last()
            .map(|l| format!("{l} (pip install bm25s jieba)"))
            .unwrap_or_default());
    }
    serde_json::from_slice(&run.stdout).map_err(|e| e.to_string())
}

/// Peak resident memory of this process (VmHWM), in MB.
pub(crate) fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn dir_size(p: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(p) else {
        return 0;
    };
    rd.flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// `corpus` replicated `n` times under distinct issue identities.
pub(crate) fn synthetic(corpus: &Corpus, n: usize) -> Corpus {
    let mut out = Corpus::default();
    for k in 0..n {
        for issue in &corpus.issues {
            let mut i = issue.clone();
            let year = 1900 + (k / 12) as u16;
            let number = (k % 12) as u16 + 1;
            i.meta.id = format!("{}-{year:04}-{number:02}", issue.meta.id);
            i.meta.year = year;
            i.meta.number = number;
            out.issues.push(i);
        }
    }
    out
}

/// Where the question mix comes from: the given file, or the dev set beside the repository.
fn questions(file: Option<&Path>) -> Vec<String> {
    let candidates: Vec<PathBuf> = match file {
        Some(f) => vec![f.to_path_buf()],
        None => vec![
            PathBuf::from("../shared/qa/dev.jsonl"),
            PathBuf::from("tests/data/dev.jsonl"),
        ],
    };
    for c in candidates {
        if let Ok(qs) = load_questions(&c) {
            return qs.into_iter().map(|q| q.question).collect();
        }
    }
    FALLBACK_QUESTIONS.iter().map(|s| s.to_string()).collect()
}

/// Run the benchmark and print its figures to `out`.
pub fn run(
    paths: &Paths,
    rounds: usize,
    issues: usize,
    file: Option<&Path>,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let scratch = std::env::temp_dir().join(format!("kuayue-bench-{}", std::process::id()));
    let result = run_in(paths, rounds, issues, file, &scratch, out);
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn run_in(
    paths: &Paths,
    rounds: usize,
    issues: usize,
    file: Option<&Path>,
    scratch: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let qs = questions(file);
    let t = Instant::now();
    let (analyzer, _) = Analyzer::load(&paths.corpus_dir.join("user.dict")).map_err(|err| {
        SearchError::Dictionary {
            path: paths.corpus_dir.join("user.dict"),
            err,
        }
    })?;
    let dict_ms = t.elapsed().as_secs_f64() * 1000.0;
    let t = Instant::now();
    let corpus = corpus::load_dir(&paths.corpus_dir).map_err(SearchError::from)?;
    let load_ms = t.elapsed().as_secs_f64() * 1000.0;
    let n_issues = corpus.issues.len().max(1);
    writeln!(out, "dictionary load          {dict_ms:8.1} ms")?;
    writeln!(
        out,
        "corpus load              {load_ms:8.1} ms ({} issues, {} passages)",
        corpus.issues.len(),
        corpus.passage_count()
    )?;

    let one_dir = scratch.join("one");
    let (engine, stats) = Engine::build(corpus.clone(), analyzer.clone(), "bench", &one_dir)?;
    let engine = engine.with_thesaurus(&crate::search::engine::thesaurus_path(paths));
    writeln!(
        out,
        "index build              {:8.1} ms ({:.1} ms per issue)",
        stats.seconds * 1000.0,
        stats.seconds * 1000.0 / n_issues as f64
    )?;
    writeln!(
        out,
        "index size               {:8.1} KB",
        dir_size(&one_dir) as f64 / 1024.0
    )?;
    // Warm up (first touches of the index files), then measure.
    latency(&engine, &qs, 1);
    let l = latency(&engine, &qs, rounds);
    writeln!(
        out,
        "query, top 5 + snippets  median {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} queries)",
        l.median_ms, l.p99_ms, l.max_ms, l.queries
    )?;
    for (ms, q) in &l.slowest {
        writeln!(out, "  slowest: {ms:.3} ms  {q}")?;
    }
    match bm25s_baseline(&corpus, &qs, rounds.clamp(1, 20), scratch) {
        Ok(b) => writeln!(
            out,
            "bm25s+jieba, same run    median {:.3} ms  p99 {:.3} ms  ({} queries); ours/theirs median {:.2}×",
            b.median_ms,
            b.p99_ms,
            b.queries,
            l.median_ms / b.median_ms.max(1e-9)
        )?,
        Err(why) => writeln!(out, "bm25s+jieba baseline     not run: {why}")?,
    }
    if let Some(rss) = peak_rss_mb() {
        writeln!(out, "peak RSS (one corpus)    {rss:8.1} MB")?;
    }
    drop(engine);

    if issues > 1 {
        many(&corpus, analyzer, issues, rounds, &qs, scratch, out)?;
        deployed(&paths.corpus_dir, &corpus, issues, &qs, scratch, out)?;
    }
    Ok(())
}

/// The same questions on a synthetic corpus of `issues` issues (the shipped one replicated
/// under other identities): build time, index size, latency and memory at scale.
fn many(
    corpus: &corpus::Corpus,
    analyzer: Analyzer,
    issues: usize,
    rounds: usize,
    qs: &[String],
    scratch: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let big = synthetic(corpus, issues);
    let big_dir = scratch.join("many");
    let (engine, stats) = Engine::build(big, analyzer, "bench-many", &big_dir)?;
    writeln!(
        out,
        "synthetic {} issues: build {:.2} s ({:.1} ms per issue), index {:.1} MB, {} passages",
        stats.issues,
        stats.seconds,
        stats.seconds * 1000.0 / stats.issues.max(1) as f64,
        dir_size(&big_dir) as f64 / 1048576.0,
        stats.passages
    )?;
    latency(&engine, qs, 1);
    let r = (rounds / 10).max(10);
    let l = latency(&engine, qs, r);
    writeln!(
        out,
        "synthetic query          median {:.3} ms  p99 {:.3} ms  max {:.3} ms  ({} queries)",
        l.median_ms, l.p99_ms, l.max_ms, l.queries
    )?;
    for (ms, q) in &l.slowest {
        writeln!(out, "  slowest: {ms:.3} ms  {q}")?;
    }
    if let Some(rss) = peak_rss_mb() {
        writeln!(out, "peak RSS (all)           {rss:8.1} MB")?;
    }
    Ok(())
}

/// The bot's own start on a corpus of `issues` issues on disk, as an operator's would be:
/// the shipped issue's directory copied under new identities, indexed once, then a fresh
/// `kuayue ask` process timed from its start to its answer with the index present, and its
/// peak memory read from the kernel when it exits. A separate process, because this one has
/// just built indexes and its memory says nothing about a bot that only opens one.
fn deployed(
    shipped: &Path,
    corpus: &corpus::Corpus,
    issues: usize,
    qs: &[String],
    scratch: &Path,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let Some(first) = corpus.issues.first() else {
        return Ok(());
    };
    let paths = Paths {
        corpus_dir: scratch.join("deployed/corpus"),
        data_dir: scratch.join("deployed/data"),
    };
    write_corpus_dir(shipped, &first.meta, issues, &paths.corpus_dir)?;
    let t = Instant::now();
    Engine::open(&paths, &mut |_| {})?;
    let build_s = t.elapsed().as_secs_f64();
    let question = qs
        .first()
        .map(String::as_str)
        .unwrap_or("党的政治建设的首要任务是什么");
    let mut runs = Vec::new();
    for _ in 0..3 {
        runs.push(ask_in_child(&paths, question)?);
    }
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (median_ms, rss_mb) = runs[runs.len() / 2];
    writeln!(
        out,
        "deployed {issues} issues: first start (builds the index) {build_s:.2} s; \
         start to answer with the index present {median_ms:.0} ms (median of 3), peak RSS {rss_mb:.1} MB"
    )?;
    Ok(())
}

/// `n` issue directories under `dest`, copies of the shipped issue `meta` names, each under
/// its own year and number (from 2000-01 on), with the dictionary and thesaurus beside them.
fn write_corpus_dir(
    src_root: &Path,
    meta: &crate::corpus::IssueMeta,
    n: usize,
    dest: &Path,
) -> anyhow::Result<()> {
    let src = src_root.join(&meta.id);
    let toml = std::fs::read_to_string(src.join("issue.toml"))?;
    let raw = std::fs::read_to_string(src.join("raw.txt"))?;
    std::fs::create_dir_all(dest)?;
    for name in ["user.dict", "synonyms.txt"] {
        if src_root.join(name).is_file() {
            std::fs::copy(src_root.join(name), dest.join(name))?;
        }
    }
    for k in 0..n {
        let (year, number) = (2000 + k / 12, k % 12 + 1);
        let dir = dest.join(format!("{year:04}-{number:02}"));
        std::fs::create_dir_all(&dir)?;
        let toml: String = toml
            .lines()
            .map(|l| match l.split_once(" = ").map(|(k, _)| k.trim()) {
                Some("year") => format!("year = {year}"),
                Some("number") => format!("number = {number}"),
                Some("total") => format!("total = {}", k + 1),
                Some("date") => format!("date = \"{year:04}-{number:02}-01\""),
                _ => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(dir.join("issue.toml"), toml + "\n")?;
        let raw = raw
            .replacen(&format!("第{}期", meta.number), &format!("第{number}期"), 1)
            .replacen(&format!("{}年", meta.year), &format!("{year}年"), 1);
        std::fs::write(dir.join("raw.txt"), raw)?;
    }
    Ok(())
}

/// Run the start probe on `paths` in a child process: its wall time (process start to exit,
/// in ms) and its peak RSS (MB), which the child reads from its own `/proc/self/status`.
/// (The kernel's rusage of a child also counts the parent's memory it was forked with.)
fn ask_in_child(paths: &Paths, question: &str) -> anyhow::Result<(f64, f64)> {
    let t = Instant::now();
    let output = std::process::Command::new(std::env::current_exe()?)
        .args(["bench-probe", question])
        .env("CORPUS_DIR", &paths.corpus_dir)
        .env("DATA_DIR", &paths.data_dir)
        .env("RUST_LOG", "error")
        .stderr(std::process::Stdio::null())
        .output()?;
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    anyhow::ensure!(
        output.status.success(),
        "the start probe failed on the deployed corpus"
    );
    let kb: f64 = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .map_err(|_| anyhow::anyhow!("the start probe printed no memory figure"))?;
    Ok((ms, kb / 1024.0))
}

/// `kuayue bench-probe QUESTION`: what a bot does at start (open the index, answer), then
/// this process's peak RSS in KB on `out`.
pub fn probe(paths: &Paths, question: &str, out: &mut dyn Write) -> anyhow::Result<()> {
    let engine = Engine::open(paths, &mut |_| {})?;
    let answer = engine.ask(question, 5);
    anyhow::ensure!(!answer.hits.is_empty(), "no answer to {question}");
    let kb = peak_rss_mb().map(|mb| mb * 1024.0).unwrap_or(0.0);
    writeln!(out, "{kb:.0}")?;
    Ok(())
}
