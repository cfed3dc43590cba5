//! A strategy's state across restarts of the real binary: kept in the book of record when the
//! host stops (and every `snapshot_every_s` while it runs), restored when it starts again; a
//! version that refuses the kept state starts fresh and the log says so.
//!
//! The `counter` guest's whole state is its count of events, and every decision it makes
//! carries the count (`seq=N`), so the count after a restart tells what was restored.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use crate::support::{self, metric_value, terminate, wait_until, RunningHost};

/// Bars in the replayed file: each is one event for the counter.
const BARS: u64 = 20;

/// The counter on the first `BARS` bars of the sample, keeping snapshots every `every_s`
/// seconds (0: only as the host stops).
fn setup(dir: &Path, every_s: u64) -> std::path::PathBuf {
    support::counter_on_sample_bars(dir, BARS as usize, &format!("snapshot_every_s = {every_s}"))
}

/// The count in the counter's last decision.
fn last_seq(status: &serde_json::Value) -> u64 {
    let counter = status["strategies"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["strategy"] == "counter"))
        .unwrap_or_else(|| panic!("no counter in /status: {status}"));
    let reasoning = counter["last_decision"]["reasoning"].as_str().unwrap_or_default();
    reasoning
        .split_whitespace()
        .find_map(|word| word.strip_prefix("seq="))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no seq in the counter's last decision: {counter}"))
}

/// Runs the whole replay, checks the count it ends with, and stops the host with SIGTERM.
fn replay_to_the_end(dir: &Path, config: &Path) -> (u64, Vec<String>) {
    let mut host = RunningHost::start(dir, config, 400, "info", &[]);
    let status = host.wait_for_replay(Duration::from_secs(120));
    let seq = last_seq(&status);
    assert!(terminate(&mut host, Duration::from_secs(30)).success());
    (seq, host.log())
}

#[test]
fn a_strategy_continues_from_the_state_it_stopped_with_and_starts_fresh_when_its_version_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path(), 0);

    let (first, _) = replay_to_the_end(dir.path(), &config);
    assert_eq!(first, BARS);
    let (second, log) = replay_to_the_end(dir.path(), &config);
    assert_eq!(second, 2 * BARS, "the count went on from the kept snapshot");
    assert!(
        log.iter()
            .any(|line| line.contains("strategy restored from its kept snapshot")),
        "{log:#?}"
    );

    // A state the counter cannot read: it starts fresh, and says so.
    let db = dir.path().join("book.db");
    Connection::open(&db)
        .unwrap()
        .execute("UPDATE strategy_snapshots SET state = x'00ff'", [])
        .unwrap();
    let (fresh, log) = replay_to_the_end(dir.path(), &config);
    assert_eq!(fresh, BARS, "a refused snapshot is not half restored");
    assert!(
        log.iter()
            .any(|line| line.contains("refused its kept snapshot: it starts fresh")),
        "{log:#?}"
    );
}

#[test]
fn a_host_killed_without_stopping_restarts_from_the_last_periodic_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let config = setup(dir.path(), 1);

    // Slow enough that the replay lasts past a snapshot period; killed before it ends.
    let mut host = RunningHost::start(dir.path(), &config, 8, "warn", &[]);
    wait_until("the counter to handle 12 bars", Duration::from_secs(60), || {
        metric_value(
            &host.metrics(),
            "strategy_host_strategy_events_total",
            &[("strategy", "counter")],
        )
        .filter(|n| *n >= 12.0)
    });
    host.child.kill().unwrap();
    host.child.wait().unwrap();

    let (after, _) = replay_to_the_end(dir.path(), &config);
    assert!(
        after > BARS && after <= BARS + 12,
        "a snapshot of at most the 12 events before the kill was restored: the count is {after}"
    );
}
