//! Who gets what: the table from strategy to mailbox, used to hand market events to every
//! strategy and each order update to the strategy that owns it.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard};

use trading::market::MarketEvent;
use trading::orders::{OrderUpdate, StrategyId};

use super::mailbox::{Mailbox, Posted};
use super::status::StrategyStatus;
use crate::metrics::StrategyMetrics;
use crate::runtime::{lock_desk, SharedDesk};

/// One running strategy as the rest of the host reaches it.
#[derive(Clone)]
pub struct Route {
    pub mailbox: Arc<Mailbox>,
    pub metrics: StrategyMetrics,
    /// Kept current by the strategy's worker; read by `/status`.
    pub status: Arc<Mutex<StrategyStatus>>,
}

#[derive(Default)]
pub struct Routes {
    table: RwLock<BTreeMap<StrategyId, Route>>,
}

impl Routes {
    fn read(&self) -> RwLockReadGuard<'_, BTreeMap<StrategyId, Route>> {
        self.table.read().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, strategy: StrategyId, route: Route) {
        self.table
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(strategy, route);
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

    /// Hands `event` to every strategy; each worker skips what its strategy does not subscribe to.
    pub fn broadcast(&self, event: &MarketEvent, stream: u32) {
        for route in self.read().values() {
            match route.mailbox.post_market(event.clone(), stream) {
                Posted::Queued | Posted::Closed => {}
                Posted::Coalesced => route.metrics.event_coalesced(),
                Posted::DroppedOldest => route.metrics.event_dropped(),
            }
        }
    }

    /// Takes every order update the desk has and posts each to its strategy's mailbox.
    ///
    /// Posting happens under the desk lock: two threads delivering at once cannot reorder one
    /// strategy's updates.
    pub fn deliver_updates(&self, desk: &SharedDesk) {
        let mut desk = lock_desk(desk);
        let mut updates = Vec::new();
        desk.drain_updates(&mut updates);
        if updates.is_empty() {
            return;
        }
        let table = self.read();
        for update in updates {
            deliver(&table, update);
        }
    }
}

fn deliver(table: &BTreeMap<StrategyId, Route>, update: OrderUpdate) {
    let Some(route) = table.get(&update.strategy) else {
        // A retired strategy's last cancels and closing fills: the book has them.
        tracing::debug!(strategy = %update.strategy, order = %update.order_id, status = ?update.status, "order update for a strategy no longer running");
        return;
    };
    route.metrics.order_update(update.status);
    if !route.mailbox.post_update(update) {
        tracing::debug!("order update for a strategy being retired");
    }
}
