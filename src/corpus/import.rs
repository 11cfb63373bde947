//! The importer: from the raw text of a new issue to its corpus directory.
//!
//! It reads the issue's identity and table of contents, finds each article in the body (its
//! printed title may differ slightly, be spaced out, or be missing), finds items printed
//! without a table-of-contents line, and writes `raw.txt` (verbatim) and `issue.toml`. What it
//! could not place is reported with line numbers, so an editor knows what to check.

use super::layout::*;
use super::raw::{RawIssue, RawIssueError};
use super::structure::{anchor_of, ArticleEntry, Front, IssueSection, Structure};
use super::text::*;
use super::toc::{parse_identity, parse_toc, Identity, Toc, TocEntry};
use super::{build_issue, load_issue_as, Issue, IssueId, IssueIdError, RAW_FILE, STRUCTURE_FILE};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The bytes are not a raw issue text (too large, binary, not UTF-8, empty).
    #[error(transparent)]
    Raw(#[from] RawIssueError),
    #[error("没有找到目录：需要至少三行“[页码]标题”形式的目录条目")]
    NoToc,
    #[error("在刊头中没有找到年份和期号（如“2019年 第3期”）")]
    NoIdentity,
    #[error("刊头中的年份和期号无效：{0}")]
    BadIdentity(IssueIdError),
    #[error("第 {0} 期（{1}）已在语料库中；如要替换，请加 --replace")]
    Exists(String, PathBuf),
    #[error("导入结果无法通过校验（第 {line} 行）：{message}")]
    Invalid { line: usize, message: String },
    /// The cause is quoted in the message (the bot shows only the message), so it is not
    /// also chained as a source: the CLI prints the chain, which would say it twice.
    #[error("写入 {path} 失败：{err}")]
    Io { path: PathBuf, err: std::io::Error },
    #[error("无法生成 issue.toml：{err}")]
    Serialize { err: toml::ser::Error },
    #[error("导入结果写出后无法重新载入，未做任何改动：{err}")]
    Unloadable { err: super::CorpusError },
    #[error(
        "导入结果写出后重新载入的内容与导入时不同（应为 {} 篇 {} 段，载入为 {} 篇 {} 段），未做任何改动",
        expected.0, expected.1, loaded.0, loaded.1
    )]
    Changed {
        expected: (usize, usize),
        loaded: (usize, usize),
    },
}

/// Something the editor should check, at a raw line (0: the issue as a whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(f, "第 {} 行：{}", self.line, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct Report {
    pub issue_id: String,
    pub label: String,
    pub dir: PathBuf,
    pub articles: usize,
    pub passages: usize,
    pub replaced: bool,
    pub warnings: Vec<Warning>,
}

/// Read the structure of a raw issue text.
///
/// The stages, each with its own result: the front matter (masthead, table of contents,
/// imprint) and the issue's identity; the body lines and their running headers; where each
/// table-of-contents entry starts in the body; the items printed without an entry; and the
/// pages each article runs over.
pub fn analyse(raw: &str) -> Result<(Structure, Vec<Warning>), ImportError> {
    let lines: Vec<&str> = raw.split('\n').collect();
    let toc = parse_toc(&lines).ok_or(ImportError::NoToc)?;
    let mut warnings = Vec::new();
    let front = FrontMatter::read(&lines, &toc, &mut warnings)?;
    let body = Body::new(&lines, &front, &toc.entries);
    let order = PageOrder::of(&toc.entries);

    let mut placed = place_titles(&body, &order);
    place_missing(&body, &mut placed, &mut warnings);
    let unlisted = find_unlisted(&body, &placed, &mut warnings);
    warn_unplaced(&placed, &mut warnings);
    let last_page = order.last_page();
    let articles = paginate(&body, &order, &placed, &unlisted, last_page);

    let structure = Structure {
        issue: IssueSection {
            magazine: super::MAGAZINE.to_string(),
            year: front.identity.year,
            number: front.identity.number,
            total: front.identity.total,
            date: front.date,
            last_page,
        },
        front: Front {
            lines: [front.first, front.last],
            toc: [toc.first_line, toc.last_line],
            running_headers: body.running_headers,
        },
        articles,
    };
    Ok((structure, warnings))
}

/// The front matter around the table of contents, and the issue's identity printed in it.
struct FrontMatter {
    /// First and last raw line (1-based, inclusive) of the block.
    first: usize,
    last: usize,
    identity: Identity,
    /// The printing date, `YYYY-MM-DD` (the first of the month when none is printed).
    date: String,
}

impl FrontMatter {
    fn read(lines: &[&str], toc: &Toc, warnings: &mut Vec<Warning>) -> Result<Self, ImportError> {
        let first = masthead_start(lines, toc);
        let masthead = &lines[first - 1..toc.first_line - 1];
        let after_end = lines.len().min(toc.last_line + IDENTITY_LOOKAHEAD_LINES);
        let after = &lines[toc.last_line..after_end];
        let identity = parse_identity(masthead)
            .or_else(|| parse_identity(after))
            .ok_or(ImportError::NoIdentity)?;
        let date = identity.date.clone().unwrap_or_else(|| {
            warnings.push(Warning {
                line: first,
                message: "刊头中没有印刷日期，暂记为当月1日，请核对".into(),
            });
            format!("{:04}-{:02}-01", identity.year, identity.number.min(12))
        });
        Ok(FrontMatter {
            first,
            last: imprint_end(lines, toc),
            identity,
            date,
        })
    }
}

/// The first line of the masthead before the table of contents: the magazine's name, slogans
/// with it, the issue identity; it stops at the first line that is none of these (an
/// article's last line).
fn masthead_start(lines: &[&str], toc: &Toc) -> usize {
    let mut first = toc.first_line;
    for n in (1..toc.first_line).rev() {
        let t = lines[n - 1].trim();
        if t.is_empty() {
            continue;
        }
        if !is_masthead_line(t) {
            break;
        }
        first = n;
    }
    first
}

/// The last line of the imprint after the table of contents: `key：value` lines, the values
/// listed under a `key：` line, slogans with the magazine's name.
fn imprint_end(lines: &[&str], toc: &Toc) -> usize {
    let mut last = toc.last_line;
    let mut listing = false;
    for (i, l) in lines.iter().enumerate().skip(toc.last_line) {
        let t = l.trim();
        if t.is_empty() {
            continue;
        }
        let key_value = t.contains('：')
            && char_len(t) <= IMPRINT_KEY_VALUE_MAX_CHARS
            && !has_inner_sentence_end(t);
        let listed = listing && char_len(t) <= IMPRINT_LISTED_MAX_CHARS && !ends_sentence(t);
        let a_title = toc
            .entries
            .iter()
            .any(|e| title_similarity(&e.title, t) >= TITLE_MATCH);
        if a_title || !(key_value || listed || is_masthead_line(t)) {
            break;
        }
        listing = t.ends_with('：') || (listing && !key_value);
        last = i + 1;
    }
    last
}

/// The body of the issue: its raw lines, the non-blank ones outside the front matter in
/// reading order (before the front matter, then after it), and the running headers among them.
struct Body<'a> {
    lines: &'a [&'a str],
    /// Raw line numbers (1-based) of the body's non-blank lines, in reading order.
    order: Vec<usize>,
    running_headers: Vec<String>,
}

impl<'a> Body<'a> {
    fn new(lines: &'a [&'a str], front: &FrontMatter, toc: &[TocEntry]) -> Self {
        let order: Vec<usize> = (1..front.first)
            .chain(front.last + 1..=lines.len())
            .filter(|&n| !lines[n - 1].trim().is_empty())
            .collect();
        let running_headers = find_running_headers(lines, &order, toc);
        Body {
            lines,
            order,
            running_headers,
        }
    }

    /// Raw line `n`, trimmed.
    fn text(&self, n: usize) -> &'a str {
        self.lines[n - 1].trim()
    }

    /// Whether raw line `n` is a running header.
    fn is_header(&self, n: usize) -> bool {
        let t = self.text(n);
        self.running_headers.iter().any(|h| h == t)
    }
}

/// The table of contents in the order titles are looked for in the body: the numbered
/// entries by page, then the cover items.
struct PageOrder<'t> {
    numbered: Vec<&'t TocEntry>,
    covers: Vec<&'t TocEntry>,
}

impl<'t> PageOrder<'t> {
    fn of(entries: &'t [TocEntry]) -> Self {
        let mut numbered: Vec<&TocEntry> = entries.iter().filter(|e| e.page.is_some()).collect();
        numbered.sort_by_key(|e| e.page);
        let covers = entries.iter().filter(|e| e.cover.is_some()).collect();
        PageOrder { numbered, covers }
    }

    fn entries(&self) -> impl Iterator<Item = &'t TocEntry> + '_ {
        self.numbered.iter().chain(self.covers.iter()).copied()
    }

    /// The issue's last page: the table of contents' last page, rounded up to a whole sheet.
    fn last_page(&self) -> u32 {
        let max_page = self
            .numbered
            .iter()
            .filter_map(|e| e.page)
            .max()
            .unwrap_or(1);
        max_page.div_ceil(PAGES_PER_SHEET) * PAGES_PER_SHEET
    }
}

/// Find the printed titles, in page order, each after the previous one; then the titles
/// printed spaced out inside the body.
fn place_titles(body: &Body, order: &PageOrder) -> Vec<Placed> {
    let mut placed: Vec<Placed> = Vec::new();
    let mut cursor = 0; // index into body.order
    for e in order.entries() {
        let mut p = Placed::new(e);
        let used: Vec<usize> = placed.iter().filter_map(|p| p.start).collect();
        let found = find_title(body, cursor, e, &used).or_else(|| {
            // Cover captions may be printed anywhere: before the body as well as after it.
            e.cover.as_ref().and_then(|_| find_title(body, 0, e, &used))
        });
        if let Some((k, title)) = found {
            p.set_printed_title(body, body.order[k], title);
            if e.cover.is_none() {
                cursor = k + 1;
            }
        }
        placed.push(p);
    }
    for p in placed.iter_mut().filter(|p| p.start.is_none()) {
        p.spaced_title = body.order.iter().copied().find(|&n| {
            let t = body.text(n);
            looks_spaced(t) && title_similarity(t, &p.title) >= SPACED_TITLE_MATCH
        });
    }
    placed
}

/// An item printed after an article's end mark without a table-of-contents line. It shares
/// the pages of the article before it, its owner.
struct Unlisted {
    /// The owner's start line.
    owner_start: usize,
    item: Placed,
}

/// Items printed after an article's end mark without a table-of-contents line.
fn find_unlisted(body: &Body, placed: &[Placed], warnings: &mut Vec<Warning>) -> Vec<Unlisted> {
    let starts: Vec<usize> = placed.iter().filter_map(|p| p.start).collect();
    let mut unlisted = Vec::new();
    for (k, &n) in body.order.iter().enumerate() {
        if find_end_mark(body.lines[n - 1]).is_none() {
            continue;
        }
        let Some(m) = titled_text_after(body, k) else {
            continue;
        };
        if starts.contains(&m) {
            continue;
        }
        let Some(owner) = placed
            .iter()
            .filter(|p| p.start.is_some_and(|s| s < m) && p.page.is_some())
            .max_by_key(|p| p.start)
        else {
            continue;
        };
        let t = body.text(m);
        let mut item = Placed::new_extra(t, owner);
        item.start = Some(m);
        item.title_printed = true;
        warnings.push(Warning {
            line: m,
            message: format!(
                "《{t}》不在目录中，已作为单独一篇，页码取前一篇《{}》的页码，请核对",
                owner.title
            ),
        });
        unlisted.push(Unlisted {
            owner_start: owner.start.unwrap_or(0),
            item,
        });
    }
    unlisted
}

/// The line after body line `k` (running headers skipped), when it looks like a title and
/// running text follows it.
fn titled_text_after(body: &Body, k: usize) -> Option<usize> {
    let mut next = body.order[k + 1..]
        .iter()
        .copied()
        .filter(|&m| !body.is_header(m));
    let (Some(m), follow) = (next.next(), next.next()) else {
        return None;
    };
    let t = body.text(m);
    let title_like = char_len(t) <= UNLISTED_TITLE_MAX_CHARS
        && !ends_sentence(t)
        && !has_inner_sentence_end(t)
        && attribution(t).is_none()
        && !numbered_line(t);
    let followed_by_text =
        follow.is_some_and(|f| char_len(body.text(f)) > UNLISTED_TITLE_MAX_CHARS);
    (title_like && followed_by_text).then_some(m)
}

/// Warn of the entries that were not found in the body at all.
fn warn_unplaced(placed: &[Placed], warnings: &mut Vec<Warning>) {
    for p in placed.iter().filter(|p| p.start.is_none()) {
        warnings.push(Warning {
            line: p.toc_line,
            message: format!(
                "目录中的《{}》在正文中找不到，只保留目录信息，请核对",
                p.title
            ),
        });
    }
}

/// The articles with their pages: each article runs to the page before the next article in
/// page order (its own page when the next one starts on the same page), the last one to the
/// last page; an unlisted item takes its owner's pages; cover items have none.
fn paginate(
    body: &Body,
    order: &PageOrder,
    placed: &[Placed],
    unlisted: &[Unlisted],
    last_page: u32,
) -> Vec<ArticleEntry> {
    let mut articles = Vec::new();
    for (i, (p, page)) in placed
        .iter()
        .filter_map(|p| p.page.map(|page| (p, page)))
        .enumerate()
    {
        let next = order
            .numbered
            .get(i + 1)
            .and_then(|e| e.page)
            .map_or(last_page, |q| q.saturating_sub(1));
        let pages = [page, next.max(page)];
        articles.push(p.entry(body.lines, Some(pages)));
        for u in unlisted.iter().filter(|u| Some(u.owner_start) == p.start) {
            articles.push(u.item.entry(body.lines, Some(pages)));
        }
    }
    for p in placed.iter().filter(|p| p.cover.is_some()) {
        articles.push(p.entry(body.lines, None));
    }
    articles
}

/// A table-of-contents entry while it is being placed in the body.
#[derive(Debug, Clone)]
struct Placed {
    title: String,
    body_title: Option<String>,
    column: String,
    author: Option<String>,
    page: Option<u32>,
    cover: Option<String>,
    in_toc: bool,
    toc_line: usize,
    start: Option<usize>,
    title_printed: bool,
    spaced_title: Option<usize>,
}

impl Placed {
    fn new(e: &TocEntry) -> Self {
        Placed {
            title: e.title.clone(),
            body_title: None,
            column: e.column.clone(),
            author: e.author.clone(),
            page: e.page,
            cover: e.cover.clone(),
            in_toc: true,
            toc_line: e.line,
            start: None,
            title_printed: false,
            spaced_title: None,
        }
    }

    fn new_extra(title: &str, owner: &Placed) -> Self {
        Placed {
            title: title.to_string(),
            author: None,
            in_toc: false,
            start: None,
            title_printed: false,
            spaced_title: None,
            body_title: None,
            ..owner.clone()
        }
    }

    /// The entry starts at raw line `n`, where `title` is printed; the printed line is kept
    /// as the body title when it reads differently.
    fn set_printed_title(&mut self, body: &Body, n: usize, title: String) {
        self.start = Some(n);
        self.title_printed = true;
        self.title = title;
        let printed = body.text(n);
        if title_key(printed) != title_key(&self.title) {
            self.body_title = Some(printed.to_string());
        }
    }

    fn entry(&self, lines: &[&str], pages: Option<[u32; 2]>) -> ArticleEntry {
        ArticleEntry {
            title: self.title.clone(),
            body_title: self.body_title.clone(),
            column: self.column.clone(),
            author: self.author.clone(),
            pages,
            cover: self.cover.clone(),
            in_toc: self.in_toc,
            start: self.start,
            anchor: self.start.map(|n| anchor_of(lines[n - 1])),
            title_printed: self.title_printed,
            spaced_title: self.spaced_title,
        }
    }
}

fn numbered_line(t: &str) -> bool {
    part_number(t).is_some() || clause_number(t).is_some()
}

/// A line of the masthead: the magazine's name (alone or in a slogan), its romanised name,
/// or the issue's identity (年, 第N期, 总第N期, 编印).
fn is_masthead_line(t: &str) -> bool {
    let identity = t.chars().any(|c| c.is_ascii_digit())
        && ["年", "期", "编印"].iter().any(|w| t.contains(w))
        && char_len(t) <= MASTHEAD_LINE_MAX_CHARS;
    t.contains(super::MAGAZINE) && char_len(t) <= MASTHEAD_LINE_MAX_CHARS
        || (t.is_ascii() && char_len(t) <= MASTHEAD_ASCII_MAX_CHARS && !t.contains('.'))
        || identity
}

/// The first title-like body line at or after body index `from` that matches the entry's
/// title (alone, or with the table-of-contents line it wraps onto). Returns the body index
/// and the title.
fn find_title(body: &Body, from: usize, e: &TocEntry, used: &[usize]) -> Option<(usize, String)> {
    let mut variants = vec![e.title.clone()];
    if let Some(m) = e.more.first() {
        variants.push(format!("{}{}", e.title, m));
    }
    let matching = |t: &str| {
        variants
            .iter()
            .map(|v| (title_similarity(v, t), v))
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .filter(|(score, _)| *score >= TITLE_MATCH)
            .map(|(_, v)| v.clone())
    };
    let title_like = |n: usize| {
        let t = body.text(n);
        let running_text = char_len(t) > TITLE_MAX_CHARS
            || (has_inner_sentence_end(t) && char_len(t) > TITLE_WITH_SENTENCE_MAX_CHARS);
        !(body.is_header(n) || running_text || looks_spaced(t) || used.contains(&n))
    };
    for (k, &n) in body.order.iter().enumerate().skip(from) {
        if !title_like(n) {
            continue;
        }
        let t = body.text(n);
        if let Some(v) = matching(t) {
            return Some((k, v));
        }
        // A title printed on two lines.
        if let Some(&m) = body.order.get(k + 1).filter(|&&m| m == n + 2 || m == n + 1) {
            let second = body.text(m);
            let halves = title_like(m)
                && char_len(t) <= TITLE_HALF_MAX_CHARS
                && char_len(second) <= TITLE_HALF_MAX_CHARS
                && attribution(t).is_none()
                && matching(second).is_none();
            if let Some(v) = halves.then(|| matching(&format!("{t}{second}"))).flatten() {
                // Both halves must be part of the title, not a line printed before it.
                let head: String = title_key(t).chars().take(TITLE_HEAD_CHARS).collect();
                if title_key(&v).contains(&head) {
                    return Some((k, v));
                }
            }
        }
    }
    None
}

/// Place articles whose title is not printed: between the articles placed around them, at
/// the strongest article boundaries (after an end mark or attribution; after a page gap).
fn place_missing(body: &Body, placed: &mut [Placed], warnings: &mut Vec<Warning>) {
    let mut i = 0;
    while i < placed.len() {
        if placed[i].start.is_some() || placed[i].page.is_none() {
            i += 1;
            continue;
        }
        let run_end = (i..placed.len())
            .find(|&j| placed[j].start.is_some() || placed[j].page.is_none())
            .unwrap_or(placed.len());
        let lo = (0..i).rev().find_map(|j| placed[j].start).unwrap_or(0);
        let hi = placed[run_end..]
            .iter()
            .find_map(|p| p.start)
            .unwrap_or(usize::MAX);
        let mut candidates = boundaries_between(body, lo, hi);
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let need = run_end - i;
        let mut chosen: Vec<usize> = candidates.iter().take(need).map(|c| c.1).collect();
        chosen.sort();
        for (j, p) in placed[i..run_end].iter_mut().enumerate() {
            match chosen.get(j) {
                Some(&n) => {
                    p.start = Some(n);
                    warnings.push(Warning {
                        line: n,
                        message: format!("《{}》在正文中没有印标题，推定从这一行开始，请核对", p.title),
                    });
                }
                None => warnings.push(Warning {
                    line: p.toc_line,
                    message: format!("《{}》在正文中没有印标题，也找不到明显的分篇位置，请在 issue.toml 中补上 start", p.title),
                }),
            }
        }
        i = run_end;
    }
}

/// Body lines strictly between raw lines `lo` and `hi` where an untitled article could
/// start, with the strength of the boundary before them: 3 after an end mark or an
/// attribution, 2 after a page gap.
fn boundaries_between(body: &Body, lo: usize, hi: usize) -> Vec<(u8, usize)> {
    let mut candidates: Vec<(u8, usize)> = Vec::new();
    for (k, &n) in body.order.iter().enumerate() {
        if n <= lo || n >= hi || body.is_header(n) || k == 0 {
            continue;
        }
        let t = body.text(n);
        if attribution(t).is_some() || char_len(t) < UNTITLED_START_MIN_CHARS {
            continue;
        }
        let prev = body.order[..k]
            .iter()
            .rev()
            .copied()
            .find(|&m| !body.is_header(m));
        let Some(prev) = prev else { continue };
        let pt = body.text(prev);
        let gap = n - prev - 1;
        let ended = find_end_mark(pt).is_some() || attribution(pt).is_some();
        let score = match (ended, gap >= PAGE_GAP_MIN_LINES) {
            (true, _) => 3,
            (false, true) => 2,
            _ => 0,
        };
        if score > 0 {
            candidates.push((score, n));
        }
    }
    candidates
}

/// Short lines repeated in the body that are neither headings nor titles: page banners.
fn find_running_headers(lines: &[&str], body: &[usize], toc: &[TocEntry]) -> Vec<String> {
    let mut seen: Vec<(String, usize)> = Vec::new();
    for &n in body {
        let t = lines[n - 1].trim();
        if char_len(t) > RUNNING_HEADER_MAX_CHARS || numbered_line(t) || attribution(t).is_some() {
            continue;
        }
        if toc.iter().any(|e| {
            title_similarity(&e.title, t) >= TITLE_MATCH
                || e.more.first().is_some_and(|m| {
                    title_similarity(&format!("{}{}", e.title, m), t) >= TITLE_MATCH
                })
        }) {
            continue;
        }
        match seen.iter_mut().find(|(s, _)| s == t) {
            Some((_, c)) => *c += 1,
            None => seen.push((t.to_string(), 1)),
        }
    }
    // A banner repeats on many pages; a column's name may be printed on only two. A
    // sub-heading that two articles happen to share is neither.
    let is_column = |t: &str| toc.iter().any(|e| title_key(&e.column) == title_key(t));
    seen.into_iter()
        .filter(|(s, c)| {
            *c >= RUNNING_HEADER_MIN_REPEATS || (*c >= COLUMN_BANNER_MIN_REPEATS && is_column(s))
        })
        .map(|(s, _)| s)
        .collect()
}

/// Import the raw text at `raw_path` into `corpus_dir`.
///
/// Nothing is written unless the whole issue parses: the directory is written under a
/// temporary name, checked by loading it, and renamed into place.
pub fn import_file(
    raw_path: &Path,
    corpus_dir: &Path,
    replace: bool,
) -> Result<Report, ImportError> {
    let bytes = std::fs::read(raw_path).map_err(|err| ImportError::Io {
        path: raw_path.to_path_buf(),
        err,
    })?;
    import_bytes(&bytes, corpus_dir, replace)
}

/// Import a raw text given as bytes (a file read from disk, or a document sent to the bot).
pub fn import_bytes(bytes: &[u8], corpus_dir: &Path, replace: bool) -> Result<Report, ImportError> {
    let raw = RawIssue::parse(bytes)?.text();
    let (structure, warnings) = analyse(raw)?;
    let id = IssueId::new(structure.issue.year, structure.issue.number)
        .map_err(ImportError::BadIdentity)?;
    let label = format!("{}年第{}期", structure.issue.year, structure.issue.number);
    let (issue, _) = build_issue(id.as_str(), raw, &structure)
        .map_err(|(line, message)| ImportError::Invalid { line, message })?;
    let toml_text = structure
        .to_toml()
        .map_err(|err| ImportError::Serialize { err })?;

    let target = corpus_dir.join(id.as_str());
    let exists = target.exists();
    if exists && !replace {
        return Err(ImportError::Exists(label, target));
    }
    install(corpus_dir, id.as_str(), raw, &toml_text, &issue)?;
    Ok(Report {
        issue_id: id.into(),
        label,
        dir: target,
        articles: issue.articles.len(),
        passages: issue.passages.len(),
        replaced: exists,
        warnings,
    })
}

/// Write an issue directory under a temporary name, load it back with the corpus loader,
/// and only then rename it into place (replacing the issue there, if any).
///
/// The load is the check that matters: what was built in memory is not what the corpus will
/// read, the files are. When they do not load, or load as a different issue than `expected`,
/// the temporary folder is removed and the corpus is left as it was.
fn install(
    corpus_dir: &Path,
    id: &str,
    raw: &str,
    toml_text: &str,
    expected: &Issue,
) -> Result<(), ImportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |err| ImportError::Io { path, err }
    };
    let target = corpus_dir.join(id);
    let exists = target.exists();
    std::fs::create_dir_all(corpus_dir).map_err(io(corpus_dir))?;
    let tmp = corpus_dir.join(format!(".import-{id}-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
    }
    std::fs::create_dir(&tmp).map_err(io(&tmp))?;
    let write = || -> Result<(), ImportError> {
        std::fs::write(tmp.join(RAW_FILE), raw).map_err(io(&tmp))?;
        std::fs::write(tmp.join(STRUCTURE_FILE), toml_text).map_err(io(&tmp))?;
        check_written(&tmp, id, expected)?;
        if exists {
            let old = corpus_dir.join(format!(".replaced-{id}-{}", std::process::id()));
            std::fs::rename(&target, &old).map_err(io(&target))?;
            if let Err(e) = std::fs::rename(&tmp, &target) {
                // Put the issue being replaced back: never leave the corpus without it.
                let _ = std::fs::rename(&old, &target);
                return Err(io(&target)(e));
            }
            let _ = std::fs::remove_dir_all(&old);
        } else {
            std::fs::rename(&tmp, &target).map_err(io(&target))?;
        }
        Ok(())
    };
    if let Err(e) = write() {
        if let Err(cleanup) = std::fs::remove_dir_all(&tmp) {
            if tmp.exists() {
                tracing::warn!(path = %tmp.display(), "导入失败后无法删除临时目录：{cleanup}");
            }
        }
        return Err(e);
    }
    Ok(())
}

/// Load a written issue directory as the corpus will, and check that it is the issue that
/// was built: the same articles and passages.
fn check_written(dir: &Path, id: &str, expected: &Issue) -> Result<(), ImportError> {
    let (loaded, _) = load_issue_as(dir, id).map_err(|err| ImportError::Unloadable { err })?;
    let same = loaded.articles.len() == expected.articles.len()
        && loaded.passages.len() == expected.passages.len()
        && loaded
            .passages
            .iter()
            .zip(&expected.passages)
            .all(|(a, b)| a.text == b.text);
    if !same {
        return Err(ImportError::Changed {
            expected: (expected.articles.len(), expected.passages.len()),
            loaded: (loaded.articles.len(), loaded.passages.len()),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped issue's raw text and reviewed structure.
    fn seed() -> (String, String) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/2019-03");
        let raw = std::fs::read_to_string(dir.join(RAW_FILE)).expect("seed raw.txt");
        let toml_text = std::fs::read_to_string(dir.join(STRUCTURE_FILE)).expect("seed toml");
        (raw, toml_text)
    }

    fn built(raw: &str, toml_text: &str) -> Issue {
        let structure = Structure::parse(toml_text).expect("seed parses");
        build_issue("2019-03", raw, &structure)
            .expect("seed builds")
            .0
    }

    /// Every file under `dir`, with its bytes, sorted: what "unchanged" is compared on.
    fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("read_dir") {
                let path = entry.expect("entry").path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    let bytes = std::fs::read(&path).expect("read");
                    out.push((path, bytes));
                }
            }
        }
        out.sort();
        out
    }

    fn corpus_with_seed(root: &Path, raw: &str, toml_text: &str) -> PathBuf {
        let corpus = root.join("corpus");
        let issue = corpus.join("2019-03");
        std::fs::create_dir_all(&issue).expect("mkdir");
        std::fs::write(issue.join(RAW_FILE), raw).expect("write raw");
        std::fs::write(issue.join(STRUCTURE_FILE), toml_text).expect("write toml");
        corpus
    }

    #[test]
    fn an_issue_that_does_not_load_back_is_refused_and_the_corpus_is_unchanged() {
        let (raw, toml_text) = seed();
        let issue = built(&raw, &toml_text);
        let tmp = tempfile::tempdir().expect("tempdir");
        let corpus = corpus_with_seed(tmp.path(), &raw, &toml_text);
        let before = snapshot(&corpus);
        // A file that says something else than what was built: an anchor that no longer
        // matches its line, as a faulty serialiser would write.
        let broken = toml_text.replacen("anchor = \"", "anchor = \"错", 1);
        assert_ne!(broken, toml_text);

        let err = install(&corpus, "2019-03", &raw, &broken, &issue).expect_err("refused");
        assert!(matches!(err, ImportError::Unloadable { .. }), "{err:?}");
        assert!(err.to_string().contains("无法重新载入"), "{err}");
        assert_eq!(
            snapshot(&corpus),
            before,
            "the corpus must be left as it was"
        );
        let leftovers: Vec<_> = std::fs::read_dir(&corpus)
            .expect("read corpus")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(
            leftovers.is_empty(),
            "temporary folders left: {leftovers:?}"
        );
    }

    #[test]
    fn an_issue_that_loads_as_something_else_is_refused() {
        let (raw, toml_text) = seed();
        let mut expected = built(&raw, &toml_text);
        expected.passages.pop();
        let tmp = tempfile::tempdir().expect("tempdir");
        let corpus = tmp.path().join("corpus");

        let err = install(&corpus, "2019-03", &raw, &toml_text, &expected).expect_err("refused");
        assert!(matches!(err, ImportError::Changed { .. }), "{err:?}");
        assert!(!corpus.join("2019-03").exists());
        assert_eq!(snapshot(&corpus), Vec::new());
    }

    #[test]
    fn an_issue_numbered_past_twelve_is_refused() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sample-2019-04.txt");
        let text = std::fs::read_to_string(sample).expect("sample");
        let thirteenth = text.replace("第4期", "第13期");
        assert_ne!(thirteenth, text);
        let tmp = tempfile::tempdir().expect("tempdir");
        let corpus = tmp.path().join("corpus");

        let err = import_bytes(thirteenth.as_bytes(), &corpus, false).expect_err("refused");
        assert!(matches!(err, ImportError::BadIdentity(_)), "{err:?}");
        assert!(err.to_string().contains("2019-13"), "{err}");
        assert!(!corpus.exists());
    }

    #[test]
    fn an_issue_that_loads_back_is_put_in_place() {
        let (raw, toml_text) = seed();
        let issue = built(&raw, &toml_text);
        let tmp = tempfile::tempdir().expect("tempdir");
        let corpus = tmp.path().join("corpus");

        install(&corpus, "2019-03", &raw, &toml_text, &issue).expect("installed");
        let loaded = super::super::load_dir(&corpus).expect("the corpus loads");
        assert_eq!(loaded.issues, vec![issue]);
    }
}
