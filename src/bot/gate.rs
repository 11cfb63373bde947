//! Who the bot serves, and how often: private mode (`ALLOWED_CHATS`) and the per-reader
//! question limit (`MAX_QUESTIONS_PER_MINUTE`).
//!
//! Both are decided before routing, so that no handler does work for a message that is then
//! refused. A reader over the limit hears it once per minute; further messages in that minute
//! are dropped without a word, since answering each with a refusal would itself be the flood
//! the limit is there to stop. Admins are exempt from the limit and, in their private chats,
//! from private mode (they must always be able to reach the bot to run it).

use super::admins::Admins;
use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The window of the per-reader limit.
const WINDOW: Duration = Duration::from_secs(60);

/// A chat outside private mode's list is told so at most once per this period.
const REFUSE_EVERY: Duration = Duration::from_secs(600);

/// Past this many readers tracked, windows already over are swept out.
const SWEEP_ABOVE: usize = 10_000;

pub(crate) const LIMITED: &str = "您提问太频繁了，请稍等一分钟再问。这一分钟内的其他消息不会回复。";
pub(crate) const PRIVATE: &str =
    "抱歉，这个机器人只在本单位指定的会话中提供服务。如需使用，请联系管理员。";

/// What to do with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Route and answer it.
    Serve,
    /// Not served here (private mode); say so.
    Refuse,
    /// Over the limit for the first time this minute; say so.
    Limited,
    /// Drop it without a word.
    Drop,
}

/// One message as the gate sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Knock {
    pub chat: i64,
    pub user: u64,
    /// In a group: whether the message is meant for the bot (a mention, a reply, a command).
    /// Chatter between members is not a question and does not count.
    pub addressed: bool,
}

#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
    warned: bool,
}

pub(crate) struct Gate {
    admins: Admins,
    allowed: Option<BTreeSet<i64>>,
    per_minute: u32,
    windows: Mutex<HashMap<u64, Window>>,
    refused: Mutex<HashMap<i64, Instant>>,
}

impl Gate {
    pub(crate) fn new(admins: Admins, allowed: Option<BTreeSet<i64>>, per_minute: u32) -> Gate {
        Gate {
            admins,
            allowed,
            per_minute,
            windows: Mutex::default(),
            refused: Mutex::default(),
        }
    }

    /// Whether private mode lets `chat` be served (an admin's own chat always is).
    pub(crate) fn allows_chat(&self, chat: i64) -> bool {
        match &self.allowed {
            None => true,
            Some(list) => list.contains(&chat) || (chat > 0 && self.admins.contains(chat as u64)),
        }
    }

    pub(crate) fn check(&self, k: Knock, now: Instant) -> Verdict {
        if !self.allows_chat(k.chat) {
            if !k.addressed {
                return Verdict::Drop;
            }
            let mut refused = self.refused.lock().unwrap_or_else(|p| p.into_inner());
            let due = refused
                .get(&k.chat)
                .is_none_or(|t| now.duration_since(*t) >= REFUSE_EVERY);
            if due {
                refused.insert(k.chat, now);
                return Verdict::Refuse;
            }
            return Verdict::Drop;
        }
        if !k.addressed || self.per_minute == 0 || self.admins.contains(k.user) {
            return Verdict::Serve;
        }
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() > SWEEP_ABOVE {
            windows.retain(|_, w| now.duration_since(w.started) < WINDOW);
        }
        let w = windows.entry(k.user).or_insert(Window {
            started: now,
            count: 0,
            warned: false,
        });
        if now.duration_since(w.started) >= WINDOW {
            *w = Window {
                started: now,
                count: 0,
                warned: false,
            };
        }
        w.count += 1;
        if w.count <= self.per_minute {
            Verdict::Serve
        } else if !w.warned {
            w.warned = true;
            Verdict::Limited
        } else {
            Verdict::Drop
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn knock(chat: i64, user: u64) -> Knock {
        Knock {
            chat,
            user,
            addressed: true,
        }
    }

    #[test]
    fn a_reader_over_the_limit_hears_once_then_nothing_until_the_minute_is_over() {
        let gate = Gate::new(Admins::new(vec![1]), None, 3);
        let t0 = Instant::now();
        let verdicts: Vec<Verdict> = (0..6).map(|_| gate.check(knock(7, 7), t0)).collect();
        use Verdict::*;
        assert_eq!(verdicts, [Serve, Serve, Serve, Limited, Drop, Drop]);
        // Another reader is not affected, nor is an admin.
        assert_eq!(gate.check(knock(8, 8), t0), Serve);
        for _ in 0..10 {
            assert_eq!(gate.check(knock(1, 1), t0), Serve);
        }
        assert_eq!(gate.check(knock(7, 7), t0 + WINDOW), Serve);
        // Group chatter does not count.
        let chatter = Knock {
            addressed: false,
            ..knock(-100, 9)
        };
        for _ in 0..10 {
            assert_eq!(gate.check(chatter, t0), Serve);
        }
        assert_eq!(gate.check(knock(-100, 9), t0), Serve);
    }

    #[test]
    fn zero_means_no_limit() {
        let gate = Gate::new(Admins::new(vec![]), None, 0);
        let t0 = Instant::now();
        assert!((0..100).all(|_| gate.check(knock(7, 7), t0) == Verdict::Serve));
    }

    #[test]
    fn private_mode_serves_its_chats_and_admins_and_refuses_others_politely_once() {
        let gate = Gate::new(
            Admins::new(vec![1]),
            Some([-100_200, 5].into_iter().collect()),
            20,
        );
        let t0 = Instant::now();
        assert_eq!(gate.check(knock(-100_200, 9), t0), Verdict::Serve);
        assert_eq!(gate.check(knock(5, 5), t0), Verdict::Serve);
        assert_eq!(gate.check(knock(1, 1), t0), Verdict::Serve, "an admin");
        assert_eq!(gate.check(knock(6, 6), t0), Verdict::Refuse);
        assert_eq!(gate.check(knock(6, 6), t0), Verdict::Drop);
        assert_eq!(gate.check(knock(6, 6), t0 + REFUSE_EVERY), Verdict::Refuse);
        let chatter = Knock {
            addressed: false,
            ..knock(-100_300, 9)
        };
        assert_eq!(gate.check(chatter, t0), Verdict::Drop);
    }
}
