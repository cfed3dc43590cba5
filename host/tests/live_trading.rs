//! `strategy-host run --venue kraken` with live orders, end to end: the real binary trades on
//! the local Kraken (`local-venues/kraken`, real sockets on 127.0.0.1) with a real component,
//! through lost replies, dropped connections and a refused token.

use std::collections::BTreeMap;
use std::time::Duration;

use local_kraken::{Bar, LocalKraken, LocalKrakenConfig, Target};
use rust_decimal::Decimal;

use crate::support::{
    self, metric_value, terminate, wait_for_decision, wait_for_update, wait_orders_open, wait_until, write_file,
    RunningHost, VenueFill, VenueOrder,
};

const START_MS: i64 = 1_704_067_200_000;
const KEY_ENV: &str = "LIVE_TEST_KRAKEN_KEY";
const SECRET_ENV: &str = "LIVE_TEST_KRAKEN_SECRET";

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// Flat minute bars around 30,000: the lifecycle guest acts on each one's close.
fn bars(count: i64) -> Vec<Bar> {
    (0..count)
        .map(|i| Bar {
            time_ms: START_MS + i * 60_000,
            open: d("30000.0"),
            high: d("30010.0"),
            low: d("29990.0"),
            close: d("30005.0"),
            volume: d("1.25"),
        })
        .collect()
}

fn config(dir: &std::path::Path, kraken: &LocalKraken) -> std::path::PathBuf {
    write_file(
        dir,
        "host.toml",
        &format!(
            r#"
{venue}
[sandbox]
call_deadline_ms = 2000

[strategies.orders]
# One digit past BTC/USD's lot (8 decimals): risk rounds every order onto it, or Kraken would
# refuse them all.
params = {{ mode = "lifecycle", size = "0.010000001" }}
"#,
            venue = support::kraken_venue(
                kraken,
                &format!("api_key_env = \"{KEY_ENV}\"\napi_secret_env = \"{SECRET_ENV}\"\nrequest_timeout_ms = 1500"),
            ),
        ),
    )
}

fn book_fills(db: &std::path::Path) -> Vec<VenueFill> {
    support::venue_fills(db, "orders")
}

fn book_orders(db: &std::path::Path) -> BTreeMap<String, VenueOrder> {
    support::venue_orders(db, "kraken")
}

fn position(db: &std::path::Path) -> Decimal {
    support::position(db, "orders", "BTC/USD")
}

#[test]
fn live_orders_on_the_local_kraken_reach_the_ledger_with_venue_ids_through_lost_replies_drops_and_refused_tokens() {
    let kraken = LocalKraken::start(LocalKrakenConfig {
        start_time_ms: Some(START_MS),
        ..LocalKrakenConfig::default()
    })
    .unwrap();
    kraken
        .book_snapshot(
            "BTC/USD",
            &[(d("29990.0"), d("5")), (d("29980.0"), d("5"))],
            &[(d("30020.0"), d("5")), (d("30030.0"), d("5"))],
        )
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("orders"), strategies.join("orders.wasm")).unwrap();
    let config = config(dir.path(), &kraken);
    let db = dir.path().join("book.db");
    let env = [(KEY_ENV, kraken.api_key()), (SECRET_ENV, kraken.api_secret())];
    let mut host = RunningHost::start_with_env(dir.path(), &config, 1, "info", &[], &env);

    wait_until("the strategy's bars subscribed", Duration::from_secs(60), || {
        (kraken.subscriptions("ohlc", Some("BTC/USD")) == 1).then_some(())
    });
    wait_until("executions subscribed", Duration::from_secs(30), || {
        (kraken.subscriptions("executions", None) == 1).then_some(())
    });
    wait_orders_open(&host, "kraken", "the order connection reconciled");
    assert!(kraken.dead_man_deadline_ms().is_some(), "the dead-man switch is armed");
    let played = bars(8);

    // 1. A limit buy rests at the venue under the host's client order id, with Kraken's id
    //    stored beside it.
    kraken.play_bars("BTC/USD", &played[..2]).unwrap();
    wait_for_decision(&host, "step 1 rest -> Ok");
    let resting = wait_until("the order at the venue", Duration::from_secs(30), || {
        kraken.open_orders().into_iter().next()
    });
    let resting_id = resting.cl_ord_id.clone().expect("sent with a client order id");
    assert_eq!(resting.limit_price, Some(d("15002.5")));
    wait_until(
        "Kraken's order id in the book of record",
        Duration::from_secs(30),
        || {
            let orders = book_orders(&db);
            (orders.get(&resting_id)?.venue_order_id.as_deref() == Some(resting.order_id.as_str())).then_some(())
        },
    );

    // 2. Amended in place: same ids, the new quantity and price at the venue and in the update.
    kraken.play_bars("BTC/USD", &played[2..3]).unwrap();
    wait_for_update(&host, "the amend confirmed", |u| {
        u.id == resting_id && u.status == "Open" && u.filled.is_zero() && u.remaining == d("0.02")
    });
    let amended = kraken.order(&resting.order_id).unwrap();
    assert_eq!(
        (amended.order_qty, amended.limit_price),
        (d("0.02"), Some(d("18003.0")))
    );

    // 3. Cancelled.
    kraken.play_bars("BTC/USD", &played[3..4]).unwrap();
    wait_for_update(&host, "the cancel confirmed", |u| {
        u.id == resting_id && u.status == "Cancelled"
    });
    assert!(kraken.open_orders().is_empty());

    // 4. A market buy whose reply is lost with the connection: settled by a query, placed once.
    kraken.lose_next_add_order_reply(true);
    kraken.play_bars("BTC/USD", &played[4..5]).unwrap();
    let bought_id = wait_for_update(&host, "the market buy filled", |u| {
        u.id != resting_id && u.status == "Filled" && u.filled == d("0.01")
    });
    assert_eq!(kraken.orders_accepted(&bought_id), 1, "placed once");
    wait_orders_open(&host, "kraken", "the order connection back after the lost reply");

    // 5, 6. Sells at market and by a marketable limit.
    kraken.play_bars("BTC/USD", &played[5..7]).unwrap();
    wait_for_decision(&host, "step 6 sell-limit -> Ok");
    wait_until("three fills booked", Duration::from_secs(30), || {
        (book_fills(&db).len() == 3).then_some(())
    });

    // The books agree with the venue: each fill once, under Kraken's trade id; the position is
    // what the account holds; the host's balances are the venue's.
    let venue_fills = kraken.fills();
    let fills = book_fills(&db);
    assert_eq!(venue_fills.len(), 3);
    for (venue, booked) in venue_fills.iter().zip(&fills) {
        assert_eq!(booked.trade_id.as_deref(), Some(venue.trade_id.to_string().as_str()));
        assert_eq!(Some(booked.order_id.as_str()), venue.cl_ord_id.as_deref());
        assert_eq!((booked.qty, booked.price), (venue.qty, venue.price));
    }
    let held = kraken.balances()["BTC"];
    assert_eq!(held, d("0.004"));
    assert_eq!(position(&db), held);
    let orders = book_orders(&db);
    assert!(
        orders.values().all(|order| order.venue_order_id.is_some()),
        "every order has Kraken's id: {orders:?}"
    );
    wait_until("the host's balances equal the venue's", Duration::from_secs(30), || {
        let expected: BTreeMap<String, Decimal> = kraken.balances().into_iter().collect();
        (support::venue_balances(&host, "kraken")? == expected).then_some(())
    });

    // 7. The order socket drops: the executions snapshot repeats every fill; none is booked twice.
    let reconnects = |host: &RunningHost| {
        metric_value(
            &host.metrics(),
            "strategy_host_broker_reconnects_total",
            &[("broker", "kraken")],
        )
    };
    let before = reconnects(&host).unwrap_or(0.0);
    kraken.drop_connections(Target::Private);
    wait_until("a reconnect", Duration::from_secs(30), || {
        (reconnects(&host)? > before).then_some(())
    });
    wait_orders_open(&host, "kraken", "reconciled after the drop");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(book_fills(&db).len(), 3, "a repeated fill is not booked again");
    assert_eq!(position(&db), d("0.004"));

    // 8. Tokens refused twice: the host asks again, gets a fresh one, and subscribes again.
    let tokens = kraken.tokens_issued();
    kraken.reject_token_requests(2);
    kraken.drop_connections(Target::Private);
    wait_until("a fresh token", Duration::from_secs(30), || {
        (kraken.tokens_issued() > tokens).then_some(())
    });
    wait_orders_open(&host, "kraken", "reconciled on the fresh token");
    wait_until("executions subscribed again", Duration::from_secs(30), || {
        (kraken.subscriptions("executions", None) == 1).then_some(())
    });

    // Secrets appear in no log line, `/status` or metric.
    let status = host.status().unwrap().to_string();
    let metrics = host.metrics();
    let log = host.log().join("\n");
    for secret in [kraken.api_key(), kraken.api_secret()] {
        assert!(!log.contains(secret), "a secret in the log");
        assert!(!status.contains(secret), "a secret in /status");
        assert!(!metrics.contains(secret), "a secret in /metrics");
    }

    // A clean shutdown disarms the dead-man switch; the orders (none here) would stay.
    assert!(kraken.dead_man_deadline_ms().is_some());
    let exit = terminate(&mut host, Duration::from_secs(30));
    assert!(exit.success(), "{exit:?}");
    assert_eq!(kraken.dead_man_deadline_ms(), None, "disarmed on shutdown");
}
