//! The time a strategy sees. The session sets it; the host imports and WASI's clocks read it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use trading::market::TimeMs;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock};

/// A shared millisecond clock driven by the event stream: in a backtest or paper replay it is
/// the replayed time of the event being handled, so a strategy that reads the time (through
/// `now-ms` or `std::time`) sees the same values on every run.
#[derive(Debug, Clone, Default)]
pub struct Clock(Arc<AtomicI64>);

impl Clock {
    pub fn now_ms(&self) -> TimeMs {
        self.0.load(Ordering::Relaxed)
    }

    /// Moves the clock to `time_ms`; it never goes backwards, so the guest's monotonic clock
    /// stays monotonic even if a feed repeats a timestamp.
    pub fn advance_to(&self, time_ms: TimeMs) {
        // A read first: a replay sets the time once per event and once per update, most often
        // to what it already is, and a read costs less than a read-modify-write.
        if time_ms > self.0.load(Ordering::Relaxed) {
            self.0.fetch_max(time_ms, Ordering::Relaxed);
        }
    }
}

impl HostWallClock for Clock {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }

    fn now(&self) -> Duration {
        Duration::from_millis(u64::try_from(self.now_ms()).unwrap_or(0))
    }
}

impl HostMonotonicClock for Clock {
    fn resolution(&self) -> u64 {
        1_000_000
    }

    fn now(&self) -> u64 {
        u64::try_from(self.now_ms()).unwrap_or(0).saturating_mul(1_000_000)
    }
}
