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
