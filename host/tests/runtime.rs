//! The runtime against real components: a strategy trades through the desk; a trapping one is
//! counted, recovered from its snapshot, and quarantined when it keeps failing; CPU budgets cut
//! off a spinning guest.

use strategy_host::runtime::{lock_desk, CpuBudget, Health, Runtime, SandboxLimits, StrategyComponent};
use trading::orders::StrategyId;

use crate::support::{self, Harness};

#[test]
fn sma_cross_trades_through_the_desk() {
    let h = Harness::new(CpuBudget::deterministic());
    let session = h.run(
        &[("sma_cross", "sma-cross", r#"{"fast": 5, "slow": 20, "size": "0.5"}"#)],
        2_000,
    );
    assert_eq!(
        h.metric("strategy_host_strategy_events_total", &[("strategy", "sma-cross")]),
        2_000.0
    );
    let counts = lock_desk(&h.desk).counts(&StrategyId::new("sma-cross"));
    assert!(counts.placed > 20 && counts.fills > 20, "{counts:?}");
    assert!(matches!(session.runners()[0].health(), Health::Running));
}

#[test]
fn a_trapping_strategy_is_counted_recovered_and_its_neighbour_trades_on() {
    let h = Harness::new(CpuBudget::deterministic());
    let session = h.run(
        &[
            ("hostile", "faulty", r#"{"mode": "panic-every", "every": 10}"#),
            ("sma_cross", "sma-cross", r#"{"fast": 5, "slow": 20, "size": "0.5"}"#),
        ],
        500,
    );
    let traps = h.metric(
        "strategy_host_strategy_traps_total",
        &[("strategy", "faulty"), ("kind", "unreachable")],
    );
    assert!(traps >= 40.0, "traps: {traps}");
    // Every 10th event traps; the other nine of each ten are handled by a fresh instance.
    let handled = h.metric("strategy_host_strategy_events_total", &[("strategy", "faulty")]);
    assert!(handled >= 400.0, "handled: {handled}");
    assert!(!matches!(session.runners()[0].health(), Health::Quarantined { .. }));
    assert_eq!(
        h.metric("strategy_host_strategy_events_total", &[("strategy", "sma-cross")]),
        500.0
    );
}

#[test]
fn a_strategy_that_keeps_failing_is_quarantined() {
    let h = Harness::new(CpuBudget::deterministic());
    let session = h.run(&[("hostile", "faulty", r#"{"mode": "panic-every", "every": 1}"#)], 50);
    let health = session.runners()[0].health().clone();
    assert!(matches!(health, Health::Quarantined { .. }), "{health:?}");
    // Five consecutive traps, then no more calls.
    assert_eq!(
        h.metric(
            "strategy_host_strategy_traps_total",
            &[("strategy", "faulty"), ("kind", "unreachable")]
        ),
        5.0
    );
}

#[test]
fn a_strategy_that_traps_in_init_does_not_start() {
    let h = Harness::new(CpuBudget::deterministic());
    let Err(error) = h.start("hostile", "broken", r#"{"mode": "panic-init"}"#) else {
        panic!("panic-init started")
    };
    assert!(error.contains("init") && error.contains("unreachable"), "{error}");
}

#[test]
fn a_spinning_strategy_runs_out_of_fuel_and_of_time() {
    for (cpu, kind) in [
        (CpuBudget::deterministic(), "fuel"),
        (
            CpuBudget::Deadline {
                call_ms: 5,
                init_ms: 1_000,
            },
            "deadline",
        ),
    ] {
        let h = Harness::new(cpu);
        h.run(&[("hostile", "spinner", r#"{"mode": "spin"}"#)], 2);
        assert_eq!(
            h.metric(
                "strategy_host_strategy_traps_total",
                &[("strategy", "spinner"), ("kind", kind)]
            ),
            2.0,
            "{kind}"
        );
    }
}

#[test]
fn a_flooding_strategy_is_rate_limited_and_keeps_running() {
    let h = Harness::new(CpuBudget::deterministic());
    let session = h.run(&[("hostile", "flood", r#"{"mode": "log-flood"}"#)], 5);
    let runner = &session.runners()[0];
    assert!(matches!(runner.health(), Health::Running), "{:?}", runner.health());
    assert_eq!(
        h.metric("strategy_host_strategy_events_total", &[("strategy", "flood")]),
        5.0
    );
    // 2,000 lines per event to each of `log`, stdout and stderr: 30,000 lines, of which the
    // budget (a burst of 200, then 50 a second) lets a few hundred through.
    assert!(
        runner.context().log.dropped_total() > 20_000,
        "dropped: {}",
        runner.context().log.dropped_total()
    );
}

#[test]
fn compiled_components_are_cached_on_disk_and_a_corrupt_entry_is_recompiled() {
    let cache = tempfile::tempdir().unwrap();
    let load = || {
        let runtime = Runtime::new(SandboxLimits::default())
            .unwrap()
            .with_component_cache(cache.path().to_owned());
        StrategyComponent::load_file(&runtime, &support::wasm("sma_cross"))
            .unwrap()
            .from_cache()
    };
    assert!(!load(), "the first load compiles");
    assert!(load(), "the second load comes from the cache");

    // Flip one byte of the compiled code: the digest no longer matches, so it is compiled again
    // (and the entry rewritten), never run.
    let entry = std::fs::read_dir(cache.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "cwasm"))
        .unwrap();
    let mut bytes = std::fs::read(&entry).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(&entry, bytes).unwrap();
    assert!(!load(), "a corrupt entry is not used");
    assert!(load(), "the rewritten entry is used");

    // A deterministic (fuel) engine compiles different code: its own entry.
    let runtime = Runtime::new(SandboxLimits {
        cpu: CpuBudget::deterministic(),
        ..SandboxLimits::default()
    })
    .unwrap()
    .with_component_cache(cache.path().to_owned());
    assert!(!StrategyComponent::load_file(&runtime, &support::wasm("sma_cross"))
        .unwrap()
        .from_cache());
}
