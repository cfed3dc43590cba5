//! Bars the host builds from 1-minute bars are the same live as in a backtest: the real binary
//! paper-trades on the local Kraken (`local-venues/kraken`) with a strategy that names `5m` and
//! `1h` (test-guests/timeframes), then `strategy-host backtest` runs it over a CSV of the same
//! minutes and over the session's journal (`run --record`). The bars it saw in all three are
//! checked against bars grouped here by hand, digit for digit and in delivery order.
use std::collections::BTreeMap;
use std::time::Duration;

use local_kraken::{Bar, LocalKraken, LocalKrakenConfig};
use rust_decimal::Decimal;

use crate::support::{self, wait_until, write_file, RunningHost};

const MINUTE_MS: i64 = 60_000;
/// 2024-01-01 00:07 UTC: inside a 5m bucket and an hour, so the first bar of each timeframe is
/// built from part of its bucket. Both sides deliver it, made of the minutes there are: a
/// builder cannot tell a start in mid-bucket from a quiet market's first minutes, which make a
/// bar too.
const START_MS: i64 = 1_704_067_200_000 + 7 * MINUTE_MS;
/// Closed bars from 00:07 to 03:12: three whole hours after the first partial one, and a 5m
/// bucket (03:10) still open at the end, which neither side delivers.
const CLOSED_BARS: i64 = 186;
/// The timeframes the guest names, in ms.
const TIMEFRAMES: [(&str, i64); 2] = [("5m", 5 * MINUTE_MS), ("1h", 60 * MINUTE_MS)];

/// Minute bars whose highs, lows and volumes differ from minute to minute, so a wrong bucket
/// edge changes some built bar. Prices and volumes carry the decimals the local Kraken prints
/// for BTC/USD (1 and 8), so the CSV holds the text the live feed reads.
fn bars(count: i64) -> Vec<Bar> {
    (0..count)
        .map(|i| {
            let open = Decimal::new(420_000 + (i * 37 % 101) * 7, 1);
            let close = open + Decimal::new(i * 13 % 21 - 10, 1);
            Bar {
                time_ms: START_MS + i * MINUTE_MS,
                open,
                high: open.max(close) + Decimal::new(i % 7 + 1, 1),
                low: open.min(close) - Decimal::new(i % 5 + 1, 1),
                close,
                volume: Decimal::new(50_000_000 + i * 1_234_567, 8),
            }
        })
        .collect()
}

/// What the guest says of a bar (`timeframes::describe`).
fn describe(timeframe: &str, open_ms: i64, [o, h, l, c, v]: [Decimal; 5]) -> String {
    format!("{timeframe} {open_ms} o={o} h={h} l={l} c={c} v={v}")
}

/// The 5m and 1h bars of `bars` grouped by UTC bucket, without the host's aggregator, in the
/// order they complete: by end, the shorter first. The bucket of the last bar is still open.
fn expected(bars: &[Bar]) -> Vec<String> {
    let last_open = bars.last().unwrap().time_ms;
    let mut built = Vec::new();
    for (timeframe, ms) in TIMEFRAMES {
        let mut buckets: BTreeMap<i64, [Decimal; 5]> = BTreeMap::new();
        for bar in bars {
            let bucket = bar.time_ms - bar.time_ms % ms;
            buckets
                .entry(bucket)
                .and_modify(|[_, h, l, c, v]| {
                    *h = (*h).max(bar.high);
                    *l = (*l).min(bar.low);
                    *c = bar.close;
                    *v += bar.volume;
                })
                .or_insert([bar.open, bar.high, bar.low, bar.close, bar.volume]);
        }
        for (open_ms, ohlcv) in buckets {
            if open_ms + ms <= last_open + MINUTE_MS {
                built.push((open_ms + ms, ms, describe(timeframe, open_ms, ohlcv)));
            }
        }
    }
    built.sort();
    built.into_iter().map(|(_, _, text)| text).collect()
}

fn csv(bars: &[Bar]) -> String {
    let mut text = String::from("time,open,high,low,close,volume\n");
    for b in bars {
        text.push_str(&format!(
            "{},{},{},{},{},{}\n",
            b.time_ms, b.open, b.high, b.low, b.close, b.volume
        ));
    }
    text
}

fn config(dir: &std::path::Path, kraken: &LocalKraken) -> std::path::PathBuf {
    write_file(
        dir,
        "host.toml",
        &format!(
            r#"
execution = "paper"

{venue}"#,
            venue = support::kraken_venue(kraken, ""),
        ),
    )
}

/// The reasonings of the decisions `strategy` logged (target `strategy_host::decisions`), in
/// order, each with its symbol.
fn logged_decisions(host: &RunningHost, strategy: &str) -> Vec<(String, String)> {
    host.log()
        .iter()
        .filter(|line| line.contains("strategy_host::decisions"))
        .filter_map(|line| {
            let (_, rest) = line.split_once("decision: ")?;
            let (reasoning, fields) = rest.rsplit_once(" strategy=")?;
            if !fields.starts_with(&format!("{strategy} ")) {
                return None;
            }
            let symbol = fields.split_once("symbol=")?.1.split_whitespace().next()?;
            Some((symbol.to_owned(), reasoning.to_owned()))
        })
        .collect()
}

#[test]
fn bars_built_live_from_1m_equal_those_a_backtest_builds_from_the_same_minutes() {
    let kraken = LocalKraken::start(LocalKrakenConfig {
        start_time_ms: Some(START_MS),
        ..LocalKrakenConfig::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("timeframes"), strategies.join("timeframes.wasm")).unwrap();
    let config = config(dir.path(), &kraken);
    let journal = dir.path().join("session.jsonl");
    let host = RunningHost::start(
        dir.path(),
        &config,
        1,
        "warn,strategy_host::decisions=info",
        &["--record", journal.to_str().unwrap()],
    );
    wait_until(
        "the 1m subscription the built bars need",
        Duration::from_secs(60),
        || (kraken.subscriptions("ohlc", Some("BTC/USD")) == 1).then_some(()),
    );
    wait_until("the strategy running", Duration::from_secs(60), || {
        let status = host.status()?;
        (status["strategies"].as_array()?.len() == 1).then_some(())
    });

    // The last bar played stays open (the exchange's clock is inside it), so the host closes
    // the first CLOSED_BARS; the backtest gets exactly those.
    let played = bars(CLOSED_BARS + 1);
    let closed = &played[..CLOSED_BARS as usize];
    let expected = expected(closed);
    assert_eq!(expected.iter().filter(|d| d.starts_with("5m ")).count(), 37);
    assert_eq!(expected.iter().filter(|d| d.starts_with("1h ")).count(), 3);
    // The first bars of both timeframes open on their bucket, with the first minute's open.
    let first = &closed[0];
    assert!(expected[0].starts_with(&format!("5m {} o={} ", START_MS - 2 * MINUTE_MS, first.open)));
    let first_hour = expected.iter().find(|d| d.starts_with("1h ")).unwrap();
    assert!(first_hour.starts_with(&format!("1h {} o={} ", START_MS - 7 * MINUTE_MS, first.open)));

    kraken.play_bars("BTC/USD", &played).unwrap();
    let live = wait_until("a decision per built bar", Duration::from_secs(60), || {
        let seen = logged_decisions(&host, "timeframes");
        (seen.len() >= expected.len()).then_some(seen)
    });
    let events = support::metric_value(
        &host.metrics(),
        "strategy_host_strategy_events_total",
        &[("strategy", "timeframes")],
    );
    assert_eq!(events, Some(expected.len() as f64), "the strategy got built bars only");
    assert!(live.iter().all(|(symbol, _)| symbol == "BTC/USD"), "{live:?}");
    let live: Vec<String> = live.into_iter().map(|(_, reasoning)| reasoning).collect();
    assert_eq!(live, expected, "live bars");

    // The same minutes as a CSV: the backtest builds the bars itself.
    let data = write_file(dir.path(), "minutes.csv", &csv(closed));
    let (report, backtest) = backtest_decisions(&data, &dir.path().join("csv-decisions.jsonl"));
    assert_eq!(report["bars"], CLOSED_BARS, "{report}");
    assert_eq!(backtest, live, "the backtest's bars are the live ones");

    // The session's journal holds the minutes and the bars built from them, as delivered: a
    // backtest of it replays those, and builds none again. It is flushed every 100 ms: wait for
    // its header, the minutes and the built bars.
    let recorded = CLOSED_BARS as usize + expected.len();
    wait_until("the journal of every delivered bar", Duration::from_secs(10), || {
        let lines = std::fs::read_to_string(&journal).ok()?.lines().count();
        (lines == 1 + recorded).then_some(())
    });
    let (report, replayed) = backtest_decisions(&journal, &dir.path().join("journal-decisions.jsonl"));
    assert_eq!(report["bars"], CLOSED_BARS, "{report}");
    assert_eq!(replayed, live, "the journal's bars are the live ones, once each");
}

/// Backtests the guest over `data`, returning the report and the reasoning of each decision
/// (all on BTC/USD), written to `decisions`.
fn backtest_decisions(data: &std::path::Path, decisions: &std::path::Path) -> (serde_json::Value, Vec<String>) {
    let output = support::run_bin(&[
        "backtest",
        "--strategy",
        support::wasm("timeframes").to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--decisions",
        decisions.to_str().unwrap(),
        "--json",
        "--no-cache",
    ]);
    assert!(output.status.success(), "{}", support::stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&support::stdout(&output)).unwrap();
    let reasonings = std::fs::read_to_string(decisions)
        .unwrap()
        .lines()
        .map(|line| {
            let decision: serde_json::Value = serde_json::from_str(line).unwrap();
            assert_eq!(decision["symbol"], "BTC/USD", "{line}");
            decision["reasoning"].as_str().unwrap().to_owned()
        })
        .collect();
    (report, reasonings)
}
