//! Pacing of replies to groups: Telegram lets a bot post about 20 messages a minute in one
//! group. A busy group asking many questions gets its answers a little later instead of a 429.
//!
//! Used by the courier ([`super::deliver`]), which also paces private chats and the overall
//! rate and retries whatever still meets a 429; notices have their own, stricter pacing in
//! [`super::outbox`].

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Messages per window per group.
pub(crate) const GROUP_LIMIT: usize = 20;
pub(crate) const GROUP_WINDOW: Duration = Duration::from_secs(60);

/// Remembers recent sends per group.
#[derive(Default)]
pub(crate) struct GroupPacer {
    sent: Mutex<HashMap<i64, VecDeque<Instant>>>,
}

impl GroupPacer {
    /// How long to wait before sending to `chat` at `now`; when zero, the send is recorded.
    pub(crate) fn reserve(&self, chat: i64, now: Instant) -> Duration {
        if chat >= 0 {
            return Duration::ZERO;
        }
        let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        if sent.len() > 10_000 {
            sent.retain(|_, q| {
                q.back()
                    .is_some_and(|t| now.duration_since(*t) < GROUP_WINDOW)
            });
        }
        let q = sent.entry(chat).or_default();
        while q
            .front()
            .is_some_and(|t| now.duration_since(*t) >= GROUP_WINDOW)
        {
            q.pop_front();
        }
        match q.front() {
            Some(oldest) if q.len() >= GROUP_LIMIT => GROUP_WINDOW - now.duration_since(*oldest),
            _ => {
                q.push_back(now);
                Duration::ZERO
            }
        }
    }

    /// Wait until a message may go to `chat`, and record it.
    pub(crate) async fn wait(&self, chat: i64) {
        loop {
            let wait = self.reserve(chat, Instant::now());
            if wait.is_zero() {
                return;
            }
            tracing::debug!(chat, "group flood limit: waiting {wait:?}");
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_gets_twenty_a_minute_private_chats_are_free() {
        let pacer = GroupPacer::default();
        let t0 = Instant::now();
        for i in 0..GROUP_LIMIT {
            assert_eq!(
                pacer.reserve(-5, t0 + Duration::from_millis(i as u64)),
                Duration::ZERO
            );
        }
        let wait = pacer.reserve(-5, t0 + Duration::from_secs(1));
        assert_eq!(wait, Duration::from_secs(59));
        assert_eq!(
            pacer.reserve(-6, t0 + Duration::from_secs(1)),
            Duration::ZERO
        );
        assert_eq!(
            pacer.reserve(7, t0 + Duration::from_secs(1)),
            Duration::ZERO
        );
        assert_eq!(
            pacer.reserve(-5, t0 + Duration::from_secs(61)),
            Duration::ZERO
        );
    }
}
