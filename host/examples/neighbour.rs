//! Neighbour impact: how much a spinning strategy slows a well-behaved one next to it
//! (BENCHMARKS.md, "Hot reload and isolation").
//!
//! `cargo run --release -p strategy-host --example neighbour -- COUNTER_WASM HOSTILE_WASM [EVENTS] [INTERVAL_US]`
//!
//! Feeds EVENTS bars (default 20,000), one every INTERVAL_US (default 200), into a fleet, and
//! measures for each the time from `Fleet::deliver` to the `counter` guest's decision about it
//! (it decides on every event): queueing, the worker's wake-up, and the call. Three runs, each
//! with a fresh fleet and desk:
//!
//! - `alone`: counter only;
//! - `spin, live backoff`: next to `hostile` in mode `spin`, which loops until its 10 ms
//!   deadline cuts it off, on every event it gets; it is never quarantined, and is
//!   re-instantiated when its backoff ends (100 ms, doubling to 10 s), as in paper trading;
//! - `spin, no backoff`: the same, re-instantiated at once, so it burns a core for the whole
//!   run: the worst a neighbour can do within its deadline.

mod support;

use std::sync::Arc;
use std::time::Duration;

use strategy_host::runtime::{RecoveryPolicy, Runtime, SandboxLimits, StrategyComponent};
use support::{report, BoxError, Feeder, Lab, Recorder};
use trading::orders::StrategyId;

/// A neighbour never quarantined.
const NEVER: u32 = u32::MAX;

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (counter, hostile, events, interval_us) = match args.as_slice() {
        [c, h] => (c, h, 20_000, 200),
        [c, h, n] => (c, h, n.parse()?, 200),
        [c, h, n, us] => (c, h, n.parse()?, us.parse()?),
        _ => return Err("usage: neighbour COUNTER_WASM HOSTILE_WASM [EVENTS] [INTERVAL_US]".into()),
    };
    let runtime = Arc::new(Runtime::new(SandboxLimits::default())?);
    let load = |path: &str| StrategyComponent::load_file(&runtime, std::path::Path::new(path)).map(Arc::new);
    let (counter, hostile) = (load(counter)?, load(hostile)?);
    let live = RecoveryPolicy {
        max_consecutive_failures: NEVER,
        ..RecoveryPolicy::live()
    };
    let at_once = RecoveryPolicy { backoff: None, ..live };
    let runs = [
        ("alone", None),
        ("spin, live backoff", Some(live)),
        ("spin, no backoff", Some(at_once)),
    ];
    for (label, neighbour) in runs {
        let lab = Lab::new(runtime.clone())?;
        let recorder = Recorder::default();
        let fleet = Arc::new(lab.fleet(recorder.sink()));
        fleet.start(lab.runner(&counter, "counter", "{}", RecoveryPolicy::live())?)?;
        if let Some(policy) = neighbour {
            fleet.start(lab.runner(&hostile, "hostile", r#"{"mode": "spin"}"#, policy)?)?;
        }
        let counter_no = recorder.number(&StrategyId::new("counter"));
        let delivered = Feeder::start(fleet.clone(), Duration::from_micros(interval_us), events)?.join();
        support::wait_for("counter to decide on every event", Duration::from_secs(60), || {
            let decided = recorder.lock().iter().filter(|r| r.strategy == counter_no).count();
            (decided >= delivered.len()).then_some(())
        })?;
        fleet.shutdown();
        let latencies_us: Vec<f64> = recorder
            .lock()
            .iter()
            .filter(|r| r.strategy == counter_no)
            .filter_map(|r| Some(support::ms(*delivered.get(&r.event_time_ms)?, r.at) * 1e3))
            .collect();
        report(&format!("{label}: deliver -> counter decision"), "us", latencies_us);
        // What the neighbour went through, to show it really spun, and what that left behind.
        support::print_faults(&lab);
        println!("  rss after the run: {} KiB", support::rss_kib());
    }
    Ok(())
}
