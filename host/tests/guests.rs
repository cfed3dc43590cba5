//! Issue 12, strategies in other languages: the Python and JavaScript sma-cross
//! (`strategies/sma-cross-py`, `strategies/sma-cross-js`, built by `scripts/build-guests.sh`)
//! run by the real binary against the same world as the Rust one, and trade exactly as it does.
//!
//! - `check` starts both and prints the Rust one's params and defaults.
//! - A backtest of each, with the same params on the same bars, leaves the same orders and fills
//!   in its book of record as the Rust sma-cross's, row for row, and the same decisions; on daily
//!   and on minute bars. Each decision carries the cash and equity the strategy read from the
//!   host's account view (`account`) after it acted, so the account view is read by real Python
//!   and JavaScript components and agrees with the Rust one's.
//! - All three refuse the same bad params with the same message.
//! - A paper replay under the default limits that swaps Rust for Python and then Python for
//!   JavaScript between two bars ends, with no trap, with the orders and fills of the Rust one
//!   alone: each version takes over the previous one's averages and relations (the snapshot is
//!   the same JSON in the three languages). Losing them would miss the first cross after a swap.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use rust_decimal::Decimal;
use sha2::Digest;

use crate::support::{
    self, book_of, metric_value, run_bin, stderr, stdout, terminate, wait_until, write_file, Book, RunningHost,
};

/// The built components: (crate-style name, what `check` prints as the manifest name).
const RUST: (&str, &str) = ("sma_cross", "sma-cross");
const PYTHON: (&str, &str) = ("sma_cross_py", "sma-cross-py");
const JAVASCRIPT: (&str, &str) = ("sma_cross_js", "sma-cross-js");
const GUESTS: [(&str, &str); 2] = [PYTHON, JAVASCRIPT];

/// A slow machine compiles an 18 MB Python component in tens of seconds.
const PATIENCE: Duration = Duration::from_secs(180);

fn data(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data").join(file)
}

/// What a backtest of one component left: its book of record and its decisions.
struct Backtest {
    book: Book,
    /// One JSON object per decision, in order, each indicator's value without trailing zeros:
    /// Rust's decimal division keeps some (`4363.9630`) where Python's and the JavaScript
    /// SDK's do not, and the numbers, not their scale, are what the three must agree on.
    decisions: Vec<serde_json::Value>,
}

/// A backtest of `component` (as a strategy named `sma-cross`), keeping its book and decisions.
fn backtested(component: &str, data: &Path, params: &str) -> Backtest {
    let dir = tempfile::tempdir().unwrap();
    let strategy = dir.path().join("sma-cross.wasm");
    std::fs::copy(support::wasm(component), &strategy).unwrap();
    let db = dir.path().join("backtest.db");
    let decisions = dir.path().join("decisions.jsonl");
    let output = run_bin(&[
        "backtest",
        "--strategy",
        strategy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--params",
        params,
        "--db",
        db.to_str().unwrap(),
        "--decisions",
        decisions.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{component}: {}", stderr(&output));
    eprintln!("guests: {component} on {}:\n{}", data.display(), stdout(&output));
    let decisions = std::fs::read_to_string(&decisions)
        .unwrap()
        .lines()
        .map(|line| {
            let mut decision: serde_json::Value = serde_json::from_str(line).unwrap();
            for indicator in decision["indicators"].as_array_mut().unwrap() {
                let value = Decimal::from_str(indicator["value"].as_str().unwrap()).unwrap();
                indicator["value"] = value.normalize().to_string().into();
            }
            decision
        })
        .collect();
    Backtest {
        book: book_of(&db, "sma-cross"),
        decisions,
    }
}

#[test]
fn check_starts_the_python_and_javascript_strategies_with_the_rust_ones_params() {
    for (component, name) in GUESTS {
        let output = run_bin(&["check", support::wasm(component).to_str().unwrap()]);
        assert!(output.status.success(), "{component}: {}", stderr(&output));
        let text = stdout(&output);
        assert!(text.contains(&format!("name:        {name}\n")), "{text}");
        assert!(
            text.contains("world:       strategy-host:strategy/strategy@0.5.0"),
            "{text}"
        );
        assert!(text.contains("  - * candles *"), "{text}");
        for param in [
            "fast (integer, default 10)",
            "slow (integer, default 20)",
            "size (decimal, default 0.1)",
        ] {
            assert!(
                text.contains(&format!("  - {param}: ")),
                "{component}: {param} missing:\n{text}"
            );
        }
    }
}

#[test]
fn python_and_javascript_backtests_order_and_fill_exactly_as_the_rust_sma_cross() {
    let cases = [
        ("Bitcoin.csv", r#"{"fast": 10, "slow": 20, "size": "0.1"}"#),
        // Minute bars, other periods, a size given as a JSON number that must stay exact.
        ("Intraday.csv", r#"{"fast": 5, "slow": 13, "size": 0.3}"#),
    ];
    for (file, params) in cases {
        let Backtest {
            book: rust,
            decisions: rust_decisions,
        } = backtested(RUST.0, &data(file), params);
        assert!(
            rust.fills.len() >= 10,
            "{file}: too few fills to compare: {}",
            rust.fills.len()
        );
        assert!(
            !rust_decisions.is_empty(),
            "{file}: the Rust sma-cross explained nothing"
        );
        // The account view moves with the fills: the cash read at the crosses is not always
        // the starting cash.
        let cash: std::collections::BTreeSet<String> = rust_decisions
            .iter()
            .filter_map(|d| {
                d["indicators"].as_array()?.iter().find(|i| i["name"] == "cash")?["value"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect();
        assert!(cash.len() > 1, "{file}: the decisions read one cash only: {cash:?}");
        for (component, _) in GUESTS {
            let Backtest { book: guest, decisions } = backtested(component, &data(file), params);
            assert_eq!(
                decisions.len(),
                rust_decisions.len(),
                "{component} on {file}: decisions"
            );
            for (theirs, ours) in decisions.iter().zip(&rust_decisions) {
                // Action, reasoning, confidence and the averages, as the Rust one explains them.
                assert_eq!(theirs, ours, "{component} on {file}: a decision differs");
            }
            assert!(
                guest.orders == rust.orders,
                "{component} on {file}: orders differ from the Rust sma-cross's: {}",
                rust.first_difference(&guest).unwrap_or_default()
            );
            assert!(
                guest.fills == rust.fills,
                "{component} on {file}: fills differ from the Rust sma-cross's: {}",
                rust.first_difference(&guest).unwrap_or_default()
            );
        }
    }
}

#[test]
fn the_three_languages_refuse_bad_params_with_the_same_message() {
    let refusals = [
        (r#"{"fast": 20}"#, "param `fast`: must be less than `slow` (20), got 20"),
        (r#"{"fast": "abc"}"#, r#"param `fast`: expected an integer, got "abc""#),
        (r#"{"size": 0}"#, "param `size`: must be greater than 0, got 0"),
        // The manifest's range, checked by the host before `init`, whatever the language.
        (r#"{"slow": 0}"#, "param `slow`: must be within 1 ..= 100000, got 0"),
        (r#"{"fast": 1e1}"#, "param `fast`: expected an integer, got 1e1"),
        (
            r#"{"size": "x"}"#,
            r#"param `size`: expected a decimal number, got "x""#,
        ),
        (r#"[1]"#, "params: expected a JSON object, got [1]"),
        (
            r#"{"period": 5}"#,
            "param `period`: unknown; this strategy takes `fast`, `slow`, `size`",
        ),
    ];
    for (component, _) in [RUST, PYTHON, JAVASCRIPT] {
        let path = support::wasm(component);
        for (params, expected) in refusals {
            let output = run_bin(&["check", path.to_str().unwrap(), "--params", params]);
            assert!(!output.status.success(), "{component} accepted {params}");
            let err = stderr(&output);
            assert!(
                err.contains(expected),
                "{component} with {params}: expected {expected:?} in: {err}"
            );
        }
    }
}

/// Two daily bars: enough for a paper run to load its strategies and finish.
const TWO_BARS: &str = "date,open,high,low,close,volume\n2020-01-01,1,1,1,1,1\n2020-01-02,1,1,1,1,1\n";

/// Loads `components` once in a short paper run, so that the compiled-component cache the test
/// binaries share holds them, and a later swap to them takes milliseconds, not a compile.
fn warm_the_component_cache(components: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    for component in components {
        std::fs::copy(support::wasm(component), strategies.join(format!("{component}.wasm"))).unwrap();
    }
    let config = write_file(dir.path(), "host.toml", "");
    let bars = write_file(dir.path(), "bars.csv", TWO_BARS);
    let mut host = RunningHost::start(dir.path(), &config, 1_000, "warn", &["--data", bars.to_str().unwrap()]);
    host.wait_ready(PATIENCE);
    let exit = terminate(&mut host, Duration::from_secs(30));
    assert!(exit.success(), "the warm-up host exited with {exit}");
}

#[test]
fn a_paper_replay_swapped_from_rust_to_python_to_javascript_keeps_the_state_and_the_fills() {
    let params_json = r#"{"fast": 10, "slow": 20, "size": "0.1"}"#;
    let expected = backtested(RUST.0, &data("Bitcoin.csv"), params_json).book;
    warm_the_component_cache(&[PYTHON.0, JAVASCRIPT.0]);

    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    let deploy = |component: &str| -> String {
        let bytes = std::fs::read(support::wasm(component)).unwrap();
        let temp = strategies.join(".sma-cross.wasm.part");
        std::fs::write(&temp, &bytes).unwrap();
        std::fs::rename(&temp, strategies.join("sma-cross.wasm")).unwrap();
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    deploy(RUST.0);
    // The default memory cap and call deadline (10 ms of CPU): what an operator runs the guests
    // with. No call may trap: a recovery from the last snapshot could hide a lost state.
    let config = write_file(
        dir.path(),
        "host.toml",
        "[strategies.sma-cross]\nparams = { fast = 10, slow = 20, size = \"0.1\" }\n",
    );
    // 1,246 bars at 40 a second: half a minute of replay to swap in, twice.
    let mut host = RunningHost::start(
        dir.path(),
        &config,
        40,
        "warn",
        &["--data", data("Bitcoin.csv").to_str().unwrap()],
    );
    let replayed = |host: &RunningHost| {
        host.status()
            .and_then(|status| status["feed"]["bars_replayed"].as_u64())
            .unwrap_or(0)
    };
    let swap_at = |host: &RunningHost, bar: u64, component: &str| {
        wait_until(&format!("bar {bar} before swapping in {component}"), PATIENCE, || {
            (replayed(host) >= bar).then_some(())
        });
        let hash = deploy(component);
        let status = wait_until(&format!("{component} to take over"), PATIENCE, || {
            let status = host.status()?;
            let strategy = status["strategies"]
                .as_array()?
                .iter()
                .find(|s| s["strategy"] == "sma-cross")?
                .clone();
            (strategy["hash"] == hash.as_str()).then_some(status)
        });
        assert_eq!(
            status["feed"]["finished"], false,
            "{component} took over after the replay ended: nothing was swapped mid-run"
        );
    };
    swap_at(&host, 300, PYTHON.0);
    swap_at(&host, 700, JAVASCRIPT.0);
    host.wait_for_replay(PATIENCE);
    let metrics = host.metrics();
    let reloads = |result| {
        metric_value(
            &metrics,
            "strategy_host_strategy_reloads_total",
            &[("strategy", "sma-cross"), ("result", result)],
        )
        .unwrap_or(0.0)
    };
    assert_eq!((reloads("ok"), reloads("failed")), (2.0, 0.0), "{metrics}");
    let traps = metrics
        .lines()
        .filter(|line| {
            line.starts_with("strategy_host_strategy_traps_total{") && line.contains("strategy=\"sma-cross\"")
        })
        .filter_map(|line| line.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum::<f64>();
    assert_eq!(traps, 0.0, "a version trapped under the default limits: {metrics}");
    let exit = terminate(&mut host, Duration::from_secs(30));
    assert!(exit.success(), "the paper host exited with {exit}");

    let swapped = book_of(&dir.path().join("book.db"), "sma-cross");
    assert!(
        swapped == expected,
        "the swapped replay's orders or fills differ from the Rust backtest's: {}",
        expected.first_difference(&swapped).unwrap_or_default()
    );
}
