//! [`DeskConfig`]: what the host decides about a desk before it starts.

use serde::{Deserialize, Serialize};

use crate::risk::{RiskLimits, TradingState};

/// The prefix backtests use: fixed, so the same run gives the same order ids.
pub const BACKTEST_ORDER_ID_PREFIX: &str = "bt";

/// How a desk runs. Validated by [`crate::desk::Desk::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeskConfig {
    /// Client order ids are `{prefix}-{seq}`. Live, the host derives the prefix from its start
    /// time so ids stay unique across restarts; backtests use [`BACKTEST_ORDER_ID_PREFIX`]
    /// (the default). See [`crate::orders::OrderIdGen::new`] for what a prefix may hold.
    pub order_id_prefix: String,
    /// Limits every order is checked against. Defaults to [`RiskLimits::default`].
    pub limits: RiskLimits,
    /// The trading state the desk starts in. Defaults to [`TradingState::Active`].
    pub trading_state: TradingState,
}

impl Default for DeskConfig {
    fn default() -> Self {
        Self {
            order_id_prefix: BACKTEST_ORDER_ID_PREFIX.to_owned(),
            limits: RiskLimits::default(),
            trading_state: TradingState::Active,
        }
    }
}
