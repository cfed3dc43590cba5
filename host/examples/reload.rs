//! Hot-reload latency and swap pause (BENCHMARKS.md, "Hot reload and isolation").
//!
//! `cargo run --release -p strategy-host --example reload -- COUNTER_WASM [RELOADS] [INTERVAL_US]`
//!
//! Runs the `counter` guest (one decision per event) in a fleet with hot reload on a temporary
//! strategies folder, wired as paper trading wires it, with a bar delivered every INTERVAL_US
//! (default 200). Then it deploys new versions the way an operator does, writing the file under
//! a dot-name and renaming it onto `counter.wasm`, and times each from just before the rename
//! to the first decision carrying the new version's hash. A new version is the same component
//! with a custom section appended, so its SHA-256 differs.
//!
//! - cached: swaps back and forth between two versions whose compiled form is already in the
//!   component cache (each was compiled once before);
//! - uncached: a fresh section payload each time, so the cache misses and the reloader compiles
//!   (and stores) it, as for a version never seen before.
//!
//! For each swap it also reports the worker's measured pause (`swap_pause_us` in `/status`) and
//! the gaps between consecutive decisions: the one across the swap, and the largest from the
//! rename until 20 decisions after the swap, against the median gap of the whole run.

#[path = "../tests/support/custom_section.rs"]
mod custom_section;
mod support;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use custom_section::with_custom_section;
use strategy_host::config::{RawConfig, RawSandbox};
use strategy_host::fleet::{Fleet, HotReload, Reloader, StrategyControl};
use strategy_host::runtime::{ContentHash, Runtime};
use support::{ms, report, wait_for, BoxError, Feeder, Lab, Recorder};

/// Decisions after the swap that still count as "around" it.
const AFTER_SWAP: usize = 20;
/// Generous: an uncached reload compiles the component on a busy machine.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Quiet time between two deployments, longer than the reloader's debounce.
const SETTLE: Duration = Duration::from_millis(150);

/// What one deployment measured.
struct Deployed {
    /// Rename to the new version's first decision.
    latency_ms: f64,
    /// The worker's own measure: snapshot, restore and hand-over.
    pause_us: u64,
    /// Between the old version's last decision and the new one's first.
    gap_at_swap_ms: f64,
    /// The longest gap from the rename to [`AFTER_SWAP`] decisions after the swap.
    max_gap_ms: f64,
    /// Where the new version's first decision is in the records.
    first_new: usize,
}

struct Bench {
    dir: PathBuf,
    fleet: Arc<Fleet>,
    recorder: Recorder,
}

impl Bench {
    /// Deploys `bytes` as `counter.wasm` and measures the swap.
    fn deploy(&self, bytes: &[u8]) -> Result<Deployed, BoxError> {
        let hash = ContentHash::of(bytes);
        let temp = self.dir.join(".counter.wasm.tmp");
        std::fs::write(&temp, bytes)?;
        let renamed_at = Instant::now();
        std::fs::rename(&temp, self.dir.join("counter.wasm"))?;

        let first_new = wait_for("the new version's first decision", TIMEOUT, || {
            let records = self.recorder.lock();
            let last_old = records.iter().rposition(|r| r.hash != hash)?;
            (last_old + 1 < records.len()).then_some(last_old + 1)
        })?;
        let pause_us = wait_for("the reloader's report of the swap", TIMEOUT, || {
            let status = self.fleet.statuses().into_iter().next()?;
            let reload = status
                .last_reload
                .filter(|r| r.hash.as_deref() == Some(&hash.to_string()))?;
            match reload.result {
                "ok" => reload.swap_pause_us.map(Ok),
                _ => Some(Err(reload.error.unwrap_or_default())),
            }
        })??;
        let end = first_new + AFTER_SWAP;
        wait_for("decisions after the swap", TIMEOUT, || {
            (self.recorder.len() > end).then_some(())
        })?;

        let records = self.recorder.lock();
        let first_after_rename = records.partition_point(|r| r.at < renamed_at).max(1);
        let max_gap_ms = records[first_after_rename - 1..=end]
            .windows(2)
            .map(|w| ms(w[0].at, w[1].at))
            .fold(0.0, f64::max);
        Ok(Deployed {
            latency_ms: ms(renamed_at, records[first_new].at),
            pause_us,
            gap_at_swap_ms: ms(records[first_new - 1].at, records[first_new].at),
            max_gap_ms,
            first_new,
        })
    }

    /// Deploys each version in turn, printing each outcome.
    fn run(&self, label: &str, versions: impl Iterator<Item = Vec<u8>>) -> Result<Vec<Deployed>, BoxError> {
        let mut all = Vec::new();
        for (i, bytes) in versions.enumerate() {
            std::thread::sleep(SETTLE);
            let d = self.deploy(&bytes)?;
            println!(
                "{label} #{i}: latency {:.2} ms, pause {} us, gap at swap {:.3} ms, max gap {:.3} ms",
                d.latency_ms, d.pause_us, d.gap_at_swap_ms, d.max_gap_ms
            );
            all.push(d);
        }
        Ok(all)
    }
}

fn main() -> Result<(), BoxError> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (wasm, reloads, interval_us) = match args.as_slice() {
        [wasm] => (wasm, 20, 200),
        [wasm, n] => (wasm, n.parse()?, 200),
        [wasm, n, us] => (wasm, n.parse()?, us.parse()?),
        _ => return Err("usage: reload COUNTER_WASM [RELOADS] [INTERVAL_US]".into()),
    };
    let base = std::fs::read(wasm)?;
    let temp = tempfile::tempdir()?;
    let (dir, cache) = (temp.path().join("strategies"), temp.path().join("cache"));
    std::fs::create_dir_all(&dir)?;
    let config = RawConfig {
        strategies_dir: dir.clone(),
        sandbox: RawSandbox {
            cache_dir: Some(cache.clone()),
            ..RawSandbox::default()
        },
        ..RawConfig::default()
    }
    .resolve("reload benchmark")?;

    let runtime = Runtime::new(config.sandbox)?.with_component_cache(cache);
    let lab = Lab::new(Arc::new(runtime))?;
    let recorder = Recorder::default();
    let fleet = Arc::new(lab.fleet(recorder.sink()));
    let version = |payload: &[u8]| with_custom_section(&base, "bench-version", payload);
    let (a, b) = (version(b"a"), version(b"b"));
    std::fs::write(dir.join("counter.wasm"), &a)?;
    let reloader = Reloader::new(lab.runtime.clone(), config, fleet.clone(), lab.metrics.clone());
    let (_control, sender, inputs) = StrategyControl::channel();
    let hot_reload = HotReload::start(reloader, (sender, inputs))?;
    let feeder = Feeder::start(fleet.clone(), Duration::from_micros(interval_us), usize::MAX)?;
    wait_for("the first decision", TIMEOUT, || (recorder.len() > 0).then_some(()))?;

    let bench = Bench {
        dir,
        fleet: fleet.clone(),
        recorder: recorder.clone(),
    };
    // Puts version b in the cache too (a is there since the start).
    bench.run("warm-up (compiles b)", std::iter::once(b.clone()))?;
    let cached = bench.run("cached", [a, b].into_iter().cycle().take(reloads))?;
    let fresh = (0..reloads).map(|i| version(format!("{}-{i}", unique()).as_bytes()));
    let uncached = bench.run("uncached", fresh)?;

    let delivered = feeder.stop();
    drop(hot_reload);
    fleet.shutdown();
    let gaps: Vec<f64> = recorder.lock().windows(2).map(|w| ms(w[0].at, w[1].at)).collect();
    println!("events delivered: {}, decisions: {}", delivered.len(), recorder.len());
    for (label, runs) in [("cached", &cached), ("uncached", &uncached)] {
        let each = |f: fn(&Deployed) -> f64| runs.iter().map(f).collect();
        report(&format!("{label} reload latency"), "ms", each(|d| d.latency_ms));
        report(&format!("{label} swap pause"), "us", each(|d| d.pause_us as f64));
        report(&format!("{label} gap at swap"), "ms", each(|d| d.gap_at_swap_ms));
        report(&format!("{label} max gap around reload"), "ms", each(|d| d.max_gap_ms));
    }
    report("gap between consecutive decisions, whole run", "ms", gaps);
    // How late the new version's first decision was after its event went in: a long gap at the
    // swap with a short delay here means no event came; a long delay means the worker stalled.
    let records = recorder.lock();
    let delay_ms = |i: usize| Some(ms(*delivered.get(&records[i].event_time_ms)?, records[i].at));
    // The same gap at the feeder: between delivering the old version's last event and the new
    // one's first. When it matches the gap at the swap, the worker was not what paused.
    let delivery_gap_ms = |i: usize| {
        let at = |r: &support::Recorded| delivered.get(&r.event_time_ms).copied();
        Some(ms(at(&records[i - 1])?, at(&records[i])?))
    };
    for (label, runs) in [("cached", &cached), ("uncached", &uncached)] {
        let first: Vec<f64> = runs.iter().filter_map(|d| delay_ms(d.first_new)).collect();
        report(
            &format!("{label} event delivered -> new version's first decision"),
            "ms",
            first,
        );
        let gaps: Vec<f64> = runs.iter().filter_map(|d| delivery_gap_ms(d.first_new)).collect();
        report(&format!("{label} delivery gap at swap"), "ms", gaps);
    }
    let all: Vec<f64> = (0..records.len()).filter_map(delay_ms).collect();
    report("event delivered -> decision, whole run", "ms", all);
    Ok(())
}

/// A payload no earlier run used, so the cache cannot have it.
fn unique() -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{nanos}", std::process::id())
}
