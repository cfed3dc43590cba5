//! Hot reload end to end: the real binary replays bars while the test drops new versions,
//! broken files, new params and deletions into its strategies folder.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::Digest;

use crate::support::{self, bad_components, metric_value, wait_until, with_custom_section, write_file, RunningHost};

/// Bars in the built-in sample (data/Bitcoin.csv).
const SAMPLE_BARS: u64 = 1246;
/// Generous: a busy machine compiles slowly, and nothing here measures speed.
const PATIENCE: Duration = Duration::from_secs(60);
/// Decisions and reload outcomes are logged at info; `unchanged` at debug.
const LOG: &str = "warn,strategy_host::session::paper=info,strategy_host::decisions=info,strategy_host::fleet=debug";

/// A temp folder with `strategies/` and a config with generous deadlines (a deadline trap would
/// skip an event these tests count; deadlines are tested elsewhere).
fn workspace() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    let config = write_file(dir.path(), "host.toml", "[sandbox]\ncall_deadline_ms = 2000\n");
    (dir, strategies, config)
}

/// Puts `bytes` into the folder as `name` the way a deploy should: written under a temp name
/// the host ignores, then renamed over the old file in one step.
fn deploy(strategies: &Path, name: &str, bytes: &[u8]) {
    let temp = strategies.join(format!(".{name}.part"));
    std::fs::write(&temp, bytes).unwrap();
    std::fs::rename(&temp, strategies.join(name)).unwrap();
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(bytes))
}

/// The entry of `strategy` in the `/status` list `list` (`strategies` or `books`).
fn status_entry(host: &RunningHost, list: &str, strategy: &str) -> Option<serde_json::Value> {
    let status = host.status()?;
    status[list]
        .as_array()?
        .iter()
        .find(|s| s["strategy"] == strategy)
        .cloned()
}

fn strategy_status(host: &RunningHost, strategy: &str) -> Option<serde_json::Value> {
    status_entry(host, "strategies", strategy)
}

fn book(host: &RunningHost, strategy: &str) -> Option<serde_json::Value> {
    status_entry(host, "books", strategy)
}

fn metric(host: &RunningHost, name: &str, labels: &[(&str, &str)]) -> f64 {
    metric_value(&host.metrics(), name, labels).unwrap_or(0.0)
}

fn events(host: &RunningHost, strategy: &str) -> f64 {
    metric(host, "strategy_host_strategy_events_total", &[("strategy", strategy)])
}

fn reloads(host: &RunningHost, strategy: &str, result: &str) -> f64 {
    metric(
        host,
        "strategy_host_strategy_reloads_total",
        &[("strategy", strategy), ("result", result)],
    )
}

/// One event as the counter guest reported it: its count, the `label` param of the instance
/// that handled it, and the hash of the version that instance ran.
#[derive(Debug)]
struct Handled {
    seq: u64,
    label: String,
    hash: String,
}

/// The counter's decisions, from the host's log, in order.
fn handled_by(log: &[String], strategy: &str) -> Vec<Handled> {
    let field = |line: &str, key: &str| -> Option<String> {
        let start = line.find(key)? + key.len();
        Some(line[start..].split_whitespace().next()?.trim_matches('"').to_owned())
    };
    log.iter()
        .filter(|line| line.contains("decision: seq=") && field(line, " strategy=").as_deref() == Some(strategy))
        .map(|line| Handled {
            seq: field(line, "seq=").and_then(|s| s.parse().ok()).expect("a seq number"),
            label: field(line, "label=").expect("a label"),
            hash: field(line, " hash=").expect("a hash"),
        })
        .collect()
}

#[test]
fn swaps_during_a_replay_hand_every_event_to_exactly_one_version() {
    let (dir, strategies, config) = workspace();
    let v1 = std::fs::read(support::wasm("counter")).unwrap();
    let v2 = with_custom_section(&v1, "test-version", b"2");
    let v4 = with_custom_section(&v1, "test-version", b"4");
    deploy(&strategies, "counter.wasm", &v1);
    // 1,246 bars at 150 a second: eight seconds of replay to swap in.
    let host = RunningHost::start(dir.path(), &config, 150, LOG, &[]);

    let swap_when = |seen: f64, what: &str, swap: &dyn Fn()| {
        wait_until(&format!("{seen} events before {what}"), PATIENCE, || {
            (events(&host, "counter") >= seen).then_some(())
        });
        swap();
    };
    let wait_for_hash = |bytes: &[u8]| {
        let hash = sha256(bytes);
        wait_until("the new version to run", PATIENCE, || {
            strategy_status(&host, "counter").filter(|s| s["hash"] == hash.as_str())
        })
    };
    // 1: new bytes.
    swap_when(100.0, "the first swap", &|| deploy(&strategies, "counter.wasm", &v2));
    wait_for_hash(&v2);
    // 2: new params for the running code.
    let after_first = events(&host, "counter");
    swap_when(after_first + 50.0, "the params change", &|| {
        write_file(&strategies, "counter.toml", "[params]\nlabel = \"v3\"\n");
    });
    wait_until("the new params to run", PATIENCE, || {
        (reloads(&host, "counter", "ok") >= 2.0).then_some(())
    });
    // 3: new bytes again, keeping the new params.
    let after_second = events(&host, "counter");
    swap_when(after_second + 50.0, "the third swap", &|| {
        deploy(&strategies, "counter.wasm", &v4)
    });
    let status = wait_for_hash(&v4);
    assert_eq!(status["last_reload"]["result"], "ok", "{status:#}");

    host.wait_for_replay(PATIENCE);
    assert_eq!(events(&host, "counter"), SAMPLE_BARS as f64);
    assert_eq!(reloads(&host, "counter", "ok"), 3.0);
    assert_eq!(reloads(&host, "counter", "failed"), 0.0);

    let handled = handled_by(&host.log(), "counter");
    let seqs: Vec<u64> = handled.iter().map(|h| h.seq).collect();
    assert_eq!(
        seqs,
        (1..=SAMPLE_BARS).collect::<Vec<_>>(),
        "every event exactly once, in order"
    );
    // Who handled them: v1, then v2, then v2's code with label v3, then v4 with label v3,
    // each a contiguous run that took at least one event.
    let short = |bytes: &[u8]| sha256(bytes)[..12].to_owned();
    let mut runs: Vec<(String, String)> = Vec::new();
    for h in &handled {
        let who = (h.hash.clone(), h.label.clone());
        if runs.last() != Some(&who) {
            runs.push(who);
        }
    }
    let expected = [
        (short(&v1), "v1"),
        (short(&v2), "v1"),
        (short(&v2), "v3"),
        (short(&v4), "v3"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(h, l)| (h.clone(), (*l).to_owned())).collect();
    assert_eq!(runs, expected, "versions out of order");
}

#[test]
fn a_failed_reload_keeps_the_running_version_trading() {
    let (dir, strategies, config) = workspace();
    let good = std::fs::read(support::wasm("counter")).unwrap();
    deploy(&strategies, "counter.wasm", &good);
    let host = RunningHost::start(dir.path(), &config, 100, LOG, &[]);
    wait_until("the counter to start", PATIENCE, || {
        (events(&host, "counter") > 0.0).then_some(())
    });

    // The same bytes again: nothing happens.
    deploy(&strategies, "counter.wasm", &good);
    wait_until("the unchanged file to be noticed", PATIENCE, || {
        host.log()
            .iter()
            .any(|l| l.contains("unchanged") && l.contains("counter"))
            .then_some(())
    });

    // Each bad version: refused with its reason; the good one runs on.
    let mut cases: Vec<(String, Vec<u8>, &str)> = bad_components()
        .into_iter()
        .map(|(name, bytes, reason)| (name.to_owned(), bytes, reason))
        .collect();
    // A real strategy, but one that cannot take the counter's state: its restore fails.
    cases.push((
        "a version whose restore fails".into(),
        std::fs::read(support::wasm("hostile")).unwrap(),
        "restore",
    ));
    for (failures, (case, bytes, reason)) in cases.iter().enumerate() {
        let before = events(&host, "counter");
        deploy(&strategies, "counter.wasm", bytes);
        let failures = failures as f64 + 1.0;
        // `/status` is refreshed a few times a second: wait for it to tell of this case.
        let status = wait_until(&format!("{case} to be refused"), PATIENCE, || {
            strategy_status(&host, "counter").filter(|status| status["last_reload"]["hash"] == sha256(bytes).as_str())
        });
        let error = status["last_reload"]["error"].as_str().unwrap_or_default();
        assert!(
            error.contains(reason) && error.contains("counter.wasm"),
            "{case}: expected the file and {reason:?} in {error:?}"
        );
        assert_eq!(status["last_reload"]["result"], "failed", "{case}: {status:#}");
        assert_eq!(status["hash"], sha256(&good).as_str(), "{case}: {status:#}");
        assert_eq!(status["state"], "running", "{case}: {status:#}");
        assert_eq!(
            reloads(&host, "counter", "failed"),
            failures,
            "{case}: one failure, counted once"
        );
        wait_until(&format!("the counter to trade on after {case}"), PATIENCE, || {
            (events(&host, "counter") > before).then_some(())
        });
    }
    // Params that do not fit the manifest (`label` is text): the host refuses them before
    // `init`, and the version with the old params runs on.
    deploy(&strategies, "counter.wasm", &good);
    let before = events(&host, "counter");
    write_file(&strategies, "counter.toml", "[params]\nlabel = 5\n");
    let status = wait_until("the bad params to be refused", PATIENCE, || {
        strategy_status(&host, "counter").filter(|status| {
            let error = status["last_reload"]["error"].as_str().unwrap_or_default();
            error.contains("params check failed") && error.contains("param `label`: expected a string, got 5")
        })
    });
    assert_eq!(status["state"], "running", "{status:#}");
    assert_eq!(reloads(&host, "counter", "failed"), cases.len() as f64 + 1.0);
    wait_until("the counter to trade on after refused params", PATIENCE, || {
        (events(&host, "counter") > before).then_some(())
    });

    assert_eq!(reloads(&host, "counter", "ok"), 0.0);
    let handled = handled_by(&host.log(), "counter");
    assert!(
        handled.iter().all(|h| h.label == "v1"),
        "another params version handled events"
    );
    assert!(
        handled.iter().all(|h| h.hash == sha256(&good)[..12]),
        "another version handled events"
    );
}

#[test]
fn deleting_a_strategy_applies_its_on_delete_setting() {
    let (dir, strategies, config) = workspace();
    let grid = std::fs::read(support::wasm("grid")).unwrap();
    let params = |levels: u32, spacing_pct: &str| {
        format!("[params]\nlevels = {levels}\nspacing_pct = \"{spacing_pct}\"\nsize = \"0.01\"\n")
    };
    // grid-cancel's two buys sit 40 % and 80 % below where it opens (about 4,285), under the
    // sample's lowest low after its first bar (2,817 on 2017-09-14), so neither can fill and both
    // are working when its file is deleted, however late that comes. At 0.5 % a daily bar fills
    // several levels at once, which grid-keep and grid-flat need.
    for (name, on_delete, levels, spacing_pct) in [
        ("grid-cancel", None, 2, "40"),
        ("grid-keep", Some("keep"), 5, "0.5"),
        ("grid-flat", Some("flatten"), 5, "0.5"),
    ] {
        let settings = match on_delete {
            Some(on_delete) => format!("on_delete = \"{on_delete}\"\n{}", params(levels, spacing_pct)),
            None => params(levels, spacing_pct),
        };
        write_file(&strategies, &format!("{name}.toml"), &settings);
        deploy(&strategies, &format!("{name}.wasm"), &grid);
    }
    let host = RunningHost::start(dir.path(), &config, 50, LOG, &[]);
    let open_orders = |name: &str| book(&host, name).and_then(|b| b["open_orders"].as_u64()).unwrap_or(0);
    let position = |name: &str| {
        book(&host, name)
            .and_then(|b| b["positions"].as_array().and_then(|p| p.first()).cloned())
            .and_then(|p| p["qty"].as_str().and_then(|q| q.parse::<f64>().ok()))
            .unwrap_or(0.0)
    };
    wait_until(
        "every grid to have working orders and grid-flat a position",
        PATIENCE,
        || {
            let ready = ["grid-cancel", "grid-keep", "grid-flat"]
                .iter()
                .all(|name| open_orders(name) > 0)
                && position("grid-flat") > 0.0;
            ready.then_some(())
        },
    );

    for name in ["grid-cancel", "grid-keep", "grid-flat"] {
        std::fs::remove_file(strategies.join(format!("{name}.wasm"))).unwrap();
    }
    wait_until("the deleted strategies to stop", PATIENCE, || {
        let status = host.status()?;
        let running = status["strategies"].as_array()?.len();
        (running == 0).then_some(())
    });
    assert_eq!(open_orders("grid-cancel"), 0, "cancel-orders left orders working");
    assert_eq!(open_orders("grid-flat"), 0, "flatten left orders working");
    // grid-keep's orders stay working (until the market fills them: nobody re-arms them now).
    let stopped = |name: &str| {
        host.log()
            .into_iter()
            .find(|line| line.contains("strategy stopped") && line.contains(&format!("strategy={name} ")))
            .unwrap_or_else(|| panic!("no stop logged for {name}"))
    };
    assert!(
        stopped("grid-keep").contains("orders_cancelled=0"),
        "{}",
        stopped("grid-keep")
    );
    assert!(
        stopped("grid-cancel").contains("orders_cancelled=2"),
        "{}",
        stopped("grid-cancel")
    );
    // The closing market order fills at the next bar's open.
    wait_until("grid-flat to be flat", PATIENCE, || {
        (position("grid-flat") == 0.0).then_some(())
    });

    let db = rusqlite::Connection::open(dir.path().join("book.db")).unwrap();
    let closing: i64 = db
        .query_row(
            "SELECT count(*) FROM orders WHERE strategy = 'grid-flat' AND tag = 'flatten-on-delete' AND state = 'filled'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(closing, 1);
    let working: i64 = db
        .query_row(
            "SELECT count(*) FROM orders WHERE strategy = 'grid-cancel' AND state IN ('open', 'partially_filled')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        working, 0,
        "the book of record still shows grid-cancel's orders working"
    );

    // A strategy file dropped into the running host starts trading from the next bars on.
    deploy(&strategies, "grid-cancel.wasm", &grid);
    wait_until("the returning strategy to place orders again", PATIENCE, || {
        (open_orders("grid-cancel") > 0).then_some(())
    });
    let status = wait_until("grid-cancel back in /status", PATIENCE, || {
        strategy_status(&host, "grid-cancel")
    });
    assert_eq!(status["state"], "running", "{status:#}");
}
