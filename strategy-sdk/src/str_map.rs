//! [`StrMap`]: per-symbol (or per-timeframe) state, tuned for the one-key case.

use serde::{Deserialize, Serialize};

/// A small map from short strings (symbols, timeframes) to a strategy's per-key state.
///
/// Most strategies trade one symbol, or a few, and see the same key event after event. Entries
/// live in a vector in insertion order, and the map remembers the last key it found: the common
/// lookup is one string comparison, with no hashing and no allocation. Iteration order is
/// insertion order, so it is deterministic and survives a snapshot.
///
/// ```
/// use strategy_sdk::StrMap;
///
/// let mut seen: StrMap<u32> = StrMap::new();
/// *seen.get_or_insert_with("BTC/USD", || 0) += 1;
/// *seen.get_or_insert_with("BTC/USD", || 0) += 1;
/// assert_eq!(seen.get("BTC/USD"), Some(&2));
/// assert_eq!(seen.get("ETH/USD"), None);
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StrMap<V> {
    entries: Vec<(String, V)>,
    /// Index of the entry last found: where the next lookup looks first.
    #[serde(skip)]
    last_hit: usize,
}

impl<V> StrMap<V> {
    /// An empty map.
    pub const fn new() -> Self {
        StrMap {
            entries: Vec::new(),
            last_hit: 0,
        }
    }

    /// The value for `key`, inserting `make()` first when there is none.
    pub fn get_or_insert_with(&mut self, key: &str, make: impl FnOnce() -> V) -> &mut V {
        let index = match self.position(key) {
            Some(index) => index,
            None => {
                self.entries.push((key.to_owned(), make()));
                self.entries.len() - 1
            }
        };
        self.last_hit = index;
        &mut self.entries[index].1
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.position(key).map(|index| &self.entries[index].1)
    }

    /// The value for `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        let index = self.position(key)?;
        self.last_hit = index;
        Some(&mut self.entries[index].1)
    }

    /// Removes and returns the value for `key`.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let index = self.position(key)?;
        self.last_hit = 0;
        Some(self.entries.remove(index).1)
    }

    /// The entries, in insertion order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> {
        self.entries.iter().map(|(key, value)| (key.as_str(), value))
    }

    /// The values, mutably, in insertion order.
    pub fn values_mut(&mut self) -> impl ExactSizeIterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, value)| value)
    }

    /// The number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        match self.entries.get(self.last_hit) {
            Some((last, _)) if last == key => Some(self.last_hit),
            _ => self.entries.iter().position(|(known, _)| known == key),
        }
    }
}

/// Equal when the entries are, in the same order; where the next lookup starts does not matter.
impl<V: PartialEq> PartialEq for StrMap<V> {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}

impl<V: Eq> Eq for StrMap<V> {}

impl<V> Default for StrMap<V> {
    fn default() -> Self {
        StrMap::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_inserts_and_removes_by_key() {
        let mut map = StrMap::new();
        *map.get_or_insert_with("BTC/USD", || 1) += 10;
        map.get_or_insert_with("ETH/USD", || 2);
        assert_eq!(map.get("BTC/USD"), Some(&11));
        assert_eq!(map.get_mut("ETH/USD").map(|v| *v), Some(2));
        assert_eq!(map.get_or_insert_with("ETH/USD", || 99), &mut 2);
        assert_eq!(map.remove("BTC/USD"), Some(11));
        assert_eq!(map.remove("BTC/USD"), None);
        assert_eq!(map.get("ETH/USD"), Some(&2));
        assert_eq!(map.len(), 1);
    }

    #[test]
    fn iterates_in_insertion_order_and_keeps_it_through_a_snapshot() {
        let mut map = StrMap::new();
        for key in ["b", "a", "c"] {
            map.get_or_insert_with(key, || key.len());
        }
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(json, r#"[["b",1],["a",1],["c",1]]"#);
        let restored: StrMap<usize> = serde_json::from_str(&json).unwrap();
        let keys: Vec<&str> = restored.iter().map(|(key, _)| key).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        assert_eq!(restored, map);
    }
}
