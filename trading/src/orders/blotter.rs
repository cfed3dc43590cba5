//! [`Blotter`]: the desk's record of its orders (not a market order book).
//!
//! Invariants:
//! 1. Every order the desk ever created is here, found by id in O(1).
//! 2. An order is in its strategy's working list exactly while it is working; the only way to
//!    change an order ([`Blotter::update`]) restores this before it returns.
//! 3. Working lists keep placement order, so "cancel all" and listings are deterministic.

use foldhash::HashMap;

use crate::orders::{Order, OrderId, StrategyId};

/// All orders of one desk, with each strategy's working orders.
#[derive(Debug, Default)]
pub struct Blotter {
    orders: HashMap<OrderId, Order>,
    // A short list per strategy (bounded by the open-order limit), so a Vec beats a set.
    working: HashMap<StrategyId, Vec<OrderId>>,
}

impl Blotter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an order. An order with the same id replaces the old one (ids are unique by
    /// construction, so this only happens when the book of record is reloaded twice).
    pub fn insert(&mut self, order: Order) {
        let id = order.id().clone();
        let list = self.working.entry(order.strategy().clone()).or_default();
        list.retain(|w| *w != id);
        if order.is_working() {
            list.push(id.clone());
        }
        self.orders.insert(id, order);
    }

    pub fn get(&self, id: &OrderId) -> Option<&Order> {
        self.orders.get(id)
    }

    /// Changes one order through `change` and keeps the working lists right. `None` when
    /// there is no such order.
    pub fn update<R>(&mut self, id: &OrderId, change: impl FnOnce(&mut Order) -> R) -> Option<R> {
        let order = self.orders.get_mut(id)?;
        let was_working = order.is_working();
        let result = change(order);
        if was_working && !order.is_working() {
            if let Some(list) = self.working.get_mut(order.strategy()) {
                list.retain(|w| w != id);
            }
        }
        Some(result)
    }

    /// A strategy's working orders, oldest first.
    pub fn working(&self, strategy: &StrategyId) -> impl Iterator<Item = &Order> + '_ {
        self.working
            .get(strategy)
            .into_iter()
            .flatten()
            .filter_map(|id| self.orders.get(id))
    }

    pub fn working_count(&self, strategy: &StrategyId) -> usize {
        self.working.get(strategy).map_or(0, Vec::len)
    }

    /// The ids of a strategy's working orders, oldest first (a copy, to act on while changing them).
    pub fn working_ids(&self, strategy: &StrategyId) -> Vec<OrderId> {
        self.working.get(strategy).cloned().unwrap_or_default()
    }

    /// Every order ever placed, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &Order> + '_ {
        self.orders.values()
    }
}
