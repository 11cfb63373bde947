//! What goes wrong, told to the admins in their private chats: a failed reindex, notices
//! given up, a handler's error or panic, a damaged index.
//!
//! Each kind is sent at most once per [`Alerts::every`] (ten minutes by default): a failure
//! repeated by every question must reach the admins once, not once a question. What is held
//! back in the meantime is counted, and when the period ends a summary with the count goes
//! out, so that no repetition goes unmentioned. Alerts never carry the token (callers scrub
//! errors) nor a reader's message text (callers pass errors and counts, not messages).

use super::admins::Admins;
use super::deliver::Courier;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use teloxide::types::ChatId;

pub(crate) struct Alerts {
    admins: Admins,
    courier: Courier,
    every: Duration,
    windows: Mutex<HashMap<&'static str, Window>>,
}

struct Window {
    opened: Instant,
    /// Alerts of this kind held back since the window opened, and the last of them.
    held: u64,
    last: String,
}

impl Alerts {
    pub(crate) fn new(admins: Admins, courier: Courier, every: Duration) -> Arc<Alerts> {
        Arc::new(Alerts {
            admins,
            courier,
            every,
            windows: Mutex::default(),
        })
    }

    /// Tell every admin, unless this kind was told within the period (then it is counted
    /// and summed up when the period ends).
    pub(crate) fn raise(self: &Arc<Self>, kind: &'static str, html: &str) {
        self.raise_except(kind, html, None);
    }

    /// [`Alerts::raise`], leaving out the admin in `except` (who was just told directly).
    pub(crate) fn raise_except(
        self: &Arc<Self>,
        kind: &'static str,
        html: &str,
        except: Option<i64>,
    ) {
        let first_held = {
            let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
            match windows.get_mut(kind) {
                Some(w) if w.opened.elapsed() < self.every => {
                    w.held += 1;
                    w.last = html.to_string();
                    (w.held == 1).then(|| self.every.saturating_sub(w.opened.elapsed()))
                }
                _ => {
                    windows.insert(
                        kind,
                        Window {
                            opened: Instant::now(),
                            held: 0,
                            last: String::new(),
                        },
                    );
                    tracing::warn!(kind, "alerting the admins");
                    self.send(html, except);
                    return;
                }
            }
        };
        // The first one held back: sum the window up when it closes.
        if let Some(left) = first_held {
            let me = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(left).await;
                me.summarise(kind);
            });
        }
    }

    fn summarise(&self, kind: &'static str) {
        let (held, last) = {
            let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
            let Some(w) = windows.get_mut(kind) else {
                return;
            };
            let held = std::mem::take(&mut w.held);
            // The summary opens a new period of its own.
            w.opened = Instant::now();
            (held, std::mem::take(&mut w.last))
        };
        if held == 0 {
            return;
        }
        let minutes = (self.every.as_secs() / 60).max(1);
        tracing::warn!(kind, held, "alerting the admins with a summary");
        self.send(
            &format!("⚠️ 过去 {minutes} 分钟内同类问题又发生了 {held} 次，最近一次：\n{last}"),
            None,
        );
    }

    fn send(&self, html: &str, except: Option<i64>) {
        for admin in self.admins.iter() {
            let chat = admin as i64;
            if Some(chat) != except {
                self.courier.say(ChatId(chat), html.to_string());
            }
        }
    }
}
