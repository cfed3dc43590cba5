//! `/auth/v2`: private channels and trading.
//!
//! Every request but `ping` carries `params.token`, a token minted by `GetWebSocketsToken`;
//! any other is refused with `ESession:Invalid session`. Channels: `executions` (`snap_orders`
//! default true, `snap_trades` default false: the last 50 fills) and `balances`. Methods:
//! `add_order` and `batch_add` (`order_type` limit, market, stop-loss, stop-loss-limit; a stop
//! carries `triggers: {"reference": "last", "price", "price_type": "static"}`), `amend_order`
//! (`order_qty`, `limit_price`, `post_only`, and `trigger_price` of a stop that has not fired),
//! `cancel_order`, `cancel_all`, `cancel_all_orders_after`.
//!
//! The lost-reply fault lives here: the next accepted `add_order` is executed in full (its
//! `executions` go out) but its reply is never sent, and the socket may be dropped right after.

use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

use crate::conn::{malformed, pong, After, Request};
use crate::error::Reject;
use crate::exchange::Exchange;
use crate::faults::ConnKind;
use crate::market::Side;
use crate::matching::{Amend, NewOrder};
use crate::num::WireDecimal;
use crate::orders::{OrderType, TimeInForce};
use crate::triggers;
use crate::wire;

#[derive(Deserialize)]
struct Token {
    #[serde(default)]
    token: Option<String>,
}

#[derive(Deserialize)]
struct SubParams {
    channel: String,
    #[serde(default)]
    snap_orders: Option<bool>,
    #[serde(default)]
    snap_trades: Option<bool>,
    #[serde(default)]
    snapshot: Option<bool>,
    #[serde(default)]
    order_status: Option<bool>,
}

#[derive(Deserialize)]
struct AddParams {
    order_type: String,
    side: String,
    /// Absent inside `batch_add`, whose orders share the batch's symbol.
    #[serde(default)]
    symbol: String,
    order_qty: WireDecimal,
    #[serde(default)]
    limit_price: Option<WireDecimal>,
    #[serde(default)]
    triggers: Option<TriggerParams>,
    #[serde(default)]
    time_in_force: Option<String>,
    #[serde(default)]
    post_only: Option<bool>,
    #[serde(default)]
    cl_ord_id: Option<String>,
    #[serde(default)]
    order_userref: Option<i64>,
    #[serde(default)]
    validate: Option<bool>,
}

/// A stop's `triggers`; the price is checked with the order, so that a missing one is refused
/// as Kraken refuses it.
#[derive(Deserialize)]
struct TriggerParams {
    #[serde(default)]
    reference: Option<String>,
    #[serde(default)]
    price: Option<WireDecimal>,
    #[serde(default)]
    price_type: Option<String>,
}

#[derive(Deserialize)]
struct BatchParams {
    symbol: String,
    orders: Vec<AddParams>,
    #[serde(default)]
    validate: Option<bool>,
}

/// Orders in one `batch_add`.
const BATCH_SIZES: std::ops::RangeInclusive<usize> = 2..=15;

#[derive(Deserialize)]
struct AmendParams {
    #[serde(default)]
    order_id: Option<String>,
    #[serde(default)]
    cl_ord_id: Option<String>,
    #[serde(default)]
    order_qty: Option<WireDecimal>,
    #[serde(default)]
    limit_price: Option<WireDecimal>,
    #[serde(default)]
    trigger_price: Option<WireDecimal>,
    #[serde(default)]
    trigger_price_type: Option<String>,
    #[serde(default)]
    post_only: Option<bool>,
}

#[derive(Deserialize)]
struct CancelParams {
    #[serde(default)]
    order_id: Option<Vec<String>>,
    #[serde(default)]
    cl_ord_id: Option<Vec<String>>,
    #[serde(default)]
    order_userref: Option<Vec<i64>>,
}

#[derive(Deserialize)]
struct AfterParams {
    timeout: u64,
}

/// Whether `id` is a cl_ord_id Kraken accepts: a UUID, 32 hex digits, or free text up to 18.
pub(crate) fn valid_cl_ord_id(id: &str) -> bool {
    let hex = |s: &str| s.chars().all(|c| c.is_ascii_hexdigit());
    let uuid = id.len() == 36 && id.split('-').map(str::len).eq([8, 4, 4, 4, 12]) && hex(&id.replace('-', ""));
    let hex32 = id.len() == 32 && hex(id);
    let text = !id.is_empty() && id.len() <= 18 && id.chars().all(|c| c.is_ascii_graphic());
    uuid || hex32 || text
}

/// Handles one frame from a private socket. The reply goes out before the `executions` and
/// `balances` updates the request caused.
pub(crate) fn handle(ex: &mut Exchange, conn: u64, text: &str, time_in: i64) -> After {
    ex.defer_account_events();
    let after = handle_request(ex, conn, text, time_in);
    ex.flush_deferred();
    after
}

fn handle_request(ex: &mut Exchange, conn: u64, text: &str, time_in: i64) -> After {
    let Ok(req) = serde_json::from_str::<Request<'_>>(text) else {
        malformed(ex, conn, time_in);
        return After::Continue;
    };
    let method = req.method.as_str();
    if method == "ping" {
        pong(ex, conn, req.req_id, time_in);
        return After::Continue;
    }
    let params = req.params.map(RawValue::get).unwrap_or("{}");
    let token = serde_json::from_str::<Token>(params).ok().and_then(|t| t.token);
    if matches!(method, "subscribe" | "unsubscribe") {
        ex.count_message(ConnKind::Private, method == "subscribe");
    }
    let now_ms = ex.clock.now_ms();
    let mark_used = method == "subscribe";
    if !ex.auth.check_token(token.as_deref(), now_ms, mark_used) {
        let known = matches!(
            method,
            "subscribe"
                | "unsubscribe"
                | "add_order"
                | "batch_add"
                | "amend_order"
                | "cancel_order"
                | "cancel_all"
                | "cancel_all_orders_after"
        );
        let error = if known {
            Reject::InvalidSession.code()
        } else {
            "Method not found".to_string()
        };
        ex.send(conn, wire::err_reply(method, req.req_id, &error, None, time_in));
        return After::Continue;
    }
    let reply = |ex: &mut Exchange, r: Result<serde_json::Value, String>| {
        let text = match r {
            Ok(v) => wire::ok_reply(method, req.req_id, Some(&v), time_in),
            Err(e) => wire::err_reply(method, req.req_id, &e, None, time_in),
        };
        ex.send(conn, text);
    };
    let parse_err = |e: serde_json::Error| format!("EGeneral:Invalid arguments:{e}");
    match method {
        "subscribe" | "unsubscribe" => {
            let r = serde_json::from_str::<SubParams>(params).map_err(parse_err);
            match r {
                Ok(p) => subscription(ex, conn, method == "subscribe", &p, req.req_id, time_in),
                Err(e) => reply(ex, Err(e)),
            }
        }
        "add_order" => {
            ex.add_order_arrivals = (ex.add_order_arrivals.0 + 1, Some(std::time::Instant::now()));
            let r = serde_json::from_str::<AddParams>(params)
                .map_err(parse_err)
                .and_then(|p| add_order(ex, p));
            let lose = r
                .as_ref()
                .is_ok_and(|(placed, _)| *placed)
                .then(|| ex.faults.lose_next_add_order_reply.take())
                .flatten();
            match lose {
                Some(drop_after) => {
                    tracing::info!(conn, drop_after, "fault: add_order reply lost");
                    if drop_after {
                        return After::Drop;
                    }
                }
                None => reply(ex, r.map(|(_, v)| v)),
            }
        }
        "batch_add" => {
            let r = serde_json::from_str::<BatchParams>(params)
                .map_err(parse_err)
                .and_then(|p| batch_add(ex, p));
            reply(ex, r);
        }
        "amend_order" => {
            let r = serde_json::from_str::<AmendParams>(params)
                .map_err(parse_err)
                .and_then(|p| {
                    if p.trigger_price_type.as_deref().is_some_and(|t| t != "static") {
                        return Err(Reject::InvalidArguments("trigger_price_type".into()).code());
                    }
                    let amend = Amend {
                        order_qty: p.order_qty.map(|d| d.0),
                        limit_price: p.limit_price.map(|d| d.0),
                        trigger_price: p.trigger_price.map(|d| d.0),
                        post_only: p.post_only,
                    };
                    let order = ex
                        .amend_order(p.order_id.as_deref(), p.cl_ord_id.as_deref(), &amend)
                        .map_err(|e| e.code())?;
                    let amend_id = format!("TA{}", &order.order_id[1..]);
                    let mut v = json!({"amend_id": amend_id, "order_id": order.order_id});
                    if let Some(cl) = order.cl_ord_id {
                        v["cl_ord_id"] = json!(cl);
                    }
                    Ok(v)
                });
            reply(ex, r);
        }
        "cancel_order" => match serde_json::from_str::<CancelParams>(params).map_err(parse_err) {
            Ok(p) => cancel_order(ex, conn, p, req.req_id, time_in),
            Err(e) => reply(ex, Err(e)),
        },
        "cancel_all" => {
            let count = ex.cancel_all();
            reply(ex, Ok(json!({"count": count})));
        }
        "cancel_all_orders_after" => {
            let r = serde_json::from_str::<AfterParams>(params)
                .map_err(parse_err)
                .and_then(|p| {
                    if p.timeout >= 86_400 {
                        return Err("EGeneral:Invalid arguments:timeout".to_string());
                    }
                    let (now, trigger) = ex.cancel_all_after(p.timeout);
                    let trigger = trigger.map_or("0".to_string(), crate::clock::rfc3339_ms);
                    Ok(json!({"currentTime": crate::clock::rfc3339_ms(now), "triggerTime": trigger}))
                });
            reply(ex, r);
        }
        other => reply(ex, Err(format!("Method not found: {other}"))),
    }
    After::Continue
}

/// The order `p` asks for, on `symbol`; an error names the bad argument.
fn new_order(p: &AddParams, symbol: String) -> Result<NewOrder, String> {
    let side = Side::parse(&p.side).ok_or_else(|| Reject::InvalidArguments("side".into()).code())?;
    let order_type = match p.order_type.as_str() {
        "limit" => OrderType::Limit,
        "market" => OrderType::Market,
        "stop-loss" => OrderType::StopLoss,
        "stop-loss-limit" => OrderType::StopLossLimit,
        _ => return Err(Reject::InvalidArguments("order_type".into()).code()),
    };
    if let Some(t) = &p.triggers {
        triggers::check_kind(t.reference.as_deref(), t.price_type.as_deref())
            .map_err(|name| Reject::InvalidArguments(name.into()).code())?;
    }
    // A stop-loss fires as a market order: a limit price would be silently ignored.
    if order_type == OrderType::StopLoss && p.limit_price.is_some() {
        return Err(Reject::InvalidArguments("limit_price".into()).code());
    }
    let time_in_force = match p.time_in_force.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None | Some("gtc") => TimeInForce::Gtc,
        Some("ioc") => TimeInForce::Ioc,
        Some(_) => return Err(Reject::InvalidArguments("time_in_force".into()).code()),
    };
    if p.cl_ord_id.as_deref().is_some_and(|cl| !valid_cl_ord_id(cl)) {
        return Err(Reject::InvalidArguments("cl_ord_id".into()).code());
    }
    Ok(NewOrder {
        symbol,
        side,
        order_type,
        qty: p.order_qty.0,
        limit_price: p.limit_price.map(|d| d.0),
        trigger_price: p.triggers.as_ref().and_then(|t| t.price).map(|d| d.0),
        post_only: p.post_only.unwrap_or(false),
        time_in_force,
        cl_ord_id: p.cl_ord_id.clone(),
        order_userref: p.order_userref.unwrap_or(0),
    })
}

/// The result entry of a placed (or validated) order.
fn placed_result(order_id: &str, cl_ord_id: Option<&str>, order_userref: Option<i64>) -> serde_json::Value {
    let mut v = json!({"order_id": order_id});
    if let Some(cl) = cl_ord_id {
        v["cl_ord_id"] = json!(cl);
    }
    if let Some(r) = order_userref {
        v["order_userref"] = json!(r);
    }
    v
}

/// Returns (placed, result).
fn add_order(ex: &mut Exchange, p: AddParams) -> Result<(bool, serde_json::Value), String> {
    let req = new_order(&p, p.symbol.clone())?;
    let validate = p.validate.unwrap_or(false);
    let placed = ex.add_order(req, validate).map_err(|e| e.code())?;
    let id = placed.as_ref().map_or("", |o| o.order_id.as_str());
    Ok((
        placed.is_some(),
        placed_result(id, p.cl_ord_id.as_deref(), p.order_userref),
    ))
}

/// `batch_add`: 2 to 15 orders on one symbol. Every order is checked on its own first and one
/// invalid order refuses the whole batch; then they are placed in order, and one that fails
/// only then (funds spent by the orders before it) is refused alone, with its own entry.
fn batch_add(ex: &mut Exchange, p: BatchParams) -> Result<serde_json::Value, String> {
    if !BATCH_SIZES.contains(&p.orders.len()) {
        return Err(Reject::InvalidArguments("orders".into()).code());
    }
    let reqs = p
        .orders
        .iter()
        .map(|o| new_order(o, p.symbol.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ids: Vec<&str> = reqs.iter().filter_map(|r| r.cl_ord_id.as_deref()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(Reject::DuplicateClOrdId.code());
    }
    for r in &reqs {
        ex.add_order(r.clone(), true).map_err(|e| e.code())?;
    }
    let now_ms = ex.clock.now_ms();
    if ex.rate.value(&p.symbol, now_ms) + rust_decimal::Decimal::from(reqs.len()) > ex.rate.max() {
        return Err(Reject::RateLimit.code());
    }
    let validate = p.validate.unwrap_or(false);
    let mut out = Vec::new();
    for (r, o) in reqs.into_iter().zip(&p.orders) {
        let entry = if validate {
            placed_result("", o.cl_ord_id.as_deref(), o.order_userref)
        } else {
            match ex.add_order(r, false) {
                Ok(placed) => {
                    let id = placed.as_ref().map_or("", |o| o.order_id.as_str());
                    placed_result(id, o.cl_ord_id.as_deref(), o.order_userref)
                }
                Err(e) => {
                    let mut v = placed_result("", o.cl_ord_id.as_deref(), o.order_userref);
                    v["error"] = json!(e.code());
                    v
                }
            }
        };
        out.push(entry);
    }
    Ok(serde_json::Value::Array(out))
}

fn cancel_order(ex: &mut Exchange, conn: u64, p: CancelParams, req_id: Option<&RawValue>, time_in: i64) {
    let given = [p.order_id.is_some(), p.cl_ord_id.is_some(), p.order_userref.is_some()];
    if given.iter().filter(|g| **g).count() != 1 {
        let text = wire::err_reply(
            "cancel_order",
            req_id,
            "EGeneral:Invalid arguments:order_id",
            None,
            time_in,
        );
        return ex.send(conn, text);
    }
    let targets: Vec<(Option<String>, Option<String>)> = if let Some(ids) = p.order_id {
        ids.into_iter().map(|id| (Some(id), None)).collect()
    } else if let Some(cls) = p.cl_ord_id {
        cls.into_iter().map(|cl| (None, Some(cl))).collect()
    } else {
        let refs = p.order_userref.unwrap_or_default();
        ex.account
            .open_orders()
            .into_iter()
            .filter(|o| refs.contains(&o.order_userref))
            .map(|o| (Some(o.order_id), None))
            .collect()
    };
    for (order_id, cl_ord_id) in targets {
        let text = match ex.cancel_order(order_id.as_deref(), cl_ord_id.as_deref()) {
            Ok(o) => {
                let mut v = json!({"order_id": o.order_id});
                if let Some(cl) = o.cl_ord_id {
                    v["cl_ord_id"] = json!(cl);
                }
                wire::ok_reply("cancel_order", req_id, Some(&v), time_in)
            }
            Err(e) => wire::err_reply("cancel_order", req_id, &e.code(), None, time_in),
        };
        ex.send(conn, text);
    }
}

fn subscription(ex: &mut Exchange, conn: u64, subscribe: bool, p: &SubParams, req_id: Option<&RawValue>, time_in: i64) {
    let method = if subscribe { "subscribe" } else { "unsubscribe" };
    let Some(c) = ex.conns.get_mut(&conn) else { return };
    let flag = match p.channel.as_str() {
        "executions" => &mut c.executions,
        "balances" => &mut c.balances,
        other => {
            let error = format!("EGeneral:Invalid arguments:channel {other}");
            let text = wire::err_reply(method, req_id, &error, None, time_in);
            return ex.send(conn, text);
        }
    };
    if *flag == subscribe {
        let error = if subscribe {
            "Already subscribed"
        } else {
            "Subscription Not Found"
        };
        let text = wire::err_reply(method, req_id, error, None, time_in);
        return ex.send(conn, text);
    }
    *flag = subscribe;
    if p.channel == "executions" {
        c.all_statuses = p.order_status.unwrap_or(true);
    }
    let result = match (p.channel.as_str(), subscribe) {
        ("executions", true) => json!({
            "channel": "executions",
            "maxratecount": rust_decimal::prelude::ToPrimitive::to_u64(&ex.rate.max()),
            "snap_orders": p.snap_orders.unwrap_or(true),
            "snap_trades": p.snap_trades.unwrap_or(false),
        }),
        ("balances", true) => json!({"channel": "balances", "snapshot": p.snapshot.unwrap_or(true)}),
        (channel, false) => json!({"channel": channel}),
        _ => json!({}),
    };
    ex.send(conn, wire::ok_reply(method, req_id, Some(&result), time_in));
    if subscribe {
        if p.channel == "executions" {
            let (orders, trades) = (p.snap_orders.unwrap_or(true), p.snap_trades.unwrap_or(false));
            if orders || trades {
                ex.executions_snapshot(conn, orders, trades);
            }
        } else if p.snapshot.unwrap_or(true) {
            ex.balances_snapshot(conn);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_cl_ord_id;

    #[test]
    fn cl_ord_id_formats() {
        assert!(valid_cl_ord_id("6d1b345e-2821-40e2-ad83-4ecb18a06876"));
        assert!(valid_cl_ord_id("da8e4ad59b78481c93e589746b0cf91f"));
        assert!(valid_cl_ord_id("my-order-1"));
        assert!(!valid_cl_ord_id("this-text-is-longer-than-18"));
        assert!(!valid_cl_ord_id(""));
    }
}
