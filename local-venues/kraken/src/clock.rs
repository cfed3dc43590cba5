//! The exchange clock and the time formats Kraken prints.
//!
//! Market data and every timer that belongs to the exchange (the dead-man switch, the trading
//! rate counter's decay, token expiry) run on *exchange time*, so a test can play hours of bars
//! in seconds and fire a 60 s dead-man switch without waiting. Socket timers (heartbeats, the
//! zero-subscription close) are wall-clock: they are about the connection, not the market.
//!
//! Invariant: exchange time never goes backwards.

use std::time::{SystemTime, UNIX_EPOCH};

/// How the exchange clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Time moves only when told (`advance_to`, the bar player). Deterministic: for tests.
    Manual,
    /// Time follows the wall clock, and `advance_to` may still jump it ahead: for trading by hand.
    Wall,
}

/// Exchange time in milliseconds since the Unix epoch, plus a microsecond part so messages
/// stamped in one millisecond still print distinct, increasing times.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    now_ms: i64,
    mode: ClockMode,
}

impl Clock {
    pub(crate) fn new(mode: ClockMode, start_ms: i64) -> Self {
        Clock { now_ms: start_ms, mode }
    }

    pub(crate) fn now_ms(&self) -> i64 {
        self.now_ms
    }

    /// Moves the clock to `ms`; an earlier time is refused with the current time.
    pub(crate) fn advance_to(&mut self, ms: i64) -> Result<(), i64> {
        if ms < self.now_ms {
            return Err(self.now_ms);
        }
        self.now_ms = ms;
        Ok(())
    }

    /// In wall mode, catches up with the wall clock (never backwards).
    pub(crate) fn tick_wall(&mut self) {
        if self.mode == ClockMode::Wall {
            self.now_ms = self.now_ms.max(wall_ms());
        }
    }
}

/// Milliseconds since the Unix epoch by the wall clock.
pub fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Microseconds since the Unix epoch by the wall clock (for `time_in`/`time_out`).
pub(crate) fn wall_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or(0)
}

/// RFC 3339 with microseconds and `Z`, as Kraken prints every time: `2023-07-30T15:29:58.343415Z`.
pub fn rfc3339_us(us: i64) -> String {
    let secs = us.div_euclid(1_000_000);
    let micros = us.rem_euclid(1_000_000);
    let (y, mo, d, h, mi, s) = civil(secs);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{micros:06}Z")
}

/// [`rfc3339_us`] of a millisecond time.
pub fn rfc3339_ms(ms: i64) -> String {
    rfc3339_us(ms * 1000)
}

/// RFC 1123 as REST `Time` prints it: `Sun, 30 Jul 23 15:29:58 +0000`.
pub(crate) fn rfc1123(secs: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (y, mo, d, h, mi, s) = civil(secs);
    let weekday = DAYS[secs.div_euclid(86_400).rem_euclid(7) as usize];
    format!(
        "{weekday}, {d:02} {} {:02} {h:02}:{mi:02}:{s:02} +0000",
        MONTHS[(mo - 1) as usize],
        y % 100
    )
}

/// Parses `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS]` or the same with `T` (read as UTC) into ms.
pub fn parse_utc_ms(text: &str) -> Option<i64> {
    let text = text.trim().trim_end_matches('Z');
    let (date, time) = match text.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let y: i64 = parts.next()?.parse().ok()?;
    let mo: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&mo) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, mo, d) * 86_400;
    if let Some(time) = time {
        let mut hms = time.split(':');
        let h: i64 = hms.next()?.parse().ok()?;
        let m: i64 = hms.next()?.parse().ok()?;
        let s: i64 = match hms.next() {
            Some(s) => s.split('.').next()?.parse().ok()?,
            None => 0,
        };
        if h > 23 || m > 59 || s > 60 {
            return None;
        }
        secs += h * 3600 + m * 60 + s;
    }
    Some(secs * 1000)
}

/// (year, month, day, hour, minute, second) of Unix seconds, proleptic Gregorian, UTC.
fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (rem / 3600) as u32,
        (rem % 3600 / 60) as u32,
        (rem % 60) as u32,
    )
}

fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_utc() {
        let ms = parse_utc_ms("2023-07-30 15:29:58").unwrap();
        assert_eq!(rfc3339_ms(ms), "2023-07-30T15:29:58.000000Z");
        assert_eq!(rfc3339_us(ms * 1000 + 343_415), "2023-07-30T15:29:58.343415Z");
        assert_eq!(parse_utc_ms("1970-01-01"), Some(0));
        assert_eq!(parse_utc_ms("2020-02-29T00:00:01"), Some(1_582_934_401_000));
        assert_eq!(rfc1123(1_690_730_998), "Sun, 30 Jul 23 15:29:58 +0000");
        assert_eq!(parse_utc_ms("2020-13-01"), None);
    }

    #[test]
    fn manual_clock_never_goes_back() {
        let mut clock = Clock::new(ClockMode::Manual, 1_000);
        assert_eq!(clock.advance_to(500), Err(1_000));
        assert!(clock.advance_to(2_000).is_ok());
        clock.tick_wall();
        assert_eq!(clock.now_ms(), 2_000);
    }
}
