//! One dashboard client's WebSocket: its snapshot, then its queue of messages, while it is
//! pinged every `ping_seconds` and dropped when it has sent nothing (a pong counts) for
//! `client_timeout_seconds`. A send that the client does not take within that timeout drops
//! it too, so a stalled reader holds nothing but its own task.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use futures_util::stream::{SplitSink, StreamExt};
use futures_util::SinkExt;
use tokio::time::Instant;

use super::filter::ClientFilter;
use super::hub::{Connected, Hub};
use crate::metrics::Metrics;

/// WebSocket close codes (RFC 6455 §7.4.1).
const GOING_AWAY: u16 = 1001;
const POLICY: u16 = 1008;

/// Why a client's connection ended.
enum End {
    /// The client closed it, or the connection broke.
    Gone,
    /// The hub let it go: it fell a full buffer behind, or the host is stopping.
    LetGo,
    /// Nothing from the client within the timeout.
    Silent,
}

pub async fn serve(hub: Arc<Hub>, metrics: Arc<Metrics>, filter: ClientFilter, socket: WebSocket) {
    let Connected {
        id,
        snapshot,
        mut queue,
    } = hub.connect(filter);
    let config = hub.config().clone();
    let (mut sink, mut incoming) = socket.split();
    let timeout = config.client_timeout;
    let mut end = End::Gone;
    let mut sent_snapshot = true;
    for text in snapshot {
        if !send(&mut sink, timeout, Message::Text(text)).await {
            sent_snapshot = false;
            break;
        }
    }
    if sent_snapshot {
        let mut ping = tokio::time::interval_at(Instant::now() + config.ping_every, config.ping_every);
        let mut last_heard = Instant::now();
        end = loop {
            tokio::select! {
                queued = queue.recv() => match queued {
                    Some(text) => if !send(&mut sink, timeout, Message::Text(text)).await { break End::Gone },
                    None => break End::LetGo,
                },
                received = incoming.next() => match received {
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break End::Gone,
                    Some(Ok(_)) => last_heard = Instant::now(),
                },
                _ = ping.tick() => if !send(&mut sink, timeout, Message::Ping(Default::default())).await { break End::Gone },
                () = tokio::time::sleep_until(last_heard + config.client_timeout) => break End::Silent,
            }
        };
    }
    hub.disconnect(id);
    let close = |code: u16, reason: &'static str| {
        Message::Close(Some(CloseFrame {
            code,
            reason: Utf8Bytes::from_static(reason),
        }))
    };
    let farewell = match end {
        End::Gone => None,
        End::LetGo if hub.is_stopping() => Some(close(GOING_AWAY, "the host is stopping")),
        End::LetGo => Some(close(POLICY, "fell behind: reconnect for a new snapshot")),
        End::Silent => {
            tracing::info!(client = id, "a dashboard client was silent too long: dropped");
            metrics.dashboard_dropped("silent");
            Some(close(GOING_AWAY, "silent too long"))
        }
    };
    if let Some(farewell) = farewell {
        // A client that does not take its close frame is gone anyway.
        let _ = tokio::time::timeout(Duration::from_secs(1), sink.send(farewell)).await;
    }
}

/// Sends `message`; `false` when the client is gone or did not take it within `timeout`.
async fn send(sink: &mut SplitSink<WebSocket, Message>, timeout: Duration, message: Message) -> bool {
    matches!(tokio::time::timeout(timeout, sink.send(message)).await, Ok(Ok(())))
}
