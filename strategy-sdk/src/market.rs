//! Market data as a strategy receives it: candles, trades and quotes.
//!
//! Symbols are always `BASE/QUOTE` (`BTC/USD`), times are UTC milliseconds, prices and
//! quantities exact [`Decimal`]s. Symbols and timeframes are [`SharedStr`]s: every event of a
//! stream shares one copy of the text, so delivering an event allocates nothing.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::shared_str::SharedStr;

/// The side of an order or of a trade's aggressor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Buying the base asset.
    Buy,
    /// Selling the base asset.
    Sell,
}

impl Side {
    /// The other side.
    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }

    /// `"buy"` or `"sell"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }
}

/// One OHLCV bar of a symbol and timeframe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candle {
    /// `BASE/QUOTE`.
    pub symbol: SharedStr,
    /// The bar's duration, such as `1m`, `1h` or `1d`.
    pub timeframe: SharedStr,
    /// UTC millisecond at which the bar opened.
    pub open_time_ms: i64,
    /// First trade price of the bar.
    pub open: Decimal,
    /// Highest trade price of the bar.
    pub high: Decimal,
    /// Lowest trade price of the bar.
    pub low: Decimal,
    /// Last trade price of the bar.
    pub close: Decimal,
    /// Traded quantity, in the base asset.
    pub volume: Decimal,
}

/// One public trade on the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trade {
    /// `BASE/QUOTE`.
    pub symbol: SharedStr,
    /// UTC millisecond of the execution.
    pub time_ms: i64,
    /// Execution price.
    pub price: Decimal,
    /// Executed quantity, in the base asset.
    pub qty: Decimal,
    /// The side that took liquidity.
    pub aggressor: Side,
}

/// The best bid and ask.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// `BASE/QUOTE`.
    pub symbol: SharedStr,
    /// UTC millisecond of the quote.
    pub time_ms: i64,
    /// Best bid price.
    pub bid: Decimal,
    /// Quantity at the best bid.
    pub bid_qty: Decimal,
    /// Best ask price.
    pub ask: Decimal,
    /// Quantity at the best ask.
    pub ask_qty: Decimal,
}

impl Quote {
    /// The midpoint between bid and ask.
    pub fn mid(&self) -> Decimal {
        (self.bid + self.ask) / Decimal::TWO
    }
}
