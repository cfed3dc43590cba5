//! REST: `GET /api/v3/exchangeInfo`, `GET /api/v3/depth`, `GET /api/v3/time`, and the signed
//! queries `GET /api/v3/order`, `/api/v3/openOrders`, `/api/v3/myTrades` (HMAC or Ed25519 over
//! the percent-encoded query string, key in `X-MBX-APIKEY`), in Binance's formats; refusals as
//! Binance's `{"code","msg"}` with its status.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::auth;
use crate::exchange::{Exchange, Shared};
use crate::orders::{OrderRef, Refusal, TradesFilter};
use crate::wire;

/// Levels a side `depth` returns without `limit`, and the most it returns.
const DEPTH_DEFAULT_LIMIT: usize = 100;
const DEPTH_MAX_LIMIT: usize = 5_000;

type Answer = (StatusCode, Json<Value>);

fn refuse(code: i64, msg: &str) -> Answer {
    (StatusCode::BAD_REQUEST, Json(wire::error(code, msg)))
}

pub(crate) async fn time(State(shared): State<Arc<Shared>>) -> Answer {
    let now = shared.lock().clock_ms();
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
                Json(wire::exchange_info(ex.clock_ms(), std::iter::once(&m.spec))),
            ),
            None => refuse(-1121, "Invalid symbol."),
        },
        None => (
            StatusCode::OK,
            Json(wire::exchange_info(ex.clock_ms(), ex.markets.values().map(|m| &m.spec))),
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

/// A signed REST request's params, after its key, signature and timestamp checked out: the
/// query string exactly as sent up to `&signature=`, signed (rest-api.md, percent-encoded
/// since 2026-01-15).
fn signed_params(ex: &Exchange, headers: &HeaderMap, raw: Option<&str>) -> Result<Vec<(String, String)>, Refusal> {
    let raw = raw.unwrap_or_default();
    let api_key = headers
        .get("X-MBX-APIKEY")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Refusal::new(401, -2014, "API-key format invalid."))?;
    let key = auth::find_key(&ex.config.api_keys, api_key)?;
    let (payload, signature) = match raw.rsplit_once("&signature=") {
        Some((payload, signature)) => (payload, signature),
        None => match raw.strip_prefix("signature=") {
            Some(signature) => ("", signature),
            None => {
                return Err(Refusal::new(
                    400,
                    -1102,
                    "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.",
                ))
            }
        },
    };
    let signature = percent_decode_str(signature).decode_utf8_lossy();
    if !key.verifies(payload, &signature) {
        return Err(auth::bad_signature());
    }
    let params: Vec<(String, String)> = payload
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode_str(k).decode_utf8_lossy().into_owned(),
                percent_decode_str(v).decode_utf8_lossy().into_owned(),
            )
        })
        .collect();
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    auth::check_timestamp(get("timestamp"), get("recvWindow"), ex.clock_ms())?;
    Ok(params)
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

fn required<'a>(params: &'a [(String, String)], name: &str) -> Result<&'a str, Refusal> {
    param(params, name).filter(|v| !v.is_empty()).ok_or_else(|| {
        Refusal::new(
            400,
            -1102,
            format!("Mandatory parameter '{name}' was not sent, was empty/null, or malformed."),
        )
    })
}

fn number<T: std::str::FromStr>(params: &[(String, String)], name: &str) -> Result<Option<T>, Refusal> {
    match param(params, name) {
        None => Ok(None),
        Some(text) => text
            .parse()
            .map(Some)
            .map_err(|_| Refusal::new(400, -1100, format!("Illegal characters found in parameter '{name}'."))),
    }
}

type SignedAnswer = (StatusCode, HeaderMap, Json<Value>);

/// Runs a signed GET: weight counted, the signature checked, the answer with
/// `X-MBX-USED-WEIGHT-1M`.
fn signed_get(
    shared: &Shared,
    headers: &HeaderMap,
    raw: Option<&str>,
    weight: u64,
    call: impl FnOnce(&mut Exchange, &[(String, String)]) -> Result<Value, Refusal>,
) -> SignedAnswer {
    let mut ex = shared.lock();
    ex.signed_rest += 1;
    let outcome = ex
        .spend_rest_weight(weight)
        .and_then(|()| signed_params(&ex, headers, raw))
        .and_then(|params| call(&mut ex, &params));
    let mut out = HeaderMap::new();
    if let Ok(used) = ex.used_weight().to_string().parse() {
        out.insert("X-MBX-USED-WEIGHT-1M", used);
    }
    match outcome {
        Ok(body) => (StatusCode::OK, out, Json(body)),
        Err(refusal) => (
            StatusCode::from_u16(refusal.status).unwrap_or(StatusCode::BAD_REQUEST),
            out,
            Json(refusal.body()),
        ),
    }
}

/// `GET /api/v3/order` (signed).
pub(crate) async fn order(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> SignedAnswer {
    signed_get(&shared, &headers, raw.as_deref(), 4, |ex, params| {
        let target = OrderRef {
            symbol: required(params, "symbol")?.to_owned(),
            order_id: number(params, "orderId")?,
            client_id: param(params, "origClientOrderId").map(str::to_owned),
        };
        if target.order_id.is_none() && target.client_id.is_none() {
            return Err(Refusal::new(
                400,
                -1102,
                "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!",
            ));
        }
        ex.order_status(&target)
    })
}

/// `GET /api/v3/account` (signed).
pub(crate) async fn account(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> SignedAnswer {
    signed_get(&shared, &headers, raw.as_deref(), 20, |ex, params| {
        ex.account_status(param(params, "omitZeroBalances"))
    })
}

/// `GET /api/v3/openOrders` (signed).
pub(crate) async fn open_orders(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> SignedAnswer {
    signed_get(&shared, &headers, raw.as_deref(), 6, |ex, params| {
        ex.open_orders(param(params, "symbol"))
    })
}

/// `GET /api/v3/myTrades` (signed).
pub(crate) async fn my_trades(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> SignedAnswer {
    signed_get(&shared, &headers, raw.as_deref(), 20, |ex, params| {
        let filter = TradesFilter {
            order_id: number(params, "orderId")?,
            start_ms: number(params, "startTime")?,
            from_id: number(params, "fromId")?,
            limit: number::<usize>(params, "limit")?.unwrap_or(500).min(1_000),
        };
        ex.my_trades(required(params, "symbol")?, &filter)
    })
}
