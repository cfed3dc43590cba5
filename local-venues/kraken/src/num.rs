//! Exact decimals on the wire.
//!
//! Kraken v2 writes prices and quantities as JSON *numbers* printed with the pair's precision
//! (`29430.2`, `0.18967538`), and the book checksum is defined over that text, trailing zeros
//! included. This module is where numbers cross the JSON boundary, in both directions, and it
//! never goes through `f64`:
//!
//! - [`Num`] serializes a decimal as a raw JSON number with a fixed number of decimals;
//! - [`WireDecimal`] deserializes a JSON number *or* string from its text.

use std::str::FromStr;

use rust_decimal::Decimal;
use serde::de::{self, Deserializer};
use serde::ser::{self, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

/// A decimal written as a JSON number with exactly `dp` decimals (rounded half away from zero,
/// as a matching engine's display would; callers pass values that already fit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Num {
    /// The value.
    pub value: Decimal,
    /// Decimals printed.
    pub dp: u32,
}

impl Num {
    /// `value` printed with `dp` decimals.
    pub fn new(value: Decimal, dp: u32) -> Self {
        Num { value, dp }
    }

    /// The wire text: `dp` decimals, `-` only for values below zero.
    pub fn text(&self) -> String {
        fixed(self.value, self.dp)
    }
}

/// `value` with exactly `dp` decimals (`fixed(4, 1)` is `"4.0"`, `fixed(0.5, 0)` is `"1"`).
pub fn fixed(value: Decimal, dp: u32) -> String {
    let rounded = value.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let text = format!("{:.*}", dp as usize, rounded);
    // `-0.0` would be a valid JSON number but not what an exchange prints.
    if rounded.is_zero() && text.starts_with('-') {
        text[1..].to_string()
    } else {
        text
    }
}

impl Serialize for Num {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let raw = RawValue::from_string(self.text()).map_err(ser::Error::custom)?;
        raw.serialize(serializer)
    }
}

/// A decimal read from a JSON number or a JSON string, from its text (never via `f64`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireDecimal(pub Decimal);

impl<'de> Deserialize<'de> for WireDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw: Box<RawValue> = Deserialize::deserialize(deserializer)?;
        let text = raw.get().trim();
        let text = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
        parse_decimal(text)
            .map(WireDecimal)
            .ok_or_else(|| de::Error::custom(format!("not a decimal: {text}")))
    }
}

/// Parses plain and exponent notation (`1e-4`); `None` for anything else.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    Decimal::from_str(text)
        .ok()
        .or_else(|| Decimal::from_scientific(text).ok())
}

/// The number of decimals a value needs (`0.10` needs 1).
pub fn scale_needed(value: Decimal) -> u32 {
    value.normalize().scale()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn fixed_prints_the_pair_precision_with_trailing_zeros() {
        assert_eq!(fixed(d("4"), 8), "4.00000000");
        assert_eq!(fixed(d("29430.2"), 1), "29430.2");
        assert_eq!(fixed(d("0.05"), 1), "0.1");
        assert_eq!(fixed(d("-0.00"), 2), "0.00");
        assert_eq!(fixed(d("12"), 0), "12");
    }

    #[test]
    fn num_serializes_as_a_raw_number() {
        let text = serde_json::to_string(&[Num::new(d("0.1"), 8)]).unwrap();
        assert_eq!(text, "[0.10000000]");
    }

    #[test]
    fn wire_decimal_reads_numbers_and_strings_exactly() {
        let v: Vec<WireDecimal> = serde_json::from_str(r#"[0.18967538, "1.25", 1e-4, 29430.20]"#).unwrap();
        assert_eq!(v[0].0, d("0.18967538"));
        assert_eq!(v[1].0, d("1.25"));
        assert_eq!(v[2].0, d("0.0001"));
        assert_eq!(v[3].0.to_string(), "29430.20");
        assert!(serde_json::from_str::<WireDecimal>("true").is_err());
    }
}
