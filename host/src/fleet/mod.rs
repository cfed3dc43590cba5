//! The live side of a session: every strategy on a thread of its own (its worker), fed through
//! a mailbox of its own, so a slow or spinning strategy never delays market data for the
//! others; and the reloader, which starts, swaps and retires strategies as their files come,
//! change and go.
//!
//! Backtests do not use this: they call strategies in lockstep on one thread
//! ([`crate::session::Session`]), which is what makes them deterministic.
//!
//! Invariants:
//! 1. Each strategy sees its market events and order updates in the order they happened. Under
//!    overflow only market data is coalesced or dropped, never an order update.
//! 2. A strategy's version changes only between two letters of its mailbox: every event is
//!    handled once, by one version.
//! 3. Lock order: desk, then the route table, then a mailbox. No lock is held across a call
//!    into a strategy.

mod files;
mod hot_reload;
mod mailbox;
mod operator;
mod reloader;
mod retire;
mod routes;
mod status;
mod watcher;
mod worker;

use std::collections::BTreeMap;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use trading::market::MarketEvent;
use trading::orders::{StrategyId, VenueId};

pub use files::{strategy_id_of, StrategyFileKind};
pub use hot_reload::HotReload;
pub use mailbox::{Letter, Mailbox, Next, Posted};
pub use operator::{OperatorAction, OperatorError, OperatorOutcome, ReloaderInput, StrategyControl};
pub use reloader::{Reloader, SyncOutcome};
pub use retire::{retire, OnDelete, Retired};
pub use routes::{Route, Routes};
pub use status::{LoadFailure, ReloadStatus, StrategyStatus};
pub use watcher::{watch, WatchError};
pub use worker::{Control, DecisionSink, SnapshotKeeping, Swapped, Worker};

use crate::events::{EventBus, HostEvent};
use crate::runtime::{lock_desk, PreparedVersion, Runner, SessionShared, SharedDesk, SwapError};

/// Why a control letter did not get its answer.
#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    #[error("strategy {0} is not running")]
    NotRunning(StrategyId),
    #[error("strategy {0} stopped before answering")]
    Stopped(StrategyId),
    #[error(transparent)]
    Swap(#[from] SwapError),
    #[error("cannot start a thread for strategy {strategy}: {source}")]
    Spawn {
        strategy: StrategyId,
        source: std::io::Error,
    },
}

/// How market events reach a session's desk and strategies: cloned to wherever events are
/// taken from their source (the paper replay's loop, a live venue's connection task).
#[derive(Clone)]
pub struct MarketDelivery {
    routes: Arc<Routes>,
    desk: SharedDesk,
    shared: SessionShared,
    /// The live venue the events come from: only its strategies get them. `None`: a replay,
    /// every strategy's.
    from: Option<VenueId>,
}

impl MarketDelivery {
    /// Takes one market event: the desk reacts first (fills on its venue's simulator, their
    /// updates go out), then the mailbox of every strategy on its venue gets the event. Returns without waiting for any strategy.
    pub fn deliver(&self, event: &MarketEvent) {
        self.shared.clock.advance_to(event.time_ms());
        let stream = self.shared.streams.id_of(event);
        {
            let mut desk = lock_desk(&self.desk);
            desk.on_market_event_from(self.from.as_ref(), event);
            self.routes.deliver_updates(&mut desk);
        }
        self.routes.broadcast(event, stream, self.from.as_ref());
        let candle = match event {
            MarketEvent::Candle(candle) => Some((candle, true)),
            MarketEvent::CandleUpdate(update) => Some((&update.candle, false)),
            _ => None,
        };
        if let Some((candle, closed)) = candle {
            self.shared.events.publish(HostEvent::Candle {
                venue: self.from.clone(),
                candle: candle.clone(),
                closed,
            });
        }
    }
}

/// The running strategies of one session, and the way market events reach them.
pub struct Fleet {
    market: MarketDelivery,
    queue_capacity: usize,
    decisions: DecisionSink,
    /// How often a running strategy's state is written to the book of record.
    snapshot_every: Option<Duration>,
    /// How long an idle strategy's thread polls its mailbox before it sleeps.
    idle_spin: Duration,
    threads: Mutex<BTreeMap<StrategyId, JoinHandle<()>>>,
    /// Files that could not be loaded (no version of them runs), by file.
    load_failures: Mutex<BTreeMap<String, String>>,
}

impl Fleet {
    pub fn new(desk: SharedDesk, shared: SessionShared, queue_capacity: usize, decisions: DecisionSink) -> Self {
        lock_desk(&desk).keep_events();
        Self {
            market: MarketDelivery {
                routes: Arc::new(Routes::new(shared.events.clone())),
                desk,
                shared,
                from: None,
            },
            queue_capacity,
            decisions,
            snapshot_every: None,
            idle_spin: Duration::ZERO,
            threads: Mutex::new(BTreeMap::new()),
            load_failures: Mutex::new(BTreeMap::new()),
        }
    }

    pub fn desk(&self) -> &SharedDesk {
        &self.market.desk
    }

    pub fn shared(&self) -> &SessionShared {
        &self.market.shared
    }

    /// The session's event stream: the desk's events, the strategies' lifecycle and decisions.
    pub fn events(&self) -> &EventBus {
        &self.market.shared.events
    }

    /// Writes each running strategy's state to the book of record every `every` too, not only
    /// at swaps and when it stops.
    pub fn keeping_snapshots_every(mut self, every: Option<Duration>) -> Self {
        self.snapshot_every = every;
        self
    }

    /// Lets each strategy's thread poll its mailbox for `spin` before it sleeps (see
    /// [`Mailbox::spinning`]).
    pub fn polling_idle_for(mut self, spin: Duration) -> Self {
        self.idle_spin = spin;
        self
    }

    /// Takes one market event (see [`MarketDelivery::deliver`]).
    pub fn deliver(&self, event: &MarketEvent) {
        self.market.deliver(event);
    }

    /// The way market events reach this fleet's desk and strategies, for a thread of its own.
    pub fn delivery(&self) -> MarketDelivery {
        self.market.clone()
    }

    /// The way live `venue`'s market events reach the desk and the strategies that trade on it.
    pub fn delivery_from(&self, venue: &VenueId) -> MarketDelivery {
        MarketDelivery {
            from: Some(venue.clone()),
            ..self.market.clone()
        }
    }

    /// Runs `runner` on a worker thread of its own, taking events from now on.
    pub fn start(&self, runner: Runner) -> Result<(), FleetError> {
        let strategy = runner.context().strategy.clone();
        let mailbox = Arc::new(Mailbox::new(self.queue_capacity).spinning(self.idle_spin));
        let status = Arc::new(Mutex::new(StrategyStatus::of(&runner, None)));
        let venue = lock_desk(&self.market.desk).venue_of(&strategy).clone();
        let route = Route {
            mailbox: mailbox.clone(),
            venue,
            metrics: runner.context().metrics.clone(),
            status: status.clone(),
        };
        // The route first, under the desk lock: updates of orders placed during `init` wait in
        // the mailbox until the worker starts.
        self.market
            .routes
            .insert(&mut lock_desk(&self.market.desk), strategy.clone(), route);
        let worker = Worker {
            runner,
            mailbox,
            routes: self.market.routes.clone(),
            status,
            decisions: self.decisions.clone(),
            snapshots: SnapshotKeeping::every(self.snapshot_every),
        };
        let thread = std::thread::Builder::new()
            .name(format!("strategy {strategy}"))
            .spawn(move || worker.run())
            .map_err(|source| {
                self.market.routes.remove(&strategy);
                FleetError::Spawn {
                    strategy: strategy.clone(),
                    source,
                }
            })?;
        self.lock_threads().insert(strategy, thread);
        Ok(())
    }

    /// Hands `strategy` to `version` between two of its events, and waits for the outcome.
    pub fn swap(&self, strategy: &StrategyId, version: PreparedVersion) -> Result<Swapped, FleetError> {
        let route = self.route(strategy)?;
        let (reply, answer) = sync_channel(1);
        let control = Control::Swap {
            version: Box::new(version),
            reply,
        };
        if !route.mailbox.post_control(control) {
            return Err(FleetError::NotRunning(strategy.clone()));
        }
        let swapped = answer.recv().map_err(|_| FleetError::Stopped(strategy.clone()))?;
        Ok(swapped?)
    }

    /// Stops `strategy`: its worker applies `on_delete` and exits; later events skip it.
    pub fn retire(&self, strategy: &StrategyId, on_delete: OnDelete) -> Result<Retired, FleetError> {
        let route = self.route(strategy)?;
        let (reply, answer) = sync_channel(1);
        if !route.mailbox.post_control(Control::Retire { on_delete, reply }) {
            return Err(FleetError::NotRunning(strategy.clone()));
        }
        let retired = answer.recv().map_err(|_| FleetError::Stopped(strategy.clone()));
        self.market.routes.remove(strategy);
        if let Some(thread) = self.lock_threads().remove(strategy) {
            let _ = thread.join();
        }
        retired
    }

    /// Records the outcome of a reload attempt for `/status`.
    pub fn set_reload_status(&self, strategy: &StrategyId, reload: ReloadStatus) {
        if let Some(route) = self.market.routes.get(strategy) {
            route.status.lock().unwrap_or_else(|p| p.into_inner()).last_reload = Some(reload);
        }
    }

    /// Records why `file` could not be loaded, replacing an earlier reason.
    pub fn report_load_failure(&self, file: String, error: String) {
        self.lock_failures().insert(file, error);
    }

    pub fn clear_load_failure(&self, file: &str) {
        self.lock_failures().remove(file);
    }

    /// The files that could not be loaded, by file name.
    pub fn load_failures(&self) -> Vec<LoadFailure> {
        self.lock_failures()
            .iter()
            .map(|(file, error)| LoadFailure {
                file: file.clone(),
                error: error.clone(),
            })
            .collect()
    }

    fn lock_failures(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.load_failures.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every running strategy's status, by name.
    pub fn statuses(&self) -> Vec<StrategyStatus> {
        self.market
            .routes
            .all()
            .into_iter()
            .map(|(_, route)| route.status.lock().unwrap_or_else(|p| p.into_inner()).clone())
            .collect()
    }

    pub fn routes(&self) -> &Routes {
        &self.market.routes
    }

    /// No strategy has a letter waiting or in hand.
    pub fn is_idle(&self) -> bool {
        self.market
            .routes
            .all()
            .iter()
            .all(|(_, route)| route.mailbox.is_idle())
    }

    /// Stops every worker (queued letters are dropped; orders and positions stay as they are)
    /// and waits for each to finish its current call.
    pub fn shutdown(&self) {
        for (strategy, route) in self.market.routes.all() {
            route.mailbox.close();
            self.market.routes.remove(&strategy);
        }
        let threads = std::mem::take(&mut *self.lock_threads());
        for (_, thread) in threads {
            let _ = thread.join();
        }
    }

    fn route(&self, strategy: &StrategyId) -> Result<Route, FleetError> {
        self.market
            .routes
            .get(strategy)
            .ok_or_else(|| FleetError::NotRunning(strategy.clone()))
    }

    fn lock_threads(&self) -> std::sync::MutexGuard<'_, BTreeMap<StrategyId, JoinHandle<()>>> {
        self.threads.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.shutdown();
    }
}
