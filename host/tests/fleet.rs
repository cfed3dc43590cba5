//! The fleet in process: a swap hands a strategy's working orders to the new version, whose
//! instance is the one that hears of their fills.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rust_decimal::Decimal;
use strategy_host::fleet::{DecisionSink, Fleet};
use strategy_host::metrics::Metrics;
use strategy_host::runtime::{
    lock_desk, ContentHash, PreparedVersion, RecoveryPolicy, Runner, Runtime, SandboxLimits, SessionShared,
    StrategyComponent, StrategyContext,
};
use trading::brokers::{SimBroker, SimConfig};
use trading::desk::{Desk, DeskConfig};
use trading::market::{MarketEvent, RandomWalk, RandomWalkConfig, Symbol, Timeframe};
use trading::orders::{OrderId, OrderStatus, StrategyId};

use crate::support::{self, wait_until, with_custom_section};

/// Every decision with the hash of the version that made it.
type Seen = Arc<Mutex<Vec<(String, ContentHash)>>>;

#[test]
fn after_a_swap_the_new_version_hears_of_the_old_versions_orders() {
    let runtime = Arc::new(Runtime::new(SandboxLimits::default()).unwrap());
    let broker = SimBroker::new(SimConfig::default()).unwrap();
    let desk = Arc::new(Mutex::new(
        Desk::new(DeskConfig::default(), Box::new(broker), None).unwrap(),
    ));
    let seen: Seen = Arc::default();
    let sink: DecisionSink = {
        let seen = seen.clone();
        Arc::new(move |decision, hash| seen.lock().unwrap().push((decision.reasoning.clone(), *hash)))
    };
    let fleet = Fleet::new(desk.clone(), SessionShared::default(), 1_024, sink);
    let metrics = Metrics::new();
    let grid = StrategyId::new("grid");
    lock_desk(&desk)
        .register_strategy(&grid, Decimal::from(1_000_000))
        .unwrap();
    let version = |bytes: &[u8]| {
        let path = support::wasm("grid");
        let component = Arc::new(StrategyComponent::load_bytes(&runtime, &path, bytes).unwrap());
        let ctx = StrategyContext::new(
            grid.clone(),
            desk.clone(),
            fleet.shared(),
            metrics.strategy("grid", "paper"),
        );
        let params = r#"{"levels": 3, "spacing_pct": "0.2", "size": "0.01"}"#.to_owned();
        PreparedVersion::prepare(&runtime, component, params, ctx).unwrap()
    };
    let v1 = std::fs::read(support::wasm("grid")).unwrap();
    let v2 = with_custom_section(&v1, "test-version", b"2");
    fleet
        .start(Runner::from_prepared(
            runtime.clone(),
            version(&v1),
            RecoveryPolicy::live(),
        ))
        .unwrap();

    let walk = RandomWalkConfig {
        seed: 11,
        ..RandomWalkConfig::new(Symbol::new("BTC/USD").unwrap(), Timeframe::MINUTE)
    };
    let mut bars = RandomWalk::new(walk).unwrap().map(MarketEvent::Candle);
    let mut deliver = |n: usize| {
        for bar in bars.by_ref().take(n) {
            fleet.deliver(&bar);
        }
        wait_until("the strategy to catch up", Duration::from_secs(30), || {
            fleet.is_idle().then_some(())
        });
    };
    deliver(5);
    let placed_by_v1: Vec<OrderId> = lock_desk(&desk).open_orders(&grid).map(|o| o.id().clone()).collect();
    assert!(!placed_by_v1.is_empty(), "grid placed no order");

    fleet.swap(&grid, version(&v2)).unwrap();
    seen.lock().unwrap().clear();
    // Replay until one of v1's orders has filled.
    let filled = |desk: &Desk| {
        placed_by_v1
            .iter()
            .any(|id| desk.order(id).is_some_and(|o| o.status() == OrderStatus::Filled))
    };
    for _ in 0..200 {
        if filled(&lock_desk(&desk)) {
            break;
        }
        deliver(5);
    }
    assert!(filled(&lock_desk(&desk)), "none of v1's orders filled");

    // Grid answers a fill by re-arming, with a decision: made by v2, since v1 is gone.
    let v2_hash = ContentHash::of(&v2);
    let seen = seen.lock().unwrap();
    let rearms: Vec<&(String, ContentHash)> = seen
        .iter()
        .filter(|(reasoning, _)| reasoning.contains(" traded: "))
        .collect();
    assert!(!rearms.is_empty(), "no decision on a fill: {seen:?}");
    assert!(rearms.iter().all(|(_, hash)| *hash == v2_hash), "{rearms:?}");
}
