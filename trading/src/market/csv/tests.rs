//! Table-driven tests of the CSV bar reader: layouts, time formats, every error kind, the
//! shipped data files, and garbage input that must not panic.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;

use super::{parse_candles_csv, read_candles_csv, CsvError};
use crate::market::{Candle, Symbol, Timeframe};

fn symbol() -> Symbol {
    Symbol::new("BTC/USD").unwrap()
}

fn parse(text: &str, timeframe: Option<Timeframe>) -> Result<Vec<Candle>, CsvError> {
    parse_candles_csv(text.as_bytes(), "x.csv", &symbol(), timeframe)
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[test]
fn time_formats() {
    const DAY: i64 = 1_578_009_600_000; // 2020-01-03T00:00:00Z
    let cases = [
        ("2020-01-03", DAY),
        ("2020-01-03 09:30:00", DAY + 34_200_000),
        ("2020-01-03T09:30:00", DAY + 34_200_000),
        ("2020-01-03 09:30", DAY + 34_200_000),
        ("2020-01-03T09:30:00.125", DAY + 34_200_125),
        ("2020-01-03 09:30:00.123456", DAY + 34_200_123),
        ("2020-01-03T09:30:00Z", DAY + 34_200_000),
        ("2020-01-03T09:30:00.5Z", DAY + 34_200_500),
        ("2020-01-03T10:30:00+01:00", DAY + 34_200_000),
        ("2020-01-03T04:00:00-05:30", DAY + 34_200_000),
        ("1578009600", DAY),
        ("1578009600000", DAY),
        ("99999999999", 99_999_999_999_000),
        ("100000000000", 100_000_000_000),
    ];
    for (time, expected_ms) in cases {
        let text = format!("time,open,high,low,close\n{time},1,1,1,1\n");
        let bars = parse(&text, Some(Timeframe::SECOND)).unwrap_or_else(|e| panic!("{time}: {e}"));
        assert_eq!(bars[0].open_time_ms, expected_ms, "{time}");
    }
}

#[test]
fn layouts() {
    let expected = |volume: &str| Candle {
        symbol: symbol(),
        timeframe: Timeframe::DAY,
        open_time_ms: 1_578_009_600_000,
        open: dec("10.5"),
        high: dec("12"),
        low: dec("10"),
        close: dec("11.25"),
        volume: dec(volume),
    };
    let cases = [
        (
            "plain",
            "time,open,high,low,close,volume\n2020-01-03,10.5,12,10,11.25,7\n",
            "7",
        ),
        (
            "index and capitals",
            "index,Date,Open,High,Low,Close,Volume\n1,2020-01-03,10.5,12,10,11.25,7\n",
            "7",
        ),
        (
            "short names",
            "timestamp,o,h,l,c,v\n1578009600000,10.5,12,10,11.25,7\n",
            "7",
        ),
        (
            "spaced names",
            "Open Time,OPEN,HIGH,LOW,CLOSE,Vol\n1578009600,10.5,12,10,11.25,7\n",
            "7",
        ),
        (
            "datetime, shuffled",
            "close,volume,low,datetime,high,open\n11.25,7,10,2020-01-03,12,10.5\n",
            "7",
        ),
        (
            "no volume",
            "open_time,open,high,low,close\n2020-01-03,10.5,12,10,11.25\n",
            "0",
        ),
        (
            "adj close ignored",
            "date,open,high,low,close,adj close,volume\n2020-01-03,10.5,12,10,11.25,99,7\n",
            "7",
        ),
        (
            "byte order mark",
            "\u{feff}date,open,high,low,close,volume\n2020-01-03,10.5,12,10,11.25,7\n",
            "7",
        ),
        (
            "CRLF",
            "date,open,high,low,close,volume\r\n2020-01-03,10.5,12,10,11.25,7\r\n",
            "7",
        ),
        (
            "spaces and quotes",
            " date , open ,high,low,close,volume\n\"2020-01-03\", 10.5 ,12,10,\"11.25\",7\n",
            "7",
        ),
        (
            "no final newline",
            "date,open,high,low,close,volume\n2020-01-03,10.5,12,10,11.25,7",
            "7",
        ),
        (
            "scientific volume",
            "date,open,high,low,close,volume\n2020-01-03,10.5,12,10,11.25,7e0\n",
            "7",
        ),
    ];
    for (name, text, volume) in cases {
        let bars = parse(text, Some(Timeframe::DAY)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(bars, vec![expected(volume)], "{name}");
    }
}

#[test]
fn timeframe_is_the_smallest_gap() {
    let cases = [
        ("two minutes apart", "2020-01-03 09:30:00\n2020-01-03 09:32:00\n", "2m"),
        (
            "gaps ignored",
            "2020-01-03 09:30:00\n2020-01-03 09:35:00\n2020-01-03 09:36:00\n2020-01-04 09:30:00\n",
            "1m",
        ),
        ("weekend", "2020-01-03\n2020-01-06\n2020-01-07\n", "1d"),
        ("epoch seconds", "1578009600\n1578009605\n", "5s"),
    ];
    for (name, times, expected) in cases {
        let rows: String = times.lines().map(|t| format!("{t},1,1,1,1\n")).collect();
        let bars = parse(&format!("time,open,high,low,close\n{rows}"), None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            bars.iter().all(|b| b.timeframe.to_string() == expected),
            "{name}: {:?}",
            bars[0].timeframe
        );
    }
}

#[test]
fn errors_name_file_line_column_and_expectation() {
    const HEADER: &str = "index,date,open,high,low,close,volume\n";
    let with_rows = |rows: &str| format!("{HEADER}{rows}");
    let day = Some(Timeframe::DAY);
    let cases: Vec<(&str, String, Option<Timeframe>, &str)> = vec![
        ("empty", String::new(), day, "x.csv: the file is empty: expected a header line naming the columns, like `time,open,high,low,close,volume`"),
        ("blank lines only", "\n\n\r\n".into(), day, "x.csv: the file is empty: expected a header line naming the columns, like `time,open,high,low,close,volume`"),
        ("header only", HEADER.into(), day, "x.csv: the header is there but no rows of bars follow it"),
        ("missing column", "index,date,open,high,low\n1,2020-01-03,1,1,1\n".into(), day, "x.csv:1: missing column `close` (header has: index, date, open, high, low)"),
        ("no time column", "when,open,high,low,close\n".into(), day, "x.csv:1: missing column `time` (header has: when, open, high, low, close)"),
        ("two time columns", "date,time,open,high,low,close\n".into(), day, "x.csv:1: columns `date` and `time` both name the `time` column: keep one"),
        ("short row", with_rows("1,2020-01-03,1,1,1\n"), day, "x.csv:2: column `close` is missing: the row has 5 fields"),
        ("decimal comma", with_rows("1,2020-01-03,12,13,11,\"12,5\",1\n"), day, "x.csv:2: column `close`: expected a decimal number, got \"12,5\""),
        ("NaN", with_rows("1,2020-01-03,NaN,13,11,12,1\n"), day, "x.csv:2: column `open`: expected a decimal number, got \"NaN\""),
        ("infinity", with_rows("1,2020-01-03,12,inf,11,12,1\n"), day, "x.csv:2: column `high`: expected a decimal number, got \"inf\""),
        ("empty price", with_rows("1,2020-01-03,12,13,,12,1\n"), day, "x.csv:2: column `low`: expected a decimal number, got \"\""),
        ("garbage volume", with_rows("1,2020-01-03,12,13,11,12,lots\n"), day, "x.csv:2: column `volume`: expected a decimal number, got \"lots\""),
        ("zero price", with_rows("1,2020-01-03,0,13,0,12,1\n"), day, "x.csv:2: column `open`: expected a price above zero, got \"0\""),
        ("negative price", with_rows("1,2020-01-03,12,13,-1,12,1\n"), day, "x.csv:2: column `low`: expected a price above zero, got \"-1\""),
        ("negative volume", with_rows("1,2020-01-03,12,13,11,12,-5\n"), day, "x.csv:2: column `volume`: expected a volume of zero or more, got \"-5\""),
        ("bad time", with_rows("1,03/01/2020,12,13,11,12,1\n"), day, "x.csv:2: column `date`: expected a time like 2020-01-03, 2020-01-03 09:30:00, 2020-01-03T09:30:00Z or epoch seconds or milliseconds, got \"03/01/2020\""),
        ("impossible date", with_rows("1,2020-02-30,12,13,11,12,1\n"), day, "x.csv:2: column `date`: expected a real calendar date and time of day (month 1-12, a day the month has, hour 0-23), got \"2020-02-30\""),
        ("high below close", with_rows("1,2020-01-03,12,13,11,14,1\n"), day, "x.csv:2: high 13 is below close 14: expected low <= open, close <= high"),
        ("high below low", with_rows("1,2020-01-03,12,10,11,12,1\n"), day, "x.csv:2: high 10 is below low 11: expected low <= open, close <= high"),
        ("low above open", with_rows("1,2020-01-03,12,13,12.5,13,1\n"), day, "x.csv:2: open 12 is below low 12.5: expected low <= open, close <= high"),
        ("unsorted", with_rows("1,2020-01-02,1,1,1,1,1\n2,2020-01-04,1,1,1,1,1\n3,2020-01-03,1,1,1,1,1\n"), day, "x.csv:4: time 2020-01-03 is not after the previous row's 2020-01-04 (line 3): rows must be in ascending time order"),
        ("duplicate", with_rows("1,2020-01-03 09:30:00,1,1,1,1,1\n2,2020-01-03 09:30:00,1,1,1,1,1\n"), None, "x.csv:3: time 2020-01-03 09:30:00 is not after the previous row's 2020-01-03 09:30:00 (line 2): rows must be in ascending time order"),
        ("overlapping bars", with_rows("1,2020-01-03 09:30:00,1,1,1,1,1\n2,2020-01-03 09:31:00,1,1,1,1,1\n"), day, "x.csv:3: time 2020-01-03 09:31:00 is only 1m after the previous row's 2020-01-03 09:30:00: bars of 1d would overlap"),
        ("one row, no timeframe", with_rows("1,2020-01-03,1,1,1,1,1\n"), None, "x.csv: cannot infer the timeframe from a single row: give the timeframe explicitly"),
        ("sub-second gap", with_rows("1,1578009600000,1,1,1,1,1\n2,1578009601500,1,1,1,1,1\n3,1578009602000,1,1,1,1,1\n"), None, "x.csv:4: the smallest gap between two rows is 500 ms, not a whole number of seconds: give the timeframe explicitly"),
        ("line counts quoted newlines", "date,open,high,low,close,note\n2020-01-03,1,1,1,1,\"two\nlines\"\n2020-01-04,1,x,1,1,\n".into(), day, "x.csv:4: column `high`: expected a decimal number, got \"x\""),
        ("lines count blank lines", "date,open,high,low,close\n\n2020-01-03,1,1,1,1\n\n\n2020-01-06,1,x,1,1\n".into(), day, "x.csv:6: column `high`: expected a decimal number, got \"x\""),
        ("lines in a CRLF file", "date,open,high,low,close\r\n2020-01-03,1,1,1,1\r\n\r\n2020-01-06,1,x,1,1\r\n".into(), day, "x.csv:4: column `high`: expected a decimal number, got \"x\""),
        ("last line without a newline", "date,open,high,low,close\n2020-01-03,1,1,1,1\n2020-01-06,1,x,1,1".into(), day, "x.csv:3: column `high`: expected a decimal number, got \"x\""),
        ("last CRLF line without a newline", "date,open,high,low,close\r\n2020-01-03,1,1,1,1\r\n2020-01-06,1,x,1,1\r".into(), day, "x.csv:3: column `high`: expected a decimal number, got \"x\""),
        ("header after blank lines", "\n \n\r\nindex,date,open\n".into(), day, "x.csv:4: missing column `high` (header has: index, date, open)"),
        ("long garbage is cut", with_rows(&format!("1,2020-01-03,{},1,1,1,1\n", "9".repeat(60))), day, "x.csv:2: column `open`: expected a decimal number, got \"9999999999999999999999999999999999999999…\""),
    ];
    for (name, text, timeframe, expected) in cases {
        match parse(&text, timeframe) {
            Ok(bars) => panic!("{name}: expected an error, got {} bars", bars.len()),
            Err(err) => assert_eq!(err.to_string(), expected, "{name}"),
        }
    }
}

#[test]
fn io_errors_name_the_file() {
    let missing = Path::new("/nonexistent/bars.csv");
    let err = read_candles_csv(missing, &symbol(), None).unwrap_err();
    assert!(matches!(err, CsvError::Io { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("/nonexistent/bars.csv: cannot read the file: "),
        "{err}"
    );

    /// Yields its text, then fails.
    struct Failing(&'static [u8]);
    impl Read for Failing {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::other("disk on fire"));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let err = parse_candles_csv(
        Failing(b"date,open,high,low,close\n2020-01-03,1,1,1,1\n"),
        "x.csv",
        &symbol(),
        None,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "x.csv: cannot read the file: disk on fire");
}

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data").join(name)
}

#[test]
fn shipped_data_files_parse() {
    let cases = [
        ("Bitcoin.csv", 1_246, "1d", "2017-08-16"),
        ("Intraday.csv", 1_564, "1m", "2020-12-15"),
        ("Default.csv", 502, "1d", "2017-01-03"),
    ];
    for (name, rows, timeframe, first_day) in cases {
        let bars = read_candles_csv(&shipped(name), &symbol(), None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(bars.len(), rows, "{name}");
        assert_eq!(bars[0].timeframe.to_string(), timeframe, "{name}");
        let first = crate::market::calendar::UtcTime(bars[0].open_time_ms).to_string();
        assert!(first.starts_with(first_day), "{name}: first bar at {first}");
    }
    // Bitcoin trades every day: the file has no missing day.
    let btc = read_candles_csv(&shipped("Bitcoin.csv"), &symbol(), None).unwrap();
    assert!(btc
        .windows(2)
        .all(|w| w[1].open_time_ms - w[0].open_time_ms == 86_400_000));
    assert_eq!((btc[0].open, btc[0].volume), (dec("4261.48"), dec("795.150377")));
}

/// A tiny deterministic generator for the garbage below (xorshift64).
struct Garbage(u64);

impl Garbage {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn garbage_never_panics() {
    let valid = std::fs::read(shipped("Intraday.csv")).unwrap();
    let sample = &valid[..2_000];
    let mut rng = Garbage(0x5EED);
    let try_parse = |bytes: &[u8]| {
        let _ = parse_candles_csv(bytes, "fuzz.csv", &symbol(), None);
        let _ = parse_candles_csv(bytes, "fuzz.csv", &symbol(), Some(Timeframe::MINUTE));
    };
    // Every truncation of a valid file.
    for end in 0..sample.len() {
        try_parse(&sample[..end]);
    }
    // Valid files with bytes overwritten by bytes that matter to the parsers.
    const INTERESTING: &[u8] = b"0123456789.-+eE:TZ ,\"\n\r\xff\x00";
    for _ in 0..3_000 {
        let mut bytes = sample.to_vec();
        for _ in 0..1 + rng.next() % 8 {
            let at = (rng.next() as usize) % bytes.len();
            bytes[at] = INTERESTING[(rng.next() as usize) % INTERESTING.len()];
        }
        try_parse(&bytes);
    }
    // Pure noise, with and without a valid header.
    for _ in 0..1_000 {
        let len = (rng.next() % 300) as usize;
        let noise: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        try_parse(&noise);
        try_parse(&[b"time,open,high,low,close,volume\n".as_slice(), &noise].concat());
    }
}
