//! The misses queue: the questions the magazine did not answer well, for the editors.
//!
//! A question enters it when its answer was 没有找到 or only 可能相关 (the bot calls
//! [`Store::record_miss`] as it answers), or when a reader gave the answer a 👎
//! ([`Store::record_vote`] does it). Questions are grouped by their normal form
//! ([`crate::search::normalise_question`]: folded, filler removed), with how often they were
//! asked and missed, when first and last, how many 👎 they got, the level of the last answer
//! and the passage it showed first, if any.
//!
//! Each miss is `open`, `closed` (an editor fixed it: 已处理) or `ignored` (kept out of the
//! list: 忽略). A closed miss asked and missed again is open again; an ignored one stays
//! ignored. The queue holds no reader ids.

use super::shown::{level_code, level_from_code, Shown};
use super::{Result, Store};
use crate::search::{normalise_question, Level};
use rusqlite::{params, OptionalExtension, Row, Transaction};

/// Where a miss is in the editors' work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MissState {
    Open,
    /// 已处理
    Closed,
    /// 忽略
    Ignored,
}

impl MissState {
    /// The code stored in the database and printed by `kuayue misses --json` (stable).
    pub(crate) fn code(self) -> &'static str {
        match self {
            MissState::Open => "open",
            MissState::Closed => "closed",
            MissState::Ignored => "ignored",
        }
    }

    pub fn from_code(code: &str) -> Option<MissState> {
        [MissState::Open, MissState::Closed, MissState::Ignored]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// One entry of the queue. No reader ids: this is what admins see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miss {
    pub id: i64,
    /// The question as last asked.
    pub question: String,
    /// The normal form the queue groups by.
    pub normalised: String,
    /// How often it was asked and missed (a 👎 on a confident answer counts as a miss).
    pub count: u64,
    /// How many 👎 its answers hold.
    pub down: u64,
    /// Seconds since the Unix epoch.
    pub first_asked: i64,
    pub last_asked: i64,
    /// The level of the last answer recorded.
    pub level: Level,
    /// The first passage the last answer showed, if it showed any.
    pub shown: Option<Shown>,
    pub state: MissState,
}

/// The day's feedback for `/stats` (a day in UTC+8, like the other counters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FeedbackCounts {
    /// Votes cast or changed that day, as they stand now.
    pub votes_up: u64,
    pub votes_down: u64,
    /// Answers that day that were only 可能相关.
    pub hedged: u64,
    /// Answers that day that were 没有找到.
    pub refused: u64,
    /// Misses open now (any day).
    pub open_misses: u64,
}

/// Names of the daily counters kept for misses.
const HEDGED: &str = "hedged";
const REFUSED: &str = "refused";

/// What happened to a question, for [`bump_miss`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MissEvent {
    /// It was answered 没有找到 or 可能相关.
    Asked,
    /// A reader gave its answer a 👎; `asked` when that counts as one more miss (the answer
    /// was confident, so it was not counted when it was answered).
    Down { asked: bool },
    /// A 👎 became a 👍.
    DownTakenBack,
}

const COLUMNS: &str = "id, question, normalised, count, down, first_asked, last_asked, level, \
                       shown, state";

fn miss_of(r: &Row) -> rusqlite::Result<Miss> {
    let shown: Option<String> = r.get(8)?;
    let state: String = r.get(9)?;
    Ok(Miss {
        id: r.get(0)?,
        question: r.get(1)?,
        normalised: r.get(2)?,
        count: r.get::<_, i64>(3)?.max(0) as u64,
        down: r.get::<_, i64>(4)?.max(0) as u64,
        first_asked: r.get(5)?,
        last_asked: r.get(6)?,
        level: level_from_code(&r.get::<_, String>(7)?),
        shown: shown.and_then(|s| serde_json::from_str(&s).ok()),
        state: MissState::from_code(&state).unwrap_or(MissState::Open),
    })
}

/// Add `event` to the miss of `question` (creating it). Questions that normalise to nothing
/// (only punctuation) are not recorded. Returns the miss's id.
pub(super) fn bump_miss(
    tx: &Transaction,
    question: &str,
    level: Level,
    shown: Option<&Shown>,
    now: i64,
    event: MissEvent,
) -> Result<Option<i64>> {
    let normalised = normalise_question(question);
    if normalised.is_empty() {
        return Ok(None);
    }
    let (asked, down): (i64, i64) = match event {
        MissEvent::Asked => (1, 0),
        MissEvent::Down { asked } => (i64::from(asked), 1),
        MissEvent::DownTakenBack => {
            let id = tx
                .query_row(
                    "UPDATE misses SET down = max(down - 1, 0) WHERE normalised = ?1 RETURNING id",
                    [&normalised],
                    |r| r.get(0),
                )
                .optional()?;
            return Ok(id);
        }
    };
    let shown = shown.and_then(|s| serde_json::to_string(s).ok());
    let id: i64 = tx.query_row(
        "INSERT INTO misses (normalised, question, count, down, first_asked, last_asked, level,
                             shown)
         VALUES (?1, ?2, 1, ?4, ?5, ?5, ?6, ?7)
         ON CONFLICT (normalised) DO UPDATE SET
             count = count + ?3,
             down = down + ?4,
             question = CASE WHEN ?3 > 0 THEN excluded.question ELSE question END,
             last_asked = CASE WHEN ?3 > 0 THEN max(last_asked, ?5) ELSE last_asked END,
             level = CASE WHEN ?3 > 0 THEN excluded.level ELSE level END,
             shown = CASE WHEN ?3 > 0 THEN excluded.shown ELSE shown END,
             state = CASE WHEN ?3 > 0 AND state = 'closed' THEN 'open' ELSE state END
         RETURNING id",
        params![
            normalised,
            question.trim(),
            asked,
            down,
            now,
            level_code(level),
            shown
        ],
        |r| r.get(0),
    )?;
    if event == MissEvent::Asked {
        count_answer(tx, level, now)?;
    }
    Ok(Some(id))
}

/// Count a hedged or refused answer in the day's counters for `/stats`.
fn count_answer(tx: &Transaction, level: Level, now: i64) -> Result<()> {
    let name = match level {
        Level::Hedged => HEDGED,
        Level::NotFound => REFUSED,
        Level::Confident => return Ok(()),
    };
    tx.execute(
        "INSERT INTO counters (day, name, value) VALUES (?1, ?2, 1)
         ON CONFLICT (day, name) DO UPDATE SET value = value + 1",
        params![crate::clock::day_of(now), name],
    )?;
    Ok(())
}

impl Store {
    /// A question was answered 没有找到 ([`Level::NotFound`]) or only 可能相关
    /// ([`Level::Hedged`]): count it in its miss (grouped by its normal form) and in the
    /// day's `/stats`. `shown` is the first passage the answer showed. Returns the miss's id,
    /// or `None` for a question that normalises to nothing (only punctuation).
    ///
    /// A 👎 is recorded by [`Store::record_vote`], which adds it to the queue itself.
    pub fn record_miss(
        &self,
        question: &str,
        level: Level,
        shown: Option<&Shown>,
        now: i64,
    ) -> Result<Option<i64>> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let id = bump_miss(&tx, question, level, shown, now, MissEvent::Asked)?;
        tx.commit()?;
        Ok(id)
    }

    /// Open misses last asked at or after `since` (seconds since the epoch; 0 for all), most
    /// often asked first, then most recently asked; `limit` of them from `offset` (for
    /// `/misses`, a page at a time).
    pub fn open_misses(&self, since: i64, offset: usize, limit: usize) -> Result<Vec<Miss>> {
        self.misses_where(since, &[MissState::Open], offset, Some(limit))
    }

    /// How many misses [`Store::open_misses`] pages through.
    pub fn open_miss_count(&self, since: i64) -> Result<u64> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM misses WHERE state = 'open' AND last_asked >= ?1",
            [since],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Every miss in one of `states` last asked at or after `since`, in the order of
    /// [`Store::open_misses`] (for `kuayue misses`).
    pub fn misses(&self, since: i64, states: &[MissState]) -> Result<Vec<Miss>> {
        self.misses_where(since, states, 0, None)
    }

    fn misses_where(
        &self,
        since: i64,
        states: &[MissState],
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Vec<Miss>> {
        let codes: Vec<&str> = states.iter().map(|s| s.code()).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM misses
             WHERE last_asked >= ?1 AND instr(?2, ',' || state || ',') > 0
             ORDER BY count DESC, last_asked DESC, id DESC LIMIT ?3 OFFSET ?4"
        );
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(&sql)?;
        let limit = limit.map_or(-1, |l| i64::try_from(l).unwrap_or(i64::MAX));
        let offset = i64::try_from(offset).unwrap_or(i64::MAX);
        let rows = stmt.query_map(
            params![since, format!(",{},", codes.join(",")), limit, offset],
            miss_of,
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// One miss by id (for the buttons of `/misses`: 试一试 needs its question).
    pub fn miss(&self, id: i64) -> Result<Option<Miss>> {
        let sql = format!("SELECT {COLUMNS} FROM misses WHERE id = ?1");
        Ok(self.conn().query_row(&sql, [id], miss_of).optional()?)
    }

    /// Close a miss (已处理), ignore it (忽略) or open it again. `false` when there is no
    /// miss `id`.
    pub fn set_miss_state(&self, id: i64, state: MissState, now: i64) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE misses SET state = ?2, changed_at = ?3 WHERE id = ?1",
            params![id, state.code(), now],
        )?;
        Ok(n == 1)
    }

    /// Open misses whose normal form holds any of `words` (each normalised the same way), in
    /// the order of [`Store::open_misses`], at most `limit`: the questions to re-run after an
    /// editor added these words to the thesaurus or the dictionary (命中测试).
    pub fn misses_containing(&self, words: &[String], limit: usize) -> Result<Vec<Miss>> {
        let words: Vec<String> = words
            .iter()
            .map(|w| normalise_question(w))
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let open = self.misses_where(0, &[MissState::Open], 0, None)?;
        Ok(open
            .into_iter()
            .filter(|m| words.iter().any(|w| m.normalised.contains(w.as_str())))
            .take(limit)
            .collect())
    }

    /// The feedback of the UTC+8 day holding `now`, for `/stats`.
    pub fn feedback_counts(&self, now: i64) -> Result<FeedbackCounts> {
        let day = crate::clock::day_of(now);
        let (from, to) = (
            crate::clock::day_start(day),
            crate::clock::day_start(day + 1),
        );
        let conn = self.conn();
        let votes = |vote: &str| -> rusqlite::Result<i64> {
            conn.query_row(
                "SELECT COUNT(*) FROM votes WHERE vote = ?1 AND at >= ?2 AND at < ?3",
                params![vote, from, to],
                |r| r.get(0),
            )
        };
        let counter = |name: &str| -> rusqlite::Result<i64> {
            conn.query_row(
                "SELECT COALESCE(SUM(value), 0) FROM counters WHERE day = ?1 AND name = ?2",
                params![day, name],
                |r| r.get(0),
            )
        };
        let open: i64 = conn.query_row(
            "SELECT COUNT(*) FROM misses WHERE state = 'open'",
            [],
            |r| r.get(0),
        )?;
        Ok(FeedbackCounts {
            votes_up: votes("up")? as u64,
            votes_down: votes("down")? as u64,
            hedged: counter(HEDGED)? as u64,
            refused: counter(REFUSED)? as u64,
            open_misses: open as u64,
        })
    }
}
