//! The JSON the dashboard page reads besides its WebSocket: `GET /api/strategies`,
//! `/api/positions`, `/api/orders`, `/api/fills`, `/api/decisions` and `/api/candles`.
//!
//! Orders, fills, positions and decisions come from the book of record (its tables, at most
//! one journal batch behind the host), newest first, a page at a time: `?limit=` (default 100,
//! at most 1,000), `?offset=`, `?strategy=`, `?since=` (UTC ms). The answer is `{"items",
//! "offset", "limit", "next_offset"}`; `next_offset` is `null` on the last page. Strategies
//! come from the running fleet, candles from the dashboard's recent candles.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use trading::ledger::{export_tables, ExportFilter, ExportFormat, ExportKind, Page};
use trading::market::{Symbol, Timeframe};
use trading::orders::StrategyId;

use crate::api::ApiState;

const DEFAULT_LIMIT: u64 = 100;
const MAX_LIMIT: u64 = 1_000;

pub fn routes() -> Router<ApiState> {
    Router::new()
        .route("/api/strategies", get(strategies))
        .route("/api/orders", get(|s, q| book_rows(s, q, ExportKind::Orders)))
        .route("/api/fills", get(|s, q| book_rows(s, q, ExportKind::Fills)))
        .route("/api/positions", get(|s, q| book_rows(s, q, ExportKind::Positions)))
        .route("/api/decisions", get(|s, q| book_rows(s, q, ExportKind::Decisions)))
        .route("/api/candles", get(candles))
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    limit: Option<u64>,
    offset: Option<u64>,
    strategy: Option<String>,
    since: Option<i64>,
}

async fn book_rows(State(state): State<ApiState>, Query(query): Query<PageQuery>, kind: ExportKind) -> Response {
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return (
            StatusCode::BAD_REQUEST,
            format!("limit = {limit}: expected 1 to {MAX_LIMIT}"),
        )
            .into_response();
    }
    let offset = query.offset.unwrap_or(0);
    let filter = ExportFilter {
        since_ms: query.since,
        strategy: query.strategy.as_deref().map(StrategyId::new),
        // One row more than asked says whether another page follows.
        page: Page {
            newest_first: true,
            offset,
            limit: Some(limit + 1),
        },
    };
    let db = state.book.clone();
    let read = tokio::task::spawn_blocking(move || {
        let mut lines = Vec::new();
        export_tables(&db, kind, ExportFormat::Jsonl, &filter, &mut lines).map(|_| lines)
    })
    .await;
    let lines = match read {
        Ok(Ok(lines)) => lines,
        Ok(Err(error)) => {
            tracing::warn!(%error, "a dashboard read of the book of record failed");
            return (StatusCode::SERVICE_UNAVAILABLE, error.to_string()).into_response();
        }
        Err(error) => return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response(),
    };
    let rows: Vec<&[u8]> = lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()).collect();
    let more = u64::try_from(rows.len()).unwrap_or(u64::MAX) > limit;
    let shown = rows.iter().take(usize::try_from(limit).unwrap_or(usize::MAX));
    // The rows are JSON already: joined, not parsed and written again.
    let mut body = b"{\"items\":[".to_vec();
    for (i, row) in shown.enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(row);
    }
    let next_offset = more.then(|| offset + limit);
    body.extend_from_slice(
        format!(
            "],\"offset\":{offset},\"limit\":{limit},\"next_offset\":{}}}",
            json!(next_offset)
        )
        .as_bytes(),
    );
    ([(header::CONTENT_TYPE, "application/json")], Body::from(body)).into_response()
}

/// The strategies' rows as the page's table shows them (the `strategies` message's data).
async fn strategies(State(state): State<ApiState>) -> Response {
    Json(state.dashboard.strategy_rows()).into_response()
}

#[derive(Debug, Deserialize)]
pub struct CandlesQuery {
    symbol: String,
    timeframe: Option<String>,
}

/// The recent candles of a symbol (of every timeframe the host has, or of `timeframe`).
async fn candles(State(state): State<ApiState>, Query(query): Query<CandlesQuery>) -> Response {
    let symbol = match Symbol::new(&query.symbol) {
        Ok(symbol) => symbol,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("symbol: {:?} is not a symbol ({e}); expected BASE/QUOTE", query.symbol),
            )
                .into_response()
        }
    };
    let timeframe = match query.timeframe.as_deref().map(Timeframe::parse) {
        None => None,
        Some(Ok(timeframe)) => Some(timeframe),
        Some(Err(e)) => return (StatusCode::BAD_REQUEST, format!("timeframe: {e}")).into_response(),
    };
    let series: Vec<Value> = state.dashboard.candles(&symbol, timeframe);
    Json(json!({"items": series})).into_response()
}
