//! The desk's loss limits: a [`LossGuard`] per strategy and per venue account, fed their
//! equities (cash plus positions at the latest marks) after every market event and every
//! batch of venue events, so the state follows realized and unrealized PnL alike.
//!
//! An account's guard follows the sum of its strategies' PnL (equity less initial cash)
//! rather than of their equities: the losses are the same, and a strategy that joins the
//! account (a book opened with its cash) is not a gain of the account.
//!
//! A guard is written to the book of record when it starts, when a day opens and when its
//! state changes, before the change acts (orders cancelled); [`Desk::new`] reloads them, so a
//! breach survives a restart.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use tracing::{error, info, warn};

use crate::desk::{Desk, DeskEvent};
use crate::ledger::{BookStore, RiskStateRecord, StoreError};
use crate::market::TimeMs;
use crate::orders::{StrategyId, VenueId};
use crate::risk::{against_position, Breach, LossGuard, RiskScope, ScopeKind, ScopeLimits, TradingState};

/// Every scope's guard, and how often each kind of scope entered each state.
#[derive(Debug, Default)]
pub(super) struct Guards {
    by_scope: BTreeMap<RiskScope, LossGuard>,
    /// The strategies' own limits, each set one in place of the desk's.
    own: BTreeMap<StrategyId, ScopeLimits>,
    changes: BTreeMap<(ScopeKind, TradingState), u64>,
}

impl Guards {
    /// The guards the book of record kept.
    pub(super) fn load(store: Option<&dyn BookStore>) -> Result<Self, StoreError> {
        let mut guards = Self::default();
        if let Some(store) = store {
            for record in store.load_risk_states()? {
                if record.guard.breach.is_some() {
                    warn!(scope = %record.scope, state = record.guard.state().as_str(), "a loss limit breach from before the restart holds");
                }
                guards.by_scope.insert(record.scope, record.guard);
            }
        }
        Ok(guards)
    }
}

/// A guard that changed in one pass, to be written and acted on.
struct Changed {
    scope: RiskScope,
    guard: LossGuard,
    state_change: Option<(TradingState, TradingState)>,
}

impl Desk {
    /// Every scope's guard, strategies first, by name.
    pub fn risk_states(&self) -> impl Iterator<Item = (&RiskScope, &LossGuard)> + '_ {
        self.guards.by_scope.iter()
    }

    /// How many times scopes of each kind entered each state since the desk started.
    pub fn risk_state_changes(&self) -> impl Iterator<Item = (ScopeKind, TradingState, u64)> + '_ {
        self.guards.changes.iter().map(|(&(kind, state), &n)| (kind, state, n))
    }

    /// Gives `strategy` loss limits of its own: each one set replaces the desk's
    /// ([`crate::risk::LossLimits`]) for it, each unset one keeps the desk's.
    ///
    /// # Errors
    ///
    /// [`crate::risk::InvalidRiskLimits`] naming a limit that is not a positive amount.
    pub fn set_loss_limits(
        &mut self,
        strategy: &StrategyId,
        own: ScopeLimits,
    ) -> Result<(), crate::risk::InvalidRiskLimits> {
        let check = crate::risk::LossLimits {
            daily_loss_limit: own.daily_loss_limit,
            max_drawdown: own.max_drawdown,
            ..crate::risk::LossLimits::default()
        };
        let mut problems = Vec::new();
        check.problems(&mut problems);
        if !problems.is_empty() {
            return Err(crate::risk::InvalidRiskLimits { problems });
        }
        if own.is_off() {
            self.guards.own.remove(strategy);
        } else {
            self.guards.own.insert(strategy.clone(), own);
        }
        Ok(())
    }

    /// Lifts `scope`'s breach and puts its peak at its equity now: the operator's word that it
    /// trades again. Returns whether there was a breach to lift.
    pub fn clear_loss_breach(&mut self, scope: &RiskScope, now_ms: TimeMs) -> bool {
        let equity = self.equity_of(scope);
        let Some(guard) = self.guards.by_scope.get_mut(scope) else {
            return false;
        };
        let before = guard.state();
        if guard.breach.is_none() {
            return false;
        }
        guard.clear(equity);
        let changed = Changed {
            scope: scope.clone(),
            guard: *guard,
            state_change: Some((before, TradingState::Active)),
        };
        self.act_on(changed, now_ms.max(self.now_ms));
        true
    }

    /// The breach in force for `strategy`: its own or its account's, the stricter of the two
    /// (the strategy's on a tie).
    pub(super) fn breach_of(&self, strategy: &StrategyId, venue: &VenueId) -> Option<(RiskScope, Breach)> {
        if self.guards.by_scope.is_empty() {
            return None;
        }
        let breach = |scope: RiskScope| {
            let breach = self.guards.by_scope.get(&scope)?.breach?;
            Some((scope, breach))
        };
        let own = breach(RiskScope::Strategy(strategy.clone()));
        let account = breach(RiskScope::Account(venue.clone()));
        match (own, account) {
            (Some(own), Some(account)) if account.1.state > own.1.state => Some(account),
            (Some(own), _) => Some(own),
            (None, account) => account,
        }
    }

    /// Feeds every guard its scope's equity now, and acts on what changed.
    pub(super) fn watch_losses(&mut self) {
        let limits = &self.limits.loss;
        if limits.is_off() && self.guards.own.is_empty() {
            return;
        }
        let (for_strategies, for_accounts) = (limits.of(ScopeKind::Strategy), limits.of(ScopeKind::Account));
        let mut equities = Vec::new();
        let mut account_equity: BTreeMap<VenueId, Decimal> = BTreeMap::new();
        for book in self.ledger.books() {
            let equity = book.equity(self.ledger.marks_on(self.venues.venue_of(book.strategy())));
            let caps = match self.guards.own.get(book.strategy()) {
                Some(own) => own.or(for_strategies),
                None => for_strategies,
            };
            if !caps.is_off() {
                equities.push((RiskScope::Strategy(book.strategy().clone()), equity, caps));
            }
            if !for_accounts.is_off() {
                let sum = account_equity
                    .entry(self.venues.venue_of(book.strategy()).clone())
                    .or_default();
                *sum = sum.saturating_add(equity.saturating_sub(book.initial_cash()));
            }
        }
        equities.extend(
            account_equity
                .into_iter()
                .map(|(venue, equity)| (RiskScope::Account(venue), equity, for_accounts)),
        );
        let now_ms = self.now_ms;
        let mut changed = Vec::new();
        for (scope, equity, caps) in equities {
            let (guard, started) = match self.guards.by_scope.get_mut(&scope) {
                Some(guard) => (guard, false),
                None => (
                    self.guards
                        .by_scope
                        .entry(scope.clone())
                        .or_insert_with(|| LossGuard::start(limits, equity, now_ms)),
                    true,
                ),
            };
            let observed = guard.observe(limits, caps, equity, now_ms);
            if started || observed.new_day || observed.state_change.is_some() {
                changed.push(Changed {
                    scope,
                    guard: *guard,
                    state_change: observed.state_change,
                });
            }
        }
        for change in changed {
            self.act_on(change, now_ms);
        }
    }

    /// Writes a changed guard, then logs, counts and (for a halt) cancels the scope's orders.
    fn act_on(&mut self, change: Changed, now_ms: TimeMs) {
        let Changed {
            scope,
            guard,
            state_change,
        } = change;
        if let Some(store) = &mut self.store {
            let record = RiskStateRecord {
                scope: scope.clone(),
                guard,
                time_ms: now_ms,
            };
            if let Err(e) = store.save_risk_state(&record) {
                error!(%scope, error = %e, "a loss limit state could not be recorded; trading is halted");
                self.trading_state = TradingState::Halted;
            }
        }
        let Some((from, to)) = state_change else {
            return;
        };
        *self.guards.changes.entry((scope.kind(), to)).or_default() += 1;
        self.outbox.event(|| DeskEvent::RiskState {
            scope: scope.clone(),
            from,
            to,
            breach: guard.breach,
            time_ms: now_ms,
        });
        match guard.breach {
            Some(b) => warn!(
                %scope,
                from = from.as_str(),
                to = to.as_str(),
                limit_kind = b.kind.code(),
                loss = %b.loss,
                limit = %b.limit,
                "a loss limit was crossed"
            ),
            None => info!(%scope, from = from.as_str(), to = to.as_str(), "a loss limit breach is lifted"),
        }
        match to {
            TradingState::Halted => {
                for strategy in self.strategies_in(&scope) {
                    let cancelled = self.cancel_all(&strategy, now_ms);
                    info!(%strategy, cancelled, "working orders cancelled by a loss limit halt");
                }
            }
            TradingState::Reducing => {
                for strategy in self.strategies_in(&scope) {
                    self.cancel_adding(&strategy, now_ms);
                }
            }
            TradingState::Active => {}
        }
    }

    /// The operator's word for the whole desk (the control API): `Halted` refuses new orders
    /// and cancels every working one, `Reducing` lets only orders that reduce exposure through
    /// and cancels the working ones that add to a position, `Active` trades again (a loss
    /// limit's breach stays until [`Desk::clear_loss_breach`] lifts it). Returns how many
    /// cancels were sent.
    pub fn set_operator_state(&mut self, state: TradingState) -> usize {
        self.set_trading_state(state);
        let now_ms = self.now_ms;
        let strategies: Vec<StrategyId> = self.ledger.books().map(|book| book.strategy().clone()).collect();
        match state {
            TradingState::Halted => strategies
                .iter()
                .map(|strategy| self.cancel_all(strategy, now_ms))
                .sum(),
            TradingState::Reducing => strategies
                .iter()
                .map(|strategy| self.cancel_adding(strategy, now_ms))
                .sum(),
            TradingState::Active => 0,
        }
    }

    /// [`Desk::set_operator_state`] for `strategy` alone: its orders are checked in the stricter
    /// of this state and the desk's. `Active` forgets it. Returns how many cancels were sent.
    pub fn set_strategy_operator_state(&mut self, strategy: &StrategyId, state: TradingState) -> usize {
        let before = self.trading_state_of(strategy);
        match state {
            TradingState::Active => self.strategy_states.remove(strategy),
            state => self.strategy_states.insert(strategy.clone(), state),
        };
        let after = self.trading_state_of(strategy);
        if after != before {
            info!(%strategy, from = before.as_str(), to = after.as_str(), "an operator set a strategy's trading state");
        }
        let now_ms = self.now_ms;
        match state {
            TradingState::Halted => self.cancel_all(strategy, now_ms),
            TradingState::Reducing => self.cancel_adding(strategy, now_ms),
            TradingState::Active => 0,
        }
    }

    /// Cancels `strategy`'s working orders that do not trade against its position: filled,
    /// they would add to it (or open one), which reducing forbids.
    fn cancel_adding(&mut self, strategy: &StrategyId, now_ms: TimeMs) -> usize {
        let Some(book) = self.ledger.book(strategy) else {
            return 0;
        };
        let adding: Vec<_> = self
            .blotter
            .working(strategy)
            .filter(|order| {
                let request = order.request();
                let position = book.holding(&request.symbol).map_or(Decimal::ZERO, |h| h.qty());
                !against_position(request.side, position)
            })
            .map(|order| order.id().clone())
            .collect();
        let mut sent = 0;
        for id in adding {
            match self.cancel_order(strategy, &id, now_ms) {
                Ok(()) => sent += 1,
                Err(e) => {
                    warn!(%strategy, order_id = %id, error = %e, "reducing could not cancel an order that adds to a position")
                }
            }
        }
        sent
    }

    fn strategies_in(&self, scope: &RiskScope) -> Vec<StrategyId> {
        match scope {
            RiskScope::Strategy(strategy) => vec![strategy.clone()],
            RiskScope::Account(venue) => self
                .ledger
                .books()
                .map(|book| book.strategy())
                .filter(|strategy| self.venues.venue_of(strategy) == venue)
                .cloned()
                .collect(),
        }
    }

    /// What `scope`'s guard follows: a strategy's equity, or an account's PnL.
    fn equity_of(&self, scope: &RiskScope) -> Decimal {
        let strategies = self.strategies_in(scope);
        let books = strategies.iter().filter_map(|strategy| self.ledger.book(strategy));
        let value = |book: &crate::ledger::Book| {
            let equity = book.equity(self.ledger.marks_on(self.venues.venue_of(book.strategy())));
            match scope {
                RiskScope::Strategy(_) => equity,
                RiskScope::Account(_) => equity.saturating_sub(book.initial_cash()),
            }
        };
        books.fold(Decimal::ZERO, |sum, book| sum.saturating_add(value(book)))
    }
}
