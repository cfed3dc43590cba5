//! Kraken's timestamps as UTC milliseconds ([`TimeMs`]).
//!
//! WebSocket v2 writes RFC 3339 (`2023-10-06T17:35:55.440295Z`, sometimes nanoseconds, in
//! principle an offset instead of `Z`); REST writes Unix seconds as a JSON number with a
//! fraction (`1616666559.8974`). Both are truncated toward the past to whole milliseconds, so a
//! time never moves later than it was.

use rust_decimal::Decimal;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use trading::market::TimeMs;

/// Parses an RFC 3339 date-time (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`) into UTC ms.
///
/// # Errors
/// A message saying which part is wrong (`month 13 out of range`, `expected 'T'`).
pub fn parse_rfc3339(text: &str) -> Result<TimeMs, String> {
    Rfc3339 {
        bytes: text.as_bytes(),
        at: 0,
    }
    .parse()
    .map_err(|why| format!("`{}` is not RFC 3339: {why}", shorten(text)))
}

/// Converts Unix seconds with a fraction, as REST writes them, into UTC ms (truncated).
///
/// # Errors
/// When the time is out of the range of [`TimeMs`].
pub fn seconds_to_ms(seconds: Decimal) -> Result<TimeMs, String> {
    let ms = seconds
        .checked_mul(Decimal::ONE_THOUSAND)
        .ok_or_else(|| format!("{seconds} s is out of range"))?
        .floor();
    i64::try_from(ms).map_err(|_| format!("{seconds} s is out of range"))
}

fn shorten(text: &str) -> String {
    text.chars().take(40).collect()
}

struct Rfc3339<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Rfc3339<'_> {
    fn parse(mut self) -> Result<TimeMs, &'static str> {
        let year = self.digits(4)?;
        self.expect(b'-', "expected '-' after the year")?;
        let month = self.digits(2)?;
        self.expect(b'-', "expected '-' after the month")?;
        let day = self.digits(2)?;
        match self.next() {
            Some(b'T' | b't' | b' ') => {}
            _ => return Err("expected 'T' between date and time"),
        }
        let hour = self.digits(2)?;
        self.expect(b':', "expected ':' after the hour")?;
        let minute = self.digits(2)?;
        self.expect(b':', "expected ':' after the minute")?;
        let second = self.digits(2)?;
        let mut millis = 0;
        if self.peek() == Some(b'.') {
            self.at += 1;
            let start = self.at;
            while let Some(d @ b'0'..=b'9') = self.peek() {
                // Only the first three fraction digits matter: truncation to ms.
                if self.at - start < 3 {
                    millis = millis * 10 + i64::from(d - b'0');
                }
                self.at += 1;
            }
            match self.at - start {
                0 => return Err("expected digits after '.'"),
                n @ 1..=2 => millis *= 10_i64.pow(3 - n as u32),
                _ => {}
            }
        }
        let offset_minutes = match self.next() {
            Some(b'Z' | b'z') => 0,
            Some(sign @ (b'+' | b'-')) => {
                let h = self.digits(2)?;
                self.expect(b':', "expected ':' in the offset")?;
                let m = self.digits(2)?;
                if h > 23 || m > 59 {
                    return Err("offset out of range");
                }
                let minutes = h * 60 + m;
                if sign == b'+' {
                    minutes
                } else {
                    -minutes
                }
            }
            _ => return Err("expected 'Z' or an offset"),
        };
        if self.at != self.bytes.len() {
            return Err("unexpected text after the offset");
        }
        if !(1..=12).contains(&month) {
            return Err("month out of range");
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err("day out of range");
        }
        // 60 is a leap second; like most systems, it is taken as the next second's start.
        if hour > 23 || minute > 59 || second > 60 {
            return Err("time of day out of range");
        }
        let days = days_from_civil(year, month, day);
        let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
        Ok(seconds * 1_000 + millis)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        self.at += 1;
        b
    }

    fn expect(&mut self, want: u8, why: &'static str) -> Result<(), &'static str> {
        if self.next() == Some(want) {
            Ok(())
        } else {
            Err(why)
        }
    }

    fn digits(&mut self, count: usize) -> Result<i64, &'static str> {
        let mut value = 0;
        for _ in 0..count {
            match self.next() {
                Some(d @ b'0'..=b'9') => value = value * 10 + i64::from(d - b'0'),
                _ => return Err("expected a digit"),
            }
        }
        Ok(value)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// serde adapter: a required RFC 3339 timestamp.
pub(crate) fn rfc3339<'de, D: Deserializer<'de>>(deserializer: D) -> Result<TimeMs, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    parse_rfc3339(&text).map_err(D::Error::custom)
}

/// serde adapter: an optional RFC 3339 timestamp (use with `#[serde(default)]`).
pub(crate) fn opt_rfc3339<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<TimeMs>, D::Error> {
    let text = <Option<std::borrow::Cow<'de, str>>>::deserialize(deserializer)?;
    text.map(|t| parse_rfc3339(&t).map_err(D::Error::custom)).transpose()
}

/// serde adapter: an RFC 3339 timestamp, or `"0"` for none (what `cancel_all_orders_after`
/// answers as the trigger of a disarmed switch).
pub(crate) fn rfc3339_or_zero<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<TimeMs>, D::Error> {
    let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
    match text.as_ref() {
        "0" => Ok(None),
        text => parse_rfc3339(text).map(Some).map_err(D::Error::custom),
    }
}

/// serde adapter: optional Unix seconds with a fraction (REST's `closetm`), read exactly; REST
/// writes `0` for "not set", which is `None`.
pub(crate) fn opt_unix_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<TimeMs>, D::Error> {
    let raw = <Option<&RawValue>>::deserialize(deserializer)?;
    let Some(raw) = raw else { return Ok(None) };
    let seconds = crate::kit::decimal::parse_decimal(raw.get()).map_err(D::Error::custom)?;
    if seconds.is_zero() {
        return Ok(None);
    }
    seconds_to_ms(seconds).map(Some).map_err(D::Error::custom)
}

/// serde adapter: required Unix seconds with a fraction (REST's trade `time`), read exactly.
pub(crate) fn unix_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<TimeMs, D::Error> {
    let raw = <&RawValue>::deserialize(deserializer)?;
    crate::kit::decimal::parse_decimal(raw.get())
        .and_then(seconds_to_ms)
        .map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kraken_timestamps() {
        let cases = [
            ("1970-01-01T00:00:00Z", 0),
            ("2023-10-06T17:35:55.440295Z", 1_696_613_755_440),
            ("2023-10-04T16:25:00.000000000Z", 1_696_436_700_000),
            ("2023-07-30T15:29:58.343415Z", 1_690_730_998_343),
            ("2026-05-05T10:00:00.1Z", 1_777_975_200_100),
            ("2026-05-05T12:00:00.1+02:00", 1_777_975_200_100),
            ("2024-02-29T00:00:00Z", 1_709_164_800_000),
            ("1969-12-31T23:59:59.999Z", -1),
        ];
        for (text, ms) in cases {
            assert_eq!(parse_rfc3339(text), Ok(ms), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for text in [
            "",
            "2023-10-06",
            "2023-10-06T17:35:55",
            "2023-13-06T17:35:55Z",
            "2023-02-29T17:35:55Z",
            "2023-10-06T24:00:00Z",
            "2023-10-06T17:35:55.Z",
            "2023-10-06T17:35:55Zjunk",
            "2023-10-06T17:35:55+2:00",
            "２023-10-06T17:35:55Z",
        ] {
            assert!(parse_rfc3339(text).is_err(), "{text}");
        }
    }

    #[test]
    fn rest_seconds_truncate_to_ms() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(seconds_to_ms(d("1616666559.8974")), Ok(1_616_666_559_897));
        assert_eq!(seconds_to_ms(d("1548119951")), Ok(1_548_119_951_000));
        assert!(seconds_to_ms(Decimal::MAX).is_err());
    }
}
