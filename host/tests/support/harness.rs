//! [`Harness`]: real components in a backtest-like session (the simulated venue, one desk, one
//! thread), with the metrics and decisions it produced at hand.

use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use strategy_host::metrics::Metrics;
use strategy_host::runtime::{
    lock_desk, CpuBudget, Decision, RecoveryPolicy, Runner, Runtime, SandboxLimits, SessionShared, SharedDesk,
    StrategyComponent, StrategyContext,
};
use strategy_host::session::{Session, Settled};
use trading::brokers::{SimBroker, SimConfig};
use trading::desk::{Desk, DeskConfig};
use trading::market::{Candle, MarketEvent, RandomWalk, RandomWalkConfig, Symbol, Timeframe};
use trading::orders::StrategyId;

pub struct Harness {
    pub runtime: Arc<Runtime>,
    pub desk: SharedDesk,
    pub shared: SessionShared,
    pub metrics: Arc<Metrics>,
}

impl Harness {
    pub fn new(cpu: CpuBudget) -> Self {
        let runtime = Arc::new(
            Runtime::new(SandboxLimits {
                cpu,
                ..SandboxLimits::default()
            })
            .unwrap(),
        );
        let broker = SimBroker::new(SimConfig::default()).unwrap();
        let desk = Arc::new(Mutex::new(
            Desk::new(DeskConfig::default(), Box::new(broker), None).unwrap(),
        ));
        Self {
            runtime,
            desk,
            shared: SessionShared::default(),
            metrics: Metrics::new(),
        }
    }

    pub fn start(&self, crate_name: &str, id: &str, params: &str) -> Result<Runner, String> {
        let id = StrategyId::new(id);
        lock_desk(&self.desk)
            .register_strategy(&id, Decimal::from(100_000))
            .unwrap();
        let component =
            StrategyComponent::load_file(&self.runtime, &super::wasm(crate_name)).map_err(|e| e.to_string())?;
        let ctx = StrategyContext::new(
            id.clone(),
            self.desk.clone(),
            &self.shared,
            self.metrics.strategy(id.as_str(), "paper"),
        );
        Runner::start(
            self.runtime.clone(),
            Arc::new(component),
            params.into(),
            ctx,
            RecoveryPolicy::deterministic(),
        )
        .map_err(|e| e.to_string())
    }

    /// Starts `(crate, id, params)` strategies in one session and replays `bars` bars of a walk.
    pub fn run(&self, strategies: &[(&str, &str, &str)], bars: usize) -> Session {
        let mut session = self.session();
        for (crate_name, id, params) in strategies {
            session.add_runner(self.start(crate_name, id, params).unwrap());
        }
        for candle in walk(bars) {
            session.process(&MarketEvent::Candle(candle));
        }
        session
    }

    /// Starts `(crate, id, params)` strategies in one session and replays `events` through it
    /// as a backtest does ([`Session::replay`]: pulled by `on-events` when there is one
    /// strategy), keeping every decision.
    pub fn replay(&self, strategies: &[(&str, &str, &str)], events: Vec<MarketEvent>) -> Replayed {
        let mut session = self.session();
        for (crate_name, id, params) in strategies {
            session.add_runner(self.start(crate_name, id, params).unwrap());
        }
        let decisions = Arc::new(Mutex::new(Vec::new()));
        session.on_decision({
            let decisions = decisions.clone();
            move |decision| decisions.lock().unwrap().push(decision)
        });
        session.replay(events.into_iter(), NoRecord);
        let decisions = std::mem::take(&mut *decisions.lock().unwrap());
        Replayed { session, decisions }
    }

    pub fn session(&self) -> Session {
        Session::new(self.desk.clone(), self.shared.clone())
    }

    pub fn metric(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        super::metric_value(&self.metrics.encode(), name, labels).unwrap_or(0.0)
    }

    /// Market events strategy `id` handled.
    pub fn events_of(&self, id: &str) -> f64 {
        self.metric("strategy_host_strategy_events_total", &[("strategy", id)])
    }
}

/// What [`Harness::replay`] leaves.
pub struct Replayed {
    pub session: Session,
    /// Every decision, in the order emitted.
    pub decisions: Vec<Decision>,
}

impl Replayed {
    /// Time and reasoning of strategy `id`'s decisions, in order.
    pub fn reasonings_of(&self, id: &str) -> Vec<(i64, &str)> {
        self.decisions
            .iter()
            .filter(|d| d.strategy.as_str() == id)
            .map(|d| (d.time_ms, d.reasoning.as_str()))
            .collect()
    }
}

struct NoRecord;

impl Settled for NoRecord {
    fn settled(&mut self, _desk: &Desk, _event: &MarketEvent) {}
}

pub fn walk(bars: usize) -> Vec<Candle> {
    let config = RandomWalkConfig {
        seed: 7,
        ..RandomWalkConfig::new(Symbol::new("BTC/USD").unwrap(), Timeframe::parse("1m").unwrap())
    };
    RandomWalk::new(config).unwrap().take(bars).collect()
}
