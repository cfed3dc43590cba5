//! A local Binance spot exchange on 127.0.0.1, speaking Binance's REST and market stream
//! protocols, so strategy-host's tests (and a person by hand) can run against it.
//!
//! - **REST** under [`Control::rest_url`]: `GET /api/v3/exchangeInfo` (PRICE_FILTER,
//!   LOT_SIZE, MARKET_LOT_SIZE, NOTIONAL, MAX_NUM_ORDERS, MAX_NUM_ORDER_AMENDS, rate limits),
//!   `GET /api/v3/depth`
//!   (the book with its `lastUpdateId`), `GET /api/v3/time` (the exchange clock).
//! - **Market streams** under [`Control::ws_stream_url`]: `/stream?streams=a/b` (combined
//!   wrapper) and `/ws[/<stream>]` (bare); `SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`,
//!   `SET_PROPERTY`/`GET_PROPERTY combined`; streams `<symbol>@trade`, `@kline_1m`,
//!   `@bookTicker`, `@depth`, `@depth@100ms` (both depth speeds get each change at once: the
//!   local exchange does not batch); server pings and the pong deadline; at most 1024 streams
//!   and 5 incoming messages a second per connection; `serverShutdown`.
//! - **WebSocket API** under [`Control::ws_api_url`] (`/ws-api/v3`): `session.logon`
//!   (Ed25519 keys), `userDataStream.subscribe` / `.subscribe.signature` /
//!   `.unsubscribe`, `order.place` (LIMIT, LIMIT_MAKER, MARKET, STOP_LOSS, STOP_LOSS_LIMIT;
//!   GTC, IOC, FOK), `order.cancel`, `order.cancelReplace`, `order.amend.keepPriority`,
//!   `order.status`, `openOrders.status`, `myTrades`,
//!   `account.status`, `time`, `ping`; signatures and `recvWindow` checked as Binance does; refusals with
//!   Binance's codes; `rateLimits` on every answer; user data (`executionReport`,
//!   `outboundAccountPosition`, `balanceUpdate`, `eventStreamTerminated`) in the
//!   `subscriptionId` wrapper; a configurable connection lifetime; `serverShutdown`.
//! - **Signed REST** queries on the same account: `GET /api/v3/order`, `/api/v3/openOrders`,
//!   `/api/v3/myTrades`, `/api/v3/account` (percent-encoded payload, HMAC or Ed25519).
//! - **One account** ([`Control::balances`], [`Control::orders`]): orders match against the
//!   symbol's book when placed and rest until a market trade ([`Control::trade`]) crosses
//!   them, best price then first in the queue (a keep-priority amend keeps the place); stops
//!   wait off the book until a trade reaches their stop price ([`Stop`]); fees in the asset
//!   received.
//! - **A scripted market** ([`Control::trade`], [`Control::set_levels`],
//!   [`Control::advance_to`]) on an exchange clock, and **faults on request**: a depth
//!   sequence gap ([`Control::skip_depth_updates`]), dropped connections
//!   ([`Control::drop_connections`]).
//!
//! - **WebSocket API faults** ([`Fault`], [`Control::arm_fault`]): an order executed and its
//!   reply lost (socket dropped, or silence), a `-1007` timeout answer for an executed order,
//!   a 429/418 with `retryAfter`; [`Control::api_server_shutdown`],
//!   [`Control::terminate_user_streams`], [`Control::drop_api_connections`].
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

mod account;
mod amend;
mod auth;
mod config;
mod error;
mod exchange;
mod faults;
mod market;
mod orders;
mod ping;
mod rest;
mod server;
mod stops;
mod streams;
mod wire;
mod ws_api;

pub use account::{AccountTrade, Balance, Order, OrderKind, OrderSide, OrderStatus, Stop, Tif};
pub use auth::{ApiKey, KeySpec, DEFAULT_RECV_WINDOW_MS};
pub use config::{
    LocalBinanceConfig, SymbolSpec, DEFAULT_ED25519_API_KEY, DEFAULT_FEE_RATE, DEFAULT_HMAC_API_KEY,
    DEFAULT_HMAC_SECRET, DEFAULT_LISTEN, DEFAULT_MAX_INCOMING_PER_S, DEFAULT_MAX_STREAMS, DEFAULT_ORDERS_PER_10S,
    DEFAULT_ORDERS_PER_DAY, DEFAULT_OUTBOX_CAPACITY, DEFAULT_PING_INTERVAL, DEFAULT_PONG_TIMEOUT,
    DEFAULT_WEIGHT_PER_MINUTE, DEFAULT_WS_API_LIFETIME,
};
pub use error::Error;
pub use faults::Fault;
pub use market::{Kline, Level, PublicTrade};
pub use server::{Control, LocalBinance};
