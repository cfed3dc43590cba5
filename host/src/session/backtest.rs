//! Backtests: the session driven as fast as it goes over historical bars, with the simulated
//! broker, no book-of-record file, and fuel instead of wall-clock deadlines, so that the same
//! inputs give the same trades bit for bit.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rust_decimal::Decimal;
use trading::brokers::{InvalidSimConfig, SimBroker, SimConfig, RECENT_EVENTS};
use trading::desk::{Desk, DeskConfig, DeskError};
use trading::ledger::{BookStore, JournaledStore, OpenTrip, RoundTrip, StoreError};
use trading::market::{Candle, MarketEvent, Side, TimeMs, Timeframe, WithBuiltBars};
use trading::orders::{OrderRequest, OrderType, StrategyId, TimeInForce};
use trading::report::{BacktestReport, EquityCurve, EquityPoint, ReportBuilder};
use trading::risk::RiskLimits;

use super::{Session, Settled};
use crate::metrics::Metrics;
use crate::runtime::{
    lock_desk, CpuBudget, Decision, LoadError, RecoveryPolicy, Runner, Runtime, SandboxLimits, SessionShared,
    StartError, StrategyComponent, StrategyContext, Stream,
};

/// Everything a backtest needs besides the strategy file and the bars.
#[derive(Debug, Clone)]
pub struct BacktestSettings {
    /// JSON object given to the strategy's `init`.
    pub params: String,
    pub initial_cash: Decimal,
    pub sim: SimConfig,
    /// The risk limits; their `fee_rate` is the simulator's (`sim.fee_rate`).
    pub limits: RiskLimits,
    pub keep_equity_curve: bool,
    /// Whether the strategy's decisions are kept (and it is told so by `decisions-wanted`), in
    /// [`BacktestOutcome::decisions`]; by default they are not, so it can skip building them.
    pub keep_decisions: bool,
    /// Compiled-component cache folder; `None` compiles the strategy every time.
    pub cache_dir: Option<std::path::PathBuf>,
    /// Whether what is still open after the last event is closed then: working orders
    /// cancelled, and each position closed at market at its symbol's last price (a bar's
    /// close), stamped with the last event's time. Off by default: the open trade is reported
    /// as open.
    pub close_at_end: bool,
    /// A SQLite book of record to keep the backtest's orders and fills in, the same file a
    /// paper `run` writes (`--db`), so the two can be compared row for row. It must not exist
    /// yet: a backtest starts from fresh cash. `None` keeps the books in memory only.
    pub db: Option<std::path::PathBuf>,
}

impl Default for BacktestSettings {
    fn default() -> Self {
        Self {
            params: "{}".into(),
            initial_cash: crate::config::DEFAULT_INITIAL_CASH,
            sim: SimConfig::default(),
            limits: RiskLimits::default(),
            keep_equity_curve: false,
            keep_decisions: false,
            cache_dir: None,
            close_at_end: false,
            db: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    #[error(transparent)]
    Engine(#[from] crate::runtime::EngineError),
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error("cannot set up the desk: {0}")]
    Desk(#[from] DeskError),
    #[error("invalid simulated broker settings: {0}")]
    Broker(#[from] InvalidSimConfig),
    #[error("{}: the book of record of a backtest must be a new file (a backtest starts from fresh cash)", .0.display())]
    DbExists(std::path::PathBuf),
    #[error("cannot open the book of record: {0}")]
    Store(#[from] StoreError),
}

pub struct BacktestOutcome {
    pub report: BacktestReport,
    pub trades: Vec<RoundTrip>,
    /// The round trips still open at the end (none with [`BacktestSettings::close_at_end`],
    /// unless closing one was refused), valued at the last prices.
    pub open_trades: Vec<OpenTrip>,
    pub equity_curve: Vec<EquityPoint>,
    /// Every decision the strategy emitted, in order, when [`BacktestSettings::keep_decisions`].
    pub decisions: Vec<Decision>,
    /// Strategy name and version from its manifest.
    pub strategy: String,
    pub version: String,
    /// Compiling (or loading from the cache) and starting the strategy, before the first bar.
    pub setup_ms: u64,
    /// Whether the compiled strategy came from the cache.
    pub compiled_from_cache: bool,
}

/// Runs `strategy_file` over `events` (already in time order: bars from a CSV, or a recorded
/// journal) to completion. The events are consumed: each moves into the session, with no
/// copy on the hot path.
pub fn run(
    strategy_file: &Path,
    events: Vec<MarketEvent>,
    settings: &BacktestSettings,
) -> Result<BacktestOutcome, BacktestError> {
    let started = Instant::now();
    let limits = SandboxLimits {
        cpu: CpuBudget::deterministic(),
        ..SandboxLimits::default()
    };
    let mut runtime = Runtime::new(limits)?;
    if let Some(dir) = &settings.cache_dir {
        runtime = runtime.with_component_cache(dir.clone());
    }
    let runtime = Arc::new(runtime);
    let component = Arc::new(StrategyComponent::load_file(&runtime, strategy_file)?);
    let compiled_from_cache = component.from_cache();

    let desk_config = DeskConfig {
        limits: RiskLimits {
            // Cash reserved for a buy includes the fee the simulated venue will charge: its
            // fee, whatever the limits were given.
            fee_rate: settings.sim.fee_rate,
            ..settings.limits.clone()
        },
        ..DeskConfig::default()
    };
    // Remembering recent bars as paper trading does: an order answering a fill at a bar's
    // open reaches the venue after the bar and must still meet it, as it does in paper.
    let broker = SimBroker::new(settings.sim.clone())?.remembering(RECENT_EVENTS);
    let store = match &settings.db {
        Some(path) if path.exists() => return Err(BacktestError::DbExists(path.clone())),
        Some(path) => Some(Box::new(JournaledStore::open(path)?) as Box<dyn BookStore>),
        None => None,
    };
    let mut desk = Desk::new(desk_config, Box::new(broker), store)?;
    let id = super::paper::strategy_id_of(strategy_file).unwrap_or_else(|_| StrategyId::new("strategy"));
    desk.register_strategy(&id, settings.initial_cash)?;
    let desk = Arc::new(Mutex::new(desk));
    let shared = SessionShared::default();
    let metrics = Metrics::new();
    let ctx = StrategyContext::new(
        id.clone(),
        desk.clone(),
        &shared,
        metrics.strategy(id.as_str(), "backtest"),
    );
    let ctx = if settings.keep_decisions {
        ctx
    } else {
        ctx.without_decisions()
    };
    let mut runner = Runner::start(
        runtime,
        component,
        settings.params.clone(),
        ctx,
        RecoveryPolicy::deterministic(),
    )?;
    runner.set_time_calls(false);
    let (name, version) = (runner.manifest().name.clone(), runner.manifest().version.clone());
    let manifest_timeframes: BTreeSet<Timeframe> = runner
        .manifest()
        .subscriptions
        .iter()
        .filter_map(|s| match s.stream {
            Stream::Candles(Some(timeframe)) => Some(timeframe),
            _ => None,
        })
        .collect();
    // Every timeframe of the data's bars, not just the first bar's: a journal of a live
    // session (`run --record`) holds the bars built for its strategies too, in delivery order,
    // and building them again would hand each to the strategy twice.
    let data_timeframes: BTreeSet<Timeframe> = events
        .iter()
        .filter_map(|e| match e {
            MarketEvent::Candle(c) => Some(c.timeframe),
            _ => None,
        })
        .collect();
    for problem in super::unserved::unserved(&runner.manifest().subscriptions, &events) {
        tracing::warn!(strategy = %id, "{problem}");
    }
    let mut session = Session::new(desk.clone(), shared);
    session.add_runner(runner);
    let decisions = Arc::new(Mutex::new(Vec::new()));
    if settings.keep_decisions {
        let decisions = decisions.clone();
        session.on_decision(move |decision| decisions.lock().unwrap_or_else(|p| p.into_inner()).push(decision));
    }

    let setup_ms = millis_since(started);
    let loop_started = Instant::now();
    let curve = if settings.keep_equity_curve {
        EquityCurve::Keep
    } else {
        EquityCurve::Discard
    };
    // Bars of the timeframes the strategy names are built from the data's, by the aggregator
    // live venues use: a strategy sees the same 1h bars in a backtest of 1m data as live.
    let built: Vec<Timeframe> = manifest_timeframes
        .into_iter()
        .filter(|tf| !data_timeframes.contains(tf))
        .collect();
    let sampler = Sampler {
        builder: ReportBuilder::new(curve),
        strategy: id.clone(),
        sampled: data_timeframes.first().copied(),
    };
    let Sampler { builder, .. } = if built.is_empty() {
        session.replay(events.into_iter(), sampler)
    } else {
        session.replay(WithBuiltBars::new(events.into_iter(), built), sampler)
    };

    let decisions = std::mem::take(&mut *decisions.lock().unwrap_or_else(|p| p.into_inner()));
    let mut desk = lock_desk(&desk);
    if settings.close_at_end {
        close_at_end(&mut desk, &id, session.clock().now_ms());
    }
    let mut report = builder.finish(&desk, &id);
    report.set_elapsed_ms(millis_since(loop_started));
    Ok(BacktestOutcome {
        report,
        trades: desk.round_trips(&id).to_vec(),
        open_trades: desk.open_trips(&id),
        equity_curve: builder.equity_curve().to_vec(),
        decisions,
        strategy: name,
        version,
        setup_ms,
        compiled_from_cache,
    })
}

/// Closes what `strategy` has open after the last event, at `time_ms` (that event's time):
/// cancels its working orders, then sells each long and buys back each short at market, filled
/// by the simulator against a bar of one price, the symbol's last price, that opens at
/// `time_ms`. The strategy is not called again, and the closing fills count in the report like
/// any other. A closing order risk refuses (a buy back the cash cannot pay) leaves its
/// position open, with a warning.
fn close_at_end(desk: &mut Desk, strategy: &StrategyId, time_ms: TimeMs) {
    desk.cancel_all(strategy, time_ms);
    let positions = desk.book(strategy).map(|book| book.positions).unwrap_or_default();
    for position in positions.into_iter().filter(|p| !p.qty.is_zero()) {
        let Some(price) = desk.last_price(desk.venue_of(strategy), &position.symbol) else {
            continue;
        };
        let request = OrderRequest {
            side: if position.qty.is_sign_positive() {
                Side::Sell
            } else {
                Side::Buy
            },
            qty: position.qty.abs(),
            symbol: position.symbol.clone(),
            order_type: OrderType::Market,
            time_in_force: TimeInForce::Gtc,
            post_only: false,
            // A close: it must never open the other way.
            reduce_only: true,
            tag: "close-at-end".into(),
        };
        if let Err(reject) = desk.place_order(strategy, request, time_ms) {
            tracing::warn!(strategy = %strategy, symbol = %position.symbol, %reject, "--close-at-end could not close a position: it stays open");
            continue;
        }
        desk.on_market_event(&MarketEvent::Candle(Candle {
            symbol: position.symbol,
            timeframe: Timeframe::MINUTE,
            open_time_ms: time_ms,
            open: price,
            high: price,
            low: price,
            close: price,
            volume: Decimal::ZERO,
        }));
    }
}

/// Samples the strategy's equity at the close of every bar of the data's finest timeframe (not
/// of longer bars, built or recorded, whose close is one of those and would count twice), once
/// the bar is settled.
struct Sampler {
    builder: ReportBuilder,
    strategy: StrategyId,
    sampled: Option<Timeframe>,
}

impl Settled for Sampler {
    fn settled(&mut self, desk: &Desk, event: &MarketEvent) {
        if let MarketEvent::Candle(candle) = event {
            if Some(candle.timeframe) == self.sampled {
                self.builder.sample(desk, &self.strategy, candle.close_time_ms());
            }
        }
    }
}

fn millis_since(start: Instant) -> u64 {
    u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX)
}
