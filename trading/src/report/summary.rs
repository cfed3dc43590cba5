//! [`BacktestReport`]: the numbers a backtest ends with.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::ledger::RoundTrip;
use crate::report::ReportBuilder;

/// Decimal places of every `*_pct` field.
pub const PCT_DECIMALS: u32 = 4;

/// What the report needs from the desk besides the equity samples and round trips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportTotals {
    /// Orders placed (passed risk and handed to the broker).
    pub orders: u64,
    /// Requests risk refused plus orders the broker rejected.
    pub rejected: u64,
    pub fills: u64,
    pub fees: Decimal,
    pub initial_cash: Decimal,
    pub final_equity: Decimal,
}

/// A backtest's results. Keys are snake_case; decimals are JSON strings (exact).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacktestReport {
    pub bars: u64,
    pub orders: u64,
    pub rejected: u64,
    pub fills: u64,
    /// Closed round trips.
    pub trades: u64,
    pub fees: Decimal,
    pub initial_cash: Decimal,
    pub final_equity: Decimal,
    /// (final equity − initial cash) / initial cash × 100; 0 without initial cash.
    pub return_pct: Decimal,
    /// Largest peak-to-trough fall of the equity sampled at bar closes, × 100.
    pub max_drawdown_pct: Decimal,
    /// Round trips with a positive net PnL, × 100 / round trips; 0 without any.
    pub win_rate_pct: Decimal,
    /// Bars that closed with a position open, × 100 / bars; 0 without bars.
    pub exposure_pct: Decimal,
    /// Wall time the backtest took (the host measures it; not deterministic).
    pub elapsed_ms: u64,
    /// `bars × 1000 / elapsed_ms`, rounded down (a run under 1 ms counts as 1 ms).
    pub bars_per_second: u64,
}

fn pct(numerator: Decimal, denominator: Decimal) -> Decimal {
    numerator
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|n| n.checked_div(denominator))
        .map_or(Decimal::ZERO, |p| {
            p.round_dp_with_strategy(PCT_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
        })
        .normalize()
}

impl BacktestReport {
    /// Builds the report from the equity statistics, the desk's totals and the round trips.
    pub fn new(builder: &ReportBuilder, totals: &ReportTotals, trades: &[RoundTrip]) -> Self {
        let wins = trades.iter().filter(|t| t.pnl > Decimal::ZERO).count();
        Self {
            bars: builder.bars(),
            orders: totals.orders,
            rejected: totals.rejected,
            fills: totals.fills,
            trades: trades.len() as u64,
            fees: totals.fees,
            initial_cash: totals.initial_cash,
            final_equity: totals.final_equity,
            return_pct: pct(totals.final_equity - totals.initial_cash, totals.initial_cash),
            max_drawdown_pct: pct(builder.max_drawdown(), Decimal::ONE),
            win_rate_pct: pct(Decimal::from(wins), Decimal::from(trades.len())),
            exposure_pct: pct(Decimal::from(builder.exposed_bars()), Decimal::from(builder.bars())),
            elapsed_ms: 0,
            bars_per_second: 0,
        }
    }

    /// Fills in the wall time the run took and the throughput it implies.
    pub fn set_elapsed_ms(&mut self, elapsed_ms: u64) {
        self.elapsed_ms = elapsed_ms;
        self.bars_per_second = self.bars.saturating_mul(1000) / elapsed_ms.max(1);
    }
}
