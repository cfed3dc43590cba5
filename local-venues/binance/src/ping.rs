//! The server's side of Binance's ping rule, for every socket it serves (streams and the
//! WebSocket API): a ping every `ping_interval`, and a connection whose oldest unanswered ping
//! is `pong_timeout` old is closed.

use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket};

/// One connection's pings and pongs.
#[derive(Debug)]
pub(crate) struct Pinger {
    timeout: Duration,
    /// When the oldest unanswered ping went out.
    unanswered: Option<Instant>,
}

impl Pinger {
    pub(crate) fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            unanswered: None,
        }
    }

    /// A pong came: every ping sent before it is answered.
    pub(crate) fn ponged(&mut self) {
        self.unanswered = None;
    }

    /// At a ping tick: `false` when the connection is to close (a ping went unanswered too
    /// long, or this one could not be sent).
    pub(crate) async fn ping(&mut self, socket: &mut WebSocket) -> bool {
        if self.unanswered.is_some_and(|sent| sent.elapsed() >= self.timeout) {
            return false;
        }
        self.unanswered.get_or_insert_with(Instant::now);
        socket
            .send(Message::Ping(b"local-binance".to_vec().into()))
            .await
            .is_ok()
    }
}
