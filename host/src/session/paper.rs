//! Paper trading: the session fed by a paced replay of bars, with the simulated broker, the
//! SQLite book of record, and the status board the HTTP API reads.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use trading::brokers::SimBroker;
use trading::desk::{Desk, DeskConfig};
use trading::ledger::SqliteStore;
use trading::market::{Candle, MarketEvent};
use trading::orders::StrategyId;

use super::status::{BrokerStatus, FeedStatus, LoadFailure, StatusBoard, StrategyStatus};
use super::Session;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::runtime::{
    lock_desk, CallError, Decision, RecoveryPolicy, Runner, Runtime, SessionShared, SharedDesk, StrategyComponent,
    StrategyContext,
};

/// The broker name paper trading reports in metrics and `/status`.
pub const PAPER_BROKER: &str = "paper";

#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error(transparent)]
    Engine(#[from] crate::runtime::EngineError),
    #[error("cannot open the book of record: {0}")]
    Store(#[from] trading::ledger::StoreError),
    #[error("{path}: cannot read the strategies folder: {source}")]
    StrategiesDir { path: PathBuf, source: std::io::Error },
    #[error("invalid paper broker settings: {0}")]
    Broker(#[from] trading::brokers::InvalidSimConfig),
    #[error("cannot set up the desk: {0}")]
    Desk(#[from] trading::desk::DeskError),
}

/// A paper session, set up and ready to replay.
pub struct PaperHost {
    pub metrics: Arc<Metrics>,
    pub board: Arc<Mutex<StatusBoard>>,
    pub desk: SharedDesk,
    session: Session,
    candles: Vec<Candle>,
    source: String,
    bars_per_second: f64,
    /// The latest decision of each runner, by runner index.
    last_decisions: Arc<Mutex<Vec<Option<Decision>>>>,
}

impl PaperHost {
    /// Builds the runtime, the desk and the session, and loads every `*.wasm` in the
    /// strategies folder. A strategy that fails to load is reported and skipped; the others run.
    pub fn new(config: &Config, candles: Vec<Candle>, source: String) -> Result<Self, PaperError> {
        let metrics = Metrics::new();
        let mut runtime = Runtime::new(config.sandbox)?;
        if let Some(dir) = &config.cache_dir {
            runtime = runtime.with_component_cache(dir.clone());
        }
        let runtime = Arc::new(runtime);
        let desk = open_desk(config)?;
        let shared = SessionShared::default();
        let mut session = Session::new(desk.clone(), shared.clone());

        metrics.broker(PAPER_BROKER).connected.set(1);
        let mut board = StatusBoard {
            brokers: vec![BrokerStatus {
                name: PAPER_BROKER.into(),
                connected: true,
            }],
            feed: Some(FeedStatus::new(source.clone(), &candles)),
            ..StatusBoard::default()
        };

        let loader = Loader {
            config,
            runtime: &runtime,
            desk: &desk,
            shared: &shared,
            metrics: &metrics,
        };
        for path in strategy_files(&config.strategies_dir)? {
            match loader.load(&path) {
                Ok(runner) => session.add_runner(runner),
                Err(error) => {
                    tracing::error!("strategy not loaded: {error}");
                    board.load_failures.push(LoadFailure {
                        file: path.display().to_string(),
                        error,
                    });
                }
            }
        }
        if session.runners().is_empty() {
            tracing::warn!(dir = %config.strategies_dir.display(), "no strategy loaded: the host replays market data and serves metrics only");
        }

        let last_decisions = Arc::new(Mutex::new(vec![None; session.runners().len()]));
        session.on_decision(keep_last_decision(&session, last_decisions.clone()));
        let host = Self {
            metrics,
            board: Arc::new(Mutex::new(board)),
            desk,
            session,
            candles,
            source,
            bars_per_second: config.feed.bars_per_second,
            last_decisions,
        };
        host.publish(0, None, false);
        Ok(host)
    }

    /// Replays every bar at the configured pace, then keeps the data-age gauge current until
    /// `stop` is set. Blocking: run it on its own thread.
    pub fn run(mut self, stop: Arc<AtomicBool>) {
        let interval = Duration::from_secs_f64(1.0 / self.bars_per_second);
        let stream = self
            .candles
            .first()
            .map(|c| format!("{} {}", c.symbol, c.timeframe))
            .unwrap_or_default();
        let age = self.metrics.market_data_age(PAPER_BROKER, &stream);
        let started = Instant::now();
        let mut last_event_at = Instant::now();
        let candles = std::mem::take(&mut self.candles);
        tracing::info!(bars = candles.len(), source = %self.source, bars_per_second = self.bars_per_second, "paper replay started");
        for (i, candle) in candles.iter().enumerate() {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            // Pace against the start, not the previous bar, so slow bars do not add up to drift.
            let due = started + interval.mul_f64(i as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
            self.session.process(&MarketEvent::Candle(candle.clone()));
            last_event_at = Instant::now();
            age.set(0.0);
            self.publish(i + 1, Some(candle.close_time_ms()), false);
        }
        self.publish(candles.len(), candles.last().map(Candle::close_time_ms), true);
        tracing::info!(bars = candles.len(), "paper replay finished; serving until stopped");
        while !stop.load(Ordering::Relaxed) {
            age.set(last_event_at.elapsed().as_secs_f64());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Refreshes the status board and the per-strategy gauges from the runners and the desk.
    fn publish(&self, replayed: usize, last_time: Option<i64>, finished: bool) {
        let last_decisions = self.last_decisions.lock().map(|d| d.clone()).unwrap_or_default();
        let strategies: Vec<StrategyStatus> = self
            .session
            .runners()
            .iter()
            .zip(last_decisions.into_iter().chain(std::iter::repeat(None)))
            .map(|(runner, decision)| StrategyStatus::of(runner, decision))
            .collect();
        let count = |state: &str| strategies.iter().filter(|s| s.state == state).count();
        self.metrics
            .set_strategy_counts(count("running"), count("failed"), count("quarantined"));
        {
            let desk = lock_desk(&self.desk);
            for runner in self.session.runners() {
                let ctx = runner.context();
                super::books::publish_book(&desk, &ctx.strategy, &ctx.metrics);
            }
        }
        let mut board = self.board.lock().unwrap_or_else(|p| p.into_inner());
        board.strategies = strategies;
        if let Some(feed) = board.feed.as_mut() {
            feed.bars_replayed = replayed;
            feed.last_event_time_ms = last_time;
            feed.finished = finished;
        }
    }
}

/// The desk of a paper session: the simulated broker and the SQLite book of record.
fn open_desk(config: &Config) -> Result<SharedDesk, PaperError> {
    let store = SqliteStore::open(&config.db)?;
    let desk_config = DeskConfig {
        order_id_prefix: run_order_id_prefix(),
        limits: config.limits.clone(),
        trading_state: config.trading_state,
    };
    let broker = SimBroker::new(config.sim.clone())?;
    let desk = Desk::new(desk_config, Box::new(broker), Some(Box::new(store)))?;
    Ok(Arc::new(Mutex::new(desk)))
}

/// What loading one strategy file needs.
struct Loader<'a> {
    config: &'a Config,
    runtime: &'a Arc<Runtime>,
    desk: &'a SharedDesk,
    shared: &'a SessionShared,
    metrics: &'a Arc<Metrics>,
}

impl Loader<'_> {
    /// Compiles and starts the strategy in `path` with its configured params and cash. The
    /// error says which file failed and why, for the log and `/status`.
    fn load(&self, path: &Path) -> Result<Runner, String> {
        let id = strategy_id_of(path)?;
        let settings = self.config.strategies.get(id.as_str());
        let params = settings.map_or_else(|| "{}".to_owned(), |s| s.params_json.clone());
        let cash = settings
            .and_then(|s| s.initial_cash)
            .unwrap_or(self.config.initial_cash);
        let component = StrategyComponent::load_file(self.runtime, path).map_err(|e| e.to_string())?;
        lock_desk(self.desk)
            .register_strategy(&id, cash)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let strategy_metrics = self.metrics.strategy(id.as_str(), PAPER_BROKER);
        let ctx = StrategyContext::new(id.clone(), self.desk.clone(), self.shared, strategy_metrics.clone());
        let policy = RecoveryPolicy {
            max_consecutive_failures: self.config.max_consecutive_failures,
            ..RecoveryPolicy::live()
        };
        let runner = Runner::start(self.runtime.clone(), Arc::new(component), params, ctx, policy).map_err(|e| {
            // A trap while starting (in `init`, say) is a trap like any other.
            if let CallError::Trap { kind, .. } = &e.source {
                strategy_metrics.trap(kind.label());
            }
            e.to_string()
        })?;
        let (m, component) = (runner.manifest(), runner.component());
        tracing::info!(
            strategy = %id,
            name = %m.name,
            version = %m.version,
            hash = %component.hash().short(),
            from_cache = component.from_cache(),
            "strategy loaded"
        );
        self.metrics
            .set_strategy_info(id.as_str(), &m.version, &component.hash().to_string());
        Ok(runner)
    }
}

/// A decision sink that logs each decision and keeps the latest per runner for `/status`.
fn keep_last_decision(session: &Session, last: Arc<Mutex<Vec<Option<Decision>>>>) -> impl FnMut(Decision) + Send {
    let ids: Vec<StrategyId> = session.runners().iter().map(|r| r.context().strategy.clone()).collect();
    move |decision| {
        tracing::info!(strategy = %decision.strategy, action = decision.action, symbol = %decision.symbol, "decision: {}", decision.reasoning);
        if let Some(i) = ids.iter().position(|id| *id == decision.strategy) {
            if let Ok(mut last) = last.lock() {
                last[i] = Some(decision);
            }
        }
    }
}

/// `*.wasm` files of the folder, sorted by name so the load order is stable. Editor temp files
/// (dot-files, `~` backups) are skipped.
fn strategy_files(dir: &Path) -> Result<Vec<PathBuf>, PaperError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::warn!(dir = %dir.display(), "strategies folder does not exist");
            return Ok(Vec::new());
        }
        Err(source) => {
            return Err(PaperError::StrategiesDir {
                path: dir.to_owned(),
                source,
            })
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "wasm"))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| !n.starts_with('.') && !n.ends_with('~'))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// A strategy is known by its file name without `.wasm`: the name a new version keeps when it
/// is dropped over the old one.
pub fn strategy_id_of(path: &Path) -> Result<StrategyId, String> {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let valid = !stem.is_empty()
        && stem.len() <= 64
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if valid {
        Ok(StrategyId::new(stem))
    } else {
        Err(format!(
            "{}: file name must be 1-64 letters, digits, `-` or `_` followed by .wasm",
            path.display()
        ))
    }
}

/// Client order ids of a run start with the run's start time in base 36, so ids stay unique
/// across restarts of the host.
fn run_order_id_prefix() -> String {
    let mut ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut digits = Vec::new();
    while ms > 0 {
        digits.push(char::from_digit((ms % 36) as u32, 36).unwrap_or('0'));
        ms /= 36;
    }
    digits.iter().rev().collect()
}
