//! `misses`: the misses queue of the bot's database, for editors who work on the server.

use crate::config::Paths;
use crate::store::{level_code, Miss, MissState, Store, DB_FILE};
use crate::{clock, search::Level};
use serde::Serialize;
use std::io::Write;

/// `--since YYYY-MM-DD` as the epoch second that day begins (UTC+8).
pub(crate) fn parse_since(s: &str) -> Result<i64, String> {
    clock::parse_day(s).ok_or_else(|| format!("“{s}”不是日期，请写成 YYYY-MM-DD，例如 2019-03-01"))
}

/// The `--json` record of a miss (a contract: see README).
#[derive(Debug, Serialize)]
struct MissJson<'a> {
    id: i64,
    question: &'a str,
    normalised: &'a str,
    count: u64,
    down: u64,
    first_asked: String,
    last_asked: String,
    level: &'static str,
    shown: Option<&'a crate::store::Shown>,
    state: &'static str,
}

/// `kuayue misses`: open misses (or all, with `all`) last asked since `since`, most asked first.
pub fn misses(paths: &Paths, since: Option<i64>, all: bool, json: bool) -> anyhow::Result<()> {
    let path = paths.data_dir.join(DB_FILE);
    if !path.exists() {
        eprintln!(
            "{} 还不存在：机器人尚未在这里运行过，没有可列出的未答问题。",
            path.display()
        );
        return Ok(());
    }
    let store = Store::open(&path)?;
    let states: &[MissState] = if all {
        &[MissState::Open, MissState::Closed, MissState::Ignored]
    } else {
        &[MissState::Open]
    };
    let list = store.misses(since.unwrap_or(i64::MIN), states)?;
    let mut out = std::io::stdout().lock();
    let result = if json {
        list.iter().try_for_each(|m| write_json(&mut out, m))
    } else if list.is_empty() {
        eprintln!("没有未答问题。");
        Ok(())
    } else {
        write!(out, "{}", table(&list)).map_err(anyhow::Error::from)
    };
    super::search_cmds::quiet_on_broken_pipe(result)
}

fn write_json(out: &mut dyn Write, m: &Miss) -> anyhow::Result<()> {
    let record = MissJson {
        id: m.id,
        question: &m.question,
        normalised: &m.normalised,
        count: m.count,
        down: m.down,
        first_asked: clock::rfc3339(m.first_asked),
        last_asked: clock::rfc3339(m.last_asked),
        level: level_code(m.level),
        shown: m.shown.as_ref(),
        state: m.state.code(),
    };
    writeln!(out, "{}", crate::render::json::to_line(&record)?)?;
    Ok(())
}

/// The misses as a table: one line each, the question last (it is the widest).
fn table(list: &[Miss]) -> String {
    let header = [
        "编号",
        "次数",
        "👎",
        "最近提问（UTC+8）",
        "答复",
        "状态",
        "问题 → 给出的段落",
    ];
    let rows: Vec<[String; 7]> = list
        .iter()
        .map(|m| {
            let answer = match m.level {
                Level::Confident => "确定",
                Level::Hedged => "可能相关",
                Level::NotFound => "没有找到",
            };
            let state = match m.state {
                MissState::Open => "待处理",
                MissState::Closed => "已处理",
                MissState::Ignored => "已忽略",
            };
            let shown = m.shown.as_ref().map(|s| {
                let clause = s
                    .clause
                    .as_deref()
                    .map(|c| format!(" · {c}"))
                    .unwrap_or_default();
                format!(" → {} · {}{clause}", s.issue, s.article)
            });
            let local = clock::local_time(m.last_asked);
            [
                m.id.to_string(),
                m.count.to_string(),
                m.down.to_string(),
                local[..16.min(local.len())].to_string(),
                answer.to_string(),
                state.to_string(),
                format!("{}{}", m.question, shown.unwrap_or_default()),
            ]
        })
        .collect();
    let mut widths = header.map(width);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(width(cell));
        }
    }
    let line = |cells: &[&str]| {
        let mut s = String::new();
        for (i, cell) in cells.iter().enumerate() {
            s.push_str(cell);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i] - width(cell) + 2));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(&header);
    for r in &rows {
        out.push_str(&line(&r.each_ref().map(String::as_str)));
    }
    out
}

/// Columns a text takes in a terminal: CJK characters and full-width forms take two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x1F300..=0x1FAFF
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}
