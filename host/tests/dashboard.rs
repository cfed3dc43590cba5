//! The dashboard's WebSocket and read endpoints against the real binary: a snapshot and then
//! every event in order, a client's filter, a client that does not read dropped and counted
//! while the host trades on, pings answered and a silent client dropped, and the `/api/...`
//! pages.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;
use tungstenite::{Message, WebSocket};

use crate::support::{self, http_get, metric_value, wait_until, write_file, RunningHost};

/// A WebSocket client of `/ws`, reading with a timeout.
pub struct WsClient {
    socket: WebSocket<TcpStream>,
    pub pings: usize,
}

impl WsClient {
    pub fn connect(addr: &str, query: &str) -> Self {
        Self::connect_with(addr, query, None)
    }

    /// With `receive_buffer` bytes of kernel receive buffer: small, a client that does not
    /// read stops the host's sends after a few messages instead of megabytes.
    pub fn connect_with(addr: &str, query: &str, receive_buffer: Option<usize>) -> Self {
        let target: std::net::SocketAddr = addr.parse().unwrap();
        let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
        if let Some(bytes) = receive_buffer {
            socket.set_recv_buffer_size(bytes).unwrap();
        }
        socket.connect(&target.into()).unwrap();
        let stream: TcpStream = socket.into();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let (socket, response) = tungstenite::client::client(format!("ws://{addr}/ws{query}"), stream).unwrap();
        assert_eq!(response.status(), 101);
        Self { socket, pings: 0 }
    }

    /// The next message (`None` once the host closed the connection), counting pings on the way.
    pub fn next(&mut self) -> Option<Value> {
        loop {
            match self.socket.read() {
                Ok(Message::Text(text)) => return Some(serde_json::from_str(&text).expect("a JSON message")),
                Ok(Message::Ping(_)) => self.pings += 1,
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    /// Messages until one of type `kind` comes (returned with the ones before it).
    pub fn until(&mut self, kind: &str, patience: Duration) -> (Vec<Value>, Value) {
        let start = Instant::now();
        let mut before = Vec::new();
        while start.elapsed() < patience {
            let message = self
                .next()
                .unwrap_or_else(|| panic!("the connection closed before a {kind}"));
            if message["type"] == kind {
                return (before, message);
            }
            before.push(message);
        }
        panic!("no {kind} within {patience:?}");
    }
}

fn grids_host(dir: &std::path::Path, config: &str, bars_per_second: u32) -> RunningHost {
    let strategies = dir.join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    for name in ["grid-a", "grid-b"] {
        std::fs::copy(support::wasm("grid"), strategies.join(format!("{name}.wasm"))).unwrap();
    }
    let config = write_file(
        dir,
        "host.toml",
        &format!("[sandbox]\ncall_deadline_ms = 2000\n{config}"),
    );
    RunningHost::start(dir, &config, bars_per_second, "info", &[])
}

/// The sample's bar times (open, Unix seconds), in order.
fn sample_bar_times() -> Vec<i64> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../data/Bitcoin.csv")).unwrap();
    text.lines()
        .skip(1)
        .filter_map(|line| line.split(',').nth(1))
        .map(|date| {
            let days = trading::market::parse_time_text(date).expect("a date");
            days / 1000
        })
        .collect()
}

fn fills_of(host: &RunningHost) -> u64 {
    host.status()
        .and_then(|s| {
            s["books"]
                .as_array()
                .map(|b| b.iter().filter_map(|b| b["fills"].as_u64()).sum())
        })
        .unwrap_or(0)
}

#[test]
fn a_client_gets_a_snapshot_then_every_event_in_order_and_only_what_it_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let host = grids_host(dir.path(), "", 20);
    host.wait_ready(Duration::from_secs(60));
    wait_until("the grids to fill", Duration::from_secs(60), || {
        (fills_of(&host) > 0).then_some(())
    });

    let mut all = WsClient::connect(&host.addr, "");
    let mut only_a = WsClient::connect(&host.addr, "?strategies=grid-a&symbols=BTC/USD");
    let (snapshot, first_kline) = all.until("kline", Duration::from_secs(30));
    assert_eq!(snapshot[0]["type"], "strategies", "{:?}", snapshot[0]);
    let names: Vec<&str> = snapshot[0]["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|row| row["strategy"].as_str())
        .collect();
    assert_eq!(names, ["grid-a", "grid-b"]);
    let history = snapshot
        .iter()
        .find(|m| m["type"] == "history")
        .expect("a history in the snapshot");
    assert_eq!(
        (history["symbol"].as_str(), history["timeframe"].as_str()),
        (Some("BTC/USD"), Some("1d"))
    );
    let candles: Vec<i64> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["time"].as_i64().unwrap())
        .collect();
    assert!(!candles.is_empty() && candles.len() <= 100, "{} candles", candles.len());
    let bars = sample_bar_times();
    let last = *candles.last().unwrap();
    let at = bars
        .iter()
        .position(|t| *t == last)
        .expect("history bars are the sample's");
    assert_eq!(
        &bars[at + 1 - candles.len()..=at],
        candles.as_slice(),
        "history is the sample's latest bars, in order"
    );
    // Not one bar lost or repeated between the snapshot and the stream.
    assert_eq!(first_kline["data"]["time"].as_i64(), bars.get(at + 1).copied());
    assert!(
        snapshot
            .iter()
            .any(|m| m["type"] == "orders" && m["data"]["status"] == "NEW"),
        "the grids' open orders are in the snapshot"
    );
    assert!(
        snapshot.iter().any(|m| m["type"] == "trade_event"),
        "recent fills are in the snapshot"
    );

    // Then the stream: every fill after its order's update, bars one after another.
    let mut kline = first_kline["data"]["time"].as_i64().unwrap();
    let mut fills = 0;
    let mut previous: Option<Value> = None;
    while fills < 5 {
        let message = all.next().expect("the stream goes on");
        match message["type"].as_str() {
            Some("kline") => {
                let time = message["data"]["time"].as_i64().unwrap();
                let expected = bars[bars.iter().position(|t| *t == kline).unwrap() + 1];
                assert_eq!(time, expected, "the bar after {kline}");
                kline = time;
            }
            Some("trade_event") => {
                let order = previous.as_ref().expect("an orders message before the fill");
                assert_eq!(order["type"], "orders");
                assert_eq!(order["data"]["id"], message["data"]["order_id"]);
                assert!(matches!(
                    order["data"]["status"].as_str(),
                    Some("FILLED" | "PARTIALLY_FILLED")
                ));
                fills += 1;
            }
            _ => {}
        }
        previous = Some(message);
    }

    // The filtered client sees grid-a's orders and fills and no one else's.
    let mut seen_a = 0;
    while seen_a < 5 {
        let message = only_a.next().expect("the filtered stream goes on");
        if let Some(strategy) = message["data"]["strategy"].as_str() {
            assert_eq!(strategy, "grid-a", "{message}");
            seen_a += usize::from(message["type"] == "orders");
        }
    }
    assert_eq!(
        metric_value(&host.metrics(), "strategy_host_dashboard_clients", &[]),
        Some(2.0)
    );
}

#[test]
fn the_read_endpoints_page_through_the_book_of_record_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let host = grids_host(dir.path(), "", 50);
    host.wait_ready(Duration::from_secs(60));
    wait_until("a few fills in the book", Duration::from_secs(60), || {
        (fills_of(&host) >= 6).then_some(())
    });
    // The tables are at most one journal batch behind the host.
    let page = |query: &str| {
        let (status, body) = http_get(&host.addr, &format!("/api/fills?{query}")).unwrap();
        assert_eq!(status, 200, "{body}");
        serde_json::from_str::<Value>(&body).unwrap()
    };
    let first = wait_until("two pages of fills", Duration::from_secs(30), || {
        let first = page("limit=2");
        (first["next_offset"] == 2).then_some(first)
    });
    let second = page("limit=2&offset=2");
    let time = |p: &Value, i: usize| p["items"][i]["time_ms"].as_i64().unwrap();
    assert!(
        time(&first, 0) >= time(&first, 1) && time(&first, 1) >= time(&second, 0),
        "newest first"
    );
    assert_ne!(first["items"][0], second["items"][0]);
    let only_b = page("strategy=grid-b&limit=1000");
    assert!(only_b["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["strategy"] == "grid-b"));
    assert_eq!(only_b["next_offset"], Value::Null);

    for path in ["/api/orders?limit=5", "/api/positions", "/api/decisions?limit=3"] {
        let (status, body) = http_get(&host.addr, path).unwrap();
        assert_eq!(status, 200, "{path}: {body}");
        assert!(
            serde_json::from_str::<Value>(&body).unwrap()["items"].is_array(),
            "{path}: {body}"
        );
    }
    // With no WebSocket client at all, the rates are sampled each second all the same.
    let rows = wait_until("each strategy's events per second", Duration::from_secs(30), || {
        let (status, body) = http_get(&host.addr, "/api/strategies")?;
        assert_eq!(status, 200);
        let rows: Value = serde_json::from_str(&body).unwrap();
        let sampled = rows
            .as_array()?
            .iter()
            .all(|row| row["events_per_second"].as_f64().is_some());
        sampled.then_some(rows)
    });
    assert_eq!(rows.as_array().map(Vec::len), Some(2), "{rows}");
    let (status, body) = http_get(&host.addr, "/api/candles?symbol=BTC/USD&timeframe=1d").unwrap();
    assert_eq!(status, 200);
    let series: Value = serde_json::from_str(&body).unwrap();
    assert!(
        !series["items"][0]["candles"].as_array().unwrap().is_empty(),
        "{series}"
    );

    let (status, body) = http_get(&host.addr, "/api/fills?limit=0").unwrap();
    assert_eq!((status, body.as_str()), (400, "limit = 0: expected 1 to 1000"));
    let (status, body) = http_get(&host.addr, "/api/candles?symbol=BTCUSD").unwrap();
    assert_eq!(status, 400);
    assert!(body.starts_with("symbol: \"BTCUSD\" is not a symbol"), "{body}");
    let (status, body) = http_get(&host.addr, "/ws?symbols=nope").unwrap();
    assert_eq!(status, 400, "{body}");
}

#[test]
fn a_client_that_does_not_read_is_dropped_and_counted_while_the_host_trades_on() {
    let dir = tempfile::tempdir().unwrap();
    let host = grids_host(dir.path(), "[dashboard]\nclient_buffer = 8\n", 50);
    host.wait_ready(Duration::from_secs(60));
    let _stalled = WsClient::connect_with(&host.addr, "", Some(4096));
    let dropped = |host: &RunningHost| {
        metric_value(
            &host.metrics(),
            "strategy_host_dashboard_dropped_total",
            &[("reason", "slow")],
        )
        .unwrap_or(0.0)
    };
    wait_until("the stalled client to be dropped", Duration::from_secs(60), || {
        (dropped(&host) == 1.0).then_some(())
    });
    assert_eq!(
        metric_value(&host.metrics(), "strategy_host_dashboard_clients", &[]),
        Some(0.0)
    );
    let events = |host: &RunningHost| {
        metric_value(
            &host.metrics(),
            "strategy_host_strategy_events_total",
            &[("strategy", "grid-a")],
        )
        .unwrap_or(0.0)
    };
    let before = events(&host);
    wait_until("the strategies to go on", Duration::from_secs(30), || {
        (events(&host) > before).then_some(())
    });
    assert!(
        host.log()
            .iter()
            .any(|l| l.contains("a dashboard client fell behind: dropped")),
        "the drop is logged"
    );
}

#[test]
fn clients_are_pinged_and_one_that_never_answers_is_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let host = grids_host(
        dir.path(),
        "[dashboard]\nping_seconds = 0.2\nclient_timeout_seconds = 1.0\n",
        20,
    );
    host.wait_ready(Duration::from_secs(60));
    // Both ask for a strategy that does not exist: only the sampled messages come, so neither
    // can fill its buffer.
    let mut answering = WsClient::connect(&host.addr, "?strategies=nobody&symbols=NO/NE");
    let _silent = WsClient::connect(&host.addr, "?strategies=nobody&symbols=NO/NE");
    let start = Instant::now();
    // Reading answers each ping (tungstenite pongs by itself): this client outlives many timeouts.
    while start.elapsed() < Duration::from_secs(4) {
        let message = answering.next().expect("the answering client stays connected");
        assert!(
            message["data"]["strategy"].is_null() || message["data"]["strategy"] == "nobody",
            "{message}"
        );
    }
    assert!(
        answering.pings >= 5,
        "{} pings in 4 s at one per 0.2 s",
        answering.pings
    );
    let dropped = metric_value(
        &host.metrics(),
        "strategy_host_dashboard_dropped_total",
        &[("reason", "silent")],
    );
    assert_eq!(
        dropped,
        Some(1.0),
        "the silent client is dropped, the answering one is not"
    );
    assert_eq!(
        metric_value(&host.metrics(), "strategy_host_dashboard_clients", &[]),
        Some(1.0)
    );
    assert!(
        host.log()
            .iter()
            .any(|l| l.contains("a dashboard client was silent too long: dropped")),
        "the drop is logged"
    );
}
