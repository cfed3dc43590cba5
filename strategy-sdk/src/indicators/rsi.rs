//! [`Rsi`]: Wilder's relative strength index.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{add, div, mul, sub};
use super::{IndicatorError, Period, StateError};

/// The relative strength index over n = `period` changes, with Wilder's smoothing.
///
/// Each update after the first gives a change c = x − x_previous, a gain max(c, 0) and a loss
/// max(−c, 0). The average gain G and loss L start as the simple averages of the first n gains
/// and losses; each later change moves them as G ← (G·(n − 1) + gain) / n (the same for L), an
/// EMA with α = 1/n. Then
///
/// RSI = 100 − 100 / (1 + G/L) = 100 · G / (G + L),
///
/// which is 100 when L = 0 < G, and 50 when G = L = 0 (no movement at all: neither side is
/// stronger).
///
/// Warm-up: the first value comes with update n + 1 (n changes need n + 1 values).
///
/// ```
/// use strategy_sdk::{indicators::{Period, Rsi}, Decimal};
///
/// let mut rsi = Rsi::new(Period::new(2)?);
/// for close in [10, 12, 11] {
///     rsi.update(Decimal::from(close))?;
/// }
/// // Gains 2, 0 and losses 0, 1: G = 1, L = 0.5, RSI = 100 · 1 / 1.5.
/// assert_eq!(rsi.value(), Some(Decimal::from(200) / Decimal::from(3)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RsiState", into = "RsiState")]
pub struct Rsi {
    period: Period,
    /// The last value seen, from which the next change is measured.
    previous: Option<Decimal>,
    averages: Averages,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Averages {
    /// Fewer than `period` changes seen: their count and the sums of gains and losses.
    Seeding {
        count: usize,
        gains: Decimal,
        losses: Decimal,
    },
    /// Wilder's averages G and L.
    Ready { gain: Decimal, loss: Decimal },
}

impl Rsi {
    /// An index over `period` changes, empty.
    pub fn new(period: Period) -> Self {
        Rsi {
            period,
            previous: None,
            averages: Averages::Seeding {
                count: 0,
                gains: Decimal::ZERO,
                losses: Decimal::ZERO,
            },
        }
    }

    /// Adds the newest value (typically a close).
    ///
    /// # Errors
    ///
    /// [`IndicatorError::Overflow`] when the change or an average would leave `Decimal`'s
    /// range; nothing changes.
    pub fn update(&mut self, value: Decimal) -> Result<(), IndicatorError> {
        let Some(previous) = self.previous else {
            self.previous = Some(value);
            return Ok(());
        };
        let change = sub(value, previous)?;
        let gain = change.max(Decimal::ZERO);
        let loss = (-change).max(Decimal::ZERO);
        let n = Decimal::from(self.period.get());
        self.averages = match self.averages {
            Averages::Seeding { count, gains, losses } if count + 1 == self.period.get() => Averages::Ready {
                gain: div(add(gains, gain)?, n)?,
                loss: div(add(losses, loss)?, n)?,
            },
            Averages::Seeding { count, gains, losses } => Averages::Seeding {
                count: count + 1,
                gains: add(gains, gain)?,
                losses: add(losses, loss)?,
            },
            Averages::Ready {
                gain: average_gain,
                loss: average_loss,
            } => {
                let kept = n - Decimal::ONE;
                Averages::Ready {
                    gain: div(add(mul(average_gain, kept)?, gain)?, n)?,
                    loss: div(add(mul(average_loss, kept)?, loss)?, n)?,
                }
            }
        };
        self.previous = Some(value);
        Ok(())
    }

    /// The index in 0 ..= 100, once `period` changes have been seen.
    pub fn value(&self) -> Option<Decimal> {
        let Averages::Ready { gain, loss } = self.averages else {
            return None;
        };
        let hundred = Decimal::ONE_HUNDRED;
        Some(if gain.is_zero() && loss.is_zero() {
            hundred / Decimal::TWO
        } else {
            // Scaled by the larger average so that G + L cannot overflow: both become ≤ 1.
            let larger = gain.max(loss);
            let (gain, loss) = (gain / larger, loss / larger);
            hundred * gain / (gain + loss)
        })
    }

    /// Whether `period` changes have been seen.
    pub fn is_ready(&self) -> bool {
        matches!(self.averages, Averages::Ready { .. })
    }

    /// The number of changes averaged.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The number of updates before the first value: `period` + 1.
    pub fn warm_up(&self) -> usize {
        self.period.get() + 1
    }
}

/// What a snapshot holds; checked before it becomes an [`Rsi`].
#[derive(Serialize, Deserialize)]
struct RsiState {
    period: Period,
    previous: Option<Decimal>,
    averages: Averages,
}

impl From<Rsi> for RsiState {
    fn from(rsi: Rsi) -> Self {
        RsiState {
            period: rsi.period,
            previous: rsi.previous,
            averages: rsi.averages,
        }
    }
}

impl TryFrom<RsiState> for Rsi {
    type Error = StateError;

    fn try_from(state: RsiState) -> Result<Self, Self::Error> {
        let (changes, gain, loss) = match state.averages {
            Averages::Seeding { count, gains, losses } => (count, gains, losses),
            Averages::Ready { gain, loss } => (state.period.get(), gain, loss),
        };
        if changes >= state.period.get() && !matches!(state.averages, Averages::Ready { .. }) {
            return Err(StateError(format!(
                "RSI of period {} cannot still be seeding after {changes} changes",
                state.period
            )));
        }
        if changes > 0 && state.previous.is_none() {
            return Err(StateError("RSI has averaged changes but no last value".to_owned()));
        }
        if gain.is_sign_negative() && !gain.is_zero() || loss.is_sign_negative() && !loss.is_zero() {
            return Err(StateError("RSI gains and losses cannot be negative".to_owned()));
        }
        Ok(Rsi {
            period: state.period,
            previous: state.previous,
            averages: state.averages,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn rsi(period: usize, values: &[&str]) -> Rsi {
        let mut rsi = Rsi::new(Period::new(period).unwrap());
        for value in values {
            rsi.update(dec(value)).unwrap();
        }
        rsi
    }

    #[test]
    fn needs_period_changes_so_period_plus_one_values() {
        assert_eq!(rsi(3, &["1", "2", "3"]).value(), None);
        assert!(rsi(3, &["1", "2", "3", "4"]).is_ready());
        assert_eq!(rsi(3, &[]).warm_up(), 4);
    }

    #[test]
    fn seeds_with_simple_averages_then_smooths_like_wilder() {
        // Period 2. Changes +2, −1: G = 1, L = 0.5 → 66.67.
        // Then −3: G = (1 · 1 + 0) / 2 = 0.5, L = (0.5 · 1 + 3) / 2 = 1.75 → 100 · 0.5 / 2.25.
        let index = rsi(2, &["10", "12", "11", "8"]);
        let expected = dec("100") * dec("0.5") / dec("2.25");
        assert_eq!(index.value().map(|v| v.round_dp(26)), Some(expected.round_dp(26)));
    }

    #[test]
    fn one_sided_and_flat_markets() {
        assert_eq!(rsi(2, &["1", "2", "3"]).value(), Some(dec("100")));
        assert_eq!(rsi(2, &["3", "2", "1"]).value(), Some(dec("0")));
        assert_eq!(rsi(2, &["5", "5", "5", "5"]).value(), Some(dec("50")));
    }

    #[test]
    fn extreme_values_are_refused_not_panicked_on() {
        let mut index = rsi(2, &["1"]);
        let before = index.clone();
        assert_eq!(index.update(Decimal::MIN), Err(IndicatorError::Overflow));
        assert_eq!(index, before);
        // The largest representable averages still give a value.
        let mut huge = rsi(1, &["0"]);
        huge.update(dec("39000000000000000000000000000")).unwrap();
        assert_eq!(huge.value(), Some(dec("100")));
    }

    #[test]
    fn snapshots_round_trip_and_bad_ones_are_refused() {
        for values in [&["1"][..], &["1", "2"][..], &["1", "2", "1.5", "3"][..]] {
            let original = rsi(2, values);
            let json = serde_json::to_string(&original).unwrap();
            assert_eq!(serde_json::from_str::<Rsi>(&json).unwrap(), original);
        }
        let refused = [
            r#"{"period":2,"previous":"1","averages":{"seeding":{"count":2,"gains":"1","losses":"0"}}}"#,
            r#"{"period":2,"previous":null,"averages":{"seeding":{"count":1,"gains":"1","losses":"0"}}}"#,
            r#"{"period":2,"previous":"1","averages":{"ready":{"gain":"-1","loss":"0"}}}"#,
        ];
        for json in refused {
            assert!(serde_json::from_str::<Rsi>(json).is_err(), "{json}");
        }
    }
}
