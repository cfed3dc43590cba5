//! [`OrderCounts`]: what happened to a strategy's orders, for metrics and reports.

use crate::orders::OrderStatus;
use crate::risk::RiskCheck;

/// Counters of one strategy's orders since the desk started. They only grow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderCounts {
    /// Orders that passed risk, were persisted and handed to the broker.
    pub placed: u64,
    /// Orders the broker or venue rejected (after they were placed).
    pub rejected: u64,
    /// Orders completely filled.
    pub filled: u64,
    /// Orders cancelled (some may have filled in part first).
    pub cancelled: u64,
    /// Fills booked (an order can have several).
    pub fills: u64,
    refused: [u64; RiskCheck::ALL.len()],
}

impl OrderCounts {
    /// Requests risk refused with `check`.
    pub fn refused(&self, check: RiskCheck) -> u64 {
        self.refused[check.index()]
    }

    /// Requests risk refused, all checks together.
    pub fn refused_total(&self) -> u64 {
        self.refused.iter().sum()
    }

    pub(crate) fn count_refusal(&mut self, check: RiskCheck) {
        self.refused[check.index()] += 1;
    }

    /// Counts an order reaching a final status.
    pub(crate) fn count_outcome(&mut self, status: OrderStatus) {
        match status {
            OrderStatus::Filled => self.filled += 1,
            OrderStatus::Cancelled => self.cancelled += 1,
            OrderStatus::Rejected => self.rejected += 1,
            OrderStatus::Open | OrderStatus::PartiallyFilled => {}
        }
    }
}
