//! Why a bar file could not be read: one variant per mistake, each message naming the file,
//! the 1-based line, the column and what was expected.

use std::fmt;

use rust_decimal::Decimal;

use crate::market::calendar::UtcTime;
use crate::market::{TimeMs, Timeframe};

/// A bar file that cannot be turned into candles. Messages read `file:line: what is wrong`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CsvError {
    #[error("{file}: cannot read the file: {error}")]
    Io {
        file: String,
        #[source]
        error: std::io::Error,
    },

    #[error(
        "{file}: the file is empty: expected a header line naming the columns, like `time,open,high,low,close,volume`"
    )]
    Empty { file: String },

    #[error("{file}: the header is there but no rows of bars follow it")]
    NoRows { file: String },

    #[error("{file}:{line}: missing column `{column}` (header has: {header})")]
    MissingColumn {
        file: String,
        line: u64,
        column: &'static str,
        header: String,
    },

    #[error("{file}:{line}: columns `{first}` and `{second}` both name the `{column}` column: keep one")]
    AmbiguousColumn {
        file: String,
        line: u64,
        column: &'static str,
        first: String,
        second: String,
    },

    #[error("{file}:{line}: column `{column}` is missing: the row has {fields} fields")]
    ShortRow {
        file: String,
        line: u64,
        column: String,
        fields: usize,
    },

    #[error("{file}:{line}: column `{column}`: expected {expected}, got {got:?}")]
    Field {
        file: String,
        line: u64,
        column: String,
        expected: &'static str,
        got: String,
    },

    /// One price of a bar lies outside its range: `upper` should be ≥ `lower`.
    #[error(
        "{file}:{line}: {upper} {upper_value} is below {lower} {lower_value}: \
         expected low <= open, close <= high"
    )]
    InconsistentBar {
        file: String,
        line: u64,
        upper: &'static str,
        upper_value: Decimal,
        lower: &'static str,
        lower_value: Decimal,
    },

    #[error(
        "{file}:{line}: time {} is not after the previous row's {} (line {prev_line}): \
         rows must be in ascending time order",
        UtcTime(*time), UtcTime(*prev_time)
    )]
    NotAscending {
        file: String,
        line: u64,
        time: TimeMs,
        prev_time: TimeMs,
        prev_line: u64,
    },

    #[error(
        "{file}:{line}: time {} is only {} after the previous row's {}: bars of {timeframe} would overlap",
        UtcTime(*time), Gap(*time - *prev_time), UtcTime(*prev_time)
    )]
    Overlapping {
        file: String,
        line: u64,
        time: TimeMs,
        prev_time: TimeMs,
        timeframe: Timeframe,
    },

    #[error("{file}: cannot infer the timeframe from a single row: give the timeframe explicitly")]
    TimeframeUnknown { file: String },

    #[error(
        "{file}:{line}: the smallest gap between two rows is {} ms, not a whole number of seconds: \
         give the timeframe explicitly",
        gap_ms
    )]
    UnsupportedTimeframe { file: String, line: u64, gap_ms: i64 },

    #[error("{file}:{line}: not valid CSV: {message}")]
    Malformed { file: String, line: u64, message: String },
}

/// A duration between two rows, in the largest unit that divides it evenly.
struct Gap(i64);

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match Timeframe::from_ms(self.0) {
            Some(tf) => write!(f, "{tf}"),
            None => write!(f, "{} ms", self.0),
        }
    }
}

/// At most this many characters of a bad field are quoted back in a message.
const MAX_QUOTED_CHARS: usize = 40;

/// The field text for a message: lossy UTF-8, cut at [`MAX_QUOTED_CHARS`] with an ellipsis.
pub(super) fn quote_field(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    match text.char_indices().nth(MAX_QUOTED_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.into_owned(),
    }
}
