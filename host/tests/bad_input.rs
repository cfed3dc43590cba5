//! Bad input from files gets a clear error naming the file, line or key, and no panic.

use crate::support::{self, run_bin, stderr, write_file};

#[test]
fn an_unknown_config_key_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_file(dir.path(), "host.toml", "[risk]\nmax_notional = 5\n");
    let output = run_bin(&["run", "--config", config.to_str().unwrap(), "--listen", "127.0.0.1:0"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("host.toml") && err.contains("max_notional"), "{err}");
}

#[test]
fn an_invalid_config_value_is_named_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_file(dir.path(), "host.toml", "[paper]\nfill_price = \"mid\"\n");
    let output = run_bin(&["run", "--config", config.to_str().unwrap(), "--listen", "127.0.0.1:0"]);
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(err.contains("paper.fill_price") && err.contains("next_open"), "{err}");
}

fn backtest_on(csv: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "bars.csv", csv);
    let strategy = support::wasm("sma_cross");
    let output = run_bin(&[
        "backtest",
        "--strategy",
        strategy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
    ]);
    assert!(!output.status.success(), "accepted:\n{csv}");
    let err = stderr(&output);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("bars.csv"), "the error does not name the file: {err}");
    err
}

#[test]
fn a_bad_csv_row_is_named_by_line_and_column() {
    let err = backtest_on("date,open,high,low,close,volume\n2020-01-01,1,2,0.5,1.5,10\n2020-01-02,1,2,0.5,abc,10\n");
    assert!(err.contains(":3") && err.contains("close"), "{err}");
}

#[test]
fn a_missing_csv_column_is_named() {
    let err = backtest_on("date,open,high,low,volume\n2020-01-01,1,2,0.5,10\n");
    assert!(err.contains("close"), "{err}");
}

#[test]
fn unsorted_csv_times_are_named_by_line() {
    let err = backtest_on("date,open,high,low,close\n2020-01-02,1,2,0.5,1.5\n2020-01-01,1,2,0.5,1.5\n");
    assert!(err.contains(":3"), "{err}");
}
