//! CSV writers for round trips and the equity curve. Same input, same bytes. Times are RFC 3339
//! in UTC ([`Rfc3339`]).

use std::io::Write;

use crate::ledger::{OpenTrip, RoundTrip};
use crate::market::Rfc3339;
use crate::report::EquityPoint;

/// Writes one row per round trip, with a header: the closed ones (`status` `closed`), then the
/// ones still open (`open`: no `exit_time`, an `avg_exit_price` only for a part already
/// closed, and a `pnl` marked at the last price). A fill's time is the instant it traded as
/// the data shows it: a bar's open for a fill on a bar (a daily fill reads as its own day).
///
/// # Errors
///
/// The writer's I/O error, as a [`csv::Error`].
pub fn write_trades_csv<W: Write>(writer: W, trades: &[RoundTrip], open: &[OpenTrip]) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record([
        "strategy",
        "symbol",
        "side",
        "status",
        "qty",
        "entry_time",
        "exit_time",
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
            "closed",
            &t.qty.to_string(),
            &Rfc3339(t.entry_ms).to_string(),
            &Rfc3339(t.exit_ms).to_string(),
            &t.avg_entry_price.to_string(),
            &t.avg_exit_price.to_string(),
            &t.fees.to_string(),
            &t.pnl.to_string(),
        ])?;
    }
    for t in open {
        csv.write_record([
            t.strategy.as_str(),
            t.symbol.as_str(),
            t.side.as_str(),
            "open",
            &t.qty.to_string(),
            &Rfc3339(t.entry_ms).to_string(),
            "",
            &t.avg_entry_price.to_string(),
            &t.avg_exit_price.map(|p| p.to_string()).unwrap_or_default(),
            &t.fees.to_string(),
            &t.pnl.to_string(),
        ])?;
    }
    csv.flush()?;
    Ok(())
}

/// Writes `time,equity`, one row per sample, with a header; `time` is the instant of the
/// sampled bar's close (a daily bar's close is the next day's 00:00:00Z).
///
/// # Errors
///
/// The writer's I/O error, as a [`csv::Error`].
pub fn write_equity_csv<W: Write>(writer: W, curve: &[EquityPoint]) -> Result<(), csv::Error> {
    let mut csv = csv::Writer::from_writer(writer);
    csv.write_record(["time", "equity"])?;
    for point in curve {
        csv.write_record([Rfc3339(point.time_ms).to_string(), point.equity.to_string()])?;
    }
    csv.flush()?;
    Ok(())
}
