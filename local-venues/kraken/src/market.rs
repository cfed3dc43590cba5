//! One pair's public market: its book, its trade tape, the candles built from the tape, and
//! the rolling 24 h statistics the ticker reports.
//!
//! Candles are built here from trades only (never pushed in), in UTC buckets of every interval
//! Kraken offers, aligned to the Unix epoch (so 1440 starts at 00:00 UTC; 10080 and 21600 start
//! on epoch multiples, which Kraken does not document).

use std::collections::{BTreeMap, VecDeque};

use rust_decimal::Decimal;

use crate::book::{Book, BookSide};
use crate::config::PairSpec;
use crate::triggers::PrintRange;

/// Every `interval` (minutes) Kraken's `ohlc` channel offers.
pub const OHLC_INTERVALS: [u32; 9] = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600];
/// Trades kept for `trade` snapshots (Kraken sends the last 50).
const TAPE_LEN: usize = 50;
/// Candles kept per interval (Kraken serves up to 720 in an `ohlc` snapshot).
pub(crate) const CANDLES_KEPT: usize = 10_000;
/// Candles in an `ohlc` snapshot.
pub(crate) const OHLC_SNAPSHOT_LEN: usize = 720;
const DAY_US: i64 = 86_400_000_000;

/// Buy or sell: an order's side, or the taker's side of a public trade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// Buy.
    Buy,
    /// Sell.
    Sell,
}

impl Side {
    /// `buy` or `sell`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Buy => "buy",
            Side::Sell => "sell",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Side> {
        match text {
            "buy" => Some(Side::Buy),
            "sell" => Some(Side::Sell),
            _ => None,
        }
    }
}

/// A public trade on the tape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicTrade {
    /// Pair.
    pub symbol: String,
    /// Taker side.
    pub side: Side,
    /// Price.
    pub price: Decimal,
    /// Quantity.
    pub qty: Decimal,
    /// `limit` or `market` (the taker's order type).
    pub ord_type: &'static str,
    /// Per-pair sequential id.
    pub trade_id: u64,
    /// Exchange time, µs since the epoch.
    pub time_us: i64,
}

/// One candle as the exchange publishes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candle {
    /// Pair.
    pub symbol: String,
    /// Minutes.
    pub interval: u32,
    /// Bucket start, ms since the epoch.
    pub interval_begin_ms: i64,
    /// First trade's price.
    pub open: Decimal,
    /// Highest price.
    pub high: Decimal,
    /// Lowest price.
    pub low: Decimal,
    /// Last trade's price.
    pub close: Decimal,
    /// Sum of quantities.
    pub volume: Decimal,
    /// Sum of price × qty (the vwap is `notional / volume`).
    pub notional: Decimal,
    /// Number of trades.
    pub trades: u64,
    /// Exchange time of the last trade, µs.
    pub last_update_us: i64,
}

impl Candle {
    /// Volume-weighted average price, exact up to rust_decimal's 28 digits.
    pub fn vwap(&self) -> Decimal {
        if self.volume.is_zero() {
            self.close
        } else {
            self.notional / self.volume
        }
    }
}

/// Rolling 24 h figures for `ticker`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DayStats {
    pub(crate) volume: Decimal,
    pub(crate) vwap: Decimal,
    pub(crate) low: Decimal,
    pub(crate) high: Decimal,
    pub(crate) change: Decimal,
    pub(crate) change_pct: Decimal,
}

/// One pair's market.
#[derive(Debug)]
pub(crate) struct Market {
    pub(crate) spec: PairSpec,
    pub(crate) book: Book,
    tape: VecDeque<PublicTrade>,
    day: VecDeque<(i64, Decimal, Decimal)>,
    candles: BTreeMap<u32, VecDeque<Candle>>,
    next_trade_id: u64,
    /// Prices printed since the account's stops were last looked at.
    unseen_prints: Option<PrintRange>,
}

impl Market {
    pub(crate) fn new(spec: PairSpec) -> Self {
        Market {
            spec,
            book: Book::default(),
            tape: VecDeque::new(),
            day: VecDeque::new(),
            candles: OHLC_INTERVALS.iter().map(|i| (*i, VecDeque::new())).collect(),
            next_trade_id: 1,
            unseen_prints: None,
        }
    }

    /// The prices printed since the last call, for the stops to look at; `None` when nothing
    /// printed.
    pub(crate) fn take_unseen_prints(&mut self) -> Option<PrintRange> {
        self.unseen_prints.take()
    }

    pub(crate) fn last_price(&self) -> Option<Decimal> {
        self.tape.back().map(|t| t.price)
    }

    /// Puts a trade on the tape and into every candle; returns it with its id.
    pub(crate) fn record_trade(
        &mut self,
        side: Side,
        price: Decimal,
        qty: Decimal,
        ord_type: &'static str,
        time_us: i64,
    ) -> PublicTrade {
        let trade = PublicTrade {
            symbol: self.spec.symbol.clone(),
            side,
            price,
            qty,
            ord_type,
            trade_id: self.next_trade_id,
            time_us,
        };
        self.next_trade_id += 1;
        self.unseen_prints = Some(self.unseen_prints.map_or(PrintRange::at(price), |r| r.with(price)));
        self.tape.push_back(trade.clone());
        if self.tape.len() > TAPE_LEN {
            self.tape.pop_front();
        }
        self.day.push_back((time_us, price, qty));
        while self.day.front().is_some_and(|(t, _, _)| *t < time_us - DAY_US) {
            self.day.pop_front();
        }
        let time_ms = time_us.div_euclid(1000);
        for (interval, list) in self.candles.iter_mut() {
            let width = i64::from(*interval) * 60_000;
            let begin = time_ms.div_euclid(width) * width;
            match list.back_mut() {
                Some(c) if c.interval_begin_ms == begin => {
                    c.high = c.high.max(price);
                    c.low = c.low.min(price);
                    c.close = price;
                    c.volume += qty;
                    c.notional += price * qty;
                    c.trades += 1;
                    c.last_update_us = time_us;
                }
                _ => {
                    list.push_back(Candle {
                        symbol: self.spec.symbol.clone(),
                        interval: *interval,
                        interval_begin_ms: begin,
                        open: price,
                        high: price,
                        low: price,
                        close: price,
                        volume: qty,
                        notional: price * qty,
                        trades: 1,
                        last_update_us: time_us,
                    });
                    if list.len() > CANDLES_KEPT {
                        list.pop_front();
                    }
                }
            }
        }
        trade
    }

    pub(crate) fn tape(&self) -> impl Iterator<Item = &PublicTrade> {
        self.tape.iter()
    }

    pub(crate) fn candles(&self, interval: u32) -> impl Iterator<Item = &Candle> {
        self.candles.get(&interval).into_iter().flatten()
    }

    pub(crate) fn open_candle(&self, interval: u32) -> Option<&Candle> {
        self.candles.get(&interval).and_then(|l| l.back())
    }

    pub(crate) fn day_stats(&self) -> DayStats {
        let mut volume = Decimal::ZERO;
        let mut notional = Decimal::ZERO;
        let mut low: Option<Decimal> = None;
        let mut high: Option<Decimal> = None;
        for (_, p, q) in &self.day {
            volume += *q;
            notional += *p * *q;
            low = Some(low.map_or(*p, |l| l.min(*p)));
            high = Some(high.map_or(*p, |h| h.max(*p)));
        }
        let first = self.day.front().map(|(_, p, _)| *p).unwrap_or_default();
        let last = self.last_price().unwrap_or_default();
        let change = last - first;
        let change_pct = if first.is_zero() {
            Decimal::ZERO
        } else {
            change * Decimal::from(100) / first
        };
        DayStats {
            volume,
            vwap: if volume.is_zero() { last } else { notional / volume },
            low: low.unwrap_or_default(),
            high: high.unwrap_or_default(),
            change,
            change_pct,
        }
    }

    /// Best bid and ask: the book's, else the last price with qty 0.
    pub(crate) fn bbo(&self) -> ((Decimal, Decimal), (Decimal, Decimal)) {
        let last = self.last_price().unwrap_or_default();
        let side = |s| {
            self.book
                .best(s)
                .map(|l| (l.price, l.qty))
                .unwrap_or((last, Decimal::ZERO))
        };
        (side(BookSide::Bid), side(BookSide::Ask))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candles_bucket_by_utc_interval() {
        let mut m = Market::new(PairSpec::btc_usd());
        let t0 = 1_700_000_100_000_i64 * 1000; // on a 5-minute boundary
        m.record_trade(Side::Buy, Decimal::from(10), Decimal::ONE, "limit", t0);
        m.record_trade(Side::Sell, Decimal::from(8), Decimal::ONE, "limit", t0 + 30_000_000);
        m.record_trade(Side::Buy, Decimal::from(12), Decimal::from(2), "limit", t0 + 60_000_000);
        let one: Vec<_> = m.candles(1).collect();
        assert_eq!(one.len(), 2);
        assert_eq!(
            (one[0].open, one[0].low, one[0].close, one[0].trades),
            (10.into(), 8.into(), 8.into(), 2)
        );
        let five: Vec<_> = m.candles(5).collect();
        assert_eq!(five.len(), 1);
        assert_eq!(five[0].volume, Decimal::from(4));
        assert_eq!(five[0].vwap(), Decimal::from(42) / Decimal::from(4));
    }
}
