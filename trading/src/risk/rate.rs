//! The order rate of a strategy: how many orders it sent in the last second.

use std::collections::VecDeque;

use crate::market::TimeMs;
use crate::risk::{RiskLimits, RiskRefusal};

/// The window [`RiskLimits::max_orders_per_second`] counts in.
pub const ORDER_RATE_WINDOW_MS: TimeMs = 1_000;

/// The times of a strategy's recent orders: a sliding window over explicit times, so a
/// backtest counts its orders in replay time and nothing waits or sleeps.
///
/// It holds at most the limit's worth of times, since only an order the limit let through
/// is recorded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderRate {
    times: VecDeque<TimeMs>,
}

impl OrderRate {
    /// Orders recorded in the window that ends at `now_ms`: after `now_ms - 1000`, up to it.
    pub fn in_window(&self, now_ms: TimeMs) -> u32 {
        let start = now_ms.saturating_sub(ORDER_RATE_WINDOW_MS);
        let count = self.times.iter().rev().take_while(|&&t| t > start).count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }

    /// Records an order sent at `now_ms`, forgetting those that left the window.
    pub fn record(&mut self, now_ms: TimeMs) {
        let start = now_ms.saturating_sub(ORDER_RATE_WINDOW_MS);
        while self.times.front().is_some_and(|&t| t <= start) {
            self.times.pop_front();
        }
        self.times.push_back(now_ms);
    }
}

/// A strategy that already sent [`RiskLimits::max_orders_per_second`] orders in the last
/// second sends no more until the oldest of them leaves the window.
pub fn order_rate(limits: &RiskLimits, in_window: u32) -> Result<(), RiskRefusal> {
    if in_window < limits.max_orders_per_second {
        Ok(())
    } else {
        Err(RiskRefusal::OrderRate {
            limit: limits.max_orders_per_second,
            in_window,
            window_ms: ORDER_RATE_WINDOW_MS,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_second: u32) -> RiskLimits {
        RiskLimits {
            max_orders_per_second: per_second,
            ..RiskLimits::default()
        }
    }

    #[test]
    fn the_window_counts_the_last_second_and_slides() {
        let mut rate = OrderRate::default();
        for t in [1_000, 1_400, 1_999] {
            rate.record(t);
        }
        assert_eq!(rate.in_window(1_999), 3);
        // At 2,000 the order of 1,000 is a full second old: out of the window.
        assert_eq!(rate.in_window(2_000), 2);
        assert_eq!(rate.in_window(2_998), 1);
        assert_eq!(rate.in_window(2_999), 0);
        rate.record(5_000);
        assert_eq!(
            rate.times.len(),
            1,
            "old times are forgotten when a new one is recorded"
        );
    }

    #[test]
    fn the_limit_refuses_with_the_numbers() {
        assert_eq!(order_rate(&limits(3), 2), Ok(()));
        let refusal = order_rate(&limits(3), 3).unwrap_err();
        assert_eq!(
            refusal,
            RiskRefusal::OrderRate {
                limit: 3,
                in_window: 3,
                window_ms: 1_000
            }
        );
        assert_eq!(
            refusal.to_string(),
            "3 orders were sent in the last 1000 ms, the limit is 3 per second"
        );
    }
}
