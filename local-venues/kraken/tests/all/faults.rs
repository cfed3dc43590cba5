//! Misbehaviour on request: drops, silence, garbage frames, lost replies.

use std::time::{Duration, Instant};

use crate::support::*;
use local_kraken::{ConnKind, LocalKraken, LocalKrakenConfig, Side, Target};
use serde_json::json;

fn quick() -> LocalKrakenConfig {
    LocalKrakenConfig {
        heartbeat_interval: Duration::from_millis(100),
        ..config()
    }
}

/// Reads what was already on the wire when a silence began.
async fn drain(ws: &mut Ws) {
    while ws.next_text(Duration::from_millis(150)).await.is_some() {}
}

async fn subscribed_public(k: &LocalKraken) -> Ws {
    let mut ws = Ws::connect(&k.ws_public_url()).await;
    ws.send(json!({"method": "subscribe", "params": {"channel": "trade", "symbol": ["BTC/USD"]}, "req_id": 1}))
        .await;
    ws.reply("subscribe", 1).await;
    ws
}

#[tokio::test]
async fn dropping_connections_by_kind() {
    let k = start();
    let mut public = subscribed_public(&k).await;
    let (mut private, _) = private_session(&k).await;
    assert_eq!(k.drop_connections(Target::Public), 1);
    assert!(public.closed_within(WAIT).await);
    assert!(
        !private.closed_within(Duration::from_millis(300)).await,
        "the private socket stays"
    );
    assert_eq!(k.connections(ConnKind::Public).open, 0);
    assert_eq!(k.connections(ConnKind::Private).open, 1);
    let mut public = subscribed_public(&k).await;
    assert_eq!(k.drop_connections(Target::Both), 2);
    assert!(public.closed_within(WAIT).await);
    assert!(private.closed_within(WAIT).await);
    assert_eq!(k.connections(ConnKind::Public).accepted, 2);
}

#[tokio::test]
async fn a_silent_socket_stays_open_but_says_nothing_until_resumed() {
    let k = LocalKraken::start(quick()).unwrap();
    let mut ws = subscribed_public(&k).await;
    ws.until(|v| v["channel"] == "trade").await;
    assert!(ws
        .next_text(Duration::from_millis(500))
        .await
        .unwrap()
        .contains("heartbeat"));
    k.go_silent(Target::Public, None);
    drain(&mut ws).await;
    k.trade("BTC/USD", Side::Buy, d("30000.0"), d("1")).unwrap();
    assert_eq!(
        ws.next_text(Duration::from_millis(500)).await,
        None,
        "no data, no heartbeats"
    );
    assert_eq!(k.connections(ConnKind::Public).open, 1, "and the socket is still open");
    k.resume(Target::Public);
    assert!(ws
        .next_text(Duration::from_millis(500))
        .await
        .unwrap()
        .contains("heartbeat"));
    // A timed silence ends by itself, and not before its time.
    let start = Instant::now();
    k.go_silent(Target::Both, Some(Duration::from_millis(800)));
    drain(&mut ws).await;
    assert!(ws.next_text(Duration::from_secs(3)).await.is_some());
    assert!(start.elapsed() >= Duration::from_millis(800));
}

#[tokio::test]
async fn garbage_frames_arrive_and_the_socket_carries_on() {
    let k = start();
    let mut ws = subscribed_public(&k).await;
    ws.until(|v| v["channel"] == "trade").await;
    k.send_garbage(Target::Public);
    let mut first = ws.next_text(WAIT).await.unwrap();
    while first.contains("heartbeat") {
        first = ws.next_text(WAIT).await.unwrap();
    }
    assert!(serde_json::from_str::<serde_json::Value>(&first).is_err(), "{first}");
    let second = ws.next_json().await;
    assert_eq!(second["channel"], "surprise");
    k.trade("BTC/USD", Side::Buy, d("30000.0"), d("1")).unwrap();
    ws.until(|v| v["channel"] == "trade" && v["type"] == "update").await;
}

#[tokio::test]
async fn a_lost_reply_still_places_the_order_once() {
    let k = start();
    let (mut ws, token) = private_session(&k).await;
    k.lose_next_add_order_reply(false);
    let order = json!({"order_type": "limit", "side": "buy", "symbol": "BTC/USD", "order_qty": 0.01, "limit_price": 20000.0, "cl_ord_id": "lost-1", "token": token});
    ws.send(json!({"method": "add_order", "params": order, "req_id": 5}))
        .await;
    let v = ws.next_json().await;
    assert_eq!(
        v["channel"], "executions",
        "the executions come, the reply does not: {v}"
    );
    assert_eq!(v["data"][0]["cl_ord_id"], "lost-1");
    assert_eq!(k.orders_accepted("lost-1"), 1);
    // The next add_order is answered again.
    let mut again = order.clone();
    again["cl_ord_id"] = json!("lost-2");
    ws.send(json!({"method": "add_order", "params": again, "req_id": 6}))
        .await;
    assert_eq!(ws.reply("add_order", 6).await["success"], true);
    // With the drop: the socket goes, the order stays, and fills.
    k.lose_next_add_order_reply(true);
    let mut third = order;
    third["cl_ord_id"] = json!("lost-3");
    ws.send(json!({"method": "add_order", "params": third, "req_id": 7}))
        .await;
    assert!(ws.closed_within(WAIT).await);
    assert_eq!(k.orders_accepted("lost-3"), 1);
    k.trade("BTC/USD", Side::Sell, d("20000.0"), d("1")).unwrap();
    assert_eq!(k.fills().len(), 3);
    // A new session sees the fills in its snapshot.
    let (_ws, _) = private_session(&k).await;
}
