//! Stop orders over `/auth/v2` (and REST): `stop-loss` and `stop-loss-limit` with `triggers`,
//! fired by scripted trades and by the prints of takers, their reports, holds, snapshots,
//! amends, cancels and refusals.

use crate::support::*;
use local_kraken::{Control, Side, TriggerStatus};
use serde_json::{json, Value};

fn add(token: &str, req_id: i64, params: Value) -> Value {
    let mut p = params;
    p["token"] = json!(token);
    json!({"method": "add_order", "params": p, "req_id": req_id})
}

/// A stop on BTC/USD: `limit` is `Some` for a stop-loss-limit. Numbers go out as JSON numbers
/// written as given, as a client prints them.
fn stop(side: &str, qty: &str, trigger: &str, limit: Option<&str>, cl_ord_id: &str) -> Value {
    let num = |s: &str| -> Value { serde_json::from_str(s).unwrap() };
    let mut p = json!({
        "order_type": if limit.is_some() { "stop-loss-limit" } else { "stop-loss" },
        "side": side, "symbol": "BTC/USD", "order_qty": num(qty), "cl_ord_id": cl_ord_id,
        "triggers": {"reference": "last", "price": num(trigger), "price_type": "static"},
    });
    if let Some(l) = limit {
        p["limit_price"] = num(l);
    }
    p
}

/// The next `executions` update, with its reports' `exec_type`s.
async fn next_executions(ws: &mut Ws) -> (Value, Vec<String>) {
    let v = ws
        .until(|v| v["channel"] == "executions" && v["type"] == "update")
        .await;
    let kinds = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["exec_type"].as_str().unwrap().to_string())
        .collect();
    (v, kinds)
}

/// Places `params` and returns its order id, the reply checked.
async fn place(ws: &mut Ws, token: &str, req_id: i64, params: Value) -> String {
    ws.send(add(token, req_id, params)).await;
    let r = ws.reply("add_order", req_id).await;
    assert_eq!(r["success"], true, "{r}");
    r["result"]["order_id"].as_str().unwrap().to_string()
}

fn fired(k: &Control, id: &str) -> bool {
    k.order(id)
        .and_then(|o| o.trigger)
        .is_some_and(|t| t.status == TriggerStatus::Triggered)
}

#[tokio::test]
async fn a_sell_stop_loss_waits_then_fires_on_a_trade_at_its_trigger_and_sells_at_market() {
    let k = start();
    k.set_balance("BTC", d("1"));
    k.trade("BTC/USD", Side::Buy, d("30000.0"), d("0.1")).unwrap();
    k.book_snapshot("BTC/USD", &[(d("28950.0"), d("1"))], &[]).unwrap();
    let (mut ws, token) = private_session(&k).await;
    let id = place(&mut ws, &token, 1, stop("sell", "0.01", "29000.0", None, "sl-1")).await;
    let (v, kinds) = next_executions(&mut ws).await;
    assert_eq!(kinds, ["pending_new", "new"], "{v}");
    let pending = &v["data"][0];
    assert_eq!(pending["order_type"], "stop-loss");
    assert_eq!(
        pending["triggers"],
        json!({"reference": "last", "price": 29000.0, "price_type": "static", "status": "untriggered"})
    );
    assert!(
        pending.get("limit_price").is_none(),
        "a stop-loss has no limit: {pending}"
    );
    assert_eq!(v["data"][1]["triggers"]["status"], "untriggered");
    // It holds its base: 0.99 BTC is left to sell.
    ws.send(add(
        &token,
        2,
        json!({"order_type": "limit", "side": "sell", "symbol": "BTC/USD", "order_qty": 1, "limit_price": 40000.0}),
    ))
    .await;
    assert_eq!(ws.reply("add_order", 2).await["error"], "EOrder:Insufficient funds");

    // Above the trigger: nothing fires.
    k.trade("BTC/USD", Side::Sell, d("29000.1"), d("0.5")).unwrap();
    assert!(!fired(&k, &id));
    // At the trigger: it fires and sells at market, into the bid.
    k.trade("BTC/USD", Side::Sell, d("29000.0"), d("0.5")).unwrap();
    let (v, kinds) = next_executions(&mut ws).await;
    assert_eq!(kinds, ["status", "trade", "filled"], "{v}");
    let status = &v["data"][0];
    assert_eq!(
        (
            status["order_id"].as_str(),
            status["order_type"].as_str(),
            status["order_status"].as_str()
        ),
        (Some(id.as_str()), Some("stop-loss"), Some("new"))
    );
    assert_eq!(status["triggers"]["status"], "triggered");
    let trade = &v["data"][1];
    assert_eq!(
        (
            trade["last_price"].clone(),
            trade["last_qty"].clone(),
            trade["liquidity_ind"].clone()
        ),
        (json!(28950.0), json!(0.01), json!("t"))
    );
    assert_eq!(trade["order_type"], "stop-loss");
    assert_eq!(trade["triggers"]["status"], "triggered");
    assert_eq!(v["data"][2]["order_status"], "filled");
    // 0.01 × 28950 = 289.5 USD, less the 0.26 % taker fee (0.7527).
    assert_eq!(k.balances()["BTC"], d("0.99"));
    assert_eq!(k.balances()["USD"], d("100000") + d("289.5") - d("0.7527"));
    let tape = k.recent_trades("BTC/USD").unwrap();
    let last = tape.last().unwrap();
    assert_eq!(
        (last.price, last.ord_type),
        (d("28950.0"), "market"),
        "its fill printed as a market order"
    );
}

#[tokio::test]
async fn a_buy_stop_loss_limit_fires_on_a_trade_then_takes_what_crosses_and_rests_the_rest() {
    let k = start();
    k.trade("BTC/USD", Side::Sell, d("30000.0"), d("0.1")).unwrap();
    k.book_snapshot("BTC/USD", &[], &[(d("31020.0"), d("0.004"))]).unwrap();
    let (mut ws, token) = private_session(&k).await;
    let id = place(
        &mut ws,
        &token,
        1,
        stop("buy", "0.01", "31000.0", Some("31050.0"), "sll-1"),
    )
    .await;
    let (v, kinds) = next_executions(&mut ws).await;
    assert_eq!(kinds, ["pending_new", "new"], "{v}");
    assert_eq!(
        (v["data"][0]["order_type"].clone(), v["data"][0]["limit_price"].clone()),
        (json!("stop-loss-limit"), json!(31050.0))
    );
    // REST describes it by its trigger and its limit.
    let open = private(&k, "OpenOrders", "").await;
    let info = &open["result"]["open"][&id];
    assert_eq!(
        info["descr"]["order"],
        "buy 0.01000000 XBTUSD @ stop loss 31000.0 -> limit 31050.0"
    );
    assert_eq!(
        (
            info["descr"]["ordertype"].as_str(),
            info["stopprice"].as_str(),
            info["descr"]["price2"].as_str()
        ),
        (Some("stop-loss-limit"), Some("31000.0"), Some("31050.0"))
    );
    // Untriggered, it is not in the book: a trade below its limit does not fill it.
    k.trade("BTC/USD", Side::Sell, d("30500.0"), d("1")).unwrap();
    assert!(k.fills().is_empty());
    assert!(!fired(&k, &id));

    // A buy at the trigger fires it: it takes the ask within its limit, the rest rests.
    k.trade("BTC/USD", Side::Buy, d("31000.0"), d("0.001")).unwrap();
    let (v, kinds) = next_executions(&mut ws).await;
    assert_eq!(kinds, ["status", "trade"], "{v}");
    assert_eq!(v["data"][0]["triggers"]["status"], "triggered");
    assert_eq!(v["data"][0]["limit_price"], 31050.0);
    assert_eq!(
        (
            v["data"][1]["last_price"].clone(),
            v["data"][1]["liquidity_ind"].clone()
        ),
        (json!(31020.0), json!("t"))
    );
    let o = k.order(&id).unwrap();
    assert_eq!((o.cum_qty, o.status.is_open()), (d("0.004"), true));
    // A new session's snapshot shows it working, its trigger fired.
    let mut ws2 = Ws::connect(&k.ws_private_url()).await;
    ws2.send(json!({"method": "subscribe", "params": {"channel": "executions", "token": token}, "req_id": 1}))
        .await;
    let snap = ws2
        .until(|v| v["channel"] == "executions" && v["type"] == "snapshot")
        .await;
    let entry = snap["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["order_id"] == json!(id))
        .unwrap_or_else(|| panic!("the stop is in the snapshot: {snap}"))
        .clone();
    assert_eq!(
        (
            entry["order_type"].clone(),
            entry["triggers"]["status"].clone(),
            entry["triggers"]["price"].clone()
        ),
        (json!("stop-loss-limit"), json!("triggered"), json!(31000.0))
    );

    // The rest fills as maker at its limit when a trade reaches it.
    k.trade("BTC/USD", Side::Sell, d("31040.0"), d("1")).unwrap();
    let (v, kinds) = next_executions(&mut ws).await;
    assert_eq!(kinds, ["trade", "filled"], "{v}");
    assert_eq!(
        (
            v["data"][0]["last_price"].clone(),
            v["data"][0]["last_qty"].clone(),
            v["data"][0]["liquidity_ind"].clone()
        ),
        (json!(31050.0), json!(0.006), json!("m"))
    );
    assert_eq!(k.balances()["BTC"], d("0.01"));
}

#[tokio::test]
async fn a_stop_the_last_trade_already_meets_fires_at_once_and_a_takers_prints_fire_stops() {
    let k = start();
    k.set_balance("BTC", d("1"));
    k.trade("BTC/USD", Side::Buy, d("30000.0"), d("0.1")).unwrap();
    k.book_snapshot(
        "BTC/USD",
        &[(d("29990.0"), d("1"))],
        &[(d("30010.0"), d("0.01")), (d("30020.0"), d("1"))],
    )
    .unwrap();
    let (mut ws, token) = private_session(&k).await;
    // 30000 is already at or below a sell trigger of 30500.
    place(&mut ws, &token, 1, stop("sell", "0.01", "30500.0", None, "now-1")).await;
    let (v, kinds) = next_executions(&mut ws).await;
    assert_eq!(kinds, ["pending_new", "new", "status", "trade", "filled"], "{v}");
    assert_eq!(v["data"][3]["last_price"], 29990.0);
    // A buy stop at 30015 waits; the account's own market buy walks the asks, and its print at
    // 30020 reaches the stop, which fires and buys too.
    let id = place(&mut ws, &token, 2, stop("buy", "0.01", "30015.0", None, "chain-1")).await;
    next_executions(&mut ws).await;
    assert!(!fired(&k, &id));
    ws.send(add(
        &token,
        3,
        json!({"order_type": "market", "side": "buy", "symbol": "BTC/USD", "order_qty": 0.02, "cl_ord_id": "taker-1"}),
    ))
    .await;
    assert_eq!(ws.reply("add_order", 3).await["success"], true);
    // One request, one batch: the taker's reports, then the stop its prints fired.
    let (v, kinds) = next_executions(&mut ws).await;
    assert_eq!(
        kinds,
        [
            "pending_new",
            "new",
            "trade",
            "trade",
            "filled",
            "status",
            "trade",
            "filled"
        ],
        "{v}"
    );
    assert_eq!(
        (v["data"][5]["order_id"].clone(), v["data"][6]["last_price"].clone()),
        (json!(id), json!(30020.0))
    );
    assert!(fired(&k, &id));
}

#[tokio::test]
async fn stops_are_amended_and_cancelled_before_they_fire() {
    let k = start();
    k.set_balance("BTC", d("1"));
    k.trade("BTC/USD", Side::Buy, d("30000.0"), d("0.1")).unwrap();
    let (mut ws, token) = private_session(&k).await;
    let id = place(
        &mut ws,
        &token,
        1,
        stop("sell", "0.01", "29000.0", Some("28900.0"), "amend-1"),
    )
    .await;
    next_executions(&mut ws).await;
    let amend = json!({"method": "amend_order", "params": {"order_id": id, "order_qty": 0.02,
        "limit_price": 28800.0, "trigger_price": 28850.0, "token": token}, "req_id": 2});
    ws.send(amend).await;
    let r = ws.reply("amend_order", 2).await;
    assert_eq!(r["success"], true, "{r}");
    let (v, kinds) = next_executions(&mut ws).await;
    assert_eq!(kinds, ["amended"], "{v}");
    assert_eq!(
        (
            v["data"][0]["order_qty"].clone(),
            v["data"][0]["limit_price"].clone(),
            v["data"][0]["triggers"].clone()
        ),
        (
            json!(0.02),
            json!(28800.0),
            json!({"reference": "last", "price": 28850.0, "price_type": "static", "status": "untriggered"})
        )
    );
    let o = k.order(&id).unwrap();
    assert_eq!(
        (o.order_qty, o.trigger.map(|t| t.price)),
        (d("0.02"), Some(d("28850.0")))
    );
    ws.send(
        json!({"method": "amend_order", "params": {"order_id": id, "trigger_price_type": "pct",
        "trigger_price": 5, "token": token}, "req_id": 3}),
    )
    .await;
    assert_eq!(
        ws.reply("amend_order", 3).await["error"],
        "EGeneral:Invalid arguments:trigger_price_type"
    );

    ws.send(json!({"method": "cancel_order", "params": {"cl_ord_id": ["amend-1"], "token": token}, "req_id": 4}))
        .await;
    assert_eq!(ws.reply("cancel_order", 4).await["success"], true);
    let (v, kinds) = next_executions(&mut ws).await;
    assert_eq!(kinds, ["canceled"], "{v}");
    // A trade through its trigger finds nothing to fire.
    k.trade("BTC/USD", Side::Sell, d("28000.0"), d("1")).unwrap();
    assert!(k.fills().is_empty());
    assert!(!fired(&k, &id));
    assert!(k.open_orders().is_empty());

    // cancel_all takes untriggered stops too.
    place(&mut ws, &token, 5, stop("sell", "0.01", "27000.0", None, "all-1")).await;
    ws.send(json!({"method": "cancel_all", "params": {"token": token}, "req_id": 6}))
        .await;
    assert_eq!(ws.reply("cancel_all", 6).await["result"]["count"], 1);
    assert!(k.open_orders().is_empty());
}

#[tokio::test]
async fn triggers_other_than_a_static_last_price_and_bad_trigger_prices_are_refused() {
    let k = start();
    k.trade("BTC/USD", Side::Buy, d("30000.0"), d("0.1")).unwrap();
    let (mut ws, token) = private_session(&k).await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut p = stop("buy", "0.01", "31000.0", Some("31050.0"), "bad-1");
        f(&mut p);
        p
    };
    let cases = [
        (
            with(&|p| p["triggers"]["reference"] = json!("index")),
            "EGeneral:Invalid arguments:triggers",
        ),
        (
            with(&|p| p["triggers"]["price_type"] = json!("pct")),
            "EGeneral:Invalid arguments:triggers",
        ),
        (
            with(&|p| p["triggers"] = json!({"reference": "last"})),
            "EGeneral:Invalid arguments:triggers",
        ),
        (
            with(&|p| p["triggers"]["price"] = json!(0)),
            "EGeneral:Invalid arguments:triggers",
        ),
        (
            with(&|p| p["triggers"]["price"] = json!(-31000.0)),
            "EGeneral:Invalid arguments:triggers",
        ),
        (
            with(&|p| p["triggers"]["price"] = json!(31000.05)),
            "EGeneral:Invalid arguments:triggers",
        ),
        (
            with(&|p| p["order_type"] = json!("limit")),
            "EGeneral:Invalid arguments:triggers",
        ),
        (
            with(&|p| p["order_type"] = json!("stop-loss")),
            "EGeneral:Invalid arguments:limit_price",
        ),
        (
            with(&|p| {
                p.as_object_mut().unwrap().remove("limit_price");
            }),
            "EOrder:Invalid price",
        ),
    ];
    for (i, (params, error)) in cases.into_iter().enumerate() {
        ws.send(add(&token, i as i64, params)).await;
        let r = ws.reply("add_order", i as i64).await;
        assert_eq!(
            (r["success"].clone(), r["error"].clone()),
            (json!(false), json!(error)),
            "case {i}"
        );
    }
    assert!(k.open_orders().is_empty());
    // Over REST: `price` is the trigger, `price2` the limit.
    let v = private(
        &k,
        "AddOrder",
        "pair=XBTUSD&type=buy&ordertype=stop-loss-limit&volume=0.01&price=31000.0&price2=31050.0",
    )
    .await;
    assert_eq!(
        v["result"]["descr"]["order"], "buy 0.01000000 XBTUSD @ stop loss 31000.0 -> limit 31050.0",
        "{v}"
    );
    let o = k.open_orders().pop().unwrap();
    assert_eq!(
        (o.limit_price, o.trigger.map(|t| t.price)),
        (Some(d("31050.0")), Some(d("31000.0")))
    );
    let v = private(
        &k,
        "AddOrder",
        "pair=XBTUSD&type=buy&ordertype=stop-loss&volume=0.01&price=31000.0&trigger=index",
    )
    .await;
    assert_eq!(v["error"][0], "EGeneral:Invalid arguments:trigger");
}
