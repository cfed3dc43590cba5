//! Backtest statistics: a streaming [`ReportBuilder`] fed once per bar, the
//! [`BacktestReport`] it produces with the desk's counters and round trips, and CSV writers.
//!
//! Invariants:
//! 1. Deterministic: the same bars and trades give the same report, byte for byte (no floats,
//!    no hash-map order, no clock; the host fills in `elapsed_ms` and `bars_per_second`).
//! 2. Money is exact and serialized as JSON strings (`"10029.31"`), so JSON readers lose
//!    nothing; percentages are rounded to [`PCT_DECIMALS`] places, half away from zero.
//! 3. O(1) work and memory per bar unless the equity curve is kept.

mod builder;
mod summary;
mod writers;

pub use builder::{EquityCurve, EquityPoint, ReportBuilder};
pub use summary::{BacktestReport, ReportTotals, PCT_DECIMALS};
pub use writers::{write_equity_csv, write_trades_csv};

#[cfg(test)]
mod tests;
