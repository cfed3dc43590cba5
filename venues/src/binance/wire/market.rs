//! Binance's market stream payloads (web-socket-streams.md): `trade`, `kline`, `bookTicker`,
//! `depthUpdate`, and the REST `depth` snapshot they share the level shape with; each also in
//! the host's model, through the [`SymbolDirectory`].
//!
//! Prices and quantities are the exact decimals of their strings; times are UTC ms as Binance
//! sends them. Fields Binance marks "ignore" are not read.

use rust_decimal::Decimal;
use serde::Deserialize;
use trading::market::{BarUpdate, Candle, Quote, Side, TimeMs, Timeframe, Trade};

use super::symbols::{SymbolDirectory, VenueSymbol};
use crate::kit::decimal::decimal_string;

/// One price level, `["price", "qty"]`: the quantity now resting at a price. In a diff, a
/// quantity of zero deletes the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PriceLevel(
    /// The price, exactly as written.
    #[serde(deserialize_with = "decimal_string")]
    pub Decimal,
    /// The quantity, exactly as written.
    #[serde(deserialize_with = "decimal_string")]
    pub Decimal,
);

impl PriceLevel {
    /// The price.
    pub fn price(&self) -> Decimal {
        self.0
    }

    /// The quantity.
    pub fn qty(&self) -> Decimal {
        self.1
    }
}

/// `<symbol>@trade`: one trade between two orders.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TradeEvent {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: TimeMs,
    /// The symbol.
    #[serde(rename = "s")]
    pub symbol: VenueSymbol,
    /// Binance's trade id, sequential per symbol.
    #[serde(rename = "t")]
    pub trade_id: u64,
    /// The price.
    #[serde(rename = "p", deserialize_with = "decimal_string")]
    pub price: Decimal,
    /// The quantity.
    #[serde(rename = "q", deserialize_with = "decimal_string")]
    pub qty: Decimal,
    /// When it traded.
    #[serde(rename = "T")]
    pub trade_time: TimeMs,
    /// Whether the buyer was the maker (so the seller took).
    #[serde(rename = "m")]
    pub buyer_is_maker: bool,
}

impl TradeEvent {
    /// The taker's side: a trade whose buyer made the market was a sell taking it.
    pub fn aggressor(&self) -> Side {
        if self.buyer_is_maker {
            Side::Sell
        } else {
            Side::Buy
        }
    }

    /// The trade in the host's model, or `None` for a symbol the directory does not know.
    pub fn to_trade(&self, symbols: &SymbolDirectory) -> Option<Trade> {
        Some(Trade {
            symbol: symbols.symbol(&self.symbol)?.clone(),
            time_ms: self.trade_time,
            price: self.price,
            qty: self.qty,
            aggressor: self.aggressor(),
        })
    }
}

/// `<symbol>@kline_<interval>`: the candle in progress, about every 2 s, and once closed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct KlineEvent {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: TimeMs,
    /// The symbol.
    #[serde(rename = "s")]
    pub symbol: VenueSymbol,
    /// The candle.
    #[serde(rename = "k")]
    pub kline: Kline,
}

/// One candle of a `kline` event.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Kline {
    /// When it opens.
    #[serde(rename = "t")]
    pub open_time: TimeMs,
    /// Its last millisecond (open time + interval − 1).
    #[serde(rename = "T")]
    pub close_time: TimeMs,
    /// The interval as Binance writes it (`1m`, `1h`, `1M` for a month).
    #[serde(rename = "i")]
    pub interval: String,
    /// Opening price.
    #[serde(rename = "o", deserialize_with = "decimal_string")]
    pub open: Decimal,
    /// Closing (so far: last) price.
    #[serde(rename = "c", deserialize_with = "decimal_string")]
    pub close: Decimal,
    /// Highest price.
    #[serde(rename = "h", deserialize_with = "decimal_string")]
    pub high: Decimal,
    /// Lowest price.
    #[serde(rename = "l", deserialize_with = "decimal_string")]
    pub low: Decimal,
    /// Volume in the base asset.
    #[serde(rename = "v", deserialize_with = "decimal_string")]
    pub volume: Decimal,
    /// Number of trades.
    #[serde(rename = "n")]
    pub trades: u64,
    /// Whether the candle is closed (its last update).
    #[serde(rename = "x")]
    pub closed: bool,
    /// Volume in the quote asset.
    #[serde(rename = "q", deserialize_with = "decimal_string")]
    pub quote_volume: Decimal,
}

impl KlineEvent {
    /// The candle in the host's model, or `None` for an unknown symbol or an interval that is
    /// no [`Timeframe`] (Binance's `1M`, a calendar month, is not a fixed length).
    pub fn to_candle(&self, symbols: &SymbolDirectory) -> Option<Candle> {
        let timeframe = Timeframe::parse(&self.kline.interval).ok()?;
        Some(Candle {
            symbol: symbols.symbol(&self.symbol)?.clone(),
            timeframe,
            open_time_ms: self.kline.open_time,
            open: self.kline.open,
            high: self.kline.high,
            low: self.kline.low,
            close: self.kline.close,
            volume: self.kline.volume,
        })
    }

    /// The candle as the host's event: a closed bar when Binance says it closed, else the bar
    /// in progress at the event's time.
    pub fn to_bar(&self, symbols: &SymbolDirectory) -> Option<Bar> {
        let candle = self.to_candle(symbols)?;
        Some(if self.kline.closed {
            Bar::Closed(candle)
        } else {
            Bar::InProgress(BarUpdate {
                candle,
                time_ms: self.event_time,
            })
        })
    }
}

/// A kline in the host's terms: closed, or still forming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bar {
    /// The bar closed.
    Closed(Candle),
    /// The bar in progress changed.
    InProgress(BarUpdate),
}

/// `<symbol>@bookTicker`: the best bid and ask, on every change. Carries no time: the caller
/// stamps it with when it arrived.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BookTickerEvent {
    /// The book's update id at this top of book.
    #[serde(rename = "u")]
    pub update_id: u64,
    /// The symbol.
    #[serde(rename = "s")]
    pub symbol: VenueSymbol,
    /// Best bid price.
    #[serde(rename = "b", deserialize_with = "decimal_string")]
    pub bid: Decimal,
    /// Quantity at the best bid.
    #[serde(rename = "B", deserialize_with = "decimal_string")]
    pub bid_qty: Decimal,
    /// Best ask price.
    #[serde(rename = "a", deserialize_with = "decimal_string")]
    pub ask: Decimal,
    /// Quantity at the best ask.
    #[serde(rename = "A", deserialize_with = "decimal_string")]
    pub ask_qty: Decimal,
}

impl BookTickerEvent {
    /// The best bid and offer as a [`Quote`] at `received_ms`, or `None` for an unknown symbol.
    pub fn to_quote(&self, symbols: &SymbolDirectory, received_ms: TimeMs) -> Option<Quote> {
        Some(Quote {
            symbol: symbols.symbol(&self.symbol)?.clone(),
            time_ms: received_ms,
            bid: self.bid,
            bid_qty: self.bid_qty,
            ask: self.ask,
            ask_qty: self.ask_qty,
        })
    }
}

/// `<symbol>@depth` / `<symbol>@depth@100ms`: the levels that changed between two update ids.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DepthUpdate {
    /// Event time.
    #[serde(rename = "E")]
    pub event_time: TimeMs,
    /// The symbol.
    #[serde(rename = "s")]
    pub symbol: VenueSymbol,
    /// The first update id in this event.
    #[serde(rename = "U")]
    pub first_update_id: u64,
    /// The last update id in this event.
    #[serde(rename = "u")]
    pub final_update_id: u64,
    /// Bid levels to set.
    #[serde(rename = "b")]
    pub bids: Vec<PriceLevel>,
    /// Ask levels to set.
    #[serde(rename = "a")]
    pub asks: Vec<PriceLevel>,
}

/// REST `GET /api/v3/depth` (and the partial-depth stream, which has the same shape): the top of
/// the book as of `lastUpdateId`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct DepthSnapshot {
    /// The book's update id at this snapshot.
    #[serde(rename = "lastUpdateId")]
    pub last_update_id: u64,
    /// Bid levels, best first.
    pub bids: Vec<PriceLevel>,
    /// Ask levels, best first.
    pub asks: Vec<PriceLevel>,
}
