//! How far a subscriber on a thread of its own has got, for those that must wait until it has
//! handled everything published before some moment (a scrape, a shutdown).

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// The sequence number of the latest event a subscriber has handled.
#[derive(Debug, Default)]
pub struct Progress {
    seen: Mutex<u64>,
    advanced: Condvar,
}

impl Progress {
    /// The subscriber has handled every event up to `seq`.
    pub fn advance(&self, seq: u64) {
        *self.seen.lock().unwrap_or_else(|p| p.into_inner()) = seq;
        self.advanced.notify_all();
    }

    /// Waits until the subscriber has handled `seq`, or `within` has passed; whether it had.
    pub fn wait_for(&self, seq: u64, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        while *seen < seq {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            seen = self
                .advanced
                .wait_timeout(seen, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }
}
