//! The square root of a `Decimal`, by Newton's iteration.

use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use rust_decimal::Decimal;

/// Newton steps after the `f64` estimate. The estimate has about 15 correct digits and each step
/// doubles them, so two reach `Decimal`'s 28; the rest let a rounded quotient settle.
const MAX_STEPS: usize = 6;

/// √`value` to within one or two units in the 28th significant digit; `None` for a negative
/// `value`. Zero gives zero.
///
/// The start is `f64`'s square root, which IEEE 754 rounds correctly on every platform (wasm
/// included), and each step is x ← (x + value / x) / 2 in `Decimal`, so the result is the same
/// everywhere.
pub(crate) fn sqrt(value: Decimal) -> Option<Decimal> {
    if value.is_sign_negative() && !value.is_zero() {
        return None;
    }
    if value.is_zero() {
        return Some(Decimal::ZERO);
    }
    let estimate = value.to_f64().map(f64::sqrt).and_then(Decimal::from_f64);
    // A positive value's root lies between it and 1, so the larger of the two is a safe start.
    let mut root = match estimate {
        Some(estimate) if estimate > Decimal::ZERO => estimate,
        _ => value.max(Decimal::ONE),
    };
    for _ in 0..MAX_STEPS {
        let next = root.checked_add(value.checked_div(root)?)? / Decimal::TWO;
        if next == root {
            break;
        }
        root = next;
    }
    Some(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    #[test]
    fn exact_squares_have_exact_roots() {
        assert_eq!(sqrt(dec("0")), Some(dec("0")));
        assert_eq!(sqrt(dec("1")), Some(dec("1")));
        assert_eq!(sqrt(dec("144")), Some(dec("12")));
        assert_eq!(sqrt(dec("0.0625")), Some(dec("0.25")));
        assert_eq!(sqrt(dec("-1")), None);
    }

    #[test]
    fn irrational_roots_are_right_to_27_digits() {
        let root = sqrt(dec("2")).unwrap();
        assert_eq!(root.round_dp(26), dec("1.41421356237309504880168872"));
        // Squaring gives back 2 within the last digits.
        assert!((root * root - dec("2")).abs() < Decimal::new(1, 26), "{root}");
    }

    #[test]
    fn extremes_do_not_panic() {
        let max = sqrt(Decimal::MAX).unwrap();
        assert!((Decimal::MAX / max - max).abs() < Decimal::ONE, "{max}");
        let tiny = sqrt(dec("0.0000000000000000000000000001")).unwrap();
        assert_eq!(tiny.round_dp(20), dec("0.00000000000001"));
    }
}
