//! The reduce-only rule after placement: a reduce-only order may only ever bring its
//! strategy's position toward zero. Risk checks it when the order is placed
//! ([`crate::risk::reduce_only_order`]); fills move the position afterwards, so the desk
//! keeps every working reduce-only order within what is left to reduce:
//!
//! 1. **At a simulated fill** (the simulator keeps no account, the desk's book is it), a
//!    reduce-only fill books at most what is left to reduce and the rest of the order is
//!    cancelled; with nothing left, the order is cancelled at the fill. A live venue's fill has
//!    happened whatever the book says: it is booked, and logged.
//! 2. **After every fill**, each other working reduce-only order of that strategy and symbol
//!    that could now pass zero is amended down to what is left, and one with nothing left to
//!    reduce (the position is flat, or on the order's own side) is cancelled. So when a
//!    bracket's take-profit fills, its stop-loss is cancelled; when the take-profit fills in
//!    part, the stop-loss shrinks to the rest of the position.

use rust_decimal::Decimal;
use tracing::{info, warn};

use crate::brokers::FillReport;
use crate::desk::Desk;
use crate::market::{Side, Symbol, TimeMs};
use crate::orders::{OrderId, OrderState, StrategyId};
use crate::risk::{against_position, RiskCheck};

/// What a reduce-only fill may book.
pub(super) enum ReduceOnlyFill {
    /// Not reduce-only, not simulated, or within the position: all of it.
    Whole,
    /// This much reduces the position to zero; the rest of the order is cancelled.
    Part(Decimal),
    /// Nothing is left to reduce: the order is cancelled at the fill, for this reason.
    Nothing(String),
}

impl Desk {
    /// How much of a fill of a reduce-only order on a simulated venue the position allows.
    pub(super) fn reduce_only_fill(&mut self, report: &FillReport) -> ReduceOnlyFill {
        let Some(order) = self.blotter.get(&report.id) else {
            return ReduceOnlyFill::Whole;
        };
        let request = order.request().clone();
        let (strategy, venue) = (order.strategy().clone(), order.venue().clone());
        if !request.reduce_only || !self.venues.port(&venue).is_some_and(|port| port.is_simulated()) {
            return ReduceOnlyFill::Whole;
        }
        let position = self.position_qty(&strategy, &request.symbol);
        if !against_position(request.side, position) {
            return ReduceOnlyFill::Nothing(nothing_to_reduce(request.side, position));
        }
        if report.qty <= position.abs() {
            ReduceOnlyFill::Whole
        } else {
            ReduceOnlyFill::Part(position.abs())
        }
    }

    /// Rule 2 of the module: trims or cancels `strategy`'s working reduce-only orders in
    /// `symbol` that the position no longer covers. Oldest first; a cancel already asked
    /// for is left to finish.
    pub(super) fn keep_reduce_only_within_position(&mut self, strategy: &StrategyId, symbol: &Symbol, now_ms: TimeMs) {
        let position = self.position_qty(strategy, symbol);
        let covered: Vec<(OrderId, Side, Decimal, Decimal)> = self
            .blotter
            .working(strategy)
            .filter(|order| order.request().reduce_only && order.request().symbol == *symbol)
            .filter(|order| !matches!(order.state(), OrderState::PendingCancel { .. }))
            .map(|order| {
                (
                    order.id().clone(),
                    order.request().side,
                    order.remaining_qty(),
                    order.filled_qty(),
                )
            })
            .collect();
        for (id, side, remaining, filled) in covered {
            if !against_position(side, position) {
                info!(%strategy, order_id = %id, %position, "a reduce-only order has nothing left to reduce: cancelled");
                if let Err(e) = self.cancel_order(strategy, &id, now_ms) {
                    warn!(%strategy, order_id = %id, error = %e, "could not cancel a reduce-only order with nothing left to reduce");
                }
            } else if remaining > position.abs() {
                let qty = filled.saturating_add(position.abs());
                info!(%strategy, order_id = %id, %remaining, %position, "a reduce-only order is trimmed to the position");
                if let Err(e) = self.amend_order(strategy, &id, qty, None, now_ms) {
                    warn!(%strategy, order_id = %id, error = %e, "could not trim a reduce-only order: cancelling it");
                    if let Err(e) = self.cancel_order(strategy, &id, now_ms) {
                        warn!(%strategy, order_id = %id, error = %e, "could not cancel a reduce-only order beyond the position");
                    }
                }
            }
        }
    }

    fn position_qty(&self, strategy: &StrategyId, symbol: &Symbol) -> Decimal {
        self.ledger
            .book(strategy)
            .map_or(Decimal::ZERO, |book| book.position(symbol).qty)
    }
}

fn nothing_to_reduce(side: Side, position: Decimal) -> String {
    format!(
        "{}: a reduce-only {side:?} has nothing to reduce in a position of {position}",
        RiskCheck::ReduceOnly.code(),
    )
}
