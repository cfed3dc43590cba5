//! Paper trading: a paced replay of bars fed to the strategies of a [`Fleet`] in lockstep (a
//! bar goes out once every strategy is done with the last one, so the fills are a backtest's),
//! with the simulated broker, the SQLite book of record, hot reload of the strategies folder,
//! and the status board the HTTP API reads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use trading::brokers::{SimBroker, RECENT_EVENTS};
use trading::desk::{Desk, DeskConfig};
use trading::ledger::JournaledStore;
use trading::market::{Candle, MarketEvent};

use super::hosted::Hosted;
use super::record::Recorder;
use super::status::{BrokerStatus, FeedStatus, StatusBoard};
use crate::config::Config;
use crate::metrics::Metrics;
use crate::runtime::SharedDesk;

pub use crate::fleet::strategy_id_of;

/// The broker name paper trading reports in metrics and `/status`.
pub const PAPER_BROKER: &str = "paper";
/// How often `/status` and the book gauges are refreshed while bars replay faster than this.
const PUBLISH_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug, thiserror::Error)]
pub enum PaperError {
    #[error(transparent)]
    Engine(#[from] crate::runtime::EngineError),
    #[error("cannot open the book of record: {0}")]
    Store(#[from] trading::ledger::StoreError),
    #[error("{path}: cannot create the strategies folder: {source}")]
    StrategiesDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("invalid paper broker settings: {0}")]
    Broker(#[from] trading::brokers::InvalidSimConfig),
    #[error("cannot set up the desk: {0}")]
    Desk(#[from] trading::desk::DeskError),
    #[error("cannot start the reloader thread: {0}")]
    Reloader(std::io::Error),
    #[error("cannot start the thread that counts the event stream in metrics: {0}")]
    EventFollower(std::io::Error),
    #[error("cannot record: {0}")]
    Record(#[from] trading::market::JournalError),
}

/// A paper session, set up and ready to replay.
pub struct PaperHost {
    pub metrics: Arc<Metrics>,
    pub board: Arc<Mutex<StatusBoard>>,
    pub desk: SharedDesk,
    hosted: Hosted,
    candles: Vec<Candle>,
    source: String,
    bars_per_second: f64,
    recorder: Recorder,
}

impl PaperHost {
    /// Builds the runtime, the desk and the fleet. Nothing is loaded yet:
    /// [`PaperHost::load_strategies`] does that, so the HTTP surface can serve (`/health`, and
    /// `/ready` saying what it waits for) while components compile.
    pub fn new(config: &Config, candles: Vec<Candle>, source: String) -> Result<Self, PaperError> {
        let metrics = Metrics::new();
        let desk = open_desk(config)?;
        metrics.broker(PAPER_BROKER).connected.set(1);
        let board = Arc::new(Mutex::new(StatusBoard {
            brokers: vec![BrokerStatus {
                name: PAPER_BROKER.into(),
                connected: true,
            }],
            feed: Some(FeedStatus::new(source.clone(), &candles)),
            ..StatusBoard::default()
        }));
        let recorder = Recorder::open(config.record.as_deref())?;
        let hosted = Hosted::new(config, desk.clone(), &metrics)?;
        let host = Self {
            metrics,
            board,
            desk,
            hosted,
            candles,
            source,
            bars_per_second: config.feed.bars_per_second,
            recorder,
        };
        host.publish(0, None, false);
        Ok(host)
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
        self.hosted.load_strategies()?;
        self.publish(0, None, false);
        Ok(())
    }

    /// Replays every bar at the configured pace, then keeps `/status` and the data-age gauge
    /// current until `stop` is set. Blocking: run it on its own thread, after
    /// [`PaperHost::load_strategies`] (before it, no strategy gets the bars).
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
        let mut last_publish = Instant::now();
        let candles = std::mem::take(&mut self.candles);
        tracing::info!(bars = candles.len(), source = %self.source, bars_per_second = self.bars_per_second, "paper replay started");
        for (i, candle) in candles.iter().enumerate() {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            // Pace against the start, not the previous bar, so slow bars do not add up to drift.
            let due = started + interval.mul_f64(i as f64);
            if !sleep_until(due, &stop) {
                return;
            }
            // Lockstep: the next bar goes out once every strategy has handled the last one and
            // the order updates it caused, so what a strategy knew when it placed an order, and
            // so its fills, are a backtest's however busy the machine is.
            if !self.wait_idle(&stop) {
                return;
            }
            let event = MarketEvent::Candle(candle.clone());
            self.recorder.record(&event);
            self.hosted.fleet.deliver(&event);
            last_event_at = Instant::now();
            age.set(0.0);
            if interval >= PUBLISH_EVERY || last_publish.elapsed() >= PUBLISH_EVERY {
                self.publish(i + 1, Some(candle.close_time_ms()), false);
                last_publish = Instant::now();
            }
        }
        // Finished means every strategy has handled every bar, not just that all were sent.
        while !self.hosted.fleet.is_idle() && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.publish(candles.len(), candles.last().map(Candle::close_time_ms), true);
        self.recorder.flush();
        tracing::info!(bars = candles.len(), "paper replay finished; serving until stopped");
        while !stop.load(Ordering::Relaxed) {
            age.set(last_event_at.elapsed().as_secs_f64());
            self.publish(candles.len(), candles.last().map(Candle::close_time_ms), true);
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until no strategy has a letter waiting or in hand; `false` as soon as `stop` is set.
    fn wait_idle(&self, stop: &AtomicBool) -> bool {
        while !self.hosted.fleet.is_idle() {
            if stop.load(Ordering::Relaxed) {
                return false;
            }
            std::thread::sleep(IDLE_POLL);
        }
        true
    }

    /// Refreshes the status board and the per-strategy gauges from the fleet and the desk.
    fn publish(&self, replayed: usize, last_time: Option<i64>, finished: bool) {
        self.hosted
            .publish(&self.metrics, &self.board, self.hosted.fleet.statuses());
        let mut board = self.board.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(feed) = board.feed.as_mut() {
            feed.bars_replayed = replayed;
            feed.last_event_time_ms = last_time;
            feed.finished = finished;
        }
    }
}

/// How often a lockstep replay looks whether the strategies are done with the last bar: short
/// next to a bar's handling, so a fast replay is not held to the poll.
const IDLE_POLL: Duration = Duration::from_micros(50);

/// How long a wait for the next bar may go without looking at the stop flag: a slow replay
/// (one bar a minute, say) still stops within this of a SIGTERM.
const STOP_CHECK: Duration = Duration::from_millis(50);

/// Sleeps until `due`; `false` as soon as `stop` is set.
fn sleep_until(due: Instant, stop: &AtomicBool) -> bool {
    while let Some(left) = due.checked_duration_since(Instant::now()) {
        if stop.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(left.min(STOP_CHECK));
    }
    !stop.load(Ordering::Relaxed)
}

/// The desk of a paper session: the simulated broker and the journaled book of record.
fn open_desk(config: &Config) -> Result<SharedDesk, PaperError> {
    let store = JournaledStore::open(&config.db)?;
    let desk_config = DeskConfig {
        order_id_prefix: run_order_id_prefix(),
        limits: config.limits.clone(),
        trading_state: config.trading_state,
    };
    // Strategies run on their own threads and may act a few bars late: the venue fills their
    // orders as of the bar they acted on.
    let broker = SimBroker::new(config.sim.clone())?.remembering(RECENT_EVENTS);
    let desk = Desk::new(desk_config, Box::new(broker), Some(Box::new(store)))?;
    Ok(Arc::new(Mutex::new(desk)))
}

/// Client order ids of a run start with the run's start time in base 36, so ids stay unique
/// across restarts of the host.
pub(super) fn run_order_id_prefix() -> String {
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
