//! A call's deadline counted in the CPU time of the thread that runs it.
//!
//! The epoch ticker measures wall-clock time. With more strategy threads than cores, a thread
//! waiting for a core would see its wall-clock deadline pass without having run, and a
//! well-behaved strategy would be cut off for its neighbours' load. So when the epoch deadline
//! fires, the callback asks how much CPU the call has really used and extends the deadline by
//! what is left. A wall-clock cap (a multiple of the budget) still bounds a call that cannot
//! get a core at all.
//!
//! The price: reading the thread's CPU clock at the start of every call is a system call
//! (about 0.5 µs in this project's VM; see BENCHMARKS.md). Backtests use fuel and pay nothing.

use std::time::{Duration, Instant};

use wasmtime::UpdateDeadline;

/// How many times the CPU budget a call may take in wall-clock time, waiting for a core included.
const WALL_CLOCK_FACTOR: u32 = 20;
/// The wall-clock cap is at least this: a short budget on a busy machine needs room.
const MIN_WALL_CLOCK_CAP: Duration = Duration::from_secs(1);

/// The budget of the call in progress.
#[derive(Debug, Clone, Copy)]
pub struct CallBudget {
    cpu: Duration,
    wall_cap: Duration,
    started_cpu: Duration,
    started_wall: Instant,
}

impl CallBudget {
    /// A budget of `ms` milliseconds of CPU, starting now.
    pub fn start(ms: u64) -> Self {
        let cpu = Duration::from_millis(ms.max(1));
        Self {
            cpu,
            wall_cap: (cpu * WALL_CLOCK_FACTOR).max(MIN_WALL_CLOCK_CAP),
            started_cpu: thread_cpu_time(),
            started_wall: Instant::now(),
        }
    }

    /// Epoch ticks (milliseconds) to the first check.
    pub fn ticks(&self) -> u64 {
        millis_ceil(self.cpu)
    }

    /// What the epoch deadline callback answers: trap once the CPU budget or the wall-clock
    /// cap is spent, otherwise look again when the rest of the CPU budget could be.
    pub fn on_deadline(&self) -> UpdateDeadline {
        let used = thread_cpu_time().saturating_sub(self.started_cpu);
        if used >= self.cpu || self.started_wall.elapsed() >= self.wall_cap {
            return UpdateDeadline::Interrupt;
        }
        UpdateDeadline::Continue(millis_ceil(self.cpu - used))
    }
}

fn millis_ceil(d: Duration) -> u64 {
    u64::try_from(d.as_micros().div_ceil(1_000)).unwrap_or(u64::MAX).max(1)
}

/// CPU time used by the calling thread.
#[allow(unsafe_code)]
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec for the duration of the call, and
    // CLOCK_THREAD_CPUTIME_ID is supported on every Linux this builds for.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        // Without a CPU clock, count no CPU: the wall-clock cap still ends the call.
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(ts.tv_sec).unwrap_or(0),
        u32::try_from(ts.tv_nsec).unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spin_for(d: Duration) {
        let start = thread_cpu_time();
        while thread_cpu_time() - start < d {
            std::hint::black_box(0u64);
        }
    }

    #[test]
    fn a_call_that_has_not_used_its_cpu_is_given_the_rest() {
        let budget = CallBudget::start(50);
        assert_eq!(budget.ticks(), 50);
        // Sleeping uses no CPU: the deadline is extended.
        std::thread::sleep(Duration::from_millis(60));
        assert!(matches!(budget.on_deadline(), UpdateDeadline::Continue(ticks) if ticks <= 50));
    }

    #[test]
    fn a_call_that_used_its_cpu_is_interrupted() {
        let budget = CallBudget::start(20);
        spin_for(Duration::from_millis(25));
        assert!(matches!(budget.on_deadline(), UpdateDeadline::Interrupt));
    }

    #[test]
    fn a_call_past_the_wall_clock_cap_is_interrupted_even_without_cpu() {
        let budget = CallBudget {
            wall_cap: Duration::from_millis(10),
            ..CallBudget::start(1_000)
        };
        std::thread::sleep(Duration::from_millis(20));
        assert!(matches!(budget.on_deadline(), UpdateDeadline::Interrupt));
    }
}
