//! The desk's read side: books, positions, orders and counters, for the runtime, `/status`,
//! metrics and reports. Nothing here changes the desk (snapshots aside, which only write).

use rust_decimal::Decimal;

use crate::brokers::Balances;
use crate::desk::{Desk, OrderCounts};
use crate::ledger::{BookSummary, DecisionRecord, OpenTrip, RoundTrip, StoreError, StrategySnapshot, Valuation};
use crate::market::{Symbol, TimeMs};
use crate::orders::{Order, OrderId, OrderState, Position, StrategyId, VenueId};
use crate::risk::{RiskLimits, TradingState};

impl Desk {
    /// A strategy's position in `symbol`; flat when it has none (or no book).
    pub fn position(&self, strategy: &StrategyId, symbol: &Symbol) -> Position {
        self.ledger
            .book(strategy)
            .map_or_else(|| Position::flat(symbol.clone()), |b| b.position(symbol))
    }

    /// The latest time the desk has been told of (calls and market events): "now" for a
    /// caller with no time of its own, in the desk's time (a replay's, in paper trading).
    pub fn now_ms(&self) -> TimeMs {
        self.now_ms
    }

    pub fn trading_state(&self) -> TradingState {
        self.trading_state
    }

    /// The state `strategy`'s orders are checked in: the stricter of the desk's and the one
    /// an operator set for it (a loss limit's breach acts besides, through its own check).
    pub fn trading_state_of(&self, strategy: &StrategyId) -> TradingState {
        self.strategy_states
            .get(strategy)
            .map_or(self.trading_state, |own| (*own).max(self.trading_state))
    }

    /// The strategies an operator set a state for, with it.
    pub fn strategy_operator_states(&self) -> impl Iterator<Item = (&StrategyId, TradingState)> + '_ {
        self.strategy_states.iter().map(|(strategy, state)| (strategy, *state))
    }

    pub fn limits(&self) -> &RiskLimits {
        &self.limits
    }

    /// The venue `strategy` trades on (the desk's first venue for a strategy it does not know).
    pub fn venue_of(&self, strategy: &StrategyId) -> &VenueId {
        self.venues.venue_of(strategy)
    }

    /// What `venue`'s account holds, as the venue last reported it (`None` before its first
    /// report, and for simulated venues, which keep no account).
    pub fn venue_balances(&self, venue: &VenueId) -> Option<&Balances> {
        self.venues.balances(venue)
    }

    /// Every venue the desk sends orders to, the first (the default) first.
    pub fn venues(&self) -> impl Iterator<Item = &VenueId> + '_ {
        self.venues.names()
    }

    /// Every strategy with a book, in name order.
    pub fn strategies(&self) -> impl Iterator<Item = &StrategyId> + '_ {
        self.ledger.books().map(|b| b.strategy())
    }

    /// A strategy's books valued at the last prices: cash, equity, positions, PnL, fees.
    pub fn book(&self, strategy: &StrategyId) -> Option<BookSummary> {
        self.ledger.summary(strategy, self.venues.venue_of(strategy))
    }

    /// A strategy's equity at the last prices and whether it holds any position: one book
    /// lookup and one pass over its holdings, cheap enough to sample on every bar.
    pub fn valuation(&self, strategy: &StrategyId) -> Option<Valuation> {
        self.ledger.valuation(strategy, self.venues.venue_of(strategy))
    }

    /// The last price seen for `symbol` on `venue` (the replay's, for a venue that has not
    /// quoted: a backtest's or paper replay's single source).
    pub fn last_price(&self, venue: &VenueId, symbol: &Symbol) -> Option<Decimal> {
        self.ledger.marks_on(venue).get(symbol)
    }

    /// What a new buy of `strategy` may spend under risk's cash rule: its cash less what its
    /// working buys hold back, never below zero (zero for a strategy with no book).
    pub fn buying_power(&self, strategy: &StrategyId) -> Decimal {
        let Some(book) = self.ledger.book(strategy) else {
            return Decimal::ZERO;
        };
        let reserved = self.blotter.working(strategy).fold(Decimal::ZERO, |sum, order| {
            sum.saturating_add(self.cash_reserved_by(order))
        });
        book.cash().saturating_sub(reserved).max(Decimal::ZERO)
    }

    /// A strategy's working orders, oldest first.
    pub fn open_orders(&self, strategy: &StrategyId) -> impl Iterator<Item = &Order> + '_ {
        self.blotter.working(strategy)
    }

    pub fn order(&self, id: &OrderId) -> Option<&Order> {
        self.blotter.get(id)
    }

    /// A strategy's round trips still open, one per symbol it holds, by symbol, valued at the
    /// last prices.
    pub fn open_trips(&self, strategy: &StrategyId) -> Vec<OpenTrip> {
        let Some(book) = self.ledger.book(strategy) else {
            return Vec::new();
        };
        let marks = self.ledger.marks_on(self.venues.venue_of(strategy));
        let mut trips: Vec<OpenTrip> = book
            .holdings()
            .filter_map(|(symbol, holding)| holding.open_trip((strategy, symbol), marks.get(symbol)))
            .collect();
        trips.sort_by(|a, b| a.symbol.cmp(&b.symbol));
        trips
    }

    /// A strategy's round trips closed since its book was opened here, oldest first (earlier
    /// runs' are in the store).
    pub fn round_trips(&self, strategy: &StrategyId) -> &[RoundTrip] {
        self.ledger.book(strategy).map_or(&[], |b| b.round_trips())
    }

    /// Requests sent and not answered yet: new orders the venue has not acknowledged and
    /// cancels it has not confirmed. What a graceful shutdown waits for.
    pub fn requests_in_flight(&self) -> usize {
        self.blotter
            .all_working()
            .filter(|order| matches!(order.state(), OrderState::PendingNew | OrderState::PendingCancel { .. }))
            .count()
    }

    /// What happened to a strategy's orders so far (all zero for an unknown strategy).
    pub fn counts(&self, strategy: &StrategyId) -> OrderCounts {
        self.counts.get(strategy).copied().unwrap_or_default()
    }

    /// Stores a strategy's snapshot in the book of record. Without a store this does nothing.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot write it.
    pub fn save_strategy_snapshot(
        &mut self,
        strategy: &StrategyId,
        version_hash: &str,
        state: &[u8],
        now_ms: TimeMs,
    ) -> Result<(), StoreError> {
        let Some(store) = &mut self.store else {
            return Ok(());
        };
        store.save_snapshot(&StrategySnapshot {
            strategy: strategy.clone(),
            version_hash: version_hash.to_owned(),
            state: state.to_vec(),
            time_ms: now_ms,
        })
    }

    /// Drops a strategy's stored snapshots (see [`crate::ledger::BookStore::forget_snapshots`]).
    /// Without a store this does nothing.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot write it.
    pub fn forget_strategy_snapshots(&mut self, strategy: &StrategyId) -> Result<(), StoreError> {
        match &mut self.store {
            Some(store) => store.forget_snapshots(strategy),
            None => Ok(()),
        }
    }

    /// Appends a strategy's decision to the book of record's audit trail. Without a store
    /// this does nothing.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot write it.
    pub fn record_decision(&mut self, decision: DecisionRecord<'_>) -> Result<(), StoreError> {
        match &mut self.store {
            Some(store) => store.record_decision(decision),
            None => Ok(()),
        }
    }

    /// The latest stored snapshot of a strategy (`None` without a store).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the store cannot be read.
    pub fn latest_strategy_snapshot(&self, strategy: &StrategyId) -> Result<Option<StrategySnapshot>, StoreError> {
        match &self.store {
            Some(store) => store.latest_snapshot(strategy),
            None => Ok(None),
        }
    }
}
