//! Exact decimals straight from CSV bytes, without a detour through `String` or `f64`.

use rust_decimal::Decimal;

/// The largest mantissa a [`Decimal`] holds: 2^96 − 1.
const MAX_MANTISSA: u128 = (1 << 96) - 1;
/// The most digits a [`Decimal`] keeps after the point.
const MAX_SCALE: u32 = 28;

/// What [`parse_decimal`] accepts, completing "expected ...".
pub(super) const DECIMAL_TEXT: &str = "a decimal number";

/// Parses `[+-]digits[.digits][(e|E)[+-]digits]` exactly, keeping the written scale
/// (`4285.10` stays `4285.10`). `None` for anything else: empty text, `NaN`, `inf`, `1,5`,
/// thousands separators, or a value a `Decimal` cannot hold exactly (more than 28 digits after
/// the point, or about 29 significant digits). The text must already be trimmed.
pub(super) fn parse_decimal(text: &[u8]) -> Option<Decimal> {
    parse_short(text).or_else(|| parse_general(text))
}

/// The common case, fast: `[-]digits[.digits]` with at most 18 digits, which always fits a
/// `u64` mantissa and a valid scale. `None` sends anything else to [`parse_general`].
fn parse_short(text: &[u8]) -> Option<Decimal> {
    let (negative, rest) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    if rest.len() > 19 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut digits = 0_u32;
    let mut point_at: Option<u32> = None;
    for &b in rest {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
            }
            b'.' if point_at.is_none() => point_at = Some(digits),
            _ => return None,
        }
    }
    if digits == 0 || digits > 18 {
        return None;
    }
    let scale = point_at.map_or(0, |at| digits - at);
    // The casts split the mantissa into the 32-bit words `from_parts` takes.
    let (lo, mid) = (mantissa as u32, (mantissa >> 32) as u32);
    Some(Decimal::from_parts(lo, mid, 0, negative && mantissa != 0, scale))
}

/// Every accepted form, including exponents and up to 28 decimals.
fn parse_general(text: &[u8]) -> Option<Decimal> {
    let (negative, rest) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let mut mantissa: u128 = 0;
    let mut scale: u32 = 0;
    // Zeros after the point are held back until a non-zero digit follows, so that a long run
    // of trailing zeros (`1.000…000`) does not overflow the mantissa for nothing.
    let mut held_zeros: u32 = 0;
    let mut digits = 0_usize;
    let mut seen_point = false;
    let mut at = 0;
    while let Some(&b) = rest.get(at) {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                let digit = u128::from(b - b'0');
                if !seen_point {
                    mantissa = mantissa.checked_mul(10)?.checked_add(digit)?;
                } else if digit == 0 {
                    held_zeros += 1;
                } else {
                    mantissa = mantissa.checked_mul(pow10(held_zeros + 1)?)?.checked_add(digit)?;
                    scale = scale.checked_add(held_zeros + 1)?;
                    held_zeros = 0;
                }
            }
            b'.' if !seen_point => seen_point = true,
            b'e' | b'E' => break,
            _ => return None,
        }
        at += 1;
    }
    if digits == 0 || mantissa > MAX_MANTISSA {
        return None;
    }
    let exponent = match rest.get(at) {
        Some(_) => parse_exponent(&rest[at + 1..])?,
        None => 0,
    };
    // Keep the written zeros when they fit; dropping them does not change the value.
    while held_zeros > 0 && scale < MAX_SCALE {
        match mantissa.checked_mul(10).filter(|m| *m <= MAX_MANTISSA) {
            Some(m) => mantissa = m,
            None => break,
        }
        scale += 1;
        held_zeros -= 1;
    }
    let mut scale = i64::from(scale) - i64::from(exponent);
    if scale < 0 {
        mantissa = mantissa.checked_mul(pow10(u32::try_from(-scale).ok()?)?)?;
        scale = 0;
    }
    // A large scale made of trailing zeros can shrink without changing the value.
    while scale > i64::from(MAX_SCALE) && mantissa != 0 && mantissa.is_multiple_of(10) {
        mantissa /= 10;
        scale -= 1;
    }
    if mantissa == 0 {
        scale = scale.min(i64::from(MAX_SCALE));
    }
    if mantissa > MAX_MANTISSA || scale > i64::from(MAX_SCALE) {
        return None;
    }
    let signed = if negative {
        -(mantissa as i128)
    } else {
        mantissa as i128
    };
    Decimal::try_from_i128_with_scale(signed, u32::try_from(scale).ok()?).ok()
}

/// The digits after `e`: an optional sign and one to three digits.
fn parse_exponent(text: &[u8]) -> Option<i32> {
    let (sign, digits) = match text.split_first() {
        Some((b'-', rest)) => (-1, rest),
        Some((b'+', rest)) => (1, rest),
        _ => (1, text),
    };
    if digits.is_empty() || digits.len() > 3 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(sign * digits.iter().fold(0, |n, d| n * 10 + i32::from(d - b'0')))
}

fn pow10(n: u32) -> Option<u128> {
    10_u128.checked_pow(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn decimal_texts() {
        let ok = [
            ("0", "0"),
            ("12", "12"),
            ("12.5", "12.5"),
            ("4285.10", "4285.10"),
            ("-3.25", "-3.25"),
            ("+3.25", "3.25"),
            (".5", "0.5"),
            ("5.", "5"),
            ("007.50", "7.50"),
            ("795.150377", "795.150377"),
            ("1.5e-05", "0.000015"),
            ("2E3", "2000"),
            ("1.25e+2", "125"),
            ("0.0000000000000000000000000001", "0.0000000000000000000000000001"),
            (
                "1.00000000000000000000000000000000000000",
                "1.0000000000000000000000000000",
            ),
            ("79228162514264337593543950335", "79228162514264337593543950335"),
            ("367.34499999999997", "367.34499999999997"),
        ];
        for (text, expected) in ok {
            let parsed = parse_decimal(text.as_bytes());
            assert_eq!(parsed, Some(Decimal::from_str(expected).unwrap()), "{text}");
            assert_eq!(parsed.unwrap().to_string(), expected, "{text} keeps its scale");
        }
        let bad = [
            "",
            "-",
            "+",
            ".",
            "e5",
            "1e",
            "1e+",
            "1e1234",
            "NaN",
            "nan",
            "inf",
            "-inf",
            "Infinity",
            "12,5",
            "1 000",
            "1_000",
            "1.2.3",
            "--1",
            "0x10",
            "1.5f",
            "١٢",
            "79228162514264337593543950336",
            "0.00000000000000000000000000001",
            "99999999999999999999999999999999999999999",
        ];
        for text in bad {
            assert_eq!(parse_decimal(text.as_bytes()), None, "{text} should be refused");
        }
    }
}
