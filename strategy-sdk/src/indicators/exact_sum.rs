//! [`ExactSum`]: a running sum of decimals in integer arithmetic while it fits.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::MAX_PERIOD;

/// Sums below this magnitude (in units) times a weight of at most [`MAX_PERIOD`] (< 2^17) fit
/// in an `i64`: [`ExactSum::cmp_weighted`] multiplies them without a 128-bit multiply, which
/// wasm does not have.
const WEIGHTED_UNITS_LIMIT: u64 = 1 << 46;
const _: () = assert!(MAX_PERIOD < 1 << 17);

/// The exact sum of a changing collection of decimals (values added, and later removed).
///
/// Prices of one instrument share a tick size, so at one scale their mantissas add as plain
/// integers: the sum is kept as a count of 10^-`scale` units in an `i64`, and adding a price
/// is an integer addition instead of `Decimal`'s 96-bit limb arithmetic. The scale is the
/// largest of every value ever added, exactly the scale `Decimal` addition would give the sum,
/// so [`ExactSum::to_decimal`] is the very value (and representation) a `Decimal` running sum
/// would hold. A sum that does not fit continues as a `Decimal`, with its rules.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ExactSum {
    Units { units: i64, scale: u32 },
    Decimal(Decimal),
}

impl ExactSum {
    pub(crate) const ZERO: ExactSum = ExactSum::Units { units: 0, scale: 0 };

    /// The sum `value` stands for, in the same representation.
    pub(crate) fn from_decimal(value: Decimal) -> Self {
        match i64::try_from(value.mantissa()) {
            Ok(units) => ExactSum::Units {
                units,
                scale: value.scale(),
            },
            Err(_) => ExactSum::Decimal(value),
        }
    }

    /// Adds `value`.
    ///
    /// # Panics
    ///
    /// As `Decimal` addition does, when the sum leaves `Decimal`'s range.
    #[inline]
    pub(crate) fn add(&mut self, value: Decimal) {
        if !self.add_at_scale(value, false) {
            self.add_slow(value, false);
        }
    }

    /// Removes `value`, which was added before; panics as [`ExactSum::add`].
    #[inline]
    pub(crate) fn sub(&mut self, value: Decimal) {
        if !self.add_at_scale(value, true) {
            self.add_slow(value, true);
        }
    }

    /// `self + value`, or `None` when the sum leaves `Decimal`'s range (then `self` is as it was).
    pub(crate) fn checked_add(self, value: Decimal) -> Option<ExactSum> {
        self.checked_add_or_sub(value, false)
    }

    /// `self − value`, or `None` as [`ExactSum::checked_add`].
    pub(crate) fn checked_sub(self, value: Decimal) -> Option<ExactSum> {
        self.checked_add_or_sub(value, true)
    }

    fn checked_add_or_sub(mut self, value: Decimal, negate: bool) -> Option<ExactSum> {
        if self.add_at_scale(value, negate) {
            return Some(self);
        }
        let mantissa = if negate { -value.mantissa() } else { value.mantissa() };
        if self.add_units(mantissa, value.scale()) {
            return Some(self);
        }
        let sum = self.to_decimal();
        let sum = if negate {
            sum.checked_sub(value)
        } else {
            sum.checked_add(value)
        };
        sum.map(ExactSum::Decimal)
    }

    /// The common case, kept small enough to inline: a value at the sum's scale whose mantissa
    /// fits in an `i64`, and a sum that stays in one. False (and unchanged) otherwise.
    #[inline]
    fn add_at_scale(&mut self, value: Decimal, negate: bool) -> bool {
        let ExactSum::Units { units, scale } = self else {
            return false;
        };
        if value.scale() != *scale {
            return false;
        }
        let Ok(mantissa) = i64::try_from(value.mantissa()) else {
            return false;
        };
        let sum = if negate {
            units.checked_sub(mantissa)
        } else {
            units.checked_add(mantissa)
        };
        match sum {
            Some(sum) => {
                *units = sum;
                true
            }
            None => false,
        }
    }

    /// Everything else: a rescale, or a `Decimal` sum.
    #[cold]
    fn add_slow(&mut self, value: Decimal, negate: bool) {
        let mantissa = if negate { -value.mantissa() } else { value.mantissa() };
        if !self.add_units(mantissa, value.scale()) {
            let sum = self.to_decimal();
            *self = ExactSum::Decimal(if negate { sum - value } else { sum + value });
        }
    }

    /// The sum.
    pub(crate) fn to_decimal(self) -> Decimal {
        match self {
            ExactSum::Units { units, scale } => Decimal::new(units, scale),
            ExactSum::Decimal(sum) => sum,
        }
    }

    /// Compares `self × weight` with `other × other_weight` (weights at most [`MAX_PERIOD`]),
    /// exactly; `None` when that takes more than `i64` arithmetic (sums at different scales,
    /// large sums, or a sum that became a `Decimal`).
    pub(crate) fn cmp_weighted(self, weight: u32, other: ExactSum, other_weight: u32) -> Option<Ordering> {
        let (
            ExactSum::Units { units, scale },
            ExactSum::Units {
                units: o_units,
                scale: o_scale,
            },
        ) = (self, other)
        else {
            return None;
        };
        let small = |units: i64| units.unsigned_abs() < WEIGHTED_UNITS_LIMIT;
        let light = |weight: u32| weight as usize <= MAX_PERIOD;
        if scale != o_scale || !(small(units) && small(o_units) && light(weight) && light(other_weight)) {
            return None;
        }
        Some((units * i64::from(weight)).cmp(&(o_units * i64::from(other_weight))))
    }

    /// Adds `mantissa` × 10^-`value_scale` in integer arithmetic; false (and unchanged) when
    /// the sum is a `Decimal` or the result does not fit.
    fn add_units(&mut self, mantissa: i128, value_scale: u32) -> bool {
        let ExactSum::Units { units, scale } = self else {
            return false;
        };
        let target = value_scale.max(*scale);
        let sum = rescale(i128::from(*units), *scale, target)
            .zip(rescale(mantissa, value_scale, target))
            .and_then(|(units, value)| units.checked_add(value))
            .and_then(|sum| i64::try_from(sum).ok());
        match sum {
            Some(sum) => {
                *self = ExactSum::Units {
                    units: sum,
                    scale: target,
                };
                true
            }
            None => false,
        }
    }
}

/// `units` at `scale`, expressed at the scale `target`, at least as large.
fn rescale(units: i128, scale: u32, target: u32) -> Option<i128> {
    if target == scale {
        return Some(units);
    }
    units.checked_mul(10_i128.checked_pow(target - scale)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    /// Adds and removes like a running sum would, against plain `Decimal` arithmetic.
    fn check_against_decimal(values: &[&str]) {
        let (mut exact, mut reference) = (ExactSum::ZERO, Decimal::ZERO);
        for value in values.iter().map(|v| dec(v)) {
            exact.add(value);
            reference += value;
            let (sum, expected) = (exact.to_decimal(), reference);
            assert_eq!((sum, sum.scale()), (expected, expected.scale()), "after adding {value}");
        }
        for value in values.iter().map(|v| dec(v)) {
            exact.sub(value);
            reference -= value;
            let (sum, expected) = (exact.to_decimal(), reference);
            assert_eq!(
                (sum, sum.scale()),
                (expected, expected.scale()),
                "after removing {value}"
            );
        }
    }

    #[test]
    fn equals_decimal_arithmetic_value_and_scale() {
        check_against_decimal(&["100.25", "99.50", "101", "0.001", "-3", "7.5000"]);
        check_against_decimal(&["0.0000000000000000000000000001", "1"]);
    }

    #[test]
    fn continues_as_a_decimal_beyond_integer_range() {
        check_against_decimal(&["9000000000000000000", "0.5", "9000000000000000000"]);
        check_against_decimal(&["30000000000000000000000000000", "0.5", "30000000000000000000000000000"]);
        let mut sum = ExactSum::ZERO;
        sum.add(dec("9000000000000000000"));
        sum.add(dec("0.1"));
        assert!(matches!(sum, ExactSum::Decimal(_)), "{sum:?}");
    }

    #[test]
    fn checked_sums_equal_the_panicking_ones_and_refuse_overflow() {
        let values = [
            "100.25",
            "9000000000000000000",
            "0.001",
            "-3",
            "30000000000000000000000000000",
        ];
        let (mut plain, mut checked) = (ExactSum::ZERO, ExactSum::ZERO);
        for value in values.iter().map(|v| dec(v)) {
            plain.add(value);
            checked = checked.checked_add(value).unwrap();
            assert_eq!(checked.to_decimal(), plain.to_decimal());
        }
        for value in values.iter().map(|v| dec(v)) {
            plain.sub(value);
            checked = checked.checked_sub(value).unwrap();
            assert_eq!(checked.to_decimal(), plain.to_decimal());
        }
        let full = ExactSum::from_decimal(Decimal::MAX);
        assert!(full.checked_add(Decimal::ONE).is_none());
        assert!(ExactSum::from_decimal(Decimal::MIN).checked_sub(Decimal::ONE).is_none());
    }

    #[test]
    fn compares_weighted_sums_exactly_at_one_scale() {
        let fast = ExactSum::from_decimal(dec("9.0")); // 2 values: 4.5 each
        let slow = ExactSum::from_decimal(dec("10.0")); // 3 values: 3.33...
        assert_eq!(fast.cmp_weighted(3, slow, 2), Some(Ordering::Greater));
        assert_eq!(slow.cmp_weighted(2, fast, 3), Some(Ordering::Less));
        let third = ExactSum::from_decimal(dec("1.000"));
        let sixth = ExactSum::from_decimal(dec("2.000"));
        assert_eq!(third.cmp_weighted(6, sixth, 3), Some(Ordering::Equal));
        // Beyond plain i64 arithmetic: the caller compares as decimals.
        assert_eq!(
            third.cmp_weighted(1, ExactSum::from_decimal(dec("1")), 1),
            None,
            "scales differ"
        );
        let large = ExactSum::from_decimal(dec("100000000000000"));
        assert_eq!(large.cmp_weighted(1, large, 1), None, "too large to multiply in i64");
    }
}
