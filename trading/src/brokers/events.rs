//! What venues report: [`VenueEvent`]s, and within them the [`Execution`]s of single orders.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;

use crate::market::TimeMs;
use crate::orders::{OrderId, TradeId, VenueId, VenueOrderId};

/// Everything a venue tells the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueEvent {
    /// The order connection is up (again); a [`VenueEvent::MassStatus`] follows a reconnect.
    Connected { venue: VenueId, time_ms: TimeMs },
    /// The order connection is down: requests wait or go another way until it is back.
    Disconnected {
        venue: VenueId,
        reason: String,
        time_ms: TimeMs,
    },
    /// What happened to one order.
    Execution(Execution),
    /// The venue's open orders and recent fills, answering [`super::ExecutionPort::mass_status`].
    MassStatus(MassStatus),
    /// The account's balances at the venue, every asset (after a snapshot or any change).
    Balances(Balances),
}

/// What a venue account holds, by asset (host codes: `BTC`, `USD`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Balances {
    pub venue: VenueId,
    pub assets: BTreeMap<String, Decimal>,
    pub time_ms: TimeMs,
}

/// What a venue did with one order, found by its client order id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Execution {
    /// The venue has the order; its own id for it when it gave one.
    Accepted {
        id: OrderId,
        venue_order_id: Option<VenueOrderId>,
        time_ms: TimeMs,
    },
    Rejected {
        id: OrderId,
        reason: RejectReason,
        time_ms: TimeMs,
    },
    /// Part or all of the order traded. Whether it is now filled follows from the quantities.
    Filled(FillReport),
    /// The venue changed the order: its quantity (filled part included) and limit price are now these.
    Amended {
        id: OrderId,
        qty: Decimal,
        limit_price: Option<Decimal>,
        /// The venue's id of the order working now, where the amend made a new one (Binance's
        /// cancel-replace); `None` where the venue amends in place and the id stays.
        venue_order_id: Option<VenueOrderId>,
        time_ms: TimeMs,
    },
    /// The venue refused an amend; the order works on unchanged.
    AmendRejected {
        id: OrderId,
        reason: RejectReason,
        time_ms: TimeMs,
    },
    /// The order is off the book; what filled before stays filled.
    Cancelled {
        id: OrderId,
        reason: Option<String>,
        time_ms: TimeMs,
    },
    /// The venue refused a cancel; the order works on.
    CancelRejected {
        id: OrderId,
        reason: RejectReason,
        time_ms: TimeMs,
    },
    /// The venue took the order off the book at the end of its time in force.
    Expired { id: OrderId, time_ms: TimeMs },
    /// The venue's word on an order, answering a query: it settles an order whose outcome
    /// was unknown, and books fills the desk missed.
    Status(OrderReport),
}

impl Execution {
    pub fn order_id(&self) -> &OrderId {
        match self {
            Execution::Accepted { id, .. }
            | Execution::Rejected { id, .. }
            | Execution::Amended { id, .. }
            | Execution::AmendRejected { id, .. }
            | Execution::Cancelled { id, .. }
            | Execution::CancelRejected { id, .. }
            | Execution::Expired { id, .. } => id,
            Execution::Filled(fill) => &fill.id,
            Execution::Status(report) => &report.id,
        }
    }
}

/// One execution of (part of) an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillReport {
    pub id: OrderId,
    /// The venue's id for the trade: a fill with one is booked once however often it is
    /// reported. Simulated fills have none (they are never repeated).
    pub trade_id: Option<TradeId>,
    pub price: Decimal,
    pub qty: Decimal,
    /// What the venue charged, in `fee_asset`.
    pub fee: Decimal,
    /// The asset of the fee; `None` means the symbol's quote currency.
    pub fee_asset: Option<String>,
    /// When it traded, as closely as the venue says: for a simulated fill on a bar, the bar's
    /// open (it traded within that bar).
    pub time_ms: TimeMs,
    /// The first instant the fill is known for sure, at or after `time_ms`: the strategy's
    /// order update carries it, and so do the orders it places in answer. A live venue's fill
    /// and a simulated fill at a bar's open are known when they trade; a simulated fill
    /// further inside a bar only at the bar's close, since the bar does not say when within
    /// it the price got there.
    pub known_ms: TimeMs,
}

/// The venue's view of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderReport {
    pub id: OrderId,
    pub venue_order_id: Option<VenueOrderId>,
    pub state: VenueOrderState,
    /// How much of it traded, by the venue's count.
    pub filled_qty: Decimal,
    /// Its quantity at the venue, when the venue says: an amend the venue applied and the
    /// host never heard confirmed (lost with a connection, or in a crash) shows here.
    pub qty: ReportedQty,
    /// Its fills as the venue lists them (each with its trade id), for the desk to book the
    /// ones it has not.
    pub fills: Vec<FillReport>,
    pub time_ms: TimeMs,
}

/// An order's quantity as a venue's report gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportedQty {
    /// The report does not say.
    #[default]
    Unknown,
    /// The whole quantity, in the host's terms: what filled included.
    Whole(Decimal),
    /// What the venue's order did not fill: the host's quantity is this on top of everything
    /// that filled. A venue that replaces an order to amend it (Binance's cancel-replace makes
    /// a new order for what was left) reports one leg of the host's order, and after a restart
    /// its adapter no longer knows what the legs before it filled; the desk, which booked
    /// those fills, does.
    Unfilled(Decimal),
}

/// Where an order stands at the venue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VenueOrderState {
    /// The venue has no order with this client id: a submit whose outcome was unknown never
    /// reached it.
    NotFound,
    /// Working (partly filled or not: the filled quantity says).
    Open,
    Filled,
    Cancelled,
    Expired,
    Rejected(RejectReason),
}

/// A venue's open orders and its fills since a time, for reconciliation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MassStatus {
    pub venue: VenueId,
    /// The fills cover everything from this time on.
    pub since_ms: TimeMs,
    /// Every order the venue has open, with its fills.
    pub open: Vec<OrderReport>,
    /// Every fill since `since_ms`, of open and closed orders.
    pub fills: Vec<FillReport>,
    pub time_ms: TimeMs,
}

/// Why a venue (or a port, before sending) refused a request: a stable kind and the venue's
/// own words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RejectReason {
    pub kind: RejectKind,
    /// The venue's error text (`EOrder:Insufficient funds`), or the port's explanation.
    pub detail: String,
}

impl RejectReason {
    pub fn new(kind: RejectKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.code(), self.detail)
    }
}

/// The kinds of refusal strategies and operators can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RejectKind {
    InsufficientFunds,
    /// Below the pair's minimum quantity or notional.
    BelowMinimum,
    /// The price is not a multiple of the pair's price increment.
    PriceIncrement,
    /// The quantity is not a multiple of the pair's quantity increment.
    QtyIncrement,
    /// A post-only order would have taken liquidity.
    PostOnlyWouldTake,
    /// The venue's (or the port's own count of the venue's) rate limit.
    RateLimited,
    /// The venue does not know the order (a cancel or amend of one it no longer has).
    UnknownOrder,
    /// The request itself is invalid (a zero quantity, an amend the venue cannot do).
    InvalidOrder,
    /// Anything else the venue said.
    VenueError,
}

impl RejectKind {
    /// A stable snake_case code, used in order updates and metrics.
    pub fn code(self) -> &'static str {
        match self {
            RejectKind::InsufficientFunds => "insufficient_funds",
            RejectKind::BelowMinimum => "below_minimum",
            RejectKind::PriceIncrement => "price_increment",
            RejectKind::QtyIncrement => "qty_increment",
            RejectKind::PostOnlyWouldTake => "post_only_would_take",
            RejectKind::RateLimited => "rate_limited",
            RejectKind::UnknownOrder => "unknown_order",
            RejectKind::InvalidOrder => "invalid_order",
            RejectKind::VenueError => "venue_error",
        }
    }
}
