//! Binance spot's wire format: the market streams, REST's answers, the WebSocket API's
//! responses and user data events, and Binance's error codes, parsed from their JSON text with
//! exact decimals. Pure: no I/O, no async, no clock; times come in as arguments.
//!
//! Entry points:
//! - [`parse_stream`]: one frame of the market stream socket (combined-stream wrapper, control
//!   answers, `serverShutdown`) to a [`StreamMessage`]; [`stream_name`] and
//!   [`subscription_request`] for the other direction.
//! - [`parse_exchange_info`], [`parse_depth_snapshot`], [`parse_server_time`],
//!   [`parse_rest_error`]: REST bodies.
//! - [`parse_ws_api`]: one frame of the WebSocket API socket, a [`WsApiResponse`] or a
//!   [`UserDataFrame`].
//! - [`OrderResult`]: an order as `order.place` / `order.status` answer it ([`parse_order`] for
//!   REST).
//! - [`BinanceError`]: a code and message, classified ([`ErrorKind`], [`Outcome`]).
//! - [`SymbolDirectory`]: `BTCUSDT` ↔ `BTC/USDT`, from `exchangeInfo`; the `to_trade`,
//!   `to_quote`, `to_candle` of each market event go through it.
//!
//! Invariants:
//! 1. Numbers are read from their JSON text into [`rust_decimal::Decimal`] with the scale as
//!    written; never through `f64`.
//! 2. Nothing panics on any input: every failure is a [`WireError`] naming the message and the
//!    field's JSON path.
//! 3. Binance's spellings (`BTCUSDT`, one-letter field names) never leave this module: the
//!    host's model comes out of the `to_*` conversions, with symbols from the directory.
//! 4. An error whose [`Outcome`] is `Unknown` (and any 5xx) does not mean the request was
//!    refused.

// Invariant 2, enforced: production code here has no way to panic on input.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

mod enums;
mod error;
mod filters;
mod market;
mod orders;
mod rest;
mod stream;
mod symbols;
mod user_data;
mod venue_error;
mod ws_api;

pub use enums::{
    ExecutionType, OrderSide, OrderStatus, OrderType, RateLimitInterval, RateLimitType, SymbolStatus, TimeInForce,
};
pub use error::WireError;
pub use filters::{Filter, LotSize, MinNotional, Notional, PriceFilter, RulesError, SymbolRules, TradingState};
pub use market::{Bar, BookTickerEvent, DepthSnapshot, DepthUpdate, Kline, KlineEvent, PriceLevel, TradeEvent};
pub use orders::{parse_account_trades, parse_order, parse_orders, AccountTrade, OrderFill, OrderResult};
pub use rest::{
    parse_depth_snapshot, parse_exchange_info, parse_rest_error, parse_server_time, ExchangeInfo, RateLimit,
    RateLimitKind, ServerTime, SymbolInfo,
};
pub use stream::{
    parse_stream, stream_name, subscription_request, ControlResponse, DepthSpeed, RequestId, StreamError, StreamKind,
    StreamMessage,
};
pub use symbols::{InvalidVenueSymbol, SymbolDirectory, VenueSymbol, MAX_VENUE_SYMBOL};
pub use user_data::{
    parse_account, AccountPosition, AccountStatus, AssetBalance, BalanceUpdate, ExecutionReport, UserDataEvent,
};
pub use venue_error::{BinanceError, ErrorKind, FilterName, Outcome};
pub use ws_api::{
    parse_ws_api, ApiError, CancelReplaceFailure, RateLimitUsage, UserDataFrame, WsApiMessage, WsApiResponse,
};
