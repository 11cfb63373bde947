//! Delivering new-issue notices: the outbox in SQLite, drained at a paced rate.
//!
//! - Pacing: at most `Pacing::per_second` sends start per second overall (Telegram allows
//!   about 30/s), each also taking a slot of the replies' overall limit
//!   ([`Courier::global_slot`]) so that notices and replies together stay under it; a chat
//!   gets at most one message per `per_chat_gap`.
//! - Sends run concurrently (up to [`MAX_IN_FLIGHT`]), so a slow network does not lower the
//!   rate; each row is in flight at most once.
//! - 429: the whole sender pauses for `retry_after` and the row is retried, without using up
//!   an attempt. 403 (blocked, deactivated, kicked) and "chat not found": the chat is
//!   unsubscribed and its notices dropped. Anything else: retried with exponential backoff,
//!   given up after `max_attempts`, counted as failed. A group that became a supergroup is
//!   followed to its new id.
//! - A row is marked sent only after Telegram accepted it. Stopping waits for sends in flight
//!   and records their outcome, so a restart resumes exactly where the last run stopped.

use super::deliver::Courier;
use super::settings::Pacing;
use crate::store::{now_ms, Delivery, Store};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::ParseMode;
use teloxide::{ApiError, RequestError};
use tokio::sync::{watch, Notify};
use tokio::task::JoinSet;
use tokio::time::{sleep, Instant, MissedTickBehavior};

/// Sends in flight at once.
pub(crate) const MAX_IN_FLIGHT: usize = 32;

/// What happened to one send.
#[derive(Debug, Clone, PartialEq)]
enum Sent {
    Ok,
    /// Telegram asked us to wait.
    RetryAfter(Duration),
    Gone,
    /// The group became a supergroup with this id.
    Migrated(i64),
    Failed,
}

/// Drain the outbox until `stop` turns true; then finish the sends in flight and return.
pub(crate) async fn run(
    bot: Bot,
    store: Arc<Store>,
    pacing: Pacing,
    courier: Courier,
    alerts: Option<Arc<super::alerts::Alerts>>,
    wake: Arc<Notify>,
    mut stop: watch::Receiver<bool>,
) {
    let period =
        Duration::from_secs_f64(1.0 / pacing.per_second.max(0.001)).max(Duration::from_micros(1));
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut flights = Flights::default();
    let sender = Sender {
        bot,
        store: store.clone(),
        pacing: pacing.clone(),
        courier,
        alerts,
    };

    loop {
        // A dropped sender (the bot gone without a clean stop) also means stop.
        if *stop.borrow() || stop.has_changed().is_err() {
            break;
        }
        flights.settle_finished();
        if let Some(until) = flights.paused_until.take() {
            if until > Instant::now() {
                tokio::select! {
                    _ = tokio::time::sleep_until(until) => {}
                    _ = stop.changed() => {}
                }
                continue;
            }
        }
        if flights.last_sent.len() > 100_000 {
            flights
                .last_sent
                .retain(|_, t| t.elapsed() < pacing.per_chat_gap);
        }
        if sender.start_due(&mut flights, &mut ticker, &mut stop).await > 0 {
            continue;
        }
        // Nothing could start: wait for a send to finish, new notices, the next due row, or
        // the per-chat gap to pass.
        let wait = idle_wait(&store, &pacing);
        tokio::select! {
            Some(done) = flights.tasks.join_next(), if !flights.tasks.is_empty() => {
                flights.settle(done);
            }
            _ = wake.notified() => {}
            _ = sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
    // Let sends in flight finish and be recorded: nothing is left half-done.
    while let Some(done) = flights.tasks.join_next().await {
        flights.settle(done);
    }
    tracing::info!("outbox stopped");
}

/// The sends in flight and what the loop remembers between rounds: which rows and chats
/// are busy, when each chat last got a notice, and a pause that a 429 asked for.
#[derive(Default)]
struct Flights {
    tasks: JoinSet<(i64, i64, Sent)>,
    in_flight: HashSet<i64>,
    busy_chats: HashSet<i64>,
    last_sent: HashMap<i64, Instant>,
    paused_until: Option<Instant>,
}

impl Flights {
    fn settle_finished(&mut self) {
        while let Some(done) = self.tasks.try_join_next() {
            self.settle(done);
        }
    }

    fn settle(&mut self, done: Result<(i64, i64, Sent), tokio::task::JoinError>) {
        match done {
            Ok((id, chat, sent)) => {
                self.in_flight.remove(&id);
                self.busy_chats.remove(&chat);
                if let Sent::RetryAfter(d) = sent {
                    let until = Instant::now() + d;
                    self.paused_until = Some(self.paused_until.map_or(until, |p| p.max(until)));
                }
            }
            Err(e) => tracing::error!("outbox task failed: {e}"),
        }
    }

    /// A chat that has a send in flight or got a notice less than `gap` ago waits.
    fn is_hot(&self, chat: i64, gap: Duration) -> bool {
        self.busy_chats.contains(&chat)
            || self.last_sent.get(&chat).is_some_and(|t| t.elapsed() < gap)
    }
}

/// What starting a send needs.
struct Sender {
    bot: Bot,
    store: Arc<Store>,
    pacing: Pacing,
    courier: Courier,
    alerts: Option<Arc<super::alerts::Alerts>>,
}

impl Sender {
    /// Start the sends that are due and allowed now (within [`MAX_IN_FLIGHT`], one per chat,
    /// each taking a tick of the outbox's rate and a slot of the courier's overall rate).
    /// Returns how many started.
    async fn start_due(
        &self,
        flights: &mut Flights,
        ticker: &mut tokio::time::Interval,
        stop: &mut watch::Receiver<bool>,
    ) -> usize {
        let busy: Vec<i64> = flights.in_flight.iter().copied().collect();
        let due = match self.store.due(64, &busy) {
            Ok(d) => d,
            Err(e) => {
                tracing::error!("outbox query failed: {e}");
                Vec::new()
            }
        };
        let mut started = 0;
        for d in due {
            if flights.tasks.len() >= MAX_IN_FLIGHT
                || flights.paused_until.is_some()
                || *stop.borrow()
            {
                break;
            }
            if flights.is_hot(d.chat, self.pacing.per_chat_gap) {
                continue;
            }
            tokio::select! {
                _ = async { ticker.tick().await; self.courier.global_slot().await } => {}
                _ = stop.changed() => break,
            }
            flights.in_flight.insert(d.id);
            flights.busy_chats.insert(d.chat);
            flights.last_sent.insert(d.chat, Instant::now());
            started += 1;
            let (bot, store, pacing) = (self.bot.clone(), self.store.clone(), self.pacing.clone());
            let alerts = self.alerts.clone();
            flights.tasks.spawn(async move {
                let outcome = deliver(&bot, &store, &pacing, &d, alerts.as_ref()).await;
                (d.id, d.chat, outcome)
            });
            flights.settle_finished();
        }
        started
    }
}

/// How long the outbox may sleep when nothing can start: until the next notice is due, and
/// never longer than the per-chat gap (a chat that was too hot may be ready by then).
fn idle_wait(store: &Store, pacing: &Pacing) -> Duration {
    match store.next_due_in_ms() {
        Ok(Some(ms)) => Duration::from_millis(ms as u64).max(Duration::from_millis(20)),
        _ => Duration::from_secs(30),
    }
    .min(pacing.per_chat_gap.max(Duration::from_millis(20)))
}

/// A notice's stored button rows as Telegram's keyboard. Rows that do not read (written by a
/// newer version) are logged and the notice goes without them rather than not at all.
fn markup_of(json: &str) -> Option<teloxide::types::InlineKeyboardMarkup> {
    match serde_json::from_str::<Vec<Vec<super::reply::Button>>>(json) {
        Ok(buttons) => super::deliver::keyboard(&super::reply::Reply {
            html: String::new(),
            buttons,
        }),
        Err(e) => {
            tracing::warn!("a notice's buttons do not read; sending it without them: {e}");
            None
        }
    }
}

/// Send one notice and record the outcome in the store.
async fn deliver(
    bot: &Bot,
    store: &Store,
    pacing: &Pacing,
    d: &Delivery,
    alerts: Option<&Arc<super::alerts::Alerts>>,
) -> Sent {
    let mut request = bot
        .send_message(ChatId(d.chat), d.text.clone())
        .parse_mode(ParseMode::Html);
    if let Some(markup) = d.buttons.as_deref().and_then(markup_of) {
        request = request.reply_markup(markup);
    }
    let result = request.await.map(|_| ());
    let sent = classify(&result);
    let recorded = match &sent {
        Sent::Ok => store.mark_sent(d.id),
        Sent::RetryAfter(wait) => {
            tracing::warn!(chat = d.chat, "429: pausing notices for {wait:?}");
            store.mark_retry(d.id, now_ms() + wait.as_millis() as i64, "429", false)
        }
        Sent::Gone => {
            tracing::info!(chat = d.chat, "chat is gone; unsubscribed");
            store.chat_gone(d.chat, "403")
        }
        Sent::Migrated(to) => {
            tracing::info!(
                chat = d.chat,
                to,
                "group upgraded to a supergroup; following it"
            );
            store.migrate_chat(d.chat, *to)
        }
        Sent::Failed => {
            let err = describe(result.as_ref().err(), bot);
            if d.attempts + 1 >= pacing.max_attempts {
                tracing::warn!(chat = d.chat, "notice given up: {err}");
                if let Some(a) = alerts {
                    // The issue and the error, not the reader.
                    a.raise(
                        "notice",
                        &format!(
                            "⚠️ 一条 {} 的新刊通知尝试 {} 次后仍未送达，已放弃：{}",
                            crate::render::html::escape(&d.issue),
                            d.attempts + 1,
                            crate::render::html::escape(&crate::render::html::truncate_chars(
                                &err, 300
                            ))
                        ),
                    );
                }
                store.mark_failed(d.id, &err)
            } else {
                let backoff = pacing.backoff.saturating_mul(1 << d.attempts.min(16));
                store.mark_retry(d.id, now_ms() + backoff.as_millis() as i64, &err, true)
            }
        }
    };
    if let Err(e) = recorded {
        tracing::error!("outbox row {} not updated: {e}", d.id);
    }
    sent
}

/// The failure as stored in the outbox and logged: never with the token in it.
fn describe(err: Option<&RequestError>, bot: &Bot) -> String {
    err.map(|e| super::settings::Token::scrub(e, bot.token()))
        .unwrap_or_default()
}

fn classify(result: &Result<(), RequestError>) -> Sent {
    match result {
        Ok(()) => Sent::Ok,
        Err(RequestError::RetryAfter(s)) => {
            Sent::RetryAfter(s.duration().max(Duration::from_millis(100)))
        }
        Err(RequestError::Api(e)) if is_gone(e) => Sent::Gone,
        Err(RequestError::MigrateToChatId(to)) => Sent::Migrated(to.0),
        Err(_) => Sent::Failed,
    }
}

/// Errors that mean the chat will never accept a message from us again.
fn is_gone(e: &ApiError) -> bool {
    match e {
        ApiError::BotBlocked
        | ApiError::BotKicked
        | ApiError::BotKickedFromSupergroup
        | ApiError::BotKickedFromChannel
        | ApiError::UserDeactivated
        | ApiError::ChatNotFound => true,
        ApiError::Unknown(s) => s.starts_with("Forbidden"),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::Seconds;

    #[test]
    fn errors_are_classified() {
        assert_eq!(classify(&Ok(())), Sent::Ok);
        assert_eq!(
            classify(&Err(RequestError::RetryAfter(Seconds::from_seconds(3)))),
            Sent::RetryAfter(Duration::from_secs(3))
        );
        assert_eq!(
            classify(&Err(RequestError::Api(ApiError::BotBlocked))),
            Sent::Gone
        );
        assert_eq!(
            classify(&Err(RequestError::Api(ApiError::Unknown(
                "Forbidden: bot can't send".into()
            )))),
            Sent::Gone
        );
        assert_eq!(
            classify(&Err(RequestError::Api(ApiError::Unknown(
                "Internal Server Error".into()
            )))),
            Sent::Failed
        );
    }
}
