//! [`Macd`]: moving average convergence/divergence.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::sub;
use super::{Ema, IndicatorError, Period, StateError};

/// The fast EMA's default period.
pub const DEFAULT_FAST: Period = match Period::new(12) {
    Ok(period) => period,
    Err(_) => unreachable!(),
};
/// The slow EMA's default period.
pub const DEFAULT_SLOW: Period = match Period::new(26) {
    Ok(period) => period,
    Err(_) => unreachable!(),
};
/// The signal EMA's default period.
pub const DEFAULT_SIGNAL: Period = match Period::new(9) {
    Ok(period) => period,
    Err(_) => unreachable!(),
};

/// One reading of a [`Macd`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MacdValue {
    /// The MACD line: fast EMA − slow EMA.
    pub line: Decimal,
    /// The signal line: the EMA of the MACD line.
    pub signal: Decimal,
    /// line − signal.
    pub histogram: Decimal,
}

/// MACD with fast, slow and signal periods (12/26/9 by [`Default`]), every EMA SMA-seeded
/// ([`Ema`]):
///
/// - line = EMA_fast(x) − EMA_slow(x),
/// - signal = EMA_signal(line),
/// - histogram = line − signal.
///
/// Warm-up: [`Macd::line`] has a value from update max(fast, slow); the signal line starts
/// averaging then, so [`Macd::value`] (all three) comes with update
/// max(fast, slow) + signal − 1 (34 for 12/26/9).
///
/// ```
/// use strategy_sdk::{indicators::Macd, Decimal};
///
/// let mut macd = Macd::default();
/// for day in 0..34 {
///     macd.update(Decimal::from(100 + day))?;
/// }
/// let value = macd.value().expect("34 updates warm up 12/26/9");
/// assert_eq!(value.histogram, value.line - value.signal);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MacdState", into = "MacdState")]
pub struct Macd {
    fast: Ema,
    slow: Ema,
    signal: Ema,
}

impl Default for Macd {
    fn default() -> Self {
        Macd::new(DEFAULT_FAST, DEFAULT_SLOW, DEFAULT_SIGNAL)
    }
}

impl Macd {
    /// A MACD with these periods, empty. `fast` is normally shorter than `slow`; nothing
    /// requires it.
    pub fn new(fast: Period, slow: Period, signal: Period) -> Self {
        Macd {
            fast: Ema::new(fast),
            slow: Ema::new(slow),
            signal: Ema::new(signal),
        }
    }

    /// Adds the newest value (typically a close).
    ///
    /// # Errors
    ///
    /// [`IndicatorError::Overflow`] when an average or a difference would leave `Decimal`'s
    /// range; nothing changes.
    pub fn update(&mut self, value: Decimal) -> Result<(), IndicatorError> {
        let (mut fast, mut slow, mut signal) = (self.fast.clone(), self.slow.clone(), self.signal.clone());
        fast.try_update(value)?;
        slow.try_update(value)?;
        if let (Some(fast), Some(slow)) = (fast.value(), slow.value()) {
            let line = sub(fast, slow)?;
            signal.try_update(line)?;
            // Checked here so that `value` never meets an overflowing histogram.
            if let Some(signal) = signal.value() {
                sub(line, signal)?;
            }
        }
        (self.fast, self.slow, self.signal) = (fast, slow, signal);
        Ok(())
    }

    /// The MACD line, once both EMAs are ready.
    pub fn line(&self) -> Option<Decimal> {
        // `update` checked that this difference fits.
        self.fast.value()?.checked_sub(self.slow.value()?)
    }

    /// Line, signal and histogram, once the signal line is ready.
    pub fn value(&self) -> Option<MacdValue> {
        let line = self.line()?;
        let signal = self.signal.value()?;
        Some(MacdValue {
            line,
            signal,
            histogram: line.checked_sub(signal)?,
        })
    }

    /// Whether [`Macd::value`] has a value.
    pub fn is_ready(&self) -> bool {
        self.signal.value().is_some()
    }

    /// The fast, slow and signal periods.
    pub fn periods(&self) -> (Period, Period, Period) {
        (self.fast.period(), self.slow.period(), self.signal.period())
    }

    /// The number of updates before [`Macd::value`] has one: max(fast, slow) + signal − 1.
    pub fn warm_up(&self) -> usize {
        self.fast.period().max(self.slow.period()).get() + self.signal.period().get() - 1
    }
}

/// What a snapshot holds: the three EMAs, each checked as an [`Ema`] is.
#[derive(Serialize, Deserialize)]
struct MacdState {
    fast: Ema,
    slow: Ema,
    signal: Ema,
}

impl From<Macd> for MacdState {
    fn from(macd: Macd) -> Self {
        MacdState {
            fast: macd.fast,
            slow: macd.slow,
            signal: macd.signal,
        }
    }
}

impl TryFrom<MacdState> for Macd {
    type Error = StateError;

    fn try_from(state: MacdState) -> Result<Self, Self::Error> {
        let lines_ready = state.fast.value().is_some() && state.slow.value().is_some();
        if !state.signal.is_empty() && !lines_ready {
            return Err(StateError(
                "MACD signal line has values before both averages are ready".to_owned(),
            ));
        }
        let macd = Macd {
            fast: state.fast,
            slow: state.slow,
            signal: state.signal,
        };
        if lines_ready && macd.line().is_none() || macd.is_ready() && macd.value().is_none() {
            return Err(IndicatorError::Overflow.into());
        }
        Ok(macd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn period(length: usize) -> Period {
        Period::new(length).unwrap()
    }

    fn macd(periods: (usize, usize, usize), values: &[&str]) -> Macd {
        let mut macd = Macd::new(period(periods.0), period(periods.1), period(periods.2));
        for value in values {
            macd.update(dec(value)).unwrap();
        }
        macd
    }

    #[test]
    fn is_the_difference_of_two_emas_and_the_ema_of_that() {
        // Fast 1 (the value itself), slow 3 (α = 0.5), signal 2 (α = 2/3).
        let values = ["2", "4", "6", "10", "7"];
        let (mut fast, mut slow, mut signal) = (Ema::new(period(1)), Ema::new(period(3)), Ema::new(period(2)));
        let mut expected = Vec::new();
        for value in values.iter().map(|v| dec(v)) {
            fast.update(value);
            slow.update(value);
            if let (Some(f), Some(s)) = (fast.value(), slow.value()) {
                signal.update(f - s);
                expected.push((f - s, signal.value()));
            }
        }
        // Lines: 6 − 4 = 2, 10 − 7 = 3, 7 − 7 = 0; the signal seeds at (2 + 3) / 2.
        assert_eq!(expected[0], (dec("2"), None));
        assert_eq!(expected[1], (dec("3"), Some(dec("2.5"))));
        let reading = macd((1, 3, 2), &values).value().unwrap();
        assert_eq!((reading.line, Some(reading.signal)), expected[2]);
        assert_eq!(reading.histogram, reading.line - reading.signal);
    }

    #[test]
    fn warms_up_the_line_then_the_signal() {
        let rising: Vec<String> = (0..40).map(|i| i.to_string()).collect();
        let rising: Vec<&str> = rising.iter().map(String::as_str).collect();
        assert_eq!(Macd::default().warm_up(), 34);
        assert_eq!(macd((12, 26, 9), &rising[..25]).line(), None);
        assert!(macd((12, 26, 9), &rising[..26]).line().is_some());
        assert_eq!(macd((12, 26, 9), &rising[..33]).value(), None);
        assert!(macd((12, 26, 9), &rising[..34]).value().is_some());
    }

    #[test]
    fn overflow_is_refused_and_changes_nothing() {
        let low = "-39000000000000000000000000000";
        let mut indicator = macd((1, 2, 1), &[low, low]);
        let before = indicator.clone();
        assert_eq!(indicator.update(Decimal::MAX), Err(IndicatorError::Overflow));
        assert_eq!(indicator, before);
    }

    #[test]
    fn snapshots_round_trip_and_a_premature_signal_is_refused() {
        let original = macd((2, 3, 2), &["1", "2", "4", "3.5"]);
        let json = serde_json::to_string(&original).unwrap();
        assert_eq!(serde_json::from_str::<Macd>(&json).unwrap(), original);
        let early = r#"{"fast":{"period":2,"progress":{"seeding":{"count":1,"sum":"1"}}},
            "slow":{"period":3,"progress":{"seeding":{"count":1,"sum":"1"}}},
            "signal":{"period":2,"progress":{"seeding":{"count":1,"sum":"1"}}}}"#;
        let error = serde_json::from_str::<Macd>(early).unwrap_err().to_string();
        assert!(error.contains("before both averages are ready"), "{error}");
    }
}
