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
    /// Which period this is: a summary timer only sums up the period it was set for.
    seq: u64,
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
        let (send, timer) = {
            let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
            match windows.get_mut(kind) {
                Some(w) if w.opened.elapsed() < self.every => {
                    w.held += 1;
                    w.last = html.to_string();
                    // The first one held back: sum the period up when it ends.
                    let timer = (w.held == 1)
                        .then(|| (w.seq, self.every.saturating_sub(w.opened.elapsed())));
                    (None, timer)
                }
                previous => {
                    // A new period. What the last one held back and its timer has not
                    // summed up yet goes with this alert.
                    let (seq, held) = previous.map_or((0, 0), |w| (w.seq + 1, w.held));
                    windows.insert(
                        kind,
                        Window {
                            opened: Instant::now(),
                            seq,
                            held: 0,
                            last: String::new(),
                        },
                    );
                    let text = if held > 0 {
                        format!("{html}\n（此前同类问题另有 {held} 次未单独报告）")
                    } else {
                        html.to_string()
                    };
                    (Some(text), None)
                }
            }
        };
        if let Some(text) = send {
            tracing::warn!(kind, "alerting the admins");
            self.send(&text, except);
        }
        if let Some((seq, left)) = timer {
            let me = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(left).await;
                me.summarise(kind, seq);
            });
        }
    }

    fn summarise(&self, kind: &'static str, seq: u64) {
        let (held, last) = {
            let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
            let Some(w) = windows.get_mut(kind) else {
                return;
            };
            if w.seq != seq || w.held == 0 {
                // Already summed up by the alert that opened a new period.
                return;
            }
            let held = std::mem::take(&mut w.held);
            let last = std::mem::take(&mut w.last);
            // The summary opens a new period of its own.
            w.opened = Instant::now();
            w.seq += 1;
            (held, last)
        };
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
