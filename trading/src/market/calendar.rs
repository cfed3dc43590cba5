//! UTC calendar arithmetic, and the time texts the historical feeds read and write.
//!
//! Owns the conversion between proleptic Gregorian dates and UTC milliseconds, written here
//! rather than pulled from a date crate: the core needs only UTC, and only these few formats.
//!
//! Accepted time texts ([`parse_time_ms`]):
//! - `YYYY-MM-DD` (midnight UTC);
//! - `YYYY-MM-DD HH:MM[:SS[.fff]]`, with a space or `T` between date and time; a time without
//!   a zone is taken as UTC; fractional seconds past the millisecond are dropped (floored);
//! - the same followed by `Z` or a `±HH:MM` offset (RFC 3339), converted to UTC;
//! - an integer count since the Unix epoch. Its magnitude decides the unit (see
//!   [`EPOCH_SECONDS_BELOW`]): below 10^11 it counts seconds, from 10^11 on milliseconds.

use std::fmt;

use super::TimeMs;

/// Epoch integers whose magnitude is below this count seconds; the others count milliseconds.
///
/// 10^11 seconds is in the year 5138, so no seconds timestamp of real data reaches it, while
/// 10^11 milliseconds is 1973-03-03: only millisecond timestamps from before that date would be
/// misread (as seconds).
pub(crate) const EPOCH_SECONDS_BELOW: i64 = 100_000_000_000;

const MS_PER_DAY: i64 = 86_400_000;

/// What a time text was expected to look like, for error messages.
pub(crate) const TIME_FORMATS: &str =
    "a time like 2020-01-03, 2020-01-03 09:30:00, 2020-01-03T09:30:00Z or epoch seconds or milliseconds";

/// Why a text is not a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadTime {
    /// Not in any accepted format.
    Format,
    /// The format is right but a field is out of range (2020-02-30, 24:00, +25:00).
    Range,
}

impl BadTime {
    /// What the caller should have written, completing "expected ...".
    pub(crate) fn expected(self) -> &'static str {
        match self {
            BadTime::Format => TIME_FORMATS,
            BadTime::Range => "a real calendar date and time of day (month 1-12, a day the month has, hour 0-23)",
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date. `month` is 1-12, `day` 1-31; no check.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    // Count years from March, so that the leap day falls at the end of the counted year and
    // every 400-year era holds the same 146,097 days.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (i64::from(month) + 9) % 12;
    // Month lengths from March repeat 31,30,31,30,31 in a pattern this line reproduces.
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    // 719,468 days separate 0000-03-01 (the origin of the count above) from 1970-01-01.
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: `(year, month, day)` of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Both fit: month is 1..=12 and day 1..=31 by construction.
    (year, month as u32, day as u32)
}

fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// [`parse_time_ms`] for a caller outside the core (a command-line option): `Err` completes
/// "expected ...".
///
/// # Errors
///
/// What the text should have been.
pub fn parse_time_text(text: &str) -> Result<TimeMs, &'static str> {
    parse_time_ms(text.trim().as_bytes()).map_err(BadTime::expected)
}

/// Parses one of the accepted time texts (see the module doc) into UTC milliseconds.
/// The text must already be trimmed.
pub(crate) fn parse_time_ms(text: &[u8]) -> Result<TimeMs, BadTime> {
    match text.first() {
        Some(b'-' | b'0'..=b'9') if text.get(4) != Some(&b'-') => parse_epoch(text),
        Some(_) => parse_date_time(text),
        None => Err(BadTime::Format),
    }
}

fn parse_epoch(text: &[u8]) -> Result<TimeMs, BadTime> {
    let (negative, digits) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    // 18 digits always fit in an i64, and no real timestamp has more.
    if digits.is_empty() || digits.len() > 18 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(BadTime::Format);
    }
    let magnitude = digits.iter().fold(0_i64, |n, d| n * 10 + i64::from(d - b'0'));
    let ms = if magnitude < EPOCH_SECONDS_BELOW {
        magnitude * 1_000
    } else {
        magnitude
    };
    Ok(if negative { -ms } else { ms })
}

/// A small cursor over the bytes of a date-time text.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// Exactly `n` ASCII digits as a number.
    fn digits(&mut self, n: usize) -> Result<u32, BadTime> {
        let field = self.text.get(self.at..self.at + n).ok_or(BadTime::Format)?;
        let mut value = 0_u32;
        for &b in field {
            if !b.is_ascii_digit() {
                return Err(BadTime::Format);
            }
            value = value * 10 + u32::from(b - b'0');
        }
        self.at += n;
        Ok(value)
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.text.get(self.at) == Some(&byte);
        self.at += usize::from(found);
        found
    }

    fn expect(&mut self, byte: u8) -> Result<(), BadTime> {
        if self.eat(byte) {
            Ok(())
        } else {
            Err(BadTime::Format)
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn done(&self) -> bool {
        self.at == self.text.len()
    }
}

fn parse_date_time(text: &[u8]) -> Result<TimeMs, BadTime> {
    let mut c = Cursor { text, at: 0 };
    let year = c.digits(4)?;
    c.expect(b'-')?;
    let month = c.digits(2)?;
    c.expect(b'-')?;
    let day = c.digits(2)?;
    let year = i64::from(year);
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(BadTime::Range);
    }
    let mut ms = days_from_civil(year, month, day) * MS_PER_DAY;
    if c.done() {
        return Ok(ms);
    }
    if !(c.eat(b' ') || c.eat(b'T') || c.eat(b't')) {
        return Err(BadTime::Format);
    }
    let hour = c.digits(2)?;
    c.expect(b':')?;
    let minute = c.digits(2)?;
    let (mut second, mut millis) = (0, 0);
    if c.eat(b':') {
        second = c.digits(2)?;
        if c.eat(b'.') {
            millis = fraction_ms(&mut c)?;
        }
    }
    if hour > 23 || minute > 59 || second > 59 {
        return Err(BadTime::Range);
    }
    ms += i64::from(hour) * 3_600_000 + i64::from(minute) * 60_000 + i64::from(second) * 1_000 + millis;
    ms -= zone_offset_ms(&mut c)?;
    if c.done() {
        Ok(ms)
    } else {
        Err(BadTime::Format)
    }
}

/// The fractional-second digits after the point, as whole milliseconds (extra digits floored).
fn fraction_ms(c: &mut Cursor<'_>) -> Result<i64, BadTime> {
    let mut millis = 0_i64;
    let mut count = 0;
    while let Some(b @ b'0'..=b'9') = c.peek() {
        if count < 3 {
            millis = millis * 10 + i64::from(b - b'0');
        }
        count += 1;
        c.at += 1;
    }
    match count {
        0 => Err(BadTime::Format),
        // Nanoseconds are the finest any venue reports; more digits is not a time.
        10.. => Err(BadTime::Format),
        1 => Ok(millis * 100),
        2 => Ok(millis * 10),
        _ => Ok(millis),
    }
}

/// The zone suffix as an offset east of UTC in milliseconds; none means UTC.
fn zone_offset_ms(c: &mut Cursor<'_>) -> Result<i64, BadTime> {
    let sign = match c.peek() {
        None => return Ok(0),
        Some(b'Z' | b'z') => {
            c.at += 1;
            return Ok(0);
        }
        Some(b'+') => 1,
        Some(b'-') => -1,
        Some(_) => return Err(BadTime::Format),
    };
    c.at += 1;
    let hours = c.digits(2)?;
    c.expect(b':')?;
    let minutes = c.digits(2)?;
    if hours > 23 || minutes > 59 {
        return Err(BadTime::Range);
    }
    Ok(sign * (i64::from(hours) * 3_600_000 + i64::from(minutes) * 60_000))
}

/// Displays UTC milliseconds as `YYYY-MM-DD` at midnight, else `YYYY-MM-DD HH:MM:SS`, with
/// `.mmm` when the time has milliseconds. Allocates nothing until formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UtcTime(pub(crate) TimeMs);

impl fmt::Display for UtcTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(MS_PER_DAY);
        let of_day = self.0.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        write!(f, "{year:04}-{month:02}-{day:02}")?;
        if of_day != 0 {
            let (h, m, s) = (of_day / 3_600_000, of_day / 60_000 % 60, of_day / 1_000 % 60);
            write!(f, " {h:02}:{m:02}:{s:02}")?;
            if of_day % 1_000 != 0 {
                write!(f, ".{:03}", of_day % 1_000)?;
            }
        }
        Ok(())
    }
}

/// Displays UTC milliseconds as RFC 3339 in UTC: `YYYY-MM-DDTHH:MM:SSZ`, with `.mmm` before
/// the `Z` when the time has milliseconds. What the backtest's CSV files write, and what
/// [`parse_time_ms`] reads back to the same millisecond. Allocates nothing until formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rfc3339(pub TimeMs);

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(MS_PER_DAY);
        let of_day = self.0.rem_euclid(MS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        let (h, m, s) = (of_day / 3_600_000, of_day / 60_000 % 60, of_day / 1_000 % 60);
        write!(f, "{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}")?;
        if of_day % 1_000 != 0 {
            write!(f, ".{:03}", of_day % 1_000)?;
        }
        f.write_str("Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_texts_read_back_to_the_same_millisecond() {
        let day = 18_264 * MS_PER_DAY; // 2020-01-03
        for (ms, text) in [
            (day, "2020-01-03T00:00:00Z"),
            (day + 34_200_000, "2020-01-03T09:30:00Z"),
            (day + 34_200_250, "2020-01-03T09:30:00.250Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
        ] {
            assert_eq!(Rfc3339(ms).to_string(), text);
            assert_eq!(parse_time_ms(text.as_bytes()), Ok(ms), "{text}");
        }
    }

    #[test]
    fn civil_days_round_trip_over_five_centuries() {
        // Every day from 1800 to 2300, both ways, and consecutive days map to consecutive dates.
        let start = days_from_civil(1800, 1, 1);
        let end = days_from_civil(2300, 1, 1);
        let mut expected = (1800, 1, 1);
        for days in start..end {
            let civil = civil_from_days(days);
            assert_eq!(civil, expected, "day {days}");
            assert_eq!(days_from_civil(civil.0, civil.1, civil.2), days);
            let (y, m, d) = expected;
            expected = if d < days_in_month(y, m) {
                (y, m, d + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn known_dates() {
        for ((y, m, d), days) in [
            ((1970, 1, 1), 0),
            ((1969, 12, 31), -1),
            ((2000, 2, 29), 11_016),
            ((2020, 1, 3), 18_264),
            ((1600, 3, 1), -135_080),
        ] {
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
    }

    #[test]
    fn time_texts() {
        let day = 18_264 * MS_PER_DAY; // 2020-01-03
        let cases: &[(&str, Result<TimeMs, BadTime>)] = &[
            ("2020-01-03", Ok(day)),
            ("2020-01-03 09:30:00", Ok(day + 34_200_000)),
            ("2020-01-03T09:30:00", Ok(day + 34_200_000)),
            ("2020-01-03 09:30", Ok(day + 34_200_000)),
            ("2020-01-03T09:30:00.5", Ok(day + 34_200_500)),
            ("2020-01-03T09:30:00.123456789", Ok(day + 34_200_123)),
            ("2020-01-03T09:30:00Z", Ok(day + 34_200_000)),
            ("2020-01-03t09:30:00z", Ok(day + 34_200_000)),
            ("2020-01-03T09:30:00+01:00", Ok(day + 30_600_000)),
            ("2020-01-03T09:30:00.250-05:30", Ok(day + 34_200_250 + 19_800_000)),
            ("1578009600", Ok(1_578_009_600_000)),
            ("1578009600000", Ok(1_578_009_600_000)),
            ("99999999999", Ok(99_999_999_999_000)),
            ("100000000000", Ok(100_000_000_000)),
            ("0", Ok(0)),
            ("-86400", Ok(-MS_PER_DAY)),
            ("2020-02-30", Err(BadTime::Range)),
            ("2021-02-29", Err(BadTime::Range)),
            ("2020-13-01", Err(BadTime::Range)),
            ("2020-01-03 24:00:00", Err(BadTime::Range)),
            ("2020-01-03T09:30:00+24:00", Err(BadTime::Range)),
            ("2020-1-3", Err(BadTime::Format)),
            ("2020-01-03 9:30", Err(BadTime::Format)),
            ("2020-01-03T09:30:00.", Err(BadTime::Format)),
            ("2020-01-03T09:30:00+0100", Err(BadTime::Format)),
            ("2020-01-03T09:30:00 ", Err(BadTime::Format)),
            ("03/01/2020", Err(BadTime::Format)),
            ("1578009600.5", Err(BadTime::Format)),
            ("1234567890123456789", Err(BadTime::Format)),
            ("-", Err(BadTime::Format)),
            ("", Err(BadTime::Format)),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_time_ms(text.as_bytes()), *expected, "{text}");
        }
    }

    #[test]
    fn formats_times_for_messages() {
        let day = 18_264 * MS_PER_DAY;
        for (ms, text) in [
            (day, "2020-01-03"),
            (day + 34_200_000, "2020-01-03 09:30:00"),
            (day + 34_200_007, "2020-01-03 09:30:00.007"),
            (-1, "1969-12-31 23:59:59.999"),
        ] {
            assert_eq!(UtcTime(ms).to_string(), text);
        }
    }
}
