//! REST: `/0/public/{Time, AssetPairs, OHLC, Depth}` and the signed `/0/private/*` endpoints.
//!
//! Private calls take a form body (`nonce=…&…`) with `API-Key` and `API-Sign`; key, signature
//! and nonce are checked before anything else, every call spends its nonce. Answers are
//! Kraken's envelope, `{"error":[],"result":…}` or `{"error":["EAPI:Invalid key"]}`, always
//! HTTP 200 as Kraken does. Numbers are strings here, as in Kraken's REST API.
//!
//! `AddOrder` takes `ordertype` limit, market, stop-loss (`price` is the trigger price) and
//! stop-loss-limit (`price` the trigger, `price2` the limit), `trigger=last` only; order
//! queries describe a stop by its trigger (`descr.price`, `stopprice`) and its limit
//! (`descr.price2`).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};

use crate::config::PairSpec;
use crate::error::Reject;
use crate::exchange::{Exchange, Shared};
use crate::market::Side;
use crate::matching::{asset_decimals, NewOrder};
use crate::num::{fixed, parse_decimal};
use crate::orders::{Order, OrderStatus, OrderType, TimeInForce};
use crate::triggers::TriggerStatus;

fn ok(result: Value) -> Response {
    Json(json!({"error": [], "result": result})).into_response()
}

fn fail(code: &str) -> Response {
    Json(json!({"error": [code]})).into_response()
}

/// Kraken's REST name for an asset (`XXBT`, `ZUSD`, …).
pub(crate) fn rest_asset(asset: &str) -> String {
    match asset {
        "BTC" => "XXBT".into(),
        "ETH" => "XETH".into(),
        "USD" | "EUR" | "GBP" | "CAD" | "JPY" => format!("Z{asset}"),
        other => other.into(),
    }
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space).
pub(crate) fn parse_form(body: &str) -> BTreeMap<String, String> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 1..=i + 2])
                        .ok()
                        .and_then(|h| u8::from_str_radix(h, 16).ok());
                    match hex {
                        Some(b) => {
                            out.push(b);
                            i += 2;
                        }
                        None => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    body.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(kv), String::new()),
        })
        .collect()
}

fn find_pair<'a>(ex: &'a Exchange, name: &str) -> Option<&'a PairSpec> {
    ex.markets.values().map(|m| &m.spec).find(|p| {
        [&p.symbol, &p.rest_name, &p.altname, &p.rest_wsname]
            .iter()
            .any(|n| n.as_str() == name)
    })
}

/// `GET /0/public/Time`.
pub(crate) async fn time(State(shared): State<Arc<Shared>>) -> Response {
    let secs = shared.lock().clock.now_ms().div_euclid(1000);
    ok(json!({"unixtime": secs, "rfc1123": crate::clock::rfc1123(secs)}))
}

/// `GET /0/public/AssetPairs[?pair=…]`.
pub(crate) async fn asset_pairs(
    State(shared): State<Arc<Shared>>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let ex = shared.lock();
    let wanted: Option<Vec<String>> = q.get("pair").map(|p| p.split(',').map(str::to_string).collect());
    let mut out = Map::new();
    for m in ex.markets.values() {
        let p = &m.spec;
        if let Some(w) = &wanted {
            if !w.iter().any(|n| {
                [&p.symbol, &p.rest_name, &p.altname, &p.rest_wsname]
                    .iter()
                    .any(|x| x.as_str() == n)
            }) {
                continue;
            }
        }
        out.insert(
            p.rest_name.clone(),
            json!({
                "altname": p.altname,
                "wsname": p.rest_wsname,
                "aclass_base": "currency",
                "base": rest_asset(&p.base),
                "aclass_quote": "currency",
                "quote": rest_asset(&p.quote),
                "lot": "unit",
                "cost_decimals": p.cost_precision,
                "pair_decimals": p.price_precision,
                "lot_decimals": p.qty_precision,
                "lot_multiplier": 1,
                "leverage_buy": [],
                "leverage_sell": [],
                "fees": [[0, 0.26]],
                "fees_maker": [[0, 0.16]],
                "fee_volume_currency": "ZUSD",
                "margin_call": 80,
                "margin_stop": 40,
                "ordermin": p.qty_min.normalize().to_string(),
                "costmin": p.cost_min.normalize().to_string(),
                "tick_size": fixed(p.price_increment(), p.price_precision),
                "status": p.status,
            }),
        );
    }
    if wanted.is_some() && out.is_empty() {
        return fail("EQuery:Unknown asset pair");
    }
    ok(Value::Object(out))
}

/// `GET /0/public/OHLC?pair=…[&interval=1][&since=unix]`: `[time, open, high, low, close,
/// vwap, volume, count]` rows (the open candle last), and `last`, the start of the newest
/// closed candle, to pass as `since` next time.
pub(crate) async fn ohlc(State(shared): State<Arc<Shared>>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let ex = shared.lock();
    let Some(spec) = q.get("pair").and_then(|p| find_pair(&ex, p)).cloned() else {
        return fail(&Reject::UnknownPair.code());
    };
    let interval: u32 = match q.get("interval").map(|i| i.parse()) {
        None => 1,
        Some(Ok(i)) if crate::market::OHLC_INTERVALS.contains(&i) => i,
        Some(_) => return fail("EGeneral:Invalid arguments:interval"),
    };
    let since_ms = q.get("since").and_then(|s| s.parse::<i64>().ok()).map(|s| s * 1000);
    let (pp, qp) = (spec.price_precision, spec.qty_precision);
    let market = &ex.markets[&spec.symbol];
    let all: Vec<_> = market.candles(interval).collect();
    let start = all.len().saturating_sub(crate::market::OHLC_SNAPSHOT_LEN);
    let rows: Vec<Value> = all[start..]
        .iter()
        .filter(|c| since_ms.is_none_or(|s| c.interval_begin_ms > s))
        .map(|c| {
            json!([
                c.interval_begin_ms / 1000,
                fixed(c.open, pp),
                fixed(c.high, pp),
                fixed(c.low, pp),
                fixed(c.close, pp),
                fixed(c.vwap(), pp),
                fixed(c.volume, qp),
                c.trades
            ])
        })
        .collect();
    let width = i64::from(interval) * 60_000;
    let now = ex.clock.now_ms();
    let closed = all.iter().rev().find(|c| c.interval_begin_ms + width <= now);
    let last = closed.map_or(0, |c| c.interval_begin_ms / 1000);
    let mut result = Map::new();
    result.insert(spec.rest_name.clone(), Value::Array(rows));
    result.insert("last".into(), json!(last));
    ok(Value::Object(result))
}

/// `GET /0/public/Depth?pair=…[&count=100]`: `[price, qty, time]` levels, best first.
pub(crate) async fn depth(State(shared): State<Arc<Shared>>, Query(q): Query<BTreeMap<String, String>>) -> Response {
    let ex = shared.lock();
    let Some(spec) = q.get("pair").and_then(|p| find_pair(&ex, p)).cloned() else {
        return fail(&Reject::UnknownPair.code());
    };
    let count = match q.get("count").map(|c| c.parse::<usize>()) {
        None => 100,
        Some(Ok(c)) if (1..=500).contains(&c) => c,
        Some(_) => return fail("EGeneral:Invalid arguments:count"),
    };
    let now_s = ex.clock.now_ms() / 1000;
    let book = &ex.markets[&spec.symbol].book;
    let side = |s| -> Vec<Value> {
        book.top(s, count)
            .iter()
            .map(|l| {
                json!([
                    fixed(l.price, spec.price_precision),
                    fixed(l.qty, spec.qty_precision),
                    now_s
                ])
            })
            .collect()
    };
    let mut result = Map::new();
    let levels = json!({"asks": side(crate::book::BookSide::Ask), "bids": side(crate::book::BookSide::Bid)});
    result.insert(spec.rest_name.clone(), levels);
    ok(Value::Object(result))
}

/// `POST /0/private/{method}`.
pub(crate) async fn private(
    State(shared): State<Arc<Shared>>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    let form = parse_form(&body);
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let uri_path = format!("/0/private/{method}");
    let mut ex = shared.lock();
    let verified = ex.auth.verify(
        header("API-Key"),
        header("API-Sign"),
        &uri_path,
        &body,
        form.get("nonce").map(String::as_str),
    );
    if let Err(e) = verified {
        return fail(e.code());
    }
    match method.as_str() {
        "GetWebSocketsToken" => {
            if ex.faults.take_token_rejection() {
                return fail("EService:Unavailable");
            }
            let now = ex.clock.now_ms();
            let token = ex.auth.mint_token(now);
            ok(json!({"token": token, "expires": ex.auth.ttl_s()}))
        }
        "Balance" => {
            let balances: Map<String, Value> = ex
                .account
                .balances()
                .iter()
                .map(|(a, v)| (rest_asset(a), json!(fixed(*v, asset_decimals(a).max(v.scale())))))
                .collect();
            ok(Value::Object(balances))
        }
        "AddOrder" => add_order(&mut ex, &form),
        "CancelOrder" => {
            let Some(id) = form.get("txid").or_else(|| form.get("cl_ord_id")) else {
                return fail("EGeneral:Invalid arguments:txid");
            };
            let by_cl = !form.contains_key("txid");
            let r = if by_cl {
                ex.cancel_order(None, Some(id))
            } else {
                ex.cancel_order(Some(id), None)
            };
            let r = r.or_else(|e| if by_cl { Err(e) } else { ex.cancel_order(None, Some(id)) });
            match r {
                Ok(_) => ok(json!({"count": 1})),
                Err(e) => fail(&e.code()),
            }
        }
        "CancelAllOrdersAfter" => {
            let Some(timeout) = form
                .get("timeout")
                .and_then(|t| t.parse::<u64>().ok())
                .filter(|t| *t < 86_400)
            else {
                return fail("EGeneral:Invalid arguments:timeout");
            };
            let (now, trigger) = ex.cancel_all_after(timeout);
            let trigger = trigger.map_or("0".to_string(), crate::clock::rfc3339_ms);
            ok(json!({"currentTime": crate::clock::rfc3339_ms(now), "triggerTime": trigger}))
        }
        "CancelAll" => {
            let count = ex.cancel_all();
            ok(json!({"count": count}))
        }
        "OpenOrders" => {
            let cl = form.get("cl_ord_id");
            let open: Map<String, Value> = ex
                .account
                .open_orders()
                .iter()
                .filter(|o| cl.is_none() || o.cl_ord_id.as_ref() == cl)
                .map(|o| (o.order_id.clone(), order_info(&ex, o)))
                .collect();
            ok(json!({"open": open}))
        }
        "ClosedOrders" => {
            let closed: Map<String, Value> = ex
                .account
                .all_orders()
                .filter(|o| !o.status.is_open())
                .map(|o| (o.order_id.clone(), order_info(&ex, o)))
                .collect();
            let count = closed.len();
            ok(json!({"closed": closed, "count": count}))
        }
        "QueryOrders" => {
            let mut out = Map::new();
            let ids: Vec<String> = form
                .get("txid")
                .map(|t| t.split(',').map(str::to_string).collect())
                .unwrap_or_default();
            for id in ids {
                if let Some(o) = ex.account.order(&id) {
                    out.insert(id.clone(), order_info(&ex, o));
                }
            }
            if let Some(cl) = form.get("cl_ord_id") {
                for o in ex.account.all_orders().filter(|o| o.cl_ord_id.as_ref() == Some(cl)) {
                    out.insert(o.order_id.clone(), order_info(&ex, o));
                }
            }
            if out.is_empty() {
                return fail("EOrder:Unknown order");
            }
            ok(Value::Object(out))
        }
        "TradesHistory" => {
            let mut trades = Map::new();
            for f in ex.account.fills() {
                let spec = &ex.markets[&f.symbol].spec;
                trades.insert(
                    f.exec_id.clone(),
                    json!({
                        "ordertxid": f.order_id,
                        "postxid": format!("P{}", &f.exec_id[1..]),
                        "pair": spec.rest_name,
                        "time": secs_text(f.time_us),
                        "type": f.side.as_str(),
                        "ordertype": f.order_type.as_str(),
                        "price": fixed(f.price, spec.price_precision),
                        "cost": fixed(f.cost, spec.cost_precision.max(spec.price_precision + spec.qty_precision)),
                        "fee": fixed(f.fee, asset_decimals(&f.fee_asset)),
                        "vol": fixed(f.qty, spec.qty_precision),
                        "margin": "0.00000",
                        "misc": "",
                        "trade_id": f.trade_id,
                        "maker": f.liquidity == crate::orders::Liquidity::Maker,
                        "ledgers": f.ledger_ids,
                    }),
                );
            }
            let count = trades.len();
            ok(json!({"trades": trades, "count": count}))
        }
        _ => fail("EGeneral:Unknown method"),
    }
}

/// Seconds with 4 decimals as a JSON number, as Kraken writes `opentm` and `time`.
fn secs_text(us: i64) -> Value {
    let d = Decimal::new(us / 100, 4);
    serde_json::from_str(&fixed(d, 4)).unwrap_or(Value::Null)
}

/// Kraken's `descr.order`: `buy 0.01000000 XBTUSD @ limit 30000.0`, `… @ market`,
/// `… @ stop loss 29000.0`, `… @ stop loss 29000.0 -> limit 28990.0`.
fn describe(
    spec: &PairSpec,
    side: Side,
    qty: Decimal,
    order_type: OrderType,
    limit: Option<Decimal>,
    trigger: Option<Decimal>,
) -> String {
    let pp = spec.price_precision;
    let price = |p: Option<Decimal>| fixed(p.unwrap_or_default(), pp);
    let at = match order_type {
        OrderType::Limit => format!("limit {}", price(limit)),
        OrderType::Market => "market".to_string(),
        OrderType::StopLoss => format!("stop loss {}", price(trigger)),
        OrderType::StopLossLimit => format!("stop loss {} -> limit {}", price(trigger), price(limit)),
    };
    format!(
        "{} {} {} @ {at}",
        side.as_str(),
        fixed(qty, spec.qty_precision),
        spec.altname
    )
}

fn order_info(ex: &Exchange, o: &Order) -> Value {
    let spec = &ex.markets[&o.symbol].spec;
    let (pp, qp) = (spec.price_precision, spec.qty_precision);
    let text = |p: Option<Decimal>| p.map_or("0".to_string(), |p| fixed(p, pp));
    let trigger = o.trigger.map(|t| t.price);
    // Kraken's `price` is the primary price (a stop's trigger), `price2` a stop's limit.
    let (price, price2) = match o.order_type {
        OrderType::StopLoss | OrderType::StopLossLimit => (text(trigger), text(o.limit_price)),
        OrderType::Limit | OrderType::Market => (text(o.limit_price), "0".to_string()),
    };
    let fired = o.trigger.is_some_and(|t| t.status == TriggerStatus::Triggered);
    let limitprice = if fired && o.order_type.has_limit() {
        text(o.limit_price)
    } else {
        "0".to_string()
    };
    let status = match o.status {
        OrderStatus::PendingNew => "pending",
        OrderStatus::New | OrderStatus::PartiallyFilled => "open",
        OrderStatus::Filled => "closed",
        OrderStatus::Canceled => "canceled",
    };
    let descr = describe(spec, o.side, o.order_qty, o.order_type, o.limit_price, trigger);
    let mut oflags = vec!["fciq"];
    if o.post_only {
        oflags.insert(0, "post");
    }
    let mut v = json!({
        "refid": null,
        "userref": o.order_userref,
        "status": status,
        "opentm": secs_text(o.created_ms * 1000),
        "starttm": 0,
        "expiretm": 0,
        "descr": {
            "pair": spec.altname,
            "type": o.side.as_str(),
            "ordertype": o.order_type.as_str(),
            "price": price,
            "price2": price2,
            "leverage": "none",
            "order": descr,
            "close": "",
        },
        "vol": fixed(o.order_qty, qp),
        "vol_exec": fixed(o.cum_qty, qp),
        "cost": fixed(o.cum_cost, spec.cost_precision.max(pp + qp)),
        "fee": fixed(o.fee_paid, asset_decimals(&spec.quote)),
        "price": fixed(o.avg_price().unwrap_or_default(), pp + 4),
        "stopprice": text(trigger),
        "limitprice": limitprice,
        "misc": "",
        "oflags": oflags.join(","),
    });
    if let Some(cl) = &o.cl_ord_id {
        v["cl_ord_id"] = json!(cl);
    }
    if !o.status.is_open() {
        v["closetm"] = secs_text(o.updated_us);
        if let Some(reason) = &o.cancel_reason {
            v["reason"] = json!(reason);
        }
    }
    v
}

fn add_order(ex: &mut Exchange, form: &BTreeMap<String, String>) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str);
    let Some(spec) = get("pair").and_then(|p| find_pair(ex, p)).cloned() else {
        return fail(&Reject::UnknownPair.code());
    };
    let Some(side) = get("type").and_then(Side::parse) else {
        return fail("EGeneral:Invalid arguments:type");
    };
    let order_type = match get("ordertype") {
        Some("limit") => OrderType::Limit,
        Some("market") => OrderType::Market,
        Some("stop-loss") => OrderType::StopLoss,
        Some("stop-loss-limit") => OrderType::StopLossLimit,
        _ => return fail("EGeneral:Invalid arguments:ordertype"),
    };
    let Some(qty) = get("volume").and_then(parse_decimal) else {
        return fail("EGeneral:Invalid arguments:volume");
    };
    if get("trigger").is_some_and(|t| t != "last") {
        return fail("EGeneral:Invalid arguments:trigger");
    }
    // A price that is sent must parse; a missing one is refused by the order's check.
    let price = |name: &str| {
        get(name)
            .map(|p| parse_decimal(p).ok_or(Reject::InvalidPrice))
            .transpose()
    };
    let (limit_price, trigger_price) = match (order_type, price("price"), price("price2")) {
        (_, Err(e), _) | (_, _, Err(e)) => return fail(&e.code()),
        (OrderType::Limit, Ok(None), _) => return fail(&Reject::InvalidPrice.code()),
        (OrderType::Limit, Ok(p), _) => (p, None),
        (OrderType::Market, _, _) => (None, None),
        (OrderType::StopLoss, Ok(t), _) => (None, t),
        (OrderType::StopLossLimit, Ok(t), Ok(l)) => (l, t),
    };
    let time_in_force = match get("timeinforce").map(str::to_ascii_uppercase).as_deref() {
        None | Some("GTC") => TimeInForce::Gtc,
        Some("IOC") => TimeInForce::Ioc,
        Some(_) => return fail("EGeneral:Invalid arguments:timeinforce"),
    };
    let cl_ord_id = get("cl_ord_id").map(str::to_string);
    if cl_ord_id
        .as_deref()
        .is_some_and(|c| !crate::ws_private::valid_cl_ord_id(c))
    {
        return fail("EGeneral:Invalid arguments:cl_ord_id");
    }
    let post_only = get("oflags").is_some_and(|f| f.split(',').any(|x| x == "post"));
    let validate = get("validate").is_some_and(|v| v == "true" || v == "1");
    let req = NewOrder {
        symbol: spec.symbol.clone(),
        side,
        order_type,
        qty,
        limit_price,
        trigger_price,
        post_only,
        time_in_force,
        cl_ord_id,
        order_userref: get("userref").and_then(|u| u.parse().ok()).unwrap_or(0),
    };
    let descr = describe(&spec, side, qty, order_type, limit_price, trigger_price);
    match ex.add_order(req, validate) {
        Ok(Some(order)) => ok(json!({"descr": {"order": descr}, "txid": [order.order_id]})),
        Ok(None) => ok(json!({"descr": {"order": descr}})),
        Err(e) => fail(&e.code()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode() {
        let f = parse_form("nonce=1&cl_ord_id=a%2Db&x=1+2&flag&bad=%zz");
        assert_eq!(f["nonce"], "1");
        assert_eq!(f["cl_ord_id"], "a-b");
        assert_eq!(f["x"], "1 2");
        assert_eq!(f["flag"], "");
        assert_eq!(f["bad"], "%zz");
    }
}
