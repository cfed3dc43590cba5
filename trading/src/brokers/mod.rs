//! Brokers: the execution seam between the desk and a venue, what venues report back, and the
//! simulated venue.
//!
//! An [`ExecutionPort`] takes commands the desk has already approved and persisted (submit,
//! cancel, amend, query one order, mass status) and never blocks on a network: a live adapter
//! queues the request for its connection task and reports the outcome later as a
//! [`VenueEvent`]. The simulated broker ([`SimBroker`]) matches orders against the market data
//! it is shown; live adapters (crate `venues`) speak a venue's protocol. The desk treats them
//! alike, which is what makes backtest, paper and live differ only in feed and port.
//!
//! Invariants every port keeps:
//! 1. **Unknown outcomes are not rejections.** A request whose reply never came (timeout, a
//!    connection lost mid-request, a 5xx) is not reported as rejected: the port settles it with
//!    a query by client order id and reports what the venue says ([`Execution::Status`]). An
//!    order is never sent twice.
//! 2. A [`PortError`] from a command means the request did not leave the host.
//! 3. Each order's executions are reported in the order the venue reported them.

mod events;
mod inbox;
mod sim;

pub use events::{
    Balances, Execution, FillReport, MassStatus, OrderReport, RejectKind, RejectReason, ReportedQty, VenueEvent,
    VenueOrderState,
};
pub use inbox::{venue_channel, Doorbell, VenueEventSender, VenueInbox};
pub use sim::{
    FillPrice, InvalidSimConfig, SimBroker, SimConfig, DEFAULT_FEE_RATE, DEFAULT_SLIPPAGE_BPS, RECENT_EVENTS,
};

use rust_decimal::Decimal;

use crate::market::{MarketEvent, Side, Symbol, TimeMs};
use crate::orders::{OrderId, OrderType, TimeInForce, VenueId, VenueOrderId};

/// The venue name of the simulated broker when it trades on its own (paper trading and
/// backtests on replayed data).
pub const PAPER_VENUE: &str = "paper";

/// An order the desk has approved and persisted, as a port receives it. Its id is the client
/// order id the venue echoes back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub id: OrderId,
    pub symbol: Symbol,
    pub side: Side,
    pub qty: Decimal,
    pub order_type: OrderType,
    pub time_in_force: TimeInForce,
    /// Rejected rather than filled should it take liquidity when it meets the market.
    pub post_only: bool,
    /// When the desk accepted it (replay time in backtests).
    pub time_ms: TimeMs,
}

/// A working order of an earlier run, as the book of record holds it: what a port learns
/// of it on start ([`ExecutionPort::resume`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumedOrder {
    pub id: OrderId,
    pub symbol: Symbol,
    pub side: Side,
    pub order_type: OrderType,
    /// How much of it the books have filled.
    pub filled_qty: Decimal,
    /// The venue's id for it, when the venue gave one before the restart.
    pub venue_order_id: Option<VenueOrderId>,
}

/// A change of a working order's quantity or limit price, in place (the venue keeps its id
/// and, where it can, its queue priority).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendOrder {
    pub id: OrderId,
    pub symbol: Symbol,
    /// The new total quantity (what already filled included).
    pub qty: Decimal,
    /// The new limit price; `None` keeps it.
    pub limit_price: Option<Decimal>,
    /// What the desk has booked filled of the order: a venue that amends by placing a new
    /// order for what is left (Binance's cancel-replace) sizes it from this when its port has
    /// heard of fewer fills (a restarted host's fills came in the reconciliation).
    pub filled_qty: Decimal,
    pub time_ms: TimeMs,
}

/// Why a command did not leave the host. Nothing reached the venue, so the desk may settle
/// the order at once (a submit that fails this way is rejected; nothing was sent).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    /// The venue cannot be reached now (disconnected, shutting down). Retrying later may work.
    #[error("not sent: {0}")]
    NotSent(String),
    /// The port refused the request itself, before any venue saw it (an unknown order, an
    /// amend the venue does not support, a pre-trade venue limit such as its rate counter).
    #[error("{0}")]
    Refused(RejectReason),
}

/// One venue connection set, as the desk drives it. Calls never block on the network.
pub trait ExecutionPort: Send {
    /// The venue's name as it appears in config, metrics and `/status` (`paper`, `kraken`, ...).
    fn venue(&self) -> &VenueId;
    /// Sends a new order.
    ///
    /// # Errors
    ///
    /// [`PortError`] when the order did not leave the host.
    fn submit(&mut self, order: NewOrder) -> Result<(), PortError>;
    /// Asks the venue to cancel an order.
    ///
    /// # Errors
    ///
    /// [`PortError`] when the request did not leave the host.
    fn cancel(&mut self, id: &OrderId, time_ms: TimeMs) -> Result<(), PortError>;
    /// Asks the venue to change an order in place.
    ///
    /// # Errors
    ///
    /// [`PortError`] when the request did not leave the host; `Refused` by a port whose venue
    /// cannot amend.
    fn amend(&mut self, amend: AmendOrder) -> Result<(), PortError>;
    /// Asks the venue for one order of `symbol` by client order id; the answer comes as
    /// [`Execution::Status`] (with the order's fills), [`VenueOrderState::NotFound`] when the
    /// venue never had it. The symbol is what a venue that files orders by symbol (Binance's
    /// `order.status`) needs to ask about an order this process did not place.
    ///
    /// # Errors
    ///
    /// [`PortError`] when the request did not leave the host.
    fn query_order(&mut self, id: &OrderId, symbol: &Symbol, time_ms: TimeMs) -> Result<(), PortError>;
    /// Asks the venue for its open orders and its fills since `since_ms`; the answer comes as
    /// [`VenueEvent::MassStatus`].
    ///
    /// # Errors
    ///
    /// [`PortError`] when the request did not leave the host.
    fn mass_status(&mut self, since_ms: TimeMs) -> Result<(), PortError>;
    /// Tells the port the working orders of an earlier run, before the desk asks anything
    /// about them: a venue that needs more than the client order id to ask about an order
    /// (Binance's `order.status` needs its symbol) learns it here, as if this process had
    /// placed them. By default the port needs nothing.
    fn resume(&mut self, orders: &[ResumedOrder]) {
        let _ = orders;
    }
    /// Lets the port see market data. The simulator matches working orders against it and
    /// appends what it causes to `out`; a live venue matches on its own and ignores it.
    fn on_market_event(&mut self, event: &MarketEvent, out: &mut Vec<VenueEvent>) {
        let _ = (event, out);
    }
    /// Everything the venue reported since the last call, appended to `out` in order.
    fn poll(&mut self, out: &mut Vec<VenueEvent>);
    /// Whether the venue is the simulator, which keeps no account: the desk's book is its
    /// account, so the desk cancels at the fill a buy the book's cash cannot pay for. A live
    /// venue keeps its own account and its fills are booked as they come.
    fn is_simulated(&self) -> bool {
        false
    }
    /// Stops trading on the venue for a clean shutdown, waiting at most `within`: a live port
    /// disarms what would act without the host (a dead-man switch; open orders stay) and
    /// closes its connections. Nothing to do for a simulator.
    fn close(&mut self, within: std::time::Duration) {
        let _ = within;
    }
}
