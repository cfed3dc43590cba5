//! REST: `GET /api/v3/exchangeInfo`, `GET /api/v3/depth`, `GET /api/v3/time`, in Binance's
//! formats; refusals as Binance's `{"code","msg"}` with status 400.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde_json::Value;

use crate::exchange::Shared;
use crate::wire;

/// Levels a side `depth` returns without `limit`, and the most it returns.
const DEPTH_DEFAULT_LIMIT: usize = 100;
const DEPTH_MAX_LIMIT: usize = 5_000;

type Answer = (StatusCode, Json<Value>);

fn refuse(code: i64, msg: &str) -> Answer {
    (StatusCode::BAD_REQUEST, Json(wire::error(code, msg)))
}

pub(crate) async fn time(State(shared): State<Arc<Shared>>) -> Answer {
    let now = shared.lock().now_ms;
    (StatusCode::OK, Json(serde_json::json!({ "serverTime": now })))
}

pub(crate) async fn exchange_info(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let ex = shared.lock();
    match q.get("symbol") {
        Some(symbol) => match ex.markets.get(symbol) {
            Some(m) => (
                StatusCode::OK,
                Json(wire::exchange_info(ex.now_ms, std::iter::once(&m.spec))),
            ),
            None => refuse(-1121, "Invalid symbol."),
        },
        None => (
            StatusCode::OK,
            Json(wire::exchange_info(ex.now_ms, ex.markets.values().map(|m| &m.spec))),
        ),
    }
}

pub(crate) async fn depth(State(shared): State<Arc<Shared>>, Query(q): Query<HashMap<String, String>>) -> Answer {
    let Some(symbol) = q.get("symbol") else {
        return refuse(
            -1102,
            "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.",
        );
    };
    let limit = match q.get("limit").map(|l| l.parse::<usize>()) {
        None => DEPTH_DEFAULT_LIMIT,
        Some(Ok(n)) if (1..=DEPTH_MAX_LIMIT).contains(&n) => n,
        Some(_) => {
            return refuse(
                -1100,
                "Illegal characters found in parameter 'limit'; legal range is '1..5000'.",
            )
        }
    };
    let ex = shared.lock();
    let Some(market) = ex.markets.get(symbol) else {
        return refuse(-1121, "Invalid symbol.");
    };
    let (last_update_id, bids, asks) = market.snapshot(limit);
    (
        StatusCode::OK,
        Json(wire::depth_snapshot(&market.spec, last_update_id, &bids, &asks)),
    )
}
