//! [`TradeLog`]: which venue trades the desk has booked, so a fill the venue repeats (after a
//! reconnect, Kraken's `executions` snapshot repeats the last fills) is booked once.
//!
//! The latest trades are kept in memory; older ones are looked up in the book of record, which
//! holds every trade id under a unique index. Without a store (backtests), the memory is all
//! there is, which is enough: simulated fills carry no trade id and are never repeated.

use std::collections::VecDeque;

use foldhash::HashSet;

use crate::market::Symbol;
use crate::orders::{TradeId, VenueId};

/// Trade ids are unique per venue and symbol (Binance numbers trades per symbol).
pub(super) type TradeKey = (VenueId, Symbol, TradeId);

/// How many trades are remembered in memory before the oldest is left to the store.
pub(super) const TRADES_IN_MEMORY: usize = 10_000;

#[derive(Debug, Default)]
pub(super) struct TradeLog {
    recent: HashSet<TradeKey>,
    oldest_first: VecDeque<TradeKey>,
}

impl TradeLog {
    pub(super) fn contains(&self, key: &TradeKey) -> bool {
        self.recent.contains(key)
    }

    pub(super) fn insert(&mut self, key: TradeKey) {
        if !self.recent.insert(key.clone()) {
            return;
        }
        self.oldest_first.push_back(key);
        if self.oldest_first.len() > TRADES_IN_MEMORY {
            if let Some(oldest) = self.oldest_first.pop_front() {
                self.recent.remove(&oldest);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_the_latest_trades_only() {
        let key = |n: usize| {
            (
                VenueId::new("kraken"),
                Symbol::new("BTC/USD").unwrap(),
                TradeId::new(&n.to_string()),
            )
        };
        let mut log = TradeLog::default();
        for n in 0..=TRADES_IN_MEMORY {
            log.insert(key(n));
        }
        log.insert(key(TRADES_IN_MEMORY));
        assert!(!log.contains(&key(0)), "the oldest is left to the store");
        assert!(log.contains(&key(1)) && log.contains(&key(TRADES_IN_MEMORY)));
        assert_eq!(log.oldest_first.len(), TRADES_IN_MEMORY);
    }
}
