//! Test clients: a minimal HTTP/1.1 GET and a tokio-tungstenite WebSocket wrapper.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use local_binance::Control;
use rust_decimal::Decimal;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

pub const WAIT: Duration = Duration::from_secs(5);

pub fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// One HTTP/1.1 GET; returns (status, body as JSON).
pub async fn get(b: &Control, path: &str) -> (u16, Value) {
    get_with(b, path, "").await
}

/// One HTTP/1.1 GET with extra header lines (each ending in `\r\n`).
pub async fn get_with(b: &Control, path: &str, headers: &str) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(b.local_addr()).await.unwrap();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {}\r\n{headers}Connection: close\r\n\r\n",
        b.local_addr()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    stream.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap())
}

pub struct Ws {
    inner: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

impl Ws {
    pub async fn connect(url: &str) -> Ws {
        let (inner, _) = tokio_tungstenite::connect_async(url).await.unwrap();
        Ws { inner }
    }

    pub async fn send(&mut self, text: &str) {
        self.inner.send(Message::Text(text.into())).await.unwrap();
    }

    /// The next text frame as JSON, or `None` when the socket closed or nothing came in time.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            match tokio::time::timeout(WAIT, self.inner.next()).await {
                Ok(Some(Ok(Message::Text(text)))) => return Some(serde_json::from_str(text.as_str()).unwrap()),
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)))) => continue,
                _ => return None,
            }
        }
    }

    /// The next frame of any kind (pings included), or `None`.
    pub async fn next_frame(&mut self) -> Option<Message> {
        match tokio::time::timeout(WAIT, self.inner.next()).await {
            Ok(Some(Ok(frame))) => Some(frame),
            _ => None,
        }
    }

    /// Whether the server closed the socket (a close frame, an error or the end of the stream)
    /// within the wait.
    pub async fn closed(&mut self) -> bool {
        loop {
            match tokio::time::timeout(WAIT, self.inner.next()).await {
                Ok(Some(Ok(Message::Close(_)))) | Ok(Some(Err(_))) | Ok(None) => return true,
                Ok(Some(Ok(_))) => continue,
                Err(_) => return false,
            }
        }
    }
}

/// Polls `check` until it holds or the wait runs out.
pub async fn wait_until(mut check: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + WAIT;
    while tokio::time::Instant::now() < deadline {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    check()
}

/// Signs WebSocket API params as a client does: every param sorted by name, not encoded;
/// HMAC-SHA256 hex, or Ed25519 base64 with the key's seed.
pub fn sign_ws(params: &serde_json::Map<String, Value>, key: &Signer) -> String {
    let mut pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
        .collect();
    pairs.sort();
    let payload = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    key.sign(&payload)
}

/// A client's signing key.
pub enum Signer {
    Hmac(String),
    Ed25519([u8; 32]),
}

impl Signer {
    pub fn sign(&self, payload: &str) -> String {
        use base64::Engine as _;
        use ed25519_dalek::Signer as _;
        use hmac::Mac as _;
        match self {
            Signer::Hmac(secret) => {
                let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
                mac.update(payload.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            Signer::Ed25519(seed) => {
                let key = ed25519_dalek::SigningKey::from_bytes(seed);
                base64::engine::general_purpose::STANDARD.encode(key.sign(payload.as_bytes()).to_bytes())
            }
        }
    }
}

/// A WebSocket API client: requests by method and params, answers matched by id, user data
/// events kept aside.
pub struct Api {
    pub ws: Ws,
    next_id: u64,
    pub events: Vec<Value>,
}

impl Api {
    pub async fn connect(b: &Control) -> Api {
        Api {
            ws: Ws::connect(&b.ws_api_url()).await,
            next_id: 0,
            events: Vec::new(),
        }
    }

    /// Sends a request and returns its answer (events that come first are kept).
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut request = serde_json::json!({"id": id, "method": method});
        if !params.is_null() {
            request["params"] = params;
        }
        self.ws.send(&request.to_string()).await;
        self.answer(id).await.unwrap_or_else(|| panic!("no answer to {method}"))
    }

    /// The answer with `id`, or `None` if the socket closed or went quiet.
    pub async fn answer(&mut self, id: u64) -> Option<Value> {
        loop {
            let frame = self.ws.next().await?;
            if frame.get("id").and_then(Value::as_u64) == Some(id) {
                return Some(frame);
            }
            self.events.push(frame);
        }
    }

    /// Sends a signed request: `apiKey`, `timestamp` and the signature added.
    pub async fn signed(&mut self, method: &str, mut params: Value, api_key: &str, key: &Signer, now_ms: i64) -> Value {
        let map = params.as_object_mut().unwrap();
        map.insert("apiKey".into(), api_key.into());
        map.insert("timestamp".into(), now_ms.into());
        let signature = sign_ws(map, key);
        map.insert("signature".into(), signature.into());
        self.call(method, params).await
    }

    /// The next user data event whose `e` is `kind` (earlier ones of other kinds are skipped).
    pub async fn event(&mut self, kind: &str) -> Value {
        loop {
            if let Some(at) = self.events.iter().position(|e| e["event"]["e"] == kind) {
                return self.events.remove(at);
            }
            let frame = self.ws.next().await.unwrap_or_else(|| panic!("no {kind} event"));
            self.events.push(frame);
        }
    }
}
