//! Orders: the vocabulary, the lifecycle state machine, client order ids and the desk's blotter.
//!
//! Entry points: [`transition`] (the lifecycle table), [`Order`] (one order, created only from a
//! [`crate::risk::RiskApproved`] request), [`Blotter`] (all orders of a desk, working orders per
//! strategy) and [`OrderIdGen`] (`{prefix}-{seq}` ids).
//!
//! Invariants:
//! 1. Every state change of an order is a row of the table in [`transition`].
//! 2. An order never fills past its quantity.
//! 3. Nothing here does I/O or reads a clock: times come in as arguments.

mod blotter;
mod ids;
mod order;
#[cfg(test)]
mod proptests;
mod state;
mod types;

pub use blotter::Blotter;
pub use ids::{InvalidOrderIdPrefix, OrderIdGen, MAX_ORDER_ID_PREFIX_LEN};
pub(crate) use order::OrderParts;
pub use order::{FillPlan, Order};
pub use state::{transition, FillProgress, OrderError, OrderEvent, OrderState};
pub use types::{
    Fill, OrderId, OrderRequest, OrderStatus, OrderType, OrderUpdate, Position, StrategyId, TimeInForce, TradeId,
    VenueId, VenueOrderId, MAX_TAG_LEN,
};
