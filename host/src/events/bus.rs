//! The bus: every event published once, in one order, to every subscriber, without ever
//! waiting for one.
//!
//! A ring of the latest events (tokio's broadcast channel): publishing writes a slot and
//! returns; each subscriber reads at its own pace from its own position. One that falls more
//! than the ring behind skips ahead to the oldest event still held, and the events it missed
//! are counted (its `skipped`), so a slow subscriber costs the publishers nothing and is seen.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::broadcast::{self, error::RecvError, error::TryRecvError};

use super::{HostEvent, Published};

/// Events a subscriber may fall behind by before it skips ahead.
pub const DEFAULT_CAPACITY: usize = 16_384;

/// The host's event bus; clones publish to and subscribe from the same stream.
#[derive(Clone)]
pub struct EventBus {
    shared: Arc<Shared>,
}

struct Shared {
    /// The next sequence number and the sending side, under one lock so that sequence
    /// numbers are in the order subscribers receive the events.
    tail: Mutex<Tail>,
    published: AtomicU64,
    subscribers: Arc<Subscribers>,
}

/// Who subscribes, and what each name has skipped in all (a subscriber's count outlives it,
/// so the total only grows). Shared with the subscriptions, which do not keep the bus alive:
/// once every publisher is gone, they end.
#[derive(Default)]
struct Subscribers {
    live: Mutex<Vec<Arc<SubscriberStats>>>,
    skipped: Mutex<BTreeMap<&'static str, u64>>,
}

impl Subscribers {
    fn live(&self) -> MutexGuard<'_, Vec<Arc<SubscriberStats>>> {
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|s| Arc::strong_count(s) > 1);
        live
    }

    fn skipped(&self, name: &'static str, count: u64) {
        *self
            .skipped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(name)
            .or_default() += count;
    }
}

struct Tail {
    next_seq: u64,
    sender: broadcast::Sender<Arc<Published>>,
}

/// What one subscriber has read and skipped, for metrics and `/status`.
#[derive(Debug)]
pub struct SubscriberStats {
    pub name: &'static str,
    received: AtomicU64,
    skipped: AtomicU64,
}

impl SubscriberStats {
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Relaxed)
    }

    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }
}

impl Default for EventBus {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

impl std::fmt::Debug for EventBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBus")
            .field("published", &self.published())
            .finish_non_exhaustive()
    }
}

impl EventBus {
    /// A bus whose subscribers may fall `capacity` events behind (at least 1).
    pub fn new(capacity: usize) -> Self {
        let (sender, _) = broadcast::channel(capacity.max(1));
        Self {
            shared: Arc::new(Shared {
                tail: Mutex::new(Tail { next_seq: 1, sender }),
                published: AtomicU64::new(0),
                subscribers: Arc::default(),
            }),
        }
    }

    fn tail(&self) -> MutexGuard<'_, Tail> {
        self.shared.tail.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Publishes `event` to every subscriber and returns its sequence number. Never waits
    /// for a subscriber; with none, the event is numbered and gone.
    pub fn publish(&self, event: HostEvent) -> u64 {
        let wall_ms = wall_ms();
        let mut tail = self.tail();
        let seq = tail.next_seq;
        tail.next_seq += 1;
        // An error means no subscriber holds a receiver: nobody to tell.
        let _ = tail.sender.send(Arc::new(Published { seq, wall_ms, event }));
        self.shared.published.store(seq, Ordering::Release);
        seq
    }

    /// Publishes every event of `events`, in order.
    pub fn publish_all(&self, events: impl IntoIterator<Item = HostEvent>) {
        for event in events {
            self.publish(event);
        }
    }

    /// The sequence number of the latest event published (0 before the first).
    pub fn published(&self) -> u64 {
        self.shared.published.load(Ordering::Acquire)
    }

    /// A subscription that receives every event published from now on, named for metrics.
    pub fn subscribe(&self, name: &'static str) -> Subscription {
        let receiver = self.tail().sender.subscribe();
        let stats = Arc::new(SubscriberStats {
            name,
            received: AtomicU64::new(0),
            skipped: AtomicU64::new(0),
        });
        self.shared.subscribers.live().push(stats.clone());
        Subscription {
            receiver,
            stats,
            subscribers: self.shared.subscribers.clone(),
        }
    }

    /// The subscribers that are still subscribed, with what they received and skipped.
    pub fn subscribers(&self) -> Vec<Arc<SubscriberStats>> {
        self.shared.subscribers.live().clone()
    }

    /// The events skipped by every subscriber of each name, since the bus began.
    pub fn skipped_by_name(&self) -> BTreeMap<&'static str, u64> {
        self.shared
            .subscribers
            .skipped
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// One subscriber's position in the stream. Dropping it unsubscribes.
pub struct Subscription {
    receiver: broadcast::Receiver<Arc<Published>>,
    stats: Arc<SubscriberStats>,
    subscribers: Arc<Subscribers>,
}

/// What a subscription hands out next.
#[derive(Debug, Clone)]
pub enum Received {
    Event(Arc<Published>),
    /// The subscriber fell behind: this many events were skipped, and reading goes on from
    /// the oldest event the bus still holds.
    Skipped(u64),
}

impl Subscription {
    pub fn stats(&self) -> &Arc<SubscriberStats> {
        &self.stats
    }

    fn count(&self, received: Result<Arc<Published>, u64>) -> Received {
        match received {
            Ok(event) => {
                self.stats.received.fetch_add(1, Ordering::Relaxed);
                Received::Event(event)
            }
            Err(skipped) => {
                self.stats.skipped.fetch_add(skipped, Ordering::Relaxed);
                self.subscribers.skipped(self.stats.name, skipped);
                Received::Skipped(skipped)
            }
        }
    }

    /// The next event, waiting for one; `None` once every publisher is gone.
    pub async fn next(&mut self) -> Option<Received> {
        match self.receiver.recv().await {
            Ok(event) => Some(self.count(Ok(event))),
            Err(RecvError::Lagged(skipped)) => Some(self.count(Err(skipped))),
            Err(RecvError::Closed) => None,
        }
    }

    /// The next event if one is waiting.
    pub fn try_next(&mut self) -> Option<Received> {
        match self.receiver.try_recv() {
            Ok(event) => Some(self.count(Ok(event))),
            Err(TryRecvError::Lagged(skipped)) => Some(self.count(Err(skipped))),
            Err(TryRecvError::Empty | TryRecvError::Closed) => None,
        }
    }

    /// [`Subscription::next`] for a thread outside the async runtime (it must not be called
    /// from inside one).
    pub fn next_blocking(&mut self) -> Option<Received> {
        match self.receiver.blocking_recv() {
            Ok(event) => Some(self.count(Ok(event))),
            Err(RecvError::Lagged(skipped)) => Some(self.count(Err(skipped))),
            Err(RecvError::Closed) => None,
        }
    }
}

/// UTC milliseconds now, by the wall clock: when the host published an event (its own
/// `time_ms` may be a replay's time).
fn wall_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Lifecycle, StrategyEvent};
    use trading::orders::StrategyId;

    fn event(n: usize) -> HostEvent {
        HostEvent::Strategy(StrategyEvent {
            strategy: StrategyId::new(&format!("s{n}")),
            lifecycle: Lifecycle::Recovered,
        })
    }

    fn seq(received: Option<Received>) -> u64 {
        match received {
            Some(Received::Event(p)) => p.seq,
            other => panic!("an event, not {other:?}"),
        }
    }

    #[test]
    fn every_subscriber_gets_every_event_in_order() {
        let bus = EventBus::new(16);
        let mut a = bus.subscribe("a");
        let mut b = bus.subscribe("b");
        for n in 0..5 {
            bus.publish(event(n));
        }
        for sub in [&mut a, &mut b] {
            let seqs: Vec<u64> = (0..5).map(|_| seq(sub.try_next())).collect();
            assert_eq!(seqs, [1, 2, 3, 4, 5]);
            assert!(sub.try_next().is_none());
        }
        assert_eq!(bus.published(), 5);
    }

    #[test]
    fn a_subscriber_that_falls_behind_skips_ahead_counted_and_the_publisher_never_waits() {
        let bus = EventBus::new(8);
        let mut slow = bus.subscribe("slow");
        let mut fast = bus.subscribe("fast");
        for n in 0..100 {
            bus.publish(event(n));
            // The fast one keeps up.
            assert_eq!(seq(fast.try_next()), n as u64 + 1);
        }
        match slow.try_next() {
            Some(Received::Skipped(skipped)) => assert_eq!(skipped, 92),
            other => panic!("a skip, not {other:?}"),
        }
        assert_eq!(seq(slow.try_next()), 93, "it goes on from the oldest event held");
        let stats: Vec<(&str, u64, u64)> = bus
            .subscribers()
            .iter()
            .map(|s| (s.name, s.received(), s.skipped()))
            .collect();
        assert_eq!(stats, [("slow", 1, 92), ("fast", 100, 0)]);
        drop(slow);
        assert_eq!(
            bus.skipped_by_name().into_iter().collect::<Vec<_>>(),
            [("slow", 92)],
            "a subscriber's skips are counted after it is gone"
        );
    }

    #[test]
    fn a_dropped_subscription_leaves_the_list() {
        let bus = EventBus::new(4);
        let gone = bus.subscribe("gone");
        let _kept = bus.subscribe("kept");
        drop(gone);
        assert_eq!(bus.subscribers().iter().map(|s| s.name).collect::<Vec<_>>(), ["kept"]);
        // Publishing with the subscriber gone is no error.
        assert_eq!(bus.publish(event(0)), 1);
    }
}
