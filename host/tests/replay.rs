//! A replay pulled through `on-events` gives exactly what one `on-event` call per event gives:
//! the same equity at every bar, the same decisions at the same times, the same orders, fills,
//! round trips and books, the same traps and recoveries.

use std::sync::{Arc, Mutex};

use rust_decimal::Decimal;
use strategy_host::metrics::Metrics;
use strategy_host::runtime::{
    lock_desk, CpuBudget, RecoveryPolicy, Runner, Runtime, SandboxLimits, SessionShared, StrategyComponent,
    StrategyContext,
};
use strategy_host::session::{Session, Settled};
use trading::brokers::{FillPrice, SimBroker, SimConfig};
use trading::desk::{Desk, DeskConfig};
use trading::market::{MarketEvent, RandomWalk, RandomWalkConfig, Symbol, Timeframe};
use trading::orders::StrategyId;

use crate::support;

/// How the events reach the strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// `Session::process` per event, then the sample: one `on-event` call each.
    PerEvent,
    /// `Session::replay`: runs of events pulled within `on-events` calls.
    Pulled,
}

/// Everything observable about a run.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// Equity and working orders after each settled bar.
    bars: Vec<(i64, Decimal, usize)>,
    /// Time, action and reasoning of each decision, in order.
    decisions: Vec<(i64, String, String)>,
    books: String,
    /// Fills booked.
    fills: u64,
    events: f64,
    traps: f64,
    health: String,
}

/// The equity of one strategy, and its working orders, at each settled bar.
struct Recorder {
    strategy: StrategyId,
    bars: Vec<(i64, Decimal, usize)>,
}

impl Settled for Recorder {
    fn settled(&mut self, desk: &Desk, event: &MarketEvent) {
        let equity = desk.book(&self.strategy).map(|book| book.equity).unwrap_or_default();
        let working = desk.open_orders(&self.strategy).count();
        self.bars.push((event.time_ms(), equity, working));
    }
}

fn run(crate_name: &str, params: &str, fill_price: FillPrice, bars: usize, delivery: Delivery) -> Outcome {
    run_keeping(crate_name, params, fill_price, bars, delivery, true)
}

fn run_keeping(
    crate_name: &str,
    params: &str,
    fill_price: FillPrice,
    bars: usize,
    delivery: Delivery,
    keep_decisions: bool,
) -> Outcome {
    let runtime = Arc::new(
        Runtime::new(SandboxLimits {
            cpu: CpuBudget::deterministic(),
            ..SandboxLimits::default()
        })
        .unwrap(),
    );
    let broker = SimBroker::new(SimConfig {
        fill_price,
        ..SimConfig::default()
    })
    .unwrap();
    let desk = Arc::new(Mutex::new(
        Desk::new(DeskConfig::default(), Box::new(broker), None).unwrap(),
    ));
    let id = StrategyId::new("replayed");
    lock_desk(&desk).register_strategy(&id, Decimal::from(100_000)).unwrap();
    let shared = SessionShared::default();
    let metrics = Metrics::new();
    let mut ctx = StrategyContext::new(
        id.clone(),
        desk.clone(),
        &shared,
        metrics.strategy(id.as_str(), "paper"),
    );
    if !keep_decisions {
        ctx = ctx.without_decisions();
    }
    let component = Arc::new(StrategyComponent::load_file(&runtime, &support::wasm(crate_name)).unwrap());
    let runner = Runner::start(runtime, component, params.into(), ctx, RecoveryPolicy::deterministic()).unwrap();

    let mut session = Session::new(desk.clone(), shared);
    session.add_runner(runner);
    let decisions = Arc::new(Mutex::new(Vec::new()));
    session.on_decision({
        let decisions = decisions.clone();
        move |d| {
            decisions
                .lock()
                .unwrap()
                .push((d.time_ms, d.action.to_owned(), d.reasoning))
        }
    });
    let mut recorder = Recorder {
        strategy: id.clone(),
        bars: Vec::new(),
    };
    let events = walk(bars);
    match delivery {
        Delivery::PerEvent => {
            for event in events {
                session.process(&event);
                recorder.settled(&lock_desk(&desk), &event);
            }
        }
        Delivery::Pulled => recorder = session.replay(events.into_iter(), recorder),
    }

    let desk = lock_desk(&desk);
    let books = format!(
        "{:?}\n{:?}\n{:?}",
        desk.book(&id),
        desk.counts(&id),
        desk.round_trips(&id)
    );
    let metric = |name, labels: &[(&str, &str)]| support::metric_value(&metrics.encode(), name, labels).unwrap_or(0.0);
    let decisions = decisions.lock().unwrap().clone();
    Outcome {
        bars: recorder.bars,
        decisions,
        books,
        fills: desk.counts(&id).fills,
        events: metric("strategy_host_strategy_events_total", &[("strategy", "replayed")]),
        traps: [
            "deadline",
            "fuel",
            "memory",
            "stack_overflow",
            "unreachable",
            "other",
            "refused",
        ]
        .iter()
        .map(|kind| {
            metric(
                "strategy_host_strategy_traps_total",
                &[("strategy", "replayed"), ("kind", kind)],
            )
        })
        .sum(),
        health: session.runners()[0].health().label().to_owned(),
    }
}

fn walk(bars: usize) -> Vec<MarketEvent> {
    let config = RandomWalkConfig {
        seed: 11,
        ..RandomWalkConfig::new(Symbol::new("BTC/USD").unwrap(), Timeframe::parse("1m").unwrap())
    };
    RandomWalk::new(config)
        .unwrap()
        .take(bars)
        .map(MarketEvent::Candle)
        .collect()
}

/// Runs both ways and returns the one outcome, after checking they are equal.
fn same_both_ways(crate_name: &str, params: &str, fill_price: FillPrice, bars: usize) -> Outcome {
    let per_event = run(crate_name, params, fill_price, bars, Delivery::PerEvent);
    let pulled = run(crate_name, params, fill_price, bars, Delivery::Pulled);
    assert_eq!(per_event.bars.len(), bars);
    assert_eq!(pulled.bars, per_event.bars, "{crate_name} {params}: equity per bar");
    assert_eq!(
        pulled.decisions, per_event.decisions,
        "{crate_name} {params}: decisions"
    );
    assert_eq!(pulled.books, per_event.books, "{crate_name} {params}: books");
    assert_eq!(pulled, per_event, "{crate_name} {params}");
    pulled
}

#[test]
fn sma_cross_trades_the_same_filling_at_the_next_open_or_at_the_close() {
    let params = r#"{"fast": 5, "slow": 20, "size": "0.5"}"#;
    for fill_price in [FillPrice::NextOpen, FillPrice::CurrentClose] {
        let outcome = same_both_ways("sma_cross", params, fill_price, 3_000);
        assert!(outcome.fills > 50, "{fill_price:?}: {} fills", outcome.fills);
        assert!(
            outcome.decisions.len() > 50,
            "{fill_price:?}: {} decisions",
            outcome.decisions.len()
        );
        assert_eq!(outcome.events, 3_000.0);
    }
}

#[test]
fn strategies_told_decisions_are_not_kept_trade_the_same_without_them() {
    for (crate_name, params) in [("sma_cross", r#"{"fast": 5, "slow": 20}"#), ("grid", "{}")] {
        let keeping = run(crate_name, params, FillPrice::NextOpen, 2_000, Delivery::Pulled);
        let dropping = run_keeping(crate_name, params, FillPrice::NextOpen, 2_000, Delivery::Pulled, false);
        assert!(
            keeping.decisions.len() > 20,
            "{crate_name}: {}",
            keeping.decisions.len()
        );
        assert!(dropping.decisions.is_empty(), "{crate_name}: {:?}", dropping.decisions);
        assert_eq!(
            (dropping.bars, dropping.books),
            (keeping.bars, keeping.books),
            "{crate_name}"
        );
    }
}

#[test]
fn grid_trades_the_same_with_limit_orders_always_working() {
    let outcome = same_both_ways("grid", "{}", FillPrice::NextOpen, 3_000);
    assert!(outcome.fills > 20, "{} fills", outcome.fills);
    assert!(
        outcome.bars.iter().all(|&(_, _, working)| working > 0),
        "the grid keeps orders working"
    );
}

#[test]
fn traps_and_recoveries_fall_on_the_same_events() {
    // Panics on every 7th event of an instance; recovers from the snapshot every 1,000 events.
    let outcome = same_both_ways(
        "hostile",
        r#"{"mode": "panic-every", "every": 7}"#,
        FillPrice::NextOpen,
        2_500,
    );
    assert!(outcome.traps > 300.0, "traps: {}", outcome.traps);
    assert_eq!(outcome.health, "running");
}

#[test]
fn an_update_a_strategy_traps_on_is_delivered_again() {
    // Panics on every 3rd order update of an instance (that update must go to the next
    // instance), and records each update it handles as a decision.
    let outcome = same_both_ways(
        "hostile",
        r#"{"mode": "panic-on-update", "every": 3}"#,
        FillPrice::NextOpen,
        3_000,
    );
    assert!(outcome.traps > 5.0, "traps: {}", outcome.traps);
    assert_eq!(outcome.health, "running");
    // Its market orders each fill at once, in one update: every one handled once, in order.
    let handled: Vec<&str> = outcome
        .decisions
        .iter()
        .map(|(_, _, reasoning)| reasoning.as_str())
        .filter(|reasoning| reasoning.starts_with("update "))
        .collect();
    let expected: Vec<String> = (1..=outcome.fills).map(|n| format!("update bt-{n} Filled")).collect();
    assert!(expected.len() > 15, "{} fills", expected.len());
    assert_eq!(handled, expected);
}

#[test]
fn a_spinning_strategy_runs_out_of_fuel_on_each_event_and_is_quarantined() {
    let outcome = same_both_ways("hostile", r#"{"mode": "spin"}"#, FillPrice::NextOpen, 20);
    assert_eq!(outcome.traps, 5.0);
    assert_eq!(outcome.events, 0.0);
    assert_eq!(outcome.health, "quarantined");
}

#[test]
fn a_strategy_that_does_not_pull_still_gets_every_event_once() {
    let outcome = same_both_ways("hostile", r#"{"mode": "skip-pull"}"#, FillPrice::NextOpen, 1_500);
    assert_eq!(outcome.events, 1_500.0);
    assert!(outcome.fills > 10, "{} fills", outcome.fills);
}
