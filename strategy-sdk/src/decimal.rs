//! Exact decimals at the host boundary.
//!
//! The WIT contract carries a decimal as `{ mantissa: s64, scale: u8 }` (value = mantissa ×
//! 10^−scale); strategies compute in [`Decimal`] (96-bit mantissa, scale ≤ 28). The two
//! conversions here are total in one direction and checked in the other:
//!
//! 1. [`from_parts`] never fails. Every decimal the host may send (scale ≤ 28) converts
//!    losslessly; a larger scale breaks the contract and is rounded to 28 places rather than
//!    allowed to panic inside the strategy.
//! 2. [`to_parts`] fails only for values whose integer part alone needs more than 64 bits
//!    (|value| > 9,223,372,036,854,775,807). A value with too many significant digits for a
//!    64-bit mantissa first loses its trailing zeros, then is rounded (half to even) to the
//!    most decimal places that fit: at least 18 significant digits survive.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

/// The largest scale a [`Decimal`] (and so the WIT contract) allows.
pub const MAX_SCALE: u8 = 28;

/// Builds a [`Decimal`] from the WIT representation.
///
/// Lossless for every `scale` ≤ [`MAX_SCALE`]. A larger scale, which the contract forbids, is
/// rounded to 28 decimal places (half to even) instead of failing, so that no input from the
/// host can make a strategy panic.
///
/// ```
/// use strategy_sdk::decimal::from_parts;
/// assert_eq!(from_parts(12_345, 2).to_string(), "123.45");
/// ```
#[inline]
pub fn from_parts(mantissa: i64, scale: u8) -> Decimal {
    // Every event carries several decimals, so this is on the hot path: inlined, and `try_new`
    // builds the value from the 64-bit mantissa directly, without 128-bit arithmetic (emulated
    // in wasm). The rest is out of line.
    match Decimal::try_new(mantissa, u32::from(scale)) {
        Ok(value) => value,
        Err(_) => round_to_max_scale(mantissa, scale),
    }
}

/// [`from_parts`] for a scale beyond [`MAX_SCALE`]: shift the excess digits out of the mantissa.
#[cold]
fn round_to_max_scale(mantissa: i64, scale: u8) -> Decimal {
    let excess = u32::from(scale.saturating_sub(MAX_SCALE));
    match 10_i64.checked_pow(excess) {
        Some(divisor) => {
            let value = Decimal::from_i128_with_scale(i128::from(mantissa), u32::from(MAX_SCALE));
            (value / Decimal::from(divisor))
                .round_dp_with_strategy(u32::from(MAX_SCALE), RoundingStrategy::MidpointNearestEven)
        }
        // 10^19 and beyond: |mantissa| < 2^63 < 10^19, so the value rounds to zero at 28 places.
        None => Decimal::ZERO,
    }
}

/// Splits a [`Decimal`] into the WIT representation `(mantissa, scale)`.
///
/// Exact whenever the value's digits fit in 64 bits, which covers every price and quantity a
/// venue quotes. Otherwise trailing zeros are dropped and then the value is rounded (half to even)
/// to the most decimal places that fit.
///
/// # Errors
///
/// [`DecimalRangeError`] when the integer part alone does not fit in an `i64`.
///
/// ```
/// use strategy_sdk::{decimal::to_parts, Decimal};
/// assert_eq!(to_parts(Decimal::new(-5, 3)), Ok((-5, 3)));
/// assert!(to_parts(Decimal::MAX).is_err());
/// ```
pub fn to_parts(value: Decimal) -> Result<(i64, u8), DecimalRangeError> {
    if let Some(parts) = fits(value) {
        return Ok(parts);
    }
    let normalized = value.normalize();
    if let Some(parts) = fits(normalized) {
        return Ok(parts);
    }
    // Each attempt rounds the original value once: rounding step by step would round twice.
    (0..normalized.scale())
        .rev()
        .map(|places| {
            normalized
                .round_dp_with_strategy(places, RoundingStrategy::MidpointNearestEven)
                .normalize()
        })
        .find_map(fits)
        .ok_or(DecimalRangeError { value })
}

fn fits(value: Decimal) -> Option<(i64, u8)> {
    let mantissa = i64::try_from(value.mantissa()).ok()?;
    // A Decimal's scale is at most 28, so it always fits in a u8.
    let scale = u8::try_from(value.scale()).ok()?;
    Some((mantissa, scale))
}

/// A [`Decimal`] too large for the host's 64-bit mantissa, even with no decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecimalRangeError {
    /// The value that did not fit.
    pub value: Decimal,
}

impl fmt::Display for DecimalRangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} is out of range: the host's decimals hold at most {} in magnitude",
            self.value,
            i64::MAX
        )
    }
}

impl std::error::Error for DecimalRangeError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn from_parts_is_exact_up_to_scale_28() {
        assert_eq!(from_parts(12_345, 2), dec("123.45"));
        assert_eq!(from_parts(-1, 28).to_string(), "-0.0000000000000000000000000001");
        assert_eq!(from_parts(i64::MAX, 0), Decimal::from(i64::MAX));
        assert_eq!(from_parts(i64::MIN, 3), dec("-9223372036854775.808"));
        // Trailing zeros are kept: the scale is part of the value's representation.
        assert_eq!(from_parts(1_000, 3).to_string(), "1.000");
    }

    #[test]
    fn from_parts_rounds_scales_beyond_the_contract_instead_of_panicking() {
        assert_eq!(from_parts(15, 29), dec("0.0000000000000000000000000002"));
        assert_eq!(from_parts(25, 29), dec("0.0000000000000000000000000002"));
        assert_eq!(from_parts(i64::MAX, 40), dec("0.0000000000000000000009223372"));
        assert_eq!(from_parts(i64::MAX, 255), Decimal::ZERO);
    }

    #[test]
    fn to_parts_is_exact_when_the_mantissa_fits() {
        assert_eq!(to_parts(dec("123.45")), Ok((12_345, 2)));
        assert_eq!(to_parts(dec("-0.000001")), Ok((-1, 6)));
        assert_eq!(to_parts(dec("1.500")), Ok((1_500, 3)));
        assert_eq!(to_parts(Decimal::from(i64::MIN)), Ok((i64::MIN, 0)));
    }

    #[test]
    fn to_parts_drops_trailing_zeros_before_rounding() {
        // The 29-digit mantissa does not fit, the value without its trailing zeros does.
        let value = dec("123456789012.00000000000000000");
        assert_eq!(to_parts(value), Ok((123_456_789_012, 0)));
    }

    #[test]
    fn to_parts_rounds_excess_precision_half_to_even() {
        // 28 significant digits: rounded to the 19 that fit (the mantissa is < 2^63 ≈ 9.22e18).
        let value = dec("1.234567890123456789012345678");
        let (mantissa, scale) = to_parts(value).unwrap();
        assert_eq!((mantissa, scale), (1_234_567_890_123_456_789, 18));
        assert_eq!(to_parts(dec("0.1000000000000000000000000005")), Ok((1, 1)));
        // One rounding, not many: digit by digit, …3|4999 would become …3|5 and then …4.
        let (mantissa, scale) = to_parts(dec("0.4445000000000000003499999999")).unwrap();
        assert_eq!((mantissa, scale), (4_445_000_000_000_000_003, 19));
    }

    #[test]
    fn to_parts_rejects_integers_beyond_64_bits() {
        let too_big = Decimal::from(i64::MAX) + Decimal::ONE;
        assert_eq!(to_parts(too_big), Err(DecimalRangeError { value: too_big }));
        assert!(to_parts(Decimal::MIN).is_err());
        // Rounding half to even up to 2^63 would overflow: still an error, never a wrong value.
        assert!(to_parts(dec("9223372036854775807.5")).is_err());
        assert_eq!(to_parts(dec("9223372036854775807.4")), Ok((i64::MAX, 0)));
    }

    #[test]
    fn round_trips_every_host_decimal() {
        for (mantissa, scale) in [(0, 0), (1, 28), (-42, 7), (i64::MAX, 28), (i64::MIN, 0)] {
            assert_eq!(to_parts(from_parts(mantissa, scale)), Ok((mantissa, scale)));
        }
    }
}
