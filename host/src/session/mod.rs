//! The trading session: the one event loop that takes market events, lets the desk (broker,
//! orders, ledger) react first, then hands each event to every subscribed strategy and routes
//! the order updates that result back to the strategies that own them.
//!
//! Backtests, paper trading and live venues run this same loop; they differ only in where
//! events come from and how fast ([`backtest`], [`paper`], [`live`]).
//!
//! Invariants:
//! 1. Order updates reach their strategy before the next market event does.
//! 2. Within one event, strategies are called in the order they were added, so a run is
//!    reproducible.
//! 3. The updates an event caused at the desk reach a strategy before the event, and what
//!    answering them caused after it, as in a paper strategy's mailbox; the clock a strategy
//!    answers an update by is the update's time (when it became known), so backtest and paper
//!    stamp the same orders with the same times.

pub mod backtest;
mod books;
mod hosted;
pub mod live;
pub mod paper;
mod record;
mod replay;
mod status;
mod unserved;

use std::collections::HashMap;

use trading::market::MarketEvent;
use trading::orders::{OrderUpdate, StrategyId};

use crate::runtime::{lock_desk, Clock, Decision, Runner, SessionShared, SharedDesk};

pub use hosted::Hosted;
pub use replay::Settled;
pub use status::{BrokerStatus, FeedStatus, LoadFailure, ReloadStatus, StatusBoard, StrategyStatus};

pub struct Session {
    desk: SharedDesk,
    shared: SessionShared,
    runners: Vec<Runner>,
    index: HashMap<StrategyId, usize>,
    updates: Vec<OrderUpdate>,
    /// Updates caused by answering the ones an event caused, each waiting for its strategy to
    /// have handled that event.
    held: Vec<OrderUpdate>,
    decision_log: Option<Box<dyn FnMut(Decision) + Send>>,
}

impl Session {
    pub fn new(desk: SharedDesk, shared: SessionShared) -> Self {
        Self {
            desk,
            shared,
            runners: Vec::new(),
            index: HashMap::new(),
            updates: Vec::new(),
            held: Vec::new(),
            decision_log: None,
        }
    }

    /// Where emitted decisions go (the paper session keeps the latest for `/status`).
    pub fn on_decision(&mut self, sink: impl FnMut(Decision) + Send + 'static) {
        self.decision_log = Some(Box::new(sink));
    }

    pub fn add_runner(&mut self, runner: Runner) {
        self.index.insert(runner.context().strategy.clone(), self.runners.len());
        self.runners.push(runner);
    }

    pub fn runners(&self) -> &[Runner] {
        &self.runners
    }

    pub fn desk(&self) -> &SharedDesk {
        &self.desk
    }

    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// Handles one market event to completion: every consequence (fills, updates, new orders)
    /// is settled before this returns.
    pub fn process(&mut self, event: &MarketEvent) {
        let stream = self.shared.streams.id_of(event);
        {
            // One lock for the desk's reaction and the updates it produced.
            let mut desk = lock_desk(&self.desk);
            desk.on_market_event(event);
            desk.drain_updates(&mut self.updates);
        }
        // The updates the event caused come before it, and what answering them causes after
        // it, as in a paper strategy's mailbox (and in a pulled replay).
        if !self.updates.is_empty() {
            self.deliver_drained_updates();
            lock_desk(&self.desk).drain_updates(&mut self.held);
        }
        self.shared.clock.advance_to(event.time_ms());
        for i in 0..self.runners.len() {
            let handled = self.runners[i].on_market_event(event, stream);
            let answered = self.deliver_held(i);
            if handled || answered {
                // Orders placed during the call may have been filled or rejected already
                // (close-price fills, broker rejects): the strategy hears of it at once.
                self.route_updates();
            }
            self.after_call(i);
        }
        if !self.held.is_empty() {
            // Updates for a strategy that is not loaded: delivering them warns.
            let held = std::mem::take(&mut self.held);
            held.iter().for_each(|update| self.deliver_update(update));
        }
        self.route_updates();
    }

    /// Delivers the held updates of strategy `i`, in order; whether it had any.
    fn deliver_held(&mut self, i: usize) -> bool {
        if self.held.is_empty() {
            return false;
        }
        let mut any = false;
        let mut others = Vec::new();
        for update in std::mem::take(&mut self.held) {
            if update.strategy == self.runners[i].context().strategy {
                self.deliver_update(&update);
                any = true;
            } else {
                others.push(update);
            }
        }
        self.held = others;
        any
    }

    /// Delivers order updates until none are left: a strategy answering an update may place
    /// orders whose own updates follow. Bounded, so two strategies cannot ping-pong forever.
    fn route_updates(&mut self) {
        const MAX_ROUNDS: usize = 1_000;
        for _ in 0..MAX_ROUNDS {
            lock_desk(&self.desk).drain_updates(&mut self.updates);
            if self.updates.is_empty() {
                return;
            }
            self.deliver_drained_updates();
        }
        tracing::warn!("order updates still pending after {MAX_ROUNDS} rounds; the rest follow with the next event");
    }

    /// Delivers the updates already drained into `self.updates`, leaving it empty (and its
    /// allocation in place for the next drain).
    fn deliver_drained_updates(&mut self) {
        let updates = std::mem::take(&mut self.updates);
        for update in &updates {
            self.deliver_update(update);
        }
        self.updates = updates;
        self.updates.clear();
    }

    fn deliver_update(&mut self, update: &OrderUpdate) {
        let Some(&i) = self.index.get(&update.strategy) else {
            tracing::warn!(strategy = %update.strategy, order = %update.order_id, "order update for a strategy that is not loaded");
            return;
        };
        // A strategy answers an update as of when it became known (see `Feed::advance`).
        self.shared.clock.advance_to(update.time_ms);
        let runner = &mut self.runners[i];
        runner.context().metrics.order_update(update.status);
        runner.on_order_update(update);
        self.after_call(i);
    }

    /// After a call into strategy `i`: a strategy that trapped is recovered as soon as its
    /// backoff allows (at once in a backtest), and handed the updates that waited, before
    /// anything else happens; then its decisions are forwarded.
    fn after_call(&mut self, i: usize) {
        self.runners[i].recover_if_due();
        self.forward_decisions(i);
    }

    fn forward_decisions(&mut self, i: usize) {
        let decisions = self.runners[i].take_decisions();
        if let Some(sink) = self.decision_log.as_mut() {
            decisions.into_iter().for_each(sink);
        }
    }
}
