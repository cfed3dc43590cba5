//! Market data as a strategy receives it: candles (closed, or in progress), trades, quotes and
//! order books.
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

/// The quantity resting at one price of a [`Book`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BookLevel {
    /// The price.
    pub price: Decimal,
    /// The quantity resting there, in the base asset.
    pub qty: Decimal,
}

/// The top of a symbol's order book, at most the subscribed depth of levels a side.
///
/// ```
/// use strategy_sdk::{Book, BookLevel, Decimal};
///
/// let level = |price, qty| BookLevel { price: Decimal::from(price), qty: Decimal::from(qty) };
/// let book = Book {
///     symbol: "BTC/USD".into(),
///     time_ms: 0,
///     bids: vec![level(99, 2), level(98, 5)],
///     asks: vec![level(101, 1)],
/// };
/// assert_eq!(book.mid(), Some(Decimal::from(100)));
/// assert_eq!(book.best_bid().map(|l| l.qty), Some(Decimal::from(2)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    /// `BASE/QUOTE`.
    pub symbol: SharedStr,
    /// UTC millisecond of the book's state.
    pub time_ms: i64,
    /// Bids, best (highest price) first. Empty when nobody bids.
    pub bids: Vec<BookLevel>,
    /// Asks, best (lowest price) first. Empty when nobody offers.
    pub asks: Vec<BookLevel>,
}

impl Book {
    /// The highest bid, if there is one.
    pub fn best_bid(&self) -> Option<&BookLevel> {
        self.bids.first()
    }

    /// The lowest ask, if there is one.
    pub fn best_ask(&self) -> Option<&BookLevel> {
        self.asks.first()
    }

    /// The midpoint between the best bid and the best ask; `None` unless both sides have a
    /// level.
    pub fn mid(&self) -> Option<Decimal> {
        Some((self.best_bid()?.price + self.best_ask()?.price) / Decimal::TWO)
    }
}
