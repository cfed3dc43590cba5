//! Messages of the public socket (`wss://ws.kraken.com/v2`): `book`, `trade`, `ticker`,
//! `ohlc`, `instrument`, and the [`ControlMessage`]s both sockets share.
//!
//! Entry point: [`parse_public`]. Every price and quantity is the exact decimal written on the
//! wire; symbols and assets are normalized (`XBT` → `BTC`); times are UTC ms.

use rust_decimal::Decimal;
use serde::Deserialize;
use trading::market::{Side, Symbol, TimeMs};

use super::control::ControlMessage;
use super::envelope::{feed_in_one_pass, sniff_channel, Envelope, Feed, Topic};
use super::error::WireError;
use super::orders::OrderType;
use super::symbols::{de_asset, de_ws_symbol};
use super::time::{opt_rfc3339, rfc3339};
use crate::kit::decimal::{decimal, opt_decimal};
use crate::kit::wire_enum;

/// A message of the public socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicMessage {
    /// `book`: levels to set (snapshot) or change (update), with the checksum to verify.
    Book(Feed<Vec<BookData>>),
    /// `trade`: public trades.
    Trade(Feed<Vec<TradeData>>),
    /// `ticker`: best bid and offer and 24 h statistics.
    Ticker(Feed<Vec<TickerData>>),
    /// `ohlc`: candles; the open one is sent again each time it changes.
    Ohlc(Feed<Vec<OhlcData>>),
    /// `instrument`: reference data for every asset and pair.
    Instrument(Feed<InstrumentData>),
    /// Heartbeats, status, subscription answers, pongs, and anything unknown.
    Control(ControlMessage),
}

/// Parses one text frame of the public socket.
///
/// # Errors
/// [`WireError::NotAMessage`] when the text is not a JSON object with `channel` or `method`;
/// [`WireError::Field`] when a known message has a missing or mistyped field. Unknown channels
/// and methods are not errors: they are [`ControlMessage::Unknown`].
pub fn parse_public(text: &str) -> Result<PublicMessage, WireError> {
    if sniff_channel(text) == Some("book") {
        if let Some(feed) = feed_in_one_pass(text) {
            return Ok(PublicMessage::Book(feed));
        }
    }
    let envelope = Envelope::parse(text)?;
    match envelope.topic() {
        Topic::Channel("book") => envelope.feed("book").map(PublicMessage::Book),
        Topic::Channel("trade") => envelope.feed("trade").map(PublicMessage::Trade),
        Topic::Channel("ticker") => envelope.feed("ticker").map(PublicMessage::Ticker),
        Topic::Channel("ohlc") => envelope.feed("ohlc").map(PublicMessage::Ohlc),
        Topic::Channel("instrument") => envelope.feed("instrument").map(PublicMessage::Instrument),
        _ => envelope.control().map(PublicMessage::Control),
    }
}

/// One price level: the quantity now resting at a price. A quantity of zero in an update
/// deletes the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PriceLevel {
    /// The price, exactly as written.
    #[serde(deserialize_with = "decimal")]
    pub price: Decimal,
    /// The quantity, exactly as written.
    #[serde(deserialize_with = "decimal")]
    pub qty: Decimal,
}

/// One symbol's part of a `book` message.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BookData {
    /// The symbol.
    #[serde(deserialize_with = "de_ws_symbol")]
    pub symbol: Symbol,
    /// Bid levels, in the order to apply them.
    pub bids: Vec<PriceLevel>,
    /// Ask levels, in the order to apply them.
    pub asks: Vec<PriceLevel>,
    /// CRC32 of the top ten levels after applying this message.
    pub checksum: u32,
    /// When the book changed (absent on some snapshots).
    #[serde(default, deserialize_with = "opt_rfc3339")]
    pub timestamp: Option<TimeMs>,
}

/// One public trade.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TradeData {
    /// The symbol.
    #[serde(deserialize_with = "de_ws_symbol")]
    pub symbol: Symbol,
    /// The taker's side.
    pub side: Side,
    /// The price.
    #[serde(deserialize_with = "decimal")]
    pub price: Decimal,
    /// The quantity.
    #[serde(deserialize_with = "decimal")]
    pub qty: Decimal,
    /// The taker's order type.
    pub ord_type: OrderType,
    /// Kraken's trade id, sequential per pair.
    pub trade_id: u64,
    /// When it traded.
    #[serde(deserialize_with = "rfc3339")]
    pub timestamp: TimeMs,
}

/// One symbol's ticker.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TickerData {
    /// The symbol.
    #[serde(deserialize_with = "de_ws_symbol")]
    pub symbol: Symbol,
    /// Best bid price.
    #[serde(deserialize_with = "decimal")]
    pub bid: Decimal,
    /// Quantity at the best bid.
    #[serde(deserialize_with = "decimal")]
    pub bid_qty: Decimal,
    /// Best ask price.
    #[serde(deserialize_with = "decimal")]
    pub ask: Decimal,
    /// Quantity at the best ask.
    #[serde(deserialize_with = "decimal")]
    pub ask_qty: Decimal,
    /// Last trade price.
    #[serde(deserialize_with = "decimal")]
    pub last: Decimal,
    /// 24 h volume in the base asset.
    #[serde(deserialize_with = "decimal")]
    pub volume: Decimal,
    /// 24 h volume-weighted average price.
    #[serde(deserialize_with = "decimal")]
    pub vwap: Decimal,
    /// 24 h low.
    #[serde(deserialize_with = "decimal")]
    pub low: Decimal,
    /// 24 h high.
    #[serde(deserialize_with = "decimal")]
    pub high: Decimal,
    /// 24 h price change.
    #[serde(deserialize_with = "decimal")]
    pub change: Decimal,
    /// 24 h price change in percent.
    #[serde(deserialize_with = "decimal")]
    pub change_pct: Decimal,
    /// When it changed, where Kraken sends it.
    #[serde(default, deserialize_with = "opt_rfc3339")]
    pub timestamp: Option<TimeMs>,
}

/// One candle.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OhlcData {
    /// The symbol.
    #[serde(deserialize_with = "de_ws_symbol")]
    pub symbol: Symbol,
    /// Opening price.
    #[serde(deserialize_with = "decimal")]
    pub open: Decimal,
    /// Highest price.
    #[serde(deserialize_with = "decimal")]
    pub high: Decimal,
    /// Lowest price.
    #[serde(deserialize_with = "decimal")]
    pub low: Decimal,
    /// Closing (so far: last) price.
    #[serde(deserialize_with = "decimal")]
    pub close: Decimal,
    /// Number of trades.
    pub trades: u64,
    /// Volume in the base asset.
    #[serde(deserialize_with = "decimal")]
    pub volume: Decimal,
    /// Volume-weighted average price.
    #[serde(deserialize_with = "decimal")]
    pub vwap: Decimal,
    /// When the candle opened.
    #[serde(deserialize_with = "rfc3339")]
    pub interval_begin: TimeMs,
    /// The candle's length in minutes.
    pub interval: u32,
    /// When it last changed, where Kraken sends it.
    #[serde(default, deserialize_with = "opt_rfc3339")]
    pub timestamp: Option<TimeMs>,
}

/// The `instrument` payload: every asset and every pair.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InstrumentData {
    /// Assets.
    #[serde(default)]
    pub assets: Vec<AssetInfo>,
    /// Pairs.
    #[serde(default)]
    pub pairs: Vec<PairInfo>,
}

wire_enum! {
    /// A pair's trading state.
    pub open enum PairStatus {
        /// Trading normally.
        Online = "online",
        /// Only cancels.
        CancelOnly = "cancel_only",
        /// Only post-only limit orders.
        PostOnly = "post_only",
        /// Only limit orders.
        LimitOnly = "limit_only",
        /// Only orders reducing a position.
        ReduceOnly = "reduce_only",
        /// Under maintenance.
        Maintenance = "maintenance",
        /// Not yet trading.
        WorkInProgress = "work_in_progress",
        /// Delisted.
        Delisted = "delisted",
    }
}

wire_enum! {
    /// An asset's funding state.
    pub open enum AssetStatus {
        /// Deposits and withdrawals open.
        Enabled = "enabled",
        /// Disabled.
        Disabled = "disabled",
        /// Deposits only.
        DepositOnly = "depositonly",
        /// Withdrawals only.
        WithdrawalOnly = "withdrawalonly",
        /// Funding paused.
        FundingTemporarilyDisabled = "fundingtemporarilydisabled",
        /// Not yet available.
        WorkInProgress = "workinprogress",
    }
}

/// One pair's reference data: what an order must satisfy, and the precisions the book checksum
/// prints with.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PairInfo {
    /// The symbol.
    #[serde(deserialize_with = "de_ws_symbol")]
    pub symbol: Symbol,
    /// The base asset, normalized.
    #[serde(deserialize_with = "de_asset")]
    pub base: String,
    /// The quote asset, normalized.
    #[serde(deserialize_with = "de_asset")]
    pub quote: String,
    /// The trading state.
    pub status: PairStatus,
    /// Minimum order quantity.
    #[serde(deserialize_with = "decimal")]
    pub qty_min: Decimal,
    /// Quantity step.
    #[serde(deserialize_with = "decimal")]
    pub qty_increment: Decimal,
    /// Decimals of quantities (the book checksum prints `qty` with these).
    pub qty_precision: u32,
    /// Price step.
    #[serde(deserialize_with = "decimal")]
    pub price_increment: Decimal,
    /// Decimals of prices (the book checksum prints `price` with these).
    pub price_precision: u32,
    /// Decimals of costs.
    pub cost_precision: u32,
    /// Minimum order cost (price × quantity), where set.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub cost_min: Option<Decimal>,
    /// Whether the pair can be traded on margin.
    #[serde(default)]
    pub marginable: Option<bool>,
    /// Whether the pair has an index price.
    #[serde(default)]
    pub has_index: Option<bool>,
}

/// One asset's reference data.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AssetInfo {
    /// The asset, normalized.
    #[serde(deserialize_with = "de_asset")]
    pub id: String,
    /// Funding state.
    pub status: AssetStatus,
    /// Decimals of balances.
    pub precision: u32,
    /// Decimals to display.
    #[serde(default)]
    pub precision_display: Option<u32>,
    /// Whether it can be borrowed.
    #[serde(default)]
    pub borrowable: Option<bool>,
    /// Collateral value on margin.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub collateral_value: Option<Decimal>,
}

#[cfg(test)]
mod tests;
