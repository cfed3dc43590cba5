//! `strategy-host backtest` end to end, against a case small enough to check by hand.

use crate::support::{self, run_bin, stderr, stdout, write_file};

/// Ten daily bars built so that SMA(2)/SMA(3) crosses three times.
///
/// | bar | open | close | SMA2  | SMA3   | what happens                                   |
/// | --- | ---- | ----- | ----- | ------ | ---------------------------------------------- |
/// | 3   | 9    | 8     | 8.5   | 9      | first relation: below (no cross)               |
/// | 4   | 8    | 12    | 10    | 9.667  | golden cross: market buy 1                     |
/// | 5   | 12   | 13    | 12.5  | 11     | buy fills at the open, 12 (fee 0.012)          |
/// | 6   | 13   | 5     | 9     | 10     | death cross: market sell the 1 held            |
/// | 7   | 6    | 7     | 6     | 8.333  | sell fills at 6 (fee 0.006): trip pnl −6.018   |
/// | 8   | 7    | 11    | 9     | 7.667  | golden cross: market buy 1                     |
/// | 9   | 11   | 12    | 11.5  | 10     | buy fills at 11 (fee 0.011)                    |
/// | 10  | 12   | 12    | 12    | 11.667 | still long 1 @ 11, marked at 12                |
///
/// Cash 1000 → 987.988 → 993.982 → 982.971; final equity 982.971 + 12 = 994.971.
/// Equity at closes: 1000 ×4, 1000.988 (peak), 992.988 (trough), 993.982 ×2, 994.971 ×2:
/// max drawdown 8 / 1000.988 = 0.7992 %. Exposed at the close of bars 5, 6, 9, 10: 40 %.
const TEN_BARS: &str = "\
date,open,high,low,close,volume
2020-01-01,10,10,10,10,1
2020-01-02,10,10,9,9,1
2020-01-03,9,9,8,8,1
2020-01-04,8,12,8,12,1
2020-01-05,12,13,12,13,1
2020-01-06,13,13,5,5,1
2020-01-07,6,7,6,7,1
2020-01-08,7,11,7,11,1
2020-01-09,11,12,10,12,1
2020-01-10,12,12,12,12,1
";

fn backtest_json(data: &std::path::Path, extra: &[&str]) -> serde_json::Value {
    let strategy = support::wasm("sma_cross");
    let mut args = vec![
        "backtest",
        "--strategy",
        strategy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let output = run_bin(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(stdout(&output).trim()).unwrap_or_else(|e| panic!("{e}: {}", stdout(&output)))
}

#[test]
fn a_ten_bar_backtest_matches_the_hand_computed_report() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "ten.csv", TEN_BARS);
    let params = r#"{"fast": 2, "slow": 3, "size": 1}"#;
    let r = backtest_json(&data, &["--params", params, "--cash", "1000", "--fee-rate", "0.001"]);
    assert_eq!(r["bars"], 10);
    assert_eq!(r["orders"], 3);
    assert_eq!(r["fills"], 3);
    assert_eq!(r["trades"], 1);
    assert_eq!(r["fees"], "0.029");
    assert_eq!(r["final_equity"], "994.971");
    assert_eq!(r["return_pct"], "-0.5029");
    assert_eq!(r["max_drawdown_pct"], "0.7992");
    assert_eq!(r["win_rate_pct"], "0");
    assert_eq!(r["exposure_pct"], "40");
    for key in ["elapsed_ms", "bars_per_second", "parse_ms"] {
        assert!(r[key].is_u64(), "{key} missing: {r}");
    }
}

#[test]
fn a_second_backtest_loads_the_compiled_strategy_from_the_cache_with_the_same_result() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "ten.csv", TEN_BARS);
    let cache = dir.path().join("cache");
    let args = [
        "--params",
        r#"{"fast": 2, "slow": 3, "size": 1}"#,
        "--cache-dir",
        cache.to_str().unwrap(),
    ];
    let first = backtest_json(&data, &args);
    let second = backtest_json(&data, &args);
    assert_eq!(first["compiled_from_cache"], false);
    assert_eq!(second["compiled_from_cache"], true);
    for key in ["orders", "fills", "final_equity", "max_drawdown_pct"] {
        assert_eq!(first[key], second[key], "{key}");
    }
}

#[test]
fn close_fills_happen_on_the_bar_the_strategy_acted_on() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "ten.csv", TEN_BARS);
    let params = r#"{"fast": 2, "slow": 3, "size": 1}"#;
    let r = backtest_json(
        &data,
        &[
            "--params",
            params,
            "--cash",
            "1000",
            "--fee-rate",
            "0",
            "--fill-at",
            "close",
        ],
    );
    // Buy at 12 (bar 4 close), sell at 5 (bar 6), buy at 11 (bar 8), marked at 12.
    // Cash 1000 − 12 + 5 − 11 = 982; equity 982 + 12 = 994.
    assert_eq!(r["fills"], 3);
    assert_eq!(r["final_equity"], "994");
}

#[test]
fn the_same_backtest_twice_gives_byte_identical_trades_and_equity() {
    let dir = tempfile::tempdir().unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/Bitcoin.csv");
    let strategy = support::wasm("sma_cross");
    let mut outputs = Vec::new();
    for run in 0..2 {
        let trades = dir.path().join(format!("trades-{run}.csv"));
        let equity = dir.path().join(format!("equity-{run}.csv"));
        let output = run_bin(&[
            "backtest",
            "--strategy",
            strategy.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--params",
            r#"{"fast": 5, "slow": 20}"#,
            "--trades-csv",
            trades.to_str().unwrap(),
            "--equity-csv",
            equity.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stdout(&output).contains("final equity"), "{}", stdout(&output));
        outputs.push((std::fs::read(&trades).unwrap(), std::fs::read(&equity).unwrap()));
    }
    let trade_rows = String::from_utf8_lossy(&outputs[0].0).lines().count();
    assert!(trade_rows > 10, "too few trades to compare: {trade_rows}");
    assert_eq!(String::from_utf8_lossy(&outputs[0].1).lines().count(), 1_246 + 1);
    assert!(outputs[0] == outputs[1], "two runs differ");
}

#[test]
fn decisions_are_written_one_json_object_a_line_in_the_order_emitted() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "ten.csv", TEN_BARS);
    let counter = support::wasm("counter");
    let decisions = dir.path().join("decisions.jsonl");
    let output = run_bin(&[
        "backtest",
        "--strategy",
        counter.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--decisions",
        decisions.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let lines: Vec<serde_json::Value> = std::fs::read_to_string(&decisions)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    // counter numbers each bar it gets, decided at the bar's close: the next midnight UTC.
    assert_eq!(lines.len(), 10);
    for (i, decision) in lines.iter().enumerate() {
        assert_eq!(decision["strategy"], "counter", "{decision}");
        assert_eq!(decision["symbol"], "BTC/USD");
        assert_eq!(decision["action"], "hold");
        assert_eq!(decision["reasoning"], format!("seq={} label=v1", i + 1));
        assert_eq!(decision["time_ms"], 1_577_836_800_000_i64 + (i as i64 + 1) * 86_400_000);
        assert_eq!(
            decision["indicators"][0],
            serde_json::json!({"name": "seq", "value": (i + 1).to_string()})
        );
    }
}

/// Eight flat minute bars at 100, for the `orders` guest's steps (a market buy on the fourth).
const FLAT_BARS: &str = "\
time,open,high,low,close,volume
2020-01-01 00:00:00,100,100,100,100,1
2020-01-01 00:01:00,100,100,100,100,1
2020-01-01 00:02:00,100,100,100,100,1
2020-01-01 00:03:00,100,100,100,100,1
2020-01-01 00:04:00,100,100,100,100,1
2020-01-01 00:05:00,100,100,100,100,1
2020-01-01 00:06:00,100,100,100,100,1
2020-01-01 00:07:00,100,100,100,100,1
";

#[test]
fn the_cash_reserved_for_a_buy_follows_the_fee_rate_of_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "flat.csv", FLAT_BARS);
    let fills = |fee_rate: &str| orders_backtest(&data, "1000", fee_rate, &[])["fills"].as_u64().unwrap();
    // All in: 10 × 100 is the whole cash. Without fees the buy and both sells fill; at 0.1 %
    // the fee does not fit, the buy is refused and nothing is held to sell.
    assert_eq!(fills("0"), 3);
    assert_eq!(fills("0.001"), 0);
}

/// The `orders` guest (lifecycle, size 10) backtested on `data` at 1m.
fn orders_backtest(data: &std::path::Path, cash: &str, fee_rate: &str, extra: &[&str]) -> serde_json::Value {
    let strategy = support::wasm("orders");
    let mut args = vec![
        "backtest",
        "--strategy",
        strategy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--params",
        r#"{"size": "10"}"#,
        "--cash",
        cash,
        "--fee-rate",
        fee_rate,
        "--timeframe",
        "1m",
        "--json",
    ];
    args.extend_from_slice(extra);
    let output = run_bin(&args);
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_str(stdout(&output).trim()).unwrap()
}

/// [`FLAT_BARS`], then a fall to 80 in the seventh minute and a last bar at 80.
const FALLING_BARS: &str = "\
time,open,high,low,close,volume
2020-01-01 00:00:00,100,100,100,100,1
2020-01-01 00:01:00,100,100,100,100,1
2020-01-01 00:02:00,100,100,100,100,1
2020-01-01 00:03:00,100,100,100,100,1
2020-01-01 00:04:00,100,100,100,100,1
2020-01-01 00:05:00,100,100,100,100,1
2020-01-01 00:06:00,100,100,80,80,1
2020-01-01 00:07:00,80,80,80,80,1
";

#[test]
fn a_backtest_goes_short_only_when_allowed_and_values_the_short() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "falling.csv", FALLING_BARS);
    // Cash 1: the buy of 10 × 100 is refused, then two sells (4 at market, 2 by a limit at 90
    // that fills at the next open, 100) open a short of 6 at 100 only when shorting is allowed.
    let long_only = orders_backtest(&data, "1", "0", &[]);
    assert_eq!(long_only["fills"], 0, "{long_only}");
    let short = orders_backtest(&data, "1", "0", &["--allow-short"]);
    assert_eq!(short["fills"], 2, "{short}");
    // Sold 6 at 100 (cash 601) and owing 6 marked at 80 (480): equity 121, a gain of 120.
    assert_eq!(
        short["final_equity"]
            .as_str()
            .map(|e| e.parse::<rust_decimal::Decimal>().unwrap()),
        Some(rust_decimal::Decimal::from(121)),
        "{short}"
    );
}

#[test]
fn a_subscription_the_data_cannot_serve_is_warned_about_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "ten.csv", TEN_BARS);
    // The `orders` guest wants 1m bars and trades; the data is daily bars.
    let strategy = support::wasm("orders");
    let output = run_bin(&[
        "backtest",
        "--strategy",
        strategy.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let log = stderr(&output);
    for wanted in ["`* candles 1m`", "`* trades`"] {
        let line = log
            .lines()
            .find(|line| line.contains(wanted))
            .unwrap_or_else(|| panic!("no warning about {wanted}: {log}"));
        assert!(line.contains("WARN") && line.contains("BTC/USD candles 1d"), "{line}");
    }
    // sma-cross takes every timeframe: nothing to warn about.
    let sma = run_bin(&[
        "backtest",
        "--strategy",
        support::wasm("sma_cross").to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--json",
    ]);
    assert!(!stderr(&sma).contains("matches nothing"), "{}", stderr(&sma));
}

/// [`TEN_BARS`] with a gap up at the open after the first golden cross: bar 5 opens at 13,
/// above bar 4's close of 12.
const GAP_UP_BARS: &str = "\
date,open,high,low,close,volume
2020-01-01,10,10,10,10,1
2020-01-02,10,10,9,9,1
2020-01-03,9,9,8,8,1
2020-01-04,8,12,8,12,1
2020-01-05,13,13,12,13,1
2020-01-06,13,13,5,5,1
2020-01-07,6,7,6,7,1
2020-01-08,7,11,7,11,1
2020-01-09,11,12,10,12,1
2020-01-10,12,12,12,12,1
";

#[test]
fn an_all_in_market_buy_before_a_gap_up_is_cancelled_not_filled_to_negative_cash() {
    // Issue 12, defect 3. Cash 1000, fee 0, buys of 83: 83 × 12 = 996 fits at bar 4's close,
    // but it fills at bar 5's open, 83 × 13 = 1079: cancelled at the fill (insufficient_cash),
    // so there is no long for the death cross to sell. The golden cross of bar 8 buys 83 at
    // bar 9's open of 11 (913, cash 87), marked at 12: equity 87 + 996 = 1083.
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "gap.csv", GAP_UP_BARS);
    let params = r#"{"fast": 2, "slow": 3, "size": "83"}"#;
    let decisions = dir.path().join("decisions.jsonl");
    let r = backtest_json(
        &data,
        &[
            "--params",
            params,
            "--cash",
            "1000",
            "--fee-rate",
            "0",
            "--decisions",
            decisions.to_str().unwrap(),
        ],
    );
    assert_eq!((r["orders"].as_u64(), r["fills"].as_u64()), (Some(2), Some(1)), "{r}");
    assert_eq!(r["final_equity"], "1083", "{r}");
    // Without the check at the fill the first buy took the cash to 1000 − 1079 = −79.
    assert_eq!(r["trades"], 0, "{r}");
}

#[test]
fn the_trades_csv_lists_the_open_trade_and_close_at_end_closes_it_at_the_last_close() {
    // Issue 12, defect 6. TEN_BARS ends long 1 bought at bar 9's open (11), marked at 12.
    let dir = tempfile::tempdir().unwrap();
    let data = write_file(dir.path(), "ten.csv", TEN_BARS);
    let strategy = support::wasm("sma_cross");
    let trades_of = |extra: &[&str]| {
        let trades = dir.path().join("trades.csv");
        let equity = dir.path().join("equity.csv");
        let mut args = vec![
            "backtest",
            "--strategy",
            strategy.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
            "--params",
            r#"{"fast": 2, "slow": 3, "size": 1}"#,
            "--cash",
            "1000",
            "--fee-rate",
            "0.001",
            "--trades-csv",
            trades.to_str().unwrap(),
            "--equity-csv",
            equity.to_str().unwrap(),
            "--json",
        ];
        args.extend_from_slice(extra);
        let output = run_bin(&args);
        assert!(output.status.success(), "{}", stderr(&output));
        let report: serde_json::Value = serde_json::from_str(stdout(&output).trim()).unwrap();
        let read = |path: &std::path::Path| std::fs::read_to_string(path).unwrap();
        (report, read(&trades), read(&equity))
    };

    let (report, trades, equity) = trades_of(&[]);
    // Bought at bar 5's open (the fill reads as its own day), sold at bar 7's; the open trade
    // from bar 9's open of 11, marked at 12: 1 − its fee 0.011.
    assert_eq!(
        trades,
        "strategy,symbol,side,status,qty,entry_time,exit_time,avg_entry_price,avg_exit_price,fees,pnl\n\
         sma_cross,BTC/USD,long,closed,1,2020-01-05T00:00:00Z,2020-01-07T00:00:00Z,12,6,0.018,-6.018\n\
         sma_cross,BTC/USD,long,open,1,2020-01-09T00:00:00Z,,11,,0.011,0.989\n"
    );
    // Each equity row is a bar's close: the first bar, of 2020-01-01, closes at 01-02 00:00.
    assert!(
        equity.starts_with("time,equity\n2020-01-02T00:00:00Z,1000\n"),
        "{equity}"
    );
    assert!(equity.ends_with("2020-01-11T00:00:00Z,994.971\n"), "{equity}");
    assert_eq!(
        (report["trades"].as_u64(), report["fills"].as_u64()),
        (Some(1), Some(3))
    );

    // --close-at-end sells the 1 at the last close, 12, stamped at that instant (fee 0.012):
    // the trip makes 12 − 11 − 0.011 − 0.012 = 0.977, and the equity is the cash, 994.959.
    let (report, trades, _) = trades_of(&["--close-at-end"]);
    assert!(
        trades
            .ends_with("sma_cross,BTC/USD,long,closed,1,2020-01-09T00:00:00Z,2020-01-11T00:00:00Z,11,12,0.023,0.977\n"),
        "{trades}"
    );
    assert!(!trades.contains(",open,"), "{trades}");
    assert_eq!(
        (report["trades"].as_u64(), report["fills"].as_u64()),
        (Some(2), Some(4))
    );
    assert_eq!(report["final_equity"], "994.959");
}
