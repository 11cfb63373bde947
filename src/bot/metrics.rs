//! What the bot counts for the operator's monitoring, in Prometheus' text format (served on
//! `METRICS_LISTEN` as `/metrics`, beside `/healthz`; see `telegram::monitor`).
//!
//! Counters move where things happen (an answer, a reply given up, an update received); the
//! outbox, the index generation and the uptime are read from their sources at each scrape,
//! so they can never drift from what `/stats` says.

use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::Mutex;
use std::time::{Duration, Instant};

type Labels = Vec<(&'static str, String)>;

pub struct Metrics {
    registry: Registry,
    answered: Family<Labels, Counter>,
    latency: Histogram,
    replies_failed: Counter,
    updates: Family<Labels, Counter>,
    outbox: Family<Labels, Gauge>,
    reindex_runs: Counter,
    reindex_failures: Counter,
    generation: Family<Labels, Gauge>,
    uptime: Gauge<f64, std::sync::atomic::AtomicU64>,
    webhook_refused: Family<Labels, Counter>,
    started: Instant,
    /// When the last update arrived, and when the listener last reported a failure.
    contact: Mutex<Contact>,
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Contact {
    pub last_update: Option<Instant>,
    pub last_failure: Option<Instant>,
    /// The update listener has ended (the dispatcher returned): no update is handled any more.
    pub ended: bool,
}

/// The outbox as a scrape sees it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct OutboxNow {
    pub pending: u64,
    pub sent: u64,
    pub failed: u64,
    pub blocked: u64,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("kuayue");
        let answered = Family::<Labels, Counter>::default();
        registry.register(
            "questions_answered",
            "Questions answered, by confidence level (confident, hedged, not_found)",
            answered.clone(),
        );
        // From 1 ms to about 16 s: a local answer is milliseconds, a reply held up by
        // Telegram's flood limits seconds.
        let latency = Histogram::new(exponential_buckets(0.001, 2.0, 15));
        registry.register(
            "reply_latency_seconds",
            "Time from an update's arrival to Telegram accepting the first reply to it",
            latency.clone(),
        );
        let replies_failed = Counter::default();
        registry.register(
            "replies_failed",
            "Replies given up or refused by Telegram",
            replies_failed.clone(),
        );
        let updates = Family::<Labels, Counter>::default();
        registry.register(
            "updates_received",
            "Updates received from Telegram, by kind",
            updates.clone(),
        );
        let outbox = Family::<Labels, Gauge>::default();
        registry.register(
            "outbox_notices",
            "New-issue notices by state (pending, sent, failed, blocked)",
            outbox.clone(),
        );
        let reindex_runs = Counter::default();
        registry.register(
            "reindex_runs",
            "Index rebuilds started",
            reindex_runs.clone(),
        );
        let reindex_failures = Counter::default();
        registry.register(
            "reindex_failures",
            "Index rebuilds that failed (the previous index kept serving)",
            reindex_failures.clone(),
        );
        let generation = Family::<Labels, Gauge>::default();
        registry.register(
            "index_generation_info",
            "The index generation serving (value 1)",
            generation.clone(),
        );
        let uptime = Gauge::<f64, std::sync::atomic::AtomicU64>::default();
        registry.register(
            "process_uptime_seconds",
            "Seconds since the bot started",
            uptime.clone(),
        );
        let webhook_refused = Family::<Labels, Counter>::default();
        registry.register(
            "webhook_refused",
            "Webhook requests refused, by reason (unauthorised: 401, malformed: 400)",
            webhook_refused.clone(),
        );
        Metrics {
            registry,
            webhook_refused,
            answered,
            latency,
            replies_failed,
            updates,
            outbox,
            reindex_runs,
            reindex_failures,
            generation,
            uptime,
            started: Instant::now(),
            contact: Mutex::default(),
        }
    }

    pub(crate) fn answered(&self, level: crate::search::Level) {
        let level = crate::store::level_code(level).to_string();
        self.answered.get_or_create(&vec![("level", level)]).inc();
    }

    pub(crate) fn reply_latency(&self, took: Duration) {
        self.latency.observe(took.as_secs_f64());
    }

    pub(crate) fn reply_failed(&self) {
        self.replies_failed.inc();
    }

    /// An update of `kind` (message, callback_query, inline_query, …) arrived.
    pub(crate) fn update(&self, kind: &'static str) {
        self.updates
            .get_or_create(&vec![("kind", kind.to_string())])
            .inc();
        self.contact_mut().last_update = Some(Instant::now());
    }

    /// The update listener reported a failure (getUpdates failed, the webhook server died).
    pub(crate) fn listener_failed(&self) {
        self.contact_mut().last_failure = Some(Instant::now());
    }

    /// A webhook request refused: `unauthorised` (401) or `malformed` (400).
    pub(crate) fn webhook_refused(&self, reason: &'static str) {
        self.webhook_refused
            .get_or_create(&vec![("reason", reason.to_string())])
            .inc();
    }

    /// Webhook requests refused so far for `reason`.
    pub(crate) fn webhook_refused_count(&self, reason: &'static str) -> u64 {
        self.webhook_refused
            .get_or_create(&vec![("reason", reason.to_string())])
            .get()
    }

    /// The dispatcher returned: its listener will deliver nothing more.
    pub(crate) fn listener_ended(&self) {
        self.contact_mut().ended = true;
    }

    pub(crate) fn reindex(&self, ok: bool) {
        self.reindex_runs.inc();
        if !ok {
            self.reindex_failures.inc();
        }
    }

    pub(crate) fn contact(&self) -> Contact {
        *self.contact_mut()
    }

    pub(crate) fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    fn contact_mut(&self) -> std::sync::MutexGuard<'_, Contact> {
        self.contact.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The text exposition, with the gauges read now.
    pub(crate) fn render(&self, outbox: Option<OutboxNow>, generation: Option<&str>) -> String {
        if let Some(o) = outbox {
            for (state, n) in [
                ("pending", o.pending),
                ("sent", o.sent),
                ("failed", o.failed),
                ("blocked", o.blocked),
            ] {
                self.outbox
                    .get_or_create(&vec![("state", state.to_string())])
                    .set(n as i64);
            }
        }
        self.generation.clear();
        if let Some(g) = generation {
            self.generation
                .get_or_create(&vec![("generation", g.to_string())])
                .set(1);
        }
        self.uptime.set(self.started.elapsed().as_secs_f64());
        let mut text = String::new();
        if let Err(e) = encode(&mut text, &self.registry) {
            tracing::error!("encoding metrics failed: {e}");
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_gauges_show_in_the_exposition() {
        let m = Metrics::new();
        m.answered(crate::search::Level::Confident);
        m.answered(crate::search::Level::Confident);
        m.answered(crate::search::Level::NotFound);
        m.update("message");
        m.reply_latency(Duration::from_millis(3));
        m.reindex(false);
        let text = m.render(
            Some(OutboxNow {
                pending: 4,
                ..Default::default()
            }),
            Some("gen-7"),
        );
        for line in [
            "kuayue_questions_answered_total{level=\"confident\"} 2",
            "kuayue_questions_answered_total{level=\"not_found\"} 1",
            "kuayue_updates_received_total{kind=\"message\"} 1",
            "kuayue_reply_latency_seconds_count 1",
            "kuayue_reindex_runs_total 1",
            "kuayue_reindex_failures_total 1",
            "kuayue_outbox_notices{state=\"pending\"} 4",
            "kuayue_index_generation_info{generation=\"gen-7\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        assert!(text.ends_with("# EOF\n"), "{text}");
    }
}
