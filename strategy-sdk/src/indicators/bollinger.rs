//! [`Bollinger`]: Bollinger Bands, with the population standard deviation.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{add, div, mul, sub};
use super::sqrt::sqrt;
use super::{IndicatorError, Period, StateError, Window};

/// One reading of [`Bollinger`] bands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BollingerValue {
    /// middle − k·σ.
    pub lower: Decimal,
    /// The simple average of the window.
    pub middle: Decimal,
    /// middle + k·σ.
    pub upper: Decimal,
    /// σ, the population standard deviation of the window.
    pub std_dev: Decimal,
}

/// Bollinger Bands over the last n = `period` values, k standard deviations wide:
///
/// - middle = SMA = Σx / n,
/// - σ = √(Σ(x − middle)² / n) = √(n·Σx² − (Σx)²) / n (population: divided by n, not n − 1),
/// - lower = middle − k·σ, upper = middle + k·σ.
///
/// Warm-up: the first value comes with the `period`-th update.
///
/// Σx and Σx² are running sums, so each update is O(1). They are exact `Decimal`s while the
/// squares fit in 28 significant digits (prices of up to 14 digits), which makes n·Σx² − (Σx)²
/// exact too: no cancellation, however close the values. The square root is Newton's iteration
/// in `Decimal`, right to a unit or two in the 28th significant digit. A negative k swaps the
/// bands.
///
/// ```
/// use strategy_sdk::{indicators::{Bollinger, Period}, Decimal};
///
/// let mut bands = Bollinger::new(Period::new(4)?, Decimal::TWO);
/// for close in [2, 4, 4, 6] {
///     bands.update(Decimal::from(close))?;
/// }
/// let value = bands.value().unwrap(); // mean 4, σ = √((4 + 0 + 0 + 4) / 4) = √2
/// assert_eq!(value.middle, Decimal::from(4));
/// assert_eq!((value.upper - value.middle).round_dp(20), (Decimal::TWO * value.std_dev).round_dp(20));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BollingerState", into = "BollingerState")]
pub struct Bollinger {
    window: Window<Decimal>,
    k: Decimal,
    /// Σx over `window`: derived, like everything below, so a snapshot holds the window and k.
    sum: Decimal,
    /// Σx² over `window`.
    sum_squares: Decimal,
    /// The reading for a full window, computed (with checked arithmetic) by the update.
    value: Option<BollingerValue>,
}

impl Bollinger {
    /// Bands over `period` values, `k` standard deviations from the middle (2 is usual), empty.
    pub fn new(period: Period, k: Decimal) -> Self {
        Bollinger {
            window: Window::new(period),
            k,
            sum: Decimal::ZERO,
            sum_squares: Decimal::ZERO,
            value: None,
        }
    }

    /// Adds the newest value, dropping the oldest once `period` values are held.
    ///
    /// # Errors
    ///
    /// [`IndicatorError::Overflow`] when a sum, a square or a band would leave `Decimal`'s
    /// range; nothing changes.
    pub fn update(&mut self, value: Decimal) -> Result<(), IndicatorError> {
        let (mut sum, mut sum_squares) = (add(self.sum, value)?, add(self.sum_squares, mul(value, value)?)?);
        let full = match self.window.oldest() {
            Some(&oldest) if self.window.is_full() => {
                sum = sub(sum, oldest)?;
                sum_squares = sub(sum_squares, mul(oldest, oldest)?)?;
                true
            }
            _ => self.window.len() + 1 == self.window.period().get(),
        };
        let reading = if full {
            Some(self.reading(sum, sum_squares)?)
        } else {
            None
        };
        self.window.push(value);
        (self.sum, self.sum_squares, self.value) = (sum, sum_squares, reading);
        Ok(())
    }

    /// The bands of a full window with these sums.
    fn reading(&self, sum: Decimal, sum_squares: Decimal) -> Result<BollingerValue, IndicatorError> {
        let n = Decimal::from(self.window.period().get());
        let middle = div(sum, n)?;
        // Exact sums make this exact and never negative; the clamp covers sums rounded at 28 digits.
        let spread = sub(mul(n, sum_squares)?, mul(sum, sum)?)?.max(Decimal::ZERO);
        let std_dev = div(sqrt(spread).ok_or(IndicatorError::Overflow)?, n)?;
        let width = mul(self.k, std_dev)?;
        Ok(BollingerValue {
            lower: sub(middle, width)?,
            middle,
            upper: add(middle, width)?,
            std_dev,
        })
    }

    /// The bands, once `period` values have been seen.
    pub fn value(&self) -> Option<BollingerValue> {
        self.value
    }

    /// Whether `period` values have been seen.
    pub fn is_ready(&self) -> bool {
        self.value.is_some()
    }

    /// The window length.
    pub fn period(&self) -> Period {
        self.window.period()
    }

    /// The width, in standard deviations.
    pub fn k(&self) -> Decimal {
        self.k
    }

    /// The number of updates before the first value: `period`.
    pub fn warm_up(&self) -> usize {
        self.period().get()
    }
}

/// What a snapshot holds: the window and k; the sums and the reading are recomputed.
#[derive(Serialize, Deserialize)]
struct BollingerState {
    window: Window<Decimal>,
    k: Decimal,
}

impl From<Bollinger> for BollingerState {
    fn from(bands: Bollinger) -> Self {
        BollingerState {
            window: bands.window,
            k: bands.k,
        }
    }
}

impl TryFrom<BollingerState> for Bollinger {
    type Error = StateError;

    fn try_from(state: BollingerState) -> Result<Self, Self::Error> {
        let mut bands = Bollinger::new(state.window.period(), state.k);
        for value in state.window.iter() {
            bands.update(*value)?;
        }
        Ok(bands)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn bands(period: usize, k: &str, values: &[&str]) -> Bollinger {
        let mut bands = Bollinger::new(Period::new(period).unwrap(), dec(k));
        for value in values {
            bands.update(dec(value)).unwrap();
        }
        bands
    }

    #[test]
    fn uses_the_population_standard_deviation() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, population σ exactly 2 (the sample σ would be 2.138…).
        let reading = bands(8, "2", &["2", "4", "4", "4", "5", "5", "7", "9"])
            .value()
            .unwrap();
        assert_eq!(reading.middle, dec("5"));
        assert_eq!(reading.std_dev, dec("2"));
        assert_eq!((reading.lower, reading.upper), (dec("1"), dec("9")));
    }

    #[test]
    fn slides_and_warms_up_over_period_values() {
        assert_eq!(bands(3, "2", &["1", "2"]).value(), None);
        assert_eq!(bands(3, "2", &[]).warm_up(), 3);
        // After 10: the window is 2, 3, 10, mean 5, σ² = (9 + 4 + 25) / 3.
        let reading = bands(3, "1", &["1", "2", "3", "10"]).value().unwrap();
        assert_eq!(reading.middle, dec("5"));
        let expected = sqrt(dec("38") / dec("3")).unwrap();
        assert!(
            (reading.std_dev - expected).abs() < Decimal::new(1, 25),
            "{}",
            reading.std_dev
        );
    }

    #[test]
    fn a_constant_window_has_zero_width_exactly() {
        // Close prices whose squares are long: the exact sums still cancel to zero.
        let reading = bands(3, "2", &["65432.123456", "65432.123456", "65432.123456"])
            .value()
            .unwrap();
        assert_eq!(reading.std_dev, Decimal::ZERO);
        assert_eq!(reading.lower, reading.upper);
    }

    #[test]
    fn overflow_is_refused_and_changes_nothing() {
        let mut indicator = bands(2, "2", &["1", "2"]);
        let before = indicator.clone();
        assert_eq!(
            indicator.update(dec("100000000000000000000")),
            Err(IndicatorError::Overflow)
        );
        assert_eq!(indicator, before);
        assert_eq!(
            bands(1, "2", &["1"]).update(Decimal::MAX),
            Err(IndicatorError::Overflow)
        );
    }

    #[test]
    fn snapshots_hold_the_window_and_k() {
        let original = bands(3, "2.5", &["1", "2", "3.25", "4"]);
        let json = serde_json::to_string(&original).unwrap();
        assert_eq!(json, r#"{"window":{"period":3,"values":["2","3.25","4"]},"k":"2.5"}"#);
        assert_eq!(serde_json::from_str::<Bollinger>(&json).unwrap(), original);
        let huge = r#"{"window":{"period":1,"values":["100000000000000000000"]},"k":"2"}"#;
        assert!(serde_json::from_str::<Bollinger>(huge).is_err());
    }
}
