//! Schema migrations, kept in code so that a binary always knows the database it needs.
//!
//! `PRAGMA user_version` records how many migrations ran; each start applies the missing ones
//! in one transaction. Migrations are append-only: never edit one that has shipped.

use super::{Result, StoreError};
use rusqlite::Connection;
use std::path::Path;

const MIGRATIONS: &[&str] = &[
    // 1: subscribers, announced issues, outbox, button state, counters.
    "
    CREATE TABLE subscribers (
        chat_id     INTEGER PRIMARY KEY,
        kind        TEXT    NOT NULL,
        active      INTEGER NOT NULL DEFAULT 1,
        since       INTEGER NOT NULL,
        changed_at  INTEGER NOT NULL
    );
    CREATE TABLE announced (
        issue       TEXT    PRIMARY KEY,
        notice      TEXT,
        at          INTEGER NOT NULL
    );
    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        issue       TEXT    NOT NULL REFERENCES announced(issue),
        state       TEXT    NOT NULL DEFAULT 'pending',
        attempts    INTEGER NOT NULL DEFAULT 0,
        due_ms      INTEGER NOT NULL DEFAULT 0,
        error       TEXT,
        done_at     INTEGER,
        UNIQUE (chat_id, issue)
    );
    CREATE INDEX outbox_due ON outbox (state, due_ms, id);
    CREATE TABLE buttons (
        key         TEXT    PRIMARY KEY,
        state       TEXT    NOT NULL,
        created_at  INTEGER NOT NULL
    );
    CREATE TABLE counters (
        day         INTEGER NOT NULL,
        name        TEXT    NOT NULL,
        value       INTEGER NOT NULL,
        PRIMARY KEY (day, name)
    );
    ",
    // 2: imports accepted from admins, recorded before they begin, so that one cut short by
    // a crash is reported to its admin after the restart.
    "
    CREATE TABLE imports (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        file_name   TEXT    NOT NULL,
        state       TEXT    NOT NULL DEFAULT 'running',
        started_at  INTEGER NOT NULL,
        done_at     INTEGER
    );
    ",
    // 3: replies not yet delivered, so that a restart (or a crash) does not lose them.
    "
    CREATE TABLE replies (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        job         TEXT    NOT NULL,
        created_at  INTEGER NOT NULL
    );
    ",
    // 4: readers' votes on answers (one per reader and answer, keyed by the answer's button
    // state key) and the misses queue the editors work through. Misses hold no reader ids.
    "
    CREATE TABLE votes (
        answer_key  TEXT    NOT NULL,
        reader_id   INTEGER NOT NULL,
        vote        TEXT    NOT NULL,
        reason      TEXT,
        question    TEXT    NOT NULL,
        shown       TEXT    NOT NULL,
        level       TEXT    NOT NULL,
        generation  TEXT,
        at          INTEGER NOT NULL,
        PRIMARY KEY (answer_key, reader_id)
    );
    CREATE INDEX votes_at ON votes (at);
    CREATE TABLE misses (
        id          INTEGER PRIMARY KEY,
        normalised  TEXT    NOT NULL UNIQUE,
        question    TEXT    NOT NULL,
        count       INTEGER NOT NULL,
        down        INTEGER NOT NULL DEFAULT 0,
        first_asked INTEGER NOT NULL,
        last_asked  INTEGER NOT NULL,
        level       TEXT    NOT NULL,
        shown       TEXT,
        state       TEXT    NOT NULL DEFAULT 'open',
        changed_at  INTEGER
    );
    CREATE INDEX misses_by_state ON misses (state, last_asked);
    ",
    // 5: topic alerts (关注): words readers watch, and a notice text of its own for the outbox
    // rows of watchers (NULL: the common notice).
    "
    CREATE TABLE watches (
        id          INTEGER PRIMARY KEY,
        chat_id     INTEGER NOT NULL,
        word        TEXT    NOT NULL,
        paused      INTEGER NOT NULL DEFAULT 0,
        added_at    INTEGER NOT NULL,
        UNIQUE (chat_id, word)
    );
    ALTER TABLE outbox ADD COLUMN text TEXT;
    ",
    // 6: the buttons of a watcher's notice (JSON rows, as an answer's), stored with its text
    // so that a notice sent after a restart carries the same buttons.
    "
    ALTER TABLE outbox ADD COLUMN buttons TEXT;
    ",
];

/// The schema version this binary writes (`PRAGMA user_version` after every migration).
pub fn supported_version() -> i64 {
    MIGRATIONS.len() as i64
}

pub(super) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let supported = MIGRATIONS.len() as i64;
    if version > supported {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: version,
            supported,
        });
    }
    let tx = conn.transaction()?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    tx.commit()?;
    Ok(())
}
