//! `strategy-host run --venue kraken --paper` end to end: the real binary on the local Kraken
//! (`local-venues/kraken`, real sockets on 127.0.0.1), with real components. The exchange's
//! clock is scripted, so hours of bars play in moments.

use std::time::Duration;

use local_kraken::{Bar, ConnKind, LocalKraken, LocalKrakenConfig, Target};
use rust_decimal::Decimal;

use crate::support::{self, metric_value, wait_until, write_file, RunningHost};

const START_MS: i64 = 1_704_067_200_000;

/// Minute bars that rise, fall and rise again, so a 2/4 SMA cross buys and sells.
fn bars(count: i64) -> Vec<Bar> {
    (0..count)
        .map(|i| {
            let step = match i % 20 {
                n if n < 10 => n,
                n => 20 - n,
            };
            let base = Decimal::new(300_000 + step * 40, 1);
            Bar {
                time_ms: START_MS + i * 60_000,
                open: base,
                high: base + Decimal::new(25, 1),
                low: base - Decimal::new(15, 1),
                close: base + Decimal::new(5, 1),
                volume: Decimal::new(12_500, 4),
            }
        })
        .collect()
}

fn start_kraken() -> LocalKraken {
    LocalKraken::start(LocalKrakenConfig {
        start_time_ms: Some(START_MS),
        ..LocalKrakenConfig::default()
    })
    .unwrap()
}

fn config(dir: &std::path::Path, kraken: &LocalKraken) -> std::path::PathBuf {
    write_file(
        dir,
        "host.toml",
        &format!(
            r#"
execution = "paper"

{venue}
[sandbox]
call_deadline_ms = 2000

[strategies.sma-a]
params = {{ fast = 2, slow = 4, size = "0.01" }}

[strategies.sma-b]
params = {{ fast = 3, slow = 6, size = "0.01" }}
"#,
            venue = support::kraken_venue(kraken, "stale_after_ms = 1500"),
        ),
    )
}

fn metric(host: &RunningHost, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metric_value(&host.metrics(), name, labels)
}

#[test]
fn paper_trading_on_the_local_kraken_shares_streams_survives_drops_and_reports_staleness() {
    let kraken = start_kraken();
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    // Two strategies on the same stream: one venue subscription.
    std::fs::copy(support::wasm("sma_cross"), strategies.join("sma-a.wasm")).unwrap();
    std::fs::copy(support::wasm("sma_cross"), strategies.join("sma-b.wasm")).unwrap();
    let config = config(dir.path(), &kraken);
    let journal = dir.path().join("session.jsonl");
    let host = RunningHost::start(dir.path(), &config, 1, "info", &["--record", journal.to_str().unwrap()]);

    wait_until(
        "one ohlc subscription for both strategies",
        Duration::from_secs(60),
        || (kraken.subscriptions("ohlc", Some("BTC/USD")) == 1).then_some(()),
    );
    wait_until("both strategies running", Duration::from_secs(60), || {
        let status = host.status()?;
        (status["strategies"].as_array()?.len() == 2).then_some(())
    });

    // 1. Forty minutes of bars: the strategies see the 39 that closed, each once.
    let played = bars(40);
    kraken.play_bars("BTC/USD", &played).unwrap();
    for strategy in ["sma-a", "sma-b"] {
        wait_until("every closed bar handled", Duration::from_secs(60), || {
            let events = metric(&host, "strategy_host_strategy_events_total", &[("strategy", strategy)])?;
            (events == 39.0).then_some(())
        });
    }
    let filled = metric(
        &host,
        "strategy_host_orders_total",
        &[("strategy", "sma-a"), ("broker", "kraken"), ("outcome", "filled")],
    );
    assert!(
        filled.is_some_and(|n| n >= 2.0),
        "sma-a traded on simulated fills: {filled:?}"
    );
    // `/status` is refreshed every 100 ms: wait for the one after the bars.
    let status = wait_until("the venue's status", Duration::from_secs(10), || {
        let status = host.status()?;
        let fresh = status["venues"][0]["streams"][0]["age_ms"].is_number();
        fresh.then_some(status)
    });
    let venue = &status["venues"][0];
    assert_eq!(
        (venue["name"].as_str(), venue["execution"].as_str()),
        (Some("kraken"), Some("paper"))
    );
    assert_eq!(venue["connected"], true, "{status}");
    let stream = venue["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stream"] == "BTC/USD 1m")
        .expect("the 1m stream in /status");
    assert_eq!(stream["holders"], 2);
    assert_eq!(
        metric(&host, "strategy_host_broker_connected", &[("broker", "kraken")]),
        Some(1.0)
    );
    assert!(metric(
        &host,
        "strategy_host_venue_messages_total",
        &[("broker", "kraken"), ("channel", "ohlc")]
    )
    .is_some_and(|n| n > 0.0));

    // 2. The connection drops mid-stream: reconnected, resubscribed, no bar lost or repeated.
    kraken.drop_connections(Target::Public);
    wait_until("a reconnect", Duration::from_secs(30), || {
        let n = metric(&host, "strategy_host_broker_reconnects_total", &[("broker", "kraken")])?;
        (n == 1.0).then_some(())
    });
    wait_until("the resubscription", Duration::from_secs(30), || {
        (kraken.subscriptions("ohlc", Some("BTC/USD")) == 1).then_some(())
    });
    let more = bars(45);
    kraken.play_bars("BTC/USD", &more[40..]).unwrap();
    wait_until("the bars after the drop", Duration::from_secs(60), || {
        let events = metric(&host, "strategy_host_strategy_events_total", &[("strategy", "sma-a")])?;
        (events == 44.0).then_some(())
    });

    // Record and replay: the journal of the session so far, backtested, gives sma-a's trades.
    std::thread::sleep(Duration::from_millis(500));
    let live = support::book_of(&dir.path().join("book.db"), "sma-a");
    let output = support::run_bin(&[
        "backtest",
        "--strategy",
        support::wasm("sma_cross").to_str().unwrap(),
        "--data",
        journal.to_str().unwrap(),
        "--params",
        r#"{"fast": 2, "slow": 4, "size": "0.01"}"#,
        "--json",
        "--no-cache",
    ]);
    assert!(output.status.success(), "{}", support::stderr(&output));
    let report: serde_json::Value = serde_json::from_str(&support::stdout(&output)).unwrap();
    assert_eq!(report["bars"], 44, "the journal holds every delivered bar once");
    assert_eq!(report["fills"].as_u64(), Some(live.fills.len() as u64), "{report}");
    assert_eq!(report["orders"].as_u64(), Some(live.orders.len() as u64), "{report}");
    let live_fees: Decimal = live.fills.iter().map(|f| f.fee.parse::<Decimal>().unwrap()).sum();
    assert_eq!(
        report["fees"].as_str().map(|f| f.parse::<Decimal>().unwrap()),
        Some(live_fees)
    );

    // 3. The venue goes silent: the stream turns stale, then fresh again when data flows.
    kraken.go_silent(Target::Public, None);
    wait_until("the stream to turn stale", Duration::from_secs(30), || {
        let status = host.status()?;
        let stale = status["venues"][0]["streams"]
            .as_array()?
            .iter()
            .any(|s| s["stale"] == true);
        stale.then_some(())
    });
    let age = metric(
        &host,
        "strategy_host_market_data_age_seconds",
        &[("broker", "kraken"), ("stream", "BTC/USD 1m")],
    );
    assert!(age.is_some_and(|a| a > 1.5), "{age:?}");
    assert!(host.log().iter().any(|l| l.contains("market data is stale")));
    kraken.resume(Target::Public);
    wait_until("data to flow again", Duration::from_secs(30), || {
        let status = host.status()?;
        let fresh = status["venues"][0]["streams"]
            .as_array()?
            .iter()
            .all(|s| s["stale"] == false);
        fresh.then_some(())
    });

    // 4. The strategies leave one by one: the last one out unsubscribes.
    std::fs::remove_file(strategies.join("sma-a.wasm")).unwrap();
    wait_until("one strategy left", Duration::from_secs(30), || {
        (host.status()?["venues"][0]["streams"][0]["holders"] == 1).then_some(())
    });
    assert_eq!(kraken.subscriptions("ohlc", Some("BTC/USD")), 1);
    std::fs::remove_file(strategies.join("sma-b.wasm")).unwrap();
    wait_until("the venue subscription to go", Duration::from_secs(30), || {
        (kraken.subscriptions("ohlc", Some("BTC/USD")) == 0).then_some(())
    });
    assert!(
        kraken.subscription_messages(ConnKind::Public).unsubscribe >= 1
            || kraken.connections(ConnKind::Public).open == 0
    );
}
