//! The corpus: issues of the magazine as reviewed data under `CORPUS_DIR`.
//!
//! Each issue is a directory `corpus/<YYYY-NN>/` holding the raw text exactly as extracted
//! from the printed issue (`raw.txt`, never edited) and a reviewed structure file
//! (`issue.toml`: identity, articles with column, source, pages and the raw line where each
//! starts, and the regions of noise). `load` joins the two: it cuts the raw text into
//! articles, repairs it (`clean`) and splits it into passages (`passages`).
//! `import` writes a new issue's directory from a raw text.

mod clean;
pub mod import;
mod issue_id;
mod layout;
pub mod ledger;
mod model;
pub mod numeral;
mod passages;
pub mod raw;
pub mod structure;
pub mod text;
pub mod toc;

pub use issue_id::{IssueId, IssueIdError};
pub use model::*;

use ledger::{Kind, Ledger};
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use structure::{anchor_of, ArticleEntry, Structure};

/// File names inside an issue directory.
pub(crate) const RAW_FILE: &str = "raw.txt";
pub(crate) const STRUCTURE_FILE: &str = "issue.toml";

/// Why a corpus could not be loaded. Messages name the file and line an editor must fix.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("找不到语料目录 {0}（请设置 CORPUS_DIR，或在仓库根目录运行）")]
    NoCorpusDir(PathBuf),
    #[error("语料目录 {0} 中没有任何期刊（每期一个目录，内含 issue.toml 与 raw.txt）")]
    Empty(PathBuf),
    /// The cause is quoted in the message (the bot shows only the message), so it is not
    /// also chained as a source: the CLI prints the chain, which would say it twice.
    #[error("读取 {path} 失败：{err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },
}

/// Load every issue under `dir`, oldest first.
pub fn load_dir(dir: &Path) -> Result<Corpus, CorpusError> {
    let mut issues = Vec::new();
    for issue_dir in issue_dirs(dir)? {
        issues.push(load_issue(&issue_dir)?.0);
    }
    if issues.is_empty() {
        return Err(CorpusError::Empty(dir.to_path_buf()));
    }
    issues.sort_by_key(|i| (i.meta.year, i.meta.number));
    Ok(Corpus { issues })
}

/// Load every issue under `dir` that parses, oldest first, with the errors of those that do
/// not: what the bot serves at start when one issue is broken and no earlier index exists.
pub(crate) fn load_dir_partial(dir: &Path) -> Result<(Corpus, Vec<CorpusError>), CorpusError> {
    let mut issues = Vec::new();
    let mut broken = Vec::new();
    for issue_dir in issue_dirs(dir)? {
        match load_issue(&issue_dir) {
            Ok((issue, _)) => issues.push(issue),
            Err(e) => broken.push(e),
        }
    }
    issues.sort_by_key(|i| (i.meta.year, i.meta.number));
    Ok((Corpus { issues }, broken))
}

/// The issue directories under `dir` (those holding an `issue.toml`), sorted by name.
pub(crate) fn issue_dirs(dir: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    if !dir.is_dir() {
        return Err(CorpusError::NoCorpusDir(dir.to_path_buf()));
    }
    let io = |err| CorpusError::Io {
        path: dir.to_path_buf(),
        err,
    };
    let mut dirs = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        // Hidden directories are the importer's work in progress, never issues.
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if !hidden && path.join(STRUCTURE_FILE).is_file() {
            dirs.push(path);
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// Read a file that must be UTF-8 text.
pub(crate) fn read_text(path: &Path) -> Result<String, CorpusError> {
    let bytes = std::fs::read(path).map_err(|err| CorpusError::Io {
        path: path.to_path_buf(),
        err,
    })?;
    String::from_utf8(bytes).map_err(|e| CorpusError::Invalid {
        path: path.to_path_buf(),
        line: 0,
        message: format!(
            "不是 UTF-8 文本（第 {} 字节处无法解码）",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Load one issue directory, with the ledger of where each raw character went.
pub fn load_issue(dir: &Path) -> Result<(Issue, Ledger), CorpusError> {
    let id = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    load_issue_as(dir, &id)
}

/// Load an issue directory as the issue `id`, whatever the directory is called: the importer
/// checks its work in a temporary folder before renaming it to `id`.
pub(crate) fn load_issue_as(dir: &Path, id: &str) -> Result<(Issue, Ledger), CorpusError> {
    let raw_path = dir.join(RAW_FILE);
    let toml_path = dir.join(STRUCTURE_FILE);
    let raw = read_text(&raw_path)?;
    let toml_text = read_text(&toml_path)?;
    let structure = Structure::parse(&toml_text).map_err(|e| CorpusError::Invalid {
        path: toml_path.clone(),
        line: e
            .span()
            .map(|s| {
                1 + toml_text[..s.start.min(toml_text.len())]
                    .matches('\n')
                    .count()
            })
            .unwrap_or(0),
        message: e.message().to_string(),
    })?;
    build_issue(id, &raw, &structure).map_err(|(line, message)| CorpusError::Invalid {
        path: if line == 0 { toml_path } else { raw_path },
        line,
        message,
    })
}

/// Cut, clean and split a raw text according to its structure. Errors carry a raw line
/// number (0 when the problem is in the structure as a whole).
///
/// The steps: the issue's identity; the front block and what the ledger records of it; where
/// each article starts; the raw lines each article spans; each article cleaned and split.
pub(crate) fn build_issue(
    dir_name: &str,
    raw: &str,
    s: &Structure,
) -> Result<(Issue, Ledger), (usize, String)> {
    let lines: Vec<&str> = raw.split('\n').collect();
    let meta = issue_meta(dir_name, s)?;
    let front = front_block(s, lines.len())?;
    let mut ledger = Ledger::default();
    record_front(&lines, s, &front, &mut ledger);
    let starts = article_starts(&lines, s, &front)?;
    let ranges = article_ranges(&lines, s.articles.len(), &starts, &front)?;
    let (articles, passages) = build_articles(&lines, s, &ranges, &mut ledger)?;
    Ok((
        Issue {
            meta,
            articles,
            passages,
        },
        ledger,
    ))
}

/// The issue's identity, which must match the directory it is read from (when named).
fn issue_meta(dir_name: &str, s: &Structure) -> Result<IssueMeta, Located> {
    let meta = IssueMeta {
        id: IssueMeta::make_id(s.issue.year, s.issue.number),
        magazine: s.issue.magazine.clone(),
        year: s.issue.year,
        number: s.issue.number,
        total: s.issue.total,
        date: s.issue.date.clone(),
    };
    if !dir_name.is_empty() && dir_name != meta.id {
        return Err((0, format!("目录名 {dir_name} 与期号 {} 不符", meta.id)));
    }
    Ok(meta)
}

/// The raw lines of the front block (masthead, table of contents, imprint), checked to lie
/// inside the raw text.
fn front_block(s: &Structure, n_lines: usize) -> Result<RangeInclusive<usize>, Located> {
    let [front_first, front_last] = s.front.lines;
    if front_first == 0 || front_first > front_last || front_last > n_lines {
        return Err((
            0,
            format!("front.lines = [{front_first}, {front_last}] 超出了 raw.txt 的 {n_lines} 行"),
        ));
    }
    Ok(front_first..=front_last)
}

/// Record the front block's lines in the ledger: the table of contents, and the masthead
/// around it.
fn record_front(lines: &[&str], s: &Structure, front: &RangeInclusive<usize>, ledger: &mut Ledger) {
    for n in front.clone() {
        let r = trimmed(lines[n - 1]);
        let kind = if (s.front.toc[0]..=s.front.toc[1]).contains(&n) {
            Kind::Toc
        } else {
            Kind::Masthead
        };
        ledger.add(n, r, kind);
    }
}

/// Where an article starts: its first raw line, and its index in the structure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct ArticleStart {
    line: usize,
    article: usize,
}

/// The start of every article that has one, in raw-line order. Each must lie in the body,
/// begin with its anchor, and be the start of no other article.
fn article_starts(
    lines: &[&str],
    s: &Structure,
    front: &RangeInclusive<usize>,
) -> Result<Vec<ArticleStart>, Located> {
    let mut starts: Vec<ArticleStart> = Vec::new();
    for (i, a) in s.articles.iter().enumerate() {
        let Some(start) = a.start else { continue };
        if start == 0 || start > lines.len() || front.contains(&start) {
            return Err((
                0,
                format!("《{}》的 start = {start} 不在正文范围内", a.title),
            ));
        }
        let want = a.anchor.as_deref().unwrap_or("");
        if !anchor_of(lines[start - 1]).starts_with(want) {
            return Err((
                start,
                format!(
                    "issue.toml 说《{}》从这一行开始（应以“{want}”开头），但这一行是“{}”",
                    a.title,
                    anchor_of(lines[start - 1])
                ),
            ));
        }
        starts.push(ArticleStart {
            line: start,
            article: i,
        });
    }
    starts.sort();
    if let Some(w) = starts.windows(2).find(|w| w[0].line == w[1].line) {
        return Err((
            w[0].line,
            format!(
                "issue.toml 让《{}》和《{}》从同一行开始",
                s.articles[w[0].article].title, s.articles[w[1].article].title
            ),
        ));
    }
    Ok(starts)
}

/// The raw lines of each article (`None`: it has no text): from its start to the next
/// article's start, or to the front block when that comes first. Every non-blank raw line
/// must belong to an article or to the front block.
fn article_ranges(
    lines: &[&str],
    n_articles: usize,
    starts: &[ArticleStart],
    front: &RangeInclusive<usize>,
) -> Result<Vec<Option<Range<usize>>>, Located> {
    let n_lines = lines.len();
    let mut ranges = vec![None; n_articles];
    let mut covered = vec![false; n_lines + 1];
    covered[front.clone()].fill(true);
    for (k, start) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map(|x| x.line).unwrap_or(n_lines + 1);
        if *front.start() > start.line {
            end = end.min(*front.start());
        }
        for c in covered.iter_mut().take(end).skip(start.line) {
            *c = true;
        }
        ranges[start.article] = Some(start.line..end);
    }
    if let Some(n) = (1..=n_lines).find(|&n| !covered[n] && !lines[n - 1].trim().is_empty()) {
        return Err((
            n,
            "这一行的文字不属于任何文章，也不在刊头目录范围内".to_string(),
        ));
    }
    Ok(ranges)
}

/// Clean each article's lines into blocks and split them into passages.
fn build_articles(
    lines: &[&str],
    s: &Structure,
    ranges: &[Option<Range<usize>>],
    ledger: &mut Ledger,
) -> Result<(Vec<Article>, Vec<Passage>), Located> {
    let bigrams = clean::Bigrams::of(lines);
    let ctx = clean::Context {
        raw: lines,
        running_headers: &s.front.running_headers,
        bigrams: &bigrams,
    };
    let mut articles = Vec::new();
    let mut passages = Vec::new();
    for (entry, range) in s.articles.iter().zip(ranges) {
        let (blocks, found_sources) = match range.clone() {
            Some(r) => {
                let c = clean::clean_article(&ctx, entry, r, ledger);
                (c.blocks, c.sources)
            }
            None => (Vec::new(), Vec::new()),
        };
        let pages = article_pages(entry)?;
        let mut ps = passages::split(articles.len(), &blocks);
        passages.append(&mut ps);
        articles.push(Article {
            title: entry.title.clone(),
            body_title: entry.body_title.clone(),
            column: entry.column.clone(),
            source: merge_sources(entry.author.as_ref(), found_sources),
            pages,
            in_toc: entry.in_toc,
        });
    }
    Ok((articles, passages))
}

/// An article's sources: its table-of-contents author, then each source line found in its
/// text that neither contains nor is contained in one already listed.
fn merge_sources(author: Option<&String>, found: Vec<String>) -> Option<String> {
    let mut sources: Vec<String> = author.into_iter().cloned().collect();
    for src in found {
        let key = text::title_key(&src);
        if !sources.iter().any(|x| {
            let k = text::title_key(x);
            k.contains(&key) || key.contains(&k)
        }) {
            sources.push(src);
        }
    }
    (!sources.is_empty()).then(|| sources.join("；"))
}

/// An article's pages: its cover name, or its page range.
fn article_pages(entry: &ArticleEntry) -> Result<Pages, Located> {
    match (&entry.cover, entry.pages) {
        (Some(c), _) => Ok(Pages::cover(c)),
        (None, Some([a, b])) => Ok(Pages::range(a, b)),
        (None, None) => Err((0, format!("《{}》既没有 pages 也没有 cover", entry.title))),
    }
}

/// A problem with an issue's structure, at a raw line (0: the structure as a whole).
type Located = (usize, String);

fn trimmed(line: &str) -> std::ops::Range<usize> {
    let start = line.len() - line.trim_start().len();
    let end = line.trim_end().len();
    start..end.max(start)
}
