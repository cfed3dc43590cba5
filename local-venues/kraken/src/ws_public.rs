//! `/v2`: market data requests — `subscribe`, `unsubscribe`, `ping`.
//!
//! Channels: `book` (depth 10, 25, 100, 500 or 1000; snapshot then diffs, each with the
//! checksum of the exchange's top 10), `trade` (snapshot of the last 50), `ticker`
//! (`event_trigger` `trades` or `bbo`), `ohlc` (any Kraken interval; snapshot of up to 720
//! candles, then the open candle each time it changes), `instrument`, `heartbeat`.
//! A subscribe with several symbols is acknowledged once per symbol, as Kraken does.

use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

use crate::book::BookView;
use crate::conn::{malformed, pong, After, Request};
use crate::exchange::{Exchange, PublicSub};
use crate::faults::ConnKind;
use crate::market::{OHLC_INTERVALS, OHLC_SNAPSHOT_LEN};
use crate::wire;

/// Book depths Kraken accepts.
const DEPTHS: [u32; 5] = [10, 25, 100, 500, 1000];

#[derive(Deserialize, Default)]
struct SubParams {
    channel: String,
    #[serde(default)]
    symbol: Option<Vec<String>>,
    #[serde(default)]
    depth: Option<u32>,
    #[serde(default)]
    snapshot: Option<bool>,
    #[serde(default)]
    interval: Option<u32>,
    #[serde(default)]
    event_trigger: Option<String>,
}

/// Handles one frame from a public socket.
pub(crate) fn handle(ex: &mut Exchange, conn: u64, text: &str, time_in: i64) -> After {
    let Ok(req) = serde_json::from_str::<Request<'_>>(text) else {
        malformed(ex, conn, time_in);
        return After::Continue;
    };
    match req.method.as_str() {
        "ping" => pong(ex, conn, req.req_id, time_in),
        "subscribe" | "unsubscribe" => {
            let subscribe = req.method == "subscribe";
            ex.count_message(ConnKind::Public, subscribe);
            let params = req.params.map(|p| serde_json::from_str::<SubParams>(p.get()));
            match params {
                Some(Ok(p)) => subscription(ex, conn, subscribe, &p, req.req_id, time_in),
                _ => {
                    let text = wire::err_reply(
                        &req.method,
                        req.req_id,
                        "EGeneral:Invalid arguments:params",
                        None,
                        time_in,
                    );
                    ex.send(conn, text);
                }
            }
        }
        other => {
            let text = wire::err_reply(other, req.req_id, "Method not found", None, time_in);
            ex.send(conn, text);
        }
    }
    After::Continue
}

fn subscription(ex: &mut Exchange, conn: u64, subscribe: bool, p: &SubParams, req_id: Option<&RawValue>, time_in: i64) {
    let method = if subscribe { "subscribe" } else { "unsubscribe" };
    let fail = |ex: &mut Exchange, error: &str, symbol: Option<&str>| {
        let text = wire::err_reply(method, req_id, error, symbol, time_in);
        ex.send(conn, text);
    };
    let snapshot = p.snapshot.unwrap_or(true);
    match p.channel.as_str() {
        "instrument" | "heartbeat" => {
            let sub = if p.channel == "instrument" {
                PublicSub::Instrument
            } else {
                PublicSub::Heartbeat
            };
            let result = if p.channel == "instrument" && subscribe {
                json!({"channel": "instrument", "snapshot": snapshot, "warnings": ["tick_size is deprecated, use price_increment"]})
            } else {
                json!({"channel": p.channel})
            };
            if toggle(ex, conn, subscribe, sub).is_err() {
                let error = if subscribe {
                    "Already subscribed"
                } else {
                    "Subscription Not Found"
                };
                return fail(ex, error, None);
            }
            ex.send(conn, wire::ok_reply(method, req_id, Some(&result), time_in));
            if subscribe && snapshot && p.channel == "instrument" {
                let text = wire::instrument(ex.markets.values().map(|m| &m.spec));
                ex.send(conn, text);
            }
        }
        "book" | "trade" | "ticker" | "ohlc" => {
            let Some(symbols) = p.symbol.as_ref().filter(|s| !s.is_empty()) else {
                return fail(ex, "EGeneral:Invalid arguments:symbol", None);
            };
            let depth = p.depth.unwrap_or(10);
            if p.channel == "book" && !DEPTHS.contains(&depth) {
                return fail(ex, "EGeneral:Invalid arguments:depth", None);
            }
            let interval = p.interval.unwrap_or(1);
            if p.channel == "ohlc" && !OHLC_INTERVALS.contains(&interval) {
                return fail(ex, "EGeneral:Invalid arguments:interval", None);
            }
            let bbo = match p.event_trigger.as_deref() {
                None | Some("trades") => false,
                Some("bbo") => true,
                Some(_) => return fail(ex, "EGeneral:Invalid arguments:event_trigger", None),
            };
            for symbol in symbols {
                if !ex.markets.contains_key(symbol) {
                    fail(ex, &format!("Currency pair not supported {symbol}"), Some(symbol));
                    continue;
                }
                let s = symbol.clone();
                let (sub, result) = match p.channel.as_str() {
                    "book" => (
                        PublicSub::Book {
                            symbol: s,
                            view: BookView::new(depth as usize),
                        },
                        json!({"channel": "book", "symbol": symbol, "depth": depth, "snapshot": snapshot}),
                    ),
                    "trade" => (
                        PublicSub::Trade { symbol: s },
                        json!({"channel": "trade", "symbol": symbol, "snapshot": snapshot}),
                    ),
                    "ticker" => (
                        PublicSub::Ticker { symbol: s, bbo },
                        json!({"channel": "ticker", "symbol": symbol, "event_trigger": if bbo { "bbo" } else { "trades" }, "snapshot": snapshot}),
                    ),
                    _ => (
                        PublicSub::Ohlc { symbol: s, interval },
                        json!({"channel": "ohlc", "symbol": symbol, "interval": interval, "snapshot": snapshot}),
                    ),
                };
                let result = if subscribe {
                    result
                } else {
                    let mut r = result;
                    if let Some(obj) = r.as_object_mut() {
                        obj.remove("snapshot");
                    }
                    r
                };
                if toggle(ex, conn, subscribe, sub).is_err() {
                    let error = if subscribe {
                        "Already subscribed"
                    } else {
                        "Subscription Not Found"
                    };
                    fail(ex, error, Some(symbol));
                    continue;
                }
                ex.send(conn, wire::ok_reply(method, req_id, Some(&result), time_in));
                if subscribe && snapshot {
                    send_snapshot(ex, conn, &p.channel, symbol, interval);
                }
            }
        }
        "executions" | "balances" => fail(
            ex,
            "EGeneral:Permission denied: private channel on a public socket",
            None,
        ),
        other => fail(ex, &format!("EGeneral:Invalid arguments:channel {other}"), None),
    }
}

/// Adds or removes a subscription; `Err` when it already exists / does not exist. Book views
/// and ohlc intervals match by channel and symbol (one book and one ohlc interval per symbol
/// per socket, as Kraken keys them).
fn toggle(ex: &mut Exchange, conn: u64, subscribe: bool, sub: PublicSub) -> Result<(), ()> {
    let Some(c) = ex.conns.get_mut(&conn) else {
        return Err(());
    };
    let same = |s: &PublicSub| match (s, &sub) {
        (PublicSub::Ohlc { symbol: a, interval: i }, PublicSub::Ohlc { symbol: b, interval: j }) => a == b && i == j,
        _ => s.key() == sub.key(),
    };
    let existing = c.subs.iter().position(same);
    match (subscribe, existing) {
        (true, None) => {
            c.subs.push(sub);
            Ok(())
        }
        (false, Some(i)) => {
            c.subs.remove(i);
            Ok(())
        }
        _ => Err(()),
    }
}

fn send_snapshot(ex: &mut Exchange, conn: u64, channel: &str, symbol: &str, interval: u32) {
    let now_us = ex.stamp_us();
    let market = &ex.markets[symbol];
    let spec = market.spec.clone();
    let text = match channel {
        "book" => {
            let book = &market.book;
            let mut checksum = book.checksum(spec.price_precision, spec.qty_precision);
            if ex.faults.corrupt_next_book {
                ex.faults.corrupt_next_book = false;
                checksum ^= 0x5a5a_5a5a;
            }
            let Some(c) = ex.conns.get_mut(&conn) else { return };
            let view = c.subs.iter_mut().find_map(|s| match s {
                PublicSub::Book { symbol: s, view } if s == symbol => Some(view),
                _ => None,
            });
            let Some(view) = view else { return };
            let diff = view.snapshot(book);
            wire::book("snapshot", &spec, &diff, checksum, None)
        }
        "trade" => wire::trades("snapshot", &spec, market.tape()),
        "ticker" => ex.ticker_message(symbol, "snapshot", now_us),
        _ => {
            let all: Vec<_> = market.candles(interval).collect();
            let start = all.len().saturating_sub(OHLC_SNAPSHOT_LEN);
            wire::ohlc("snapshot", &spec, all[start..].iter().copied())
        }
    };
    ex.send(conn, text);
}
