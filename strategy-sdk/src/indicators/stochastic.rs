//! [`Stochastic`]: the stochastic oscillator, %K and %D.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::check_bar;
use super::{IndicatorError, Period, RollingHigh, RollingLow, StateError, Window};
use crate::Candle;

/// One reading of a [`Stochastic`] oscillator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StochasticValue {
    /// %K, the close's place in the range of the last `period` bars, 0 ..= 100.
    pub k: Decimal,
    /// %D, the simple average of the last `smoothing` %K values.
    pub d: Decimal,
}

/// The stochastic oscillator over n = `period` bars, %D smoothed over m = `smoothing` (14 and 3
/// are usual):
///
/// - %K = 100 · (close − LL) / (HH − LL), with HH the highest high and LL the lowest low of the
///   last n bars, the current one included;
/// - %D = the simple average of the last m %K values.
///
/// When HH = LL (n bars that did not move at all) the range gives no answer and %K is 50, the
/// neutral middle, so a flat market reads as neither overbought nor oversold.
///
/// Warm-up: %K comes with bar n, %D (and [`Stochastic::value`]) with bar n + m − 1.
///
/// Bars are checked (low ≤ close ≤ high), which keeps %K within 0 ..= 100.
///
/// ```
/// use strategy_sdk::{indicators::{Period, Stochastic}, Decimal};
///
/// let mut stochastic = Stochastic::new(Period::new(2)?, Period::new(2)?);
/// for (high, low, close) in [(10, 8, 9), (12, 9, 12), (11, 10, 10)] {
///     let d = |v: i32| Decimal::from(v);
///     stochastic.update(d(high), d(low), d(close))?;
/// }
/// // %K: 100 · (12 − 8) / (12 − 8) = 100, then 100 · (10 − 9) / (12 − 9) = 33.3…
/// assert_eq!(stochastic.k(), Some(Decimal::ONE_HUNDRED / Decimal::from(3)));
/// assert!(stochastic.d().is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StochasticState", into = "StochasticState")]
pub struct Stochastic {
    highs: RollingHigh,
    lows: RollingLow,
    /// The last `smoothing` %K values.
    ks: Window<Decimal>,
    /// Their sum: derived, so a snapshot leaves it out.
    k_sum: Decimal,
}

impl Stochastic {
    /// An oscillator over `period` bars with %D over `smoothing` %K values, empty.
    pub fn new(period: Period, smoothing: Period) -> Self {
        Stochastic {
            highs: RollingHigh::new(period),
            lows: RollingLow::new(period),
            ks: Window::new(smoothing),
            k_sum: Decimal::ZERO,
        }
    }

    /// Adds the newest bar.
    ///
    /// # Errors
    ///
    /// [`IndicatorError::InvalidBar`] when the close lies outside low ..= high (or high is
    /// below low); [`IndicatorError::Overflow`] for a high or low beyond ±3.9 × 10^28 (half of
    /// `Decimal`'s range, so that every range of the window fits). Nothing changes.
    pub fn update(&mut self, high: Decimal, low: Decimal, close: Decimal) -> Result<(), IndicatorError> {
        check_bar(high, low, close)?;
        // Within ±half of `Decimal`'s range, any high minus any low fits; past this check
        // nothing can fail, so the update needs no copy of the deques to roll back.
        let half = max_half();
        if high.abs() > half || low.abs() > half {
            return Err(IndicatorError::Overflow);
        }
        self.highs.update(high);
        self.lows.update(low);
        let (Some(highest), Some(lowest)) = (self.highs.value(), self.lows.value()) else {
            return Ok(());
        };
        let k = percent_k(close, highest, lowest);
        // %K values are within 0 ..= 100, so this sum stays tiny.
        self.k_sum += k;
        if let Some(evicted) = self.ks.push(k) {
            self.k_sum -= evicted;
        }
        Ok(())
    }

    /// Adds the newest candle's high, low and close; see [`Stochastic::update`].
    ///
    /// # Errors
    ///
    /// As [`Stochastic::update`].
    pub fn update_candle(&mut self, candle: &Candle) -> Result<(), IndicatorError> {
        self.update(candle.high, candle.low, candle.close)
    }

    /// %K, once `period` bars have been seen.
    pub fn k(&self) -> Option<Decimal> {
        self.ks.newest().copied()
    }

    /// %D, once `period` + `smoothing` − 1 bars have been seen.
    pub fn d(&self) -> Option<Decimal> {
        // %K values are within 0 ..= 100, so neither the sum nor the quotient can overflow.
        self.ks
            .is_full()
            .then(|| self.k_sum / Decimal::from(self.ks.period().get()))
    }

    /// %K and %D, once %D is ready.
    pub fn value(&self) -> Option<StochasticValue> {
        Some(StochasticValue {
            k: self.k()?,
            d: self.d()?,
        })
    }

    /// Whether %D (and so [`Stochastic::value`]) has a value.
    pub fn is_ready(&self) -> bool {
        self.ks.is_full()
    }

    /// The number of bars %K covers, and of %K values %D averages.
    pub fn periods(&self) -> (Period, Period) {
        (self.highs.period(), self.ks.period())
    }

    /// The number of updates before %D has a value: `period` + `smoothing` − 1.
    pub fn warm_up(&self) -> usize {
        self.highs.period().get() + self.ks.period().get() - 1
    }
}

/// The largest magnitude a high or low may have: twice it still fits in a `Decimal`, so any
/// high minus any low does. (`Decimal::MAX` is odd, and its half rounds up.)
fn max_half() -> Decimal {
    Decimal::MAX / Decimal::TWO - Decimal::ONE
}

/// 100 · (close − lowest) / (highest − lowest), or 50 for a flat range. The bar checks keep
/// lowest ≤ close ≤ highest, and the bounds on high and low keep the range representable.
fn percent_k(close: Decimal, highest: Decimal, lowest: Decimal) -> Decimal {
    let range = highest.checked_sub(lowest).unwrap_or(Decimal::MAX);
    let above = close.checked_sub(lowest).unwrap_or(range).min(range);
    if range.is_zero() {
        return Decimal::ONE_HUNDRED / Decimal::TWO;
    }
    match above.checked_mul(Decimal::ONE_HUNDRED) {
        // One rounding, as the definition reads.
        Some(scaled) => scaled / range,
        // A range near `Decimal`'s limit: divide first (the ratio is at most 1).
        None => above / range * Decimal::ONE_HUNDRED,
    }
}

/// What a snapshot holds: the rolling extremes and the %K window, each checked on its own and
/// against each other; the %K sum is recomputed.
#[derive(Serialize, Deserialize)]
struct StochasticState {
    highs: RollingHigh,
    lows: RollingLow,
    ks: Window<Decimal>,
}

impl From<Stochastic> for StochasticState {
    fn from(stochastic: Stochastic) -> Self {
        StochasticState {
            highs: stochastic.highs,
            lows: stochastic.lows,
            ks: stochastic.ks,
        }
    }
}

impl TryFrom<StochasticState> for Stochastic {
    type Error = StateError;

    fn try_from(state: StochasticState) -> Result<Self, Self::Error> {
        if state.highs.period() != state.lows.period() || state.highs.is_ready() != state.lows.is_ready() {
            return Err(StateError(
                "stochastic highs and lows do not cover the same bars".to_owned(),
            ));
        }
        if !state.ks.is_empty() && !state.highs.is_ready() {
            return Err(StateError(
                "stochastic has %K values before its range is full".to_owned(),
            ));
        }
        let percent = Decimal::ZERO..=Decimal::ONE_HUNDRED;
        if let Some(k) = state.ks.iter().find(|k| !percent.contains(k)) {
            return Err(StateError(format!("stochastic %K {k} is outside 0 ..= 100")));
        }
        Ok(Stochastic {
            k_sum: state.ks.iter().sum(),
            highs: state.highs,
            lows: state.lows,
            ks: state.ks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn stochastic(period: usize, smoothing: usize, bars: &[(&str, &str, &str)]) -> Stochastic {
        let mut stochastic = Stochastic::new(Period::new(period).unwrap(), Period::new(smoothing).unwrap());
        for (high, low, close) in bars {
            stochastic.update(dec(high), dec(low), dec(close)).unwrap();
        }
        stochastic
    }

    const BARS: [(&str, &str, &str); 4] = [
        ("10", "8", "9"),
        ("12", "9", "12"),
        ("11", "10", "10"),
        ("13", "7", "8"),
    ];

    #[test]
    fn k_places_the_close_in_the_range_and_d_averages_it() {
        assert_eq!(stochastic(2, 2, &BARS[..1]).k(), None);
        let two = stochastic(2, 2, &BARS[..2]);
        assert_eq!((two.k(), two.d()), (Some(dec("100")), None));
        // Bar 3: range 9 ..= 12, close 10: 33.3…; %D = (100 + 33.3…) / 2.
        let three = stochastic(2, 2, &BARS[..3]);
        let third = dec("100") / dec("3");
        assert_eq!(three.k(), Some(third));
        assert_eq!(three.d(), Some((dec("100") + third) / dec("2")));
        // Bar 4: range 7 ..= 13, close 8: 16.6…
        assert_eq!(stochastic(2, 2, &BARS).k(), Some(dec("100") / dec("6")));
        assert_eq!(three.warm_up(), 3);
    }

    #[test]
    fn a_flat_range_reads_50() {
        let flat = stochastic(2, 1, &[("5", "5", "5"), ("5", "5", "5")]);
        assert_eq!(
            flat.value(),
            Some(StochasticValue {
                k: dec("50"),
                d: dec("50")
            })
        );
    }

    #[test]
    fn inconsistent_bars_are_refused_and_change_nothing() {
        let mut oscillator = stochastic(2, 2, &BARS[..2]);
        let before = oscillator.clone();
        for (high, low, close) in [("10", "11", "10"), ("10", "8", "10.5"), ("10", "8", "7")] {
            let refused = oscillator.update(dec(high), dec(low), dec(close));
            assert_eq!(refused, Err(IndicatorError::InvalidBar));
        }
        assert_eq!(oscillator, before);
        let mut huge = stochastic(2, 2, &[("0", "0", "0")]);
        let before = huge.clone();
        let refused = huge.update(Decimal::MAX, Decimal::MIN, Decimal::ZERO);
        assert_eq!(refused, Err(IndicatorError::Overflow));
        assert_eq!(huge, before);
        // The widest range accepted still gives a %K.
        let half = max_half();
        huge.update(half, -half, Decimal::ZERO).unwrap();
        huge.update(half, -half, half).unwrap();
        assert_eq!(huge.k(), Some(dec("100")));
        assert_eq!(percent_k(Decimal::ZERO, Decimal::MAX, Decimal::ZERO), Decimal::ZERO);
        assert_eq!(percent_k(Decimal::MAX, Decimal::MAX, Decimal::ZERO), dec("100"));
        assert_eq!(percent_k(dec("1"), dec("1"), dec("1")), dec("50"));
    }

    #[test]
    fn snapshots_round_trip_and_inconsistent_ones_are_refused() {
        let original = stochastic(2, 2, &BARS);
        let json = serde_json::to_string(&original).unwrap();
        assert_eq!(serde_json::from_str::<Stochastic>(&json).unwrap(), original);
        let premature = stochastic(3, 2, &BARS[..1]);
        let mut state = serde_json::to_value(&premature).unwrap();
        state["ks"]["values"] = serde_json::json!(["50"]);
        let error = serde_json::from_value::<Stochastic>(state).unwrap_err().to_string();
        assert!(error.contains("before its range is full"), "{error}");
        let mut state = serde_json::to_value(&original).unwrap();
        state["ks"]["values"] = serde_json::json!(["50", "101"]);
        assert!(serde_json::from_value::<Stochastic>(state).is_err());
    }
}
