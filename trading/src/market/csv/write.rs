//! Writing bars back out in the simplest layout the reader accepts.

use std::borrow::Borrow;
use std::io::{self, BufWriter, Write};

use crate::market::Candle;

/// Writes `candles` as CSV: the header `time,open,high,low,close,volume`, then one row per bar
/// with the open time in epoch milliseconds and the decimals as written by [`Decimal`]'s
/// `Display` (exact, never in exponent form). The symbol and timeframe are not written.
///
/// Times before 1973-03-03 (below 10^11 ms) read back as epoch seconds: see the reader's rule.
///
/// [`Decimal`]: rust_decimal::Decimal
///
/// # Errors
///
/// Any error of the writer.
pub fn write_candles_csv<W, C>(writer: W, candles: impl IntoIterator<Item = C>) -> io::Result<()>
where
    W: Write,
    C: Borrow<Candle>,
{
    let mut out = BufWriter::with_capacity(1 << 16, writer);
    out.write_all(b"time,open,high,low,close,volume\n")?;
    for candle in candles {
        let c = candle.borrow();
        writeln!(
            out,
            "{},{},{},{},{},{}",
            c.open_time_ms, c.open, c.high, c.low, c.close, c.volume
        )?;
    }
    out.flush()
}
