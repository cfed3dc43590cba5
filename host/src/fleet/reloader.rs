//! The reloader: brings the running strategies in line with the strategies folder.
//!
//! For strategy NAME it looks at `NAME.wasm` and `NAME.toml` (or the config's
//! `[strategies.NAME]`) and does what they call for: start it, swap in a new version or new
//! settings, retire it, or nothing when neither the component's SHA-256 nor the settings
//! changed. Compiling, instantiating and `init` happen here, on the reloader's thread, never on
//! the event path; the running version keeps trading until the new one is ready, and keeps
//! trading if the new one fails.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use trading::orders::StrategyId;

use super::files::{strategy_id_of, StrategyFileKind};
use super::operator::{OperatorAction, OperatorOutcome, OperatorRequest, ReloaderInput};
use super::retire::Retired;
use super::status::ReloadStatus;
use super::watcher::WatchEvent;
use super::Fleet;
use crate::config::{Config, RawStrategy, StrategyConfig};
use crate::events::{HostEvent, Lifecycle, StrategyEvent};
use crate::metrics::Metrics;
use crate::runtime::{
    lock_desk, CallError, Clock, ContentHash, PreparedVersion, RecoveryPolicy, Runner, Runtime, SessionShared,
    StartError, StrategyComponent, StrategyContext,
};

/// How long the folder must stay quiet before the reloader acts on a file still being written:
/// a copy arrives as several writes, and acting on the first would load a half-written file.
pub const DEBOUNCE: Duration = Duration::from_millis(20);

/// Changes noticed together: by strategy name, whether its file is complete (the latest event
/// for it says so).
#[derive(Default)]
struct Batch {
    changed: BTreeMap<String, bool>,
    rescan: bool,
    /// Told to stop: the batch is not acted on.
    stop: bool,
}

impl Batch {
    /// Notes a change of the folder; an operator's request is kept aside, for after the batch.
    fn note(&mut self, input: ReloaderInput, requests: &mut Vec<OperatorRequest>) {
        match input {
            ReloaderInput::Stop => self.stop = true,
            ReloaderInput::Watch(WatchEvent::Changed { name, complete }) => {
                self.changed.insert(name, complete);
            }
            ReloaderInput::Watch(WatchEvent::Rescan) => self.rescan = true,
            ReloaderInput::Operator(request) => requests.push(request),
        }
    }

    fn is_complete(&self) -> bool {
        self.stop || (!self.rescan && self.changed.values().all(|complete| *complete))
    }
}

/// The version of a strategy that is running.
struct Loaded {
    component: Arc<StrategyComponent>,
    settings: StrategyConfig,
    /// The manifest's version, which labels its `strategy_host_strategy_info` series.
    version: String,
    /// The strategy's own clock, kept across versions so its time never goes backwards.
    clock: Clock,
}

/// What one sync did, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncOutcome {
    Started,
    Swapped,
    Retired,
    /// Same bytes, same settings: nothing to do.
    Unchanged,
    /// Not running and no component file: nothing to do.
    Absent,
    /// Held stopped by an operator: not started until one starts it.
    Held,
    /// The error is in the log, the metrics and `/status`; the running version (if any) runs on.
    Failed(String),
}

pub struct Reloader {
    runtime: Arc<Runtime>,
    config: Config,
    fleet: Arc<Fleet>,
    metrics: Arc<Metrics>,
    policy: RecoveryPolicy,
    loaded: HashMap<StrategyId, Loaded>,
    /// The component and settings that last failed, per strategy: seeing them again is not a
    /// new attempt (one failure is reported once, however many file events it causes).
    refused: HashMap<StrategyId, (ContentHash, StrategyConfig)>,
    /// Strategies an operator stopped: their files stay, and are not started until an operator
    /// starts them.
    held: BTreeSet<StrategyId>,
}

/// Why a strategy stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    FileDeleted,
    Operator,
}

impl Reloader {
    pub fn new(runtime: Arc<Runtime>, config: Config, fleet: Arc<Fleet>, metrics: Arc<Metrics>) -> Self {
        let policy = RecoveryPolicy {
            max_consecutive_failures: config.max_consecutive_failures,
            ..RecoveryPolicy::live()
        };
        Self {
            runtime,
            config,
            fleet,
            metrics,
            policy,
            loaded: HashMap::new(),
            refused: HashMap::new(),
            held: BTreeSet::new(),
        }
    }

    /// The strategies folder it follows.
    pub fn dir(&self) -> &Path {
        &self.config.strategies_dir
    }

    /// Syncs every strategy named by a file in the folder or running now, in name order.
    pub fn sync_all(&mut self) {
        let mut names: BTreeSet<String> = self.loaded.keys().map(|id| id.to_string()).collect();
        match std::fs::read_dir(self.dir()) {
            Ok(entries) => names.extend(
                entries
                    .filter_map(|entry| entry.ok())
                    .filter_map(|entry| StrategyFileKind::of(&entry.path()).map(|(_, name)| name.to_owned())),
            ),
            Err(error) => tracing::warn!(dir = %self.dir().display(), "cannot list the strategies folder: {error}"),
        }
        for name in names {
            self.sync(&name);
        }
    }

    /// Handles watch events and operators' requests until told to stop (or every sender is
    /// gone). A batch of
    /// changes is acted on once the folder has been quiet for [`DEBOUNCE`], or at once when
    /// every file in it is complete (renamed into place, closed after writing, or removed): a
    /// deploy by rename is not kept waiting. Requests that came with a batch follow it.
    pub fn run(mut self, inputs: Receiver<ReloaderInput>) {
        while let Ok(first) = inputs.recv() {
            let mut batch = Batch::default();
            let mut requests = Vec::new();
            batch.note(first, &mut requests);
            while !batch.is_complete() {
                match inputs.recv_timeout(DEBOUNCE) {
                    Ok(input) => batch.note(input, &mut requests),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
            // Whatever has arrived meanwhile joins the batch.
            while let Ok(input) = inputs.try_recv() {
                batch.note(input, &mut requests);
            }
            if batch.stop {
                return;
            }
            if batch.rescan {
                self.sync_all();
            } else {
                for name in batch.changed.into_keys() {
                    self.sync(&name);
                }
            }
            for request in requests {
                let outcome = self.operate(&request.strategy, request.action);
                // The operator may have stopped waiting: the outcome is in the log all the same.
                let _ = request.reply.send(outcome);
            }
        }
    }

    /// Carries out an operator's stop or start of `id`.
    fn operate(&mut self, id: &StrategyId, action: OperatorAction) -> OperatorOutcome {
        match action {
            OperatorAction::Stop => {
                self.held.insert(id.clone());
                let on_delete = self.loaded.get(id).map(|loaded| loaded.settings.on_delete);
                match (on_delete, self.stop(id, Stop::Operator)) {
                    (Some(on_delete), Some(retired)) => OperatorOutcome::Stopped { on_delete, retired },
                    _ => OperatorOutcome::NotRunning,
                }
            }
            OperatorAction::Start => {
                self.held.remove(id);
                if self.loaded.contains_key(id) {
                    return OperatorOutcome::AlreadyRunning;
                }
                match self.sync(id.as_str()) {
                    SyncOutcome::Started | SyncOutcome::Swapped | SyncOutcome::Unchanged => OperatorOutcome::Started,
                    SyncOutcome::Failed(error) => OperatorOutcome::Failed(error),
                    SyncOutcome::Absent | SyncOutcome::Retired | SyncOutcome::Held => OperatorOutcome::NoFile,
                }
            }
        }
    }

    /// Brings strategy `name` in line with its files.
    pub fn sync(&mut self, name: &str) -> SyncOutcome {
        let wasm = self.dir().join(format!("{name}.wasm"));
        let id = match strategy_id_of(&wasm) {
            Ok(id) => id,
            Err(error) if wasm.is_file() => return self.fail_to_load(&wasm, error),
            Err(_) => return SyncOutcome::Absent,
        };
        if !wasm.exists() {
            return self.retire(&id);
        }
        if self.held.contains(&id) {
            if self.loaded.contains_key(&id) {
                self.stop(&id, Stop::Operator);
            }
            tracing::debug!(strategy = %id, "held stopped by an operator: not started");
            return SyncOutcome::Held;
        }
        let started = Instant::now();
        let settings = match self.settings_of(&id) {
            Ok(settings) => settings,
            Err(error) => return self.fail(&id, &wasm, None, error),
        };
        // Read into memory: a file in a drop folder can change under a memory map.
        let bytes = match std::fs::read(&wasm) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return self.retire(&id),
            Err(error) => return self.fail(&id, &wasm, None, format!("{}: cannot read: {error}", wasm.display())),
        };
        let hash = ContentHash::of(&bytes);
        if self
            .loaded
            .get(&id)
            .is_some_and(|r| r.component.hash() == hash && r.settings == settings)
        {
            self.refused.remove(&id);
            tracing::debug!(strategy = %id, hash = %hash.short(), "unchanged");
            return SyncOutcome::Unchanged;
        }
        if self.refused.get(&id).is_some_and(|(h, s)| *h == hash && *s == settings) {
            tracing::debug!(strategy = %id, hash = %hash.short(), "unchanged since it was refused");
            return SyncOutcome::Unchanged;
        }
        let outcome = self.try_version(&id, &wasm, &bytes, hash, settings.clone(), started);
        match &outcome {
            SyncOutcome::Failed(_) => {
                self.refused.insert(id, (hash, settings));
            }
            _ => {
                self.refused.remove(&id);
            }
        }
        outcome
    }

    /// Compiles (unless the code is unchanged), prepares and starts or swaps in a version.
    fn try_version(
        &mut self,
        id: &StrategyId,
        wasm: &Path,
        bytes: &[u8],
        hash: ContentHash,
        settings: StrategyConfig,
        started: Instant,
    ) -> SyncOutcome {
        let running = self.loaded.get(id);
        let component = match running.filter(|r| r.component.hash() == hash) {
            Some(running) => running.component.clone(),
            None => match StrategyComponent::load_bytes(&self.runtime, wasm, bytes) {
                Ok(component) => Arc::new(component),
                Err(error) => return self.fail(id, wasm, Some(hash), error.to_string()),
            },
        };
        // Each strategy has a clock of its own, which its worker sets to the time of the event
        // it is handling: a strategy running behind the feed still sees (and stamps its orders
        // with) the time of the event it is acting on.
        let clock = running.map_or_else(
            || {
                let clock = Clock::default();
                clock.advance_to(self.fleet.shared().clock.now_ms());
                clock
            },
            |running| running.clock.clone(),
        );
        let version = match self.prepare(id, component.clone(), &settings, &clock) {
            Ok(version) => version,
            Err(error) => return self.fail(id, wasm, Some(hash), error),
        };
        let manifest_version = version.manifest().version.clone();
        let outcome = if self.loaded.contains_key(id) {
            self.swap(id, version, hash, started)
        } else {
            match self.with_kept_state(id, version, &component, &settings, &clock) {
                Ok(version) => self.start(id, version, started),
                Err(error) => return self.fail(id, wasm, Some(hash), error),
            }
        };
        if matches!(outcome, SyncOutcome::Started | SyncOutcome::Swapped) {
            let loaded = Loaded {
                component,
                settings,
                version: manifest_version,
                clock,
            };
            self.loaded.insert(id.clone(), loaded);
        }
        outcome
    }

    /// The strategy's settings: `NAME.toml` if present, else the config's section.
    fn settings_of(&self, id: &StrategyId) -> Result<StrategyConfig, String> {
        let path = self.dir().join(format!("{id}.toml"));
        if !path.exists() {
            return Ok(self.config.strategy(id.as_str()));
        }
        let raw = RawStrategy::from_file(&path).map_err(|e| e.to_string())?;
        raw.resolve("", self.config.sandbox)
            .map_err(|problems| format!("{}: invalid settings: {}", path.display(), problems.join("; ")))
    }

    /// Instantiates and initializes a version for `id`, with a book to trade on.
    fn prepare(
        &self,
        id: &StrategyId,
        component: Arc<StrategyComponent>,
        settings: &StrategyConfig,
        clock: &Clock,
    ) -> Result<PreparedVersion, String> {
        let cash = settings.initial_cash.unwrap_or(self.config.initial_cash);
        let venue = {
            let mut desk = lock_desk(self.fleet.desk());
            desk.register_strategy_on(id, settings.venue.as_ref(), cash)
                .map_err(|e| format!("{}: {e}", component.path().display()))?;
            // The settings were checked when read, so the desk refuses none of them.
            desk.set_loss_limits(id, settings.loss)
                .map_err(|e| format!("{}: {e}", component.path().display()))?;
            desk.venue_of(id).clone()
        };
        // Metrics name the venue the strategy trades on (its first one, which it keeps).
        let metrics = self.metrics.strategy(id.as_str(), venue.as_str());
        let shared = SessionShared {
            clock: clock.clone(),
            ..self.fleet.shared().clone()
        };
        let ctx = StrategyContext::new(id.clone(), self.fleet.desk().clone(), &shared, metrics.clone())
            .with_limits(settings.limits);
        PreparedVersion::prepare(&self.runtime, component, settings.params_json.clone(), ctx).map_err(
            |error: StartError| {
                // A trap while starting (in `init`, say) is a trap like any other.
                if let CallError::Trap { kind, .. } = &error.cause {
                    metrics.trap(kind.label());
                }
                error.to_string()
            },
        )
    }

    /// `version` with the state the book of record kept for `id` when it last ran (at a swap,
    /// periodically, or as the host shut down), or as it is when nothing was kept. A version that
    /// refuses the kept state starts fresh, prepared again (it may hold part of that state),
    /// and the log says so.
    fn with_kept_state(
        &self,
        id: &StrategyId,
        mut version: PreparedVersion,
        component: &Arc<StrategyComponent>,
        settings: &StrategyConfig,
        clock: &Clock,
    ) -> Result<PreparedVersion, String> {
        let kept = lock_desk(self.fleet.desk()).latest_strategy_snapshot(id);
        let kept = match kept {
            Ok(Some(kept)) => kept,
            Ok(None) => return Ok(version),
            Err(error) => {
                tracing::error!(strategy = %id, %error, "the kept snapshot cannot be read: the strategy starts fresh");
                return Ok(version);
            }
        };
        let kept_by = kept.version_hash.get(..12).unwrap_or(&kept.version_hash);
        match version.restore(&kept.state) {
            Ok(()) => {
                tracing::info!(strategy = %id, kept_at_ms = kept.time_ms, kept_by, "strategy restored from its kept snapshot");
                Ok(version)
            }
            Err(error) => {
                tracing::warn!(strategy = %id, kept_at_ms = kept.time_ms, kept_by, %error, "the strategy refused its kept snapshot: it starts fresh");
                drop(version);
                self.prepare(id, component.clone(), settings, clock)
            }
        }
    }

    fn start(&mut self, id: &StrategyId, version: PreparedVersion, started: Instant) -> SyncOutcome {
        let (manifest, component) = (version.manifest().clone(), version.component().clone());
        let runner = Runner::from_prepared(self.runtime.clone(), version, self.policy);
        if let Err(error) = self.fleet.start(runner) {
            return self.fail(id, component.path(), Some(component.hash()), error.to_string());
        }
        tracing::info!(
            strategy = %id,
            name = %manifest.name,
            version = %manifest.version,
            hash = %component.hash().short(),
            from_cache = component.from_cache(),
            ms = started.elapsed().as_millis() as u64,
            "strategy loaded"
        );
        self.metrics
            .set_strategy_info(id.as_str(), &manifest.version, &component.hash().to_string());
        self.publish(
            id,
            Lifecycle::Loaded {
                version: manifest.version.clone(),
                hash: component.hash().to_string(),
            },
        );
        self.clear_load_failure(component.path());
        SyncOutcome::Started
    }

    fn swap(&mut self, id: &StrategyId, version: PreparedVersion, hash: ContentHash, started: Instant) -> SyncOutcome {
        let (manifest, component) = (version.manifest().clone(), version.component().clone());
        let swapped = match self.fleet.swap(id, version) {
            Ok(swapped) => swapped,
            Err(error) => {
                let error = format!("{}: {error}", component.path().display());
                return self.fail(id, component.path(), Some(hash), error);
            }
        };
        tracing::info!(
            strategy = %id,
            version = %manifest.version,
            hash = %hash.short(),
            from_cache = component.from_cache(),
            ms = started.elapsed().as_millis() as u64,
            pause_us = swapped.pause.as_micros() as u64,
            "strategy reloaded"
        );
        if let Some(old) = self.loaded.get(id) {
            self.metrics
                .remove_strategy_info(id.as_str(), &old.version, &old.component.hash().to_string());
        }
        self.metrics
            .set_strategy_info(id.as_str(), &manifest.version, &hash.to_string());
        self.metrics.reload(id.as_str(), true);
        self.publish(
            id,
            Lifecycle::Swapped {
                version: manifest.version.clone(),
                hash: hash.to_string(),
            },
        );
        self.fleet.set_reload_status(
            id,
            ReloadStatus {
                result: "ok",
                at_ms: wall_clock_ms(),
                hash: Some(hash.to_string()),
                error: None,
                swap_pause_us: Some(swapped.pause.as_micros() as u64),
            },
        );
        SyncOutcome::Swapped
    }

    fn retire(&mut self, id: &StrategyId) -> SyncOutcome {
        match self.stop(id, Stop::FileDeleted) {
            Some(_) => SyncOutcome::Retired,
            None => {
                self.clear_load_failure(&self.dir().join(format!("{id}.wasm")));
                SyncOutcome::Absent
            }
        }
    }

    /// Stops `id` per its `on_delete`; `None` when it was not running.
    fn stop(&mut self, id: &StrategyId, why: Stop) -> Option<Retired> {
        let loaded = self.loaded.remove(id)?;
        let on_delete = loaded.settings.on_delete;
        self.metrics
            .remove_strategy_info(id.as_str(), &loaded.version, &loaded.component.hash().to_string());
        let because = match why {
            Stop::FileDeleted => "its file was deleted",
            Stop::Operator => "an operator stopped it",
        };
        let retired = match self.fleet.retire(id, on_delete) {
            Ok(retired) => {
                tracing::info!(
                    strategy = %id,
                    on_delete = on_delete.label(),
                    orders_cancelled = retired.orders_cancelled,
                    closing_orders = retired.closing_orders,
                    "strategy stopped: {because}"
                );
                for error in &retired.errors {
                    tracing::error!(strategy = %id, "position not closed: {error}");
                }
                retired
            }
            Err(error) => {
                tracing::error!(strategy = %id, "stopping the strategy: {error}");
                Retired::default()
            }
        };
        self.publish(id, Lifecycle::Retired);
        Some(retired)
    }

    /// Reports a failed load or reload. A running version keeps running.
    fn fail(&mut self, id: &StrategyId, file: &Path, hash: Option<ContentHash>, error: String) -> SyncOutcome {
        self.publish(id, Lifecycle::LoadFailed { error: error.clone() });
        if !self.loaded.contains_key(id) {
            return self.fail_to_load(file, error);
        }
        tracing::error!(strategy = %id, "reload failed, the running version stays: {error}");
        self.fleet.set_reload_status(
            id,
            ReloadStatus {
                result: "failed",
                at_ms: wall_clock_ms(),
                hash: hash.map(|h| h.to_string()),
                error: Some(error.clone()),
                swap_pause_us: None,
            },
        );
        self.metrics.reload(id.as_str(), false);
        SyncOutcome::Failed(error)
    }

    /// Reports a file that could not be loaded (no version of it runs).
    fn fail_to_load(&mut self, file: &Path, error: String) -> SyncOutcome {
        tracing::error!("strategy not loaded: {error}");
        self.fleet
            .report_load_failure(file.display().to_string(), error.clone());
        SyncOutcome::Failed(error)
    }

    fn publish(&self, id: &StrategyId, lifecycle: Lifecycle) {
        self.fleet.events().publish(HostEvent::Strategy(StrategyEvent {
            strategy: id.clone(),
            lifecycle,
        }));
    }

    fn clear_load_failure(&self, file: &Path) {
        self.fleet.clear_load_failure(&file.display().to_string());
    }
}

fn wall_clock_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
