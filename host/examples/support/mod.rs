//! What the benchmark examples share: a lab that starts strategies (runtime, a desk without a
//! book of record, session, metrics), a feeder thread that paces a random walk of bars into a
//! fleet, a decision recorder, resident memory, and percentile summaries.

// Each example uses a part of this module; the rest would warn as dead code in that example.
#![allow(dead_code)]

use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use strategy_host::config::DEFAULT_QUEUE_CAPACITY;
use strategy_host::fleet::{DecisionSink, Fleet};
use strategy_host::metrics::Metrics;
use strategy_host::runtime::{
    lock_desk, Clock, ContentHash, RecoveryPolicy, Runner, Runtime, SessionShared, SharedDesk, StrategyComponent,
    StrategyContext,
};
use trading::brokers::{SimBroker, SimConfig, RECENT_EVENTS};
use trading::desk::{Desk, DeskConfig};
use trading::market::{MarketEvent, RandomWalk, RandomWalkConfig, Symbol, Timeframe};
use trading::orders::StrategyId;

pub type BoxError = Box<dyn Error>;

/// A desk on the simulated broker as paper trading sets it up, with no book of record (nothing
/// is written to disk).
pub fn desk() -> Result<SharedDesk, BoxError> {
    let broker = SimBroker::new(SimConfig::default())?.remembering(RECENT_EVENTS);
    let desk = Desk::new(DeskConfig::default(), Box::new(broker), None)?;
    Ok(Arc::new(Mutex::new(desk)))
}

/// A desk, a session and a registry for strategies to run in, on a shared runtime.
pub struct Lab {
    pub runtime: Arc<Runtime>,
    pub desk: SharedDesk,
    pub session: SessionShared,
    pub metrics: Arc<Metrics>,
}

impl Lab {
    pub fn new(runtime: Arc<Runtime>) -> Result<Self, BoxError> {
        Ok(Self {
            runtime,
            desk: desk()?,
            session: SessionShared::default(),
            metrics: Metrics::new(),
        })
    }

    /// A fleet on this lab's desk and session, with paper trading's default queue capacity.
    pub fn fleet(&self, decisions: DecisionSink) -> Fleet {
        Fleet::new(
            self.desk.clone(),
            self.session.clone(),
            DEFAULT_QUEUE_CAPACITY,
            decisions,
        )
    }

    /// Starts strategy `name` (instantiate, describe, init with `params`). It gets a clock of
    /// its own, as the reloader gives each strategy, so its decisions carry the time of the
    /// event it handled.
    pub fn runner(
        &self,
        component: &Arc<StrategyComponent>,
        name: &str,
        params: &str,
        policy: RecoveryPolicy,
    ) -> Result<Runner, BoxError> {
        let id = StrategyId::new(name);
        lock_desk(&self.desk).register_strategy(&id, Decimal::from(1_000_000))?;
        let own = SessionShared {
            clock: Clock::default(),
            ..self.session.clone()
        };
        let ctx = StrategyContext::new(id, self.desk.clone(), &own, self.metrics.strategy(name, "paper"));
        Ok(Runner::start(
            self.runtime.clone(),
            component.clone(),
            params.into(),
            ctx,
            policy,
        )?)
    }
}

/// Prints the lab's traps by kind and shed events by reason, each as a total and the number of
/// strategies it happened to (only those that happened).
pub fn print_faults(lab: &Lab) {
    let counters = [
        "strategy_host_strategy_traps_total",
        "strategy_host_strategy_events_shed_total",
    ];
    let mut totals: std::collections::BTreeMap<String, (u64, usize)> = Default::default();
    for line in lab.metrics.encode().lines() {
        let Some((series, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let Some((name, labels)) = series.split_once('{') else {
            continue;
        };
        let value: u64 = value.parse().unwrap_or(0);
        if value == 0 || !counters.contains(&name) {
            continue;
        }
        // The kind or reason label; the strategy label is what gets counted.
        let what = labels
            .split(',')
            .find(|l| !l.starts_with("strategy="))
            .unwrap_or_default();
        let entry = totals.entry(format!("{name}{{{what}}}")).or_default();
        entry.0 += value;
        entry.1 += 1;
    }
    for (series, (total, strategies)) in totals {
        println!("  {series}: {total} in {strategies} strategies");
    }
}

/// One-minute bars of a deterministic random walk, without end.
pub fn bars() -> Result<impl Iterator<Item = MarketEvent>, BoxError> {
    let walk = RandomWalk::new(RandomWalkConfig::new(Symbol::new("SIM/USD")?, Timeframe::MINUTE))?;
    Ok(walk.map(MarketEvent::Candle))
}

/// One decision as a benchmark sees it.
#[derive(Clone, Copy)]
pub struct Recorded {
    pub at: Instant,
    pub hash: ContentHash,
    /// The time of the event the strategy was handling (its clock), which names the event.
    pub event_time_ms: i64,
    pub strategy: u32,
}

/// Records every decision of a fleet with the instant it reached the sink. Strategies are
/// numbered in the order they first decide, to keep records `Copy`.
#[derive(Clone, Default)]
pub struct Recorder {
    records: Arc<Mutex<Vec<Recorded>>>,
    names: Arc<Mutex<HashMap<StrategyId, u32>>>,
}

impl Recorder {
    pub fn sink(&self) -> DecisionSink {
        let this = self.clone();
        Arc::new(move |decision, hash| {
            let at = Instant::now();
            let strategy = this.number(&decision.strategy);
            this.lock().push(Recorded {
                at,
                hash: *hash,
                event_time_ms: decision.time_ms,
                strategy,
            });
        })
    }

    /// The number of `strategy` in records (assigned on first sight).
    pub fn number(&self, strategy: &StrategyId) -> u32 {
        let mut names = self.names.lock().unwrap_or_else(|p| p.into_inner());
        let next = names.len() as u32;
        *names.entry(strategy.clone()).or_insert(next)
    }

    pub fn lock(&self) -> MutexGuard<'_, Vec<Recorded>> {
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }
}

/// A thread that delivers one bar to the fleet every `interval` (or a little more: the sleep is
/// the OS's) until stopped, noting when each event went in.
pub struct Feeder {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<HashMap<i64, Instant>>,
}

impl Feeder {
    /// Feeds at most `limit` events.
    pub fn start(fleet: Arc<Fleet>, interval: Duration, limit: usize) -> Result<Self, BoxError> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut bars = bars()?;
        let thread = std::thread::Builder::new().name("feeder".into()).spawn({
            let stop = stop.clone();
            move || {
                let mut delivered = HashMap::new();
                while !stop.load(Ordering::Relaxed) && delivered.len() < limit {
                    let Some(bar) = bars.next() else { break };
                    delivered.insert(bar.time_ms(), Instant::now());
                    fleet.deliver(&bar);
                    std::thread::sleep(interval);
                }
                delivered
            }
        })?;
        Ok(Self { stop, thread })
    }

    /// Stops feeding; returns when each event (by its time) was delivered.
    pub fn stop(self) -> HashMap<i64, Instant> {
        self.stop.store(true, Ordering::Relaxed);
        self.join()
    }

    /// Waits until the feeder has delivered its `limit`.
    pub fn join(self) -> HashMap<i64, Instant> {
        self.thread.join().unwrap_or_default()
    }
}

/// Polls `probe` every millisecond until it gives a value, for at most `timeout`.
pub fn wait_for<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> Result<T, BoxError> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return Ok(value);
        }
        if Instant::now() > deadline {
            return Err(format!("timed out after {timeout:?} waiting for {what}").into());
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// The resident set of this process, KiB (0 where /proc is missing).
pub fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Order statistics of a sample (nearest rank).
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    pub n: usize,
    pub min: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

impl Summary {
    /// `None` for an empty sample.
    pub fn of(mut sample: Vec<f64>) -> Option<Self> {
        if sample.is_empty() {
            return None;
        }
        sample.sort_by(f64::total_cmp);
        let rank = |q: f64| sample[((q * sample.len() as f64).ceil() as usize).clamp(1, sample.len()) - 1];
        Some(Self {
            n: sample.len(),
            min: sample[0],
            p50: rank(0.5),
            p90: rank(0.9),
            p99: rank(0.99),
            max: sample[sample.len() - 1],
        })
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "n={} min={:.3} p50={:.3} p90={:.3} p99={:.3} max={:.3}",
            self.n, self.min, self.p50, self.p90, self.p99, self.max
        )
    }
}

/// Prints `label: summary` (or that there was nothing to summarize).
pub fn report(label: &str, unit: &str, sample: Vec<f64>) {
    match Summary::of(sample) {
        Some(summary) => println!("{label} ({unit}): {summary}"),
        None => println!("{label} ({unit}): no samples"),
    }
}

/// Milliseconds between two instants (0 if `to` is earlier).
pub fn ms(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1e3
}
