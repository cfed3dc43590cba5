//! The operator's HTTP surface: `GET /metrics` (Prometheus text), `GET /health` (liveness),
//! `GET /ready` (readiness: [`Readiness`]), `GET /status` (JSON: strategies, brokers, feed, books),
//! `GET /events` (the event stream as JSON lines: [`events`]), `POST /control/...` (the
//! operator's actions, behind a token: [`control`]), and the live dashboard: `GET /`, `GET /ws`
//! and `GET /api/...` ([`dashboard`]).
//!
//! Only this module serves HTTP and knows the JSON shapes of `/status` and the events (the
//! webhooks' `json` bodies embed its event lines). [`router`] builds the routes
//! over shared state, so tests can call it without a socket; [`serve`] binds a listener and
//! shuts down gracefully.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;

use crate::events::EventBus;
use crate::metrics::{Metrics, MetricsFollower};
use crate::runtime::{lock_desk, SharedDesk};
use crate::session::StatusBoard;

pub mod control;
pub mod dashboard;
mod event_log;
pub mod events;
mod ready;
pub use event_log::{EventLog, EventLogError};
pub use ready::{Condition, Pending, Readiness};

/// What the handlers read. Cheap to clone.
#[derive(Clone)]
pub struct ApiState {
    pub metrics: Arc<Metrics>,
    pub board: Arc<Mutex<StatusBoard>>,
    pub desk: SharedDesk,
    /// The session's event stream, which `/events` clients subscribe to.
    pub events: EventBus,
    /// Caught up with before each scrape, so `/metrics` includes every event published before.
    pub metrics_follower: Arc<MetricsFollower>,
    /// The dashboard's hub, which `/ws` clients connect to.
    pub dashboard: Arc<dashboard::Hub>,
    /// The book of record the `/api/...` reads page through.
    pub book: std::path::PathBuf,
    /// Operators' stops and starts of strategies.
    pub strategies: crate::fleet::StrategyControl,
    /// The control API's token; `None`: control is off.
    pub control: Option<Arc<control::ControlToken>>,
    pub started: Instant,
    pub readiness: Readiness,
}

pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .route("/health", get(health))
        .route("/ready", get(ready::ready))
        .route("/status", get(status))
        .route("/events", get(events::events))
        .route("/control/halt", post(control::halt))
        .route("/control/reduce", post(control::reduce))
        .route("/control/resume", post(control::resume))
        .route("/control/strategies/{name}/cancel-orders", post(control::cancel_orders))
        .route("/control/strategies/{name}/halt", post(control::halt_strategy))
        .route("/control/strategies/{name}/reduce", post(control::reduce_strategy))
        .route("/control/strategies/{name}/resume", post(control::resume_strategy))
        .route("/control/strategies/{name}/stop", post(control::stop_strategy))
        .route("/control/strategies/{name}/start", post(control::start_strategy))
        .merge(dashboard::routes())
        .with_state(state)
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: ApiState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

async fn metrics(State(state): State<ApiState>) -> impl IntoResponse {
    let follower = state.metrics_follower.clone();
    // A bounded wait on a thread of the blocking pool, not on the server's.
    if let Err(error) = tokio::task::spawn_blocking(move || follower.catch_up()).await {
        tracing::warn!(%error, "metrics did not catch up with the event stream");
    }
    state.metrics.observe_risk(&lock_desk(&state.desk));
    state.metrics.observe_events(&state.events);
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.encode(),
    )
}

async fn health(State(state): State<ApiState>) -> impl IntoResponse {
    Json(serde_json::json!({ "status": "ok", "uptime_seconds": state.started.elapsed().as_secs() }))
}

#[derive(Serialize)]
struct StatusResponse {
    version: &'static str,
    uptime_seconds: u64,
    #[serde(flatten)]
    board: StatusBoard,
    books: serde_json::Value,
    /// The loss limits' state of every strategy and venue account they follow.
    risk: serde_json::Value,
}

async fn status(State(state): State<ApiState>) -> impl IntoResponse {
    let board = state.board.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (books, risk) = {
        let desk = lock_desk(&state.desk);
        (books_json(&desk), risk_json(&desk))
    };
    Json(StatusResponse {
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: state.started.elapsed().as_secs(),
        board,
        books,
        risk,
    })
}

/// Binds `addr`; a clear error names the address when it is taken.
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
}

/// Each scope's loss limit state as JSON: the state, the breach with its numbers, and the
/// anchors it is measured from. Decimals are strings.
fn risk_json(desk: &trading::desk::Desk) -> serde_json::Value {
    let scopes: Vec<serde_json::Value> = desk
        .risk_states()
        .map(|(scope, guard)| {
            serde_json::json!({
                "scope": scope.kind().as_str(),
                "name": scope.name(),
                "state": guard.state().as_str(),
                "breach": guard.breach.map(|b| serde_json::json!({
                    "limit_kind": b.kind.code(),
                    "loss": b.loss.to_string(),
                    "limit": b.limit.to_string(),
                    "since_ms": b.since_ms,
                })),
                "day_open_equity": guard.day_open_equity.to_string(),
                "peak_equity": guard.peak_equity.to_string(),
            })
        })
        .collect();
    let changes: Vec<serde_json::Value> = desk
        .risk_state_changes()
        .map(|(scope, state, count)| serde_json::json!({"scope": scope.as_str(), "state": state.as_str(), "count": count}))
        .collect();
    serde_json::json!({ "trading_state": desk.trading_state().as_str(), "scopes": scopes, "state_changes": changes })
}

/// The books as JSON. Decimals are strings, so nothing is rounded on the way out.
fn books_json(desk: &trading::desk::Desk) -> serde_json::Value {
    let books: Vec<serde_json::Value> = desk
        .strategies()
        .filter_map(|id| desk.book(id))
        .map(|b| {
            let positions: Vec<serde_json::Value> = b
                .positions
                .iter()
                .map(|p| {
                    serde_json::json!({
                        "symbol": p.symbol.as_str(),
                        "qty": p.qty.to_string(),
                        "avg_price": p.avg_price.to_string(),
                        "mark": p.mark.map(|m| m.to_string()),
                        "unrealized_pnl": p.unrealized_pnl.to_string(),
                        "realized_pnl": p.realized_pnl.to_string(),
                        "fees": p.fees.to_string(),
                    })
                })
                .collect();
            let counts = desk.counts(&b.strategy);
            serde_json::json!({
                "strategy": b.strategy.as_str(),
                "initial_cash": b.initial_cash.to_string(),
                "cash": b.cash.to_string(),
                "equity": b.equity.to_string(),
                "realized_pnl": b.realized_pnl.to_string(),
                "unrealized_pnl": b.unrealized_pnl.to_string(),
                "fees": b.fees.to_string(),
                "positions": positions,
                "open_orders": desk.open_orders(&b.strategy).count(),
                "trading_state": desk.trading_state_of(&b.strategy).as_str(),
                "orders_placed": counts.placed,
                "fills": counts.fills,
            })
        })
        .collect();
    serde_json::Value::Array(books)
}
