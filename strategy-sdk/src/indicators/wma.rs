//! [`Wma`]: the linearly weighted moving average, in O(1) per value.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{add, mul, sub};
use super::{IndicatorError, Period, StateError, Window};

/// The weighted moving average of the last n = `period` values, weights 1 (oldest) to n
/// (newest):
///
/// WMA = (1·x₁ + 2·x₂ + … + n·xₙ) / (n(n + 1) / 2), with xₙ the newest value.
///
/// Warm-up: the first value comes with the `period`-th update.
///
/// Each update is O(1): with S the plain sum of the window and W the weighted one, a new value
/// x pushed into a full window makes every held value lose one weight, so W ← W − S + n·x and
/// S ← S − x₁ + x. Both sums are exact `Decimal`s; [`Wma::value`] divides once (rounded to 28
/// significant digits).
///
/// ```
/// use strategy_sdk::{indicators::{Period, Wma}, Decimal};
///
/// let mut wma = Wma::new(Period::new(3)?);
/// for close in [1, 2, 3, 4] {
///     wma.update(Decimal::from(close))?;
/// }
/// assert_eq!(wma.value(), Some(Decimal::from(20) / Decimal::from(6))); // (2 + 2·3 + 3·4) / 6
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WmaState", into = "WmaState")]
pub struct Wma {
    window: Window<Decimal>,
    /// S, the sum of `window`: derived, so a snapshot holds only the window.
    sum: Decimal,
    /// W, the weighted sum of `window`.
    weighted: Decimal,
}

impl Wma {
    /// An average over `period` values, empty.
    pub fn new(period: Period) -> Self {
        Wma {
            window: Window::new(period),
            sum: Decimal::ZERO,
            weighted: Decimal::ZERO,
        }
    }

    /// Adds the newest value, dropping the oldest once `period` values are held.
    ///
    /// # Errors
    ///
    /// [`IndicatorError::Overflow`] when a sum would leave `Decimal`'s range; nothing changes.
    pub fn update(&mut self, value: Decimal) -> Result<(), IndicatorError> {
        let (sum, weighted) = match self.window.oldest() {
            Some(&oldest) if self.window.is_full() => {
                let n = Decimal::from(self.window.period().get());
                let weighted = add(sub(self.weighted, self.sum)?, mul(n, value)?)?;
                (add(sub(self.sum, oldest)?, value)?, weighted)
            }
            // Filling: the new value takes the next weight up.
            _ => {
                let weight = Decimal::from(self.window.len() + 1);
                (add(self.sum, value)?, add(self.weighted, mul(weight, value)?)?)
            }
        };
        self.window.push(value);
        self.sum = sum;
        self.weighted = weighted;
        Ok(())
    }

    /// The average, once `period` values have been seen.
    pub fn value(&self) -> Option<Decimal> {
        let n = self.window.period().get() as u64;
        // At most 100,000 × 100,001 / 2: far from overflowing, and never zero.
        let weights = Decimal::from(n * (n + 1) / 2);
        self.is_ready().then(|| self.weighted / weights)
    }

    /// Whether `period` values have been seen.
    pub fn is_ready(&self) -> bool {
        self.window.is_full()
    }

    /// The window length.
    pub fn period(&self) -> Period {
        self.window.period()
    }

    /// The number of updates before the first value: `period`.
    pub fn warm_up(&self) -> usize {
        self.period().get()
    }
}

/// What a snapshot holds: the window; the sums are recomputed from it.
#[derive(Serialize, Deserialize)]
struct WmaState {
    window: Window<Decimal>,
}

impl From<Wma> for WmaState {
    fn from(wma: Wma) -> Self {
        WmaState { window: wma.window }
    }
}

impl TryFrom<WmaState> for Wma {
    type Error = StateError;

    fn try_from(state: WmaState) -> Result<Self, Self::Error> {
        let mut wma = Wma::new(state.window.period());
        for value in state.window.iter() {
            wma.update(*value)?;
        }
        Ok(wma)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn wma(period: usize, values: &[&str]) -> Wma {
        let mut wma = Wma::new(Period::new(period).unwrap());
        for value in values {
            wma.update(dec(value)).unwrap();
        }
        wma
    }

    /// The definition, summed from scratch.
    fn by_definition(period: usize, values: &[&str]) -> Decimal {
        let window = &values[values.len() - period..];
        let weighted: Decimal = window
            .iter()
            .enumerate()
            .map(|(i, v)| Decimal::from(i + 1) * dec(v))
            .sum();
        weighted / Decimal::from(period * (period + 1) / 2)
    }

    #[test]
    fn is_empty_until_the_window_fills() {
        assert_eq!(wma(3, &["1", "2"]).value(), None);
        assert_eq!(wma(3, &[]).warm_up(), 3);
    }

    #[test]
    fn the_running_sums_equal_the_definition() {
        let values = ["10.5", "11", "9.75", "12", "13.25", "8", "10", "10.01"];
        for period in 1..=4 {
            for end in period..=values.len() {
                let seen = &values[..end];
                assert_eq!(
                    wma(period, seen).value(),
                    Some(by_definition(period, seen)),
                    "{period} {end}"
                );
            }
        }
        // (1 + 2·2 + 3·6) / 6 = 23 / 6.
        assert_eq!(wma(3, &["1", "2", "6"]).value(), Some(dec("23") / dec("6")));
    }

    #[test]
    fn an_overflowing_update_is_refused_and_changes_nothing() {
        let mut average = wma(2, &["1", "2"]);
        let before = average.clone();
        assert_eq!(average.update(Decimal::MAX), Err(IndicatorError::Overflow));
        assert_eq!(average, before);
        assert_eq!(average.value(), Some(dec("5") / dec("3")));
    }

    #[test]
    fn snapshots_hold_the_window_and_restore_the_sums() {
        let average = wma(3, &["1.10", "2", "3.333", "4"]);
        let json = serde_json::to_string(&average).unwrap();
        assert_eq!(json, r#"{"window":{"period":3,"values":["2","3.333","4"]}}"#);
        let restored: Wma = serde_json::from_str(&json).unwrap();
        assert_eq!(restored, average);
        let overfull = r#"{"window":{"period":1,"values":["1","2"]}}"#;
        assert!(serde_json::from_str::<Wma>(overfull).is_err());
        let huge = format!(
            r#"{{"window":{{"period":2,"values":["{}","{}"]}}}}"#,
            Decimal::MAX,
            Decimal::MAX
        );
        let error = serde_json::from_str::<Wma>(&huge).unwrap_err().to_string();
        assert!(error.contains("cannot be continued"), "{error}");
    }
}
