//! Backtest statistics.
