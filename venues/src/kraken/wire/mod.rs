//! Kraken's wire format: messages parsed from and written to their JSON text with exact
//! decimals, the local order book with its CRC32 checksum, request signing, and REST's
//! shapes. Pure: no I/O, no async, no clock; times come in as arguments.
//!
//! Entry points:
//! - [`parse_public`] / [`parse_private`]: one WebSocket v2 text frame to a typed message.
//! - [`requests`]: the JSON text of every request the adapter sends.
//! - [`KrakenBook`]: one symbol's book, applied and checksum-verified message by message.
//! - [`rest`]: REST form bodies, their signature ([`sign`]), and response parsers.
//! - [`OrderErrorKind`] / [`Outcome`]: Kraken's error text, typed.
//! - `to_trade`, `to_quote`, `to_candle`, [`KrakenBook::quote`]: market data in the host's model.
//!
//! Invariants:
//! 1. Numbers are read from their JSON text into [`rust_decimal::Decimal`] with the scale as
//!    written, and written back as the decimal's own text; never through `f64`.
//! 2. Nothing panics on any input: every failure is a [`WireError`] naming the message and the
//!    field's JSON path, or a [`BookError`].
//! 3. Kraken asset spellings (`XBT`, `XXBT`, `ZUSD`, `XDG`) never leave this module: symbols are
//!    normalized [`trading::market::Symbol`]s, assets their host codes.
//! 4. Secrets ([`Token`], [`Secret`]) have redacted `Debug` and appear only in request text and
//!    signatures.
//! 5. An error whose [`Outcome`] is `Unknown` (Kraken busy or unavailable) does not mean the
//!    request was refused.

// Invariant 2, enforced: production code here has no way to panic on input.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

mod book;
mod checksum;
mod control;
mod envelope;
mod error;
mod json_out;
mod normalize;
mod orders;
mod private;
mod public;
mod reject;
pub mod requests;
pub mod rest;
mod sign;
mod symbols;
mod time;

pub use book::{BookDepth, BookError, BookPrecision, KrakenBook};
pub use checksum::{book_checksum, level_digits};
pub use control::{
    ChannelName, ControlMessage, EngineState, RequestFailure, Response, SubscriptionAck, SystemStatus, UnknownMessage,
};
pub use envelope::{Feed, FeedKind};
pub use error::WireError;
pub use orders::{ExecType, Liquidity, OrderStatus, OrderType, TimeInForce};
pub use private::{
    parse_private, AddOrderAck, AmendOrderAck, Balance, CancelAfterAck, CancelAllAck, CancelOrderAck, Execution, Fee,
    LedgerEntry, LedgerType, PrivateMessage, Wallet,
};
pub use public::{
    parse_public, AssetInfo, AssetStatus, BookData, InstrumentData, OhlcData, PairInfo, PairStatus, PriceLevel,
    PublicMessage, TickerData, TradeData,
};
pub use reject::{KrakenError, OrderErrorKind, Outcome};
pub use requests::Token;
pub use sign::{sign, Secret, SignError};
pub use symbols::{normalize_asset, rest_asset, rest_pair_guess, ws_symbol, PairDirectory};
pub use time::{parse_rfc3339, seconds_to_ms};
