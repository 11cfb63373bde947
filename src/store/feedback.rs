//! Readers' votes on answers: 👍 有用 or 👎 没答到, with an optional reason after a 👎.
//!
//! An answer is named by the key of its button state (the key behind 全文 / 更多结果, see
//! `buttons`), so a vote survives a restart like the buttons do. Each reader has one vote per
//! answer; a later tap replaces it (in a group, each member votes for himself). Stored with each
//! vote: the question, the passages shown, the confidence level, the index generation, the
//! reader's id and the time. Reader ids serve one-vote-per-reader and `/stats` only: nothing
//! that lists misses returns them.
//!
//! Votes never change the ranking: a 👎 puts the question into the misses queue (`misses`),
//! where an editor decides.

use super::misses::{bump_miss, MissEvent};
use super::shown::{level_code, level_from_code, Shown};
use super::{Result, Store};
use crate::search::Level;
use rusqlite::{params, OptionalExtension};

/// 👍 or 👎.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vote {
    /// 👍 有用
    Up,
    /// 👎 没答到
    Down,
}

impl Vote {
    /// The code stored in the database (stable).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Vote::Up => "up",
            Vote::Down => "down",
        }
    }

    pub fn from_code(code: &str) -> Option<Vote> {
        match code {
            "up" => Some(Vote::Up),
            "down" => Some(Vote::Down),
            _ => None,
        }
    }
}

/// Why an answer missed, offered after a 👎 (optional).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// 不相关
    Irrelevant,
    /// 页码/出处不对
    WrongSource,
    /// 不完整
    Incomplete,
}

impl Reason {
    /// Every reason, in the order the buttons offer them.
    pub const ALL: [Reason; 3] = [Reason::Irrelevant, Reason::WrongSource, Reason::Incomplete];

    /// The code stored in the database (stable; short enough for callback data).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Reason::Irrelevant => "irrelevant",
            Reason::WrongSource => "source",
            Reason::Incomplete => "incomplete",
        }
    }

    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The button text.
    pub fn label(self) -> &'static str {
        match self {
            Reason::Irrelevant => "不相关",
            Reason::WrongSource => "页码/出处不对",
            Reason::Incomplete => "不完整",
        }
    }
}

/// A vote to record.
#[derive(Debug, Clone)]
pub struct NewVote<'a> {
    /// The answer's button state key.
    pub answer: &'a str,
    /// The reader's Telegram user id.
    pub reader: u64,
    pub vote: Vote,
    pub reason: Option<Reason>,
    pub question: &'a str,
    /// The passages on screen when the reader voted, in order.
    pub shown: &'a [Shown],
    pub level: Level,
    /// The index generation that answered (`Library::generation`).
    pub generation: Option<&'a str>,
    /// Seconds since the Unix epoch.
    pub at: i64,
}

/// What recording a vote did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voted {
    /// The reader's first vote on this answer.
    First,
    /// It replaced a different vote of the same reader.
    Changed,
    /// The same vote again (its reason and time may have changed).
    Again,
}

/// A vote as stored (the reader's id is the caller's to know).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVote {
    pub vote: Vote,
    pub reason: Option<Reason>,
    pub question: String,
    pub shown: Vec<Shown>,
    pub level: Level,
    pub generation: Option<String>,
    pub at: i64,
}

impl Store {
    /// Record a reader's vote on an answer, replacing the reader's earlier vote on it.
    ///
    /// A 👎 (one that was not already a 👎) puts the question into the misses queue: a
    /// confident answer's question counts as asked and missed once more; a hedged or refused
    /// one was counted when it was answered (see [`Store::record_miss`]), so only its 👎 count
    /// grows. A 👎 turned into a 👍 takes its 👎 back; the miss stays for an editor to judge.
    pub fn record_vote(&self, v: &NewVote) -> Result<Voted> {
        let shown = serde_json::to_string(v.shown).unwrap_or_else(|_| "[]".into());
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let before: Option<String> = tx
            .query_row(
                "SELECT vote FROM votes WHERE answer_key = ?1 AND reader_id = ?2",
                params![v.answer, v.reader as i64],
                |r| r.get(0),
            )
            .optional()?;
        let before = before.as_deref().and_then(Vote::from_code);
        tx.execute(
            "INSERT INTO votes (answer_key, reader_id, vote, reason, question, shown, level,
                                generation, at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT (answer_key, reader_id) DO UPDATE SET
                 vote = excluded.vote, reason = excluded.reason, question = excluded.question,
                 shown = excluded.shown, level = excluded.level,
                 generation = excluded.generation, at = excluded.at",
            params![
                v.answer,
                v.reader as i64,
                v.vote.code(),
                v.reason.map(Reason::code),
                v.question,
                shown,
                level_code(v.level),
                v.generation,
                v.at
            ],
        )?;
        let event = match (before, v.vote) {
            (Some(Vote::Down), Vote::Down) => None,
            (_, Vote::Down) => Some(MissEvent::Down {
                asked: v.level == Level::Confident,
            }),
            (Some(Vote::Down), Vote::Up) => Some(MissEvent::DownTakenBack),
            (_, Vote::Up) => None,
        };
        if let Some(event) = event {
            bump_miss(&tx, v.question, v.level, v.shown.first(), v.at, event)?;
        }
        tx.commit()?;
        Ok(match before {
            None => Voted::First,
            Some(b) if b == v.vote => Voted::Again,
            Some(_) => Voted::Changed,
        })
    }

    /// Give the reader's 👎 on an answer its reason (the reason buttons under a 👎). `false`
    /// when the reader has no 👎 on that answer (nothing is changed then).
    pub fn set_vote_reason(&self, answer: &str, reader: u64, reason: Reason) -> Result<bool> {
        let n = self.conn().execute(
            "UPDATE votes SET reason = ?3 WHERE answer_key = ?1 AND reader_id = ?2 AND vote = 'down'",
            params![answer, reader as i64, reason.code()],
        )?;
        Ok(n == 1)
    }

    /// The reader's vote on an answer, if any.
    pub fn vote_of(&self, answer: &str, reader: u64) -> Result<Option<StoredVote>> {
        let row = self
            .conn()
            .query_row(
                "SELECT vote, reason, question, shown, level, generation, at FROM votes
                 WHERE answer_key = ?1 AND reader_id = ?2",
                params![answer, reader as i64],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, i64>(6)?,
                    ))
                },
            )
            .optional()?;
        Ok(row.map(
            |(vote, reason, question, shown, level, generation, at)| StoredVote {
                vote: Vote::from_code(&vote).unwrap_or(Vote::Down),
                reason: reason.as_deref().and_then(Reason::from_code),
                question,
                shown: serde_json::from_str(&shown).unwrap_or_default(),
                level: level_from_code(&level),
                generation,
                at,
            },
        ))
    }
}
