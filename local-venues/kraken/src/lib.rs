//! A local Kraken spot exchange on 127.0.0.1, speaking Kraken's REST and WebSocket v2
//! protocols, so strategy-host's tests (and a person by hand) can trade against it.
//!
//! - **REST** under [`Control::rest_url`]: `POST /0/private/{GetWebSocketsToken, AddOrder,
//!   CancelOrder, CancelAll, CancelAllOrdersAfter, QueryOrders, OpenOrders, ClosedOrders,
//!   TradesHistory, Balance}` (signed: `API-Key`, `API-Sign`, strictly increasing nonces) and
//!   `GET /0/public/{AssetPairs, Time, OHLC, Depth}`.
//! - **WebSocket** `/v2` ([`Control::ws_public_url`]): `book`, `trade`, `ticker`, `ohlc`,
//!   `instrument`, `heartbeat`, `ping`. `/auth/v2` ([`Control::ws_private_url`]): `executions`,
//!   `balances`, `add_order`, `batch_add`, `amend_order`, `cancel_order`, `cancel_all`,
//!   `cancel_all_orders_after`.
//! - **Order types** ([`OrderType`]): limit and market, and the stops `stop-loss` and
//!   `stop-loss-limit` with a static trigger on the last trade price ([`Trigger`]), fired by
//!   scripted trades and by takers' prints, reported with their `triggers` in `executions`.
//! - **A market on an exchange clock** ([`ClockMode`]): scripted trades, books, 1-minute bars
//!   ([`read_bars_csv`]) and recorded book sessions ([`BookCapture`]).
//! - **Faults on request** ([`Control::drop_connections`], [`Control::go_silent`], …) and
//!   **observation** ([`Control::active_subscriptions`], [`Control::orders_accepted`], …).
//!
//! **Independence:** this crate implements the protocol from Kraken's documentation on its
//! own and does not depend on the `venues` crate, so a misreading in the host's codec and one
//! here do not cancel out.
//!
//! # Example
//! ```no_run
//! use local_kraken::{LocalKraken, LocalKrakenConfig, Side};
//! use rust_decimal::Decimal;
//!
//! let kraken = LocalKraken::start(LocalKrakenConfig::default())?;
//! println!("{} {}", kraken.ws_public_url(), kraken.api_key());
//! kraken.trade("BTC/USD", Side::Buy, Decimal::new(300000, 1), Decimal::new(1, 2))?;
//! // An unknown symbol is refused, not panicked on.
//! assert!(kraken.trade("XYZ/USD", Side::Buy, Decimal::ONE, Decimal::ONE).is_err());
//! # Ok::<(), local_kraken::Error>(())
//! ```
#![deny(missing_docs, unsafe_code, missing_debug_implementations)]

mod auth;
mod book;
mod clock;
mod config;
mod conn;
mod error;
mod exchange;
mod faults;
mod ids;
mod market;
mod matching;
mod num;
mod orders;
mod rate;
mod rest;
mod script;
mod server;
mod triggers;
mod wire;
mod ws_private;
mod ws_public;

pub use auth::sign;
pub use book::Level;
pub use clock::{parse_utc_ms, rfc3339_ms, rfc3339_us, wall_ms, ClockMode};
pub use config::{
    ConfigError, Fees, LocalKrakenConfig, PairSpec, RateTier, DEFAULT_API_KEY, DEFAULT_HEARTBEAT_INTERVAL,
    DEFAULT_IDLE_CLOSE, DEFAULT_LISTEN, DEFAULT_MAKER_FEE_PCT, DEFAULT_OUTBOX_CAPACITY, DEFAULT_RATE_DECAY_PER_S,
    DEFAULT_RATE_MAX, DEFAULT_TAKER_FEE_PCT, DEFAULT_TOKEN_TTL_S,
};
pub use error::{Error, Reject};
pub use exchange::{ConnectionCounts, MessageCounts, SubscriptionKey};
pub use faults::{ConnKind, Target};
pub use market::{Candle, PublicTrade, Side, OHLC_INTERVALS};
pub use orders::{Fill, LedgerEntry, Liquidity, Order, OrderStatus, OrderType, TimeInForce};
pub use script::{
    parse_bars_csv, price_precision_needed, read_bars_csv, Bar, BookCapture, CapturedBook, BAR_TRADE_OFFSETS_MS,
};
pub use server::{BarPlayer, Control, LocalKraken};
pub use triggers::{Trigger, TriggerStatus};
