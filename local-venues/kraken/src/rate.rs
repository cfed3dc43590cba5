//! Kraken's per-pair trading rate counter.
//!
//! Each pair has a counter that decays continuously (the tier's rate per second of exchange
//! time). An add costs 1; an amend 1 plus 3/2/1 when the order is under 5/10/15 s old; a cancel
//! 8/6/5/4/2/1 when the order is under 5/10/15/45/90/300 s old (older cancels are free). An add
//! or amend that would take the counter above the tier's threshold is refused with
//! `EOrder:Rate limit exceeded` and costs nothing; cancels are never refused (Kraken lets a
//! client pull orders even when throttled), so they may push the counter over the threshold.

use std::collections::HashMap;

use rust_decimal::Decimal;

use crate::config::RateTier;

#[derive(Debug, Clone, Copy)]
struct Counter {
    value: Decimal,
    at_ms: i64,
}

/// Counters per pair.
#[derive(Debug)]
pub(crate) struct RateCounters {
    tier: RateTier,
    counters: HashMap<String, Counter>,
}

/// The cost of an add.
pub(crate) const ADD_COST: u32 = 1;

/// The cost of amending an order `age_ms` old.
pub(crate) fn amend_cost(age_ms: i64) -> u32 {
    1 + match age_ms {
        a if a < 5_000 => 3,
        a if a < 10_000 => 2,
        a if a < 15_000 => 1,
        _ => 0,
    }
}

/// The cost of cancelling an order `age_ms` old.
pub(crate) fn cancel_cost(age_ms: i64) -> u32 {
    match age_ms {
        a if a < 5_000 => 8,
        a if a < 10_000 => 6,
        a if a < 15_000 => 5,
        a if a < 45_000 => 4,
        a if a < 90_000 => 2,
        a if a < 300_000 => 1,
        _ => 0,
    }
}

impl RateCounters {
    pub(crate) fn new(tier: RateTier) -> Self {
        RateCounters {
            tier,
            counters: HashMap::new(),
        }
    }

    /// The tier's threshold.
    pub(crate) fn max(&self) -> Decimal {
        self.tier.max
    }

    /// The counter of `symbol` now, after decay.
    pub(crate) fn value(&self, symbol: &str, now_ms: i64) -> Decimal {
        self.counters
            .get(symbol)
            .map(|c| self.decayed(*c, now_ms))
            .unwrap_or(Decimal::ZERO)
    }

    fn decayed(&self, c: Counter, now_ms: i64) -> Decimal {
        let elapsed = Decimal::from((now_ms - c.at_ms).max(0)) / Decimal::from(1000);
        (c.value - elapsed * self.tier.decay_per_s).max(Decimal::ZERO)
    }

    /// Charges `cost` if it fits under the threshold; `false` (nothing charged) when it does not.
    pub(crate) fn try_charge(&mut self, symbol: &str, cost: u32, now_ms: i64) -> bool {
        let value = self.value(symbol, now_ms) + Decimal::from(cost);
        if value > self.tier.max {
            return false;
        }
        self.counters
            .insert(symbol.to_string(), Counter { value, at_ms: now_ms });
        true
    }

    /// Charges `cost` whatever the counter says (cancels).
    pub(crate) fn charge(&mut self, symbol: &str, cost: u32, now_ms: i64) {
        let value = self.value(symbol, now_ms) + Decimal::from(cost);
        self.counters
            .insert(symbol.to_string(), Counter { value, at_ms: now_ms });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_allows_sixty_adds_then_decays() {
        let mut rc = RateCounters::new(RateTier::starter());
        for _ in 0..60 {
            assert!(rc.try_charge("BTC/USD", ADD_COST, 0));
        }
        assert!(!rc.try_charge("BTC/USD", ADD_COST, 0));
        assert!(rc.try_charge("ETH/USD", ADD_COST, 0), "counters are per pair");
        assert!(rc.try_charge("BTC/USD", ADD_COST, 1_000), "one second decays one");
        assert_eq!(rc.value("BTC/USD", 61_000), Decimal::ZERO);
    }

    #[test]
    fn young_orders_cost_more_to_touch() {
        assert_eq!(cancel_cost(0), 8);
        assert_eq!(cancel_cost(44_999), 4);
        assert_eq!(cancel_cost(300_000), 0);
        assert_eq!(amend_cost(0), 4);
        assert_eq!(amend_cost(20_000), 1);
    }
}
