//! Bars from CSV files, and back.
//!
//! The accepted format is documented on [`read_candles_csv`].
//!
//! Every mistake is a [`CsvError`] naming the file, the 1-based line and the column. Parsing
//! reuses one record buffer and reads numbers and times straight from its bytes: nothing is
//! allocated per row beyond the growing `Vec` of candles.

mod columns;
mod error;
mod number;
mod read;
mod records;
mod write;

#[cfg(test)]
mod tests;

pub use error::CsvError;
pub use read::{parse_candles_csv, read_candles_csv};
pub use write::write_candles_csv;
