//! `strategy-host export` on books of record the real binary wrote (`backtest --db`, a paper
//! `run`): every fill, order and decision of the book comes out, as CSV and as JSON lines,
//! filtered as asked, and bad options are named.

use std::path::Path;

use rusqlite::Connection;

use std::time::Duration;

use crate::support::{self, run_bin, stderr, stdout, terminate, RunningHost};

/// A grid backtest on the shipped daily sample, its book of record at `dir/book.db`.
fn backtested_book(dir: &Path) -> std::path::PathBuf {
    let strategy = dir.join("grid.wasm");
    std::fs::copy(support::wasm("grid"), &strategy).unwrap();
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/Bitcoin.csv");
    let db = dir.join("book.db");
    let output = run_bin(&[
        "backtest",
        "--strategy",
        strategy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    db
}

fn count(db: &Path, sql: &str) -> usize {
    let n: i64 = Connection::open(db).unwrap().query_row(sql, [], |r| r.get(0)).unwrap();
    usize::try_from(n).unwrap()
}

#[test]
fn export_writes_every_row_of_the_book_as_csv_and_json_lines_and_filters_by_time_and_strategy() {
    let dir = tempfile::tempdir().unwrap();
    let db = backtested_book(dir.path());
    let db_arg = db.to_str().unwrap();
    let fills_in_book = count(&db, "SELECT count(*) FROM fills");
    assert!(fills_in_book > 10, "the grid trades: {fills_in_book} fills");

    let output = run_bin(&["export", "fills", "--db", db_arg, "--format", "jsonl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let fills: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(fills.len(), fills_in_book);
    assert!(fills.iter().all(|f| f["strategy"] == "grid" && f["price"].is_string()));
    let times: Vec<i64> = fills.iter().map(|f| f["time_ms"].as_i64().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "in time order");

    // From the middle fill's time on: exactly the fills at or after it.
    let middle = times[times.len() / 2];
    let since = trading::market::Rfc3339(middle).to_string();
    let out = dir.path().join("fills.csv");
    let output = run_bin(&[
        "export",
        "fills",
        "--db",
        db_arg,
        "--since",
        &since,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows = csv::Reader::from_path(&out).unwrap().records().count();
    assert_eq!(rows, times.iter().filter(|t| **t >= middle).count());

    let output = run_bin(&["export", "orders", "--db", db_arg, "--strategy", "grid"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let orders = csv::Reader::from_reader(stdout(&output).as_bytes()).records().count();
    assert_eq!(orders, count(&db, "SELECT count(*) FROM orders"));
    let output = run_bin(&["export", "positions", "--db", db_arg, "--strategy", "nobody"]);
    assert_eq!(
        csv::Reader::from_reader(stdout(&output).as_bytes()).records().count(),
        0
    );
}

#[test]
fn export_names_a_missing_book_and_a_bad_time() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let output = run_bin(&["export", "orders", "--db", missing.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("none.db: no such book of record"),
        "{}",
        stderr(&output)
    );

    let output = run_bin(&["export", "fills", "--since", "yesterday"]);
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--since"), "{}", stderr(&output));
    assert!(stderr(&output).contains("expected"), "{}", stderr(&output));
}

#[test]
fn every_decision_a_strategy_made_in_a_paper_run_is_exported_with_its_indicators() {
    let dir = tempfile::tempdir().unwrap();
    let bars = 15;
    let config = support::counter_on_sample_bars(dir.path(), bars, "");
    let mut host = RunningHost::start(dir.path(), &config, 400, "warn", &[]);
    host.wait_for_replay(Duration::from_secs(120));
    assert!(terminate(&mut host, Duration::from_secs(30)).success());

    let db = dir.path().join("book.db");
    let output = run_bin(&["export", "decisions", "--db", db.to_str().unwrap(), "--format", "jsonl"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let decisions: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(decisions.len(), bars, "one decision per bar");
    for (n, decision) in decisions.iter().enumerate() {
        assert_eq!(decision["strategy"], "counter");
        assert_eq!(decision["action"], "hold");
        assert_eq!(decision["version_hash"].as_str().map(str::len), Some(64));
        // The counter numbers its decisions: all of them, in order, each with its indicators.
        let seq = &decision["indicators"][0];
        assert_eq!(seq["name"], "seq");
        assert_eq!(seq["value"], (n + 1).to_string());
        assert!(decision["reasoning"]
            .as_str()
            .unwrap()
            .starts_with(&format!("seq={}", n + 1)));
    }
}
