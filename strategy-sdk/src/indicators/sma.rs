//! [`Sma`]: the simple moving average, in O(1) per value.

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::exact_sum::ExactSum;
use super::{IndicatorError, Period, Window};

/// The largest magnitude of a value the host can send (a 64-bit mantissa at scale 0). Values
/// within it keep every running sum of up to [`MAX_PERIOD`](super::MAX_PERIOD) values far from
/// `Decimal`'s limit (about 7.9 × 10^28).
fn max_input() -> Decimal {
    Decimal::from(i64::MAX)
}

/// The simple moving average of the last `period` values.
///
/// A running sum over a ring buffer makes each update O(1) and allocation-free. Arithmetic is
/// exact: the sum is the exact sum of the window, and [`Sma::value`] divides it once (rounded to
/// `Decimal`'s 28 significant digits).
///
/// ```
/// use strategy_sdk::{indicators::{Period, Sma}, Decimal};
///
/// let mut sma = Sma::new(Period::new(3)?);
/// for close in [1, 2, 3, 4] {
///     sma.update(Decimal::from(close));
/// }
/// assert_eq!(sma.value(), Some(Decimal::from(3))); // (2 + 3 + 4) / 3
/// # Ok::<(), strategy_sdk::indicators::PeriodError>(())
/// ```
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "SmaState")]
pub struct Sma {
    window: Window<Decimal>,
    /// The sum of `window`, in integers while it can be (see [`ExactSum`]).
    sum: ExactSum,
}

/// Two averages are equal when they hold the same values (the sum follows from them).
impl PartialEq for Sma {
    fn eq(&self, other: &Self) -> bool {
        self.window == other.window
    }
}

impl Eq for Sma {}

/// The snapshot form: the window and its sum as a `Decimal`, as [`SmaState`] reads it back.
impl Serialize for Sma {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct State<'a> {
            window: &'a Window<Decimal>,
            sum: Decimal,
        }
        State {
            window: &self.window,
            sum: self.sum.to_decimal(),
        }
        .serialize(serializer)
    }
}

impl Sma {
    /// An average over `period` values, empty.
    pub fn new(period: Period) -> Self {
        Sma {
            window: Window::new(period),
            sum: ExactSum::ZERO,
        }
    }

    /// Adds the newest value, dropping the oldest once `period` values are held.
    ///
    /// # Panics
    ///
    /// When the running sum overflows `Decimal`, which needs values beyond 7.9 × 10^23 on
    /// average: never with prices or quantities from the host (below 9.3 × 10^18).
    /// [`Sma::try_update`] refuses such a value instead.
    pub fn update(&mut self, value: Decimal) {
        self.sum.add(value);
        if let Some(evicted) = self.window.push(value) {
            self.sum.sub(evicted);
        }
    }

    /// Adds the newest value as [`Sma::update`] does, or refuses it (and changes nothing) when
    /// the running sum would leave `Decimal`'s range.
    ///
    /// # Errors
    ///
    /// [`IndicatorError::Overflow`].
    pub fn try_update(&mut self, value: Decimal) -> Result<(), IndicatorError> {
        let mut sum = self.sum.checked_add(value).ok_or(IndicatorError::Overflow)?;
        if let Some(&oldest) = self.window.oldest().filter(|_| self.window.is_full()) {
            sum = sum.checked_sub(oldest).ok_or(IndicatorError::Overflow)?;
        }
        self.window.push(value);
        self.sum = sum;
        Ok(())
    }

    /// The average, once `period` values have been seen.
    pub fn value(&self) -> Option<Decimal> {
        self.is_ready()
            .then(|| self.sum.to_decimal() / Decimal::from(self.window.len()))
    }

    /// Whether `period` values have been seen.
    pub fn is_ready(&self) -> bool {
        self.window.is_full()
    }

    /// The window length.
    pub fn period(&self) -> Period {
        self.window.period()
    }

    /// Compares this average with `other` exactly, without dividing: by cross-multiplying the
    /// sums with the other's period. `None` until both are ready.
    pub fn compare(&self, other: &Sma) -> Option<Ordering> {
        if !(self.is_ready() && other.is_ready()) {
            return None;
        }
        // Window lengths are at most `MAX_PERIOD`, far below `u32::MAX`.
        let (own_len, other_len) = (self.window.len() as u32, other.window.len() as u32);
        if let Some(ordering) = self.sum.cmp_weighted(other_len, other.sum, own_len) {
            return Some(ordering);
        }
        let (sum, other_sum) = (self.sum.to_decimal(), other.sum.to_decimal());
        let (own_len, other_len) = (Decimal::from(own_len), Decimal::from(other_len));
        match (sum.checked_mul(other_len), other_sum.checked_mul(own_len)) {
            (Some(own), Some(theirs)) => Some(own.cmp(&theirs)),
            // Only huge sums overflow; the rounded averages are then as good as it gets.
            _ => Some((sum / own_len).cmp(&(other_sum / other_len))),
        }
    }

    /// Changes the period, keeping the newest values that still fit (see [`Window::resize`]).
    pub fn resize(&mut self, period: Period) {
        self.window.resize(period);
        self.sum = ExactSum::ZERO;
        for value in self.window.iter() {
            self.sum.add(*value);
        }
    }
}

/// What a snapshot holds; checked before it becomes an [`Sma`].
#[derive(Deserialize)]
struct SmaState {
    window: Window<Decimal>,
    sum: Decimal,
}

impl TryFrom<SmaState> for Sma {
    type Error = SmaStateError;

    fn try_from(state: SmaState) -> Result<Self, Self::Error> {
        let limit = max_input();
        if let Some(value) = state.window.iter().find(|value| value.abs() > limit) {
            return Err(SmaStateError::OutOfRange(*value));
        }
        // Bounded values and period: this sum cannot overflow.
        let actual: Decimal = state.window.iter().sum();
        if actual != state.sum {
            return Err(SmaStateError::SumMismatch {
                recorded: state.sum,
                actual,
            });
        }
        Ok(Sma {
            window: state.window,
            // As recorded, scale included, so that the next snapshot writes it the same.
            sum: ExactSum::from_decimal(state.sum),
        })
    }
}

/// A snapshot of an [`Sma`] that cannot be continued.
#[derive(Debug)]
pub enum SmaStateError {
    /// A value beyond what the host can send.
    OutOfRange(Decimal),
    /// The recorded running sum is not the sum of the window.
    SumMismatch {
        /// The sum in the snapshot.
        recorded: Decimal,
        /// The sum of the window's values.
        actual: Decimal,
    },
}

impl fmt::Display for SmaStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SmaStateError::OutOfRange(value) => {
                write!(f, "SMA value {value} is beyond any price the host can send")
            }
            SmaStateError::SumMismatch { recorded, actual } => write!(
                f,
                "SMA sum {recorded} does not match its window, whose values add up to {actual}"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn sma(period: usize, values: &[&str]) -> Sma {
        let mut sma = Sma::new(Period::new(period).unwrap());
        for value in values {
            sma.update(dec(value));
        }
        sma
    }

    #[test]
    fn is_empty_until_the_window_fills() {
        assert_eq!(sma(3, &[]).value(), None);
        assert_eq!(sma(3, &["1", "2"]).value(), None);
        assert!(!sma(3, &["1", "2"]).is_ready());
    }

    #[test]
    fn averages_the_last_period_values() {
        // (10.5 + 11.25 + 12) / 3 = 33.75 / 3 = 11.25
        assert_eq!(sma(3, &["10.5", "11.25", "12"]).value(), Some(dec("11.25")));
        // After 13: (11.25 + 12 + 13) / 3 = 36.25 / 3 = 12.083333…
        assert_eq!(
            sma(3, &["10.5", "11.25", "12", "13"]).value(),
            Some(dec("12.083333333333333333333333333"))
        );
        assert_eq!(sma(1, &["5", "7"]).value(), Some(dec("7")));
    }

    #[test]
    fn the_running_sum_stays_exact_over_long_runs() {
        // 0.1 never drifts in decimal: after 10,000 updates the average of ten 0.1s is 0.1.
        let mut average = Sma::new(Period::new(10).unwrap());
        for _ in 0..10_000 {
            average.update(dec("0.1"));
        }
        assert_eq!(average.value(), Some(dec("0.1")));
    }

    #[test]
    fn compare_orders_averages_without_dividing() {
        let fast = sma(2, &["1", "4", "5"]); // (4 + 5) / 2 = 4.5
        let slow = sma(3, &["1", "4", "5"]); // (1 + 4 + 5) / 3 = 3.33…
        assert_eq!(fast.compare(&slow), Some(Ordering::Greater));
        assert_eq!(slow.compare(&fast), Some(Ordering::Less));
        // 1/3 vs 1/3: equal exactly, where rounded quotients could differ.
        assert_eq!(
            sma(3, &["0", "0", "1"]).compare(&sma(6, &["0", "0", "0", "0", "1", "1"])),
            Some(Ordering::Equal)
        );
        assert_eq!(sma(2, &["1"]).compare(&slow), None);
    }

    #[test]
    fn compare_survives_sums_too_large_to_cross_multiply() {
        let big = i64::MAX.to_string();
        let values: Vec<&str> = vec![big.as_str(); 100_000];
        let mut huge = Sma::new(Period::new(100_000).unwrap());
        for value in &values {
            huge.update(dec(value));
        }
        assert_eq!(huge.compare(&huge.clone()), Some(Ordering::Equal));
        assert_eq!(huge.compare(&sma(1, &["1"])), Some(Ordering::Greater));
    }

    #[test]
    fn resize_keeps_the_newest_values() {
        let mut average = sma(4, &["1", "2", "3", "4"]);
        average.resize(Period::new(2).unwrap());
        assert_eq!(average.value(), Some(dec("3.5")));
        average.resize(Period::new(3).unwrap());
        assert_eq!(average.value(), None);
        average.update(dec("6"));
        assert_eq!(average.value(), Some(dec("4.3333333333333333333333333333")));
    }

    #[test]
    fn try_update_equals_update_and_refuses_overflow() {
        let values = ["10.5", "11.25", "12", "13", "0.001", "9000000000000000000"];
        let (mut plain, mut checked) = (Sma::new(Period::new(3).unwrap()), Sma::new(Period::new(3).unwrap()));
        for value in values.iter().map(|v| dec(v)) {
            plain.update(value);
            checked.try_update(value).unwrap();
            assert_eq!((checked.value(), &checked), (plain.value(), &plain));
        }
        let mut full = sma(2, &[]);
        full.try_update(Decimal::MAX).unwrap();
        let before = full.clone();
        assert_eq!(full.try_update(Decimal::ONE), Err(IndicatorError::Overflow));
        assert_eq!(full, before);
    }

    #[test]
    fn snapshots_round_trip_exactly() {
        let average = sma(3, &["1.10", "2", "3.333", "4"]);
        let json = serde_json::to_string(&average).unwrap();
        let restored: Sma = serde_json::from_str(&json).unwrap();
        assert_eq!(restored, average);
        assert_eq!(serde_json::to_string(&restored).unwrap(), json);
    }

    #[test]
    fn inconsistent_snapshots_are_refused() {
        let mismatch = r#"{"window":{"period":2,"values":["1","2"]},"sum":"4"}"#;
        let error = serde_json::from_str::<Sma>(mismatch).unwrap_err().to_string();
        assert_eq!(error, "SMA sum 4 does not match its window, whose values add up to 3");
        let huge = r#"{"window":{"period":1,"values":["1e20"]},"sum":"1e20"}"#;
        assert!(serde_json::from_str::<Sma>(huge).is_err());
        let huge = r#"{"window":{"period":1,"values":["100000000000000000000"]},"sum":"100000000000000000000"}"#;
        let error = serde_json::from_str::<Sma>(huge).unwrap_err().to_string();
        assert!(error.contains("beyond any price"), "{error}");
    }
}
