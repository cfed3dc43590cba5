//! [`Freshness`]: the data-flow heartbeat of a venue's streams. Ping/pong only proves the
//! socket is alive; a stream can go quiet on a live socket. So each stream remembers when its
//! last message came (a venue heartbeat on the connection counts for every stream on it, since
//! it says the venue would have sent what there was), and one past its threshold is stale.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The age of one stream's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamAge<K> {
    pub stream: K,
    /// Since the last message; `None` before the first.
    pub age: Option<Duration>,
    pub stale: bool,
}

/// Per-stream time since the last message, keyed by `K` (the adapter's stream key).
#[derive(Debug, Clone)]
pub struct Freshness<K> {
    threshold: Duration,
    /// When each stream was subscribed (the grace before a first message) and last heard of.
    streams: BTreeMap<K, (Instant, Option<Instant>)>,
}

impl<K: Ord + Clone> Freshness<K> {
    /// A stream is stale `threshold` after its last message (or after it was watched, before
    /// its first).
    pub fn new(threshold: Duration) -> Self {
        Self {
            threshold,
            streams: BTreeMap::new(),
        }
    }

    pub fn threshold(&self) -> Duration {
        self.threshold
    }

    /// Starts watching `stream` (idempotent: a watched stream keeps its times).
    pub fn watch(&mut self, stream: K, now: Instant) {
        self.streams.entry(stream).or_insert((now, None));
    }

    pub fn unwatch(&mut self, stream: &K) {
        self.streams.remove(stream);
    }

    /// A message of `stream` arrived.
    pub fn heard(&mut self, stream: &K, now: Instant) {
        if let Some((_, last)) = self.streams.get_mut(stream) {
            *last = Some(now);
        }
    }

    /// A message that vouches for every stream (a venue heartbeat on their connection).
    pub fn heard_all(&mut self, now: Instant) {
        for (_, last) in self.streams.values_mut() {
            *last = Some(now);
        }
    }

    /// After a reconnect, every stream waits for its first message again.
    pub fn restart(&mut self, now: Instant) {
        for times in self.streams.values_mut() {
            *times = (now, None);
        }
    }

    pub fn is_stale(&self, stream: &K, now: Instant) -> bool {
        self.streams
            .get(stream)
            .is_some_and(|&(since, last)| now.saturating_duration_since(last.unwrap_or(since)) > self.threshold)
    }

    /// Every watched stream's age, in key order.
    pub fn ages(&self, now: Instant) -> Vec<StreamAge<K>> {
        self.streams
            .iter()
            .map(|(stream, &(since, last))| StreamAge {
                stream: stream.clone(),
                age: last.map(|at| now.saturating_duration_since(at)),
                stale: now.saturating_duration_since(last.unwrap_or(since)) > self.threshold,
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_stream_goes_stale_and_recovers_when_data_flows() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut freshness = Freshness::new(s(5));
        freshness.watch("trade BTC/USD", t0);
        freshness.watch("book BTC/USD", t0);
        freshness.heard(&"trade BTC/USD", t0 + s(1));
        assert!(!freshness.is_stale(&"book BTC/USD", t0 + s(5)), "within the grace");
        assert!(freshness.is_stale(&"book BTC/USD", t0 + s(6)), "never heard of");
        assert!(freshness.is_stale(&"trade BTC/USD", t0 + s(7)));
        freshness.heard(&"trade BTC/USD", t0 + s(7));
        assert!(!freshness.is_stale(&"trade BTC/USD", t0 + s(8)));
        // A heartbeat vouches for both.
        freshness.heard_all(t0 + s(9));
        let ages = freshness.ages(t0 + s(10));
        assert!(ages.iter().all(|a| !a.stale && a.age == Some(s(1))), "{ages:?}");
        assert!(!freshness.is_stale(&"unwatched", t0 + s(100)));
    }
}
