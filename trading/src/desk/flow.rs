//! [`Desk`] and its order flow: proposals in, orders out, executions back into the books.

use std::collections::BTreeMap;

use foldhash::HashMap;

use rust_decimal::Decimal;
use tracing::{error, info, warn};

use super::events::Outbox;
use super::guard::Guards;
use super::instruments::Instruments;
use super::reconcile::Reconciliations;
use super::trade_log::TradeLog;
use super::venues::Venues;
use crate::brokers::{AmendOrder, ExecutionPort, NewOrder, PortError, VenueEvent};
use crate::desk::{AmendError, CancelError, DeskConfig, DeskError, DeskEvent, OrderCounts, OrderNotice, Reject};
use crate::ledger::{Book, BookStore, Ledger, LedgerError, StoreError};
use crate::market::{MarketEvent, Side, Symbol, TimeMs};
use crate::orders::{
    Blotter, Fill, Order, OrderError, OrderEvent, OrderId, OrderIdGen, OrderRequest, OrderState, OrderStatus,
    OrderUpdate, StrategyId, VenueId,
};
use crate::risk::{self, OrderRate, RiskContext, RiskLimits, RiskRefusal, TradingState};

/// The one place where a strategy's proposal becomes an order.
///
/// Everything is synchronous: a call returns once its consequences (risk, persistence, broker
/// calls, executions the broker reported meanwhile) are applied, and the order updates they
/// produced wait in [`Desk::drain_updates`].
pub struct Desk {
    pub(super) limits: RiskLimits,
    pub(super) trading_state: TradingState,
    /// The operator's word for single strategies (the control API), beside the desk's.
    pub(super) strategy_states: BTreeMap<StrategyId, TradingState>,
    ids: OrderIdGen,
    pub(super) venues: Venues,
    pub(super) store: Option<Box<dyn BookStore>>,
    pub(super) trades: TradeLog,
    pub(super) ledger: Ledger,
    pub(super) blotter: Blotter,
    pub(super) counts: HashMap<StrategyId, OrderCounts>,
    /// Each strategy's recent orders, for [`RiskLimits::max_orders_per_second`].
    rates: HashMap<StrategyId, OrderRate>,
    /// The order updates, and the events of the host's stream, until the host drains them.
    pub(super) outbox: Outbox,
    /// Reused for every batch of venue events, so a market event that causes none allocates nothing.
    events: Vec<VenueEvent>,
    /// Symbols whose market data has stopped flowing, per venue: risk refuses new orders on them.
    pub(super) stale: foldhash::HashSet<(VenueId, Symbol)>,
    /// The venues' increments and minimums: risk rounds orders onto them.
    pub(super) instruments: Instruments,
    /// The latest time the desk has been told of (calls and market events), for writes that
    /// come without a time of their own.
    pub(super) now_ms: TimeMs,
    /// Each live venue's reconciliation: the pass under way and the latest report.
    pub(super) reconciliations: Reconciliations,
    /// The loss limits' state of every strategy and venue account.
    pub(super) guards: Guards,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("venues", &self.venues.names().collect::<Vec<_>>())
            .field("trading_state", &self.trading_state)
            .field("store", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

/// Why an execution was ignored (logged, never raised: the venue's word cannot be refused).
#[derive(Debug, thiserror::Error)]
pub(super) enum Ignored {
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("the order's strategy has no book")]
    NoBook,
}

impl Desk {
    /// A desk trading through `port` (more venues join with [`Desk::add_venue`]). With a
    /// `store`, every order and fill is written to it before it is acted on; without one
    /// (backtests) nothing is written anywhere.
    ///
    /// # Errors
    ///
    /// [`DeskError::InvalidPrefix`] or [`DeskError::InvalidLimits`] for a bad config.
    pub fn new(
        config: DeskConfig,
        port: Box<dyn ExecutionPort>,
        store: Option<Box<dyn BookStore>>,
    ) -> Result<Self, DeskError> {
        config.limits.validate()?;
        let ids = OrderIdGen::new(&config.order_id_prefix)?;
        let guards = Guards::load(store.as_deref())?;
        Ok(Self {
            limits: config.limits,
            trading_state: config.trading_state,
            strategy_states: BTreeMap::new(),
            ids,
            venues: Venues::new(port),
            store,
            trades: TradeLog::default(),
            ledger: Ledger::new(),
            blotter: Blotter::new(),
            counts: HashMap::default(),
            rates: HashMap::default(),
            outbox: Outbox::default(),
            events: Vec::new(),
            stale: foldhash::HashSet::default(),
            instruments: Instruments::default(),
            now_ms: 0,
            reconciliations: Reconciliations::default(),
            guards,
        })
    }

    /// Adds a venue: strategies bound to it (see [`Desk::register_strategy_on`]) trade there.
    ///
    /// # Errors
    ///
    /// [`DeskError::DuplicateVenue`] when the desk has a venue of that name.
    pub fn add_venue(&mut self, port: Box<dyn ExecutionPort>) -> Result<(), DeskError> {
        self.venues.add(port)
    }

    /// Opens a book for `strategy` with `initial_cash`. Idempotent: a strategy that already has
    /// a book at this desk keeps it. With a store, a book stored by an earlier run is reloaded
    /// instead (and `initial_cash` ignored), so a restart continues the same books (a live host
    /// reloads every book and working order first, with [`Desk::restore`]).
    ///
    /// # Errors
    ///
    /// [`DeskError::InvalidInitialCash`] for negative cash, [`DeskError::Store`] when the store
    /// cannot be read or written.
    pub fn register_strategy(&mut self, strategy: &StrategyId, initial_cash: Decimal) -> Result<(), DeskError> {
        self.register_strategy_on(strategy, None, initial_cash)
    }

    /// [`Desk::register_strategy`] on a named venue (`None`: the desk's first one). A strategy
    /// keeps the venue it was first registered on.
    ///
    /// # Errors
    ///
    /// [`DeskError::UnknownVenue`] when the desk has no such venue, and the errors of
    /// [`Desk::register_strategy`].
    pub fn register_strategy_on(
        &mut self,
        strategy: &StrategyId,
        venue: Option<&VenueId>,
        initial_cash: Decimal,
    ) -> Result<(), DeskError> {
        self.venues.bind(strategy, venue)?;
        if self.ledger.book(strategy).is_some() {
            return Ok(());
        }
        if initial_cash < Decimal::ZERO {
            return Err(DeskError::InvalidInitialCash {
                strategy: strategy.clone(),
                cash: initial_cash,
            });
        }
        let book = match &mut self.store {
            Some(store) => match store.load_book(strategy)? {
                Some(book) => {
                    info!(%strategy, cash = %book.cash(), "book reloaded from the store");
                    book
                }
                None => {
                    let book = Book::new(strategy.clone(), initial_cash);
                    store.create_book(&book, self.now_ms)?;
                    book
                }
            },
            None => Book::new(strategy.clone(), initial_cash),
        };
        self.ledger.open_book(book);
        self.counts.entry(strategy.clone()).or_default();
        Ok(())
    }

    /// Proposes an order: risk, then the intent is persisted, then the broker gets it, then
    /// whatever the broker reports is applied.
    ///
    /// `Ok(id)` means the order exists. Its fate arrives as order updates, including a
    /// refusal during this very call: a port that could not send it ([`PortError`]: nothing
    /// left the host) makes it `Rejected` at once. An order that was sent but whose answer
    /// never comes stays open (in flight) until the port settles it by a query: it is never
    /// rejected on a guess, and never sent again.
    ///
    /// # Errors
    ///
    /// A [`Reject`] when risk refuses the request (no order exists then). When the intent
    /// cannot be persisted, the desk halts itself (it cannot trade without its book of
    /// record) and the request is refused as `trading_halted`.
    pub fn place_order(
        &mut self,
        strategy: &StrategyId,
        request: OrderRequest,
        now_ms: TimeMs,
    ) -> Result<OrderId, Reject> {
        self.observe(now_ms);
        let approved = match self.approve(strategy, request) {
            Ok(approved) => approved,
            Err(refusal) => {
                if let Some(counts) = self.counts.get_mut(strategy) {
                    counts.count_refusal(refusal.check());
                }
                return Err(refusal.into());
            }
        };
        self.rates.entry(strategy.clone()).or_default().record(self.now_ms);
        let venue = self.venues.venue_of(strategy).clone();
        let order = Order::new(self.ids.next_id(), strategy.clone(), venue.clone(), approved, now_ms);
        if let Some(store) = &mut self.store {
            if let Err(e) = store.insert_order(&order) {
                halt_on_store_failure(&mut self.trading_state, &e, order.id());
                if let Some(counts) = self.counts.get_mut(strategy) {
                    counts.count_refusal(RiskRefusal::TradingHalted.check());
                }
                return Err(Reject {
                    check: RiskRefusal::TradingHalted.check(),
                    message: format!("the order could not be recorded, so trading is halted: {e}"),
                });
            }
        }
        let request = order.request();
        let new_order = NewOrder {
            id: order.id().clone(),
            symbol: request.symbol.clone(),
            side: request.side,
            qty: request.qty,
            order_type: request.order_type,
            time_in_force: request.time_in_force,
            post_only: request.post_only,
            time_ms: now_ms,
        };
        let id = order.id().clone();
        // Its strategy learns of the order from this call's answer; the stream hears of it
        // here, once it is in the book of record, before anything the venue says about it.
        self.outbox
            .event(|| DeskEvent::Order(Box::new(OrderNotice::of(&order, None, now_ms))));
        self.blotter.insert(order);
        if let Some(counts) = self.counts.get_mut(strategy) {
            counts.placed += 1;
        }
        let sent = match self.venues.port(&venue) {
            Some(port) => port.submit(new_order),
            None => Err(PortError::NotSent(format!("venue {venue} is not set up"))),
        };
        if let Err(e) = sent {
            let reason = e.to_string();
            self.apply_order_event(&id, OrderEvent::Rejected { reason }, now_ms);
        }
        self.poll();
        Ok(id)
    }

    /// Asks the venue to change one of `strategy`'s working orders in place: its quantity (the
    /// filled part included) and, for a limit order, its price (`None` keeps it). The change
    /// is checked by risk as if the order were new, and rounded onto the venue's instrument
    /// like a new order (the whole quantity, filled part included); it takes effect when the
    /// venue confirms it, as an update of the order.
    ///
    /// # Errors
    ///
    /// [`AmendError`] when there is no such working order, risk refuses the amended order, or
    /// the port did not send the request.
    pub fn amend_order(
        &mut self,
        strategy: &StrategyId,
        id: &OrderId,
        qty: Decimal,
        limit_price: Option<Decimal>,
        now_ms: TimeMs,
    ) -> Result<(), AmendError> {
        self.observe(now_ms);
        let order = match self.blotter.get(id) {
            Some(order) if order.strategy() == strategy => order,
            _ => return Err(AmendError::UnknownOrder { id: id.clone() }),
        };
        if !order.is_working() {
            return Err(AmendError::NotWorking {
                id: id.clone(),
                status: order.status(),
            });
        }
        let mut amended = order.request().clone();
        amended.qty = qty - order.filled_qty();
        if let Some(order_type) = limit_price.and_then(|price| amended.order_type.with_limit_price(price)) {
            amended.order_type = order_type;
        }
        let venue = order.venue().clone();
        let symbol = amended.symbol.clone();
        let book = self
            .ledger
            .book(strategy)
            .ok_or(AmendError::UnknownOrder { id: id.clone() })?;
        let filled_qty = order.filled_qty();
        let ctx = RiskContext {
            filled_qty,
            ..self.risk_context(book, &symbol, Some(id))
        };
        let approved = match risk::check(&self.limits, self.trading_state_of(strategy), amended, &ctx) {
            Ok(approved) => approved.into_inner(),
            Err(refusal) => {
                if let Some(counts) = self.counts.get_mut(strategy) {
                    counts.count_refusal(refusal.check());
                }
                return Err(AmendError::Refused(refusal.into()));
            }
        };
        self.rates.entry(strategy.clone()).or_default().record(self.now_ms);
        // A kept price stays the one the venue holds: only a new price is sent, rounded. A
        // price for a market order goes as asked, for the venue to refuse.
        let limit_price = match approved.order_type.limit_price() {
            Some(price) => limit_price.map(|_| price),
            None => limit_price,
        };
        let request = AmendOrder {
            id: id.clone(),
            symbol,
            qty: approved.qty + filled_qty,
            limit_price,
            filled_qty,
            time_ms: now_ms,
        };
        let port = self.venues.port(&venue).ok_or_else(|| AmendError::Port {
            id: id.clone(),
            source: PortError::NotSent(format!("venue {venue} is not set up")),
        })?;
        port.amend(request)
            .map_err(|source| AmendError::Port { id: id.clone(), source })?;
        self.poll();
        Ok(())
    }

    /// Asks the venue where one order stands; its answer settles an order whose outcome is
    /// unknown. Operators and reconciliation use it; strategies cannot.
    ///
    /// # Errors
    ///
    /// [`PortError`] when the request did not leave the host, or the order is not the desk's.
    pub fn query_order(&mut self, id: &OrderId, now_ms: TimeMs) -> Result<(), PortError> {
        self.observe(now_ms);
        let (venue, symbol) = self
            .blotter
            .get(id)
            .map(|order| (order.venue().clone(), order.request().symbol.clone()))
            .ok_or_else(|| PortError::NotSent(format!("order {id} is not the desk's")))?;
        let port = self
            .venues
            .port(&venue)
            .ok_or_else(|| PortError::NotSent(format!("venue {venue} is not set up")))?;
        port.query_order(id, &symbol, now_ms)?;
        self.poll();
        Ok(())
    }

    /// Asks `venue` for its open orders and fills since `since_ms`; the answer reconciles the
    /// desk's working orders with the venue's (see [`crate::brokers::MassStatus`]).
    ///
    /// # Errors
    ///
    /// [`PortError`] when the request did not leave the host or the venue is unknown.
    pub fn request_mass_status(&mut self, venue: &VenueId, since_ms: TimeMs) -> Result<(), PortError> {
        let port = self
            .venues
            .port(venue)
            .ok_or_else(|| PortError::NotSent(format!("venue {venue} is not set up")))?;
        port.mass_status(since_ms)?;
        self.poll();
        Ok(())
    }

    /// Asks the broker to cancel one of `strategy`'s orders. Cancelling an order whose cancel
    /// is already pending does nothing and succeeds.
    ///
    /// # Errors
    ///
    /// [`CancelError::UnknownOrder`] when the strategy has no such order,
    /// [`CancelError::AlreadyTerminal`] when it is filled, cancelled or rejected,
    /// [`CancelError::Broker`] when the broker does not take the request.
    pub fn cancel_order(&mut self, strategy: &StrategyId, id: &OrderId, now_ms: TimeMs) -> Result<(), CancelError> {
        self.observe(now_ms);
        let order = match self.blotter.get(id) {
            Some(order) if order.strategy() == strategy => order,
            _ => return Err(CancelError::UnknownOrder { id: id.clone() }),
        };
        match order.state() {
            state if state.is_terminal() => {
                return Err(CancelError::AlreadyTerminal {
                    id: id.clone(),
                    status: order.status(),
                })
            }
            OrderState::PendingCancel { .. } => return Ok(()),
            _ => {}
        }
        let venue = order.venue().clone();
        let port = self.venues.port(&venue).ok_or_else(|| CancelError::Port {
            id: id.clone(),
            source: PortError::NotSent(format!("venue {venue} is not set up")),
        })?;
        port.cancel(id, now_ms)
            .map_err(|source| CancelError::Port { id: id.clone(), source })?;
        self.apply_order_event(id, OrderEvent::CancelRequested { time_ms: now_ms }, now_ms);
        self.poll();
        Ok(())
    }

    /// Cancels every working order of `strategy`, oldest first. Returns how many are now
    /// being (or have been) cancelled; one the broker refused is logged and not counted.
    pub fn cancel_all(&mut self, strategy: &StrategyId, now_ms: TimeMs) -> usize {
        let mut cancelled = 0;
        for id in self.blotter.working_ids(strategy) {
            match self.cancel_order(strategy, &id, now_ms) {
                Ok(()) => cancelled += 1,
                // Filled or cancelled by executions applied during an earlier cancel of this loop.
                Err(CancelError::AlreadyTerminal { .. }) => {}
                Err(e) => {
                    warn!(%strategy, order_id = %id, error = %e, "cancel-all could not cancel an order")
                }
            }
        }
        cancelled
    }

    /// Marks prices, lets every port see the event (the simulator matches working orders),
    /// and applies what they report.
    ///
    /// When nothing happens this allocates nothing and does no I/O: a mark update, two
    /// calls per port, and the simulator's own matching.
    pub fn on_market_event(&mut self, event: &MarketEvent) {
        self.on_market_event_from(None, event);
    }

    /// [`Desk::on_market_event`] for an event of the live venue `from`: only that venue's port
    /// sees it, so a simulated venue fills on its own venue's prints, never on another venue's
    /// market in the same symbol. `None`: every port (a replay has one source).
    pub fn on_market_event_from(&mut self, from: Option<&VenueId>, event: &MarketEvent) {
        self.observe(event.time_ms());
        if let Some(price) = event.mark_price() {
            self.ledger.mark(from, event.symbol(), price);
        }
        let mut events = std::mem::take(&mut self.events);
        for port in self.venues.ports_mut() {
            if from.is_none_or(|venue| port.venue() == venue) {
                port.on_market_event(event, &mut events);
            }
            port.poll(&mut events);
        }
        self.apply_venue_events(&mut events);
        self.events = events;
        self.watch_losses();
    }

    /// Applies whatever the venues reported since the last call. The driver of live venues
    /// calls it when their doorbell rings; the desk calls it after every request.
    pub fn poll(&mut self) {
        let mut events = std::mem::take(&mut self.events);
        for port in self.venues.ports_mut() {
            port.poll(&mut events);
        }
        self.apply_venue_events(&mut events);
        self.events = events;
        self.watch_losses();
    }

    /// Stops trading on every venue for a clean shutdown (see [`ExecutionPort::close`]),
    /// waiting at most `within` for each, then applies what they reported on the way.
    pub fn close_venues(&mut self, within: std::time::Duration) {
        for port in self.venues.ports_mut() {
            port.close(within);
        }
        self.poll();
    }

    /// Marks `symbol`'s market data on `venue` stale (or flowing again). While it is stale, new
    /// orders and amends on it are refused with `stale_market_data`; cancels still go.
    pub fn set_market_data_stale(&mut self, venue: &VenueId, symbol: &Symbol, stale: bool) {
        let key = (venue.clone(), symbol.clone());
        let changed = if stale {
            self.stale.insert(key)
        } else {
            self.stale.remove(&key)
        };
        if changed {
            if stale {
                warn!(%venue, %symbol, "market data is stale: new orders on it are refused");
            } else {
                info!(%venue, %symbol, "market data flows again");
            }
        }
    }

    /// Sets what strategies may do from now on. Working orders are left alone.
    pub fn set_trading_state(&mut self, state: TradingState) {
        if state != self.trading_state {
            info!(
                from = self.trading_state.as_str(),
                to = state.as_str(),
                "trading state changed"
            );
            self.trading_state = state;
        }
    }

    fn observe(&mut self, time_ms: TimeMs) {
        self.now_ms = self.now_ms.max(time_ms);
    }

    fn approve(
        &self,
        strategy: &StrategyId,
        request: OrderRequest,
    ) -> Result<risk::RiskApproved<OrderRequest>, RiskRefusal> {
        let book = self.ledger.book(strategy).ok_or(RiskRefusal::UnknownStrategy)?;
        let ctx = self.risk_context(book, &request.symbol, None);
        risk::check(&self.limits, self.trading_state_of(strategy), request, &ctx)
    }

    /// What risk needs to know: O(working orders of the strategy), which the open-order limit
    /// bounds. An order being amended (`excluding`) is left out: the amended one replaces it.
    fn risk_context(&self, book: &Book, symbol: &Symbol, excluding: Option<&OrderId>) -> RiskContext {
        let venue = self.venues.venue_of(book.strategy());
        let marks = self.ledger.marks_on(venue);
        let mut ctx = RiskContext {
            position: book.holding(symbol).map_or(Decimal::ZERO, |h| h.qty()),
            cash: book.cash(),
            last_price: marks.get(symbol),
            market_data_stale: !self.stale.is_empty() && self.stale.contains(&(venue.clone(), symbol.clone())),
            instrument: self.instruments.get(venue, symbol).copied(),
            breach: self.breach_of(book.strategy(), venue),
            orders_in_window: self
                .rates
                .get(book.strategy())
                .map_or(0, |rate| rate.in_window(self.now_ms)),
            ..RiskContext::default()
        };
        self.add_account_exposure(&mut ctx, venue, symbol, excluding);
        for order in self.blotter.working(book.strategy()) {
            if Some(order.id()) == excluding {
                continue;
            }
            let request = order.request();
            let remaining = order.remaining_qty();
            ctx.open_orders += 1;
            if request.symbol == *symbol {
                match request.side {
                    Side::Buy => ctx.open_buy_qty = ctx.open_buy_qty.saturating_add(remaining),
                    Side::Sell => ctx.open_sell_qty = ctx.open_sell_qty.saturating_add(remaining),
                }
                if request.side == Side::Sell && request.reduce_only {
                    ctx.open_reduce_only_sell_qty = ctx.open_reduce_only_sell_qty.saturating_add(remaining);
                }
            }
            ctx.committed_cash = ctx.committed_cash.saturating_add(self.cash_reserved_by(order));
        }
        ctx
    }

    /// The cash a working order holds back from new buys: a buy's remaining quantity at its
    /// limit price (the mark for a market buy), fee included; nothing for a sell. Risk's cash
    /// rule and the account view's buying power both count it this way.
    pub(super) fn cash_reserved_by(&self, order: &Order) -> Decimal {
        let request = order.request();
        if request.side != Side::Buy {
            return Decimal::ZERO;
        }
        let price = risk::order_price(request.order_type).unwrap_or_else(|| {
            self.ledger
                .marks_on(order.venue())
                .get(&request.symbol)
                .unwrap_or(Decimal::ZERO)
        });
        let reserve_rate = Decimal::ONE.saturating_add(self.limits.fee_rate);
        order.remaining_qty().saturating_mul(price).saturating_mul(reserve_rate)
    }
}

impl Desk {
    /// The venue account's position and working orders in `symbol`: every strategy bound to
    /// `venue` together. O(books + working orders); a desk holds a few strategies.
    fn add_account_exposure(
        &self,
        ctx: &mut RiskContext,
        venue: &VenueId,
        symbol: &Symbol,
        excluding: Option<&OrderId>,
    ) {
        for book in self.ledger.books() {
            if self.venues.venue_of(book.strategy()) == venue {
                if let Some(holding) = book.holding(symbol) {
                    ctx.account_position = ctx.account_position.saturating_add(holding.qty());
                }
            }
        }
        for order in self.blotter.all_working() {
            if order.venue() != venue || order.request().symbol != *symbol || Some(order.id()) == excluding {
                continue;
            }
            let remaining = order.remaining_qty();
            match order.request().side {
                Side::Buy => ctx.account_open_buy_qty = ctx.account_open_buy_qty.saturating_add(remaining),
                Side::Sell => ctx.account_open_sell_qty = ctx.account_open_sell_qty.saturating_add(remaining),
            }
        }
    }
}

pub(super) fn update_for(order: &Order, fill: Option<Fill>, time_ms: TimeMs) -> OrderUpdate {
    let request = order.request();
    OrderUpdate {
        order_id: order.id().clone(),
        strategy: order.strategy().clone(),
        tag: request.tag.clone(),
        symbol: request.symbol.clone(),
        side: request.side,
        status: order.status(),
        filled_qty: order.filled_qty(),
        remaining_qty: match order.status() {
            // Nothing of a finished order is left to trade, whatever did not fill.
            OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected => Decimal::ZERO,
            OrderStatus::Open | OrderStatus::PartiallyFilled => order.remaining_qty(),
        },
        fill,
        reason: order.state().reason().map(str::to_owned),
        time_ms,
    }
}

pub(super) fn report_ignored(id: &OrderId, outcome: Option<Result<(), Ignored>>) {
    match outcome {
        None => warn!(order_id = %id, "execution for an unknown order ignored"),
        Some(Err(e)) => warn!(order_id = %id, error = %e, "execution ignored"),
        Some(Ok(())) => {}
    }
}

pub(super) fn halt_on_store_failure(trading_state: &mut TradingState, error: &StoreError, id: &OrderId) {
    error!(order_id = %id, %error, "the book of record could not be written; trading is halted");
    *trading_state = TradingState::Halted;
}
