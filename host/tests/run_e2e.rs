//! `strategy-host run` end to end: the real binary paper-trades the built-in sample with real
//! components (and some broken ones) in a temp folder, and the test reads its HTTP surface.

use std::time::Duration;

use crate::support::{self, http_get, metric_value, wait_until, write_file, RunningHost};

/// Every metric name of DESIGN.md §8: a scrape must show each of them.
const DESIGN_METRICS: [&str; 14] = [
    "strategy_host_build_info",
    "strategy_host_strategy_info",
    "strategy_host_strategies",
    "strategy_host_strategy_events_total",
    "strategy_host_strategy_call_duration_seconds",
    "strategy_host_strategy_traps_total",
    "strategy_host_strategy_reloads_total",
    "strategy_host_orders_total",
    "strategy_host_risk_rejections_total",
    "strategy_host_broker_connected",
    "strategy_host_broker_reconnects_total",
    "strategy_host_market_data_age_seconds",
    "strategy_host_position",
    "strategy_host_pnl",
];

/// Bars in the built-in sample (data/Bitcoin.csv).
const SAMPLE_BARS: f64 = 1246.0;

#[test]
fn paper_run_trades_the_sample_and_serves_metrics_health_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("sma_cross"), strategies.join("sma-cross.wasm")).unwrap();
    std::fs::copy(support::wasm("grid"), strategies.join("grid.wasm")).unwrap();
    std::fs::copy(support::wasm("hostile"), strategies.join("faulty.wasm")).unwrap();
    std::fs::copy(support::wasm("hostile"), strategies.join("broken.wasm")).unwrap();
    std::fs::write(strategies.join("garbage.wasm"), b"this is not a component").unwrap();
    let config = write_file(
        dir.path(),
        "host.toml",
        r#"
# Generous deadlines: the test machine may be busy, and a deadline trap would drop an event
# this test counts. Deadlines themselves are tested in runtime.rs.
[sandbox]
call_deadline_ms = 2000

[strategies.faulty]
params = { mode = "panic-every", every = 50 }

[strategies.broken]
params = { mode = "panic-init" }
"#,
    );
    let mut host = RunningHost::start(dir.path(), &config, 500, "warn", &[]);
    let addr = host.addr.clone();

    // The replay of 1,246 bars at 500 bars/s takes under 3 s.
    let status = host.wait_for_replay(Duration::from_secs(60));

    let (code, _) = http_get(&addr, "/health").expect("/health answers");
    assert_eq!(code, 200);

    let metrics = host.metrics();
    for name in DESIGN_METRICS {
        assert!(
            metrics.contains(&format!("\n{name}")),
            "metric {name} missing from /metrics:\n{metrics}"
        );
    }
    // sma-cross subscribes to every bar: it handled each of them exactly once.
    let events = metric_value(
        &metrics,
        "strategy_host_strategy_events_total",
        &[("strategy", "sma-cross")],
    );
    assert_eq!(events, Some(SAMPLE_BARS));
    let filled = metric_value(
        &metrics,
        "strategy_host_orders_total",
        &[("strategy", "sma-cross"), ("outcome", "filled")],
    );
    assert!(filled.unwrap_or(0.0) > 0.0, "sma-cross filled no order:\n{metrics}");
    let grid_orders = metric_value(
        &metrics,
        "strategy_host_orders_total",
        &[("strategy", "grid"), ("outcome", "submitted")],
    );
    assert!(grid_orders.unwrap_or(0.0) > 0.0, "grid placed no order");
    assert_eq!(
        metric_value(&metrics, "strategy_host_broker_connected", &[("broker", "paper")]),
        Some(1.0)
    );

    // The faulty strategy trapped, was counted, recovered, and kept handling events.
    let traps = metric_value(
        &metrics,
        "strategy_host_strategy_traps_total",
        &[("strategy", "faulty"), ("kind", "unreachable")],
    );
    assert!(traps.unwrap_or(0.0) >= 1.0, "no trap counted for faulty:\n{metrics}");
    let faulty_events = metric_value(
        &metrics,
        "strategy_host_strategy_events_total",
        &[("strategy", "faulty")],
    );
    assert!(
        faulty_events.unwrap_or(0.0) > 100.0,
        "faulty stopped handling events: {faulty_events:?}"
    );

    // /status: the loaded strategies with their hash, and why the others were not loaded.
    let loaded: Vec<&str> = status["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap())
        .collect();
    assert_eq!(loaded.len(), 3, "{status:#}");
    let sma = status["strategies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "sma-cross")
        .expect("sma-cross in /status");
    let bytes = std::fs::read(strategies.join("sma-cross.wasm")).unwrap();
    use sha2::Digest;
    assert_eq!(sma["hash"], hex::encode(sha2::Sha256::digest(&bytes)));
    assert_eq!(sma["state"], "running");
    let failures = status["load_failures"].as_array().unwrap();
    let failure_for = |file: &str| {
        failures
            .iter()
            .find(|f| f["file"].as_str().unwrap().ends_with(file))
            .map(|f| f["error"].as_str().unwrap().to_owned())
    };
    assert!(
        failure_for("garbage.wasm").unwrap().contains("not a WebAssembly file"),
        "{status:#}"
    );
    assert!(failure_for("broken.wasm").unwrap().contains("init"), "{status:#}");
    let init_traps = metric_value(
        &metrics,
        "strategy_host_strategy_traps_total",
        &[("strategy", "broken"), ("kind", "unreachable")],
    );
    assert_eq!(init_traps, Some(1.0), "the trap in init was not counted");
    let books = status["books"].as_array().unwrap();
    assert!(
        books
            .iter()
            .any(|b| b["strategy"] == "sma-cross" && b["fills"].as_u64().unwrap() > 0),
        "{status:#}"
    );

    // The book of record is a real SQLite file with the orders in it.
    let db = rusqlite::Connection::open(dir.path().join("book.db")).unwrap();
    let orders: i64 = db
        .query_row("SELECT count(*) FROM orders WHERE strategy = 'sma-cross'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(orders > 0);

    // SIGTERM stops it gracefully.
    let pid = host.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = wait_until("the host to exit", Duration::from_secs(20), || {
        host.child.try_wait().ok().flatten()
    });
    assert!(exit.success(), "exit status {exit:?}");
    // Guests panicked (their messages are in the log); the host itself did not.
    let log = host.log();
    assert!(log.iter().any(|l| l.contains("strategy failed")), "no fault logged");
    assert!(
        !log.iter().any(|l| l.starts_with("thread '")),
        "the host panicked:\n{}",
        log.join("\n")
    );
}

#[test]
fn sigterm_stops_a_slow_replay_at_once_not_at_the_next_bar() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    // One bar a minute: the session thread spends its time waiting for the next bar.
    let mut child = support::bin()
        .args(["run", "--listen", "127.0.0.1:0", "--bars-per-second", "0.0166"])
        .arg("--strategies-dir")
        .arg(dir.path().join("strategies"))
        .arg("--db")
        .arg(dir.path().join("book.db"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start strategy-host run");
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let addr = first_line.trim().trim_start_matches("listening on http://").to_owned();
    wait_until("the first bar", Duration::from_secs(30), || {
        let (_, body) = http_get(&addr, "/status")?;
        body.contains("\"bars_replayed\":1").then_some(())
    });
    let started = std::time::Instant::now();
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let exit = wait_until("the host to exit", Duration::from_secs(20), || {
        child.try_wait().ok().flatten()
    });
    assert!(exit.success(), "{exit:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "SIGTERM took {:?}: the replay waited for its next bar",
        started.elapsed()
    );
}
