//! What the task knows of the host's orders on Binance ([`Orders`]): the symbol, side and
//! price each was placed with (a cancel, an amend or a query needs them), what filled, and
//! Binance's order id, so a trade listed by order id (`myTrades`) finds its host order; and
//! what already reached the desk ([`Delivered`]), so a report carried twice goes once.

use std::collections::{HashMap, HashSet, VecDeque};

use rust_decimal::Decimal;
use trading::orders::{OrderId, TradeId};

use crate::binance::requests::OrderKind;
use crate::binance::wire::{ExecutionType, OrderSide, OrderStatus, VenueSymbol};

/// One host order as it was sent, and what Binance said of it since.
#[derive(Debug, Clone)]
pub(super) struct Known {
    pub(super) symbol: VenueSymbol,
    pub(super) side: OrderSide,
    pub(super) kind: OrderKind,
    /// What filled, over every Binance order it has been (a cancel-replace makes a new one).
    pub(super) filled: Decimal,
    /// The host order's quantity, what filled included (as amended); `None` for an order of an
    /// earlier run, whose quantity the task was not told.
    pub(super) qty: Option<Decimal>,
    /// What filled on the Binance orders before the one working now: a cancel-replace's new
    /// order is for what was left, so its own quantity is the host's less this.
    pub(super) filled_before: Decimal,
}

#[derive(Debug, Default)]
pub(super) struct Orders {
    known: HashMap<OrderId, Known>,
    by_venue_id: HashMap<u64, OrderId>,
    /// The newest Binance order of each host order: Binance's order ids rise, so the largest
    /// learned is the one a cancel-replace made last, whatever order the news came in (a
    /// restarted host learns the books' id, perhaps an older one, and the venue's current
    /// one, in either order).
    latest: HashMap<OrderId, u64>,
}

impl Orders {
    pub(super) fn insert(&mut self, id: OrderId, known: Known) {
        self.known.insert(id, known);
    }

    pub(super) fn get(&self, id: &OrderId) -> Option<&Known> {
        self.known.get(id)
    }

    pub(super) fn get_mut(&mut self, id: &OrderId) -> Option<&mut Known> {
        self.known.get_mut(id)
    }

    /// Binance's order `venue_id` is (or was) the host's `id`.
    pub(super) fn learn(&mut self, venue_id: u64, id: &OrderId) {
        self.by_venue_id.insert(venue_id, id.clone());
        let latest = self.latest.entry(id.clone()).or_insert(venue_id);
        *latest = (*latest).max(venue_id);
    }

    /// The newest Binance order learned for the host's `id`: the one working for it now.
    pub(super) fn latest(&self, id: &OrderId) -> Option<u64> {
        self.latest.get(id).copied()
    }

    /// The host order Binance's order `venue_id` is (or was).
    pub(super) fn host_id(&self, venue_id: u64) -> Option<&OrderId> {
        self.by_venue_id.get(&venue_id)
    }

    /// Every symbol the host has traded: where the mass status looks for trades.
    pub(super) fn symbols(&self) -> Vec<VenueSymbol> {
        let mut symbols: Vec<VenueSymbol> = self.known.values().map(|k| k.symbol).collect();
        symbols.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        symbols.dedup();
        symbols
    }
}

/// How many deliveries are remembered: far more than one connection overlap or one
/// reconciliation can repeat.
const REMEMBERED: usize = 100_000;

/// A report other than a fill, by what it changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct ReportKey {
    pub(super) order_id: u64,
    pub(super) execution_type: ExecutionType,
    pub(super) status: OrderStatus,
    pub(super) filled: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Fill(TradeId),
    Report(ReportKey),
}

/// What already reached the desk, the oldest forgotten first past [`REMEMBERED`].
#[derive(Debug, Default)]
pub(super) struct Delivered {
    seen: HashSet<Key>,
    order: VecDeque<Key>,
}

impl Delivered {
    /// Records the fill `trade`; `false` if it was delivered before.
    pub(super) fn fill(&mut self, trade: &TradeId) -> bool {
        self.first(Key::Fill(trade.clone()))
    }

    /// Records a report; `false` if it was delivered before.
    pub(super) fn report(&mut self, key: ReportKey) -> bool {
        self.first(Key::Report(key))
    }

    fn first(&mut self, key: Key) -> bool {
        if !self.seen.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > REMEMBERED {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by the crash soak: a restarted host learned the venue's current order (the mass
    /// status) before the books' older one (the resumed order), took the older as working, and
    /// so booked the cancel half of its next cancel-replace as the order's cancel.
    #[test]
    fn the_newest_binance_order_is_the_working_one_whatever_order_the_news_came_in() {
        let mut orders = Orders::default();
        let id = OrderId::new("r-1");
        orders.learn(72, &id);
        orders.learn(64, &id);
        assert_eq!(orders.latest(&id), Some(72));
        assert_eq!(
            (orders.host_id(64), orders.host_id(72)),
            (Some(&id), Some(&id)),
            "both are the host order's"
        );
        orders.learn(80, &id);
        assert_eq!(orders.latest(&id), Some(80));
    }

    #[test]
    fn a_delivery_goes_once_and_the_oldest_is_forgotten_first() {
        let mut delivered = Delivered::default();
        let trade = TradeId::new("BTCUSDT-7");
        assert!(delivered.fill(&trade));
        assert!(!delivered.fill(&trade));
        let key = ReportKey {
            order_id: 5,
            execution_type: ExecutionType::New,
            status: OrderStatus::New,
            filled: Decimal::ZERO,
        };
        assert!(delivered.report(key));
        assert!(!delivered.report(key));
        for n in 0..REMEMBERED {
            delivered.fill(&TradeId::new(&format!("X-{n}")));
        }
        assert!(delivered.report(key), "forgotten");
        assert!(delivered.fill(&trade), "forgotten too");
    }
}
