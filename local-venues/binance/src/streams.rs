//! One market stream connection (`/stream?streams=…` combined, `/ws[/<stream>]` bare): its
//! control requests (`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY` /
//! `GET_PROPERTY` of `combined`), the server's pings, and Binance's limits: at most
//! `max_streams` streams, `max_incoming_per_s` incoming messages a second (control frames,
//! pings and pongs), and a pong within `pong_timeout` of a ping; past any, the socket closes.
//!
//! Nothing a client sends can panic the loop: every frame ends in an answer, a close, or
//! nothing.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::ws::{Message, WebSocket};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::exchange::{Exchange, Shared};

#[derive(Deserialize)]
struct Request {
    method: String,
    #[serde(default)]
    params: Option<Vec<Value>>,
    #[serde(default)]
    id: Value,
}

/// Runs one connection until it closes.
pub(crate) async fn run(mut socket: WebSocket, shared: Arc<Shared>, combined: bool, streams: BTreeSet<String>) {
    let (id, mut outbox, kill, config) = {
        let mut ex = shared.lock();
        let config = ex.config.clone();
        let (id, outbox, kill) = ex.register(combined, streams);
        (id, outbox, kill, config)
    };
    let mut ping = tokio::time::interval(config.ping_interval);
    ping.tick().await;
    let mut pinger = crate::ping::Pinger::new(config.pong_timeout);
    let mut window = (Instant::now(), 0u32);
    loop {
        tokio::select! {
            () = kill.notified() => break,
            frame = socket.recv() => {
                let Some(Ok(frame)) = frame else { break };
                if matches!(frame, Message::Text(_) | Message::Ping(_) | Message::Pong(_)) {
                    if window.0.elapsed().as_secs() >= 1 {
                        window = (Instant::now(), 0);
                    }
                    window.1 += 1;
                    if window.1 > config.max_incoming_per_s {
                        break;
                    }
                }
                match frame {
                    Message::Text(text) => {
                        let mut ex = shared.lock();
                        let answer = handle(&mut ex, id, text.as_str());
                        ex.send(id, answer);
                    }
                    Message::Pong(_) => pinger.ponged(),
                    Message::Close(_) => break,
                    // axum answers pings itself.
                    Message::Ping(_) | Message::Binary(_) => {}
                }
            }
            out = outbox.recv() => {
                let Some(text) = out else { break };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                if !pinger.ping(&mut socket).await {
                    break;
                }
            }
        }
    }
    shared.lock().unregister(id);
}

fn error(code: i64, msg: &str, id: &Value) -> String {
    json!({"error": {"code": code, "msg": msg}, "id": id}).to_string()
}

/// Answers one control frame.
fn handle(ex: &mut Exchange, conn: u64, text: &str) -> String {
    let request: Request = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) if e.is_syntax() || e.is_eof() => return error(3, &format!("Invalid JSON: {e}"), &Value::Null),
        Err(e) => return error(2, &format!("Invalid request: {e}"), &Value::Null),
    };
    let id = request.id;
    if !(id.is_null() || id.is_i64() || id.as_str().is_some_and(|s| s.len() <= 36)) {
        return error(
            2,
            "Invalid request: request ID must be an unsigned integer",
            &Value::Null,
        );
    }
    let params = request.params.unwrap_or_default();
    let max_streams = ex.config.max_streams;
    let Some(state) = ex.conns.get(&conn) else {
        return error(2, "Invalid request: connection closed", &id);
    };
    let combined = state.combined;
    let current = state.streams.len();
    match request.method.as_str() {
        "SUBSCRIBE" | "UNSUBSCRIBE" => {
            let names: Option<Vec<String>> = params.iter().map(|p| p.as_str().map(str::to_owned)).collect();
            let Some(names) = names else {
                return error(2, "Invalid request: streams must be strings", &id);
            };
            let subscribe = request.method == "SUBSCRIBE";
            if subscribe {
                ex.subscribe_requests += 1;
                if let Some(bad) = names.iter().find(|n| !ex.is_stream(n)) {
                    return error(2, &format!("Invalid request: unknown stream {bad}"), &id);
                }
                if current + names.len() > max_streams {
                    return error(2, &format!("Invalid request: at most {max_streams} streams"), &id);
                }
            }
            if let Some(state) = ex.conns.get_mut(&conn) {
                for name in names {
                    if subscribe {
                        state.streams.insert(name);
                    } else {
                        state.streams.remove(&name);
                    }
                }
            }
            json!({"result": null, "id": id}).to_string()
        }
        "LIST_SUBSCRIPTIONS" => {
            let names: Vec<String> = ex
                .conns
                .get(&conn)
                .map(|c| c.streams.iter().cloned().collect())
                .unwrap_or_default();
            json!({"result": names, "id": id}).to_string()
        }
        "SET_PROPERTY" => match (params.first().and_then(Value::as_str), params.get(1)) {
            (Some("combined"), Some(Value::Bool(on))) => {
                if let Some(state) = ex.conns.get_mut(&conn) {
                    state.combined = *on;
                }
                json!({"result": null, "id": id}).to_string()
            }
            (Some("combined"), _) => error(1, "Invalid value type: expected Boolean", &id),
            _ => error(0, "Unknown property", &id),
        },
        "GET_PROPERTY" => match params.first().and_then(Value::as_str) {
            Some("combined") => json!({"result": combined, "id": id}).to_string(),
            _ => error(0, "Unknown property", &id),
        },
        other => error(
            2,
            &format!(
                "Invalid request: unknown variant `{}`, expected one of `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`, `SET_PROPERTY`, `GET_PROPERTY`",
                other.chars().take(40).collect::<String>()
            ),
            &id,
        ),
    }
}
