//! Recovery and reconciliation of the real binary against the local Kraken (issue 10): a host
//! whose strategy has working orders stops; at the exchange one order fills, one partly
//! fills, one is cancelled, an order the host never placed appears and a balance changes; the
//! restarted host reloads its book of record, settles or reports every case by its rule before
//! any strategy starts, says so in `/status`, and `/ready` answers 503 naming the venue until
//! then. A reconnect reconciles again. On the local Binance, a fill missed while down is booked
//! the same way.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use local_kraken::{LocalKraken, LocalKrakenConfig, OrderStatus, Side, Target};
use rust_decimal::Decimal;
use serde_json::Value;

use crate::support::{self, http_get, terminate, venue_fills, venue_orders, wait_until, write_file, RunningHost};

const KEY_ENV: &str = "RECONCILE_TEST_BINANCE_KEY";
const SECRET_ENV: &str = "RECONCILE_TEST_BINANCE_SECRET";
const SIZE: &str = "0.0001";

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn exchange() -> LocalKraken {
    support::kraken_with_book(LocalKrakenConfig::default())
}

/// The config trading the `orders` guest in `ladder` mode (every trade answered by a resting
/// buy at half its price, all kept) live on `kraken`, with `extra` lines in its venue table.
fn setup(dir: &Path, kraken: &LocalKraken, extra: &str) -> std::path::PathBuf {
    support::orders_on_kraken(dir, kraken, &format!("mode = \"ladder\", size = \"{SIZE}\""), extra, "")
}

fn start(dir: &Path, config: &Path, kraken: &LocalKraken) -> RunningHost {
    support::start_on_kraken(dir, config, kraken)
}

/// `/ready` as (status code, body).
fn ready(host: &RunningHost) -> (u16, Value) {
    let (code, body) = http_get(&host.addr, "/ready").expect("/ready answers");
    (code, serde_json::from_str(&body).unwrap())
}

/// Kraken's open orders of the host, by limit price.
fn open_by_price(kraken: &LocalKraken) -> BTreeMap<Decimal, local_kraken::Order> {
    kraken
        .open_orders()
        .into_iter()
        .map(|order| (order.limit_price.unwrap(), order))
        .collect()
}

/// The venue's latest reconciliation in `/status`, once there is one.
fn reconciliation(host: &RunningHost) -> Option<Value> {
    let kraken = support::venue_status(host, "kraken")?;
    let report = &kraken["reconciliation"];
    (!report.is_null()).then(|| report.clone())
}

/// The latest reconciliation of `trigger` whose balances are compared too (the venue may
/// report them after its orders).
fn complete_reconciliation(host: &RunningHost, trigger: &str) -> Value {
    wait_until("a reconciliation with its balances", Duration::from_secs(60), || {
        reconciliation(host).filter(|r| r["trigger"] == trigger && !r["balances_compared_ms"].is_null())
    })
}

/// A decimal of the report (exact decimals are JSON strings).
fn dec(value: &Value) -> Decimal {
    value
        .as_str()
        .unwrap_or_else(|| panic!("a decimal: {value}"))
        .parse()
        .unwrap()
}

/// The report's difference of `kind` about `order_id` (or, for balances, `asset`).
fn difference<'a>(report: &'a Value, kind: &str, key: &str, value: &str) -> &'a Value {
    report["differences"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == kind && d[key] == value)
        .unwrap_or_else(|| panic!("no {kind} difference with {key} {value}: {report:#}"))
}

#[test]
fn a_restarted_host_settles_and_reports_what_changed_at_the_venue_before_it_is_ready() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    let kraken = exchange();
    let config = setup(dir.path(), &kraken, "");

    // 1. The host trades: three trades, three resting buys at 15,000, 14,500 and 14,000.
    let mut host = start(dir.path(), &config, &kraken);
    host.wait_ready(Duration::from_secs(120));
    wait_until("the strategy's trades subscribed", Duration::from_secs(60), || {
        (kraken.subscriptions("trade", Some("BTC/USD")) == 1).then_some(())
    });
    for price in ["30000.0", "29000.0", "28000.0"] {
        kraken.trade("BTC/USD", Side::Buy, d(price), d("0.001")).unwrap();
    }
    wait_until(
        "three working orders in the book of record",
        Duration::from_secs(60),
        || {
            let orders = venue_orders(&db, "kraken");
            (orders.len() == 3 && orders.values().all(|o| o.state == "open")).then_some(())
        },
    );
    let first = reconciliation(&host).expect("the first start reconciled too");
    assert_eq!(first["trigger"], "start");
    assert_eq!(first["working_before"], 0);

    // 2. The host stops; at the exchange the 15,000 buy fills, the 14,500 one half fills, the
    //    14,000 one is cancelled by hand, someone places a buy at 10,000 and the BTC balance is
    //    set to 7.
    let exit = terminate(&mut host, Duration::from_secs(60));
    assert!(exit.success(), "{exit}");
    drop(host);
    let resting = open_by_price(&kraken);
    let (filled, partial, cancelled) = (
        resting[&d("15000.0")].clone(),
        resting[&d("14500.0")].clone(),
        resting[&d("14000.0")].clone(),
    );
    kraken.trade("BTC/USD", Side::Sell, d("15000.0"), d(SIZE)).unwrap();
    kraken.trade("BTC/USD", Side::Sell, d("14500.0"), d("0.00005")).unwrap();
    kraken.cancel_order(&cancelled.order_id).unwrap();
    let outsider = kraken
        .place_order("BTC/USD", Side::Buy, d("0.0002"), d("10000.0"), Some("outsider-1"))
        .unwrap();
    kraken.set_balance("BTC", d("7"));
    assert_eq!(kraken.fills().len(), 2);

    // 3. The host restarts while Kraken refuses it a token: its order connection cannot open,
    //    so it cannot reconcile, and `/ready` names the venue.
    kraken.reject_token_requests(u32::MAX);
    let host = start(dir.path(), &config, &kraken);
    let (code, waiting) = ready(&host);
    assert_eq!(code, 503, "{waiting:#}");
    let venue = waiting["waiting_for"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["condition"] == "venue:kraken")
        .unwrap_or_else(|| panic!("the venue is waited for: {waiting:#}"));
    assert!(venue["reason"].as_str().unwrap().contains("reconciling"), "{waiting:#}");
    assert!(
        reconciliation(&host).is_none(),
        "no report before the venue is reconciled"
    );
    assert!(
        !host.log().iter().any(|line| line.contains("strategy loaded")),
        "no strategy runs before the venue is reconciled"
    );

    // 4. Tokens again: the venue is reconciled, then the host is ready.
    kraken.reject_token_requests(0);
    let ready_body = host.wait_ready(Duration::from_secs(120));
    assert_eq!(ready_body["waiting_for"].as_array().map(Vec::len), Some(0));
    let log = host.log();
    let line_of = |text: &str| {
        log.iter()
            .position(|line| line.contains(text))
            .unwrap_or_else(|| panic!("{text:?} not logged"))
    };
    assert!(
        line_of("reconciled: the venue's orders, fills and balances are checked") < line_of("strategy loaded"),
        "the strategy starts after the venue is reconciled"
    );
    assert!(reconciliation(&host).is_some(), "the report is in /status once ready");
    let report = complete_reconciliation(&host, "start");
    assert_eq!(report["trigger"], "start", "{report:#}");
    assert_eq!(
        (
            &report["working_before"],
            &report["open_at_venue"],
            &report["matched"],
            &report["fills_booked"]
        ),
        (&Value::from(3), &Value::from(2), &Value::from(0), &Value::from(2)),
        "{report:#}"
    );
    let id = |order: &local_kraken::Order| order.cl_ord_id.clone().unwrap();
    let f = difference(&report, "filled", "order_id", &id(&filled));
    assert_eq!((&f["rule"], dec(&f["qty"])), (&Value::from("fills_booked"), d(SIZE)));
    let p = difference(&report, "partially_filled", "order_id", &id(&partial));
    assert_eq!(
        (&p["rule"], dec(&p["qty"])),
        (&Value::from("fills_booked"), d("0.00005"))
    );
    let c = difference(&report, "cancelled", "order_id", &id(&cancelled));
    assert_eq!(c["rule"], "settled_by_venue");
    let u = difference(&report, "unknown_order", "order_id", "outsider-1");
    assert_eq!(
        (&u["rule"], &u["venue_order_id"]),
        (&Value::from("reported"), &Value::from(outsider.as_str()))
    );
    let b = difference(&report, "balance", "asset", "BTC");
    assert_eq!(
        (&b["rule"], dec(&b["venue_balance"]), dec(&b["books_balance"])),
        (&Value::from("books_kept"), d("7"), d("0.00015")),
        "{report:#}"
    );
    assert_eq!(report["differences"].as_array().unwrap().len(), 5, "{report:#}");
    let exposition = host.metrics();
    let count = |metric: &str, labels: &[(&str, &str)]| support::metric_value(&exposition, metric, labels);
    assert_eq!(
        count(
            "strategy_host_reconciliations_total",
            &[("broker", "kraken"), ("trigger", "start")]
        ),
        Some(1.0)
    );
    for kind in ["filled", "partially_filled", "cancelled", "unknown_order", "balance"] {
        assert_eq!(
            count(
                "strategy_host_reconciliation_differences_total",
                &[("broker", "kraken"), ("kind", kind)]
            ),
            Some(1.0),
            "{kind}"
        );
    }

    // The book of record agrees: each fill booked once, each order settled, nothing sent twice,
    // and the unknown order left working (`unknown_orders = "report"`, the default).
    wait_until("the books written", Duration::from_secs(30), || {
        (venue_fills(&db, "orders").len() == 2).then_some(())
    });
    let fills = venue_fills(&db, "orders");
    let mut trade_ids: Vec<_> = fills.iter().map(|f| f.trade_id.clone().unwrap()).collect();
    trade_ids.dedup();
    assert_eq!(trade_ids.len(), 2, "{fills:?}");
    let states: BTreeMap<String, String> = venue_orders(&db, "kraken")
        .into_iter()
        .map(|(id, order)| (id, order.state))
        .collect();
    assert_eq!(states[&id(&filled)], "filled");
    assert_eq!(states[&id(&partial)], "partially_filled");
    assert_eq!(states[&id(&cancelled)], "cancelled");
    assert!(!states.contains_key("outsider-1"), "an unknown order is not adopted");
    for order in [&filled, &partial, &cancelled] {
        assert_eq!(kraken.orders_accepted(&id(order)), 1);
    }
    assert_eq!(kraken.order(&outsider).unwrap().status, OrderStatus::New);
    assert_eq!(support::position(&db, "orders", "BTC/USD"), d("0.00015"));

    // 5. A reconnect reconciles again: nothing changed, so only the balance differs.
    kraken.drop_connections(Target::Private);
    let again = complete_reconciliation(&host, "reconnect");
    assert_eq!(
        (&again["working_before"], &again["matched"]),
        (&Value::from(1), &Value::from(1)),
        "{again:#}"
    );
    let kinds: Vec<&str> = again["differences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["unknown_order", "balance"], "{again:#}");
}

#[test]
fn with_unknown_orders_cancel_an_order_the_host_does_not_know_is_cancelled_at_the_venue() {
    let dir = tempfile::tempdir().unwrap();
    let kraken = exchange();
    let outsider = kraken
        .place_order("BTC/USD", Side::Buy, d("0.0002"), d("10000.0"), Some("outsider-1"))
        .unwrap();
    let config = setup(dir.path(), &kraken, "unknown_orders = \"cancel\"");
    let host = start(dir.path(), &config, &kraken);
    host.wait_ready(Duration::from_secs(120));
    let report = reconciliation(&host).expect("reconciled before ready");
    let u = difference(&report, "unknown_order", "order_id", "outsider-1");
    assert_eq!(u["rule"], "cancel_requested", "{report:#}");
    wait_until("Kraken to cancel the unknown order", Duration::from_secs(60), || {
        (kraken.order(&outsider)?.status == OrderStatus::Canceled).then_some(())
    });
}

/// The same restart on the local Binance: an order filled while the host was down is booked
/// from Binance's mass status (`openOrders.status`, `myTrades`) and its order query, the one
/// still resting matches, and the report says so before the host is ready.
#[test]
fn a_restarted_host_on_binance_books_the_fill_it_missed_before_it_is_ready() {
    let binance = support::start_binance(true);
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("orders"), strategies.join("orders.wasm")).unwrap();
    let config = write_file(
        dir.path(),
        "host.toml",
        &format!(
            "{}\n[sandbox]\ncall_deadline_ms = 2000\n\n[strategies.orders]\nparams = {{ mode = \"ladder\", size = \"0.001\" }}\n",
            support::binance_venue(
                &binance,
                &format!(
                    "api_key_env = \"{KEY_ENV}\"\napi_secret_env = \"{SECRET_ENV}\"\nrequest_timeout_ms = 2000\nstale_after_ms = 600000"
                ),
            )
        ),
    );
    let (key, secret) = binance.hmac_key().unwrap();
    let env = [(KEY_ENV, key.as_str()), (SECRET_ENV, secret.as_str())];
    let db = dir.path().join("book.db");

    // 1. Two trades, two resting buys (15,000 and 14,500); the host stops.
    let mut host = RunningHost::start_with_env(dir.path(), &config, 1, "info", &[], &env);
    host.wait_ready(Duration::from_secs(120));
    wait_until("the strategy's trades subscribed", Duration::from_secs(60), || {
        (binance.subscribers("btcusdt@trade") == 1).then_some(())
    });
    for price in ["30000", "29000"] {
        binance.trade("BTCUSDT", d(price), d("0.01"), false).unwrap();
    }
    wait_until(
        "two working orders in the book of record",
        Duration::from_secs(60),
        || {
            let orders = venue_orders(&db, "binance");
            (orders.len() == 2 && orders.values().all(|o| o.state == "open")).then_some(())
        },
    );
    let exit = terminate(&mut host, Duration::from_secs(60));
    assert!(exit.success(), "{exit}");
    drop(host);

    // 2. A seller takes the 15,000 buy while the host is down.
    let filled = binance
        .orders()
        .into_iter()
        .find(|order| order.price == d("15000"))
        .expect("the 15,000 buy rests at Binance");
    binance.trade("BTCUSDT", d("15000"), d("0.001"), true).unwrap();
    assert_eq!(binance.account_trades().len(), 1);

    // 3. The restarted host books it, settles the order, and only then is ready.
    let host = RunningHost::start_with_env(dir.path(), &config, 1, "info", &[], &env);
    host.wait_ready(Duration::from_secs(120));
    let report = support::venue_status(&host, "binance").unwrap()["reconciliation"].clone();
    assert_eq!(report["trigger"], "start", "{report:#}");
    assert_eq!(
        (&report["working_before"], &report["matched"], &report["fills_booked"]),
        (&Value::from(2), &Value::from(1), &Value::from(1)),
        "{report:#}"
    );
    // The connect asked for the account's balances: compared in the same pass, not at the
    // account's next change.
    assert!(!report["balances_compared_ms"].is_null(), "{report:#}");
    let f = difference(&report, "filled", "order_id", &filled.client_order_id);
    assert_eq!((&f["rule"], dec(&f["qty"])), (&Value::from("fills_booked"), d("0.001")));
    let fills = venue_fills(&db, "orders");
    assert_eq!(fills.len(), 1, "booked once: {fills:?}");
    assert_eq!(venue_orders(&db, "binance")[&filled.client_order_id].state, "filled");
}

/// A host stopped while it still waits to reconcile starts no strategy and exits cleanly.
#[test]
fn a_host_stopped_before_its_venue_is_reconciled_starts_no_strategy_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let kraken = exchange();
    let config = setup(dir.path(), &kraken, "");
    kraken.reject_token_requests(u32::MAX);
    let mut host = start(dir.path(), &config, &kraken);
    let (code, waiting) = ready(&host);
    assert_eq!(code, 503, "{waiting:#}");
    let exit = terminate(&mut host, Duration::from_secs(60));
    assert!(exit.success(), "{exit}");
    assert!(
        !host.log().iter().any(|line| line.contains("strategy loaded")),
        "no strategy started"
    );
}
