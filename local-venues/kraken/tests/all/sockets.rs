//! Socket rules: subscription counting, the zero-subscription close, heartbeats, ping, and
//! hostile input that must get a reply, never a crash.

use std::time::Duration;

use crate::support::*;
use local_kraken::{ConnKind, LocalKraken, LocalKrakenConfig, SubscriptionKey};
use serde_json::json;

fn book(req: i64, method: &str) -> serde_json::Value {
    json!({"method": method, "params": {"channel": "book", "symbol": ["BTC/USD", "ETH/USD"], "depth": 25}, "req_id": req})
}

#[tokio::test]
async fn subscriptions_are_counted_over_sockets() {
    let k = start();
    let mut a = Ws::connect(&k.ws_public_url()).await;
    let mut b = Ws::connect(&k.ws_public_url()).await;
    a.send(book(1, "subscribe")).await;
    a.reply("subscribe", 1).await;
    a.reply("subscribe", 1).await;
    b.send(book(1, "subscribe")).await;
    b.reply("subscribe", 1).await;
    b.reply("subscribe", 1).await;
    assert_eq!(k.subscriptions("book", Some("BTC/USD")), 2);
    assert_eq!(k.subscriptions("book", Some("ETH/USD")), 2);
    // Twice on one socket is refused and not counted twice.
    a.send(book(2, "subscribe")).await;
    assert_eq!(a.reply("subscribe", 2).await["error"], "Already subscribed");
    a.send(book(3, "unsubscribe")).await;
    let r = a.reply("unsubscribe", 3).await;
    assert_eq!(
        r["result"],
        json!({"channel": "book", "symbol": "BTC/USD", "depth": 25})
    );
    assert_eq!(k.subscriptions("book", Some("BTC/USD")), 1);
    let counts = k.subscription_messages(ConnKind::Public);
    assert_eq!((counts.subscribe, counts.unsubscribe), (3, 1));
    drop(b);
    wait_until(|| k.subscriptions("book", Some("ETH/USD")) == 0).await;
    let (_p, _) = private_session(&k).await;
    let active = k.active_subscriptions();
    assert_eq!(active.get(&SubscriptionKey::new("executions", None)), Some(&1));
    assert_eq!(active.get(&SubscriptionKey::new("balances", None)), Some(&1));
    assert_eq!(k.subscription_messages(ConnKind::Private).subscribe, 2);
}

#[tokio::test]
async fn a_socket_without_subscriptions_is_closed_after_the_grace() {
    let cfg = LocalKrakenConfig {
        idle_close: Duration::from_millis(300),
        ..config()
    };
    let k = LocalKraken::start(cfg).unwrap();
    let mut idle = Ws::connect(&k.ws_public_url()).await;
    let mut busy = Ws::connect(&k.ws_public_url()).await;
    busy.send(json!({"method": "subscribe", "params": {"channel": "heartbeat"}, "req_id": 1}))
        .await;
    busy.reply("subscribe", 1).await;
    assert!(idle.closed_within(Duration::from_secs(2)).await);
    assert!(!busy.closed_within(Duration::from_millis(800)).await);
    // Unsubscribing the last channel starts the grace again.
    busy.send(json!({"method": "unsubscribe", "params": {"channel": "heartbeat"}, "req_id": 2}))
        .await;
    assert!(busy.closed_within(Duration::from_secs(2)).await);
    let mut private = Ws::connect(&k.ws_private_url()).await;
    assert!(
        private.closed_within(Duration::from_secs(2)).await,
        "private sockets too"
    );
}

#[tokio::test]
async fn heartbeats_ping_and_the_status_message() {
    let k = start();
    let mut ws = Ws::connect(&k.ws_public_url()).await;
    let status: serde_json::Value = serde_json::from_str(&ws.next_text(WAIT).await.unwrap()).unwrap();
    assert_eq!(
        (status["channel"].clone(), status["data"][0]["system"].clone()),
        (json!("status"), json!("online"))
    );
    ws.send(json!({"method": "ping", "req_id": 42})).await;
    let pong = ws.reply("pong", 42).await;
    assert!(pong["time_in"].as_str().unwrap().ends_with('Z'));
    ws.send(json!({"method": "subscribe", "params": {"channel": "ticker", "symbol": ["BTC/USD"]}, "req_id": 1}))
        .await;
    ws.reply("subscribe", 1).await;
    let beat = ws.next_text(Duration::from_millis(2500)).await.unwrap();
    let beat = if beat.contains("ticker") {
        ws.next_text(Duration::from_millis(2500)).await.unwrap()
    } else {
        beat
    };
    assert_eq!(beat, r#"{"channel":"heartbeat"}"#);
}

#[tokio::test]
async fn hostile_input_gets_replies_not_crashes() {
    let k = start();
    let token = token(&k).await;
    for url in [k.ws_public_url(), k.ws_private_url()] {
        let mut ws = Ws::connect(&url).await;
        let inputs = [
            "{not json".to_string(),
            "[]".to_string(),
            "null".to_string(),
            r#"{"method":5}"#.to_string(),
            r#"{"method":"subscribe"}"#.to_string(),
            r#"{"method":"subscribe","params":{"channel":"book","symbol":"BTC/USD"}}"#.to_string(),
            r#"{"method":"subscribe","params":{"channel":"ohlc","symbol":["BTC/USD"],"interval":7}}"#.to_string(),
            format!(
                r#"{{"method":"add_order","params":{{"token":"{token}","order_type":"limit","side":"buy","symbol":"BTC/USD","order_qty":1e400,"limit_price":-1}}}}"#
            ),
            format!(
                r#"{{"method":"add_order","params":{{"token":"{token}","order_type":"limit","side":"up","symbol":"BTC/USD","order_qty":"x"}}}}"#
            ),
            format!(
                r#"{{"method":"add_order","params":{{"token":"{token}","order_type":"limit","side":"buy","symbol":"BTC/USD","order_qty":1e20,"limit_price":1e20}}}}"#
            ),
            format!(
                r#"{{"method":"add_order","params":{{"token":"{token}","order_type":"market","side":"sell","symbol":"BTC/USD","order_qty":79228162514264337593543950335}}}}"#
            ),
            format!(
                r#"{{"method":"add_order","params":{{"token":"{token}","order_type":"limit","side":"buy","symbol":"BTC/USD","order_qty":1e-30,"limit_price":1e28}}}}"#
            ),
            format!(r#"{{"method":"batch_add","params":{{"token":"{token}","symbol":"BTC/USD","orders":[]}}}}"#),
            format!(r#"{{"method":"amend_order","params":{{"token":"{token}","order_id":"nope","order_qty":1}}}}"#),
            format!(r#"{{"method":"cancel_order","params":{{"token":"{token}"}}}}"#),
            format!(r#"{{"method":"cancel_all_orders_after","params":{{"token":"{token}","timeout":-1}}}}"#),
            r#"{"method":"fly","req_id":1}"#.to_string(),
            "x".repeat(100_000),
        ];
        for input in &inputs {
            ws.send_text(input).await;
            let reply: serde_json::Value = serde_json::from_str(&ws.next_data_text().await).unwrap();
            assert_eq!(reply["success"], false, "{input:.80} -> {reply}");
        }
        ws.send(json!({"method": "ping", "req_id": 9})).await;
        ws.reply("pong", 9).await;
    }
    assert_eq!(k.open_orders().len(), 0);
}
