//! Where a backtest's time goes, per bar: the whole session step (with fuel, and with epoch
//! deadlines), the strategy call alone (lowering + wasm + host imports), and the desk alone. Needs the components built
//! (`scripts/build-wasm.sh`); run with `cargo bench -p strategy-host --bench hot_path`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use criterion::{criterion_group, criterion_main, Criterion};
use rust_decimal::Decimal;
use strategy_host::metrics::Metrics;
use strategy_host::runtime::{
    lock_desk, CpuBudget, RecoveryPolicy, Runner, Runtime, SandboxLimits, SessionShared, SharedDesk, StrategyComponent,
    StrategyContext,
};
use strategy_host::session::Session;
use trading::brokers::{SimBroker, SimConfig};
use trading::desk::{Desk, DeskConfig};
use trading::market::{MarketEvent, RandomWalk, RandomWalkConfig, Symbol, Timeframe};
use trading::orders::StrategyId;

const BARS: usize = 100_000;

fn wasm(name: &str) -> PathBuf {
    let dir = std::env::var_os("STRATEGY_HOST_WASM_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let target = std::env::var_os("CARGO_TARGET_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| "../target".into());
            target.join("wasm32-wasip2/wasm")
        });
    dir.join(format!("{name}.wasm"))
}

fn walk() -> Vec<MarketEvent> {
    let config = RandomWalkConfig {
        seed: 42,
        ..RandomWalkConfig::new(Symbol::new("SIM/USD").unwrap(), Timeframe::MINUTE)
    };
    RandomWalk::new(config)
        .unwrap()
        .take(BARS)
        .map(MarketEvent::Candle)
        .collect()
}

fn new_desk() -> SharedDesk {
    let broker = SimBroker::new(SimConfig::default()).unwrap();
    Arc::new(Mutex::new(
        Desk::new(DeskConfig::default(), Box::new(broker), None).unwrap(),
    ))
}

fn runner(desk: &SharedDesk, shared: &SessionShared, budget: CpuBudget) -> Runner {
    start_runner(
        desk,
        shared,
        budget,
        "sma_cross",
        r#"{"fast": 10, "slow": 20, "size": "1"}"#,
    )
}

/// A guest whose `on-event` does nothing: the floor of one call (lowering a candle, entering and
/// leaving wasm, the SDK lifting it).
fn idle_runner(desk: &SharedDesk, shared: &SessionShared) -> Runner {
    let params = r#"{"mode": "idle"}"#;
    start_runner(desk, shared, CpuBudget::deterministic(), "hostile", params)
}

fn start_runner(
    desk: &SharedDesk,
    shared: &SessionShared,
    budget: CpuBudget,
    crate_name: &str,
    params: &str,
) -> Runner {
    let runtime = Arc::new(
        Runtime::new(SandboxLimits {
            cpu: budget,
            ..SandboxLimits::default()
        })
        .unwrap(),
    );
    let component = StrategyComponent::load_file(&runtime, &wasm(crate_name)).expect("build the components first");
    let id = StrategyId::new("sma-cross");
    lock_desk(desk)
        .register_strategy(&id, Decimal::from(1_000_000_000))
        .unwrap();
    let ctx = StrategyContext::new(
        id.clone(),
        desk.clone(),
        shared,
        Metrics::new().strategy("sma-cross", "bench"),
    );
    let mut runner = Runner::start(
        runtime,
        Arc::new(component),
        params.to_owned(),
        ctx,
        RecoveryPolicy::deterministic(),
    )
    .unwrap();
    runner.set_time_calls(false);
    runner
}

/// Cycles through the walk so every iteration sees a fresh bar.
struct Tape {
    events: Vec<MarketEvent>,
    next: usize,
}

impl Tape {
    fn next(&mut self) -> &MarketEvent {
        let event = &self.events[self.next % self.events.len()];
        self.next += 1;
        event
    }
}

fn hot_path(c: &mut Criterion) {
    let events = walk();
    let mut group = c.benchmark_group("per_bar");

    for (name, budget) in [("fuel", CpuBudget::deterministic()), ("epoch", CpuBudget::default())] {
        let desk = new_desk();
        let shared = SessionShared::default();
        let mut session = Session::new(desk.clone(), shared.clone());
        session.add_runner(runner(&desk, &shared, budget));
        let mut tape = Tape {
            events: events.clone(),
            next: 0,
        };
        group.bench_function(format!("session_process_sma_cross_{name}"), |b| {
            b.iter(|| session.process(tape.next()))
        });
    }

    let desk = new_desk();
    let shared = SessionShared::default();
    let mut runner = runner(&desk, &shared, CpuBudget::deterministic());
    let mut tape = Tape {
        events: events.clone(),
        next: 0,
    };
    group.bench_function("runner_on_event_sma_cross", |b| {
        b.iter(|| runner.on_market_event(tape.next(), 0))
    });

    let desk = new_desk();
    let shared = SessionShared::default();
    let mut runner = idle_runner(&desk, &shared);
    let mut tape = Tape {
        events: events.clone(),
        next: 0,
    };
    group.bench_function("runner_on_event_idle_guest", |b| {
        b.iter(|| runner.on_market_event(tape.next(), 0))
    });

    let desk = new_desk();
    let mut tape = Tape {
        events: events.clone(),
        next: 0,
    };
    group.bench_function("desk_on_market_event", |b| {
        b.iter(|| lock_desk(&desk).on_market_event(tape.next()))
    });

    group.finish();
}

criterion_group!(benches, hot_path);
criterion_main!(benches);
