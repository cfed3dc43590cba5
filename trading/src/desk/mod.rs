//! The desk: the one place where a strategy's proposal becomes an order.
//!
//! A proposal goes through risk ([`crate::risk::check`]), becomes an [`crate::orders::Order`]
//! whose intent is persisted, and is handed to the [`crate::brokers::ExecutionPort`]. Executions come
//! back through the order state machine and the ledger, and each produces an
//! [`crate::orders::OrderUpdate`] for its strategy. The wasm runtime and the backtest/live
//! drivers call [`Desk`]; nothing else places orders.
//!
//! Invariants:
//! 1. Only [`crate::risk::RiskApproved`] requests become orders.
//! 2. Persist before acknowledge: an order is stored before the broker sees it; a fill is
//!    stored (with everything it changes, atomically) before the ledger or the strategy hears
//!    of it. A store that fails halts trading; a fill is still booked, since it happened.
//! 3. Every change of an order's public status, every fill, and every amend's outcome produces
//!    exactly one update, in the order things happened. A venue's acknowledgement and a cancel
//!    request change no public status (both stay `open`), so they produce none.
//! 4. Exactly-once fills: a fill with a venue trade id is booked once per venue, symbol and
//!    trade id, however often the venue repeats it, across restarts too (the book of record
//!    keeps every trade id).
//! 5. Unknown outcomes are not rejections: an order is rejected only on the venue's word or
//!    when its port says it never left the host. Mass status and status reports settle the rest.
//! 6. Every order goes to the venue its strategy is bound to.
//! 7. An execution for an unknown order, or one the state machine or the ledger refuses, is
//!    logged with `tracing::warn!` and ignored: never a panic.
//! 8. No wall clock: times come with calls and market events.
//! 9. Each live venue is reconciled on every connection of its order path ([`ReconciliationReport`]):
//!    the book of record reloaded first ([`Desk::restore`]), every difference resolved by a
//!    stated rule and kept in the venue's latest report.
//! 10. Loss limits are followed after every market event and every batch of venue events; a
//!     guard's change is written to the book of record before it acts, and reloaded by
//!     [`Desk::new`], so a halt survives a restart.

mod apply;
mod config;
mod counts;
mod error;
mod events;
mod flow;
mod guard;
mod instruments;
mod read;
mod reconcile;
mod recovery;
mod reduce_only;
mod trade_log;
mod venues;

pub use config::{DeskConfig, BACKTEST_ORDER_ID_PREFIX};
pub use counts::OrderCounts;
pub use error::{AmendError, CancelError, DeskError, Reject};
pub use events::{Connection, DeskEvent, OrderNotice};
pub use flow::Desk;
pub use reconcile::{
    BalanceCheck, Difference, ReconciliationCounts, ReconciliationReport, Rule, Trigger, UnknownOrderAction,
    UnknownOrders,
};
pub use recovery::Restored;

#[cfg(test)]
mod tests;
