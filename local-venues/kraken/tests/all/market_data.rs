//! Public market data: book checksums computed here from the message text, depth truncation,
//! the capture replayed, trades, candles from bars, ticker, instrument.

use std::collections::BTreeMap;
use std::str::FromStr;

use crate::support::*;
use local_kraken::{parse_bars_csv, BookCapture, LocalKraken, LocalKrakenConfig, PairSpec, Side};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::json;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct RawLevel {
    price: Box<RawValue>,
    qty: Box<RawValue>,
}

#[derive(Deserialize)]
struct RawBook {
    bids: Vec<RawLevel>,
    asks: Vec<RawLevel>,
    checksum: u32,
}

#[derive(Deserialize)]
struct RawMsg {
    #[serde(rename = "type")]
    kind: String,
    data: Vec<RawBook>,
}

/// A client's book, kept from the wire text (an implementation independent of the crate's).
struct ClientBook {
    depth: usize,
    bids: BTreeMap<Decimal, (String, String)>,
    asks: BTreeMap<Decimal, (String, String)>,
}

impl ClientBook {
    fn new(depth: usize) -> Self {
        ClientBook {
            depth,
            bids: BTreeMap::new(),
            asks: BTreeMap::new(),
        }
    }

    /// Applies a book message; returns (its checksum, the checksum computed here).
    fn apply(&mut self, text: &str) -> (u32, u32, usize) {
        let msg: RawMsg = serde_json::from_str(text).unwrap();
        let book = &msg.data[0];
        if msg.kind == "snapshot" {
            self.bids.clear();
            self.asks.clear();
        }
        for (side, levels) in [(&mut self.bids, &book.bids), (&mut self.asks, &book.asks)] {
            for l in levels {
                let (p, q) = (l.price.get().to_string(), l.qty.get().to_string());
                let key = Decimal::from_str(&p).unwrap();
                if Decimal::from_str(&q).unwrap().is_zero() {
                    side.remove(&key);
                } else {
                    side.insert(key, (p, q));
                }
            }
        }
        while self.bids.len() > self.depth {
            let k = *self.bids.keys().next().unwrap();
            self.bids.remove(&k);
        }
        while self.asks.len() > self.depth {
            let k = *self.asks.keys().next_back().unwrap();
            self.asks.remove(&k);
        }
        let mut s = String::new();
        for (p, q) in self.asks.values().take(10).chain(self.bids.values().rev().take(10)) {
            for t in [p, q] {
                let digits = t.replace('.', "");
                s.push_str(digits.trim_start_matches('0'));
            }
        }
        (
            book.checksum,
            crc32fast::hash(s.as_bytes()),
            book.bids.len() + book.asks.len(),
        )
    }
}

async fn subscribe_book(k: &LocalKraken, depth: u32) -> Ws {
    let mut ws = Ws::connect(&k.ws_public_url()).await;
    ws.send(json!({"method": "subscribe", "params": {"channel": "book", "symbol": ["BTC/USD"], "depth": depth}, "req_id": 1}))
        .await;
    let ack = ws.reply("subscribe", 1).await;
    assert_eq!(
        ack["result"],
        json!({"channel": "book", "symbol": "BTC/USD", "depth": depth, "snapshot": true})
    );
    ws
}

#[tokio::test]
async fn the_capture_replays_with_checksums_that_verify_from_the_text() {
    let k = start();
    let capture = BookCapture::btc_usd_fixture();
    k.seed_book(&capture).unwrap();
    let mut ws = subscribe_book(&k, 10).await;
    let mut client = ClientBook::new(10);
    let snapshot = ws.next_data_text().await;
    assert!(
        snapshot.contains(r#""price":29430.2,"qty":0.18967538"#),
        "numbers as Kraken prints them: {snapshot}"
    );
    assert!(
        snapshot.contains(r#""qty":4.00000000"#),
        "trailing zeros kept: {snapshot}"
    );
    let (sent, mine, _) = client.apply(&snapshot);
    assert_eq!((sent, mine), (capture.snapshot.checksum, capture.snapshot.checksum));
    k.replay_book_updates(&capture, 0..capture.updates.len()).unwrap();
    let mut received = 0;
    while client_top(&client) != k.book_top10("BTC/USD").unwrap() || received == 0 {
        let text = ws.next_data_text().await;
        let (sent, mine, _) = client.apply(&text);
        assert_eq!(sent, mine, "message {received}: {text}");
        received += 1;
    }
    // Every captured update changes the top 10, so each became one message, and the exchange's
    // book ends where Kraken's did.
    assert_eq!(received, capture.updates.len());
    assert_eq!(
        k.book_checksum("BTC/USD").unwrap(),
        capture.updates.last().unwrap().checksum
    );
}

fn client_top(c: &ClientBook) -> (Vec<local_kraken::Level>, Vec<local_kraken::Level>) {
    let level = |(p, (_, q)): (&Decimal, &(String, String))| local_kraken::Level {
        price: *p,
        qty: Decimal::from_str(q).unwrap(),
    };
    (
        c.bids.iter().rev().take(10).map(level).collect(),
        c.asks.iter().take(10).map(level).collect(),
    )
}

#[tokio::test]
async fn the_exchange_book_reproduces_every_captured_checksum() {
    let k = start();
    let capture = BookCapture::btc_usd_fixture();
    k.seed_book(&capture).unwrap();
    for (i, u) in capture.updates.iter().enumerate() {
        k.replay_book_updates(&capture, i..i + 1).unwrap();
        assert_eq!(k.book_checksum("BTC/USD").unwrap(), u.checksum, "update {i}");
    }
}

#[tokio::test]
async fn a_shallow_subscriber_gets_truncated_updates_and_a_corrupted_one_on_request() {
    let k = start();
    let bids: Vec<_> = (0..30).map(|i| (Decimal::from(1000 - i), d("1"))).collect();
    let asks: Vec<_> = (0..30).map(|i| (Decimal::from(1001 + i), d("2"))).collect();
    k.book_snapshot("BTC/USD", &bids, &asks).unwrap();
    k.corrupt_next_book_checksum();
    let mut ws = subscribe_book(&k, 10).await;
    let mut client = ClientBook::new(10);
    let (sent, mine, levels) = client.apply(&ws.next_data_text().await);
    assert_eq!(levels, 20);
    assert_ne!(sent, mine, "a snapshot can be corrupted too");
    let mut ws = subscribe_book(&k, 10).await;
    let mut client = ClientBook::new(10);
    let (sent, mine, levels) = client.apply(&ws.next_data_text().await);
    assert_eq!((sent, levels), (mine, 20));
    // A better bid pushes 991 out: only the new level is sent, the client truncates.
    k.book_update("BTC/USD", &[(d("1000.5"), d("0.5"))], &[]).unwrap();
    let text = ws.next_data_text().await;
    let (sent, mine, levels) = client.apply(&text);
    assert_eq!((sent, levels), (mine, 1), "{text}");
    // Removing a top level sends its deletion and the level that comes back into depth.
    k.book_update("BTC/USD", &[(d("1000.5"), d("0"))], &[]).unwrap();
    let (sent, mine, levels) = client.apply(&ws.next_data_text().await);
    assert_eq!((sent, levels), (mine, 2));
    // A level below depth changes nothing this subscriber sees: no message. The next one is
    // corrupted on request, and the one after is right again.
    k.book_update("BTC/USD", &[(d("975"), d("3"))], &[]).unwrap();
    k.corrupt_next_book_checksum();
    k.book_update("BTC/USD", &[(d("1000"), d("5"))], &[]).unwrap();
    let (sent, mine, _) = client.apply(&ws.next_data_text().await);
    assert_ne!(sent, mine);
    k.book_update("BTC/USD", &[(d("999"), d("5"))], &[]).unwrap();
    let (sent, mine, _) = client.apply(&ws.next_data_text().await);
    assert_eq!(sent, mine);
}

#[tokio::test]
async fn bars_become_trades_whose_candles_equal_the_bars() {
    let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/Intraday.csv"));
    let bars = parse_bars_csv(text).unwrap();
    let bars = &bars[..30];
    let mut pair = PairSpec::btc_usd();
    pair.price_precision = local_kraken::price_precision_needed(bars);
    let cfg = LocalKrakenConfig {
        pairs: vec![pair],
        start_time_ms: Some(bars[0].time_ms),
        ..LocalKrakenConfig::default()
    };
    let k = LocalKraken::start(cfg).unwrap();
    let mut ws = Ws::connect(&k.ws_public_url()).await;
    ws.send(json!({"method": "subscribe", "params": {"channel": "ohlc", "symbol": ["BTC/USD"], "interval": 5}, "req_id": 7}))
        .await;
    assert_eq!(ws.reply("subscribe", 7).await["result"]["interval"], 5);
    ws.until(|v| v["channel"] == "ohlc" && v["type"] == "snapshot").await;
    assert_eq!(k.play_bars("BTC/USD", bars).unwrap(), 30);
    let candles = k.candles("BTC/USD", 1).unwrap();
    assert_eq!(candles.len(), 30);
    for (c, b) in candles.iter().zip(bars) {
        assert_eq!(
            (c.interval_begin_ms, c.open, c.high, c.low, c.close, c.volume, c.trades),
            (b.time_ms, b.open, b.high, b.low, b.close, b.volume, 4)
        );
    }
    let five = k.candles("BTC/USD", 5).unwrap();
    assert_eq!(five.len(), 6);
    assert_eq!(five[0].high, bars[..5].iter().map(|b| b.high).max().unwrap());
    // The open 5-minute candle is re-sent as it changes, stamped with its start.
    let first = ws.until(|v| v["channel"] == "ohlc" && v["type"] == "update").await;
    assert_eq!(first["data"][0]["interval_begin"], "2020-12-15T09:30:00.000000Z");
    assert_eq!(first["data"][0]["interval"], 5);
    assert_eq!(first["data"][0]["trades"], 1);
}

#[tokio::test]
async fn trades_ticker_and_instrument() {
    let k = start();
    let mut ws = Ws::connect(&k.ws_public_url()).await;
    k.trade("BTC/USD", Side::Buy, d("30000.0"), d("0.5")).unwrap();
    ws.send(
        json!({"method": "subscribe", "params": {"channel": "trade", "symbol": ["BTC/USD", "XYZ/USD"]}, "req_id": 1}),
    )
    .await;
    let ok = ws.reply("subscribe", 1).await;
    assert_eq!(ok["success"], true);
    let snap = ws.next_data_text().await;
    assert!(
        snap.contains(r#""type":"snapshot""#) && snap.contains(r#""price":30000.0,"qty":0.50000000"#),
        "{snap}"
    );
    let bad = ws.reply("subscribe", 1).await;
    assert_eq!(
        (bad["success"].clone(), bad["symbol"].clone()),
        (json!(false), json!("XYZ/USD"))
    );
    k.trade("BTC/USD", Side::Sell, d("29999.9"), d("0.25")).unwrap();
    let t = ws.until(|v| v["channel"] == "trade" && v["type"] == "update").await;
    assert_eq!(t["data"][0]["side"], "sell");
    assert_eq!(t["data"][0]["trade_id"], 2);
    let ts = t["data"][0]["timestamp"].as_str().unwrap();
    assert!(
        ts.starts_with("2023-11-14T22:15:00.0000") && ts.ends_with('Z') && ts.len() == 27,
        "exchange time, µs: {ts}"
    );
    ws.send(json!({"method": "subscribe", "params": {"channel": "ticker", "symbol": ["BTC/USD"]}, "req_id": 2}))
        .await;
    ws.reply("subscribe", 2).await;
    let tick = ws.next_data_text().await;
    assert!(
        tick.contains(r#""last":29999.9"#) && tick.contains(r#""volume":0.75000000"#),
        "{tick}"
    );
    ws.send(json!({"method": "subscribe", "params": {"channel": "instrument"}, "req_id": 3}))
        .await;
    ws.reply("subscribe", 3).await;
    let inst = ws.next_data_text().await;
    assert!(
        inst.contains(r#""symbol":"BTC/USD""#) && inst.contains(r#""price_increment":0.1"#),
        "{inst}"
    );
    assert!(
        inst.contains(r#""qty_min":0.0001"#) && inst.contains(r#""cost_min":0.5"#),
        "{inst}"
    );
    assert!(inst.contains(r#""status":"online""#), "{inst}");
}
