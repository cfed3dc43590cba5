//! Scripted market data: 1-minute bars played as trades, and recorded book sessions.
//!
//! A bar becomes four trades 15 s apart: open; then low and high in the order the bar's
//! direction implies (a rising bar dips first: open, low, high, close; a falling one: open,
//! high, low, close); then close. The volume is split into four equal parts at the pair's qty
//! precision, the remainder on the close. So the 1-minute candles the exchange builds from its
//! own trades equal the bars exactly, which is what makes the bars a usable oracle.
//!
//! A [`BookCapture`] is a recorded `book` session (snapshot plus updates, with Kraken's own
//! checksums), replayed into the exchange's book.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::book::Level;
use crate::error::Error;
use crate::market::Side;
use crate::num::{scale_needed, WireDecimal};

/// One OHLCV bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Bar start, ms since the epoch (UTC).
    pub time_ms: i64,
    /// Open.
    pub open: Decimal,
    /// High.
    pub high: Decimal,
    /// Low.
    pub low: Decimal,
    /// Close.
    pub close: Decimal,
    /// Volume.
    pub volume: Decimal,
}

/// Offsets of a bar's four trades within its minute.
pub const BAR_TRADE_OFFSETS_MS: [i64; 4] = [0, 15_000, 30_000, 45_000];

impl Bar {
    /// The four trades (offset, taker side, price, qty) that reproduce this bar at `qty_precision`.
    ///
    /// # Errors
    /// [`Error::Input`] when the volume is too small to split into four positive parts.
    pub fn trades(&self, qty_precision: u32) -> Result<[(i64, Side, Decimal, Decimal); 4], Error> {
        let rising = self.close >= self.open;
        let (second, third) = if rising {
            (self.low, self.high)
        } else {
            (self.high, self.low)
        };
        let part = (self.volume / Decimal::from(4)).trunc_with_scale(qty_precision);
        if part <= Decimal::ZERO {
            return Err(Error::Input {
                path: PathBuf::new(),
                line: 0,
                reason: format!(
                    "bar at {} ms: volume {} cannot be split into four trades",
                    self.time_ms, self.volume
                ),
            });
        }
        let last = self.volume - part * Decimal::from(3);
        let side = |from: Decimal, to: Decimal| if to >= from { Side::Buy } else { Side::Sell };
        Ok([
            (
                BAR_TRADE_OFFSETS_MS[0],
                if rising { Side::Buy } else { Side::Sell },
                self.open,
                part,
            ),
            (BAR_TRADE_OFFSETS_MS[1], side(self.open, second), second, part),
            (BAR_TRADE_OFFSETS_MS[2], side(second, third), third, part),
            (BAR_TRADE_OFFSETS_MS[3], side(third, self.close), self.close, last),
        ])
    }
}

/// Decimals the bars' prices need (so a pair can be configured to fit them).
pub fn price_precision_needed(bars: &[Bar]) -> u32 {
    bars.iter()
        .flat_map(|b| [b.open, b.high, b.low, b.close])
        .map(scale_needed)
        .max()
        .unwrap_or(0)
}

/// Reads `index,date,open,high,low,close,volume` bars (columns found by header name; dates
/// `YYYY-MM-DD[ HH:MM:SS]` read as UTC).
///
/// # Errors
/// [`Error::Input`] with the file and line of the first bad row.
pub fn read_bars_csv(path: &Path) -> Result<Vec<Bar>, Error> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        line: 0,
        reason: e.to_string(),
    })?;
    parse_bars_csv(&text).map_err(|(line, reason)| Error::Input {
        path: path.to_path_buf(),
        line,
        reason,
    })
}

/// [`read_bars_csv`] of text; errors are (line, reason).
pub fn parse_bars_csv(text: &str) -> Result<Vec<Bar>, (usize, String)> {
    let mut lines = text.lines().enumerate();
    let (_, header) = lines.next().ok_or((1, "empty file".to_string()))?;
    let names: Vec<String> = header.split(',').map(|h| h.trim().to_ascii_lowercase()).collect();
    let col = |name: &str| {
        names
            .iter()
            .position(|n| n == name)
            .ok_or((1, format!("no `{name}` column")))
    };
    let (date, open, high, low, close, volume) = (
        col("date")?,
        col("open")?,
        col("high")?,
        col("low")?,
        col("close")?,
        col("volume")?,
    );
    let mut bars = Vec::new();
    for (i, line) in lines {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let get = |c: usize| {
            fields
                .get(c)
                .copied()
                .ok_or((line_no, format!("missing column {}", c + 1)))
        };
        let num = |c: usize| -> Result<Decimal, (usize, String)> {
            let t = get(c)?;
            Decimal::from_str(t).map_err(|_| (line_no, format!("not a decimal: {t}")))
        };
        let time_ms = crate::clock::parse_utc_ms(get(date)?)
            .ok_or((line_no, format!("bad date: {}", get(date).unwrap_or(""))))?;
        let bar = Bar {
            time_ms,
            open: num(open)?,
            high: num(high)?,
            low: num(low)?,
            close: num(close)?,
            volume: num(volume)?,
        };
        let consistent =
            bar.low <= bar.open.min(bar.close) && bar.high >= bar.open.max(bar.close) && bar.low > Decimal::ZERO;
        if !consistent {
            return Err((line_no, "low/high do not bound open/close".to_string()));
        }
        if bars.last().is_some_and(|b: &Bar| b.time_ms >= bar.time_ms) {
            return Err((line_no, "bars out of order".to_string()));
        }
        bars.push(bar);
    }
    Ok(bars)
}

/// One recorded book message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapturedBook {
    /// Pair.
    pub symbol: String,
    /// Bid levels as sent.
    pub bids: Vec<Level>,
    /// Ask levels as sent.
    pub asks: Vec<Level>,
    /// Kraken's checksum.
    pub checksum: u32,
}

/// A recorded `book` session: `{"init": snapshot, "updates": [update…]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookCapture {
    /// The snapshot.
    pub snapshot: CapturedBook,
    /// The updates, in order.
    pub updates: Vec<CapturedBook>,
}

#[derive(Deserialize)]
struct RawLevel {
    price: WireDecimal,
    qty: WireDecimal,
}

#[derive(Deserialize)]
struct RawData {
    symbol: String,
    #[serde(default)]
    bids: Vec<RawLevel>,
    #[serde(default)]
    asks: Vec<RawLevel>,
    checksum: u32,
}

#[derive(Deserialize)]
struct RawMessage {
    data: Vec<RawData>,
}

#[derive(Deserialize)]
struct RawCapture {
    init: RawMessage,
    updates: Vec<RawMessage>,
}

fn convert(m: RawMessage) -> Option<CapturedBook> {
    let d = m.data.into_iter().next()?;
    let levels = |v: Vec<RawLevel>| {
        v.into_iter()
            .map(|l| Level {
                price: l.price.0,
                qty: l.qty.0,
            })
            .collect()
    };
    Some(CapturedBook {
        symbol: d.symbol,
        bids: levels(d.bids),
        asks: levels(d.asks),
        checksum: d.checksum,
    })
}

impl BookCapture {
    /// The BTC/USD session in `fixtures/kraken/book-v2-btcusd-capture.json` (snapshot + 509 updates).
    pub fn btc_usd_fixture() -> Self {
        const TEXT: &str = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/kraken/book-v2-btcusd-capture.json"
        ));
        Self::parse(TEXT).expect("the shipped fixture parses")
    }

    /// Reads a capture file.
    ///
    /// # Errors
    /// [`Error::Input`] when it cannot be read or is not a capture.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Input {
            path: path.to_path_buf(),
            line: 0,
            reason: e.to_string(),
        })?;
        Self::parse(&text).map_err(|reason| Error::Input {
            path: path.to_path_buf(),
            line: 0,
            reason,
        })
    }

    /// Parses capture text.
    ///
    /// # Errors
    /// The reason, when the text is not a capture.
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawCapture = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let snapshot = convert(raw.init).ok_or("init has no data")?;
        let updates = raw
            .updates
            .into_iter()
            .map(convert)
            .collect::<Option<Vec<_>>>()
            .ok_or("an update has no data")?;
        Ok(BookCapture { snapshot, updates })
    }

    /// The depth it was recorded at (levels per side in the snapshot).
    pub fn depth(&self) -> usize {
        self.snapshot.bids.len().max(self.snapshot.asks.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rising_bar_dips_first_and_keeps_its_volume() {
        let bar = Bar {
            time_ms: 0,
            open: Decimal::from(10),
            high: Decimal::from(12),
            low: Decimal::from(9),
            close: Decimal::from(11),
            volume: Decimal::from(10),
        };
        let t = bar.trades(0).unwrap();
        let prices: Vec<_> = t.iter().map(|x| x.2).collect();
        assert_eq!(prices, vec![10.into(), 9.into(), 12.into(), 11.into()]);
        assert_eq!(t.iter().map(|x| x.3).sum::<Decimal>(), Decimal::from(10));
        assert_eq!(t[3].3, Decimal::from(4));
    }

    #[test]
    fn the_intraday_csv_reads() {
        let text = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/Intraday.csv"));
        let bars = parse_bars_csv(text).unwrap();
        assert_eq!(bars.len(), 1564);
        assert_eq!(crate::clock::rfc3339_ms(bars[0].time_ms), "2020-12-15T09:30:00.000000Z");
        assert!(price_precision_needed(&bars) <= 4);
    }

    #[test]
    fn bad_rows_name_their_line() {
        let err = parse_bars_csv("date,open,high,low,close,volume\n2020-01-01,1,2,0.5,1,10\n2020-01-02,1,0.5,2,1,1\n");
        assert_eq!(err.unwrap_err().0, 3);
    }

    #[test]
    fn the_fixture_has_its_510_messages() {
        let c = BookCapture::btc_usd_fixture();
        assert_eq!(c.updates.len(), 509);
        assert_eq!(c.depth(), 10);
    }
}
