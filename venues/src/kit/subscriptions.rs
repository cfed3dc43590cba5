//! [`SubscriptionTable`]: who wants which venue stream. A venue stream is subscribed once for
//! the whole host however many strategies want it (two strategies on BTC/USD 1m share one),
//! and unsubscribed when the last one leaves. A strategy's set is replaced in one step, which
//! is how a hot-swapped version's subscriptions take effect at the swap: streams both
//! versions want stay subscribed throughout.

use std::collections::{BTreeMap, BTreeSet};

/// What the venue must be told after a change of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes<K> {
    /// Streams nobody had and somebody wants now.
    pub subscribe: Vec<K>,
    /// Streams somebody had and nobody wants now.
    pub unsubscribe: Vec<K>,
}

impl<K> Changes<K> {
    pub fn is_empty(&self) -> bool {
        self.subscribe.is_empty() && self.unsubscribe.is_empty()
    }
}

/// Streams `K` held by holders `H` (strategies), reference-counted by holder.
#[derive(Debug, Clone)]
pub struct SubscriptionTable<K, H> {
    by_stream: BTreeMap<K, BTreeSet<H>>,
    by_holder: BTreeMap<H, BTreeSet<K>>,
}

impl<K, H> Default for SubscriptionTable<K, H> {
    fn default() -> Self {
        Self {
            by_stream: BTreeMap::new(),
            by_holder: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Clone, H: Ord + Clone> SubscriptionTable<K, H> {
    /// Makes `wanted` the streams of `holder`, replacing what it had.
    pub fn set(&mut self, holder: &H, wanted: impl IntoIterator<Item = K>) -> Changes<K> {
        let wanted: BTreeSet<K> = wanted.into_iter().collect();
        let had = self.by_holder.remove(holder).unwrap_or_default();
        let mut changes = Changes {
            subscribe: Vec::new(),
            unsubscribe: Vec::new(),
        };
        for stream in wanted.difference(&had) {
            let holders = self.by_stream.entry(stream.clone()).or_default();
            if holders.is_empty() {
                changes.subscribe.push(stream.clone());
            }
            holders.insert(holder.clone());
        }
        for stream in had.difference(&wanted) {
            if let Some(holders) = self.by_stream.get_mut(stream) {
                holders.remove(holder);
                if holders.is_empty() {
                    self.by_stream.remove(stream);
                    changes.unsubscribe.push(stream.clone());
                }
            }
        }
        if !wanted.is_empty() {
            self.by_holder.insert(holder.clone(), wanted);
        }
        changes
    }

    /// Removes `holder` and everything it held.
    pub fn remove(&mut self, holder: &H) -> Changes<K> {
        self.set(holder, std::iter::empty())
    }

    /// Every stream somebody holds, in key order: what a reconnect subscribes again.
    pub fn streams(&self) -> impl Iterator<Item = &K> + '_ {
        self.by_stream.keys()
    }

    /// How many holders a stream has.
    pub fn holders(&self, stream: &K) -> usize {
        self.by_stream.get(stream).map_or(0, BTreeSet::len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_streams_are_subscribed_once_and_left_by_the_last_holder() {
        let mut table = SubscriptionTable::default();
        let changes = table.set(&"a", ["BTC/USD 1m", "BTC/USD trades"]);
        assert_eq!(changes.subscribe, ["BTC/USD 1m", "BTC/USD trades"]);
        let changes = table.set(&"b", ["BTC/USD 1m"]);
        assert!(changes.is_empty(), "shared: nothing new for the venue");
        assert_eq!(table.holders(&"BTC/USD 1m"), 2);
        let changes = table.remove(&"a");
        assert_eq!(
            (changes.subscribe.len(), changes.unsubscribe),
            (0, vec!["BTC/USD trades"])
        );
        let changes = table.remove(&"b");
        assert_eq!(changes.unsubscribe, ["BTC/USD 1m"]);
        assert_eq!(table.streams().count(), 0);
    }

    #[test]
    fn a_swap_replaces_a_holders_set_in_one_step() {
        let mut table = SubscriptionTable::default();
        table.set(&"grid", ["BTC/USD book", "BTC/USD 1m"]);
        // The new version keeps the 1m bars, drops the book and adds ETH.
        let changes = table.set(&"grid", ["BTC/USD 1m", "ETH/USD 1m"]);
        assert_eq!(
            (changes.subscribe, changes.unsubscribe),
            (vec!["ETH/USD 1m"], vec!["BTC/USD book"])
        );
        assert_eq!(
            table.streams().copied().collect::<Vec<_>>(),
            ["BTC/USD 1m", "ETH/USD 1m"]
        );
    }
}
