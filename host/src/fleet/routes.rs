//! Who gets what: the table from strategy to mailbox, used to hand market events to every
//! strategy and each order update to the strategy that owns it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use trading::desk::Desk;
use trading::market::MarketEvent;
use trading::orders::{OrderUpdate, StrategyId, VenueId};

use super::mailbox::{Mailbox, Posted};
use super::status::StrategyStatus;
use crate::events::{EventBus, HostEvent};
use crate::metrics::StrategyMetrics;

/// One running strategy as the rest of the host reaches it.
#[derive(Clone)]
pub struct Route {
    pub mailbox: Arc<Mailbox>,
    /// The venue the strategy trades on: the only one whose market data it gets.
    pub venue: VenueId,
    pub metrics: StrategyMetrics,
    /// Kept current by the strategy's worker; read by `/status`.
    pub status: Arc<Mutex<StrategyStatus>>,
}

/// Updates kept for one strategy that has no route: beyond this, the oldest are dropped.
const MAX_WAITING_UPDATES: usize = 1_024;

#[derive(Default)]
pub struct Routes {
    table: RwLock<BTreeMap<StrategyId, Route>>,
    /// Updates for strategies without a route: one whose first version is still starting
    /// (`init` may place orders before its worker exists), or one retired and perhaps coming
    /// back. A route, when it appears, gets them first.
    waiting: Mutex<BTreeMap<StrategyId, Vec<OrderUpdate>>>,
    /// Where the desk's events go, drained with its updates.
    events: EventBus,
}

impl Routes {
    /// Routes whose deliveries publish the desk's events on `events`.
    pub fn new(events: EventBus) -> Self {
        Self {
            table: RwLock::default(),
            waiting: Mutex::default(),
            events,
        }
    }

    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<StrategyId, Route>> {
        self.table.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds `strategy`'s route, first posting it the updates that waited for one. Takes the
    /// locked desk, so that no update is being delivered meanwhile.
    pub fn insert(&self, _locked: &mut Desk, strategy: StrategyId, route: Route) {
        let waited = self.lock_waiting().remove(&strategy).unwrap_or_default();
        for update in waited {
            route.metrics.order_update(update.status);
            route.mailbox.post_update(update);
        }
        self.table
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(strategy, route);
    }

    fn lock_waiting(&self) -> std::sync::MutexGuard<'_, BTreeMap<StrategyId, Vec<OrderUpdate>>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn remove(&self, strategy: &StrategyId) -> Option<Route> {
        self.table.write().unwrap_or_else(|p| p.into_inner()).remove(strategy)
    }

    pub fn get(&self, strategy: &StrategyId) -> Option<Route> {
        self.read().get(strategy).cloned()
    }

    /// Every route, by strategy name.
    pub fn all(&self) -> Vec<(StrategyId, Route)> {
        self.read().iter().map(|(id, r)| (id.clone(), r.clone())).collect()
    }

    /// Hands `event` to every strategy on its venue `from` (every strategy, for a replay's
    /// single source); each worker skips what its strategy does not subscribe to. A symbol
    /// two venues list is two markets: a strategy on one never sees the other's.
    pub fn broadcast(&self, event: &MarketEvent, stream: u32, from: Option<&VenueId>) {
        let routes = self.read();
        let bound = routes
            .values()
            .filter(|route| from.is_none_or(|venue| route.venue == *venue));
        for route in bound {
            match route.mailbox.post_market(event.clone(), stream) {
                Posted::Queued | Posted::Closed => {}
                Posted::Coalesced => route.metrics.event_coalesced(),
                Posted::DroppedOldest => route.metrics.event_dropped(),
            }
        }
    }

    /// Takes every order update the desk has and posts each to its strategy's mailbox, and
    /// publishes the desk's events.
    ///
    /// Posting and publishing happen under the desk lock (the caller holds it): two threads
    /// delivering at once cannot reorder one strategy's updates, nor the stream's events.
    pub fn deliver_updates(&self, desk: &mut Desk) {
        let mut events = Vec::new();
        desk.drain_events(&mut events);
        self.events.publish_all(events.into_iter().map(HostEvent::Desk));
        let mut updates = Vec::new();
        desk.drain_updates(&mut updates);
        if updates.is_empty() {
            return;
        }
        let table = self.read();
        for update in updates {
            match table.get(&update.strategy) {
                Some(route) => {
                    route.metrics.order_update(update.status);
                    route.mailbox.post_update(update);
                }
                None => self.keep_waiting(update),
            }
        }
    }

    fn keep_waiting(&self, update: OrderUpdate) {
        let mut waiting = self.lock_waiting();
        let queue = waiting.entry(update.strategy.clone()).or_default();
        if queue.len() == MAX_WAITING_UPDATES {
            let dropped = queue.remove(0);
            tracing::warn!(strategy = %dropped.strategy, order = %dropped.order_id, "too many order updates for a strategy that is not running: the oldest is dropped (the book of record has it)");
        }
        queue.push(update);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use rust_decimal::Decimal;
    use trading::brokers::{SimBroker, SimConfig};
    use trading::desk::{Desk, DeskConfig};
    use trading::market::{Candle, Side, Symbol, Timeframe};
    use trading::orders::{OrderRequest, OrderStatus, OrderType};

    use super::*;
    use crate::fleet::mailbox::{Letter, Next};
    use crate::metrics::Metrics;
    use crate::runtime::{lock_desk, SharedDesk};

    fn route(strategy: &str) -> Route {
        route_on(strategy, "paper")
    }

    fn route_on(strategy: &str, venue: &str) -> Route {
        Route {
            mailbox: Arc::new(Mailbox::new(8)),
            venue: VenueId::new(venue),
            metrics: Metrics::new().strategy(strategy, "paper"),
            status: Arc::new(Mutex::new(StrategyStatus {
                strategy: strategy.into(),
                name: strategy.into(),
                version: "1".into(),
                hash: String::new(),
                file: String::new(),
                state: "running",
                error: None,
                subscriptions: Vec::new(),
                wants: Vec::new(),
                last_decision: None,
                last_reload: None,
            })),
        }
    }

    #[test]
    fn updates_for_a_strategy_without_a_route_wait_for_it() {
        let desk: SharedDesk = Arc::new(Mutex::new(
            Desk::new(
                DeskConfig::default(),
                Box::new(SimBroker::new(SimConfig::default()).unwrap()),
                None,
            )
            .unwrap(),
        ));
        let s = StrategyId::new("s");
        lock_desk(&desk).register_strategy(&s, Decimal::from(1_000)).unwrap();
        // A price, so the order can be valued.
        lock_desk(&desk).on_market_event(&MarketEvent::Candle(Candle {
            symbol: Symbol::new("BTC/USD").unwrap(),
            timeframe: Timeframe::MINUTE,
            open_time_ms: 0,
            open: Decimal::TWO,
            high: Decimal::TWO,
            low: Decimal::TWO,
            close: Decimal::TWO,
            volume: Decimal::ONE,
        }));
        let request = OrderRequest {
            symbol: Symbol::new("BTC/USD").unwrap(),
            side: Side::Buy,
            qty: Decimal::ONE,
            order_type: OrderType::Limit(Decimal::ONE),
            time_in_force: trading::orders::TimeInForce::Gtc,
            post_only: false,
            reduce_only: false,
            tag: "placed in init".into(),
        };
        // Placed and cancelled before the strategy's worker exists (as `init` could do).
        let id = lock_desk(&desk).place_order(&s, request, 0).unwrap();
        lock_desk(&desk).cancel_order(&s, &id, 0).unwrap();
        lock_desk(&desk).poll();

        let routes = Routes::default();
        routes.deliver_updates(&mut lock_desk(&desk));
        let route = route("s");
        routes.insert(&mut lock_desk(&desk), s.clone(), route.clone());
        let soon = std::time::Instant::now() + std::time::Duration::from_secs(5);
        match route.mailbox.next(Some(soon)) {
            Next::Letter(Letter::Update(update)) => {
                assert_eq!(
                    (update.tag.as_str(), update.status),
                    ("placed in init", OrderStatus::Cancelled)
                );
            }
            _ => panic!("the waiting update was not delivered"),
        }
    }

    #[test]
    fn a_live_venue_s_events_reach_only_the_strategies_trading_on_it() {
        let desk: SharedDesk = Arc::new(Mutex::new(
            Desk::new(
                DeskConfig::default(),
                Box::new(SimBroker::new(SimConfig::default()).unwrap()),
                None,
            )
            .unwrap(),
        ));
        let routes = Routes::default();
        let (on_kraken, on_binance) = (route_on("a", "kraken"), route_on("b", "binance"));
        routes.insert(&mut lock_desk(&desk), StrategyId::new("a"), on_kraken.clone());
        routes.insert(&mut lock_desk(&desk), StrategyId::new("b"), on_binance.clone());
        let event = |symbol: &str, time_ms| {
            MarketEvent::Candle(Candle {
                symbol: Symbol::new(symbol).unwrap(),
                timeframe: Timeframe::MINUTE,
                open_time_ms: time_ms,
                open: Decimal::ONE,
                high: Decimal::ONE,
                low: Decimal::ONE,
                close: Decimal::ONE,
                volume: Decimal::ONE,
            })
        };
        routes.broadcast(&event("BTC/USDT", 0), 1, Some(&VenueId::new("binance")));
        // A replay has one source: every strategy gets its events.
        routes.broadcast(&event("BTC/USD", 60_000), 2, None);
        let now = std::time::Instant::now();
        let received = |route: &Route| -> Vec<u32> {
            let mut streams = Vec::new();
            while let Next::Letter(Letter::Market { stream, .. }) = route.mailbox.next(Some(now)) {
                streams.push(stream);
            }
            streams
        };
        assert_eq!(received(&on_binance), [1, 2]);
        assert_eq!(received(&on_kraken), [2], "Binance's event stays off Kraken's strategy");
    }
}
