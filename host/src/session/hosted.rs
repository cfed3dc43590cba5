//! What paper trading on a replay and trading on live venues share: a fleet of strategies on
//! their own threads over one desk, the reloader watching the strategies folder, and the
//! publishing of strategies and books to `/status` and metrics.

use std::sync::mpsc::{Receiver, Sender};
use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use trading::ledger::DecisionRecord;

use crate::config::Config;
use crate::events::{EventBus, HostEvent};
use crate::fleet::{DecisionSink, Fleet, HotReload, Reloader, ReloaderInput, StrategyControl};
use crate::metrics::{Metrics, MetricsFollower};
use crate::runtime::{lock_desk, Runtime, SessionShared, SharedDesk};

use super::paper::PaperError;
use super::{StatusBoard, StrategyStatus};

/// A fleet and its hot reload.
pub struct Hosted {
    pub fleet: Arc<Fleet>,
    /// Counts the fleet's events in metrics.
    metrics_follower: Arc<MetricsFollower>,
    /// Built by `new`, started (and so the folder loaded) by `load_strategies`.
    reloader: Option<Reloader>,
    /// Taken (stopped) before the fleet shuts down, so no reload races the shutdown.
    hot_reload: Option<HotReload>,
    /// Operators' stops and starts, which the reloader takes once it runs.
    control: StrategyControl,
    /// The reloader's inputs, until `load_strategies` hands them to it.
    inputs: Option<(Sender<ReloaderInput>, Receiver<ReloaderInput>)>,
}

impl Hosted {
    /// Builds the runtime and the fleet over `desk`, and creates the strategies folder. Nothing
    /// is loaded yet: [`Hosted::load_strategies`] does that, so the HTTP surface can serve
    /// (`/health`, and `/ready` saying what it waits for) while components compile.
    pub fn new(config: &Config, desk: SharedDesk, metrics: &Arc<Metrics>) -> Result<Self, PaperError> {
        let mut runtime = Runtime::new(config.sandbox)?;
        if let Some(dir) = &config.cache_dir {
            runtime = runtime.with_component_cache(dir.clone());
        }
        let shared = SessionShared {
            events: EventBus::new(config.event_capacity),
            ..SessionShared::default()
        };
        let decisions = keep_decisions(desk.clone(), shared.events.clone());
        let fleet = Arc::new(
            Fleet::new(desk, shared, config.queue_capacity, decisions)
                .keeping_snapshots_every(config.snapshot_every)
                .polling_idle_for(config.idle_spin),
        );
        let dir = &config.strategies_dir;
        std::fs::create_dir_all(dir).map_err(|source| PaperError::StrategiesDir {
            path: dir.clone(),
            source,
        })?;
        let metrics_follower =
            Arc::new(MetricsFollower::start(metrics.clone(), fleet.events()).map_err(PaperError::EventFollower)?);
        let reloader = Reloader::new(Arc::new(runtime), config.clone(), fleet.clone(), metrics.clone());
        let (control, sender, inputs) = StrategyControl::channel();
        Ok(Self {
            fleet,
            metrics_follower,
            reloader: Some(reloader),
            hot_reload: None,
            control,
            inputs: Some((sender, inputs)),
        })
    }

    /// Starts every strategy in the strategies folder (on this thread: they run when this
    /// returns) and watches the folder for changes. A strategy that fails to load is reported
    /// and skipped; the others run. A second call does nothing.
    ///
    /// # Errors
    ///
    /// When the reloader thread cannot be started.
    pub fn load_strategies(&mut self) -> Result<(), PaperError> {
        let (Some(reloader), Some(inputs)) = (self.reloader.take(), self.inputs.take()) else {
            return Ok(());
        };
        let dir = reloader.dir().to_owned();
        self.hot_reload = Some(HotReload::start(reloader, inputs).map_err(PaperError::Reloader)?);
        if self.fleet.statuses().is_empty() {
            tracing::warn!(dir = %dir.display(), "no strategy loaded yet: drop a .wasm component into the folder");
        }
        Ok(())
    }

    /// Operators' stops and starts of strategies.
    pub fn strategy_control(&self) -> &StrategyControl {
        &self.control
    }

    /// The session's event stream.
    pub fn events(&self) -> &EventBus {
        self.fleet.events()
    }

    /// What `/metrics` waits on to include every event published before a scrape.
    pub fn metrics_follower(&self) -> &Arc<MetricsFollower> {
        &self.metrics_follower
    }

    /// Refreshes the strategies on the status board (with `strategies`, the fleet's statuses
    /// the caller has just read) and the per-strategy gauges.
    pub fn publish(&self, metrics: &Metrics, board: &Mutex<StatusBoard>, strategies: Vec<StrategyStatus>) {
        let count = |state: &str| strategies.iter().filter(|s| s.state == state).count();
        metrics.set_strategy_counts(count("running"), count("failed"), count("quarantined"));
        {
            let desk = lock_desk(self.fleet.desk());
            for (strategy, route) in self.fleet.routes().all() {
                super::books::publish_book(&desk, &strategy, &route.metrics);
            }
        }
        let mut board = board.lock().unwrap_or_else(|p| p.into_inner());
        board.strategies = strategies;
        board.load_failures = self.fleet.load_failures();
    }
}

impl Drop for Hosted {
    fn drop(&mut self) {
        drop(self.hot_reload.take());
        self.fleet.shutdown();
    }
}

/// Each decision goes to the log (target `strategy_host::decisions`, so operators can keep or
/// drop them on their own) with the hash of the version that made it, into the book of
/// record's audit trail (`export decisions`), then onto the event stream.
fn keep_decisions(desk: SharedDesk, events: EventBus) -> DecisionSink {
    Arc::new(move |decision, hash| {
        tracing::info!(
            target: "strategy_host::decisions",
            strategy = %decision.strategy,
            hash = %hash.short(),
            action = decision.action,
            symbol = %decision.symbol,
            "decision: {}",
            decision.reasoning
        );
        let indicators: Vec<(&str, Decimal)> = decision
            .indicators
            .iter()
            .map(|indicator| (indicator.name.as_str(), indicator.value))
            .collect();
        let version_hash = hash.to_string();
        let record = DecisionRecord {
            strategy: &decision.strategy,
            version_hash: &version_hash,
            time_ms: decision.time_ms,
            symbol: &decision.symbol,
            action: decision.action,
            confidence: decision.confidence,
            reasoning: &decision.reasoning,
            indicators: &indicators,
        };
        if let Err(error) = lock_desk(&desk).record_decision(record) {
            tracing::error!(strategy = %decision.strategy, %error, "a decision was not kept");
        }
        events.publish(HostEvent::Decision {
            decision: Arc::new(decision.clone()),
            version_hash,
        });
    })
}
