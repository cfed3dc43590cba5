//! Resident memory of the host with N instances of a strategy (BENCHMARKS.md).
//!
//! `cargo run --release -p strategy-host --example rss -- WASM N [bare|fleet]`
//!
//! Each instance handles 100 bars first (windows filled, snapshots taken), as a running
//! strategy has. `bare` (the default) holds N supervised [`Runner`]s on this thread; `fleet`
//! runs them as paper trading does, each on a worker thread of its own with its mailbox, the
//! bars going in through `Fleet::deliver`.
//!
//! [`Runner`]: strategy_host::runtime::Runner

mod support;

use std::sync::Arc;
use std::time::Duration;

use strategy_host::runtime::{RecoveryPolicy, Runtime, SandboxLimits, StrategyComponent};
use support::{rss_kib, BoxError, Lab};
use trading::market::MarketEvent;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (wasm, n, fleet_mode) = match args.as_slice() {
        [wasm, n] => (wasm, n, false),
        [wasm, n, mode] if mode == "bare" => (wasm, n, false),
        [wasm, n, mode] if mode == "fleet" => (wasm, n, true),
        _ => return Err("usage: rss WASM N [bare|fleet]".into()),
    };
    let n: usize = n.parse()?;
    let runtime = Arc::new(Runtime::new(SandboxLimits::default())?);
    let component = Arc::new(StrategyComponent::load_file(&runtime, std::path::Path::new(wasm))?);
    let lab = Lab::new(runtime)?;
    let bars: Vec<MarketEvent> = support::bars()?.take(100).collect();
    let fleet = lab.fleet(Arc::new(|_, _| {}));
    let start = |i: usize| lab.runner(&component, &format!("s{i}"), "{}", RecoveryPolicy::live());

    let before = rss_kib();
    let mut runners = Vec::new();
    if fleet_mode {
        for i in 0..n {
            fleet.start(start(i)?)?;
        }
        for bar in &bars {
            fleet.deliver(bar);
        }
        support::wait_for("every worker to handle the bars", Duration::from_secs(600), || {
            fleet.is_idle().then_some(())
        })?;
    } else {
        for i in 0..n {
            let mut runner = start(i)?;
            for bar in &bars {
                runner.on_market_event(bar, 0);
            }
            runners.push(runner);
        }
    }
    let after = rss_kib();
    println!(
        "{} instances {n}: rss before {before} KiB, after {after} KiB, {:.1} KiB per instance",
        if fleet_mode { "fleet" } else { "bare" },
        (after.saturating_sub(before)) as f64 / n.max(1) as f64
    );
    support::print_faults(&lab);
    Ok(())
}
