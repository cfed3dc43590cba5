//! Market streams: the combined wrapper, runtime SUBSCRIBE/UNSUBSCRIBE, contiguous depth ids and gaps on request, pings, drops, serverShutdown and the message rate.

use std::time::Duration;

use local_binance::{LocalBinance, LocalBinanceConfig};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::support::{d, wait_until, Ws};

fn start() -> LocalBinance {
    LocalBinance::start(LocalBinanceConfig::default()).unwrap()
}

#[tokio::test]
async fn combined_streams_carry_trades_klines_and_tickers_in_the_wrapper() {
    let b = start();
    let url = format!(
        "{}/stream?streams=btcusdt@trade/btcusdt@kline_1m/btcusdt@bookTicker",
        b.ws_stream_url()
    );
    let mut ws = Ws::connect(&url).await;
    assert!(wait_until(|| b.subscribers("btcusdt@trade") == 1).await);
    b.trade("BTCUSDT", d("30000.5"), d("0.25"), true).unwrap();
    let trade = ws.next().await.unwrap();
    assert_eq!(trade["stream"], "btcusdt@trade");
    let data = &trade["data"];
    assert_eq!(
        (data["e"].as_str(), data["s"].as_str(), data["t"].as_u64()),
        (Some("trade"), Some("BTCUSDT"), Some(1))
    );
    assert_eq!(
        (data["p"].as_str(), data["q"].as_str(), data["m"].as_bool()),
        (Some("30000.50000000"), Some("0.25000000"), Some(true))
    );
    let kline = ws.next().await.unwrap();
    assert_eq!(
        (kline["stream"].as_str(), kline["data"]["k"]["x"].as_bool()),
        (Some("btcusdt@kline_1m"), Some(false))
    );
    // The minute ends: the kline closes.
    b.advance_to(b.now_ms() + 60_000).unwrap();
    let closed = ws.next().await.unwrap();
    assert_eq!(closed["data"]["k"]["x"], true);
    assert_eq!(closed["data"]["k"]["c"], "30000.50000000");
    b.set_levels("BTCUSDT", &[(d("29999"), d("1"))], &[(d("30001"), d("2"))])
        .unwrap();
    let ticker = ws.next().await.unwrap();
    assert_eq!(ticker["stream"], "btcusdt@bookTicker");
    assert_eq!(
        (ticker["data"]["b"].as_str(), ticker["data"]["A"].as_str()),
        (Some("29999.00000000"), Some("2.00000000"))
    );
}

#[tokio::test]
async fn subscribe_unsubscribe_and_list_at_runtime() {
    let b = start();
    let mut ws = Ws::connect(&format!("{}/ws", b.ws_stream_url())).await;
    ws.send(r#"{"method":"SUBSCRIBE","params":["btcusdt@depth@100ms","ethusdt@trade"],"id":1}"#)
        .await;
    assert_eq!(ws.next().await.unwrap(), json!({"result": null, "id": 1}));
    ws.send(r#"{"method":"LIST_SUBSCRIPTIONS","id":"list"}"#).await;
    assert_eq!(
        ws.next().await.unwrap(),
        json!({"result": ["btcusdt@depth@100ms", "ethusdt@trade"], "id": "list"})
    );
    // A bare (`/ws`) connection gets payloads without the wrapper.
    b.set_levels("BTCUSDT", &[(d("10"), d("1"))], &[]).unwrap();
    let diff = ws.next().await.unwrap();
    assert_eq!(diff["e"], "depthUpdate");
    ws.send(r#"{"method":"UNSUBSCRIBE","params":["btcusdt@depth@100ms"],"id":2}"#)
        .await;
    assert_eq!(ws.next().await.unwrap(), json!({"result": null, "id": 2}));
    assert!(wait_until(|| b.subscribers("btcusdt@depth@100ms") == 0).await);
    ws.send(r#"{"method":"SUBSCRIBE","params":["btcusdt@nonsense"],"id":3}"#)
        .await;
    let refused = ws.next().await.unwrap();
    assert_eq!(
        (refused["error"]["code"].as_i64(), refused["id"].as_i64()),
        (Some(2), Some(3))
    );
    ws.send("{not json").await;
    assert_eq!(ws.next().await.unwrap()["error"]["code"], 3);
    assert_eq!(b.subscribe_requests(), 2);
}

#[tokio::test]
async fn depth_diffs_are_contiguous_until_a_gap_is_asked_for() {
    let b = start();
    let mut ws = Ws::connect(&format!("{}/stream?streams=btcusdt@depth@100ms", b.ws_stream_url())).await;
    assert!(wait_until(|| b.subscribers("btcusdt@depth@100ms") == 1).await);
    b.set_levels("BTCUSDT", &[(d("10"), d("1")), (d("9"), d("1"))], &[])
        .unwrap();
    b.set_levels("BTCUSDT", &[(d("10"), d("0"))], &[(d("11"), d("1"))])
        .unwrap();
    let first = ws.next().await.unwrap()["data"].clone();
    let second = ws.next().await.unwrap()["data"].clone();
    assert_eq!(second["U"].as_u64().unwrap(), first["u"].as_u64().unwrap() + 1);
    assert_eq!(second["b"], json!([["10.00000000", "0.00000000"]]));
    b.skip_depth_updates("BTCUSDT", 3).unwrap();
    b.set_levels("BTCUSDT", &[(d("8"), d("1"))], &[]).unwrap();
    let gapped = ws.next().await.unwrap()["data"].clone();
    assert_eq!(gapped["U"].as_u64().unwrap(), second["u"].as_u64().unwrap() + 4);
    let (id, bids, _) = b.book("BTCUSDT", 10).unwrap();
    assert_eq!(id, gapped["u"].as_u64().unwrap());
    assert_eq!(bids, vec![(d("9"), d("1")), (d("8"), d("1"))]);
}

#[tokio::test]
async fn pings_drops_shutdown_and_the_message_rate() {
    let config = LocalBinanceConfig {
        // Each ping draws a pong, which counts against the five messages a second.
        ping_interval: Duration::from_millis(300),
        ..Default::default()
    };
    let b = LocalBinance::start(config).unwrap();
    let mut ws = Ws::connect(&format!("{}/ws", b.ws_stream_url())).await;
    let mut pinged = false;
    for _ in 0..10 {
        if let Some(Message::Ping(payload)) = ws.next_frame().await {
            pinged = payload.as_ref() == b"local-binance";
            break;
        }
    }
    assert!(pinged, "the server pings");
    b.server_shutdown();
    assert_eq!(ws.next().await.unwrap()["e"], "serverShutdown");
    b.drop_connections();
    assert!(ws.closed().await);
    assert!(wait_until(|| b.connections() == 0).await);

    // Six control messages within a second: past Binance's five, the socket closes.
    let mut chatty = Ws::connect(&format!("{}/ws", b.ws_stream_url())).await;
    for id in 0..6 {
        chatty
            .send(&format!(r#"{{"method":"LIST_SUBSCRIPTIONS","id":{id}}}"#))
            .await;
    }
    assert!(chatty.closed().await);
}
