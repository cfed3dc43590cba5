//! [`Error`]: what the local exchange refuses to do.

use std::net::SocketAddr;

/// Why a call on the local exchange failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is unusable.
    #[error("local-binance config: {0}")]
    Config(String),
    /// The listen address could not be bound.
    #[error("local-binance cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The runtime or listener could not start.
    #[error("local-binance cannot start: {0}")]
    Runtime(#[source] std::io::Error),
    /// A symbol the exchange does not list.
    #[error("unknown symbol {0}")]
    UnknownSymbol(String),
    /// A price or quantity that is not positive where it must be.
    #[error("{what} must be positive, got {value}")]
    NotPositive {
        /// Which.
        what: &'static str,
        /// The value.
        value: rust_decimal::Decimal,
    },
    /// Exchange time would go backwards.
    #[error("the exchange clock cannot go back from {now_ms} to {to_ms}")]
    ClockBackwards {
        /// Now.
        now_ms: i64,
        /// The time asked for.
        to_ms: i64,
    },
}
