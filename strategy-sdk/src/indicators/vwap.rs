//! [`Vwap`]: the volume-weighted average price since a reset.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::error::{add, check_bar, mul};
use super::{IndicatorError, StateError};
use crate::Candle;

/// The volume-weighted average of each bar's typical price (high + low + close) / 3, over every
/// bar since the start or the last [`Vwap::reset`]:
///
/// VWAP = Σ(typical·volume) / Σvolume = Σ((high + low + close)·volume) / (3·Σvolume).
///
/// The sums are exact; the division by 3 is left to the end, so only [`Vwap::value`] rounds
/// (to 28 significant digits).
///
/// Warm-up: none beyond volume. The value exists from the first bar with a positive volume;
/// while the volume since the reset is zero there is no average, and `value` is `None`.
///
/// For a session VWAP, call [`Vwap::reset`] on the first bar of each session (before its
/// update), for example when a candle's `open_time_ms` enters a new UTC day.
///
/// ```
/// use strategy_sdk::{indicators::Vwap, Decimal};
///
/// let mut vwap = Vwap::default();
/// let d = |v: i32| Decimal::from(v);
/// vwap.update(d(11), d(9), d(10), d(0))?; // no volume: no average yet
/// assert_eq!(vwap.value(), None);
/// vwap.update(d(11), d(9), d(10), d(1))?; // typical 10
/// vwap.update(d(22), d(20), d(21), d(3))?; // typical 21
/// assert_eq!(vwap.value(), Some(Decimal::new(1825, 2))); // (10 + 63) / 4
/// vwap.reset();
/// assert_eq!(vwap.value(), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "VwapState", into = "VwapState")]
pub struct Vwap {
    /// Σ((high + low + close)·volume): three times the price-volume sum, kept undivided.
    weighted: Decimal,
    /// Σvolume.
    volume: Decimal,
}

impl Vwap {
    /// A VWAP with nothing accumulated.
    pub fn new() -> Self {
        Vwap::default()
    }

    /// Adds the newest bar.
    ///
    /// # Errors
    ///
    /// [`IndicatorError::InvalidBar`] for a negative volume or a close outside low ..= high
    /// (or high below low); [`IndicatorError::Overflow`] when a sum would leave `Decimal`'s
    /// range, after enough volume at high enough prices. Nothing changes.
    pub fn update(
        &mut self,
        high: Decimal,
        low: Decimal,
        close: Decimal,
        volume: Decimal,
    ) -> Result<(), IndicatorError> {
        check_bar(high, low, close)?;
        if volume.is_sign_negative() && !volume.is_zero() {
            return Err(IndicatorError::InvalidBar);
        }
        let weighted = add(self.weighted, mul(add(add(high, low)?, close)?, volume)?)?;
        let total = add(self.volume, volume)?;
        // Checked here so that `value` can always divide by 3·Σvolume.
        mul(total, Decimal::from(3))?;
        (self.weighted, self.volume) = (weighted, total);
        Ok(())
    }

    /// Adds the newest candle; see [`Vwap::update`].
    ///
    /// # Errors
    ///
    /// As [`Vwap::update`].
    pub fn update_candle(&mut self, candle: &Candle) -> Result<(), IndicatorError> {
        self.update(candle.high, candle.low, candle.close, candle.volume)
    }

    /// Starts a new accumulation (a new session): the next bar's typical price is the VWAP.
    pub fn reset(&mut self) {
        *self = Vwap::default();
    }

    /// The average, once some volume has traded since the reset.
    pub fn value(&self) -> Option<Decimal> {
        if self.volume.is_zero() {
            return None;
        }
        // A weighted average of (high + low + close) sums, so within the range they fit in.
        self.weighted.checked_div(self.volume * Decimal::from(3))
    }

    /// The volume since the reset.
    pub fn volume(&self) -> Decimal {
        self.volume
    }
}

/// What a snapshot holds; checked before it becomes a [`Vwap`].
#[derive(Serialize, Deserialize)]
struct VwapState {
    weighted: Decimal,
    volume: Decimal,
}

impl From<Vwap> for VwapState {
    fn from(vwap: Vwap) -> Self {
        VwapState {
            weighted: vwap.weighted,
            volume: vwap.volume,
        }
    }
}

impl TryFrom<VwapState> for Vwap {
    type Error = StateError;

    fn try_from(state: VwapState) -> Result<Self, Self::Error> {
        if state.volume.is_sign_negative() && !state.volume.is_zero() {
            return Err(StateError(format!("VWAP volume {} cannot be negative", state.volume)));
        }
        if state.volume.is_zero() && !state.weighted.is_zero() {
            return Err(StateError("VWAP has weighted prices but no volume".to_owned()));
        }
        if state.volume.checked_mul(Decimal::from(3)).is_none() {
            return Err(IndicatorError::Overflow.into());
        }
        Ok(Vwap {
            weighted: state.weighted,
            volume: state.volume,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn weights_typical_prices_by_volume() {
        let mut vwap = Vwap::new();
        vwap.update(dec("10.5"), dec("9.5"), dec("10"), dec("2")).unwrap(); // typical 10
        vwap.update(dec("13"), dec("11"), dec("11"), dec("0.5")).unwrap(); // typical 11.66…
                                                                           // (30 · 2 + 35 · 0.5) / (3 · 2.5) = 77.5 / 7.5
        assert_eq!(vwap.value(), Some(dec("77.5") / dec("7.5")));
        assert_eq!(vwap.volume(), dec("2.5"));
    }

    #[test]
    fn zero_volume_gives_no_value_and_reset_starts_over() {
        let mut vwap = Vwap::new();
        vwap.update(dec("2"), dec("1"), dec("1.5"), dec("0")).unwrap();
        assert_eq!(vwap.value(), None);
        vwap.update(dec("3"), dec("3"), dec("3"), dec("1")).unwrap();
        assert_eq!(vwap.value(), Some(dec("3")));
        vwap.reset();
        assert_eq!((vwap.value(), vwap.volume()), (None, dec("0")));
        vwap.update(dec("6"), dec("6"), dec("6"), dec("1")).unwrap();
        assert_eq!(vwap.value(), Some(dec("6")));
    }

    #[test]
    fn bad_bars_and_overflow_are_refused_and_change_nothing() {
        let mut vwap = Vwap::new();
        vwap.update(dec("2"), dec("1"), dec("1.5"), dec("1")).unwrap();
        let before = vwap.clone();
        assert_eq!(
            vwap.update(dec("2"), dec("1"), dec("1.5"), dec("-1")),
            Err(IndicatorError::InvalidBar)
        );
        assert_eq!(
            vwap.update(dec("1"), dec("2"), dec("1.5"), dec("1")),
            Err(IndicatorError::InvalidBar)
        );
        assert_eq!(
            vwap.update(Decimal::MAX, dec("0"), dec("1"), dec("2")),
            Err(IndicatorError::Overflow)
        );
        assert_eq!(
            vwap.update(dec("2"), dec("1"), dec("1.5"), Decimal::MAX),
            Err(IndicatorError::Overflow)
        );
        assert_eq!(vwap, before);
    }

    #[test]
    fn snapshots_round_trip_and_bad_ones_are_refused() {
        let mut vwap = Vwap::new();
        vwap.update(dec("2"), dec("1"), dec("1.5"), dec("1.25")).unwrap();
        let json = serde_json::to_string(&vwap).unwrap();
        assert_eq!(serde_json::from_str::<Vwap>(&json).unwrap(), vwap);
        for json in [r#"{"weighted":"1","volume":"-1"}"#, r#"{"weighted":"1","volume":"0"}"#] {
            assert!(serde_json::from_str::<Vwap>(json).is_err(), "{json}");
        }
    }
}
