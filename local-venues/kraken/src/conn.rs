//! One WebSocket connection: the loop both `/v2` and `/auth/v2` run.
//!
//! The loop owns the socket and waits on five things: the kill switch (the exchange dropped
//! this socket), a frame from the client (handed to the kind's handler under the exchange
//! lock), the outbox (sent unless the kind is silenced, in which case it is lost, as a stalled
//! feed loses it), the heartbeat tick (only while subscribed and not silenced), and the idle
//! check (a socket with no subscription for `idle_close` is closed, as Kraken does).
//!
//! Nothing a client sends can panic the loop: every frame ends in a reply or is ignored.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::exchange::{Exchange, Shared};
use crate::faults::ConnKind;
use crate::wire;

/// How often the idle check runs.
const IDLE_CHECK: Duration = Duration::from_millis(100);

/// A request frame: `{"method", "params"?, "req_id"?}`.
#[derive(Deserialize)]
pub(crate) struct Request<'a> {
    pub(crate) method: String,
    #[serde(borrow, default)]
    pub(crate) params: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(crate) req_id: Option<&'a RawValue>,
}

/// What the loop does after a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum After {
    Continue,
    /// Close the socket abruptly (a fault).
    Drop,
}

type Handler = fn(&mut Exchange, u64, &str, i64) -> After;

/// The reply to a frame that is not a request.
pub(crate) fn malformed(ex: &mut Exchange, conn: u64, time_in_us: i64) {
    ex.send(
        conn,
        wire::err_reply(
            "",
            None,
            "EGeneral:Invalid arguments:malformed request",
            None,
            time_in_us,
        ),
    );
}

/// `{"method":"pong","req_id",…}`.
pub(crate) fn pong(ex: &mut Exchange, conn: u64, req_id: Option<&RawValue>, time_in_us: i64) {
    #[derive(serde::Serialize)]
    struct Pong<'a> {
        method: &'static str,
        #[serde(skip_serializing_if = "Option::is_none")]
        req_id: Option<&'a RawValue>,
        time_in: String,
        time_out: String,
    }
    let text = serde_json::to_string(&Pong {
        method: "pong",
        req_id,
        time_in: crate::clock::rfc3339_us(time_in_us),
        time_out: crate::clock::rfc3339_us(crate::clock::wall_us()),
    })
    .unwrap_or_default();
    ex.send(conn, text);
}

/// Runs one connection until it closes.
pub(crate) async fn run(mut socket: WebSocket, shared: Arc<Shared>, kind: ConnKind) {
    let handler: Handler = match kind {
        ConnKind::Public => crate::ws_public::handle,
        ConnKind::Private => crate::ws_private::handle,
    };
    let (id, mut outbox, mut kill) = {
        let mut ex = shared.lock();
        let (id, rx, kill) = ex.register(kind);
        ex.send(id, wire::status(id));
        (id, rx, kill)
    };
    let mut heartbeat = tokio::time::interval(shared.heartbeat_interval);
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut idle_check = tokio::time::interval(IDLE_CHECK);
    let mut idle_since = Some(Instant::now());
    loop {
        tokio::select! {
            _ = &mut kill => {
                // Dropped by the exchange: no close frame, as when a venue's edge resets.
                return;
            }
            frame = socket.recv() => {
                let text = match frame {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    Some(Ok(Message::Binary(b))) => String::from_utf8_lossy(&b).into_owned(),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                };
                let after = {
                    let mut ex = shared.lock();
                    let time_in = crate::clock::wall_us();
                    handler(&mut ex, id, &text, time_in)
                };
                if after == After::Drop {
                    shared.lock().unregister(id);
                    return;
                }
            }
            out = outbox.recv() => {
                let Some(text) = out else { return };
                if shared.lock().faults.is_silent(kind) {
                    continue;
                }
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            _ = heartbeat.tick() => {
                let send = {
                    let mut ex = shared.lock();
                    let subscribed = ex.conns.get(&id).is_some_and(|c| c.subscription_count() > 0);
                    subscribed && !ex.faults.is_silent(kind)
                };
                if send && socket.send(Message::Text(wire::heartbeat().into())).await.is_err() {
                    break;
                }
            }
            _ = idle_check.tick() => {
                let subscribed = shared.lock().conns.get(&id).is_some_and(|c| c.subscription_count() > 0);
                if subscribed {
                    idle_since = None;
                } else {
                    let since = *idle_since.get_or_insert_with(Instant::now);
                    if since.elapsed() >= shared.idle_close {
                        let frame = CloseFrame { code: 1000, reason: "no subscriptions".into() };
                        let _ = socket.send(Message::Close(Some(frame))).await;
                        break;
                    }
                }
            }
        }
    }
    shared.lock().unregister(id);
}
