//! Venue numbers as exact [`Decimal`]s, read from their JSON text.
//!
//! Venues write prices and quantities as JSON numbers (Kraken WebSocket v2: `29430.2`, `4.0`)
//! or as JSON strings (Kraken REST, every Binance API: `"0.0001"`). Both are read here from the
//! raw text, never through `f64`, so the scale written on the wire is the scale of the decimal
//! (`4.0` has scale 1). serde_json's `arbitrary_precision` would do the same but changes every
//! other serde_json user in the workspace, so the raw text is taken through [`RawValue`]
//! instead.

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

/// Parses the JSON text of a number (`1.25000000`, `-3`, `1e-5`) or of a string holding one
/// (`"0.0001"`) into the exact decimal it writes, keeping its scale.
///
/// # Errors
/// A message naming what was found when the text is not a decimal, or holds more digits than a
/// [`Decimal`] (28 significant digits) can keep without rounding.
pub(crate) fn parse_decimal(json: &str) -> Result<Decimal, String> {
    let text = match json.strip_prefix('"') {
        // Venues never escape inside a number string; an escape means it is not one.
        Some(quoted) => quoted
            .strip_suffix('"')
            .filter(|t| !t.contains('\\'))
            .ok_or_else(|| not_decimal(json))?,
        None => json,
    };
    let parsed = if text.bytes().any(|b| b == b'e' || b == b'E') {
        Decimal::from_scientific(text)
    } else {
        Decimal::from_str_exact(text)
    };
    parsed.map_err(|_| not_decimal(json))
}

fn not_decimal(json: &str) -> String {
    // Bounded, so a hostile megabyte of digits does not come back in an error message.
    let shown: String = json.chars().take(40).collect();
    let more = if shown.len() < json.len() { "…" } else { "" };
    format!("expected a decimal number, found `{shown}{more}`")
}

/// Parses decimal text as venues write it in strings (`30000.01000000`), keeping its scale.
///
/// Plain text of at most 19 digits (every price and quantity Binance sends) is read digit by
/// digit into the mantissa; anything else (a sign, an exponent, more digits) goes through
/// [`parse_decimal`]'s exact parser.
///
/// # Errors
/// As [`parse_decimal`].
pub(crate) fn parse_decimal_text(text: &str) -> Result<Decimal, String> {
    fast_decimal(text.as_bytes()).map_or_else(|| parse_decimal(text), Ok)
}

/// `digits[.digits]` with at most 19 digits in all, or `None`.
fn fast_decimal(bytes: &[u8]) -> Option<Decimal> {
    if bytes.is_empty() || bytes.len() > 20 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut digits = 0u32;
    let mut scale: Option<u32> = None;
    for &b in bytes {
        match b {
            // A 20th digit could overflow the u64; such text takes the exact parser.
            b'0'..=b'9' if digits < 19 => {
                mantissa = mantissa * 10 + u64::from(b - b'0');
                digits += 1;
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            b'.' if scale.is_none() => scale = Some(0),
            _ => return None,
        }
    }
    // A leading or trailing dot is left to the exact parser, which decides what it means.
    match scale {
        _ if digits == 0 => None,
        Some(0) => None,
        Some(s) if usize::try_from(s).ok()? == bytes.len() - 1 => None,
        scale => Decimal::try_from_i128_with_scale(i128::from(mantissa), scale.unwrap_or(0)).ok(),
    }
}

/// serde adapter: an exact decimal written as a JSON string (`"0.00240000"`), as Binance writes
/// every price and quantity, read from the string's text. A JSON integer is taken too; a JSON
/// number with a fraction is refused, since serde would hand it over as a rounded `f64`.
pub(crate) fn decimal_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    struct Text;
    impl serde::de::Visitor<'_> for Text {
        type Value = Decimal;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a decimal number in a string")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Decimal, E> {
            parse_decimal_text(text).map_err(E::custom)
        }
        fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(n))
        }
        fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(n))
        }
        fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Decimal, E> {
            Err(E::custom(format_args!(
                "expected a decimal number in a string, found the number {n}, which cannot be read exactly"
            )))
        }
    }
    deserializer.deserialize_any(Text)
}

/// serde adapter: a required exact decimal.
pub(crate) fn decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
    let raw = <&RawValue>::deserialize(deserializer)?;
    parse_decimal(raw.get()).map_err(D::Error::custom)
}

/// serde adapter: an optional exact decimal (`null` or absent is `None`; use with
/// `#[serde(default)]`).
pub(crate) fn opt_decimal<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    let raw = <Option<&RawValue>>::deserialize(deserializer)?;
    raw.map(|raw| parse_decimal(raw.get()).map_err(D::Error::custom))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_written_scale() {
        let cases = [
            ("29430.2", "29430.2", 1),
            ("4.0", "4.0", 1),
            ("1.25000000", "1.25000000", 8),
            ("\"0.00010000\"", "0.00010000", 8),
            ("-3", "-3", 0),
            ("1e-5", "0.00001", 5),
            ("105944.20", "105944.20", 2),
        ];
        for (json, text, scale) in cases {
            let d = parse_decimal(json).unwrap();
            assert_eq!((d.to_string().as_str(), d.scale()), (text, scale), "{json}");
        }
    }

    #[test]
    fn the_fast_text_path_agrees_with_the_exact_parser() {
        for text in [
            "0",
            "10",
            "0.00240000",
            "30000.01000000",
            "1234567890123456789",
            "0.0000000000000000001",
            "12345678901234567890",
            "99999999999999999999",
            "1.",
            ".5",
            ".",
            "",
            "-1.5",
            "1e5",
            "1.2.3",
            "00012.3400",
            "9999999999999999999",
        ] {
            let fast = parse_decimal_text(text).map(|d| (d.to_string(), d.scale()));
            let exact = parse_decimal(text).map(|d| (d.to_string(), d.scale()));
            assert_eq!(fast.is_ok(), exact.is_ok(), "{text}");
            if let (Ok(fast), Ok(exact)) = (fast, exact) {
                assert_eq!(fast, exact, "{text}");
            }
        }
    }

    #[test]
    fn refuses_what_is_not_an_exact_decimal() {
        for json in [
            "true",
            "\"abc\"",
            "\"\"",
            "[1]",
            "1e400",
            "123456789012345678901234567890123",
            "\"1\\u0030\"",
            "\"1",
        ] {
            assert!(parse_decimal(json).is_err(), "{json}");
        }
    }
}
