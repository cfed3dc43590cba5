//! Trading on live venues' market data: each venue's feed drives the fleet (no replay clock)
//! from its connection task, the desk hears the venues' executions as soon as their doorbell
//! rings, and the strategies' subscriptions follow the fleet (a new, swapped or retired
//! strategy changes what the venues stream within one turn of the loop).
//!
//! Orders go to the venues (`execution = "live"`, the default with a venue), or are simulated
//! on the venue's live data (`run --paper`): the same simulator as paper replays, named after
//! the venue.
//!
//! With orders going to the venues, the desk reloads the book of record before any venue is
//! heard, and no strategy starts until every venue's first reconciliation is done
//! ([`LiveHost::reconcile`]): a strategy never sees a market event, nor places an order, on
//! books the venue has not confirmed. `/ready` names each venue still reconciling.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use trading::brokers::{Doorbell, ExecutionPort};
use trading::desk::{Desk, DeskConfig};
use trading::ledger::JournaledStore;
use trading::market::{MarketEvent, MarketSink};
use trading::orders::{StrategyId, VenueId};
use trading::risk::TradingState;

use super::hosted::Hosted;
use super::paper::{run_order_id_prefix, PaperError};
use super::record::Recorder;
use super::status::{BrokerStatus, StatusBoard, StrategyStatus};
use crate::api::{Condition, Readiness};
use crate::config::{Config, ExecutionMode};
use crate::fleet::MarketDelivery;
use crate::live::{LivePortsError, LiveVenues, VenueAccounts};
use crate::metrics::Metrics;
use crate::runtime::{lock_desk, SharedDesk, Subscription};

/// How often subscriptions are matched to the fleet and `/status` refreshed.
const REFRESH_EVERY: Duration = Duration::from_millis(100);
/// The longest the loop sleeps without a doorbell ring.
const IDLE_WAIT: Duration = Duration::from_millis(50);
/// How long each venue gets to close cleanly (disarm its dead-man switch) on shutdown.
const CLOSE_WITHIN: Duration = Duration::from_secs(3);
/// How long a shutdown waits for the requests in flight to be answered (or settled by query).
const SETTLE_WITHIN: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error(transparent)]
    Setup(#[from] PaperError),
    #[error(transparent)]
    LivePorts(#[from] LivePortsError),
    #[error("no venue is enabled: name one with --venue or [venues.NAME] enabled = true")]
    NoVenue,
}

/// A session on live venues, set up and ready to run.
pub struct LiveHost {
    pub metrics: Arc<Metrics>,
    pub board: Arc<Mutex<StatusBoard>>,
    pub desk: SharedDesk,
    hosted: Hosted,
    venues: LiveVenues,
    doorbell: Doorbell,
    /// What each strategy has subscribed, to notice changes.
    subscribed: BTreeMap<StrategyId, (VenueId, Vec<Subscription>)>,
    /// The journal of `run --record`, shared by the venues' deliveries.
    recorder: Arc<Mutex<Recorder>>,
    /// The venues whose orders are live, each reconciled before the strategies start.
    reconciled: Vec<VenueId>,
}

impl LiveHost {
    /// Connects the feeds on `runtime`, opens the desk with one port per venue, and starts the
    /// strategies of the folder.
    pub fn new(config: &Config, runtime: &tokio::runtime::Handle) -> Result<Self, LiveError> {
        if config.venues.is_empty() {
            return Err(LiveError::NoVenue);
        }
        let recorder = Recorder::open(config.record.as_deref()).map_err(PaperError::Record)?;
        let metrics = Metrics::new();
        let doorbell = Doorbell::new();
        let mut accounts = VenueAccounts::new(&config.venues, config.execution, &metrics);
        let ports = match config.execution {
            ExecutionMode::Paper => accounts.paper_ports(&config.sim).map_err(PaperError::Broker)?,
            ExecutionMode::Live => accounts.live_ports(runtime, &doorbell)?,
        };
        let desk = open_desk(config, ports)?;
        let reconciled = match config.execution {
            ExecutionMode::Live => config.venues.iter().map(|venue| venue.name.clone()).collect(),
            ExecutionMode::Paper => Vec::new(),
        };
        let board = Arc::new(Mutex::new(StatusBoard {
            brokers: config
                .venues
                .iter()
                .map(|venue| BrokerStatus {
                    name: venue.name.to_string(),
                    connected: false,
                })
                .collect(),
            ..StatusBoard::default()
        }));
        let hosted = Hosted::new(config, desk.clone(), &metrics)?;
        let recorder = Arc::new(Mutex::new(recorder));
        let venues = LiveVenues::start(accounts, runtime, &metrics, &desk, |venue| {
            Arc::new(SessionMarket {
                recorder: recorder.clone(),
                fleet: hosted.fleet.delivery_from(venue),
            }) as Arc<dyn MarketSink>
        });
        Ok(Self {
            metrics,
            board,
            desk,
            hosted,
            venues,
            doorbell,
            subscribed: BTreeMap::new(),
            recorder,
            reconciled,
        })
    }

    /// Registers a `/ready` condition for each venue whose orders are live, not met until
    /// [`LiveHost::reconcile`] sees its first reconciliation done.
    pub fn reconciling(&self, readiness: &Readiness) -> Vec<(VenueId, Condition)> {
        self.reconciled
            .iter()
            .map(|venue| {
                let condition = readiness.wait_for(format!("venue:{venue}"), waiting_reason(venue, false));
                (venue.clone(), condition)
            })
            .collect()
    }

    /// Delivers the venues' events to the desk until each venue in `pending` has been
    /// reconciled once (its mass status applied and every query it led to answered), meeting
    /// its condition then; `/status` is refreshed meanwhile. Returns `false` when `stopped`
    /// said to give up first (a shutdown before the host was ready).
    pub fn reconcile(&mut self, mut pending: Vec<(VenueId, Condition)>, stopped: impl Fn() -> bool) -> bool {
        let mut last_refresh = Instant::now() - REFRESH_EVERY;
        while !pending.is_empty() {
            if stopped() {
                return false;
            }
            let seen = self.doorbell.rings();
            let done: Vec<(VenueId, Condition)> = {
                let mut desk = lock_desk(&self.desk);
                desk.poll();
                self.hosted.fleet.routes().deliver_updates(&mut desk);
                let (done, waiting) = pending
                    .into_iter()
                    .partition(|(venue, _)| desk.reconciliation(venue).is_some());
                pending = waiting;
                for (venue, condition) in &pending {
                    condition.update(waiting_reason(venue, desk.is_reconciling(venue)));
                }
                done
            };
            for (venue, condition) in done {
                tracing::info!(%venue, "reconciled: the venue's orders, fills and balances are checked");
                condition.met();
            }
            if last_refresh.elapsed() >= REFRESH_EVERY || pending.is_empty() {
                self.refresh(self.hosted.fleet.statuses());
                last_refresh = Instant::now();
            }
            if !pending.is_empty() {
                self.doorbell.wait_after(seen, IDLE_WAIT);
            }
        }
        true
    }

    /// The fleet, its event stream and what counts that stream in metrics.
    pub fn hosted(&self) -> &Hosted {
        &self.hosted
    }

    /// Starts every strategy in the folder and watches it (see [`Hosted::load_strategies`]).
    ///
    /// # Errors
    ///
    /// When the reloader thread cannot be started.
    pub fn load_strategies(&mut self) -> Result<(), PaperError> {
        self.hosted.load_strategies()
    }

    /// Delivers the venues' executions to the desk, and keeps the venues' subscriptions and
    /// `/status` up to date, until `stop` is set; the venues' market data reaches the fleet
    /// from their feeds' own tasks. Blocking: run it on its own thread.
    pub fn run(mut self, stop: Arc<AtomicBool>) {
        tracing::info!("live session started");
        let mut last_refresh = Instant::now() - REFRESH_EVERY;
        while !stop.load(Ordering::Relaxed) {
            let seen = self.doorbell.rings();
            if last_refresh.elapsed() >= REFRESH_EVERY {
                let statuses = self.hosted.fleet.statuses();
                self.sync_subscriptions(&statuses);
                self.refresh(statuses);
                lock_recorder(&self.recorder).flush();
                last_refresh = Instant::now();
            }
            {
                let mut desk = lock_desk(&self.desk);
                desk.poll();
                self.hosted.fleet.routes().deliver_updates(&mut desk);
            }
            self.doorbell.wait_after(seen, IDLE_WAIT);
        }
        self.settle_in_flight();
        lock_desk(&self.desk).close_venues(CLOSE_WITHIN);
        tracing::info!("live session stopped");
    }

    /// The graceful half of a shutdown: no new orders from now on, and the requests already
    /// sent get up to [`SETTLE_WITHIN`] to be answered, so the book of record the next start
    /// reads knows their outcome. What is still unanswered then stays in flight in the book, to
    /// be settled by a query on the next start; nothing is sent again.
    fn settle_in_flight(&mut self) {
        lock_desk(&self.desk).set_trading_state(TradingState::Halted);
        let deadline = Instant::now() + SETTLE_WITHIN;
        let mut told = false;
        loop {
            let seen = self.doorbell.rings();
            let in_flight = {
                let mut desk = lock_desk(&self.desk);
                desk.poll();
                self.hosted.fleet.routes().deliver_updates(&mut desk);
                desk.requests_in_flight()
            };
            if in_flight == 0 {
                return;
            }
            if Instant::now() >= deadline {
                tracing::warn!(
                    in_flight,
                    "shutting down with requests unanswered: the next start settles them by query"
                );
                return;
            }
            if !told {
                tracing::info!(in_flight, within = ?SETTLE_WITHIN, "shutting down: new orders refused, waiting for the requests in flight");
                told = true;
            }
            self.doorbell.wait_after(seen, IDLE_WAIT);
        }
    }

    /// Matches the venues' subscriptions to the fleet: what each running version wants.
    fn sync_subscriptions(&mut self, statuses: &[StrategyStatus]) {
        let mut current = BTreeMap::new();
        {
            let desk = lock_desk(&self.desk);
            for status in statuses {
                let strategy = StrategyId::new(&status.strategy);
                let venue = desk.venue_of(&strategy).clone();
                current.insert(strategy, (venue, status.wants.clone()));
            }
        }
        for (strategy, wanted) in &current {
            if self.subscribed.get(strategy) != Some(wanted) {
                self.venues.set_wants(strategy, &wanted.0, &wanted.1);
            }
        }
        for strategy in self.subscribed.keys() {
            if !current.contains_key(strategy) {
                self.venues.remove(strategy);
            }
        }
        self.subscribed = current;
    }

    fn refresh(&mut self, statuses: Vec<StrategyStatus>) {
        let venues = {
            let mut desk = lock_desk(&self.desk);
            self.venues.refresh(&mut desk)
        };
        self.hosted.publish(&self.metrics, &self.board, statuses);
        let mut board = self.board.lock().unwrap_or_else(|p| p.into_inner());
        for broker in &mut board.brokers {
            broker.connected = venues.iter().any(|v| v.name == broker.name && v.connected);
        }
        board.venues = venues;
    }
}

/// Where one live venue delivers its market events, on its feed's task: each is recorded
/// (`run --record`, one journal for every venue) and handed to the fleet, for the strategies
/// that trade on that venue.
struct SessionMarket {
    recorder: Arc<Mutex<Recorder>>,
    fleet: MarketDelivery,
}

fn lock_recorder(recorder: &Mutex<Recorder>) -> std::sync::MutexGuard<'_, Recorder> {
    // Recording never panics; a poisoned recorder is still a whole journal writer.
    recorder.lock().unwrap_or_else(|p| p.into_inner())
}

impl MarketSink for SessionMarket {
    fn deliver(&self, events: &mut Vec<MarketEvent>) {
        let mut recorder = lock_recorder(&self.recorder);
        for event in events.drain(..) {
            // Recorded after it is delivered: the journal's write is off the path to the
            // strategies, and the order of the journal is still the order of delivery.
            self.fleet.deliver(&event);
            recorder.record(&event);
        }
    }
}

/// What `/ready` says of a venue not reconciled yet.
fn waiting_reason(venue: &VenueId, started: bool) -> String {
    if started {
        format!("{venue} reconciling: comparing the venue's open orders, fills and balances with the books")
    } else {
        format!("{venue} reconciling: waiting for the order connection")
    }
}

/// The desk of a live session over `ports` (one per venue), and the journaled book of record.
/// With orders going to the venues, the books and working orders of the book of record are
/// reloaded into it, so that the venues' first reports land on them; simulated venues start
/// with no working orders (nothing of a past run is resting in a simulator).
fn open_desk(config: &Config, ports: Vec<Box<dyn ExecutionPort>>) -> Result<SharedDesk, LiveError> {
    let store = JournaledStore::open(&config.db).map_err(PaperError::Store)?;
    let desk_config = DeskConfig {
        order_id_prefix: run_order_id_prefix(),
        limits: config.limits.clone(),
        trading_state: config.trading_state,
    };
    let mut ports = ports.into_iter();
    let first = ports.next().ok_or(LiveError::NoVenue)?;
    let mut desk = Desk::new(desk_config, first, Some(Box::new(store))).map_err(PaperError::Desk)?;
    for port in ports {
        desk.add_venue(port).map_err(PaperError::Desk)?;
    }
    if config.execution == ExecutionMode::Live {
        desk.restore().map_err(PaperError::Desk)?;
        for venue in &config.venues {
            desk.set_unknown_orders(&venue.name, venue.unknown_orders)
                .map_err(PaperError::Desk)?;
        }
    }
    Ok(Arc::new(Mutex::new(desk)))
}
