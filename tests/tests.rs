//! One integration-test binary: each module covers one area, sharing `util` (and, for the bot,
//! `harness` and the fake Bot API in `fake_telegram`).

mod util;

mod bench;
mod bot;
mod chat;
mod corpus;
mod edits;
mod fake_telegram;
mod harness;
mod ops;
mod readers;
mod reliability;
mod search;
mod store;
