//! Publishing the ledger's books as metrics (`strategy_host_position`, `strategy_host_pnl`).

use rust_decimal::prelude::ToPrimitive;
use trading::desk::Desk;
use trading::orders::StrategyId;

use crate::metrics::StrategyMetrics;

/// Sets a strategy's position and PnL gauges from its book. Gauges are floats: fine for a
/// dashboard, never used for accounting.
pub fn publish_book(desk: &Desk, strategy: &StrategyId, metrics: &StrategyMetrics) {
    let Some(summary) = desk.book(strategy) else { return };
    let float = |d: rust_decimal::Decimal| d.to_f64().unwrap_or(0.0);
    metrics.set_pnl(float(summary.realized_pnl), float(summary.unrealized_pnl));
    for position in &summary.positions {
        metrics.set_position(position.symbol.as_str(), float(position.qty));
    }
}
