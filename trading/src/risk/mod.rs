//! Pre-trade risk: the checks every order passes before it exists, and the trading state.
//!
//! Entry point: [`check`], which turns an [`crate::orders::OrderRequest`] into a
//! [`RiskApproved`] one or a typed [`RiskRefusal`]. The desk's order path only takes
//! `RiskApproved`, so a strategy cannot reach the broker around these checks.
//!
//! Invariants:
//! 1. Each check is a small pure function with a typed refusal; [`RiskCheck::code`] is a
//!    stable label (metrics and the reject code strategies see).
//! 2. Risk reads a [`RiskContext`] the desk assembles; it knows nothing of the ledger, the
//!    blotter or any broker.
//! 3. Checks are conservative on arithmetic: saturating sums compare as "too much".
//! 4. A venue's increments are met by rounding toward less exposure (quantity down, price to
//!    the passive side), never by refusing; only its minimums refuse (see [`conform_to_instrument`]).
//! 5. Time is the caller's: the order rate ([`OrderRate`]) and the loss limits ([`LossGuard`])
//!    count in the explicit times they are given, so a replay counts in replay time.
//! 6. A loss limit breach ([`Breach`]) is state of its scope (a strategy or a venue account),
//!    kept by the desk and the book of record; [`check`] only reads it from the context.

mod band;
mod checks;
mod instrument;
mod limits;
mod loss;
mod rate;

pub use band::price_band;
pub use checks::{
    against_position, check, insufficient_cash, insufficient_position, invalid_order, loss_limit, max_account_position,
    max_open_orders, max_order_notional, max_position, order_price, reduce_only, reduce_only_order, trading_halted,
    valuation_price, InvalidOrder, LossRefusal, RiskApproved, RiskCheck, RiskContext, RiskRefusal,
};
pub use instrument::{conform_to_instrument, BelowMinimum};
pub use limits::{
    InvalidRiskLimits, LimitProblem, RiskLimits, TradingState, DEFAULT_ALLOW_SHORT, DEFAULT_FEE_RATE,
    DEFAULT_MAX_ACCOUNT_POSITION, DEFAULT_MAX_OPEN_ORDERS, DEFAULT_MAX_ORDERS_PER_SECOND, DEFAULT_MAX_ORDER_NOTIONAL,
    DEFAULT_MAX_POSITION, DEFAULT_PRICE_BAND_BPS,
};
pub use loss::{
    Breach, LossAction, LossGuard, LossKind, LossLimits, Observed, RiskScope, ScopeKind, ScopeLimits, DAY_MS,
    DEFAULT_DAILY_RESET_MS, DEFAULT_LOSS_ACTION,
};
pub use rate::{order_rate, OrderRate, ORDER_RATE_WINDOW_MS};
