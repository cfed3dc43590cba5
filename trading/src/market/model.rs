//! The normalized market data model every feed produces and every consumer reads.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::book::BookSnapshot;

/// UTC milliseconds since the Unix epoch.
pub type TimeMs = i64;

/// A trading pair written `BASE/QUOTE` (`BTC/USD`). Venue spellings (`XBT/USD`, `BTCUSDT`)
/// are translated by the broker adapter and never get past it.
///
/// Cheap to clone: the text is shared.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Symbol(Arc<str>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid symbol `{text}`: expected BASE/QUOTE with letters or digits on both sides, like BTC/USD")]
pub struct InvalidSymbol {
    pub text: String,
}

impl Symbol {
    /// Parses and validates a `BASE/QUOTE` symbol.
    pub fn new(text: &str) -> Result<Self, InvalidSymbol> {
        let valid_part = |p: &str| !p.is_empty() && p.len() <= 16 && p.bytes().all(|b| b.is_ascii_alphanumeric());
        match text.split_once('/') {
            Some((base, quote)) if valid_part(base) && valid_part(quote) => Ok(Self(Arc::from(text))),
            _ => Err(InvalidSymbol { text: text.to_owned() }),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn base(&self) -> &str {
        self.0.split_once('/').map_or("", |(b, _)| b)
    }

    pub fn quote(&self) -> &str {
        self.0.split_once('/').map_or("", |(_, q)| q)
    }
}

impl FromStr for Symbol {
    type Err = InvalidSymbol;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for Symbol {
    type Error = InvalidSymbol;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(&s)
    }
}

impl From<Symbol> for String {
    fn from(s: Symbol) -> String {
        s.0.to_string()
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", &*self.0)
    }
}

/// The duration of one bar, in milliseconds. Written `1s`, `5m`, `1h`, `1d`, `1w`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timeframe {
    ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timeframe `{text}`: expected a count and a unit s, m, h, d or w, like 1m or 1d")]
pub struct InvalidTimeframe {
    pub text: String,
}

impl Timeframe {
    const UNITS: [(char, i64); 5] = [
        ('w', 7 * 86_400_000),
        ('d', 86_400_000),
        ('h', 3_600_000),
        ('m', 60_000),
        ('s', 1_000),
    ];

    /// One second, the shortest timeframe.
    pub const SECOND: Timeframe = Timeframe { ms: 1_000 };
    /// One minute.
    pub const MINUTE: Timeframe = Timeframe { ms: 60_000 };
    /// One hour.
    pub const HOUR: Timeframe = Timeframe { ms: 3_600_000 };
    /// One day.
    pub const DAY: Timeframe = Timeframe { ms: 86_400_000 };

    pub fn from_ms(ms: i64) -> Option<Self> {
        (ms > 0 && ms % 1_000 == 0).then_some(Self { ms })
    }

    pub fn parse(text: &str) -> Result<Self, InvalidTimeframe> {
        let err = || InvalidTimeframe { text: text.to_owned() };
        let unit = text.chars().last().ok_or_else(err)?;
        let unit_ms = Self::UNITS.iter().find(|(u, _)| *u == unit).ok_or_else(err)?.1;
        let count: i64 = text[..text.len() - 1].parse().map_err(|_| err())?;
        count.checked_mul(unit_ms).and_then(Self::from_ms).ok_or_else(err)
    }

    pub fn as_ms(self) -> i64 {
        self.ms
    }
}

impl TryFrom<String> for Timeframe {
    type Error = InvalidTimeframe;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Timeframe> for String {
    fn from(t: Timeframe) -> String {
        t.to_string()
    }
}

impl fmt::Display for Timeframe {
    /// The largest unit that divides the duration evenly: 60,000 ms is `1m`, 90,000 ms is `90s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (unit, unit_ms) = Self::UNITS
            .iter()
            .find(|(_, unit_ms)| self.ms % unit_ms == 0)
            .copied()
            .unwrap_or(('s', 1_000));
        write!(f, "{}{}", self.ms / unit_ms, unit)
    }
}

impl fmt::Debug for Timeframe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Buy,
    Sell,
}

impl Side {
    /// +1 for a buy, −1 for a sell: the sign a fill of this side gives a position change.
    pub fn sign(self) -> Decimal {
        match self {
            Side::Buy => Decimal::ONE,
            Side::Sell => Decimal::NEGATIVE_ONE,
        }
    }

    pub fn opposite(self) -> Side {
        match self {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        }
    }
}

/// One OHLCV bar; `open_time_ms` is when it opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candle {
    pub symbol: Symbol,
    pub timeframe: Timeframe,
    pub open_time_ms: TimeMs,
    pub open: Decimal,
    pub high: Decimal,
    pub low: Decimal,
    pub close: Decimal,
    pub volume: Decimal,
}

impl Candle {
    /// The millisecond at which the bar closed (and its close became known).
    pub fn close_time_ms(&self) -> TimeMs {
        // Saturating: a bar at the end of time (bad input) must not overflow.
        self.open_time_ms.saturating_add(self.timeframe.as_ms())
    }
}

/// The bar in progress, as of `time_ms`: the candle so far (its `close` is the latest price,
/// its `volume` what has traded since it opened). Its closed form arrives later as a
/// [`MarketEvent::Candle`] of the same symbol, timeframe and open time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BarUpdate {
    pub candle: Candle,
    /// When the bar last changed: before its close time, unlike the closed bar's time.
    pub time_ms: TimeMs,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trade {
    pub symbol: Symbol,
    pub time_ms: TimeMs,
    pub price: Decimal,
    pub qty: Decimal,
    pub aggressor: Side,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub symbol: Symbol,
    pub time_ms: TimeMs,
    pub bid: Decimal,
    pub bid_qty: Decimal,
    pub ask: Decimal,
    pub ask_qty: Decimal,
}

/// Every kind of market data, normalized.
///
/// Events are moved and copied by value on the hot path (a backtest, a mailbox), so the enum is
/// as large as its largest variant, a closed bar: a variant that would be larger is boxed
/// (a bar update happens a few times a second live, never in a bar replay).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MarketEvent {
    /// A closed bar.
    Candle(Candle),
    Trade(Trade),
    Quote(Quote),
    Book(BookSnapshot),
    /// The bar in progress changed.
    CandleUpdate(Box<BarUpdate>),
}

impl MarketEvent {
    pub fn symbol(&self) -> &Symbol {
        match self {
            MarketEvent::Candle(c) => &c.symbol,
            MarketEvent::Trade(t) => &t.symbol,
            MarketEvent::Quote(q) => &q.symbol,
            MarketEvent::Book(b) => &b.symbol,
            MarketEvent::CandleUpdate(u) => &u.candle.symbol,
        }
    }

    /// When the event's information became known: a closed bar's close time, a bar update's,
    /// trade's, quote's or book's own time.
    pub fn time_ms(&self) -> TimeMs {
        match self {
            MarketEvent::Candle(c) => c.close_time_ms(),
            MarketEvent::Trade(t) => t.time_ms,
            MarketEvent::Quote(q) => q.time_ms,
            MarketEvent::Book(b) => b.time_ms,
            MarketEvent::CandleUpdate(u) => u.time_ms,
        }
    }

    /// The last traded (or mid) price the event implies, used to mark positions; `None` for a
    /// book with both sides empty, which says nothing about the price.
    pub fn mark_price(&self) -> Option<Decimal> {
        match self {
            MarketEvent::Candle(c) => Some(c.close),
            MarketEvent::Trade(t) => Some(t.price),
            MarketEvent::Quote(q) => Some((q.bid + q.ask) / Decimal::TWO),
            MarketEvent::Book(b) => b.mark_price(),
            MarketEvent::CandleUpdate(u) => Some(u.candle.close),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_must_be_base_slash_quote() {
        assert_eq!(Symbol::new("BTC/USD").unwrap().base(), "BTC");
        for bad in ["BTCUSD", "/USD", "BTC/", "BTC/US D", "BTC/USD/X", ""] {
            assert!(Symbol::new(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn new_kinds_of_event_do_not_grow_the_closed_bar_event() {
        // A closed bar is the largest variant, and every byte of the enum is copied per bar in
        // a replay; the benchmark's speed depends on it.
        assert_eq!(std::mem::size_of::<MarketEvent>(), 120);
        assert!(std::mem::size_of::<BookSnapshot>() <= std::mem::size_of::<Candle>());
    }

    #[test]
    fn timeframes_round_trip_through_text() {
        for (text, ms) in [
            ("1m", 60_000),
            ("15m", 900_000),
            ("1h", 3_600_000),
            ("1d", 86_400_000),
            ("90s", 90_000),
        ] {
            let tf = Timeframe::parse(text).unwrap();
            assert_eq!(tf.as_ms(), ms);
            assert_eq!(tf.to_string(), text);
        }
        assert_eq!(Timeframe::from_ms(120_000).unwrap().to_string(), "2m");
        for bad in ["", "m", "0m", "-1m", "1x", "1.5h"] {
            assert!(Timeframe::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
