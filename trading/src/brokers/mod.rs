//! Brokers: the seam between the desk and a venue, and the simulated venue.
//!
//! A [`Broker`] takes orders the desk has already approved and persisted, and reports what the
//! venue did with them as [`Execution`]s. The simulated broker ([`SimBroker`]) matches orders
//! against market data; live adapters (later) speak a venue's protocol. The desk treats them
//! alike.

mod sim;

pub use sim::{
    FillPrice, InvalidSimConfig, SimBroker, SimConfig, DEFAULT_FEE_RATE, DEFAULT_SLIPPAGE_BPS, RECENT_EVENTS,
};

use rust_decimal::Decimal;

use crate::market::{MarketEvent, Side, Symbol, TimeMs};
use crate::orders::{OrderId, OrderType};

/// An order the desk has approved and persisted, as a broker receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub id: OrderId,
    pub symbol: Symbol,
    pub side: Side,
    pub qty: Decimal,
    pub order_type: OrderType,
    /// When the desk accepted it (replay time in backtests).
    pub time_ms: TimeMs,
}

/// What a venue did with an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Execution {
    Accepted {
        id: OrderId,
        time_ms: TimeMs,
    },
    Rejected {
        id: OrderId,
        reason: String,
        time_ms: TimeMs,
    },
    Filled {
        id: OrderId,
        price: Decimal,
        qty: Decimal,
        fee: Decimal,
        time_ms: TimeMs,
    },
    Cancelled {
        id: OrderId,
        reason: Option<String>,
        time_ms: TimeMs,
    },
}

impl Execution {
    pub fn order_id(&self) -> &OrderId {
        match self {
            Execution::Accepted { id, .. }
            | Execution::Rejected { id, .. }
            | Execution::Filled { id, .. }
            | Execution::Cancelled { id, .. } => id,
        }
    }
}

/// Why a broker could not take a request. The two kinds ask different things of the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokerError {
    /// Intermittent: the venue could not be reached. The request may be retried.
    #[error("broker connectivity: {0}")]
    Connectivity(String),
    /// Deterministic: the venue refused the request. Retrying gives the same answer.
    #[error("broker rejected the request: {0}")]
    Rejected(String),
}

/// One venue connection. Calls never block on the network: a live adapter queues the request
/// and reports the outcome later through [`Broker::poll`].
pub trait Broker: Send {
    /// The broker's name as it appears in metrics and `/status` (`paper`, `binance`, ...).
    fn name(&self) -> &str;
    fn submit(&mut self, order: NewOrder) -> Result<(), BrokerError>;
    fn cancel(&mut self, id: &OrderId, time_ms: TimeMs) -> Result<(), BrokerError>;
    /// Lets the broker see market data (the simulator matches working orders against it);
    /// executions it causes are appended to `out` in the order they happened.
    fn on_market_event(&mut self, event: &MarketEvent, out: &mut Vec<Execution>);
    /// Executions that happened since the last call, appended to `out` in order.
    fn poll(&mut self, out: &mut Vec<Execution>);
}
