//! The operator's window on a running bot, on `METRICS_LISTEN`: `/healthz` for a liveness
//! probe (Docker's HEALTHCHECK, a load balancer, systemd's watchdog scripts) and `/metrics` for
//! Prometheus.
//!
//! Healthy means: the index serves at least one issue, the database answers, and the update
//! listener has not failed since the last update arrived (within [`FAILURE_COUNTS_FOR`]). An
//! idle bot is healthy: a quiet chat is not an outage, and long polling returns nothing when
//! nobody writes, so silence alone cannot be told from trouble.

use super::App;
use crate::bot::metrics::OutboxNow;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use teloxide::stop::StopFlag;

/// A listener failure makes the bot unhealthy for this long unless an update arrives after
/// it (teloxide retries getUpdates with a backoff; several polls fit in this window).
const FAILURE_COUNTS_FOR: Duration = Duration::from_secs(60);

/// Bind `addr` and serve until `stop` fires.
pub(super) async fn serve(addr: SocketAddr, app: Arc<App>, stop: StopFlag) -> anyhow::Result<()> {
    let socket = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| anyhow::anyhow!("无法在 METRICS_LISTEN={addr} 上监听：{e}"))?;
    let router = axum::Router::new()
        .route("/healthz", axum::routing::get(healthz))
        .route("/metrics", axum::routing::get(metrics))
        .with_state(app);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(socket, router)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::error!("metrics server failed: {e}");
        }
    });
    tracing::info!(%addr, "serving /healthz and /metrics");
    Ok(())
}

async fn healthz(State(app): State<Arc<App>>) -> Response {
    let app2 = app.clone();
    // The database check is a query: off the async threads.
    let report = tokio::task::spawn_blocking(move || health(&app2)).await;
    let (healthy, body) = match report {
        Ok(r) => r,
        Err(e) => (
            false,
            json!({"status": "unhealthy", "reasons": [format!("health check panicked: {e}")]}),
        ),
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(body)).into_response()
}

/// Whether the bot is healthy, and the JSON that says why.
fn health(app: &App) -> (bool, serde_json::Value) {
    let mut reasons = Vec::new();
    let library = app.core.library();
    let corpus = library.corpus();
    let passages: usize = corpus.issues.iter().map(|i| i.passages.len()).sum();
    if corpus.issues.is_empty() {
        reasons.push("index: no issue is served".to_string());
    }
    let database = match app.core.store().outbox_counts() {
        Ok(_) => "ok".to_string(),
        Err(e) => {
            reasons.push(format!("database: {e}"));
            "error".to_string()
        }
    };
    let metrics = app.core.metrics();
    let contact = metrics.contact();
    let ago = |t: Option<std::time::Instant>| t.map(|t| t.elapsed().as_secs());
    if contact.ended {
        reasons.push("telegram: the update listener has stopped; restart the bot".to_string());
    }
    if let Some(failed) = contact.last_failure {
        let since_failure = failed.elapsed();
        let updated_after = contact.last_update.is_some_and(|u| u > failed);
        if since_failure < FAILURE_COUNTS_FOR && !updated_after {
            reasons.push(format!(
                "telegram: the update listener failed {} s ago and no update arrived since",
                since_failure.as_secs()
            ));
        }
    }
    let healthy = reasons.is_empty();
    let body = json!({
        "status": if healthy { "ok" } else { "unhealthy" },
        "reasons": reasons,
        "mode": app.mode,
        "index": {
            "generation": library.generation(),
            "issues": corpus.issues.len(),
            "passages": passages,
        },
        "database": database,
        "last_update_seconds_ago": ago(contact.last_update),
        "last_listener_failure_seconds_ago": ago(contact.last_failure),
        "replies_pending": app.courier.pending(),
        "uptime_seconds": metrics.uptime().as_secs(),
    });
    (healthy, body)
}

async fn metrics(State(app): State<Arc<App>>) -> Response {
    let app2 = app.clone();
    let text = tokio::task::spawn_blocking(move || {
        let outbox = match app2.core.store().outbox_counts() {
            Ok(c) => Some(OutboxNow {
                pending: c.pending,
                sent: c.sent,
                failed: c.failed,
                blocked: c.dropped,
            }),
            Err(e) => {
                tracing::warn!("metrics: reading the outbox failed: {e}");
                None
            }
        };
        let generation = app2.core.library().generation();
        app2.core.metrics().render(outbox, generation.as_deref())
    })
    .await
    .unwrap_or_default();
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
