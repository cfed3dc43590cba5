//! What a strategy may ask of the host, and nothing more.
//!
//! Strategies receive a `&mut dyn Host` in every callback. Inside a component it calls the
//! host's imports; in native unit tests `testing::MockHost` (feature `testing`) stands in and
//! records every call, so decision logic is tested without wasm.

use rust_decimal::Decimal;

use crate::account::Account;
use crate::decision::Decision;
use crate::orders::{OrderId, OrderRequest, Reject};
use crate::position::Position;

/// Severity of a log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// Step-by-step detail.
    Trace,
    /// Detail for whoever debugs the strategy.
    Debug,
    /// Normal operation worth recording.
    Info,
    /// Something unexpected that the strategy handled.
    Warn,
    /// Something the strategy could not handle.
    Error,
}

/// The host's services to a strategy.
///
/// Every method goes through the host: it rate-limits logs, answers positions from its ledger
/// (the truth, not the strategy's own count), and runs each order through its risk checks.
pub trait Host {
    /// Writes a line to the host's log, attributed to this strategy.
    fn log(&mut self, level: LogLevel, message: &str);

    /// UTC milliseconds: the replayed time in backtests and paper replays, wall time live. Use
    /// it, not `std::time`, so backtests stay deterministic.
    fn now_ms(&mut self) -> i64;

    /// This strategy's position in `symbol` (flat when it has none).
    fn position(&mut self, symbol: &str) -> Position;

    /// This strategy's account as the host's books have it now: cash, equity, fees, buying
    /// power, positions valued at the last prices, working orders (all zero before the host
    /// opened a book for it).
    fn account(&mut self) -> Account;

    /// Proposes an order. On success the host's id for it; its fills arrive later as order
    /// updates.
    ///
    /// # Errors
    ///
    /// A [`Reject`] when the host's risk checks refuse the order, or with code `invalid_order`
    /// when the request breaks the contract ([`OrderRequest::validate`]) or holds a decimal
    /// beyond the host's range.
    fn place_order(&mut self, order: OrderRequest) -> Result<OrderId, Reject>;

    /// Asks the host to cancel a working order; the outcome arrives as an order update.
    ///
    /// # Errors
    ///
    /// The host's reason when the order is unknown or already done.
    fn cancel_order(&mut self, order_id: &OrderId) -> Result<(), String>;

    /// Asks the host to cancel every working order of this strategy, oldest first. Returns how
    /// many cancels it sent; each outcome arrives as an order update.
    fn cancel_all_orders(&mut self) -> u32;

    /// Asks the host to change a working order in place: its total quantity `qty` (the part
    /// already filled included) and, for a limit order, its price (`None` keeps it). The host's
    /// risk checks see the order as amended; the venue's confirmation arrives as an order
    /// update.
    ///
    /// # Errors
    ///
    /// The host's reason when the order is unknown or done, risk refuses the amended order, or
    /// a decimal is beyond the host's range.
    fn amend_order(&mut self, order_id: &OrderId, qty: Decimal, limit_price: Option<Decimal>) -> Result<(), String>;

    /// Publishes a decision for the dashboard and the audit trail.
    fn emit_decision(&mut self, decision: Decision);

    /// Whether the host keeps decisions. Where it does not (a backtest), a strategy may skip
    /// building them: `if host.decisions_wanted() { host.emit_decision(...) }`. One emitted
    /// anyway is dropped. The answer holds for the life of the instance.
    fn decisions_wanted(&mut self) -> bool;

    /// [`Host::log`] at [`LogLevel::Debug`].
    fn debug(&mut self, message: &str) {
        self.log(LogLevel::Debug, message);
    }

    /// [`Host::log`] at [`LogLevel::Info`].
    fn info(&mut self, message: &str) {
        self.log(LogLevel::Info, message);
    }

    /// [`Host::log`] at [`LogLevel::Warn`].
    fn warn(&mut self, message: &str) {
        self.log(LogLevel::Warn, message);
    }

    /// [`Host::log`] at [`LogLevel::Error`].
    fn error(&mut self, message: &str) {
        self.log(LogLevel::Error, message);
    }
}
