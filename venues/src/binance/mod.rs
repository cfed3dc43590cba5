//! Binance spot: market streams for market data, the WebSocket API for orders and user data
//! (listen keys are gone for spot), REST for reference data, the book snapshot, the clock and
//! the fallback queries.
//!
//! - [`wire`]: Binance's messages parsed from their JSON text with exact decimals, and its
//!   error codes classified. Pure: no I/O.
//! - [`signing`]: request signatures, HMAC-SHA256 (REST: percent-encoded payload; WebSocket
//!   API: params sorted by name) and Ed25519, and the credentials they use.
//! - [`book`]: one symbol's local order book, kept from the diff depth stream and a REST
//!   snapshot by Binance's documented procedure. Pure.
//! - [`clock`]: the server's clock as measured by `time`, for signed requests' timestamps.
//! - [`rate_limit`]: Binance's limits and their use as Binance reports them; orders refused
//!   before Binance would, nothing sent during a 429/418 wait. Pure.
//! - [`reject`]: Binance's errors as the reasons a strategy is told.
//! - [`translate`]: `executionReport` as the execution seam's order lifecycle (fills keyed by
//!   symbol and trade id). Pure.
//! - [`instruments`]: every symbol's `exchangeInfo` filters as the host's
//!   [`trading::market::Instrument`]s.
//! - [`rest`]: the REST client (public calls and the signed order queries, each timed).
//! - [`requests`]: the text of WebSocket API requests (logon, user data subscriptions, orders,
//!   queries), signed where Binance wants it. Pure.
//! - [`feed`]: the market streams as a [`trading::market::MarketFeed`], on the kit.
//! - [`execution`]: orders and user data over the WebSocket API as a
//!   [`trading::brokers::ExecutionPort`], on the kit.

#[deny(missing_docs, clippy::missing_errors_doc, clippy::missing_panics_doc)]
pub mod book;
#[deny(missing_docs)]
pub mod clock;
pub mod execution;
pub mod feed;
pub mod instruments;
#[deny(missing_docs, clippy::missing_errors_doc)]
pub mod rate_limit;
pub mod reject;
pub mod requests;
pub mod rest;
#[deny(missing_docs, clippy::missing_errors_doc, clippy::missing_panics_doc)]
pub mod signing;
pub mod translate;
#[deny(missing_docs, clippy::missing_errors_doc, clippy::missing_panics_doc)]
pub mod wire;
