//! A local Binance spot exchange on 127.0.0.1, speaking Binance's REST and market stream
//! protocols, so strategy-host's tests (and a person by hand) can run against it.
//!
//! - **REST** under [`Control::rest_url`]: `GET /api/v3/exchangeInfo` (PRICE_FILTER,
//!   LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL, MAX_NUM_ORDERS, rate limits), `GET /api/v3/depth`
//!   (the book with its `lastUpdateId`), `GET /api/v3/time` (the exchange clock).
//! - **Market streams** under [`Control::ws_stream_url`]: `/stream?streams=a/b` (combined
//!   wrapper) and `/ws[/<stream>]` (bare); `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`,
//!   `SET_PROPERTY`/`GET_PROPERTY combined`; streams `<symbol>@trade`, `@kline_1m`,
//!   `@bookTicker`, `@depth`, `@depth@100ms` (both depth speeds get each change at once: the
//!   local exchange does not batch); server pings and the pong deadline; at most 1024 streams
//!   and 5 incoming messages a second per connection; `serverShutdown`.
//! - **A scripted market** ([`Control::trade`], [`Control::set_levels`],
//!   [`Control::advance_to`]) on an exchange clock, and **faults on request**: a depth
//!   sequence gap ([`Control::skip_depth_updates`]), dropped connections
//!   ([`Control::drop_connections`]).
//!
//! Not yet here (issue 9): the WebSocket API (orders, user data, signatures), request weight
//! with 429/418, connection lifetime, and the other faults.
//!
//! **Independence:** this crate implements the protocol from Binance's documentation on its
//! own and depends neither on the `venues` crate nor on `local-kraken`, so a misreading in the
//! host's codec and one here do not cancel out.
//!
//! # Example
//! ```no_run
//! use local_binance::{LocalBinance, LocalBinanceConfig};
//! use rust_decimal::Decimal;
//!
//! let binance = LocalBinance::start(LocalBinanceConfig::default())?;
//! println!("{} {}", binance.rest_url(), binance.ws_stream_url());
//! binance.trade("BTCUSDT", Decimal::new(30_000, 0), Decimal::new(1, 2), false)?;
//! // An unknown symbol is refused, not panicked on.
//! assert!(binance.trade("XYZUSDT", Decimal::ONE, Decimal::ONE, false).is_err());
//! # Ok::<(), local_binance::Error>(())
//! ```
#![deny(missing_docs, unsafe_code, missing_debug_implementations)]

mod config;
mod error;
mod exchange;
mod market;
mod rest;
mod server;
mod streams;
mod wire;

pub use config::{
    LocalBinanceConfig, SymbolSpec, DEFAULT_LISTEN, DEFAULT_MAX_INCOMING_PER_S, DEFAULT_MAX_STREAMS,
    DEFAULT_OUTBOX_CAPACITY, DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT,
};
pub use error::Error;
pub use market::{Kline, Level, PublicTrade};
pub use server::{Control, LocalBinance};
