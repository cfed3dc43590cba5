//! What waking a sleeping thread costs on this machine: the floor under every hand-off between
//! threads on the tick-to-order path (BENCHMARKS.md). A thread waits on a condition variable,
//! as a strategy's thread waits on its mailbox; another posts to it after an idle gap and
//! measures the time until the sleeper runs. After a long gap its CPU has gone idle, and on a
//! virtual machine an idle CPU is halted: waking it is a trip through the hypervisor.
//!
//! `cargo run --release -p strategy-host --example wake_latency -- 5000` (wake-ups per gap).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The sleeper's side: a posted flag under a lock, and when the sleeper last woke, in
/// nanoseconds after `epoch` (0: not yet).
struct Bell {
    posted: Mutex<bool>,
    ring: Condvar,
    woke_ns: AtomicU64,
    epoch: Instant,
}

fn main() {
    let wakes: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(5_000)
        .max(1);
    let bell = Arc::new(Bell {
        posted: Mutex::new(false),
        ring: Condvar::new(),
        woke_ns: AtomicU64::new(0),
        epoch: Instant::now(),
    });
    {
        let bell = bell.clone();
        std::thread::spawn(move || loop {
            let mut posted = bell.posted.lock().unwrap_or_else(|p| p.into_inner());
            while !*posted {
                posted = bell.ring.wait(posted).unwrap_or_else(|p| p.into_inner());
            }
            *posted = false;
            let now = u64::try_from(bell.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX);
            bell.woke_ns.store(now, Ordering::Release);
        });
    }
    println!("a sleeping thread woken after an idle gap, {wakes} wake-ups each, microseconds:");
    println!("| idle gap | p50 | p99 | p99.9 | max |");
    println!("| ---: | ---: | ---: | ---: | ---: |");
    for gap_us in [50, 1_000] {
        let mut latencies = Vec::with_capacity(wakes);
        for _ in 0..wakes {
            std::thread::sleep(Duration::from_micros(gap_us));
            bell.woke_ns.store(0, Ordering::Release);
            let posted_at = bell.epoch.elapsed();
            *bell.posted.lock().unwrap_or_else(|p| p.into_inner()) = true;
            bell.ring.notify_one();
            // Spinning here keeps this thread's own CPU awake, so only the sleeper's wake-up is
            // measured.
            let woke_ns = loop {
                let woke = bell.woke_ns.load(Ordering::Acquire);
                if woke != 0 {
                    break woke;
                }
                std::hint::spin_loop();
            };
            latencies.push(Duration::from_nanos(woke_ns).saturating_sub(posted_at));
        }
        latencies.sort();
        let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e6;
        println!(
            "| {gap_us} µs | {:.1} | {:.1} | {:.1} | {:.1} |",
            at(0.5),
            at(0.99),
            at(0.999),
            at(1.0)
        );
    }
}
