//! strategy-host's venue adapters.
//!
//! - [`kit`]: what every live venue shares: reconnect backoff with jitter, the venue's connect
//!   budget, the data-flow heartbeat of streams.
//! - [`kraken`]: Kraken spot over WebSocket v2 (REST where Kraken has no WebSocket equivalent).
//! - [`binance`]: Binance spot: market streams (local books), the WebSocket API (orders and
//!   user data) and REST, with request signing for HMAC and Ed25519 keys.
//!
//! Architecture invariant: a venue's wire format never leaves its module. What crosses the
//! crate's boundary is the normalized model of [`trading::market`] (UTC ms, `BASE/QUOTE`, exact
//! decimals) and the execution seam of [`trading::brokers`].

#![deny(unsafe_code)]

pub mod binance;
pub mod kit;
pub mod kraken;
