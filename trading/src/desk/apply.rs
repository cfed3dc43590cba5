//! Venue events into the books: executions through the order state machine and the ledger,
//! and the venue's status reports and mass statuses, which settle what the desk did not know
//! (an order whose outcome was unknown, fills it missed while a connection was down).
//!
//! Everything a venue says is applied or logged, never refused with an error: the venue's word
//! is what happened. A repeated fill (same venue, symbol and trade id) is recognized and
//! skipped, in memory or through the book of record.

use foldhash::HashSet;
use rust_decimal::Decimal;
use tracing::{debug, error, info, warn};

use super::flow::{halt_on_store_failure, report_ignored, update_for, Ignored};
use super::reduce_only::ReduceOnlyFill;
use super::trade_log::TradeKey;
use crate::brokers::{
    Execution, FillReport, MassStatus, OrderReport, RejectKind, ReportedQty, VenueEvent, VenueOrderState,
};
use crate::desk::{Connection, Desk, DeskEvent};
use crate::ledger::{FillOnRecord, FillRecord};
use crate::market::{Side, Symbol, TimeMs};
use crate::orders::{Fill, Order, OrderEvent, OrderId, OrderState, VenueId, VenueOrderId};
use crate::risk::{RiskCheck, TradingState};

/// When a change of an order is told to its strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tell {
    OnStatusChange,
    Always,
}

/// Why a fill was not booked although its order exists.
#[derive(PartialEq, Eq)]
enum Seen {
    New,
    Repeated,
    /// The store could not say: booking could count it twice, skipping could lose it. Trading
    /// halts and the fill is left for reconciliation.
    Unknown,
}

impl Desk {
    pub(super) fn apply_venue_events(&mut self, events: &mut Vec<VenueEvent>) {
        for event in events.drain(..) {
            match event {
                VenueEvent::Execution(execution) => self.apply_execution(execution),
                VenueEvent::MassStatus(status) => self.apply_mass_status(status),
                VenueEvent::Balances(balances) => {
                    let venue = balances.venue.clone();
                    match self.venues.set_balances(balances) {
                        Ok(()) => {
                            if let Some(balances) = self.venues.balances(&venue) {
                                self.outbox.event(|| DeskEvent::Balances(balances.clone()));
                            }
                            self.compare_late_balances(&venue)
                        }
                        Err(balances) => {
                            warn!(venue = %balances.venue, "balances of a venue the desk does not trade on are ignored")
                        }
                    }
                }
                VenueEvent::Connected { venue, time_ms } => {
                    info!(%venue, time_ms, "venue connected");
                    self.outbox.event(|| DeskEvent::Venue {
                        venue: venue.clone(),
                        connection: Connection::Connected,
                        time_ms,
                    });
                    self.start_reconciliation(&venue, time_ms);
                }
                VenueEvent::Disconnected { venue, reason, time_ms } => {
                    warn!(%venue, time_ms, %reason, "venue disconnected");
                    self.outbox.event(|| DeskEvent::Venue {
                        venue,
                        connection: Connection::Disconnected { reason },
                        time_ms,
                    });
                }
            }
        }
        self.send_owed_cancels(self.now_ms);
    }

    fn apply_execution(&mut self, execution: Execution) {
        match execution {
            Execution::Accepted {
                id,
                venue_order_id,
                time_ms,
            } => {
                if let Some(venue_order_id) = venue_order_id {
                    self.note_venue_order_id(&id, venue_order_id);
                }
                // Venues repeat acknowledgements (Kraken's executions snapshot after a
                // reconnect lists every open order again): only the first one means anything.
                if self
                    .blotter
                    .get(&id)
                    .is_some_and(|o| o.state() == &OrderState::PendingNew)
                {
                    self.apply_order_event(&id, OrderEvent::Accepted, time_ms);
                }
            }
            Execution::Rejected { id, reason, time_ms } => {
                let reason = reason.to_string();
                self.apply_order_event(&id, OrderEvent::Rejected { reason }, time_ms)
            }
            Execution::Filled(fill) => self.apply_fill(fill),
            Execution::Amended {
                id,
                qty,
                limit_price,
                venue_order_id,
                time_ms,
            } => self.apply_amend(&id, qty, limit_price, venue_order_id, time_ms),
            Execution::AmendRejected { id, reason, time_ms } => {
                warn!(order_id = %id, %reason, "the venue refused an amend; the order is unchanged");
                self.tell_strategy(&id, Some(format!("amend refused: {reason}")), time_ms);
            }
            Execution::Cancelled { id, reason, time_ms } => {
                if self.blotter.get(&id).is_some_and(|o| o.is_working()) {
                    self.apply_order_event(&id, OrderEvent::Cancelled { reason }, time_ms);
                }
            }
            Execution::CancelRejected { id, reason, time_ms } => {
                warn!(order_id = %id, %reason, "the venue refused a cancel");
                if matches!(
                    self.blotter.get(&id).map(|o| o.state()),
                    Some(OrderState::PendingCancel { .. })
                ) {
                    self.apply_order_event(&id, OrderEvent::CancelRefused, time_ms);
                }
                // The venue does not know an order the desk thinks is working: ask where it is.
                if reason.kind == RejectKind::UnknownOrder {
                    if let Err(e) = self.query_order(&id, time_ms) {
                        warn!(order_id = %id, error = %e, "cannot query an order the venue did not know");
                    }
                }
            }
            Execution::Expired { id, time_ms } => {
                if self.blotter.get(&id).is_some_and(|o| o.is_working()) {
                    let reason = Some("expired".to_owned());
                    self.apply_order_event(&id, OrderEvent::Cancelled { reason }, time_ms);
                }
            }
            Execution::Status(report) => {
                let (id, time_ms) = (report.id.clone(), report.time_ms);
                self.apply_report(report);
                self.reconciliation_answered(&id, time_ms);
            }
        }
    }

    /// Applies the venue's view of one order: first the fills it lists that the desk has not
    /// booked, then its state where the desk's is behind.
    /// Takes the venue's quantity for a working order whose quantity differs in the books: an
    /// amend the venue applied whose confirmation was lost (a crash between sending it and
    /// booking the answer, or a dropped connection). Done before the report's fills are
    /// booked, which the old quantity could refuse as an overfill. A quantity reported as
    /// what the venue's order did not fill ([`ReportedQty::Unfilled`]) is put on top of what
    /// the order will have filled once the report's fills and `more_fills` (the rest of a mass
    /// status) are booked.
    fn adopt_venue_qty(&mut self, report: &OrderReport, more_fills: &[FillReport]) {
        let qty = match report.qty {
            ReportedQty::Unknown => return,
            ReportedQty::Whole(qty) => qty,
            ReportedQty::Unfilled(unfilled) => {
                let fills = report
                    .fills
                    .iter()
                    .chain(more_fills.iter().filter(|f| f.id == report.id));
                let Some(unbooked) = self.unbooked_qty(&report.id, fills) else {
                    return;
                };
                let Some(filled) = self.blotter.get(&report.id).map(Order::filled_qty) else {
                    return;
                };
                filled + unbooked + unfilled
            }
        };
        let Some(order) = self.blotter.get(&report.id) else {
            return;
        };
        if !order.is_working() || order.request().qty == qty {
            return;
        }
        warn!(order_id = %report.id, venue_qty = %qty, booked_qty = %order.request().qty, "the venue's order quantity differs from the books (an amend whose answer was lost): the venue's is taken");
        self.apply_amend(&report.id, qty, None, report.venue_order_id.clone(), report.time_ms);
    }

    /// How much `fills` of order `id` add to what the desk has booked, each trade once;
    /// `None` for an order the desk does not know.
    fn unbooked_qty<'a>(&mut self, id: &OrderId, fills: impl Iterator<Item = &'a FillReport>) -> Option<Decimal> {
        let order = self.blotter.get(id)?;
        let (venue, symbol) = (order.venue().clone(), order.request().symbol.clone());
        let mut counted = HashSet::default();
        let mut unbooked = Decimal::ZERO;
        for fill in fills {
            let new = match &fill.trade_id {
                Some(trade_id) => {
                    counted.insert(trade_id.clone())
                        && self.seen(&(venue.clone(), symbol.clone(), trade_id.clone())) == Seen::New
                }
                // A fill without a trade id is booked each time it comes.
                None => true,
            };
            if new {
                unbooked += fill.qty;
            }
        }
        Some(unbooked)
    }

    fn apply_report(&mut self, report: OrderReport) {
        self.adopt_venue_qty(&report, &[]);
        let OrderReport {
            id,
            venue_order_id,
            state,
            filled_qty,
            fills,
            time_ms,
            ..
        } = report;
        for fill in fills {
            self.apply_fill(fill);
        }
        if let Some(venue_order_id) = venue_order_id {
            self.note_venue_order_id(&id, venue_order_id);
        }
        let Some(order) = self.blotter.get(&id) else {
            warn!(order_id = %id, "a status report for an order the desk does not know is ignored");
            return;
        };
        if filled_qty > order.filled_qty() {
            warn!(order_id = %id, venue_filled = %filled_qty, booked = %order.filled_qty(), "the venue reports more filled than the desk booked, without the fills");
        }
        let pending_new = order.state() == &OrderState::PendingNew;
        let working = order.is_working();
        let cancel_unanswered = matches!(order.state(), OrderState::PendingCancel { .. })
            && state == VenueOrderState::Open
            && !self.reconciliations.is_running(order.venue());
        let venue = order.venue().clone();
        let event = match state {
            VenueOrderState::NotFound if pending_new => Some(OrderEvent::Rejected {
                reason: "not_found: the venue has no such order: the request never reached it".to_owned(),
            }),
            VenueOrderState::NotFound if working => Some(OrderEvent::Cancelled {
                reason: Some("the venue no longer has the order".to_owned()),
            }),
            VenueOrderState::Open if pending_new => Some(OrderEvent::Accepted),
            VenueOrderState::Cancelled if working => Some(OrderEvent::Cancelled { reason: None }),
            VenueOrderState::Expired if working => Some(OrderEvent::Cancelled {
                reason: Some("expired".to_owned()),
            }),
            VenueOrderState::Rejected(reason) if working => Some(OrderEvent::Rejected {
                reason: reason.to_string(),
            }),
            _ => None,
        };
        if let Some(event) = event {
            self.apply_order_event(&id, event, time_ms);
        }
        // The venue still works an order the desk asked it to cancel: the cancel's answer never
        // came (the query that settles such a request led here), so the cancel did not reach
        // it, and the strategy's cancel stands. (Within a reconciliation, rule 5 does this.)
        if cancel_unanswered {
            let Some(port) = self.venues.port(&venue) else {
                return;
            };
            match port.cancel(&id, time_ms) {
                Ok(()) => {
                    info!(%venue, order_id = %id, "the venue still has an order whose cancel went unanswered: it is asked again")
                }
                Err(e) => {
                    warn!(%venue, order_id = %id, error = %e, "cannot cancel again an order whose cancel went unanswered")
                }
            }
        }
    }

    /// Reconciles one venue: books the fills the desk missed, applies each open order's report,
    /// and asks about every working order the venue did not list (it was filled or cancelled
    /// there; the answer settles it) and every listed one the venue counts more filled than
    /// the desk booked (the answer carries its fills). Orders the venue has and the desk does
    /// not are reported and handled per the venue's [`super::UnknownOrders`]. The pass this is
    /// part of ([`super::reconcile`]) ends when every answer is in.
    fn apply_mass_status(&mut self, status: MassStatus) {
        let MassStatus {
            venue,
            open,
            fills,
            time_ms,
            ..
        } = status;
        if !self.reconciliations.is_running(&venue) {
            self.start_reconciliation(&venue, time_ms);
        }
        // The venue's quantities first: a fill of an amended order is only booked on the
        // quantity the venue holds.
        for report in &open {
            self.adopt_venue_qty(report, &fills);
        }
        for fill in fills {
            if self.blotter.get(&fill.id).is_none() {
                self.note_fill_of_no_working_order(&venue, &fill);
                continue;
            }
            self.apply_fill(fill);
        }
        let open_at_venue = open.len();
        let mut listed = HashSet::default();
        let mut unknown = Vec::new();
        let mut missing: Vec<OrderId> = Vec::new();
        for report in open {
            listed.insert(report.id.clone());
            if self.blotter.get(&report.id).is_none() {
                unknown.push(self.unknown_order(&venue, report));
                continue;
            }
            let venue_filled = report.filled_qty;
            let id = report.id.clone();
            self.apply_report(report);
            if self
                .blotter
                .get(&id)
                .is_some_and(|o| o.is_working() && o.filled_qty() < venue_filled)
            {
                missing.push(id);
            }
        }
        missing.extend(
            self.blotter
                .all_working()
                .filter(|order| order.venue() == &venue && !listed.contains(order.id()))
                .map(|order| order.id().clone()),
        );
        missing.sort();
        let missing: Vec<(OrderId, Symbol)> = missing
            .into_iter()
            .filter_map(|id| {
                let symbol = self.blotter.get(&id)?.request().symbol.clone();
                Some((id, symbol))
            })
            .collect();
        let mut queried = Vec::with_capacity(missing.len());
        if let Some(port) = self.venues.port(&venue) {
            for (id, symbol) in missing {
                match port.query_order(&id, &symbol, time_ms) {
                    Ok(()) => queried.push(id),
                    Err(e) => {
                        warn!(%venue, order_id = %id, error = %e, "cannot query an order the venue's open orders do not settle")
                    }
                }
            }
        }
        info!(%venue, open = listed.len(), queried = queried.len(), unknown = unknown.len(), "mass status applied");
        self.reconciliations
            .mass_status_applied(&venue, open_at_venue, queried, unknown);
        self.finish_reconciliation(&venue, time_ms);
    }

    /// A mass status's fill of an order the desk does not hold: most often one of an order
    /// that finished before this run (a mass status reaches back past the restart), booked
    /// then, which is nothing to report. A fill the books lack, or of an order that was never
    /// the host's, is worth a warning.
    fn note_fill_of_no_working_order(&self, venue: &VenueId, fill: &FillReport) {
        let on_record = match (&self.store, &fill.trade_id) {
            (Some(store), Some(trade_id)) => store.fill_on_record(&fill.id, trade_id),
            _ => Ok(FillOnRecord::UnknownOrder),
        };
        match on_record {
            Ok(FillOnRecord::Booked) => {
                debug!(%venue, order_id = %fill.id, "a fill of an order finished before this run, booked then")
            }
            Ok(FillOnRecord::OrderOnly) => {
                warn!(%venue, order_id = %fill.id, trade_id = ?fill.trade_id, qty = %fill.qty, "the venue reports a fill of a finished order that the books do not have: it is not booked, the order being final")
            }
            Ok(FillOnRecord::UnknownOrder) => {
                warn!(%venue, order_id = %fill.id, "the venue reports a fill of an order the host does not know")
            }
            Err(e) => {
                warn!(%venue, order_id = %fill.id, error = %e, "cannot tell whether a fill of an order not working here was booked")
            }
        }
    }

    /// Applies an event without a fill; an update goes out if the public status changed.
    pub(super) fn apply_order_event(&mut self, id: &OrderId, event: OrderEvent, time_ms: TimeMs) {
        self.change_order(id, time_ms, Tell::OnStatusChange, |order| order.apply(event, time_ms));
    }

    /// Applies a confirmed amend; the strategy always hears of it (its remaining quantity or
    /// price changed, even when its status did not).
    /// `venue_order_id`: the venue's id of the order that replaced the one working, if the
    /// amend made a new one.
    fn apply_amend(
        &mut self,
        id: &OrderId,
        qty: Decimal,
        limit_price: Option<Decimal>,
        venue_order_id: Option<VenueOrderId>,
        time_ms: TimeMs,
    ) {
        self.change_order(id, time_ms, Tell::Always, |order| {
            order.amend(qty, limit_price, time_ms)?;
            if let Some(venue_order_id) = venue_order_id {
                order.renew_venue_order_id(venue_order_id);
            }
            Ok(())
        });
    }

    /// Changes an order through `change` (which refuses an invalid change before anything is
    /// written), persists it, counts a new final status, and tells the strategy per `tell`.
    fn change_order(
        &mut self,
        id: &OrderId,
        time_ms: TimeMs,
        tell: Tell,
        change: impl FnOnce(&mut crate::orders::Order) -> Result<(), crate::orders::OrderError>,
    ) {
        let Desk {
            blotter,
            store,
            outbox,
            counts,
            trading_state,
            ..
        } = self;
        let outcome = blotter.update(id, |order| -> Result<(), Ignored> {
            let before = order.status();
            change(order)?;
            if let Some(store) = store {
                if let Err(e) = store.update_order(order) {
                    halt_on_store_failure(trading_state, &e, order.id());
                }
            }
            let after = order.status();
            if after != before {
                if let Some(counts) = counts.get_mut(order.strategy()) {
                    counts.count_outcome(after);
                }
            }
            if after != before || tell == Tell::Always {
                outbox.update(update_for(order, None, time_ms), order);
            }
            Ok(())
        });
        report_ignored(id, outcome);
    }

    /// An update of an order whose status did not change, carrying `reason`.
    fn tell_strategy(&mut self, id: &OrderId, reason: Option<String>, time_ms: TimeMs) {
        if let Some(order) = self.blotter.get(id) {
            let mut update = update_for(order, None, time_ms);
            update.reason = reason;
            self.outbox.update(update, order);
        }
    }

    fn note_venue_order_id(&mut self, id: &OrderId, venue_order_id: VenueOrderId) {
        let Desk {
            blotter,
            store,
            trading_state,
            ..
        } = self;
        blotter.update(id, |order| {
            if order.venue_order_id().is_some() {
                return;
            }
            order.set_venue_order_id(venue_order_id);
            if let Some(store) = store {
                if let Err(e) = store.update_order(order) {
                    halt_on_store_failure(trading_state, &e, order.id());
                }
            }
        });
    }

    /// Whether the desk has booked this trade before: in memory for the latest, else in the
    /// book of record.
    fn seen(&mut self, key: &TradeKey) -> Seen {
        if self.trades.contains(key) {
            return Seen::Repeated;
        }
        let Some(store) = &self.store else {
            return Seen::New;
        };
        match store.has_trade(&key.0, &key.1, &key.2) {
            Ok(true) => Seen::Repeated,
            Ok(false) => Seen::New,
            Err(e) => {
                error!(venue = %key.0, trade_id = %key.2, error = %e, "cannot tell whether a fill was booked before; trading is halted and the fill is left for reconciliation");
                self.trading_state = TradingState::Halted;
                Seen::Unknown
            }
        }
    }

    /// Books a fill: recognized if repeated, checked against the order and the ledger,
    /// persisted, then applied to both, then reported to the strategy.
    pub(super) fn apply_fill(&mut self, report: FillReport) {
        let Some(order) = self.blotter.get(&report.id) else {
            warn!(order_id = %report.id, "a fill of an unknown order is ignored");
            return;
        };
        let symbol = order.request().symbol.clone();
        let key = report
            .trade_id
            .clone()
            .map(|trade_id| (order.venue().clone(), symbol.clone(), trade_id));
        if let Some(key) = &key {
            match self.seen(key) {
                Seen::New => {}
                Seen::Repeated => {
                    debug!(order_id = %report.id, trade_id = %key.2, "a repeated fill is ignored");
                    return;
                }
                Seen::Unknown => return,
            }
        }
        let fee = fee_in_quote(&report, &symbol).unwrap_or_else(|| {
            warn!(order_id = %report.id, fee = %report.fee, asset = ?report.fee_asset, "a fee in an asset other than the pair's cannot be valued: booked as zero (the venue's fee is kept with the fill)");
            Decimal::ZERO
        });
        if let Some(reason) = self.cash_shortfall(&report, fee) {
            let id = report.id;
            info!(order_id = %id, %reason, "a simulated buy is cancelled at its fill");
            self.apply_order_event(&id, OrderEvent::Cancelled { reason: Some(reason) }, report.known_ms);
            return;
        }
        let (mut report, mut fee, mut rest_cancelled) = (report, fee, None);
        match self.reduce_only_fill(&report) {
            ReduceOnlyFill::Whole => {}
            ReduceOnlyFill::Nothing(reason) => {
                info!(order_id = %report.id, %reason, "a simulated reduce-only order is cancelled at its fill");
                self.apply_order_event(
                    &report.id,
                    OrderEvent::Cancelled { reason: Some(reason) },
                    report.known_ms,
                );
                return;
            }
            ReduceOnlyFill::Part(qty) => {
                // The fee of the part booked, exactly: fee × part / whole.
                fee = fee
                    .checked_mul(qty)
                    .and_then(|f| f.checked_div(report.qty))
                    .unwrap_or(fee);
                rest_cancelled = Some(format!(
                    "{}: {qty} of a fill of {} reduced the position to zero; the rest is cancelled",
                    RiskCheck::ReduceOnly.code(),
                    report.qty
                ));
                report.qty = qty;
            }
        }
        let FillReport {
            id,
            trade_id,
            price,
            qty,
            fee: venue_fee,
            fee_asset,
            time_ms,
            known_ms,
        } = report;
        let Desk {
            blotter,
            store,
            ledger,
            outbox,
            counts,
            trading_state,
            ..
        } = self;
        let outcome = blotter.update(&id, |order| -> Result<(), Ignored> {
            let plan = order.plan_fill(qty, price)?;
            let request = order.request();
            let fill = Fill {
                order_id: order.id().clone(),
                strategy: order.strategy().clone(),
                symbol: request.symbol.clone(),
                side: request.side,
                price,
                qty,
                fee,
                time_ms,
                trade_id,
            };
            let book = ledger.book_mut(order.strategy()).ok_or(Ignored::NoBook)?;
            let effect = book.preview_fill(&fill)?;
            let before = order.status();
            order.commit_fill(plan, time_ms);
            if let Some(store) = store {
                let record = FillRecord {
                    fill: &fill,
                    seq: order.fill_count(),
                    order,
                    effect: &effect,
                    venue_fee: fee_asset.as_deref().map(|asset| (asset, venue_fee)),
                };
                if let Err(e) = store.record_fill(record) {
                    // The fill happened at the venue whatever the store says: book it, tell the
                    // strategy, and stop new orders until an operator looks.
                    halt_on_store_failure(trading_state, &e, order.id());
                }
            }
            book.commit(effect);
            let after = order.status();
            if let Some(counts) = counts.get_mut(order.strategy()) {
                counts.fills += 1;
                if after != before {
                    counts.count_outcome(after);
                }
            }
            // The strategy hears of it, and answers, as of when it is known.
            outbox.update(update_for(order, Some(fill), known_ms), order);
            outbox.event(|| DeskEvent::Position {
                strategy: order.strategy().clone(),
                venue: order.venue().clone(),
                position: book.position(&order.request().symbol),
                time_ms: known_ms,
            });
            Ok(())
        });
        let booked = matches!(outcome, Some(Ok(())));
        report_ignored(&id, outcome);
        if !booked {
            return;
        }
        let Some(order) = self.blotter.get(&id) else {
            return;
        };
        let (venue, strategy) = (order.venue().clone(), order.strategy().clone());
        self.reconciliations.fill_booked(&venue);
        if let Some(key) = key {
            self.trades.insert(key);
        }
        if let Some(reason) = rest_cancelled {
            info!(order_id = %id, %reason, "the rest of a simulated reduce-only order is cancelled at its fill");
            self.apply_order_event(&id, OrderEvent::Cancelled { reason: Some(reason) }, known_ms);
        }
        self.keep_reduce_only_within_position(&strategy, &symbol, known_ms);
    }
}

impl Desk {
    /// Why a simulated buy cannot be filled: its cost plus its fee is more than its strategy's
    /// cash. The simulator has no account of its own, the strategy's book is it, so the order
    /// is cancelled at the fill instead, as backtesting.py does; risk checked it only against
    /// the last price, and a market order fills at the next open. A live venue's fill has
    /// happened whatever the book says, and a sell needs no cash (risk decides whether it may
    /// open a short).
    fn cash_shortfall(&mut self, report: &FillReport, fee: Decimal) -> Option<String> {
        let order = self.blotter.get(&report.id)?;
        if order.request().side != Side::Buy {
            return None;
        }
        let (strategy, venue) = (order.strategy().clone(), order.venue().clone());
        if !self.venues.port(&venue).is_some_and(|port| port.is_simulated()) {
            return None;
        }
        let cash = self.ledger.book(&strategy)?.cash();
        let cost = report
            .price
            .checked_mul(report.qty)
            .and_then(|notional| notional.checked_add(fee));
        match cost {
            Some(cost) if cost <= cash => None,
            cost => Some(format!(
                "{}: a buy of {} at {} costs {} with its fee of {fee}, more than the cash of {cash}",
                RiskCheck::InsufficientCash.code(),
                report.qty,
                report.price,
                cost.map_or_else(|| "more than a decimal holds".to_owned(), |cost| cost.to_string()),
            )),
        }
    }
}

/// The fee in the pair's quote currency: as charged, or converted at the fill price when
/// charged in the base asset. `None` for any other asset.
fn fee_in_quote(report: &FillReport, symbol: &Symbol) -> Option<Decimal> {
    match report.fee_asset.as_deref() {
        None => Some(report.fee),
        Some(asset) if asset == symbol.quote() => Some(report.fee),
        Some(asset) if asset == symbol.base() => report.fee.checked_mul(report.price),
        Some(_) => None,
    }
}
