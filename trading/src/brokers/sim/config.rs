//! How the simulated venue prices fills: its configuration and the one check it must pass.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// The default fee, 0.1 % of the notional: a common taker fee on crypto venues.
pub const DEFAULT_FEE_RATE: Decimal = Decimal::from_parts(1, 0, 0, false, 3);
/// The default slippage of market orders: none.
pub const DEFAULT_SLIPPAGE_BPS: Decimal = Decimal::ZERO;

/// Which price a market order fills at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FillPrice {
    /// At the open of the first bar that opens at or after the order (the default): the
    /// strategy decided on a bar's close and cannot trade at a price it has already seen.
    #[default]
    NextOpen,
    /// Immediately, at the close of the last bar seen for the symbol: optimistic, but what
    /// many backtesting tools do, so results can be compared. Only market orders change:
    /// limit orders work against later bars either way.
    CurrentClose,
}

/// The simulated broker's configuration. Missing keys take their defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Default [`FillPrice::NextOpen`].
    pub fill_price: FillPrice,
    /// The fee of a fill as a fraction of its notional (price × quantity), from 0 up to, not
    /// including, 1. Default [`DEFAULT_FEE_RATE`] (0.001).
    pub fee_rate: Decimal,
    /// How much worse than the reference price a market order fills, in basis points (1/10,000),
    /// from 0 up to, not including, 10,000. Limit orders fill at their price, without slippage.
    /// Default [`DEFAULT_SLIPPAGE_BPS`] (0).
    pub slippage_bps: Decimal,
}

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            fill_price: FillPrice::default(),
            fee_rate: DEFAULT_FEE_RATE,
            slippage_bps: DEFAULT_SLIPPAGE_BPS,
        }
    }
}

/// A [`SimConfig`] value out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSimConfig {
    #[error("fee_rate {0}: expected a fraction of the notional from 0 up to (not including) 1, like 0.001")]
    FeeRate(Decimal),
    #[error("slippage_bps {0}: expected basis points from 0 up to (not including) 10000, like 5")]
    SlippageBps(Decimal),
}

impl SimConfig {
    /// # Errors
    ///
    /// The first value out of range.
    pub fn validate(&self) -> Result<(), InvalidSimConfig> {
        if self.fee_rate < Decimal::ZERO || self.fee_rate >= Decimal::ONE {
            return Err(InvalidSimConfig::FeeRate(self.fee_rate));
        }
        if self.slippage_bps < Decimal::ZERO || self.slippage_bps >= BPS_PER_UNIT {
            return Err(InvalidSimConfig::SlippageBps(self.slippage_bps));
        }
        Ok(())
    }

    /// The factors a market order's reference price is multiplied by: `(buy, sell)`.
    pub(super) fn slippage_factors(&self) -> (Decimal, Decimal) {
        let fraction = self.slippage_bps / BPS_PER_UNIT;
        (Decimal::ONE + fraction, Decimal::ONE - fraction)
    }
}

const BPS_PER_UNIT: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid_and_out_of_range_values_are_not() {
        assert_eq!(SimConfig::default().validate(), Ok(()));
        let with = |fee: &str, bps: &str| SimConfig {
            fee_rate: fee.parse().unwrap(),
            slippage_bps: bps.parse().unwrap(),
            ..SimConfig::default()
        };
        let cases = [
            (with("0", "0"), Ok(())),
            (with("0.999", "9999.99"), Ok(())),
            (
                with("-0.001", "0"),
                Err("fee_rate -0.001: expected a fraction of the notional from 0 up to (not including) 1, like 0.001"),
            ),
            (
                with("1", "0"),
                Err("fee_rate 1: expected a fraction of the notional from 0 up to (not including) 1, like 0.001"),
            ),
            (
                with("0", "-1"),
                Err("slippage_bps -1: expected basis points from 0 up to (not including) 10000, like 5"),
            ),
            (
                with("0", "10000"),
                Err("slippage_bps 10000: expected basis points from 0 up to (not including) 10000, like 5"),
            ),
        ];
        for (config, expected) in cases {
            assert_eq!(
                config.validate().map_err(|e| e.to_string()),
                expected.map_err(str::to_owned),
                "{config:?}"
            );
        }
    }
}
