//! A live host's shutdown against the local Kraken: on SIGTERM it refuses new orders and waits
//! (bounded) for the requests in flight, so the book of record it leaves knows their outcome;
//! a second signal makes it exit at once, leaving them in flight for the next start.

use std::time::Duration;

use local_kraken::{LocalKraken, LocalKrakenConfig, Side, Target};
use rust_decimal::Decimal;

use crate::support::{self, run_bin, stdout, wait_until, write_file, RunningHost};

const KEY_ENV: &str = "SHUTDOWN_TEST_KRAKEN_KEY";
const SECRET_ENV: &str = "SHUTDOWN_TEST_KRAKEN_SECRET";

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn trade(kraken: &LocalKraken) {
    kraken.trade("BTC/USD", Side::Buy, d("30005.0"), d("0.001")).unwrap();
}

/// A host trading live on a fresh local Kraken with the `orders` guest, which answers every
/// trade with an order (and cancels the one before): subscribed and its order path open, no
/// order placed yet.
fn trading_host(dir: &std::path::Path) -> (LocalKraken, RunningHost) {
    let kraken = LocalKraken::start(LocalKrakenConfig::default()).unwrap();
    kraken
        .book_snapshot("BTC/USD", &[(d("29990.0"), d("5"))], &[(d("30020.0"), d("5"))])
        .unwrap();
    let strategies = dir.join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("orders"), strategies.join("orders.wasm")).unwrap();
    let config = write_file(
        dir,
        "host.toml",
        &format!(
            "{}\n[sandbox]\ncall_deadline_ms = 2000\n\n[strategies.orders]\nparams = {{ mode = \"echo\", size = \"0.0001\" }}\n",
            support::kraken_venue(
                &kraken,
                &format!("api_key_env = \"{KEY_ENV}\"\napi_secret_env = \"{SECRET_ENV}\"\nrequest_timeout_ms = 1000"),
            )
        ),
    );
    let env = [(KEY_ENV, kraken.api_key()), (SECRET_ENV, kraken.api_secret())];
    let host = RunningHost::start_with_env(dir, &config, 1, "info", &[], &env);
    wait_until("the strategy's trades subscribed", Duration::from_secs(60), || {
        (kraken.subscriptions("trade", Some("BTC/USD")) == 1).then_some(())
    });
    wait_until("the order path open", Duration::from_secs(60), || {
        (host.status()?["venues"][0]["orders"]["state"] == "open").then_some(())
    });
    (kraken, host)
}

/// An order placed while the order socket sends nothing back (no reply, no execution): in
/// flight until the host's query settles it.
fn an_order_in_flight(kraken: &LocalKraken) {
    let before = kraken.add_orders_received().0;
    kraken.go_silent(Target::Private, None);
    trade(kraken);
    wait_until("the exchange to take the order", Duration::from_secs(30), || {
        (kraken.add_orders_received().0 > before).then_some(())
    });
}

/// Each order's state in the book of record, with its journal replayed (`export`).
fn order_states(dir: &std::path::Path) -> Vec<String> {
    let db = dir.join("book.db");
    let output = run_bin(&["export", "orders", "--db", db.to_str().unwrap(), "--format", "jsonl"]);
    assert!(output.status.success());
    stdout(&output)
        .lines()
        .map(|line| {
            serde_json::from_str::<serde_json::Value>(line).unwrap()["state"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn signal(host: &RunningHost) {
    let pid = host.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
}

fn exit_of(host: &mut RunningHost) -> std::process::ExitStatus {
    wait_until("the host to exit", Duration::from_secs(60), || {
        host.child.try_wait().ok().flatten()
    })
}

#[test]
fn a_stopped_host_waits_for_its_requests_in_flight_and_leaves_none_unsettled() {
    let dir = tempfile::tempdir().unwrap();
    let (kraken, mut host) = trading_host(dir.path());
    an_order_in_flight(&kraken);
    signal(&host);
    let exit = exit_of(&mut host);
    assert!(exit.success(), "{exit}");
    assert!(
        host.log()
            .iter()
            .any(|line| line.contains("waiting for the requests in flight")),
        "the host said it waited"
    );
    let states = order_states(dir.path());
    assert!(!states.is_empty());
    assert!(
        states.iter().all(|s| s != "pending_new" && s != "pending_cancel"),
        "every request was answered or settled by query before the exit: {states:?}"
    );
    assert_eq!(
        states.iter().filter(|s| *s == "open").count(),
        1,
        "the lost reply's order rests: {states:?}"
    );
}

#[test]
fn a_second_signal_exits_at_once_and_leaves_the_request_in_flight_in_the_book() {
    let dir = tempfile::tempdir().unwrap();
    let (kraken, mut host) = trading_host(dir.path());
    an_order_in_flight(&kraken);
    signal(&host);
    wait_until("the host to start waiting", Duration::from_secs(30), || {
        host.log()
            .iter()
            .any(|line| line.contains("waiting for the requests in flight"))
            .then_some(())
    });
    signal(&host);
    let exit = exit_of(&mut host);
    assert_eq!(exit.code(), Some(130), "{exit}");
    let states = order_states(dir.path());
    assert!(states.iter().any(|s| s == "pending_new"), "{states:?}");
}
