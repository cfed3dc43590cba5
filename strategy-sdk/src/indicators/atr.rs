//! [`Atr`]: Wilder's average true range.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{add, check_bar, div, mul, sub};
use super::{IndicatorError, Period, StateError};
use crate::Candle;

/// The average true range over n = `period` bars, with Wilder's smoothing.
///
/// A bar's true range is TR = max(high − low, |high − previous close|, |low − previous close|):
/// its range, stretched to cover a gap from the previous bar. The first bar has no previous
/// close, so its TR is high − low. The ATR starts as the simple average of the first n TRs and
/// then moves as ATR ← (ATR·(n − 1) + TR) / n, an EMA with α = 1/n.
///
/// Warm-up: the first value comes with bar n.
///
/// ```
/// use strategy_sdk::{indicators::{Atr, Period}, Decimal};
///
/// let mut atr = Atr::new(Period::new(2)?);
/// let d = |v: i32| Decimal::from(v);
/// atr.update(d(11), d(9), d(10))?; // TR 2
/// atr.update(d(14), d(12), d(13))?; // a gap up from 10: TR = 14 − 10 = 4
/// assert_eq!(atr.value(), Some(d(3)));
/// atr.update(d(13), d(12), d(12))?; // TR 1: (3 · 1 + 1) / 2
/// assert_eq!(atr.value(), Some(d(2)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "AtrState", into = "AtrState")]
pub struct Atr {
    period: Period,
    previous_close: Option<Decimal>,
    progress: Progress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Progress {
    /// Fewer than `period` bars seen: their count and the sum of their true ranges.
    Seeding { count: usize, sum: Decimal },
    /// The current average.
    Ready(Decimal),
}

impl Atr {
    /// An average over `period` bars, empty.
    pub fn new(period: Period) -> Self {
        Atr {
            period,
            previous_close: None,
            progress: Progress::Seeding {
                count: 0,
                sum: Decimal::ZERO,
            },
        }
    }

    /// Adds the newest bar.
    ///
    /// # Errors
    ///
    /// [`IndicatorError::InvalidBar`] when the close lies outside low ..= high (or high is
    /// below low); [`IndicatorError::Overflow`] when a range or the average would leave
    /// `Decimal`'s range. Nothing changes.
    pub fn update(&mut self, high: Decimal, low: Decimal, close: Decimal) -> Result<(), IndicatorError> {
        check_bar(high, low, close)?;
        let mut range = sub(high, low)?;
        if let Some(previous) = self.previous_close {
            range = range.max(sub(high, previous)?.abs()).max(sub(low, previous)?.abs());
        }
        let n = Decimal::from(self.period.get());
        self.progress = match self.progress {
            Progress::Seeding { count, sum } if count + 1 == self.period.get() => {
                Progress::Ready(div(add(sum, range)?, n)?)
            }
            Progress::Seeding { count, sum } => Progress::Seeding {
                count: count + 1,
                sum: add(sum, range)?,
            },
            Progress::Ready(atr) => Progress::Ready(div(add(mul(atr, n - Decimal::ONE)?, range)?, n)?),
        };
        self.previous_close = Some(close);
        Ok(())
    }

    /// Adds the newest candle's high, low and close; see [`Atr::update`].
    ///
    /// # Errors
    ///
    /// As [`Atr::update`].
    pub fn update_candle(&mut self, candle: &Candle) -> Result<(), IndicatorError> {
        self.update(candle.high, candle.low, candle.close)
    }

    /// The average, once `period` bars have been seen.
    pub fn value(&self) -> Option<Decimal> {
        match self.progress {
            Progress::Ready(atr) => Some(atr),
            Progress::Seeding { .. } => None,
        }
    }

    /// Whether `period` bars have been seen.
    pub fn is_ready(&self) -> bool {
        self.value().is_some()
    }

    /// The period.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The number of updates before the first value: `period`.
    pub fn warm_up(&self) -> usize {
        self.period.get()
    }
}

/// What a snapshot holds; checked before it becomes an [`Atr`].
#[derive(Serialize, Deserialize)]
struct AtrState {
    period: Period,
    previous_close: Option<Decimal>,
    progress: Progress,
}

impl From<Atr> for AtrState {
    fn from(atr: Atr) -> Self {
        AtrState {
            period: atr.period,
            previous_close: atr.previous_close,
            progress: atr.progress,
        }
    }
}

impl TryFrom<AtrState> for Atr {
    type Error = StateError;

    fn try_from(state: AtrState) -> Result<Self, Self::Error> {
        let (seen, total) = match state.progress {
            Progress::Seeding { count, sum } => (count, sum),
            Progress::Ready(atr) => (state.period.get(), atr),
        };
        if matches!(state.progress, Progress::Seeding { .. }) && seen >= state.period.get() {
            return Err(StateError(format!(
                "ATR of period {} cannot still be seeding after {seen} bars",
                state.period
            )));
        }
        if (seen > 0) != state.previous_close.is_some() {
            return Err(StateError("ATR's bar count and last close disagree".to_owned()));
        }
        if total.is_sign_negative() && !total.is_zero() {
            return Err(StateError("ATR true ranges cannot be negative".to_owned()));
        }
        Ok(Atr {
            period: state.period,
            previous_close: state.previous_close,
            progress: state.progress,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn atr(period: usize, bars: &[(&str, &str, &str)]) -> Atr {
        let mut atr = Atr::new(Period::new(period).unwrap());
        for (high, low, close) in bars {
            atr.update(dec(high), dec(low), dec(close)).unwrap();
        }
        atr
    }

    #[test]
    fn true_range_covers_gaps_both_ways() {
        // Period 1: the ATR is the last true range.
        assert_eq!(atr(1, &[("11", "9", "10")]).value(), Some(dec("2")));
        assert_eq!(
            atr(1, &[("11", "9", "10"), ("10.5", "10.25", "10.5")]).value(),
            Some(dec("0.5"))
        );
        // A gap down: the previous close 10 is above the high 8.
        assert_eq!(atr(1, &[("11", "9", "10"), ("8", "7", "7.5")]).value(), Some(dec("3")));
        // A gap up: low 12 above the previous close 10, high 12.5.
        assert_eq!(
            atr(1, &[("11", "9", "10"), ("12.5", "12", "12")]).value(),
            Some(dec("2.5"))
        );
    }

    #[test]
    fn seeds_with_the_simple_average_then_smooths_like_wilder() {
        let bars = [
            ("11", "9", "10"),
            ("12", "10", "11"),
            ("11", "10", "10"),
            ("16", "12", "15"),
        ];
        assert_eq!(atr(3, &bars[..2]).value(), None);
        // TRs 2, 2, 1: seed 5/3. Then TR 6 (16 − 10): (5/3 · 2 + 6) / 3.
        assert_eq!(atr(3, &bars[..3]).value(), Some(dec("5") / dec("3")));
        let expected = (dec("5") / dec("3") * dec("2") + dec("6")) / dec("3");
        assert_eq!(atr(3, &bars).value(), Some(expected));
    }

    #[test]
    fn bad_bars_and_overflow_are_refused_and_change_nothing() {
        let mut average = atr(2, &[("11", "9", "10")]);
        let before = average.clone();
        assert_eq!(
            average.update(dec("9"), dec("11"), dec("10")),
            Err(IndicatorError::InvalidBar)
        );
        assert_eq!(
            average.update(Decimal::MAX, Decimal::MIN, dec("0")),
            Err(IndicatorError::Overflow)
        );
        assert_eq!(average, before);
    }

    #[test]
    fn snapshots_round_trip_and_bad_ones_are_refused() {
        for bars in [
            &[][..],
            &[("11", "9", "10")][..],
            &[("11", "9", "10"), ("12", "10", "11")][..],
        ] {
            let original = atr(2, bars);
            let json = serde_json::to_string(&original).unwrap();
            assert_eq!(serde_json::from_str::<Atr>(&json).unwrap(), original);
        }
        let refused = [
            r#"{"period":2,"previous_close":"1","progress":{"seeding":{"count":2,"sum":"3"}}}"#,
            r#"{"period":2,"previous_close":null,"progress":{"ready":"3"}}"#,
            r#"{"period":2,"previous_close":"1","progress":{"ready":"-3"}}"#,
        ];
        for json in refused {
            assert!(serde_json::from_str::<Atr>(json).is_err(), "{json}");
        }
    }
}
