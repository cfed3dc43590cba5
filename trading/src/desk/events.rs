//! What the desk tells the host besides each strategy's order updates: the desk's part of the
//! host's one event stream (order transitions and fills, positions, balances, venue
//! connections, loss-limit state changes, reconciliations).
//!
//! The desk keeps both in its [`Outbox`]: the updates always (its strategies need them), the
//! events only once the host asks for them ([`Desk::keep_events`]), so a backtest pays nothing.
//! Each event is made where the change it reports is made, after the change is written to the
//! book of record, so the stream never tells of something the book does not hold.

use crate::brokers::Balances;
use crate::desk::{Desk, ReconciliationReport};
use crate::market::TimeMs;
use crate::orders::{Fill, Order, OrderType, OrderUpdate, Position, StrategyId, VenueId};
use crate::risk::{Breach, RiskScope, TradingState};
use rust_decimal::Decimal;

/// One thing that happened at the desk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeskEvent {
    /// An order as placed, then each update as its strategy gets it (a change of status, a
    /// fill, an amend's outcome), with the order's terms as they stand.
    Order(Box<OrderNotice>),
    /// A strategy's holding in one symbol after a fill changed it.
    Position {
        strategy: StrategyId,
        venue: VenueId,
        position: Position,
        time_ms: TimeMs,
    },
    /// A venue reported its account's balances.
    Balances(Balances),
    /// A venue's order path connected, or was lost.
    Venue {
        venue: VenueId,
        connection: Connection,
        time_ms: TimeMs,
    },
    /// A loss limit moved a strategy or a venue account to another trading state.
    RiskState {
        scope: RiskScope,
        from: TradingState,
        to: TradingState,
        /// The limit crossed; `None` when a breach is lifted.
        breach: Option<Breach>,
        time_ms: TimeMs,
    },
    /// A venue's reconciliation finished, or a finished one compared balances that came late:
    /// the report as it stands.
    Reconciled(ReconciliationReport),
}

/// An order update and what a watcher needs beside it that the strategy already knows: where
/// the order rests, its type and price, and how much it is for (after any amend).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderNotice {
    pub update: OrderUpdate,
    pub venue: VenueId,
    pub order_type: OrderType,
    pub qty: Decimal,
}

impl OrderNotice {
    /// `order` as it stands, as an event of `time_ms` (with `fill` if one just happened).
    pub fn of(order: &Order, fill: Option<Fill>, time_ms: TimeMs) -> Self {
        Self::with_update(super::flow::update_for(order, fill, time_ms), order)
    }

    fn with_update(update: OrderUpdate, order: &Order) -> Self {
        let request = order.request();
        Self {
            update,
            venue: order.venue().clone(),
            order_type: request.order_type,
            qty: request.qty,
        }
    }
}

/// The state of a venue's order path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Connection {
    Connected,
    Disconnected { reason: String },
}

/// Where the desk puts what it produced, until the host drains it.
#[derive(Debug, Default)]
pub(super) struct Outbox {
    updates: Vec<OrderUpdate>,
    /// `None` until [`Desk::keep_events`].
    events: Option<Vec<DeskEvent>>,
}

impl Outbox {
    /// An update of `order` for its strategy, which is also an event of the stream.
    pub(super) fn update(&mut self, update: OrderUpdate, order: &Order) {
        if let Some(events) = &mut self.events {
            events.push(DeskEvent::Order(Box::new(OrderNotice::with_update(
                update.clone(),
                order,
            ))));
        }
        self.updates.push(update);
    }

    /// An event of the stream, made only when someone keeps them.
    pub(super) fn event(&mut self, make: impl FnOnce() -> DeskEvent) {
        if let Some(events) = &mut self.events {
            events.push(make());
        }
    }

    pub(super) fn has_updates(&self) -> bool {
        !self.updates.is_empty()
    }
}

impl Desk {
    /// Starts keeping the desk's events for [`Desk::drain_events`]. The host drains them every
    /// time it drains the updates, so they never pile up.
    pub fn keep_events(&mut self) {
        self.outbox.events.get_or_insert_with(Vec::new);
    }

    /// Moves the order updates produced since the last drain into `out`, in the order they happened.
    pub fn drain_updates(&mut self, out: &mut Vec<OrderUpdate>) {
        out.append(&mut self.outbox.updates);
    }

    /// Whether order updates wait in [`Desk::drain_updates`].
    pub fn has_updates(&self) -> bool {
        self.outbox.has_updates()
    }

    /// Moves the events produced since the last drain into `out`, in the order they happened
    /// (nothing unless [`Desk::keep_events`] was called).
    pub fn drain_events(&mut self, out: &mut Vec<DeskEvent>) {
        if let Some(events) = &mut self.outbox.events {
            out.append(events);
        }
    }
}
