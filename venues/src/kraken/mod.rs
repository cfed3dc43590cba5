//! Kraken spot: WebSocket v2 for market data, orders and executions; REST for the WebSocket
//! token and the queries WebSocket v2 has no equivalent for.
//!
//! - [`wire`]: Kraken's messages, parsed from and written to their JSON text, with exact
//!   decimals, the order book and its CRC32 checksum, and request signing. Pure: no I/O.
//! - [`feed`]: the public connection as a [`trading::market::MarketFeed`].
//! - [`execution`]: orders, executions and balances as a [`trading::brokers::ExecutionPort`].
//! - [`rest`]: the REST client (signed private calls, public ones, each timed).
//! - [`instruments`]: every pair's increments and minimums, for risk.
//! - [`rate_limit`]: the per-pair trading rate counter, kept locally so that a request Kraken
//!   would refuse for its rate is not sent. Pure: times are arguments.

// The wire layer is a library other engineers build on: every public item is documented, and
// every fallible one says how it fails.
pub mod execution;
pub mod feed;
pub mod instruments;
#[deny(missing_docs, clippy::missing_errors_doc, clippy::missing_panics_doc)]
pub mod rate_limit;
pub mod rest;
#[deny(missing_docs, clippy::missing_errors_doc, clippy::missing_panics_doc)]
pub mod wire;
