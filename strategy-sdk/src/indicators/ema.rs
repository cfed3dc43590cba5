//! [`Ema`]: the exponential moving average.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{add, div, mul, sub};
use super::{IndicatorError, Period};

/// The exponential moving average with smoothing α = 2 / (period + 1).
///
/// It is seeded with the simple average of the first `period` values, then each value moves it
/// by α × (value − ema). All in `Decimal`: deterministic to the last digit, rounded to 28
/// significant digits where α does not divide evenly.
///
/// Warm-up: the first value comes with the `period`-th update.
///
/// ```
/// use strategy_sdk::{indicators::{Ema, Period}, Decimal};
///
/// let mut ema = Ema::new(Period::new(3)?); // α = 0.5
/// for close in [2, 4, 6, 10] {
///     ema.update(Decimal::from(close));
/// }
/// assert_eq!(ema.value(), Some(Decimal::from(7))); // seed 4, then 4 + 0.5 × (10 − 4)
/// # Ok::<(), strategy_sdk::indicators::PeriodError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "EmaState", into = "EmaState")]
pub struct Ema {
    period: Period,
    /// Derived from `period`, so never part of a snapshot.
    alpha: Decimal,
    progress: Progress,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Progress {
    /// Fewer than `period` values seen: their count and sum.
    Seeding { count: usize, sum: Decimal },
    /// The current average.
    Ready(Decimal),
}

impl Ema {
    /// An average over `period` values, empty.
    pub fn new(period: Period) -> Self {
        Ema {
            period,
            alpha: Decimal::TWO / Decimal::from(period.get() + 1),
            progress: Progress::Seeding {
                count: 0,
                sum: Decimal::ZERO,
            },
        }
    }

    /// Adds the newest value.
    ///
    /// # Panics
    ///
    /// When [`Ema::try_update`] would refuse the value: only for values beyond 10^27 or so,
    /// never for prices from the host (below 9.3 × 10^18).
    pub fn update(&mut self, value: Decimal) {
        if let Err(error) = self.try_update(value) {
            panic!("EMA update with {value}: {error}");
        }
    }

    /// Adds the newest value, or refuses it (and changes nothing) when the arithmetic would
    /// leave `Decimal`'s range.
    ///
    /// # Errors
    ///
    /// [`IndicatorError::Overflow`].
    pub fn try_update(&mut self, value: Decimal) -> Result<(), IndicatorError> {
        self.progress = match self.progress {
            Progress::Ready(ema) => Progress::Ready(add(ema, mul(self.alpha, sub(value, ema)?)?)?),
            Progress::Seeding { count, sum } if count + 1 == self.period.get() => {
                Progress::Ready(div(add(sum, value)?, Decimal::from(self.period.get()))?)
            }
            Progress::Seeding { count, sum } => Progress::Seeding {
                count: count + 1,
                sum: add(sum, value)?,
            },
        };
        Ok(())
    }

    /// Whether no value has been added yet.
    pub(crate) fn is_empty(&self) -> bool {
        matches!(self.progress, Progress::Seeding { count: 0, .. })
    }

    /// The average, once `period` values have been seen.
    pub fn value(&self) -> Option<Decimal> {
        match self.progress {
            Progress::Ready(ema) => Some(ema),
            Progress::Seeding { .. } => None,
        }
    }

    /// The period.
    pub fn period(&self) -> Period {
        self.period
    }
}

/// What a snapshot holds; checked before it becomes an [`Ema`].
#[derive(Serialize, Deserialize)]
struct EmaState {
    period: Period,
    progress: Progress,
}

impl From<Ema> for EmaState {
    fn from(ema: Ema) -> Self {
        EmaState {
            period: ema.period,
            progress: ema.progress,
        }
    }
}

impl TryFrom<EmaState> for Ema {
    type Error = EmaStateError;

    fn try_from(state: EmaState) -> Result<Self, Self::Error> {
        let limit = Decimal::from(i64::MAX);
        let in_range = match state.progress {
            Progress::Seeding { count, sum } => {
                if count >= state.period.get() {
                    return Err(EmaStateError(format!(
                        "EMA of period {} cannot still be seeding after {count} values",
                        state.period
                    )));
                }
                sum.abs() <= limit * Decimal::from(count)
            }
            Progress::Ready(ema) => ema.abs() <= limit,
        };
        if !in_range {
            return Err(EmaStateError(
                "EMA value is beyond any price the host can send".to_owned(),
            ));
        }
        Ok(Ema {
            progress: state.progress,
            ..Ema::new(state.period)
        })
    }
}

/// A snapshot of an [`Ema`] that cannot be continued.
#[derive(Debug)]
pub struct EmaStateError(String);

impl fmt::Display for EmaStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn ema(period: usize, values: &[&str]) -> Ema {
        let mut ema = Ema::new(Period::new(period).unwrap());
        for value in values {
            ema.update(dec(value));
        }
        ema
    }

    #[test]
    fn is_seeded_with_the_simple_average() {
        assert_eq!(ema(3, &["1", "2"]).value(), None);
        assert_eq!(ema(3, &["1", "2", "6"]).value(), Some(dec("3")));
    }

    #[test]
    fn moves_by_alpha_times_the_gap() {
        // Period 4: α = 2/5 = 0.4. Seed (10 + 11 + 12 + 13) / 4 = 11.5.
        // 15: 11.5 + 0.4 × 3.5 = 12.9. 12: 12.9 + 0.4 × (−0.9) = 12.54.
        assert_eq!(ema(4, &["10", "11", "12", "13", "15"]).value(), Some(dec("12.9")));
        assert_eq!(
            ema(4, &["10", "11", "12", "13", "15", "12"]).value(),
            Some(dec("12.54"))
        );
        // Period 1: α = 1, the EMA is the last value.
        assert_eq!(ema(1, &["3", "8.25"]).value(), Some(dec("8.25")));
    }

    #[test]
    fn repeating_alphas_round_at_28_digits_deterministically() {
        // Period 2: α = 2/3. Seed 1.5; then 1.5 + 0.666… × (3 − 1.5) = 2.5 (to 28 digits).
        let value = ema(2, &["1", "2", "3"]).value().unwrap();
        assert_eq!(value.round_dp(20), dec("2.5"));
        assert_eq!(value, ema(2, &["1", "2", "3"]).value().unwrap());
    }

    #[test]
    fn snapshots_round_trip_exactly_and_bad_ones_are_refused() {
        for values in [&["1", "2"][..], &["1", "2", "3", "4.5"][..]] {
            let original = ema(3, values);
            let json = serde_json::to_string(&original).unwrap();
            let restored: Ema = serde_json::from_str(&json).unwrap();
            assert_eq!(restored, original);
        }
        let seeding_too_long = r#"{"period":2,"progress":{"seeding":{"count":2,"sum":"3"}}}"#;
        let error = serde_json::from_str::<Ema>(seeding_too_long).unwrap_err().to_string();
        assert!(error.contains("cannot still be seeding after 2 values"), "{error}");
        let huge = r#"{"period":2,"progress":{"ready":"100000000000000000000"}}"#;
        assert!(serde_json::from_str::<Ema>(huge).is_err());
    }
}
