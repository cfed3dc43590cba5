//! Trading over `/auth/v2`: resting and filling, taking, funds, minimums, post-only, amend,
//! cancel, the rate counter, the dead-man switch, the executions snapshot.

use crate::support::*;
use local_kraken::{LocalKraken, LocalKrakenConfig, Side};
use serde_json::{json, Value};

fn add(token: &str, req_id: i64, params: Value) -> Value {
    let mut p = params;
    p["token"] = json!(token);
    json!({"method": "add_order", "params": p, "req_id": req_id})
}

fn limit(side: &str, qty: &str, price: &str) -> Value {
    let qty: Value = serde_json::from_str(qty).unwrap();
    let price: Value = serde_json::from_str(price).unwrap();
    json!({"order_type": "limit", "side": side, "symbol": "BTC/USD", "order_qty": qty, "limit_price": price})
}

async fn exec(ws: &mut Ws, exec_type: &str) -> Value {
    let v = ws
        .until(|v| v["channel"] == "executions" && v["type"] == "update")
        .await;
    let e = v["data"][0].clone();
    assert_eq!(e["exec_type"], exec_type, "{v}");
    e
}

#[tokio::test]
async fn a_limit_order_rests_then_fills_on_trades() {
    let k = start();
    let (mut ws, token) = private_session(&k).await;
    let mut p = limit("buy", "0.01", "29000.0");
    p["cl_ord_id"] = json!("rest-then-fill");
    ws.send(add(&token, 10, p)).await;
    let reply = ws.reply("add_order", 10).await;
    assert_eq!(reply["success"], true, "{reply}");
    let order_id = reply["result"]["order_id"].as_str().unwrap().to_string();
    assert_eq!(reply["result"]["cl_ord_id"], "rest-then-fill");
    assert_eq!(order_id.len(), 19);
    let update = ws.until(|v| v["channel"] == "executions").await;
    let reports: Vec<&str> = update["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["exec_type"].as_str().unwrap())
        .collect();
    assert_eq!(reports, ["pending_new", "new"]);
    assert_eq!(update["data"][0]["order_status"], "pending_new");

    // A trade above the limit does not reach it; one at it fills partly, as maker.
    k.trade("BTC/USD", Side::Sell, d("29000.1"), d("1")).unwrap();
    k.trade("BTC/USD", Side::Sell, d("29000.0"), d("0.004")).unwrap();
    let t = exec(&mut ws, "trade").await;
    assert_eq!(
        (t["order_id"].as_str().unwrap(), t["liquidity_ind"].as_str().unwrap()),
        (order_id.as_str(), "m")
    );
    assert_eq!(t["order_status"], "partially_filled");
    assert_eq!(t["fees"][0]["asset"], "USD");
    let b = ws.until(|v| v["channel"] == "balances" && v["type"] == "update").await;
    assert_eq!(b["data"].as_array().unwrap().len(), 2, "{b}");
    // The rest fills on a bigger trade below the limit, at the limit.
    k.trade("BTC/USD", Side::Sell, d("28990.0"), d("5")).unwrap();
    let v = ws
        .until(|v| v["channel"] == "executions" && v["type"] == "update")
        .await;
    let kinds: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["exec_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["trade", "filled"], "{v}");
    // Kraken's quirk: the completing trade still says partially_filled; `filled` completes.
    assert_eq!(
        (v["data"][0]["order_status"].clone(), v["data"][0]["cum_qty"].clone()),
        (json!("partially_filled"), json!(0.01))
    );
    assert_eq!(v["data"][1]["order_status"], "filled");
    assert_eq!(v["data"][0]["last_price"], 29000.0);
    assert_ne!(v["data"][0]["exec_id"], t["exec_id"]);
    assert_ne!(v["data"][0]["trade_id"], t["trade_id"]);
    let fills = k.fills();
    assert_eq!(fills.len(), 2);
    // 0.01 × 29000 = 290 USD, maker fee 0.16 % = 0.464 USD.
    assert_eq!(k.balances()["USD"], d("100000") - d("290") - d("0.464"));
    assert_eq!(k.balances()["BTC"], d("0.01"));
    assert_eq!(k.orders_accepted("rest-then-fill"), 1);
    assert!(k.open_orders().is_empty());

    // A new session's snapshot repeats the fills (what the host must dedupe).
    let (mut ws2, _) = (Ws::connect(&k.ws_private_url()).await, ());
    ws2.send(json!({"method": "subscribe", "params": {"channel": "executions", "token": token, "snap_trades": true}, "req_id": 1}))
        .await;
    let snap = ws2
        .until(|v| v["channel"] == "executions" && v["type"] == "snapshot")
        .await;
    let ids: Vec<&Value> = snap["data"].as_array().unwrap().iter().map(|e| &e["exec_id"]).collect();
    assert_eq!(ids, [&json!(fills[0].exec_id), &json!(fills[1].exec_id)]);
}

#[tokio::test]
async fn a_market_order_takes_the_book_and_a_crossing_post_only_is_refused() {
    let k = start();
    k.book_snapshot(
        "BTC/USD",
        &[(d("29999.0"), d("1"))],
        &[(d("30000.0"), d("0.01")), (d("30001.0"), d("1"))],
    )
    .unwrap();
    let (mut ws, token) = private_session(&k).await;
    let mut p = limit("buy", "0.01", "30000.0");
    p["post_only"] = json!(true);
    ws.send(add(&token, 1, p)).await;
    let r = ws.reply("add_order", 1).await;
    assert_eq!(
        (r["success"].clone(), r["error"].clone()),
        (json!(false), json!("EOrder:Post only order"))
    );
    ws.send(add(
        &token,
        2,
        json!({"order_type": "market", "side": "buy", "symbol": "BTC/USD", "order_qty": 0.02}),
    ))
    .await;
    assert_eq!(ws.reply("add_order", 2).await["success"], true);
    let v = ws
        .until(|v| v["channel"] == "executions" && v["data"][0]["exec_type"] == "pending_new")
        .await;
    let kinds: Vec<&str> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["exec_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["pending_new", "new", "trade", "trade", "filled"], "{v}");
    assert_eq!(v["data"][2]["liquidity_ind"], "t");
    assert_eq!(
        (v["data"][2]["last_price"].clone(), v["data"][3]["last_price"].clone()),
        (json!(30000.0), json!(30001.0))
    );
    let (_, asks) = k.book_top10("BTC/USD").unwrap();
    assert_eq!(
        (asks[0].price, asks[0].qty),
        (d("30001.0"), d("0.99")),
        "the taker consumed the book"
    );
    assert_eq!(
        k.recent_trades("BTC/USD").unwrap().len(),
        2,
        "its fills printed on the tape"
    );
}

#[tokio::test]
async fn funds_minimums_increments_and_duplicates_are_refused() {
    let k = start();
    let (mut ws, token) = private_session(&k).await;
    let cases = [
        (limit("buy", "10", "29000.0"), "EOrder:Insufficient funds"),
        (limit("sell", "0.01", "29000.0"), "EOrder:Insufficient funds"),
        (limit("buy", "0.00001", "29000.0"), "EOrder:Order minimum not met"),
        (limit("buy", "0.0001", "1.0"), "EOrder:Cost minimum not met"),
        (limit("buy", "0.01", "29000.05"), "EOrder:Invalid price"),
        (
            limit("buy", "0.000000001", "29000.0"),
            "EGeneral:Invalid arguments:order_qty",
        ),
        (
            json!({"order_type": "limit", "side": "buy", "symbol": "DOGE/USD", "order_qty": 1, "limit_price": 1}),
            "EQuery:Unknown asset pair",
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
    // 3 BTC at 33300 = 99900 USD fits, but not with the 0.26 % taker fee on top: the fee is
    // part of the check.
    ws.send(add(&token, 20, limit("buy", "3", "33300.0"))).await;
    assert_eq!(ws.reply("add_order", 20).await["error"], "EOrder:Insufficient funds");
    let mut p = limit("buy", "0.01", "20000.0");
    p["cl_ord_id"] = json!("dup");
    ws.send(add(&token, 21, p.clone())).await;
    assert_eq!(ws.reply("add_order", 21).await["success"], true);
    ws.send(add(&token, 22, p)).await;
    assert_eq!(ws.reply("add_order", 22).await["error"], "EOrder:Duplicate cl_ord_id");
    assert_eq!(k.orders_accepted("dup"), 1);
    // validate: checked, not placed.
    let mut p = limit("buy", "0.01", "20000.0");
    p["validate"] = json!(true);
    ws.send(add(&token, 23, p)).await;
    assert_eq!(ws.reply("add_order", 23).await["result"]["order_id"], "");
    assert_eq!(k.open_orders().len(), 1);
    // A made-up token is refused.
    ws.send(add("made-up", 24, limit("buy", "0.01", "20000.0"))).await;
    assert_eq!(ws.reply("add_order", 24).await["error"], "ESession:Invalid session");
}

#[tokio::test]
async fn amend_keeps_the_id_and_cancels_by_either_id() {
    let k = start();
    let (mut ws, token) = private_session(&k).await;
    let mut p = limit("buy", "0.01", "20000.0");
    p["cl_ord_id"] = json!("amend-me");
    ws.send(add(&token, 1, p)).await;
    let id = ws.reply("add_order", 1).await["result"]["order_id"]
        .as_str()
        .unwrap()
        .to_string();
    ws.send(json!({"method": "amend_order", "params": {"cl_ord_id": "amend-me", "order_qty": 0.02, "limit_price": 20001.5, "token": token}, "req_id": 2}))
        .await;
    let r = ws.reply("amend_order", 2).await;
    assert_eq!(
        (r["success"].clone(), r["result"]["order_id"].clone()),
        (json!(true), json!(id)),
        "{r}"
    );
    let a = ws
        .until(|v| v["channel"] == "executions" && v["data"][0]["exec_type"] == "amended")
        .await;
    assert_eq!(
        (a["data"][0]["order_qty"].clone(), a["data"][0]["limit_price"].clone()),
        (json!(0.02), json!(20001.5))
    );
    let o = k.order(&id).unwrap();
    assert_eq!((o.order_qty, o.limit_price), (d("0.02"), Some(d("20001.5"))));
    ws.send(json!({"method": "cancel_order", "params": {"cl_ord_id": ["amend-me", "unknown"], "token": token}, "req_id": 3}))
        .await;
    let first = ws.reply("cancel_order", 3).await;
    assert_eq!(
        (first["success"].clone(), first["result"]["order_id"].clone()),
        (json!(true), json!(id))
    );
    let second = ws.reply("cancel_order", 3).await;
    assert_eq!(second["error"], "EOrder:Unknown order");
    let c = ws
        .until(|v| v["channel"] == "executions" && v["data"][0]["exec_type"] == "canceled")
        .await;
    assert_eq!(c["data"][0]["order_id"], json!(id));
    ws.send(add(&token, 4, limit("buy", "0.01", "20000.0"))).await;
    ws.reply("add_order", 4).await;
    ws.send(add(&token, 5, limit("buy", "0.01", "20000.0"))).await;
    ws.reply("add_order", 5).await;
    ws.send(json!({"method": "cancel_all", "params": {"token": token}, "req_id": 6}))
        .await;
    assert_eq!(ws.reply("cancel_all", 6).await["result"]["count"], 2);
    assert!(k.open_orders().is_empty());
}

#[tokio::test]
async fn the_rate_counter_refuses_the_sixty_first_add_until_it_decays() {
    let k = start();
    let (mut ws, token) = private_session(&k).await;
    for i in 0..60 {
        ws.send(add(&token, i, limit("buy", "0.0001", "10000.0"))).await;
        let r = ws.reply("add_order", i).await;
        assert_eq!(r["success"], true, "add {i}: {r}");
    }
    ws.send(add(&token, 60, limit("buy", "0.0001", "10000.0"))).await;
    assert_eq!(ws.reply("add_order", 60).await["error"], "EOrder:Rate limit exceeded");
    assert_eq!(k.open_orders().len(), 60);
    // Per pair: ETH/USD is not throttled by BTC/USD's counter.
    let mut eth = limit("buy", "0.01", "1000.00");
    eth["symbol"] = json!("ETH/USD");
    ws.send(add(&token, 61, eth)).await;
    assert_eq!(ws.reply("add_order", 61).await["success"], true);
    // One second of exchange time decays one.
    k.advance_by(1_000).unwrap();
    ws.send(add(&token, 62, limit("buy", "0.0001", "10000.0"))).await;
    assert_eq!(ws.reply("add_order", 62).await["success"], true);
    ws.send(add(&token, 63, limit("buy", "0.0001", "10000.0"))).await;
    assert_eq!(ws.reply("add_order", 63).await["error"], "EOrder:Rate limit exceeded");
}

#[tokio::test]
async fn the_dead_man_switch_cancels_everything_unless_refreshed() {
    let k = start();
    let (mut ws, token) = private_session(&k).await;
    for i in 0..3 {
        ws.send(add(&token, i, limit("buy", "0.01", "20000.0"))).await;
        ws.reply("add_order", i).await;
    }
    ws.send(json!({"method": "cancel_all_orders_after", "params": {"timeout": 60, "token": token}, "req_id": 10}))
        .await;
    let r = ws.reply("cancel_all_orders_after", 10).await;
    assert_eq!(r["result"]["currentTime"], "2023-11-14T22:15:00.000000Z", "{r}");
    assert_eq!(r["result"]["triggerTime"], "2023-11-14T22:16:00.000000Z");
    // Refreshed at 50 s: still armed at 61 s.
    k.advance_by(50_000).unwrap();
    ws.send(json!({"method": "cancel_all_orders_after", "params": {"timeout": 60, "token": token}, "req_id": 11}))
        .await;
    ws.reply("cancel_all_orders_after", 11).await;
    k.advance_by(11_000).unwrap();
    assert_eq!(k.open_orders().len(), 3);
    // Not refreshed: at 110 s every open order is cancelled and reported.
    k.advance_by(49_000).unwrap();
    assert!(k.open_orders().is_empty());
    assert_eq!(k.dead_man_deadline_ms(), None, "it disarms after firing");
    let v = ws
        .until(|v| v["channel"] == "executions" && v["data"][0]["exec_type"] == "canceled")
        .await;
    assert_eq!(v["data"].as_array().unwrap().len(), 3);
    assert_eq!(v["data"][0]["reason"], "Dead man's switch");
    // 0 disarms.
    ws.send(json!({"method": "cancel_all_orders_after", "params": {"timeout": 5, "token": token}, "req_id": 12}))
        .await;
    ws.reply("cancel_all_orders_after", 12).await;
    ws.send(json!({"method": "cancel_all_orders_after", "params": {"timeout": 0, "token": token}, "req_id": 13}))
        .await;
    assert_eq!(
        ws.reply("cancel_all_orders_after", 13).await["result"]["triggerTime"],
        "0"
    );
    assert_eq!(k.dead_man_deadline_ms(), None);
}

#[tokio::test]
async fn the_wall_clock_mode_fires_the_switch_on_its_own() {
    let cfg = LocalKrakenConfig {
        clock: local_kraken::ClockMode::Wall,
        ..LocalKrakenConfig::default()
    };
    let k = LocalKraken::start(cfg).unwrap();
    let (mut ws, token) = private_session(&k).await;
    ws.send(add(&token, 1, limit("buy", "0.01", "20000.0"))).await;
    ws.reply("add_order", 1).await;
    ws.send(json!({"method": "cancel_all_orders_after", "params": {"timeout": 1, "token": token}, "req_id": 2}))
        .await;
    ws.reply("cancel_all_orders_after", 2).await;
    ws.until(|v| v["channel"] == "executions" && v["data"][0]["exec_type"] == "canceled")
        .await;
    assert!(k.open_orders().is_empty());
}

#[tokio::test]
async fn order_status_false_leaves_out_pending_new_and_the_ack_names_the_counter() {
    let k = start();
    let token = token(&k).await;
    let mut ws = Ws::connect(&k.ws_private_url()).await;
    let sub = json!({"channel": "executions", "token": token, "order_status": false, "snap_orders": false});
    ws.send(json!({"method": "subscribe", "params": sub, "req_id": 1}))
        .await;
    let ack = ws.reply("subscribe", 1).await;
    assert_eq!(ack["result"]["maxratecount"], 60, "{ack}");
    ws.send(add(&token, 2, limit("buy", "0.01", "20000.0"))).await;
    ws.reply("add_order", 2).await;
    let v = ws.until(|v| v["channel"] == "executions").await;
    assert_eq!(v["data"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["data"][0]["exec_type"], "new");
}

#[tokio::test]
async fn tokens_wait_fifteen_minutes_for_their_first_use_then_last() {
    let k = start();
    let used = token(&k).await;
    let unused = token(&k).await;
    let mut ws = Ws::connect(&k.ws_private_url()).await;
    ws.send(json!({"method": "subscribe", "params": {"channel": "balances", "token": used}, "req_id": 1}))
        .await;
    assert_eq!(ws.reply("subscribe", 1).await["success"], true);
    k.advance_by(901_000).unwrap();
    ws.send(json!({"method": "subscribe", "params": {"channel": "executions", "token": unused}, "req_id": 2}))
        .await;
    assert_eq!(ws.reply("subscribe", 2).await["error"], "ESession:Invalid session");
    ws.send(json!({"method": "subscribe", "params": {"channel": "executions", "token": used}, "req_id": 3}))
        .await;
    assert_eq!(ws.reply("subscribe", 3).await["success"], true);
}

#[tokio::test]
async fn batch_add_is_all_or_nothing_on_invalid_orders() {
    let k = start();
    let (mut ws, token) = private_session(&k).await;
    let order = |side: &str, price: f64, cl: &str| json!({"order_type": "limit", "side": side, "order_qty": 0.01, "limit_price": price, "cl_ord_id": cl});
    let bad = json!({"method": "batch_add", "params": {"symbol": "BTC/USD", "token": token, "orders": [order("buy", 20000.0, "b-1"), order("buy", 20000.05, "b-2")]}, "req_id": 1});
    ws.send(bad).await;
    assert_eq!(ws.reply("batch_add", 1).await["error"], "EOrder:Invalid price");
    assert!(k.open_orders().is_empty(), "nothing placed");
    let good = json!({"method": "batch_add", "params": {"symbol": "BTC/USD", "token": token, "orders": [order("buy", 20000.0, "b-1"), order("buy", 20001.0, "b-2")]}, "req_id": 2});
    ws.send(good).await;
    let r = ws.reply("batch_add", 2).await;
    assert_eq!(r["success"], true, "{r}");
    assert_eq!(r["result"][1]["cl_ord_id"], "b-2");
    assert_eq!(k.open_orders().len(), 2);
    assert_eq!((k.orders_accepted("b-1"), k.orders_accepted("b-2")), (1, 1));
}
