//! The desk's side of recovery: reloading the book of record on start, and running each live
//! venue's reconciliation pass ([`super::reconcile`]) from the events the venue sends.

use foldhash::HashMap;
use rust_decimal::Decimal;
use tracing::{info, warn};

use super::reconcile::{self, After, Before, Difference, ReconciliationReport, UnknownOrderAction, UnknownOrders};
use crate::brokers::{OrderReport, PortError, ResumedOrder};
use crate::desk::{Desk, DeskError, DeskEvent};
use crate::market::TimeMs;
use crate::orders::{OrderId, OrderState, VenueId};

/// What [`Desk::restore`] reloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Restored {
    pub books: usize,
    pub working_orders: usize,
}

impl Desk {
    /// Reloads every book and every working order the book of record holds, so that what the
    /// venues report on connecting (fills while the host was down, orders finished there)
    /// lands on the orders and books it belongs to. A working order binds its strategy to its
    /// venue. Call it once, before any venue event is applied; without a store it does nothing.
    ///
    /// # Errors
    ///
    /// [`DeskError::Store`] when the store cannot be read.
    pub fn restore(&mut self) -> Result<Restored, DeskError> {
        let Some(store) = &self.store else {
            return Ok(Restored::default());
        };
        let (books, orders) = (store.load_books()?, store.load_working_orders()?);
        let mut restored = Restored::default();
        for book in books {
            let strategy = book.strategy().clone();
            if self.ledger.open_book(book) {
                restored.books += 1;
            }
            self.counts.entry(strategy).or_default();
        }
        let mut resumed: HashMap<VenueId, Vec<ResumedOrder>> = HashMap::default();
        for order in orders {
            if let Err(e) = self.venues.bind(order.strategy(), Some(order.venue())) {
                warn!(order_id = %order.id(), error = %e, "a working order of a venue that is not set up: it is kept, and cannot be reconciled");
            }
            let request = order.request();
            resumed.entry(order.venue().clone()).or_default().push(ResumedOrder {
                id: order.id().clone(),
                symbol: request.symbol.clone(),
                side: request.side,
                order_type: request.order_type,
                filled_qty: order.filled_qty(),
                venue_order_id: order.venue_order_id().cloned(),
            });
            self.blotter.insert(order);
            restored.working_orders += 1;
        }
        for (venue, orders) in &resumed {
            if let Some(port) = self.venues.port(venue) {
                port.resume(orders);
            }
        }
        info!(
            books = restored.books,
            working_orders = restored.working_orders,
            "the book of record is reloaded"
        );
        Ok(restored)
    }

    /// What the desk does with orders `venue` has and the host does not know (default
    /// [`UnknownOrders::Report`]).
    ///
    /// # Errors
    ///
    /// [`DeskError::UnknownVenue`] when the desk has no such venue.
    pub fn set_unknown_orders(&mut self, venue: &VenueId, rule: UnknownOrders) -> Result<(), DeskError> {
        if !self.venues.names().any(|name| name == venue) {
            return Err(DeskError::UnknownVenue {
                venue: venue.clone(),
                known: self.venues.names().cloned().collect(),
            });
        }
        self.reconciliations.set_unknown_orders(venue.clone(), rule);
        Ok(())
    }

    /// The latest complete reconciliation of `venue`; `None` until its first one is done.
    pub fn reconciliation(&self, venue: &VenueId) -> Option<&ReconciliationReport> {
        self.reconciliations.report(venue)
    }

    /// Whether a reconciliation of `venue` is under way.
    pub fn is_reconciling(&self, venue: &VenueId) -> bool {
        self.reconciliations.is_running(venue)
    }

    /// Starts a pass on `venue` from the desk's working orders there; a simulated venue has
    /// nothing to reconcile (the desk is its account).
    pub(super) fn start_reconciliation(&mut self, venue: &VenueId, time_ms: TimeMs) {
        if self.venues.port(venue).is_none_or(|port| port.is_simulated()) {
            return;
        }
        let mut before: Vec<Before> = self
            .blotter
            .all_working()
            .filter(|order| order.venue() == venue)
            .map(|order| Before {
                id: order.id().clone(),
                strategy: order.strategy().clone(),
                filled_qty: order.filled_qty(),
            })
            .collect();
        before.sort_by(|a, b| a.id.cmp(&b.id));
        info!(%venue, working = before.len(), "reconciling with the venue");
        self.reconciliations.start(venue, before, time_ms);
    }

    /// An open order of `venue` the desk does not know: reported, and cancelled (once the
    /// events at hand are applied) when the venue's rule says so.
    pub(super) fn unknown_order(&mut self, venue: &VenueId, report: OrderReport) -> Difference {
        let rule = self.reconciliations.unknown_orders(venue);
        let action = match rule {
            UnknownOrders::Report => UnknownOrderAction::Reported,
            UnknownOrders::Cancel => {
                self.reconciliations.owe_cancel(venue.clone(), report.id.clone());
                UnknownOrderAction::CancelRequested
            }
        };
        warn!(%venue, order_id = %report.id, venue_order_id = ?report.venue_order_id, filled = %report.filled_qty, rule = rule.code(), "the venue has an open order the host does not know");
        Difference::UnknownOrder {
            id: report.id,
            venue_order_id: report.venue_order_id,
            filled_qty: report.filled_qty,
            action,
        }
    }

    /// Sends the cancels a reconciliation owes (of unknown orders, and of orders whose cancel
    /// was lost); one its port cannot send yet (the order path still reconciling, or down) is
    /// tried again on the next call.
    pub(super) fn send_owed_cancels(&mut self, time_ms: TimeMs) {
        if !self.reconciliations.has_owed_cancels() {
            return;
        }
        for (venue, id) in self.reconciliations.take_owed_cancels() {
            let Some(port) = self.venues.port(&venue) else {
                continue;
            };
            match port.cancel(&id, time_ms) {
                Ok(()) => info!(%venue, order_id = %id, "cancel sent, as the reconciliation found it owed"),
                Err(PortError::NotSent(_)) => self.reconciliations.owe_cancel(venue, id),
                Err(PortError::Refused(reason)) => {
                    warn!(%venue, order_id = %id, %reason, "a cancel the reconciliation owed was refused; the order is left working")
                }
            }
        }
    }

    /// Notes the venue's answer about `id`, and ends its pass if that was the last one.
    pub(super) fn reconciliation_answered(&mut self, id: &OrderId, time_ms: TimeMs) {
        if let Some(venue) = self.reconciliations.answered(id) {
            self.finish_reconciliation(&venue, time_ms);
        }
    }

    /// Ends `venue`'s pass when it has every answer: the report is kept and logged.
    pub(super) fn finish_reconciliation(&mut self, venue: &VenueId, time_ms: TimeMs) {
        if !self.reconciliations.is_complete(venue) {
            return;
        }
        // A cancel the desk asked for whose order the venue still has open went out on a
        // connection (or from a process) that is gone, or never went out at all: a crash
        // between writing `pending_cancel` and sending it. The strategy's cancel stands, so it
        // is sent again (rule 5), or the order would wait for an answer that never comes.
        let lost_cancels: Vec<OrderId> = self
            .reconciliations
            .before(venue)
            .iter()
            .filter(|before| {
                self.blotter
                    .get(&before.id)
                    .is_some_and(|order| matches!(order.state(), OrderState::PendingCancel { .. }))
            })
            .map(|before| before.id.clone())
            .collect();
        for id in lost_cancels {
            info!(%venue, order_id = %id, "the venue still has an order whose cancel was asked for: it is asked again");
            self.reconciliations.owe_cancel(venue.clone(), id);
        }
        let after: HashMap<OrderId, After> = self
            .reconciliations
            .before(venue)
            .iter()
            .filter_map(|before| {
                let order = self.blotter.get(&before.id)?;
                let after = After {
                    status: order.status(),
                    filled_qty: order.filled_qty(),
                };
                Some((before.id.clone(), after))
            })
            .collect();
        let holdings = self.holdings_on(venue);
        let balances = self.venues.balances(venue).cloned();
        let Some(report) = self
            .reconciliations
            .complete(venue, &after, balances.as_ref(), &holdings, time_ms)
        else {
            return;
        };
        log_report(report);
        self.outbox.event(|| DeskEvent::Reconciled(report.clone()));
    }

    /// Compares balances that arrive after `venue`'s report was made without any.
    pub(super) fn compare_late_balances(&mut self, venue: &VenueId) {
        let holdings = self.holdings_on(venue);
        let Some(balances) = self.venues.balances(venue).cloned() else {
            return;
        };
        if let Some(report) = self.reconciliations.balances_reported(&balances, &holdings) {
            for difference in report
                .differences
                .iter()
                .filter(|d| matches!(d, Difference::Balance { .. }))
            {
                log_difference(venue, difference);
            }
            self.outbox.event(|| DeskEvent::Reconciled(report.clone()));
        }
    }

    /// What the books of the strategies on `venue` hold, by base asset. A reloaded book whose
    /// venue the desk cannot tell yet (several venues, no working order, its strategy not
    /// registered) is left out rather than counted on the wrong account.
    fn holdings_on(&self, venue: &VenueId) -> HashMap<String, Decimal> {
        reconcile::holdings(
            self.ledger
                .books()
                .filter(|book| self.venues.account_of(book.strategy()) == Some(venue))
                .flat_map(|book| {
                    book.holdings()
                        .map(move |(symbol, _)| (symbol, book.position(symbol).qty))
                }),
        )
    }
}

fn log_report(report: &ReconciliationReport) {
    let counts = &report.counts;
    info!(
        venue = %report.venue,
        trigger = report.trigger.code(),
        working_before = counts.working_before,
        open_at_venue = counts.open_at_venue,
        matched = counts.matched,
        fills_booked = counts.fills_booked,
        queried = counts.queried,
        differences = report.differences.len(),
        "reconciled"
    );
    for difference in &report.differences {
        log_difference(&report.venue, difference);
    }
}

fn log_difference(venue: &VenueId, difference: &Difference) {
    let (kind, rule) = (difference.kind(), difference.rule().code());
    match difference {
        Difference::Filled { id, qty, .. } | Difference::PartiallyFilled { id, qty, .. } => {
            warn!(%venue, kind, rule, order_id = %id, %qty, "reconciliation: filled while the host was not listening")
        }
        Difference::Cancelled { id, filled_qty, .. } => {
            warn!(%venue, kind, rule, order_id = %id, %filled_qty, "reconciliation: finished at the venue")
        }
        Difference::NeverReached { id, .. } => {
            warn!(%venue, kind, rule, order_id = %id, "reconciliation: the venue never had the order")
        }
        Difference::UnknownOrder { id, filled_qty, .. } => {
            warn!(%venue, kind, rule, order_id = %id, %filled_qty, "reconciliation: an order the host does not know")
        }
        Difference::Balance {
            asset,
            venue: at_venue,
            books,
        } => {
            warn!(%venue, kind, rule, %asset, %at_venue, %books, difference = %(*at_venue - *books), "reconciliation: the venue's balance differs from the books")
        }
    }
}
