//! A deterministic synthetic bar feed: the same configuration gives the same bars, bit for bit,
//! on every machine.
//!
//! The model, in integer arithmetic only (floats and `ln`/`sqrt` could differ between
//! platforms, and determinism is the point):
//! - a hidden *fair price* follows a multiplicative random walk with per-bar volatility `σ`
//!   (normal steps), weakly pulled back toward the start price (0.1 % of the gap per bar) so that
//!   a walk of millions of bars neither dies at the one-cent floor nor explodes;
//! - each bar's close is the fair price plus independent noise of [`NOISE_TO_VOLATILITY`] × `σ`
//!   (a short-lived mispricing). The noise makes the walk choppy on purpose, so that a
//!   crossover strategy trades often and benchmarks load the order path: an SMA(10)/SMA(20)
//!   pair changes side on about 9 % of the bars (about 4,500 crossings up and as many down
//!   per 100,000 bars), where a pure random walk gives 5-6 % and the real bars in `data/`
//!   about 5 %;
//! - a bar opens at the previous close; high and low extend past the body by up to `σ`;
//! - prices have two decimals and never go below 0.01; volumes are whole numbers.
//!
//! Normal variates come from the sum of twelve uniform variates (Irwin-Hall), and uniform bits
//! from SplitMix64: both small, fast and exactly reproducible.

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::{Candle, Symbol, TimeMs, Timeframe};

/// 2020-01-01T00:00:00Z.
pub const DEFAULT_START_TIME_MS: TimeMs = 1_577_836_800_000;
/// 100.00.
pub const DEFAULT_START_PRICE: Decimal = Decimal::from_parts(10_000, 0, 0, false, 2);
/// 1 % per bar.
pub const DEFAULT_VOLATILITY: Decimal = Decimal::from_parts(1, 0, 0, false, 2);
/// The largest accepted volatility, 10 % per bar; more makes the walk mostly floor hits.
pub const MAX_VOLATILITY: Decimal = Decimal::from_parts(1, 0, 0, false, 1);
/// The largest accepted start price.
pub const MAX_START_PRICE: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);
/// How much wider the closes' noise is than the fair price's per-bar step (11/4 = 2.75).
pub const NOISE_TO_VOLATILITY: (i128, i128) = (11, 4);

/// How a [`RandomWalk`] starts and moves. Every field is public; [`RandomWalkConfig::new`]
/// fills in the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RandomWalkConfig {
    /// Seeds the generator: the same seed (and the rest equal) gives identical bars. Default 0.
    pub seed: u64,
    pub symbol: Symbol,
    pub timeframe: Timeframe,
    /// The open time of the first bar. Default [`DEFAULT_START_TIME_MS`].
    pub start_time_ms: TimeMs,
    /// The first bar's open, rounded to cents; from 0.01 to [`MAX_START_PRICE`].
    /// Default [`DEFAULT_START_PRICE`].
    pub start_price: Decimal,
    /// The fair price's per-bar standard deviation as a fraction, above 0 and at most
    /// [`MAX_VOLATILITY`]. Default [`DEFAULT_VOLATILITY`].
    pub volatility: Decimal,
}

impl RandomWalkConfig {
    pub fn new(symbol: Symbol, timeframe: Timeframe) -> Self {
        Self {
            seed: 0,
            symbol,
            timeframe,
            start_time_ms: DEFAULT_START_TIME_MS,
            start_price: DEFAULT_START_PRICE,
            volatility: DEFAULT_VOLATILITY,
        }
    }
}

/// A configuration a walk cannot start from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRandomWalk {
    #[error("random walk start_price {0}: expected a price from 0.01 to {MAX_START_PRICE}")]
    StartPrice(Decimal),
    #[error("random walk volatility {0}: expected a fraction per bar above 0 and at most {MAX_VOLATILITY}")]
    Volatility(Decimal),
}

/// Fixed-point units of the fair price per cent: the fair price keeps six more digits than the
/// bars show, so small steps accumulate instead of rounding away.
const UNITS_PER_CENT: i128 = 1_000_000;
/// Parts per million.
const PPM: i128 = 1_000_000;
/// The pull toward the start price per bar, in ppm of the relative gap.
const REVERSION_PPM: i128 = 1_000;
/// Uniform variates carry 16 bits: values in `0..UNIFORM`.
const UNIFORM: i128 = 1 << 16;

/// An endless iterator of bars; take as many as needed. It ends only if the open time would
/// overflow an `i64`.
#[derive(Debug, Clone)]
pub struct RandomWalk {
    rng: SplitMix64,
    symbol: Symbol,
    timeframe: Timeframe,
    next_open_time: Option<TimeMs>,
    /// The fair price and its anchor, in `UNITS_PER_CENT`ths of a cent.
    fair: i128,
    anchor: i128,
    /// The last close, in cents: the next bar's open.
    last_close_cents: i128,
    volatility_ppm: i128,
}

impl RandomWalk {
    /// # Errors
    ///
    /// [`InvalidRandomWalk`] when the start price or the volatility is out of range.
    pub fn new(config: RandomWalkConfig) -> Result<Self, InvalidRandomWalk> {
        let start_cents = scaled_integer(config.start_price, Decimal::ONE_HUNDRED)
            .filter(|cents| *cents >= 1 && config.start_price <= MAX_START_PRICE)
            .ok_or(InvalidRandomWalk::StartPrice(config.start_price))?;
        let volatility_ppm = scaled_integer(config.volatility, Decimal::from(1_000_000))
            .filter(|ppm| *ppm >= 1 && config.volatility <= MAX_VOLATILITY)
            .ok_or(InvalidRandomWalk::Volatility(config.volatility))?;
        Ok(Self {
            rng: SplitMix64(config.seed),
            symbol: config.symbol,
            timeframe: config.timeframe,
            next_open_time: Some(config.start_time_ms),
            fair: start_cents * UNITS_PER_CENT,
            anchor: start_cents * UNITS_PER_CENT,
            last_close_cents: start_cents,
            volatility_ppm,
        })
    }

    /// A standard normal variate scaled by `UNIFORM` (so its standard deviation is `UNIFORM`):
    /// twelve uniforms on [0, 1) sum to a mean of 6 and a variance of exactly 1.
    fn normal(&mut self) -> i128 {
        let mut sum = 0;
        for _ in 0..3 {
            let bits = self.rng.next_u64();
            sum += (0..4).map(|i| i128::from((bits >> (16 * i)) as u16)).sum::<i128>();
        }
        sum - 6 * UNIFORM
    }

    /// `value × volatility × variate`, where `variate` is scaled by `UNIFORM`.
    fn scaled(&self, value: i128, variate: i128) -> i128 {
        value * self.volatility_ppm * variate / (PPM * UNIFORM)
    }

    fn step_fair(&mut self) {
        let z = self.normal();
        let shock = self.scaled(self.fair, z);
        let gap_ppm = (self.fair - self.anchor) * PPM / self.anchor;
        let pull = self.fair * REVERSION_PPM * gap_ppm / (PPM * PPM);
        self.fair = (self.fair + shock - pull).max(UNITS_PER_CENT);
    }
}

impl Iterator for RandomWalk {
    type Item = Candle;

    fn next(&mut self) -> Option<Candle> {
        let open_time_ms = self.next_open_time?;
        self.next_open_time = open_time_ms.checked_add(self.timeframe.as_ms());

        self.step_fair();
        let z = self.normal();
        let (num, den) = NOISE_TO_VOLATILITY;
        let noisy = self.fair + self.scaled(self.fair, z) * num / den;
        let open = self.last_close_cents;
        let close = (noisy / UNITS_PER_CENT).max(1);
        self.last_close_cents = close;

        let bits = self.rng.next_u64();
        let uniform = |i: u32| i128::from((bits >> (16 * i)) as u16);
        let top = open.max(close);
        let bottom = open.min(close);
        let high = top + self.scaled(top, uniform(0));
        let low = (bottom - self.scaled(bottom, uniform(1))).max(1);
        // Busier bars when the close strays further from the fair price.
        let volume = 1_000 + uniform(2) * 9_000 / UNIFORM + z.abs() * 2_000 / UNIFORM;

        let cents = |c: i128| Decimal::from_i128_with_scale(c, 2);
        Some(Candle {
            symbol: self.symbol.clone(),
            timeframe: self.timeframe,
            open_time_ms,
            open: cents(open),
            high: cents(high),
            low: cents(low),
            close: cents(close),
            volume: Decimal::from_i128_with_scale(volume, 0),
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self.next_open_time {
            Some(_) => (usize::MAX, None),
            None => (0, Some(0)),
        }
    }
}

/// `value × factor`, rounded to an integer; `None` if it overflows.
fn scaled_integer(value: Decimal, factor: Decimal) -> Option<i128> {
    value.checked_mul(factor)?.round().to_i128()
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a 64-bit counter passed through an invertible
/// mixing function. Every seed, zero included, gives a full-period, well-mixed stream.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{parse_candles_csv, write_candles_csv};

    fn walk(seed: u64) -> RandomWalk {
        let config = RandomWalkConfig {
            seed,
            ..RandomWalkConfig::new(Symbol::new("SIM/USD").unwrap(), Timeframe::MINUTE)
        };
        RandomWalk::new(config).unwrap()
    }

    #[test]
    fn same_seed_same_bars_other_seed_other_bars() {
        let a: Vec<Candle> = walk(7).take(2_000).collect();
        let b: Vec<Candle> = walk(7).take(2_000).collect();
        let c: Vec<Candle> = walk(8).take(2_000).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn bars_are_valid_and_consecutive() {
        let mut previous: Option<Candle> = None;
        for bar in walk(1).take(200_000) {
            assert!(bar.low > Decimal::ZERO, "{bar:?}");
            assert!(
                bar.low <= bar.open.min(bar.close) && bar.high >= bar.open.max(bar.close),
                "{bar:?}"
            );
            for price in [bar.open, bar.high, bar.low, bar.close] {
                assert_eq!(price.scale(), 2, "{bar:?}");
            }
            assert_eq!(bar.volume.fract(), Decimal::ZERO);
            assert!(bar.volume >= Decimal::from(1_000));
            if let Some(prev) = previous {
                assert_eq!(bar.open_time_ms, prev.open_time_ms + 60_000);
                assert_eq!(bar.open, prev.close, "a bar opens at the previous close");
            }
            previous = Some(bar);
        }
    }

    /// Counts how often SMA(10) changes side against SMA(20): each change is one order for a
    /// long/flat crossover strategy.
    fn crossings(closes: &[Decimal]) -> usize {
        let (mut fast, mut slow) = (Decimal::ZERO, Decimal::ZERO);
        let mut above: Option<bool> = None;
        let mut count = 0;
        for (i, close) in closes.iter().enumerate() {
            fast += close;
            slow += close;
            if i >= 10 {
                fast -= closes[i - 10];
            }
            if i >= 20 {
                slow -= closes[i - 20];
            }
            if i >= 19 {
                let now = fast * Decimal::TWO > slow;
                count += usize::from(above.is_some_and(|was| was != now));
                above = Some(now);
            }
        }
        count
    }

    #[test]
    fn moving_averages_cross_on_about_nine_percent_of_bars() {
        for seed in [1, 2, 3] {
            let closes: Vec<Decimal> = walk(seed).take(100_000).map(|c| c.close).collect();
            let count = crossings(&closes);
            assert!(
                (8_000..=10_000).contains(&count),
                "seed {seed}: {count} crossings per 100,000 bars"
            );
            let (min, max) = closes
                .iter()
                .fold((Decimal::MAX, Decimal::MIN), |(lo, hi), c| (lo.min(*c), hi.max(*c)));
            assert!(
                min > Decimal::from(20) && max < Decimal::from(500),
                "seed {seed}: prices {min}..{max}"
            );
        }
    }

    #[test]
    fn refuses_bad_configs() {
        let base = RandomWalkConfig::new(Symbol::new("SIM/USD").unwrap(), Timeframe::MINUTE);
        let price = |p: &str| RandomWalkConfig {
            start_price: p.parse().unwrap(),
            ..base.clone()
        };
        let vol = |v: &str| RandomWalkConfig {
            volatility: v.parse().unwrap(),
            ..base.clone()
        };
        for config in [
            price("0"),
            price("-5"),
            price("-79228162514264337593543950335"),
            price("79228162514264337593543950335"),
            price("0.004"),
            price("1000000000.01"),
            vol("0"),
            vol("-0.01"),
            vol("0.11"),
            vol("0.0000001"),
            vol("79228162514264337593543950335"),
        ] {
            assert!(RandomWalk::new(config.clone()).is_err(), "{config:?}");
        }
        for config in [price("0.01"), price("1000000000"), vol("0.1"), vol("0.000001")] {
            assert!(RandomWalk::new(config.clone()).is_ok(), "{config:?}");
        }
    }

    #[test]
    fn tiny_prices_stay_positive() {
        let config = RandomWalkConfig {
            start_price: "0.01".parse().unwrap(),
            volatility: MAX_VOLATILITY,
            ..RandomWalkConfig::new(Symbol::new("SIM/USD").unwrap(), Timeframe::MINUTE)
        };
        for bar in RandomWalk::new(config).unwrap().take(10_000) {
            assert!(
                bar.low >= "0.01".parse().unwrap() && bar.low <= bar.open.min(bar.close),
                "{bar:?}"
            );
        }
    }

    #[test]
    fn ends_instead_of_overflowing_time() {
        let config = RandomWalkConfig {
            start_time_ms: i64::MAX - 90_000,
            ..RandomWalkConfig::new(Symbol::new("SIM/USD").unwrap(), Timeframe::MINUTE)
        };
        assert_eq!(RandomWalk::new(config).unwrap().count(), 2);
    }

    #[test]
    fn round_trips_through_csv() {
        let bars: Vec<Candle> = walk(3).take(5_000).collect();
        let mut text = Vec::new();
        write_candles_csv(&mut text, &bars).unwrap();
        assert!(text.starts_with(b"time,open,high,low,close,volume\n1577836800000,100.00,"));
        let symbol = Symbol::new("SIM/USD").unwrap();
        let read = parse_candles_csv(text.as_slice(), "walk.csv", &symbol, None).unwrap();
        assert_eq!(read, bars);
    }
}
