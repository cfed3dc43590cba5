//! [`RiskLimits`] (per-strategy limits, validated, with named defaults) and [`TradingState`].

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::risk::LossLimits;

/// Default [`RiskLimits::max_order_notional`]: 1,000,000 in the quote currency. Generous for
/// a strategy of one host, yet it stops a fat-fingered quantity.
pub const DEFAULT_MAX_ORDER_NOTIONAL: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Default [`RiskLimits::max_position`]: 1,000,000 units of the base asset per symbol.
pub const DEFAULT_MAX_POSITION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Default [`RiskLimits::max_open_orders`]: 100 working orders per strategy.
pub const DEFAULT_MAX_OPEN_ORDERS: usize = 100;
/// Default [`RiskLimits::allow_short`]: no short selling.
pub const DEFAULT_ALLOW_SHORT: bool = false;
/// Default [`RiskLimits::fee_rate`]: 0.001 (0.1 %), a common taker fee.
pub const DEFAULT_FEE_RATE: Decimal = Decimal::from_parts(1, 0, 0, false, 3);
/// Default [`RiskLimits::max_account_position`]: 1,000,000 units of the base asset per symbol
/// per venue account, every strategy on the account together.
pub const DEFAULT_MAX_ACCOUNT_POSITION: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);
/// Default [`RiskLimits::max_orders_per_second`]: 100 orders (new ones and amends) per
/// strategy in any second. Above what a bar-driven strategy places, below what floods a venue.
pub const DEFAULT_MAX_ORDERS_PER_SECOND: u32 = 100;
/// Default [`RiskLimits::price_band_bps`]: no band. Resting orders far from the market are
/// a legitimate way to trade (a grid, a bid at half the price), so the operator sets the band.
pub const DEFAULT_PRICE_BAND_BPS: Option<Decimal> = None;

/// Limits every order of a strategy is checked against. One set per desk: every strategy
/// gets the same.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RiskLimits {
    /// Largest value of one order: quantity × limit price (× last price for a market order).
    /// Defaults to [`DEFAULT_MAX_ORDER_NOTIONAL`].
    pub max_order_notional: Decimal,
    /// Largest absolute position per symbol per strategy, counted in the worst case: the
    /// position plus every working order on the same side plus the new one.
    /// Defaults to [`DEFAULT_MAX_POSITION`].
    pub max_position: Decimal,
    /// Most working orders per strategy, all symbols together. Defaults to [`DEFAULT_MAX_OPEN_ORDERS`].
    pub max_open_orders: usize,
    /// Whether a strategy may sell more than it holds. Defaults to [`DEFAULT_ALLOW_SHORT`].
    pub allow_short: bool,
    /// The fee rate assumed when reserving cash for a buy; set it to at least the broker's
    /// taker rate. Defaults to [`DEFAULT_FEE_RATE`].
    pub fee_rate: Decimal,
    /// Largest absolute position per symbol per venue account (every strategy trading on the
    /// venue together), counted in the worst case like [`RiskLimits::max_position`].
    /// Defaults to [`DEFAULT_MAX_ACCOUNT_POSITION`].
    pub max_account_position: Decimal,
    /// Most orders (new ones and amends that pass every other check) per strategy in any
    /// window of 1,000 ms. Defaults to [`DEFAULT_MAX_ORDERS_PER_SECOND`].
    pub max_orders_per_second: u32,
    /// How far, in basis points, a limit price may be from the last price (a trade, a bar's
    /// close or a quote's mid) before it is refused as a fat finger. `None`: no band.
    /// Defaults to [`DEFAULT_PRICE_BAND_BPS`].
    pub price_band_bps: Option<Decimal>,
    /// The daily loss and drawdown limits per strategy and per venue account. Defaults to
    /// [`LossLimits::default`]: none.
    pub loss: LossLimits,
}

impl Default for RiskLimits {
    fn default() -> Self {
        Self {
            max_order_notional: DEFAULT_MAX_ORDER_NOTIONAL,
            max_position: DEFAULT_MAX_POSITION,
            max_open_orders: DEFAULT_MAX_OPEN_ORDERS,
            allow_short: DEFAULT_ALLOW_SHORT,
            fee_rate: DEFAULT_FEE_RATE,
            max_account_position: DEFAULT_MAX_ACCOUNT_POSITION,
            max_orders_per_second: DEFAULT_MAX_ORDERS_PER_SECOND,
            price_band_bps: DEFAULT_PRICE_BAND_BPS,
            loss: LossLimits::default(),
        }
    }
}

/// One limit that is out of range, named by its config key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{key}: expected {expected}, got {got}")]
pub struct LimitProblem {
    pub key: &'static str,
    pub expected: &'static str,
    pub got: String,
}

/// Every problem found in a set of limits, not just the first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid risk limits: {}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct InvalidRiskLimits {
    pub problems: Vec<LimitProblem>,
}

impl RiskLimits {
    /// # Errors
    ///
    /// [`InvalidRiskLimits`] listing every limit out of range.
    pub fn validate(&self) -> Result<(), InvalidRiskLimits> {
        let mut problems = Vec::new();
        let mut need = |ok: bool, key, expected, got: String| {
            if !ok {
                problems.push(LimitProblem { key, expected, got });
            }
        };
        need(
            self.max_order_notional > Decimal::ZERO,
            "max_order_notional",
            "a positive amount",
            self.max_order_notional.to_string(),
        );
        need(
            self.max_position > Decimal::ZERO,
            "max_position",
            "a positive quantity",
            self.max_position.to_string(),
        );
        need(
            self.max_open_orders > 0,
            "max_open_orders",
            "at least 1",
            self.max_open_orders.to_string(),
        );
        need(
            self.fee_rate >= Decimal::ZERO && self.fee_rate < Decimal::ONE,
            "fee_rate",
            "a rate in [0, 1)",
            self.fee_rate.to_string(),
        );
        need(
            self.max_account_position > Decimal::ZERO,
            "max_account_position",
            "a positive quantity",
            self.max_account_position.to_string(),
        );
        need(
            self.max_orders_per_second > 0,
            "max_orders_per_second",
            "at least 1",
            self.max_orders_per_second.to_string(),
        );
        if let Some(band) = self.price_band_bps {
            need(
                band > Decimal::ZERO,
                "price_band_bps",
                "a positive number of basis points",
                band.to_string(),
            );
        }
        self.loss.problems(&mut problems);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(InvalidRiskLimits { problems })
        }
    }
}

/// What the desk lets strategies do, set by the operator.
/// Ordered from the least to the most strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradingState {
    /// Orders are checked against the limits.
    #[default]
    Active,
    /// Only orders that bring a position toward zero are accepted.
    Reducing,
    /// No order is accepted. Cancels still are.
    Halted,
}

impl TradingState {
    pub fn as_str(self) -> &'static str {
        match self {
            TradingState::Active => "active",
            TradingState::Reducing => "reducing",
            TradingState::Halted => "halted",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_limits_are_valid_and_named() {
        let limits = RiskLimits::default();
        assert_eq!(limits.validate(), Ok(()));
        assert_eq!(DEFAULT_MAX_ORDER_NOTIONAL.to_string(), "1000000");
        assert_eq!(DEFAULT_FEE_RATE.to_string(), "0.001");
    }

    #[test]
    fn validate_lists_every_problem_by_key() {
        let limits = RiskLimits {
            max_order_notional: Decimal::ZERO,
            max_position: -Decimal::ONE,
            max_open_orders: 0,
            allow_short: true,
            fee_rate: Decimal::ONE,
            max_account_position: Decimal::ZERO,
            max_orders_per_second: 0,
            price_band_bps: Some(Decimal::ZERO),
            loss: LossLimits::default(),
        };
        let keys: Vec<_> = limits.validate().unwrap_err().problems.iter().map(|p| p.key).collect();
        assert_eq!(
            keys,
            [
                "max_order_notional",
                "max_position",
                "max_open_orders",
                "fee_rate",
                "max_account_position",
                "max_orders_per_second",
                "price_band_bps"
            ]
        );
    }

    #[test]
    fn unknown_keys_are_refused_and_missing_ones_defaulted() {
        let limits: RiskLimits = serde_json::from_str(r#"{"max_open_orders": 5}"#).unwrap();
        assert_eq!(
            limits,
            RiskLimits {
                max_open_orders: 5,
                ..RiskLimits::default()
            }
        );
        let err = serde_json::from_str::<RiskLimits>(r#"{"max_orders": 5}"#).unwrap_err();
        assert!(err.to_string().contains("max_orders"), "{err}");
    }
}
