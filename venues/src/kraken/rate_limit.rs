//! Kraken's per-pair trading rate counter, kept locally so a request that would be refused
//! with `EOrder:Rate limit exceeded` is not sent.
//!
//! Kraken keeps one counter per account and pair, shared by REST, WebSocket and FIX. Each
//! request adds to it; it decays continuously at the tier's rate; a request that would take it
//! above the tier's maximum is refused (…/guides/general/ratelimits):
//!
//! | tier         | maximum | decay per second |
//! |--------------|--------:|-----------------:|
//! | Starter      |      60 |             1.00 |
//! | Intermediate |     125 |             2.34 |
//! | Pro          |     180 |             3.75 |
//!
//! Costs: an add is 1. An amend is 1, plus 3 / 2 / 1 when the order is under 5 / 10 / 15 s old.
//! A cancel costs 8 / 6 / 5 / 4 / 2 / 1 when the order is under 5 / 10 / 15 / 45 / 90 / 300 s
//! old, nothing after. (An edit, which this host does not use, is 1 plus 6 / 5 / 4 / 2 / 1
//! under 5 / 10 / 15 / 45 / 90 s.)
//!
//! Pure: times are arguments (`now_ms`), so a test or a replay drives it exactly. The counter
//! is kept in millionths, so the decay of a fractional rate (2.34/s) is exact integer math.

#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)
)]

use std::collections::HashMap;

use trading::market::{Symbol, TimeMs};

/// Millionths of a counter unit.
const MICROS: i64 = 1_000_000;

/// An account's verification tier, which sets the counter's maximum and decay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tier {
    /// Maximum 60, decay 1/s.
    Starter,
    /// Maximum 125, decay 2.34/s.
    Intermediate,
    /// Maximum 180, decay 3.75/s.
    Pro,
    /// Limits of the account's own (Kraken's for an arrangement of its own, or a local
    /// exchange's).
    Custom {
        /// The counter's maximum.
        max: u32,
        /// Decay in thousandths of a unit per second (1/s = 1000).
        decay_milli_per_s: u32,
    },
}

impl Tier {
    /// The counter's maximum.
    pub fn max(self) -> u32 {
        match self {
            Tier::Starter => 60,
            Tier::Intermediate => 125,
            Tier::Pro => 180,
            Tier::Custom { max, .. } => max,
        }
    }

    /// Decay in millionths of a unit per millisecond (1/s = 1000).
    fn decay_micros_per_ms(self) -> i64 {
        match self {
            Tier::Starter => 1_000,
            Tier::Intermediate => 2_340,
            Tier::Pro => 3_750,
            // Millionths per millisecond and thousandths per second are the same number.
            Tier::Custom { decay_milli_per_s, .. } => i64::from(decay_milli_per_s),
        }
    }
}

/// A trading request, as the counter prices it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateAction {
    /// `add_order`.
    Add,
    /// `amend_order` of an order placed `order_age_ms` ago.
    Amend {
        /// How long ago the order was placed.
        order_age_ms: i64,
    },
    /// `cancel_order` of an order placed `order_age_ms` ago.
    Cancel {
        /// How long ago the order was placed.
        order_age_ms: i64,
    },
}

impl RateAction {
    /// What this request adds to the counter.
    pub fn cost(self) -> u32 {
        let age_penalty = |age_ms: i64, table: &[(i64, u32)]| {
            table
                .iter()
                .find(|(under_ms, _)| age_ms < *under_ms)
                .map_or(0, |(_, cost)| *cost)
        };
        match self {
            RateAction::Add => 1,
            RateAction::Amend { order_age_ms } => {
                1 + age_penalty(order_age_ms, &[(5_000, 3), (10_000, 2), (15_000, 1)])
            }
            RateAction::Cancel { order_age_ms } => age_penalty(
                order_age_ms,
                &[
                    (5_000, 8),
                    (10_000, 6),
                    (15_000, 5),
                    (45_000, 4),
                    (90_000, 2),
                    (300_000, 1),
                ],
            ),
        }
    }
}

/// A request the counter says Kraken would refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rate counter would reach {would_reach} of {max} (now {current})")]
pub struct RateLimited {
    /// The counter now, rounded up.
    pub current: u32,
    /// The counter after the request, rounded up.
    pub would_reach: u32,
    /// The tier's maximum.
    pub max: u32,
    /// Milliseconds until the request would fit.
    pub retry_after_ms: i64,
}

/// One pair's counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateCounter {
    tier: Tier,
    value_micros: i64,
    at_ms: TimeMs,
}

impl RateCounter {
    /// A counter at zero.
    pub fn new(tier: Tier) -> Self {
        Self {
            tier,
            value_micros: 0,
            at_ms: TimeMs::MIN,
        }
    }

    /// The counter's value at `now_ms`, in millionths. Time going backwards decays nothing.
    fn micros_at(&self, now_ms: TimeMs) -> i64 {
        let elapsed = now_ms.saturating_sub(self.at_ms).max(0);
        let decay = elapsed.saturating_mul(self.tier.decay_micros_per_ms());
        self.value_micros.saturating_sub(decay).max(0)
    }

    /// The counter's value at `now_ms`.
    pub fn value(&self, now_ms: TimeMs) -> rust_decimal::Decimal {
        rust_decimal::Decimal::new(self.micros_at(now_ms), 6).normalize()
    }

    /// Whether `action` at `now_ms` stays within the maximum.
    ///
    /// # Errors
    /// [`RateLimited`], with how long to wait, when it would not.
    pub fn check(&self, action: RateAction, now_ms: TimeMs) -> Result<(), RateLimited> {
        let current = self.micros_at(now_ms);
        let after = current.saturating_add(i64::from(action.cost()) * MICROS);
        let max = i64::from(self.tier.max()) * MICROS;
        if after <= max {
            return Ok(());
        }
        let decay = self.tier.decay_micros_per_ms();
        Err(RateLimited {
            current: round_up(current),
            would_reach: round_up(after),
            max: self.tier.max(),
            retry_after_ms: (after - max + decay - 1) / decay,
        })
    }

    /// Records `action` as sent at `now_ms`.
    pub fn record(&mut self, action: RateAction, now_ms: TimeMs) {
        self.value_micros = self.micros_at(now_ms).saturating_add(i64::from(action.cost()) * MICROS);
        self.at_ms = self.at_ms.max(now_ms);
    }

    /// Checks `action` and, if it fits, records it.
    ///
    /// # Errors
    /// As [`RateCounter::check`]; nothing is recorded then.
    pub fn try_record(&mut self, action: RateAction, now_ms: TimeMs) -> Result<(), RateLimited> {
        self.check(action, now_ms)?;
        self.record(action, now_ms);
        Ok(())
    }

    /// Sets the counter to Kraken's own value (the `executions` rate counter, when streamed).
    pub fn observe(&mut self, value: rust_decimal::Decimal, now_ms: TimeMs) {
        let micros = value
            .checked_mul(rust_decimal::Decimal::from(MICROS))
            .map(|m| m.trunc());
        // A value too large to count in millionths is, for every purpose, "full".
        self.value_micros = micros.and_then(|m| i64::try_from(m).ok()).unwrap_or(i64::MAX).max(0);
        self.at_ms = now_ms;
    }
}

fn round_up(micros: i64) -> u32 {
    let units = micros / MICROS + i64::from(micros % MICROS != 0);
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// Counters for every pair of one account.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    tier: Tier,
    pairs: HashMap<Symbol, RateCounter>,
}

impl RateLimiter {
    /// Counters for an account of `tier`, all at zero.
    pub fn new(tier: Tier) -> Self {
        Self {
            tier,
            pairs: HashMap::new(),
        }
    }

    /// Whether `action` on `symbol` at `now_ms` stays within the maximum.
    ///
    /// # Errors
    /// As [`RateCounter::check`].
    pub fn check(&self, symbol: &Symbol, action: RateAction, now_ms: TimeMs) -> Result<(), RateLimited> {
        match self.pairs.get(symbol) {
            Some(counter) => counter.check(action, now_ms),
            None => RateCounter::new(self.tier).check(action, now_ms),
        }
    }

    /// Records `action` on `symbol` as sent at `now_ms`.
    pub fn record(&mut self, symbol: &Symbol, action: RateAction, now_ms: TimeMs) {
        self.counter(symbol).record(action, now_ms);
    }

    /// The counter of `symbol`.
    pub fn counter(&mut self, symbol: &Symbol) -> &mut RateCounter {
        let tier = self.tier;
        self.pairs
            .entry(symbol.clone())
            .or_insert_with(|| RateCounter::new(tier))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn costs_follow_krakens_table() {
        let cases = [
            (RateAction::Add, 1),
            (RateAction::Amend { order_age_ms: 0 }, 4),
            (RateAction::Amend { order_age_ms: 4_999 }, 4),
            (RateAction::Amend { order_age_ms: 5_000 }, 3),
            (RateAction::Amend { order_age_ms: 14_999 }, 2),
            (RateAction::Amend { order_age_ms: 15_000 }, 1),
            (RateAction::Cancel { order_age_ms: 1_000 }, 8),
            (RateAction::Cancel { order_age_ms: 9_999 }, 6),
            (RateAction::Cancel { order_age_ms: 10_000 }, 5),
            (RateAction::Cancel { order_age_ms: 44_999 }, 4),
            (RateAction::Cancel { order_age_ms: 89_999 }, 2),
            (RateAction::Cancel { order_age_ms: 299_999 }, 1),
            (RateAction::Cancel { order_age_ms: 300_000 }, 0),
        ];
        for (action, cost) in cases {
            assert_eq!(action.cost(), cost, "{action:?}");
        }
    }

    #[test]
    fn starter_counter_fills_decays_and_refuses() {
        let mut counter = RateCounter::new(Tier::Starter);
        // 60 adds at t=0 fill the counter to its maximum; the 61st would exceed it.
        for _ in 0..60 {
            counter.try_record(RateAction::Add, 0).unwrap();
        }
        assert_eq!(counter.value(0), d("60"));
        let refused = counter.check(RateAction::Add, 0).unwrap_err();
        assert_eq!(
            (
                refused.current,
                refused.would_reach,
                refused.max,
                refused.retry_after_ms
            ),
            (60, 61, 60, 1_000)
        );
        // After 1 s at 1/s, one add fits again.
        assert!(counter.check(RateAction::Add, 999).is_err());
        counter.try_record(RateAction::Add, 1_000).unwrap();
        // A fresh cancel costs 8: from 60 it needs 8 s of decay.
        let refused = counter
            .check(RateAction::Cancel { order_age_ms: 0 }, 1_000)
            .unwrap_err();
        assert_eq!(refused.retry_after_ms, 8_000);
        counter
            .try_record(RateAction::Cancel { order_age_ms: 0 }, 9_000)
            .unwrap();
        assert_eq!(counter.value(9_000), d("60"));
        // It decays to zero and no further.
        assert_eq!(counter.value(100_000), Decimal::ZERO);
    }

    #[test]
    fn fractional_decay_is_exact() {
        let mut counter = RateCounter::new(Tier::Intermediate);
        counter.record(RateAction::Amend { order_age_ms: 0 }, 10_000);
        // 4 − 2.34 × 1.5 s = 0.49.
        assert_eq!(counter.value(11_500), d("0.49"));
        let mut pro = RateCounter::new(Tier::Pro);
        pro.observe(d("180"), 0);
        assert!(pro.check(RateAction::Add, 0).is_err());
        // 1 unit decays in 1/3.75 s = 266.67 ms: 267 ms.
        assert_eq!(pro.check(RateAction::Add, 0).unwrap_err().retry_after_ms, 267);
        assert!(pro.check(RateAction::Add, 267).is_ok());
        // Absurd values from the wire saturate rather than overflow.
        pro.observe(Decimal::MAX, 0);
        assert_eq!(pro.check(RateAction::Add, 0).unwrap_err().max, 180);
        pro.observe(d("-5"), 0);
        assert_eq!(pro.value(0), Decimal::ZERO);
    }

    #[test]
    fn a_custom_tier_keeps_its_own_maximum_and_decay() {
        let tier = Tier::Custom {
            max: 2,
            decay_milli_per_s: 500,
        };
        let mut counter = RateCounter::new(tier);
        counter.try_record(RateAction::Add, 0).unwrap();
        counter.try_record(RateAction::Add, 0).unwrap();
        let refused = counter.check(RateAction::Add, 0).unwrap_err();
        assert_eq!(
            (refused.max, refused.retry_after_ms),
            (2, 2_000),
            "0.5/s: one unit in 2 s"
        );
        assert_eq!(counter.value(1_000), d("1.5"));
    }

    #[test]
    fn pairs_count_apart_and_time_going_back_decays_nothing() {
        let btc = Symbol::new("BTC/USD").unwrap();
        let eth = Symbol::new("ETH/USD").unwrap();
        let mut limiter = RateLimiter::new(Tier::Starter);
        for _ in 0..60 {
            limiter.record(&btc, RateAction::Add, 5_000);
        }
        assert!(limiter.check(&btc, RateAction::Add, 5_000).is_err());
        assert!(limiter.check(&eth, RateAction::Add, 5_000).is_ok());
        assert!(limiter.check(&btc, RateAction::Add, 1_000).is_err());
        assert_eq!(limiter.counter(&btc).value(4_000), d("60"));
    }
}
