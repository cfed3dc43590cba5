//! Opening a venue's WebSocket: `wss://` over rustls with the webpki roots, or plain `ws://`
//! (local exchanges in tests), with a deadline on the whole handshake.

use std::time::Duration;

use tokio::net::TcpStream;
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

/// Opens `url` within `timeout`.
///
/// # Errors
///
/// [`ConnectError`] when the handshake fails or takes longer.
pub async fn connect(url: &str, timeout: Duration) -> Result<Socket, ConnectError> {
    match tokio::time::timeout(timeout, tokio_tungstenite::connect_async(url)).await {
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
