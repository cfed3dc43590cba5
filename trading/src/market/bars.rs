//! [`BarAggregator`]: bars of a longer timeframe built from bars of a shorter one, so one
//! 1-minute stream per symbol serves every timeframe strategies ask for, live and in backtests
//! alike (the same bars in give the same bars out).
//!
//! Rules:
//! 1. Buckets are UTC and aligned to the Unix epoch: a 1h bar opens on the hour, a 1d bar at
//!    00:00 UTC, a 5m bar at :00, :05, ... The target must be a whole multiple of the source.
//! 2. A bucket's bar is open = first source bar's open, close = last one's close, high and low
//!    the extremes, volume the sum. Buckets with no source bar produce no bar.
//! 3. A bar is complete, and handed out, when its bucket's last source bar arrives, or when a
//!    source bar of a later bucket arrives first (the market was quiet), or when the clock
//!    passes the bucket's end ([`BarAggregator::close_due`]).
//! 4. Source bars must come in time order; an older or repeated one is refused, not merged.

use std::collections::{BTreeMap, VecDeque};

use super::{Candle, MarketEvent, Symbol, TimeMs, Timeframe};

/// Builds `target` bars of one symbol from its `source` bars.
#[derive(Debug, Clone)]
pub struct BarAggregator {
    symbol: Symbol,
    source: Timeframe,
    target: Timeframe,
    current: Option<Candle>,
    /// The open time of the last source bar taken.
    last_source_open: Option<TimeMs>,
}

/// Why bars of one timeframe cannot be built from another.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot build {target} bars from {base} bars: the target must be a whole multiple of the base")]
pub struct InvalidAggregation {
    pub base: Timeframe,
    pub target: Timeframe,
}

/// Why a source bar was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarRefused {
    #[error("a {got} bar of {symbol} given to the builder of {expected}-based bars")]
    WrongStream {
        symbol: Symbol,
        got: Timeframe,
        expected: Timeframe,
    },
    #[error("a bar opening at {open_time_ms} is not after the last one taken ({last_ms})")]
    OutOfOrder { open_time_ms: TimeMs, last_ms: TimeMs },
}

impl BarAggregator {
    /// # Errors
    ///
    /// [`InvalidAggregation`] unless `target` is a whole multiple of `source`.
    pub fn new(symbol: Symbol, source: Timeframe, target: Timeframe) -> Result<Self, InvalidAggregation> {
        if target.as_ms() % source.as_ms() != 0 {
            return Err(InvalidAggregation { base: source, target });
        }
        Ok(Self {
            symbol,
            source,
            target,
            current: None,
            last_source_open: None,
        })
    }

    pub fn target(&self) -> Timeframe {
        self.target
    }

    /// The bar in progress, as far as it is known.
    pub fn current(&self) -> Option<&Candle> {
        self.current.as_ref()
    }

    /// Takes one source bar. Returns the bars it completes, oldest first: the previous bucket's
    /// bar when this one starts a new bucket, and this bucket's when this is its last bar.
    ///
    /// # Errors
    ///
    /// [`BarRefused`] for a bar of another symbol or timeframe, or one not after the last.
    pub fn push(&mut self, bar: &Candle) -> Result<Completed, BarRefused> {
        if bar.symbol != self.symbol || bar.timeframe != self.source {
            return Err(BarRefused::WrongStream {
                symbol: bar.symbol.clone(),
                got: bar.timeframe,
                expected: self.source,
            });
        }
        if let Some(last_ms) = self.last_source_open {
            if bar.open_time_ms <= last_ms {
                return Err(BarRefused::OutOfOrder {
                    open_time_ms: bar.open_time_ms,
                    last_ms,
                });
            }
        }
        self.last_source_open = Some(bar.open_time_ms);
        let bucket = self.bucket_of(bar.open_time_ms);
        let mut completed = Completed::default();
        match &mut self.current {
            Some(current) if current.open_time_ms == bucket => {
                current.high = current.high.max(bar.high);
                current.low = current.low.min(bar.low);
                current.close = bar.close;
                current.volume = current.volume.saturating_add(bar.volume);
            }
            _ => {
                completed.earlier = self.current.take();
                self.current = Some(Candle {
                    symbol: self.symbol.clone(),
                    timeframe: self.target,
                    open_time_ms: bucket,
                    ..bar.clone()
                });
            }
        }
        if bar.close_time_ms() >= bucket + self.target.as_ms() {
            completed.this = self.current.take();
        }
        Ok(completed)
    }

    /// Hands out the bar in progress if its bucket ended at or before `now_ms` (no more source
    /// bars can belong to it). A live feed calls it as its clock moves.
    pub fn close_due(&mut self, now_ms: TimeMs) -> Option<Candle> {
        let due = self.current.as_ref().is_some_and(|bar| bar.close_time_ms() <= now_ms);
        if due {
            self.current.take()
        } else {
            None
        }
    }

    fn bucket_of(&self, time_ms: TimeMs) -> TimeMs {
        time_ms - time_ms.rem_euclid(self.target.as_ms())
    }
}

/// The bars one source bar completed, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Completed {
    /// The previous bucket's bar, completed because this bar starts a later bucket.
    pub earlier: Option<Candle>,
    /// This bar's bucket's bar, completed because this was its last source bar.
    pub this: Option<Candle>,
}

impl Completed {
    /// The completed bars, oldest first.
    pub fn bars(self) -> impl Iterator<Item = Candle> {
        self.earlier.into_iter().chain(self.this)
    }
}

/// A stream of market events with bars of `targets` built from each symbol's bars as they
/// pass: every event goes through unchanged, followed by the bars it completes. How a backtest
/// of 1-minute data serves a strategy that wants 1-hour bars; a live venue builds them with the
/// same [`BarAggregator`]. A bar still open when the events end is not handed out (it is not
/// complete), as live.
#[derive(Debug)]
pub struct WithBuiltBars<I> {
    inner: I,
    targets: Vec<Timeframe>,
    builders: BTreeMap<(Symbol, Timeframe), BarAggregator>,
    pending: VecDeque<MarketEvent>,
}

impl<I: Iterator<Item = MarketEvent>> WithBuiltBars<I> {
    /// Builds every timeframe of `targets` that is a whole multiple (and not the same) of the
    /// bars that come; other targets are never built.
    pub fn new(inner: I, targets: impl IntoIterator<Item = Timeframe>) -> Self {
        let mut targets: Vec<Timeframe> = targets.into_iter().collect();
        targets.sort();
        targets.dedup();
        Self {
            inner,
            targets,
            builders: BTreeMap::new(),
            pending: VecDeque::new(),
        }
    }
}

impl<I: Iterator<Item = MarketEvent>> Iterator for WithBuiltBars<I> {
    type Item = MarketEvent;

    fn next(&mut self) -> Option<MarketEvent> {
        if let Some(built) = self.pending.pop_front() {
            return Some(built);
        }
        let event = self.inner.next()?;
        if let MarketEvent::Candle(bar) = &event {
            for &target in &self.targets {
                if target == bar.timeframe || target.as_ms() % bar.timeframe.as_ms() != 0 {
                    continue;
                }
                let key = (bar.symbol.clone(), target);
                let builder = match self.builders.entry(key) {
                    std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                    std::collections::btree_map::Entry::Vacant(entry) => {
                        match BarAggregator::new(bar.symbol.clone(), bar.timeframe, target) {
                            Ok(builder) => entry.insert(builder),
                            Err(_) => continue,
                        }
                    }
                };
                // Bars of another base timeframe of the symbol, or out of order, are not merged.
                if let Ok(completed) = builder.push(bar) {
                    self.pending.extend(completed.bars().map(MarketEvent::Candle));
                }
            }
        }
        Some(event)
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    const MIN: TimeMs = 60_000;

    fn bar(minute: i64, [o, h, l, c]: [i64; 4]) -> Candle {
        Candle {
            symbol: Symbol::new("BTC/USD").unwrap(),
            timeframe: Timeframe::MINUTE,
            open_time_ms: minute * MIN,
            open: Decimal::from(o),
            high: Decimal::from(h),
            low: Decimal::from(l),
            close: Decimal::from(c),
            volume: Decimal::ONE,
        }
    }

    fn five_minutes() -> BarAggregator {
        BarAggregator::new(
            Symbol::new("BTC/USD").unwrap(),
            Timeframe::MINUTE,
            Timeframe::parse("5m").unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn a_full_bucket_completes_on_its_last_bar() {
        let mut agg = five_minutes();
        let mut out = Vec::new();
        for (minute, ohlc) in [
            (0, [10, 12, 9, 11]),
            (1, [11, 15, 11, 14]),
            (2, [14, 14, 8, 9]),
            (3, [9, 10, 9, 10]),
            (4, [10, 11, 10, 11]),
        ] {
            out.extend(agg.push(&bar(minute, ohlc)).unwrap().bars());
        }
        let five = &out[..];
        assert_eq!(five.len(), 1);
        let b = &five[0];
        assert_eq!(
            (
                b.open_time_ms,
                b.timeframe.to_string(),
                b.open,
                b.high,
                b.low,
                b.close,
                b.volume
            ),
            (
                0,
                "5m".to_owned(),
                Decimal::from(10),
                Decimal::from(15),
                Decimal::from(8),
                Decimal::from(11),
                Decimal::from(5)
            )
        );
        assert!(agg.current().is_none());
    }

    #[test]
    fn a_gap_completes_the_earlier_bucket_and_empty_buckets_make_no_bar() {
        let mut agg = five_minutes();
        assert_eq!(agg.push(&bar(1, [10, 11, 9, 10])).unwrap(), Completed::default());
        // Minutes 2-4 and the whole 5-9 bucket are missing; minute 12 starts a new bucket.
        let completed = agg.push(&bar(12, [20, 21, 19, 20])).unwrap();
        let earlier = completed.earlier.unwrap();
        assert_eq!(
            (earlier.open_time_ms, earlier.open, earlier.close),
            (0, Decimal::from(10), Decimal::from(10))
        );
        assert!(completed.this.is_none());
        assert_eq!(agg.current().unwrap().open_time_ms, 10 * MIN);
        // The clock passing the bucket's end closes it.
        assert!(agg.close_due(15 * MIN - 1).is_none());
        assert_eq!(agg.close_due(15 * MIN).unwrap().open_time_ms, 10 * MIN);
    }

    #[test]
    fn bad_input_is_refused() {
        let mut agg = five_minutes();
        agg.push(&bar(3, [1, 1, 1, 1])).unwrap();
        assert!(matches!(
            agg.push(&bar(3, [1, 1, 1, 1])),
            Err(BarRefused::OutOfOrder { .. })
        ));
        let mut eth = bar(4, [1, 1, 1, 1]);
        eth.symbol = Symbol::new("ETH/USD").unwrap();
        assert!(matches!(agg.push(&eth), Err(BarRefused::WrongStream { .. })));
        let seven = Timeframe::parse("7m").unwrap();
        assert!(BarAggregator::new(eth.symbol.clone(), Timeframe::parse("2m").unwrap(), seven).is_err());
    }

    #[test]
    fn built_bars_follow_the_bar_that_completes_them() {
        let events = (0..11).map(|m| MarketEvent::Candle(bar(m, [m, m + 1, m, m + 1])));
        let five = Timeframe::parse("5m").unwrap();
        let out: Vec<(String, TimeMs)> =
            WithBuiltBars::new(events, [five, Timeframe::MINUTE, Timeframe::parse("90s").unwrap()])
                .map(|e| match e {
                    MarketEvent::Candle(c) => (c.timeframe.to_string(), c.open_time_ms),
                    other => panic!("{other:?}"),
                })
                .collect();
        let fives: Vec<usize> = out
            .iter()
            .enumerate()
            .filter(|(_, (tf, _))| tf == "5m")
            .map(|(i, _)| i)
            .collect();
        // Minute 4 completes the first 5m bar, minute 9 the second; minute 10's is still open.
        assert_eq!(fives, [5, 11]);
        assert_eq!(out[5], ("5m".to_owned(), 0));
        assert_eq!(out[4], ("1m".to_owned(), 4 * MIN));
        assert_eq!(out.len(), 11 + 2);
    }

    #[test]
    fn daily_bars_are_utc_days() {
        let mut agg = BarAggregator::new(Symbol::new("BTC/USD").unwrap(), Timeframe::HOUR, Timeframe::DAY).unwrap();
        let hour = |h: i64, price: i64| Candle {
            timeframe: Timeframe::HOUR,
            open_time_ms: h * 3_600_000,
            ..bar(0, [price, price, price, price])
        };
        let mut out = Vec::new();
        for h in 20..=47 {
            out.extend(agg.push(&hour(h, h)).unwrap().bars());
        }
        assert_eq!(out.len(), 2);
        assert_eq!(
            (out[0].open_time_ms, out[0].open, out[0].close),
            (0, Decimal::from(20), Decimal::from(23))
        );
        assert_eq!(
            (out[1].open_time_ms, out[1].open, out[1].close),
            (86_400_000, Decimal::from(24), Decimal::from(47))
        );
    }
}
