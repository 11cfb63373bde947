//! Delivering replies: every message the bot sends in answer to someone (answers, command
//! replies, admins' progress lines and reports) goes through the [`Courier`].
//!
//! - One queue per chat, drained in order by a task of its own: a chat whose sends are slow
//!   or failing (a 429 to wait out, a 5xx after which teloxide-core itself sleeps 10 s inside
//!   the request) holds up only its own queue, never another chat's, and never the
//!   dispatcher's worker for that chat (the handler only enqueues).
//! - 429: wait `retry_after` and send again, as often as it takes. 5xx, network errors,
//!   timeouts, answers that are not JSON (a proxy's error page): retry with exponential
//!   backoff. Either way the reply is given up only after [`ReplyPolicy::give_up_after`]
//!   (10 minutes by default), with an error in the log. Errors that retrying cannot fix
//!   (400, 403: blocked, chat not found) are logged and the reply dropped at once.
//! - Pacing before each attempt, to meet few 429s in the first place: all chats together at
//!   most `per_second` (shared with the notices of [`super::outbox`], which take their slots
//!   through [`Courier::global_slot`]), a private chat at most one message per
//!   `private_gap`, a group at most 20 a minute ([`GroupPacer`]).
//! - Every queued reply is recorded in the store and deleted once settled (sent or given
//!   up); [`Courier::resume`] at start sends what a stopped or killed run still owed. (A kill
//!   in the instant between Telegram accepting a reply and the delete repeats that reply.)
//! - Stopping: [`Courier::flush`] waits (within a grace period) until every queued reply has
//!   been sent or given up; what is left stays recorded for the next start.
//!
//! Why not teloxide's `Throttle` adaptor (teloxide-core 0.13) for the pacing: it paces well
//! (per chat, per group, overall), but what this path must guarantee it cannot give, and
//! the courier would have to be kept around it anyway:
//! - its queue is in memory: a reply owed at a kill or a restart is gone;
//! - it retries only a 429 (`RetryAfter`); a 5xx, a timeout or a proxy's HTML page comes
//!   back to the caller as an error, i.e. the reply is lost unless the caller retries;
//! - a 429 freezes the whole adaptor (every chat) for `retry_after`, where the courier holds
//!   back only the chat that met it;
//! - its overall budget is its own: the notice outbox, which must share the 30/s with the
//!   replies, would need a second Throttle that does not know about the first.
//!
//! So the courier paces, retries and persists in one place, and only [`GroupPacer`] remains
//! hand-written pacing (20 messages a minute per group, which Throttle would do the same way).

use super::pace::GroupPacer;
use super::reply::Reply;
use super::settings::ReplyPolicy;
use crate::store::Store;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use teloxide::prelude::*;
use teloxide::types::{
    CopyTextButton, InlineKeyboardButton, InlineKeyboardMarkup, MessageId, ParseMode,
    ReplyParameters,
};
use teloxide::{ApiError, RequestError};
use tokio::sync::Notify;
use tokio::time::Instant;

/// One message to deliver to a chat, as recorded in the store (JSON).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(tag = "k")]
enum Job {
    #[serde(rename = "send")]
    Send {
        reply: Reply,
        reply_to: Option<i32>,
        /// When the update this answers arrived (the first reply of an answer), for the
        /// latency metric; not recorded, since a reply resumed after a restart is late anyway.
        #[serde(skip)]
        asked: Option<std::time::Instant>,
    },
    #[serde(rename = "edit")]
    Edit { message: i32, reply: Reply },
}

/// A queued job and its row in the store (none when it could not be recorded).
type Queued = (Option<i64>, Job);

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Telegram said how long to wait.
    After(Duration),
    /// A transient failure: wait the next backoff step.
    Backoff,
    /// Retrying cannot help.
    Never,
}

/// Sends replies, one ordered queue per chat. Cheap to clone.
#[derive(Clone)]
pub struct Courier {
    inner: Arc<Inner>,
}

struct Inner {
    bot: Bot,
    policy: ReplyPolicy,
    /// Where queued replies are recorded until delivered.
    store: Option<Arc<Store>>,
    queues: Mutex<HashMap<i64, VecDeque<Queued>>>,
    groups: GroupPacer,
    /// When the next message (any chat) may start.
    next_slot: Mutex<Instant>,
    /// When each private chat last got a message.
    last_private: Mutex<HashMap<i64, Instant>>,
    /// Messages queued or in flight.
    pending: AtomicUsize,
    idle: Notify,
    /// Replies given up (for logs and tests).
    given_up: AtomicUsize,
    metrics: Option<Arc<super::metrics::Metrics>>,
    /// Set by [`Courier::halt`]: nothing more goes out.
    halted: std::sync::atomic::AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Every critical section is a few map operations; a panic cannot leave them half-done.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Courier {
    /// A courier recording what it owes in `store` (if given), so that a restart resumes it.
    pub(crate) fn new(
        bot: Bot,
        policy: ReplyPolicy,
        store: Option<Arc<Store>>,
        metrics: Option<Arc<super::metrics::Metrics>>,
    ) -> Courier {
        Courier {
            inner: Arc::new(Inner {
                bot,
                policy,
                store,
                queues: Mutex::new(HashMap::new()),
                groups: GroupPacer::default(),
                next_slot: Mutex::new(Instant::now()),
                last_private: Mutex::new(HashMap::new()),
                pending: AtomicUsize::new(0),
                idle: Notify::new(),
                given_up: AtomicUsize::new(0),
                metrics,
                halted: Default::default(),
            }),
        }
    }

    /// Queue `replies` for `chat`, in order; the first answers `reply_to` (in groups).
    pub(crate) fn send(&self, chat: ChatId, replies: Vec<Reply>, reply_to: Option<MessageId>) {
        self.answer(chat, replies, reply_to, None);
    }

    /// [`Courier::send`] for the answer to an update that arrived at `asked`: the time until
    /// Telegram accepts the first reply goes to the latency metric.
    pub(crate) fn answer(
        &self,
        chat: ChatId,
        replies: Vec<Reply>,
        reply_to: Option<MessageId>,
        asked: Option<std::time::Instant>,
    ) {
        let jobs = replies.into_iter().enumerate().map(|(i, reply)| Job::Send {
            reply,
            reply_to: if i == 0 { reply_to.map(|m| m.0) } else { None },
            asked: if i == 0 { asked } else { None },
        });
        self.enqueue(chat.0, jobs.collect());
    }

    /// Queue one plain message without buttons.
    pub(crate) fn say(&self, chat: ChatId, html: String) {
        self.send(chat, vec![Reply::text(html)], None);
    }

    /// Queue an edit of the bot's message `message` in `chat` (a button press).
    pub(crate) fn edit(&self, chat: ChatId, message: MessageId, reply: Reply) {
        self.enqueue(
            chat.0,
            vec![Job::Edit {
                message: message.0,
                reply,
            }],
        );
    }

    /// Take a slot of the overall limit for a message sent elsewhere (a notice from the
    /// outbox), so that replies and notices together stay under Telegram's 30 a second.
    pub(crate) async fn global_slot(&self) {
        self.inner.global_slot().await;
    }

    /// Messages queued or in flight.
    pub(crate) fn pending(&self) -> usize {
        self.inner.pending.load(Ordering::Acquire)
    }

    /// Wait until every queued message has been sent or given up, at most `grace`. Returns
    /// how many are still pending (and will be lost when the process exits).
    pub(crate) async fn flush(&self, grace: Duration) -> usize {
        let deadline = Instant::now() + grace;
        loop {
            let idle = self.inner.idle.notified();
            let left = self.pending();
            if left == 0 || Instant::now() >= deadline {
                return left;
            }
            tokio::select! {
                _ = idle => {}
                _ = tokio::time::sleep_until(deadline) => {}
            }
        }
    }

    /// Send nothing more, from now on (a bot that is aborted, as if killed).
    pub(crate) fn halt(&self) {
        self.inner.halted.store(true, Ordering::Release);
    }

    fn enqueue(&self, chat: i64, jobs: Vec<Job>) {
        if jobs.is_empty() || self.inner.halted.load(Ordering::Acquire) {
            return;
        }
        let ids = self.record(chat, &jobs);
        let queued = jobs
            .into_iter()
            .enumerate()
            .map(|(i, job)| (ids.as_ref().and_then(|ids| ids.get(i).copied()), job))
            .collect();
        self.push(chat, queued);
    }

    /// Record jobs in the store; `None` (logged) when there is no store or it failed: the
    /// replies still go out, they just would not survive a restart.
    fn record(&self, chat: i64, jobs: &[Job]) -> Option<Vec<i64>> {
        let store = self.inner.store.as_ref()?;
        let json: Result<Vec<String>, _> = jobs.iter().map(serde_json::to_string).collect();
        let recorded = json
            .map_err(|e| e.to_string())
            .and_then(|json| store.replies_queued(chat, &json).map_err(|e| e.to_string()));
        match recorded {
            Ok(ids) => Some(ids),
            Err(e) => {
                tracing::error!(chat, "recording a reply failed: {e}");
                None
            }
        }
    }

    fn push(&self, chat: i64, queued: Vec<Queued>) {
        let start_worker = {
            let mut queues = lock(&self.inner.queues);
            self.inner.pending.fetch_add(queued.len(), Ordering::AcqRel);
            let fresh = !queues.contains_key(&chat);
            queues.entry(chat).or_default().extend(queued);
            fresh
        };
        if start_worker {
            let inner = self.inner.clone();
            tokio::spawn(async move { inner.drain(chat).await });
        }
    }

    /// Queue the replies an earlier run recorded and never delivered. Returns how many.
    pub(crate) fn resume(&self) -> usize {
        let Some(store) = &self.inner.store else {
            return 0;
        };
        let owed = match store.replies_owed() {
            Ok(owed) => owed,
            Err(e) => {
                tracing::error!("reading replies owed: {e}");
                return 0;
            }
        };
        let mut by_chat: Vec<(i64, Vec<Queued>)> = Vec::new();
        let mut n = 0;
        for (id, chat, json) in owed {
            match serde_json::from_str::<Job>(&json) {
                Ok(job) => {
                    n += 1;
                    match by_chat.iter_mut().find(|(c, _)| *c == chat) {
                        Some((_, q)) => q.push((Some(id), job)),
                        None => by_chat.push((chat, vec![(Some(id), job)])),
                    }
                }
                Err(e) => {
                    tracing::error!(id, "an owed reply cannot be read, dropped: {e}");
                    let _ = store.reply_done(id);
                }
            }
        }
        for (chat, queued) in by_chat {
            self.push(chat, queued);
        }
        if n > 0 {
            tracing::info!("resuming {n} replies owed by the last run");
        }
        n
    }
}

impl Inner {
    /// Deliver `chat`'s queue in order; exit (removing the queue) when it is empty. The queue
    /// exists exactly while its worker runs, so `enqueue` starts one worker per chat.
    async fn drain(self: Arc<Self>, chat: i64) {
        loop {
            let (id, job) = {
                let mut queues = lock(&self.queues);
                match queues.get_mut(&chat).and_then(VecDeque::pop_front) {
                    Some(queued) => queued,
                    None => {
                        queues.remove(&chat);
                        return;
                    }
                }
            };
            // A panic inside one delivery must not kill the queue: run it as its own task.
            let me = self.clone();
            let settled = match tokio::spawn(async move { me.deliver(chat, job).await }).await {
                Ok(settled) => settled,
                Err(e) => {
                    tracing::error!(chat, "delivering a reply failed: {e}");
                    true
                }
            };
            // Halted before the reply was settled: it stays recorded for the next start.
            if let (true, Some(id), Some(store)) = (settled, id, &self.store) {
                if let Err(e) = store.reply_done(id) {
                    tracing::error!(chat, "forgetting a delivered reply failed: {e}");
                }
            }
            if self.pending.fetch_sub(1, Ordering::AcqRel) == 1 {
                self.idle.notify_waiters();
            }
        }
    }

    /// Send one message, retrying as the module doc says. Returns whether it is settled
    /// (delivered, or given up); `false` when the courier was halted first.
    async fn deliver(&self, chat: i64, job: Job) -> bool {
        let started = Instant::now();
        let mut backoff = self.policy.backoff;
        let mut attempts = 0u32;
        loop {
            self.pace(chat, matches!(job, Job::Send { .. })).await;
            if self.halted.load(Ordering::Acquire) {
                return false;
            }
            attempts += 1;
            let result = self.attempt(chat, &job).await;
            let err = match result {
                Ok(()) => {
                    if attempts > 1 {
                        tracing::info!(chat, attempts, "reply delivered after retrying");
                    }
                    if let (Job::Send { asked: Some(t), .. }, Some(m)) = (&job, &self.metrics) {
                        m.reply_latency(t.elapsed());
                    }
                    return true;
                }
                Err(e) => e,
            };
            let what = super::settings::Token::scrub(&err, self.bot.token());
            let wait = match classify(&err) {
                Retry::After(d) => d,
                Retry::Backoff => {
                    let d = backoff;
                    backoff = backoff.saturating_mul(2).min(self.policy.max_backoff);
                    d
                }
                Retry::Never => {
                    // "message is not modified": the edit already shows what it should.
                    if !what.contains("message is not modified") {
                        tracing::warn!(chat, "reply dropped: {what}");
                        if let Some(m) = &self.metrics {
                            m.reply_failed();
                        }
                    }
                    return true;
                }
            };
            if started.elapsed() + wait > self.policy.give_up_after {
                self.given_up.fetch_add(1, Ordering::AcqRel);
                if let Some(m) = &self.metrics {
                    m.reply_failed();
                }
                tracing::error!(
                    chat,
                    attempts,
                    "reply given up after {:?}: {what}",
                    started.elapsed()
                );
                return true;
            }
            tracing::debug!(
                chat,
                attempts,
                "reply failed ({what}); retrying in {wait:?}"
            );
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(&self, chat: i64, job: &Job) -> Result<(), RequestError> {
        match job {
            Job::Send {
                reply, reply_to, ..
            } => {
                let mut req = self
                    .bot
                    .send_message(ChatId(chat), reply.html.clone())
                    .parse_mode(ParseMode::Html);
                if let Some(kb) = keyboard(reply) {
                    req = req.reply_markup(kb);
                }
                if let Some(id) = reply_to {
                    req = req.reply_parameters(
                        ReplyParameters::new(MessageId(*id)).allow_sending_without_reply(),
                    );
                }
                req.await.map(|_| ())
            }
            Job::Edit { message, reply } => {
                let mut req = self
                    .bot
                    .edit_message_text(ChatId(chat), MessageId(*message), reply.html.clone())
                    .parse_mode(ParseMode::Html);
                if let Some(kb) = keyboard(reply) {
                    req = req.reply_markup(kb);
                }
                req.await.map(|_| ())
            }
        }
    }

    /// Wait for this chat's and the global flood limits (a new message, not an edit, also
    /// counts against a group's 20 a minute).
    async fn pace(&self, chat: i64, new_message: bool) {
        if chat < 0 && new_message {
            self.groups.wait(chat).await;
        }
        if chat > 0 && !self.policy.private_gap.is_zero() {
            let wait = {
                let mut last = lock(&self.last_private);
                let now = Instant::now();
                if last.len() > 100_000 {
                    let gap = self.policy.private_gap;
                    last.retain(|_, t| now.duration_since(*t) < gap);
                }
                let at = last
                    .get(&chat)
                    .map_or(now, |t| (*t + self.policy.private_gap).max(now));
                last.insert(chat, at);
                at
            };
            tokio::time::sleep_until(wait).await;
        }
        self.global_slot().await;
    }

    /// Wait for the next slot of the overall limit and take it.
    async fn global_slot(&self) {
        if self.policy.per_second > 0.0 {
            let period = Duration::from_secs_f64(1.0 / self.policy.per_second);
            let at = {
                let mut next = lock(&self.next_slot);
                let at = (*next).max(Instant::now());
                *next = at + period;
                at
            };
            tokio::time::sleep_until(at).await;
        }
    }
}

/// Buttons of a reply as Telegram's inline keyboard.
pub(crate) fn keyboard(reply: &Reply) -> Option<InlineKeyboardMarkup> {
    (!reply.buttons.is_empty()).then(|| {
        InlineKeyboardMarkup::new(reply.buttons.iter().map(|row| {
            row.iter()
                .map(|b| match &b.copy {
                    Some(text) => InlineKeyboardButton::copy_text_button(
                        b.label.clone(),
                        CopyTextButton { text: text.clone() },
                    ),
                    None => InlineKeyboardButton::callback(b.label.clone(), b.data.clone()),
                })
                .collect::<Vec<_>>()
        }))
    })
}

/// Which failures are worth another attempt.
pub(crate) fn classify(err: &RequestError) -> Retry {
    match err {
        RequestError::RetryAfter(s) => Retry::After(s.duration().max(Duration::from_millis(100))),
        // The network, a timeout, or a proxy's error page instead of the Bot API's JSON.
        RequestError::Network(_) | RequestError::Io(_) | RequestError::InvalidJson { .. } => {
            Retry::Backoff
        }
        RequestError::Api(ApiError::Unknown(s)) => {
            // The Bot API's own 4xx descriptions start with their status; 5xx ones
            // ("Internal Server Error", "Bad Gateway", …) do not.
            let permanent = [
                "Bad Request",
                "Forbidden",
                "Unauthorized",
                "Not Found",
                "Conflict",
            ];
            if permanent.iter().any(|p| s.starts_with(p)) {
                Retry::Never
            } else {
                Retry::Backoff
            }
        }
        RequestError::Api(_) | RequestError::MigrateToChatId(_) => Retry::Never,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use teloxide::types::Seconds;

    #[test]
    fn flood_limits_and_server_errors_are_retried_the_rest_is_not() {
        assert_eq!(
            classify(&RequestError::RetryAfter(Seconds::from_seconds(2))),
            Retry::After(Duration::from_secs(2))
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::Unknown(
                "Internal Server Error".into()
            ))),
            Retry::Backoff
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::Unknown(
                "Bad Request: can't parse entities".into()
            ))),
            Retry::Never
        );
        assert_eq!(
            classify(&RequestError::Api(ApiError::BotBlocked)),
            Retry::Never
        );
        let not_json = serde_json::from_str::<serde_json::Value>("<html>").unwrap_err();
        assert_eq!(
            classify(&RequestError::InvalidJson {
                source: Arc::new(not_json),
                raw: "<html>".into()
            }),
            Retry::Backoff
        );
    }
}
