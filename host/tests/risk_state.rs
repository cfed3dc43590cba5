//! A loss limit's halt across a restart of the real binary: sma-cross crosses a drawdown
//! limit on the sample, the host is stopped, and the host started again on the same book of
//! record keeps it halted with the numbers of the crossing, refusing its orders by name.

use std::path::Path;
use std::time::Duration;

use crate::support::{self, metric_value, terminate, write_file, RunningHost};

/// The sma-cross scope in `/status`'s `risk`.
fn sma_cross_risk(status: &serde_json::Value) -> serde_json::Value {
    status["risk"]["scopes"]
        .as_array()
        .and_then(|all| {
            all.iter()
                .find(|s| s["scope"] == "strategy" && s["name"] == "sma-cross")
        })
        .cloned()
        .unwrap_or_else(|| panic!("no sma-cross in /status risk: {}", status["risk"]))
}

/// Replays the whole sample, then stops the host; returns the last `/status` and the count of
/// orders refused by `max_drawdown`.
fn replay(dir: &Path, config: &Path) -> (serde_json::Value, f64) {
    let mut host = RunningHost::start(dir, config, 500, "warn", &[]);
    let status = host.wait_for_replay(Duration::from_secs(120));
    let refused = metric_value(
        &host.metrics(),
        "strategy_host_risk_rejections_total",
        &[("strategy", "sma-cross"), ("check", "max_drawdown")],
    )
    .unwrap_or_default();
    let gauge = metric_value(
        &host.metrics(),
        "strategy_host_risk_state",
        &[("scope", "strategy"), ("name", "sma-cross")],
    );
    assert_eq!(gauge, Some(2.0), "halted is 2");
    assert!(terminate(&mut host, Duration::from_secs(30)).success());
    (status, refused)
}

#[test]
fn a_drawdown_halt_is_kept_in_the_book_of_record_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("sma_cross"), strategies.join("sma-cross.wasm")).unwrap();
    // A drawdown of a cent: the fee of sma-cross's first buy crosses it.
    let config = write_file(
        dir.path(),
        "host.toml",
        "[sandbox]\ncall_deadline_ms = 2000\n[risk]\nmax_drawdown = 0.01\n",
    );

    let (first, _) = replay(dir.path(), &config);
    let halted = sma_cross_risk(&first);
    assert_eq!(halted["state"], "halted", "{halted}");
    assert_eq!(halted["breach"]["limit_kind"], "max_drawdown", "{halted}");
    assert_eq!(halted["breach"]["limit"], "0.01", "{halted}");
    assert!(
        first["risk"]["state_changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["scope"] == "strategy" && c["state"] == "halted" && c["count"] == 1),
        "{}",
        first["risk"]
    );

    // The same book on the next start: still halted, from the same crossing, and the orders
    // sma-cross places on the second replay are refused by the drawdown limit.
    let (second, refused) = replay(dir.path(), &config);
    let kept = sma_cross_risk(&second);
    assert_eq!(kept["state"], "halted", "{kept}");
    assert_eq!(kept["breach"], halted["breach"], "the breach is the first run's");
    assert!(refused > 0.0, "no order refused by max_drawdown after the restart");
}
