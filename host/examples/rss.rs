//! Resident memory of the host with N instances of a strategy loaded (BENCHMARKS.md).
//!
//! `cargo run --release -p strategy-host --example rss -- WASM N`

use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use strategy_host::metrics::Metrics;
use strategy_host::runtime::{
    lock_desk, RecoveryPolicy, Runner, Runtime, SandboxLimits, SessionShared, StrategyComponent, StrategyContext,
};
use trading::brokers::{SimBroker, SimConfig};
use trading::desk::{Desk, DeskConfig};
use trading::market::{MarketEvent, RandomWalk, RandomWalkConfig, Symbol, Timeframe};
use trading::orders::StrategyId;

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [wasm, n] = args.as_slice() else {
        return Err("usage: rss WASM N".into());
    };
    let n: usize = n.parse()?;
    let metrics = Metrics::new();
    let runtime = Arc::new(Runtime::new(SandboxLimits::default())?);
    let component = Arc::new(StrategyComponent::load_file(&runtime, std::path::Path::new(wasm))?);
    let broker = SimBroker::new(SimConfig::default())?;
    let desk = Arc::new(Mutex::new(Desk::new(DeskConfig::default(), Box::new(broker), None)?));
    let shared = SessionShared::default();
    let bars: Vec<MarketEvent> = RandomWalk::new(RandomWalkConfig::new(Symbol::new("SIM/USD")?, Timeframe::MINUTE))?
        .take(100)
        .map(MarketEvent::Candle)
        .collect();
    let before = rss_kib();
    let mut runners = Vec::with_capacity(n);
    for i in 0..n {
        let id = StrategyId::new(&format!("s{i}"));
        lock_desk(&desk).register_strategy(&id, Decimal::from(1_000_000))?;
        let ctx = StrategyContext::new(
            id.clone(),
            desk.clone(),
            &shared,
            metrics.strategy(id.as_str(), "paper"),
        );
        let mut runner = Runner::start(
            runtime.clone(),
            component.clone(),
            "{}".into(),
            ctx,
            RecoveryPolicy::live(),
        )?;
        // Warm each instance up (windows filled, first snapshot taken), as a running strategy is.
        for bar in &bars {
            runner.on_market_event(bar, 0);
        }
        runners.push(runner);
    }
    let after = rss_kib();
    println!(
        "instances {n}: rss before {before} KiB, after {after} KiB, {:.1} KiB per instance",
        (after.saturating_sub(before)) as f64 / n.max(1) as f64
    );
    Ok(())
}
