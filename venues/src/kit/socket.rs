//! Opening a venue's WebSocket: `wss://` over rustls with the webpki roots, or plain `ws://`
//! (local exchanges in tests), with a deadline on the whole handshake.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// An open venue socket.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a socket could not be opened. The URL is named; nothing secret is in it.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("connecting to {url} timed out after {after:?}")]
    Timeout { url: String, after: Duration },
    #[error("connecting to {url}: {source}")]
    Handshake {
        url: String,
        source: Box<tokio_tungstenite::tungstenite::Error>,
    },
}

/// Opens `url` within `timeout`, with Nagle's algorithm off: venue messages are small and
/// latency-bound, and with it on a request can wait for the peer's delayed ACK (about 40 ms on
/// Linux) before it leaves.
///
/// # Errors
///
/// [`ConnectError`] when the handshake fails or takes longer.
pub async fn connect(url: &str, timeout: Duration) -> Result<Socket, ConnectError> {
    let handshake = tokio_tungstenite::connect_async_with_config(url, None, true);
    match tokio::time::timeout(timeout, handshake).await {
        Err(_) => Err(ConnectError::Timeout {
            url: url.to_owned(),
            after: timeout,
        }),
        Ok(Err(source)) => Err(ConnectError::Handshake {
            url: url.to_owned(),
            source: Box::new(source),
        }),
        Ok(Ok((socket, _response))) => Ok(socket),
    }
}

/// The next text frame of `socket`, answering pings on the way and skipping binary frames.
/// `Err` says why the connection is over (closed by the venue, a read or write failure).
/// Cancel-safe between frames: a `select!` may drop it while it waits.
///
/// # Errors
///
/// The reason, for the log and `/status`.
pub async fn next_text(socket: &mut Socket) -> Result<Utf8Bytes, String> {
    loop {
        match socket.next().await {
            None => return Err("the venue closed the connection".into()),
            Some(Err(e)) => return Err(format!("reading: {e}")),
            Some(Ok(Message::Text(text))) => return Ok(text),
            Some(Ok(Message::Ping(payload))) => socket
                .send(Message::Pong(payload))
                .await
                .map_err(|e| format!("answering a ping: {e}"))?,
            Some(Ok(Message::Close(frame))) => return Err(format!("the venue closed the connection: {frame:?}")),
            Some(Ok(_)) => {}
        }
    }
}

/// Sends one text frame.
///
/// # Errors
///
/// Why it could not be sent (the connection is over).
pub async fn send_text(socket: &mut Socket, text: String) -> Result<(), String> {
    socket
        .send(Message::text(text))
        .await
        .map_err(|e| format!("sending: {e}"))
}
