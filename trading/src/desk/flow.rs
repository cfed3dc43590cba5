//! [`Desk`] and its order flow: proposals in, orders out, executions back into the books.

use foldhash::HashMap;

use rust_decimal::Decimal;
use tracing::{error, info, warn};

use crate::brokers::{Broker, BrokerError, Execution, NewOrder};
use crate::desk::{CancelError, DeskConfig, DeskError, OrderCounts, Reject};
use crate::ledger::{Book, BookStore, FillRecord, Ledger, LedgerError, StoreError};
use crate::market::{MarketEvent, Side, Symbol, TimeMs};
use crate::orders::{
    Blotter, Fill, Order, OrderError, OrderEvent, OrderId, OrderIdGen, OrderRequest, OrderState, OrderStatus,
    OrderType, OrderUpdate, StrategyId,
};
use crate::risk::{self, RiskContext, RiskLimits, RiskRefusal, TradingState};

/// The one place where a strategy's proposal becomes an order.
///
/// Everything is synchronous: a call returns once its consequences (risk, persistence, broker
/// calls, executions the broker reported meanwhile) are applied, and the order updates they
/// produced wait in [`Desk::drain_updates`].
pub struct Desk {
    pub(super) limits: RiskLimits,
    pub(super) trading_state: TradingState,
    ids: OrderIdGen,
    pub(super) broker: Box<dyn Broker>,
    pub(super) store: Option<Box<dyn BookStore>>,
    pub(super) ledger: Ledger,
    pub(super) blotter: Blotter,
    pub(super) counts: HashMap<StrategyId, OrderCounts>,
    updates: Vec<OrderUpdate>,
    /// Reused for every batch of executions, so a market event that causes none allocates nothing.
    executions: Vec<Execution>,
    /// The latest time the desk has been told of (calls and market events), for writes that
    /// come without a time of their own.
    pub(super) now_ms: TimeMs,
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk")
            .field("broker", &self.broker.name())
            .field("trading_state", &self.trading_state)
            .field("store", &self.store.is_some())
            .finish_non_exhaustive()
    }
}

/// Why an execution was ignored (logged, never raised: the venue's word cannot be refused).
#[derive(Debug, thiserror::Error)]
enum Ignored {
    #[error(transparent)]
    Order(#[from] OrderError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("the order's strategy has no book")]
    NoBook,
}

impl Desk {
    /// A desk trading through `broker`. With a `store`, every order and fill is written to it
    /// before it is acted on; without one (backtests) nothing is written anywhere.
    ///
    /// # Errors
    ///
    /// [`DeskError::InvalidPrefix`] or [`DeskError::InvalidLimits`] for a bad config.
    pub fn new(
        config: DeskConfig,
        broker: Box<dyn Broker>,
        store: Option<Box<dyn BookStore>>,
    ) -> Result<Self, DeskError> {
        config.limits.validate()?;
        let ids = OrderIdGen::new(&config.order_id_prefix)?;
        Ok(Self {
            limits: config.limits,
            trading_state: config.trading_state,
            ids,
            broker,
            store,
            ledger: Ledger::new(),
            blotter: Blotter::new(),
            counts: HashMap::default(),
            updates: Vec::new(),
            executions: Vec::new(),
            now_ms: 0,
        })
    }

    /// Opens a book for `strategy` with `initial_cash`. Idempotent: a strategy that already has
    /// a book at this desk keeps it. With a store, a book stored by an earlier run is reloaded
    /// instead (and `initial_cash` ignored), so a restart continues the same books; its working
    /// orders are left for reconciliation with the venue, which comes with live brokers.
    ///
    /// # Errors
    ///
    /// [`DeskError::InvalidInitialCash`] for negative cash, [`DeskError::Store`] when the store
    /// cannot be read or written.
    pub fn register_strategy(&mut self, strategy: &StrategyId, initial_cash: Decimal) -> Result<(), DeskError> {
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
    /// refusal by the broker during this very call: the order becomes `Rejected` and its
    /// strategy gets an update. A broker that cannot be reached (`BrokerError::Connectivity`)
    /// is treated the same way for now, with a reason saying so; retrying comes with live
    /// venues (and must then reconcile, since the venue may have received the order).
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
        let order = Order::new(self.ids.next_id(), strategy.clone(), approved, now_ms);
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
            time_ms: now_ms,
        };
        let id = order.id().clone();
        self.blotter.insert(order);
        if let Some(counts) = self.counts.get_mut(strategy) {
            counts.placed += 1;
        }
        if let Err(e) = self.broker.submit(new_order) {
            let reason = match e {
                BrokerError::Rejected(reason) => reason,
                BrokerError::Connectivity(reason) => {
                    format!("the broker could not be reached: {reason}")
                }
            };
            self.apply_order_event(&id, OrderEvent::Rejected { reason }, now_ms);
        }
        self.poll();
        Ok(id)
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
        self.broker
            .cancel(id, now_ms)
            .map_err(|source| CancelError::Broker { id: id.clone(), source })?;
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

    /// Marks prices, lets the broker match working orders, and applies what it reports.
    ///
    /// When nothing happens this allocates nothing and does no I/O: a mark update, two
    /// broker calls, and the broker's own matching.
    pub fn on_market_event(&mut self, event: &MarketEvent) {
        self.observe(event.time_ms());
        self.ledger.mark(event.symbol(), event.mark_price());
        let mut executions = std::mem::take(&mut self.executions);
        self.broker.on_market_event(event, &mut executions);
        self.broker.poll(&mut executions);
        self.apply_executions(&mut executions);
        self.executions = executions;
    }

    /// Applies whatever the broker has reported since the last call. Drivers of live brokers
    /// call it when no market event is due; the desk calls it after every request.
    pub fn poll(&mut self) {
        let mut executions = std::mem::take(&mut self.executions);
        self.broker.poll(&mut executions);
        self.apply_executions(&mut executions);
        self.executions = executions;
    }

    /// Whether order updates wait in [`Desk::drain_updates`].
    pub fn has_updates(&self) -> bool {
        !self.updates.is_empty()
    }

    /// Moves the order updates produced so far into `out`, in the order they happened.
    pub fn drain_updates(&mut self, out: &mut Vec<OrderUpdate>) {
        out.append(&mut self.updates);
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
        let ctx = self.risk_context(book, &request.symbol);
        risk::check(&self.limits, self.trading_state, request, &ctx)
    }

    /// What risk needs to know: O(working orders of the strategy), which the open-order limit bounds.
    fn risk_context(&self, book: &Book, symbol: &Symbol) -> RiskContext {
        let marks = self.ledger.marks();
        let mut ctx = RiskContext {
            position: book.holding(symbol).map_or(Decimal::ZERO, |h| h.qty()),
            cash: book.cash(),
            last_price: marks.get(symbol),
            ..RiskContext::default()
        };
        let reserve_rate = Decimal::ONE.saturating_add(self.limits.fee_rate);
        for order in self.blotter.working(book.strategy()) {
            let request = order.request();
            let remaining = order.remaining_qty();
            ctx.open_orders += 1;
            if request.symbol == *symbol {
                match request.side {
                    Side::Buy => ctx.open_buy_qty = ctx.open_buy_qty.saturating_add(remaining),
                    Side::Sell => ctx.open_sell_qty = ctx.open_sell_qty.saturating_add(remaining),
                }
            }
            if request.side == Side::Buy {
                let price = match request.order_type {
                    OrderType::Limit(price) => price,
                    OrderType::Market => marks.get(&request.symbol).unwrap_or(Decimal::ZERO),
                };
                let reserved = remaining.saturating_mul(price).saturating_mul(reserve_rate);
                ctx.committed_cash = ctx.committed_cash.saturating_add(reserved);
            }
        }
        ctx
    }

    fn apply_executions(&mut self, executions: &mut Vec<Execution>) {
        for execution in executions.drain(..) {
            match execution {
                Execution::Accepted { id, time_ms } => self.apply_order_event(&id, OrderEvent::Accepted, time_ms),
                Execution::Rejected { id, reason, time_ms } => {
                    self.apply_order_event(&id, OrderEvent::Rejected { reason }, time_ms)
                }
                Execution::Cancelled { id, reason, time_ms } => {
                    self.apply_order_event(&id, OrderEvent::Cancelled { reason }, time_ms)
                }
                Execution::Filled {
                    id,
                    price,
                    qty,
                    fee,
                    time_ms,
                } => self.apply_fill(&id, price, qty, fee, time_ms),
            }
        }
    }

    /// Applies an event without a fill; an update goes out if the public status changed.
    fn apply_order_event(&mut self, id: &OrderId, event: OrderEvent, time_ms: TimeMs) {
        let Desk {
            blotter,
            store,
            updates,
            counts,
            trading_state,
            ..
        } = self;
        let outcome = blotter.update(id, |order| -> Result<(), Ignored> {
            let before = order.status();
            order.apply(event, time_ms)?;
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
                updates.push(update_for(order, None, time_ms));
            }
            Ok(())
        });
        report_ignored(id, outcome);
    }

    /// Books a fill: checked against the order and the ledger, persisted, then applied to
    /// both, then reported to the strategy.
    fn apply_fill(&mut self, id: &OrderId, price: Decimal, qty: Decimal, fee: Decimal, time_ms: TimeMs) {
        let Desk {
            blotter,
            store,
            ledger,
            updates,
            counts,
            trading_state,
            ..
        } = self;
        let outcome = blotter.update(id, |order| -> Result<(), Ignored> {
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
            updates.push(update_for(order, Some(fill), time_ms));
            Ok(())
        });
        report_ignored(id, outcome);
    }
}

fn update_for(order: &Order, fill: Option<Fill>, time_ms: TimeMs) -> OrderUpdate {
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

fn report_ignored(id: &OrderId, outcome: Option<Result<(), Ignored>>) {
    match outcome {
        None => warn!(order_id = %id, "execution for an unknown order ignored"),
        Some(Err(e)) => warn!(order_id = %id, error = %e, "execution ignored"),
        Some(Ok(())) => {}
    }
}

fn halt_on_store_failure(trading_state: &mut TradingState, error: &StoreError, id: &OrderId) {
    error!(order_id = %id, %error, "the book of record could not be written; trading is halted");
    *trading_state = TradingState::Halted;
}
