//! Test clients: a tokio-tungstenite WebSocket wrapper, a minimal HTTP/1.1 client, and signing.

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use local_kraken::{Control, LocalKraken, LocalKrakenConfig};
use rust_decimal::Decimal;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

pub const WAIT: Duration = Duration::from_secs(5);

pub fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// A config for tests: fixed start time so candles and timestamps are predictable.
pub fn config() -> LocalKrakenConfig {
    LocalKrakenConfig {
        start_time_ms: Some(1_700_000_100_000),
        ..Default::default()
    }
}

pub fn start() -> LocalKraken {
    LocalKraken::start(config()).unwrap()
}

/// A nonce larger than every earlier one in this process.
pub fn nonce() -> u64 {
    static LAST: AtomicU64 = AtomicU64::new(0);
    let now = local_kraken::wall_ms() as u64 * 1000;
    let prev = LAST.fetch_max(now, Ordering::SeqCst).max(now);
    LAST.fetch_add(1, Ordering::SeqCst);
    prev + 1
}

/// One HTTP/1.1 request; returns (status, body).
pub async fn http(k: &Control, method: &str, path: &str, headers: &[(&str, String)], body: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(k.local_addr()).await.unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
        k.local_addr(),
        body.len()
    );
    for (name, value) in headers {
        req.push_str(&format!("{name}: {value}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    stream.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_string())
}

/// A signed private REST call with a fresh nonce; `params` without the nonce.
pub async fn private(k: &Control, method: &str, params: &str) -> Value {
    let nonce = nonce().to_string();
    let body = if params.is_empty() {
        format!("nonce={nonce}")
    } else {
        format!("nonce={nonce}&{params}")
    };
    let path = format!("/0/private/{method}");
    let sign = local_kraken::sign(k.api_secret(), &path, &nonce, &body).unwrap();
    let (_, text) = http(
        k,
        "POST",
        &path,
        &[("API-Key", k.api_key().to_string()), ("API-Sign", sign)],
        &body,
    )
    .await;
    serde_json::from_str(&text).unwrap()
}

pub async fn token(k: &Control) -> String {
    let v = private(k, "GetWebSocketsToken", "").await;
    v["result"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {v}"))
        .to_string()
}

type Stream = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct Ws {
    inner: Stream,
}

impl Ws {
    pub async fn connect(url: &str) -> Ws {
        let (inner, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Ws { inner }
    }

    pub async fn send(&mut self, v: Value) {
        self.send_text(&v.to_string()).await;
    }

    pub async fn send_text(&mut self, s: &str) {
        self.inner.send(Message::Text(s.to_string().into())).await.unwrap();
    }

    /// The next text frame, or `None` on close, error or timeout.
    pub async fn next_text(&mut self, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            match tokio::time::timeout(left, self.inner.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => return Some(t.to_string()),
                Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) | Err(_) => return None,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }

    /// The next message that is not a heartbeat or status, as text.
    pub async fn next_data_text(&mut self) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline
                .checked_duration_since(Instant::now())
                .expect("a message in time");
            let text = self.next_text(left).await.expect("a message in time");
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            if v["channel"] != "heartbeat" && v["channel"] != "status" {
                return text;
            }
        }
    }

    pub async fn next_json(&mut self) -> Value {
        let text = self.next_data_text().await;
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }

    /// The first message matching `pred`, skipping others.
    pub async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            assert!(Instant::now() < deadline, "no matching message in time");
            let v = self.next_json().await;
            if pred(&v) {
                return v;
            }
        }
    }

    /// A request's reply (by `method` and `req_id`), skipping others.
    pub async fn reply(&mut self, method: &str, req_id: i64) -> Value {
        self.until(|v| v["method"] == method && v["req_id"] == req_id).await
    }

    /// Whether the server closes the socket within `d`.
    pub async fn closed_within(&mut self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        loop {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                return false;
            };
            match tokio::time::timeout(left, self.inner.next()).await {
                Err(_) => return false,
                Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return true,
                Ok(Some(Ok(_))) => continue,
            }
        }
    }
}

/// A private socket subscribed to `executions` (and `balances`), acks and snapshots drained.
pub async fn private_session(k: &Control) -> (Ws, String) {
    let token = token(k).await;
    let mut ws = Ws::connect(&k.ws_private_url()).await;
    ws.send(json!({"method": "subscribe", "params": {"channel": "executions", "token": token, "snap_trades": true}, "req_id": 1}))
        .await;
    let ack = ws.reply("subscribe", 1).await;
    assert_eq!(ack["success"], true, "{ack}");
    ws.until(|v| v["channel"] == "executions" && v["type"] == "snapshot")
        .await;
    ws.send(json!({"method": "subscribe", "params": {"channel": "balances", "token": token}, "req_id": 2}))
        .await;
    ws.reply("subscribe", 2).await;
    ws.until(|v| v["channel"] == "balances" && v["type"] == "snapshot")
        .await;
    (ws, token)
}

/// Polls `f` until it holds (or panics after [`WAIT`]).
pub async fn wait_until(mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !f() {
        assert!(Instant::now() < deadline, "condition not met in time");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
