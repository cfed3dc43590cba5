//! [`Blotter`]: the desk's record of its orders (not a market order book).
//!
//! Working orders and finished ones are kept apart. Every execution and every risk check looks
//! at working orders, of which there are few (the open-order limit bounds them per strategy);
//! finished orders only pile up (a backtest finishes tens of thousands) and are read rarely.
//! Keeping them in one map made the map every execution touches as large as the whole history.
//!
//! Invariants:
//! 1. Every order the desk ever created is here, found by id in O(1).
//! 2. An order is in the working map, and in its strategy's working list, exactly while it is
//!    working; otherwise it is in the history. The only way to change an order
//!    ([`Blotter::update`]) restores this before it returns. (No transition leads from a
//!    finished state back to a working one, so orders only ever move into the history.)
//! 3. Working lists keep placement order, so "cancel all" and listings are deterministic.

use foldhash::HashMap;

use crate::orders::{Order, OrderId, StrategyId};

/// All orders of one desk, with each strategy's working orders.
#[derive(Debug, Default)]
pub struct Blotter {
    working: HashMap<OrderId, Order>,
    // A short list per strategy (bounded by the open-order limit), so a Vec beats a set.
    working_ids: HashMap<StrategyId, Vec<OrderId>>,
    history: History,
}

/// Finished orders: filled, cancelled or rejected. Appending one moves it into a vector and
/// adds a small index entry, instead of growing a map of whole orders.
#[derive(Debug, Default)]
struct History {
    orders: Vec<Order>,
    index: HashMap<OrderId, usize>,
}

impl Blotter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an order. An order with the same id replaces the old one (ids are unique by
    /// construction, so this only happens when the book of record is reloaded twice).
    pub fn insert(&mut self, order: Order) {
        let id = order.id().clone();
        if self.working.remove(&id).is_some() {
            self.forget_working_id(order.strategy(), &id);
        }
        if order.is_working() {
            self.history.remove(&id);
            self.working_ids
                .entry(order.strategy().clone())
                .or_default()
                .push(id.clone());
            self.working.insert(id, order);
        } else {
            self.history.insert(order);
        }
    }

    pub fn get(&self, id: &OrderId) -> Option<&Order> {
        self.working.get(id).or_else(|| self.history.get(id))
    }

    /// Changes one order through `change` and keeps working and finished orders apart. `None`
    /// when there is no such order.
    pub fn update<R>(&mut self, id: &OrderId, change: impl FnOnce(&mut Order) -> R) -> Option<R> {
        let Some(order) = self.working.get_mut(id) else {
            // A finished order stays finished whatever happens to it (a late fill after a cancel).
            return self.history.get_mut(id).map(change);
        };
        let result = change(order);
        if !order.is_working() {
            if let Some(order) = self.working.remove(id) {
                self.forget_working_id(order.strategy(), id);
                self.history.insert(order);
            }
        }
        Some(result)
    }

    /// A strategy's working orders, oldest first.
    pub fn working(&self, strategy: &StrategyId) -> impl Iterator<Item = &Order> + '_ {
        self.working_ids
            .get(strategy)
            .into_iter()
            .flatten()
            .filter_map(|id| self.working.get(id))
    }

    pub fn working_count(&self, strategy: &StrategyId) -> usize {
        self.working_ids.get(strategy).map_or(0, Vec::len)
    }

    /// The ids of a strategy's working orders, oldest first (a copy, to act on while changing them).
    pub fn working_ids(&self, strategy: &StrategyId) -> Vec<OrderId> {
        self.working_ids.get(strategy).cloned().unwrap_or_default()
    }

    /// Every working order, in no particular order.
    pub fn all_working(&self) -> impl Iterator<Item = &Order> + '_ {
        self.working.values()
    }

    /// Every order ever placed, in no particular order.
    pub fn all(&self) -> impl Iterator<Item = &Order> + '_ {
        self.working.values().chain(&self.history.orders)
    }

    fn forget_working_id(&mut self, strategy: &StrategyId, id: &OrderId) {
        if let Some(list) = self.working_ids.get_mut(strategy) {
            list.retain(|w| w != id);
        }
    }
}

impl History {
    /// Adds a finished order, replacing one with the same id.
    fn insert(&mut self, order: Order) {
        match self.index.get(order.id()) {
            Some(&at) => self.orders[at] = order,
            None => {
                self.index.insert(order.id().clone(), self.orders.len());
                self.orders.push(order);
            }
        }
    }

    fn get(&self, id: &OrderId) -> Option<&Order> {
        self.index.get(id).and_then(|&at| self.orders.get(at))
    }

    fn get_mut(&mut self, id: &OrderId) -> Option<&mut Order> {
        self.index.get(id).and_then(|&at| self.orders.get_mut(at))
    }

    /// Takes an order out (only a reloaded order that is working again does this); the last
    /// order takes its place, so the others keep their positions.
    fn remove(&mut self, id: &OrderId) {
        let Some(at) = self.index.remove(id) else {
            return;
        };
        self.orders.swap_remove(at);
        if let Some(moved) = self.orders.get(at) {
            self.index.insert(moved.id().clone(), at);
        }
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::market::{Side, Symbol};
    use crate::orders::{OrderEvent, OrderRequest, OrderStatus, OrderType};
    use crate::risk::RiskApproved;

    fn order(id: &str, strategy: &str) -> Order {
        let request = OrderRequest {
            symbol: Symbol::new("BTC/USD").unwrap(),
            side: Side::Buy,
            qty: Decimal::ONE,
            order_type: OrderType::Limit(Decimal::TEN),
            time_in_force: crate::orders::TimeInForce::Gtc,
            post_only: false,
            reduce_only: false,
            tag: String::new(),
        };
        Order::new(
            OrderId::new(id),
            StrategyId::new(strategy),
            crate::orders::VenueId::new("paper"),
            RiskApproved::for_test(request),
            0,
        )
    }

    fn cancel(blotter: &mut Blotter, id: &str) {
        let cancelled = OrderEvent::Cancelled { reason: None };
        let outcome = blotter.update(&OrderId::new(id), |o| o.apply(cancelled, 1));
        assert_eq!(outcome.map(|r| r.is_ok()), Some(true), "{id}");
    }

    fn working_ids(blotter: &Blotter, strategy: &str) -> Vec<String> {
        let ids = blotter.working(&StrategyId::new(strategy)).map(|o| o.id().to_string());
        ids.collect()
    }

    #[test]
    fn finished_orders_leave_the_working_list_and_stay_found_by_id() {
        let mut blotter = Blotter::new();
        for id in ["a-1", "a-2", "a-3"] {
            blotter.insert(order(id, "a"));
        }
        blotter.insert(order("b-1", "b"));
        cancel(&mut blotter, "a-2");

        assert_eq!(working_ids(&blotter, "a"), ["a-1", "a-3"]);
        assert_eq!(blotter.working_count(&StrategyId::new("a")), 2);
        assert_eq!(working_ids(&blotter, "b"), ["b-1"]);
        let finished = blotter.get(&OrderId::new("a-2")).map(Order::status);
        assert_eq!(finished, Some(OrderStatus::Cancelled));
        assert_eq!(blotter.all().count(), 4);
        assert!(blotter.get(&OrderId::new("a-4")).is_none());
    }

    #[test]
    fn a_finished_order_can_still_be_changed_and_stays_finished() {
        let mut blotter = Blotter::new();
        blotter.insert(order("a-1", "a"));
        cancel(&mut blotter, "a-1");
        // A repeated cancel is refused by the state machine, and the blotter reports its answer.
        let again = blotter.update(&OrderId::new("a-1"), |o| {
            o.apply(OrderEvent::Cancelled { reason: None }, 2)
        });
        assert!(matches!(again, Some(Err(_))));
        assert!(working_ids(&blotter, "a").is_empty());
        assert!(blotter.update(&OrderId::new("nope"), |_| ()).is_none());
    }

    #[test]
    fn reinserting_an_order_replaces_it_wherever_it_was() {
        let mut blotter = Blotter::new();
        for id in ["a-1", "a-2", "a-3"] {
            blotter.insert(order(id, "a"));
            cancel(&mut blotter, id);
        }
        // A reload of the book of record brings a-1 back as working, and a-2 again as finished.
        blotter.insert(order("a-1", "a"));
        let mut finished = order("a-2", "a");
        finished.apply(OrderEvent::Cancelled { reason: None }, 3).unwrap();
        blotter.insert(finished);

        assert_eq!(working_ids(&blotter, "a"), ["a-1"]);
        assert_eq!(blotter.all().count(), 3);
        for (id, status) in [
            ("a-1", OrderStatus::Open),
            ("a-2", OrderStatus::Cancelled),
            ("a-3", OrderStatus::Cancelled),
        ] {
            assert_eq!(blotter.get(&OrderId::new(id)).map(Order::status), Some(status), "{id}");
        }
        // Reinserting a working order does not list it twice.
        blotter.insert(order("a-1", "a"));
        assert_eq!(working_ids(&blotter, "a"), ["a-1"]);
    }
}
