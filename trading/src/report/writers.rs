//! CSV writers for round trips and the equity curve. Same input, same bytes.

use std::io::Write;

use crate::ledger::RoundTrip;
use crate::report::EquityPoint;

/// Writes one row per round trip, with a header.
///
/// # Errors
///
/// The writer's I/O error, as a [`csv::Error`].
pub fn write_trades_csv<W: Write>(writer: W, trades: &[RoundTrip]) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record([
        "strategy",
        "symbol",
        "side",
        "qty",
        "entry_time_ms",
        "exit_time_ms",
        "avg_entry_price",
        "avg_exit_price",
        "fees",
        "pnl",
    ])?;
    for t in trades {
        csv.write_record([
            t.strategy.as_str(),
            t.symbol.as_str(),
            t.side.as_str(),
            &t.qty.to_string(),
            &t.entry_ms.to_string(),
            &t.exit_ms.to_string(),
            &t.avg_entry_price.to_string(),
            &t.avg_exit_price.to_string(),
            &t.fees.to_string(),
            &t.pnl.to_string(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// Writes `time_ms,equity`, one row per sample, with a header.
///
/// # Errors
///
/// The writer's I/O error, as a [`csv::Error`].
pub fn write_equity_csv<W: Write>(writer: W, curve: &[EquityPoint]) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(["time_ms", "equity"])?;
    for point in curve {
        csv.write_record([point.time_ms.to_string(), point.equity.to_string()])?;
    }
    csv.flush()?;
    Ok(())
}
