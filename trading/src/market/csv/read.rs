//! The row loop: CSV records in, validated candles out.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use csv::ByteRecord;
use rust_decimal::Decimal;

use super::columns::{Columns, Role};
use super::error::{quote_field, CsvError};
use super::number::{parse_decimal, DECIMAL_TEXT};
use super::records::Records;
use crate::market::calendar::parse_time_ms;
use crate::market::{Candle, Symbol, TimeMs, Timeframe};

/// Reads the bars of one symbol from a CSV file.
///
/// # Format
///
/// - **Header.** The first line names the columns, in any order and any case; spaces, `_` and
///   `-` in names are ignored. Accepted names: time `time`, `date`, `timestamp`, `datetime`,
///   `open_time`; `open`/`o`, `high`/`h`, `low`/`l`, `close`/`c`; `volume`/`vol`/`v`. Other
///   columns (an index, `adj close`) are ignored. Volume is optional: bars without it get zero.
/// - **Times** (UTC ms): `YYYY-MM-DD`, `YYYY-MM-DD HH:MM[:SS[.fff]]` (space or `T`; digits
///   past the millisecond are dropped), the same with `Z` or `±HH:MM` (RFC 3339), or an
///   integer since the Unix epoch, read as **seconds when below 10^11 and milliseconds from
///   10^11 on** (10^11 s is in the year 5138; 10^11 ms is 1973-03-03, so only millisecond
///   times before that date are misread). Times without a zone are UTC. Rows must be in
///   strictly ascending time.
/// - **Numbers** are exact decimals (`12.5`, `-3`, `1.5e-05`), up to 28 decimals; `NaN`, `inf`
///   and `12,5` are refused. Prices must be above zero and volumes not negative, with
///   low ≤ open, close ≤ high.
/// - **Timeframe.** When the caller gives none, it is the **smallest positive gap between two
///   consecutive rows**, so missing bars (weekends, overnight, halts) do not widen it; it must
///   be a whole number of seconds, and it takes at least two rows. A given timeframe must not
///   be longer than any gap (bars would overlap).
/// - Blank lines, a UTF-8 byte order mark, quoted fields and CRLF line ends are fine; the
///   delimiter is a comma.
///
/// # Errors
///
/// [`CsvError`] when the file cannot be read or any row is not a valid bar; the message names
/// the file, the line and the column.
pub fn read_candles_csv(path: &Path, symbol: &Symbol, timeframe: Option<Timeframe>) -> Result<Vec<Candle>, CsvError> {
    let file_name = path.display().to_string();
    let file = File::open(path).map_err(|error| CsvError::Io {
        file: file_name.clone(),
        error,
    })?;
    parse_candles_csv(file, &file_name, symbol, timeframe)
}

/// Parses the bars of one symbol from CSV text; `source` names the text in error messages.
/// The format is the one [`read_candles_csv`] reads.
///
/// # Errors
///
/// [`CsvError`] when the reader fails or any row is not a valid bar.
pub fn parse_candles_csv<R: Read>(
    reader: R,
    source: &str,
    symbol: &Symbol,
    timeframe: Option<Timeframe>,
) -> Result<Vec<Candle>, CsvError> {
    let mut records = Records::new(reader, source);
    let mut record = ByteRecord::new();
    let Some(header_line) = records.next(&mut record)? else {
        return Err(CsvError::Empty {
            file: source.to_owned(),
        });
    };
    let columns = Columns::locate(&record, source, header_line)?;

    // Until the timeframe is inferred (after the last row), bars carry a stand-in.
    let stand_in = timeframe.unwrap_or(Timeframe::SECOND);
    let mut candles = Vec::new();
    let mut previous: Option<(TimeMs, u64)> = None;
    let mut smallest_gap: Option<(i64, u64)> = None;
    while let Some(line) = records.next(&mut record)? {
        let row = Row {
            record: &record,
            columns: &columns,
            file: source,
            line,
        };
        let bar = row.bar()?;
        if let Some((prev_time, prev_line)) = previous {
            let gap = check_order(&row, bar.time, prev_time, prev_line, timeframe)?;
            if smallest_gap.is_none_or(|(smallest, _)| gap < smallest) {
                smallest_gap = Some((gap, row.line));
            }
        }
        previous = Some((bar.time, row.line));
        candles.push(Candle {
            symbol: symbol.clone(),
            timeframe: stand_in,
            open_time_ms: bar.time,
            open: bar.open,
            high: bar.high,
            low: bar.low,
            close: bar.close,
            volume: bar.volume,
        });
    }
    if candles.is_empty() {
        return Err(CsvError::NoRows {
            file: source.to_owned(),
        });
    }
    if timeframe.is_none() {
        let inferred = infer_timeframe(source, smallest_gap)?;
        for candle in &mut candles {
            candle.timeframe = inferred;
        }
    }
    Ok(candles)
}

/// The timeframe of rows whose smallest positive gap is `smallest_gap`: that gap itself, so
/// that missing bars (weekends, halts, overnight) do not widen it.
fn infer_timeframe(file: &str, smallest_gap: Option<(i64, u64)>) -> Result<Timeframe, CsvError> {
    let (gap_ms, line) = smallest_gap.ok_or_else(|| CsvError::TimeframeUnknown { file: file.to_owned() })?;
    Timeframe::from_ms(gap_ms).ok_or_else(|| CsvError::UnsupportedTimeframe {
        file: file.to_owned(),
        line,
        gap_ms,
    })
}

/// Checks a row's time against the previous row's, and returns the gap between them.
fn check_order(
    row: &Row<'_>,
    time: TimeMs,
    prev_time: TimeMs,
    prev_line: u64,
    timeframe: Option<Timeframe>,
) -> Result<i64, CsvError> {
    if time <= prev_time {
        return Err(CsvError::NotAscending {
            file: row.file.to_owned(),
            line: row.line,
            time,
            prev_time,
            prev_line,
        });
    }
    let gap = time - prev_time;
    match timeframe {
        Some(timeframe) if gap < timeframe.as_ms() => Err(CsvError::Overlapping {
            file: row.file.to_owned(),
            line: row.line,
            time,
            prev_time,
            timeframe,
        }),
        _ => Ok(gap),
    }
}

/// The values of one row, before they become a [`Candle`].
struct Bar {
    time: TimeMs,
    open: Decimal,
    high: Decimal,
    low: Decimal,
    close: Decimal,
    volume: Decimal,
}

/// One data row, with what its error messages need to say where it is.
struct Row<'a> {
    record: &'a ByteRecord,
    columns: &'a Columns,
    file: &'a str,
    line: u64,
}

impl Row<'_> {
    fn bar(&self) -> Result<Bar, CsvError> {
        let c = self.columns;
        let time = self.time(c.time)?;
        let open = self.price(c.open)?;
        let high = self.price(c.high)?;
        let low = self.price(c.low)?;
        let close = self.price(c.close)?;
        let volume = match c.volume {
            Some(index) => self.volume(index)?,
            None => Decimal::ZERO,
        };
        // Each pair is (should be ≥, should be ≤); together they say low ≤ open, close ≤ high.
        let ordered = [
            (Role::High, high, Role::Low, low),
            (Role::High, high, Role::Open, open),
            (Role::High, high, Role::Close, close),
            (Role::Open, open, Role::Low, low),
            (Role::Close, close, Role::Low, low),
        ];
        for (upper, upper_value, lower, lower_value) in ordered {
            if is_below(upper_value, lower_value) {
                return Err(CsvError::InconsistentBar {
                    file: self.file.to_owned(),
                    line: self.line,
                    upper: upper.name(),
                    upper_value,
                    lower: lower.name(),
                    lower_value,
                });
            }
        }
        Ok(Bar {
            time,
            open,
            high,
            low,
            close,
            volume,
        })
    }

    /// The trimmed bytes of column `index`.
    fn field(&self, index: usize) -> Result<&[u8], CsvError> {
        match self.record.get(index) {
            Some(bytes) => Ok(bytes.trim_ascii()),
            None => Err(CsvError::ShortRow {
                file: self.file.to_owned(),
                line: self.line,
                column: self.columns.name(index).to_owned(),
                fields: self.record.len(),
            }),
        }
    }

    fn time(&self, index: usize) -> Result<TimeMs, CsvError> {
        let text = self.field(index)?;
        parse_time_ms(text).map_err(|bad| self.bad_field(index, bad.expected(), text))
    }

    fn price(&self, index: usize) -> Result<Decimal, CsvError> {
        let text = self.field(index)?;
        match parse_decimal(text) {
            Some(price) if price.is_sign_positive() && !price.is_zero() => Ok(price),
            Some(_) => Err(self.bad_field(index, "a price above zero", text)),
            None => Err(self.bad_field(index, DECIMAL_TEXT, text)),
        }
    }

    fn volume(&self, index: usize) -> Result<Decimal, CsvError> {
        let text = self.field(index)?;
        match parse_decimal(text) {
            Some(volume) if volume.is_sign_positive() || volume.is_zero() => Ok(volume),
            Some(_) => Err(self.bad_field(index, "a volume of zero or more", text)),
            None => Err(self.bad_field(index, DECIMAL_TEXT, text)),
        }
    }

    fn bad_field(&self, index: usize, expected: &'static str, got: &[u8]) -> CsvError {
        CsvError::Field {
            file: self.file.to_owned(),
            line: self.line,
            column: self.columns.name(index).to_owned(),
            expected,
            got: quote_field(got),
        }
    }
}

/// `a < b`, comparing mantissas directly when the scales agree (the common case within one
/// file), which is several times cheaper than `Decimal`'s general comparison.
fn is_below(a: Decimal, b: Decimal) -> bool {
    if a.scale() == b.scale() {
        a.mantissa() < b.mantissa()
    } else {
        a < b
    }
}
