//! How a live venue's events reach the desk without waiting for the next market event: a
//! queue that connection tasks push into ([`VenueEventSender`]) and the desk's port drains
//! ([`VenueInbox`]), and a [`Doorbell`] that every push rings, which the thread driving the
//! desk waits on.
//!
//! Plain `std` synchronization: the trading core runs no async runtime, and a connection task
//! pushing an event only takes a short lock.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use super::VenueEvent;

/// Rung on every event; the desk's driver waits on it. One doorbell may serve many venues.
#[derive(Debug, Clone, Default)]
pub struct Doorbell {
    inner: Arc<(Mutex<u64>, Condvar)>,
}

impl Doorbell {
    pub fn new() -> Self {
        Self::default()
    }

    /// Wakes every waiter.
    pub fn ring(&self) {
        let (rings, wake) = &*self.inner;
        *lock(rings) += 1;
        wake.notify_all();
    }

    /// How often it has rung so far: pass it to [`Doorbell::wait_after`].
    pub fn rings(&self) -> u64 {
        *lock(&self.inner.0)
    }

    /// Waits until it has rung more than `seen` times, or `timeout` passed. Returns the count
    /// now. A ring between reading `seen` and calling this is not missed.
    pub fn wait_after(&self, seen: u64, timeout: Duration) -> u64 {
        let (rings, wake) = &*self.inner;
        let guard = lock(rings);
        let (guard, _) = wake
            .wait_timeout_while(guard, timeout, |rings| *rings <= seen)
            .unwrap_or_else(|p| p.into_inner());
        *guard
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere while holding the lock leaves a counter or a queue that is still whole.
    mutex.lock().unwrap_or_else(|p| p.into_inner())
}

type Queue = Arc<Mutex<VecDeque<VenueEvent>>>;

/// The producing side: cloned into every connection task of one venue.
#[derive(Debug, Clone)]
pub struct VenueEventSender {
    queue: Queue,
    doorbell: Doorbell,
}

impl VenueEventSender {
    /// Queues `event` for the desk and rings the doorbell.
    pub fn send(&self, event: VenueEvent) {
        lock(&self.queue).push_back(event);
        self.doorbell.ring();
    }
}

/// The consuming side, owned by the venue's [`super::ExecutionPort`].
#[derive(Debug)]
pub struct VenueInbox {
    queue: Queue,
}

impl VenueInbox {
    /// Moves every queued event into `out`, oldest first.
    pub fn drain_into(&mut self, out: &mut Vec<VenueEvent>) {
        out.extend(lock(&self.queue).drain(..));
    }

    /// Drops the queued events `stale` picks; how many.
    pub fn discard(&mut self, mut stale: impl FnMut(&VenueEvent) -> bool) -> usize {
        let mut queue = lock(&self.queue);
        let before = queue.len();
        queue.retain(|event| !stale(event));
        before - queue.len()
    }
}

/// A queue for one venue's events, ringing `doorbell` on each.
pub fn venue_channel(doorbell: Doorbell) -> (VenueEventSender, VenueInbox) {
    let queue = Queue::default();
    (
        VenueEventSender {
            queue: queue.clone(),
            doorbell,
        },
        VenueInbox { queue },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::VenueId;

    #[test]
    fn a_send_from_another_thread_wakes_the_waiter_and_is_drained_in_order() {
        let doorbell = Doorbell::new();
        let (sender, mut inbox) = venue_channel(doorbell.clone());
        let seen = doorbell.rings();
        let venue = VenueId::new("kraken");
        let producer = std::thread::spawn({
            let venue = venue.clone();
            move || {
                for time_ms in [1, 2] {
                    sender.send(VenueEvent::Connected {
                        venue: venue.clone(),
                        time_ms,
                    });
                }
            }
        });
        let now = doorbell.wait_after(seen, Duration::from_secs(10));
        assert!(now > seen, "the doorbell did not ring");
        producer.join().unwrap();
        let mut out = Vec::new();
        inbox.drain_into(&mut out);
        let times: Vec<_> = out
            .iter()
            .map(|e| match e {
                VenueEvent::Connected { time_ms, .. } => *time_ms,
                other => panic!("unexpected {other:?}"),
            })
            .collect();
        assert_eq!(times, [1, 2]);
    }

    #[test]
    fn waiting_without_a_ring_times_out() {
        let doorbell = Doorbell::new();
        let seen = doorbell.rings();
        assert_eq!(doorbell.wait_after(seen, Duration::from_millis(1)), seen);
    }
}
