//! The misbehaviours that return, driven natively. (`spin`, `alloc`, `recurse` and `recurse-native` never return:
//! only the host's sandbox can stop them, and the host's tests check that it does.)

use std::panic::{catch_unwind, AssertUnwindSafe};

use strategy_sdk::testing::{candle, MockHost};
use strategy_sdk::{instantiate, Action, Decimal, LogLevel, Snapshot, Strategy};

use super::{Hostile, FLOOD_LINES, OBSERVED};

fn hostile(params: &str) -> Hostile {
    instantiate::<Hostile>(params).unwrap()
}

fn feed(hostile: &mut Hostile, host: &mut MockHost, closes: &[i64]) {
    for close in closes {
        host.now_ms += 60_000;
        let bar = candle("BTC/USD", "1m", host.now_ms, Decimal::from(*close));
        hostile.on_candle(host, &bar);
    }
}

fn observed(host: &MockHost) -> Vec<&str> {
    host.logs
        .iter()
        .filter(|(level, line)| *level == LogLevel::Warn && line.starts_with(OBSERVED))
        .map(|(_, line)| line.as_str())
        .collect()
}

#[test]
fn well_behaved_trades_a_crossover() {
    let (mut guest, mut host) = (hostile(""), MockHost::new());
    // SMA2 vs SMA4: below after four bars (9.5 < 11.25), above after the jump (19.5 > 15.25).
    feed(&mut guest, &mut host, &[14, 12, 10, 9, 30]);
    assert_eq!(host.orders.len(), 1);
    assert_eq!(host.decisions[0].action, Action::Buy);
    assert!(observed(&host).is_empty());
}

#[test]
fn unknown_modes_are_refused_with_the_list_of_modes() {
    let error = instantiate::<Hostile>(r#"{"mode": "explode"}"#).unwrap_err();
    assert!(
        error.starts_with(r#"param `mode`: unknown mode "explode"; one of well-behaved, idle, panic-init"#),
        "{error}"
    );
}

#[test]
fn panic_init_panics_in_init() {
    let outcome = catch_unwind(|| instantiate::<Hostile>(r#"{"mode": "panic-init"}"#));
    assert!(outcome.is_err());
}

#[test]
fn panic_every_counts_from_the_instance_not_from_the_snapshot() {
    let mut host = MockHost::new();
    let mut guest = hostile(r#"{"mode": "panic-every", "every": 3}"#);
    feed(&mut guest, &mut host, &[1, 2]);
    let third = catch_unwind(AssertUnwindSafe(|| feed(&mut guest, &mut host, &[3])));
    assert!(third.is_err(), "the 3rd event panics");

    // A fresh instance restored from the snapshot starts counting again.
    let mut fresh = hostile(r#"{"mode": "panic-every", "every": 3}"#);
    fresh.restore(&guest.snapshot()).unwrap();
    feed(&mut fresh, &mut host, &[4, 5]);
    let sixth = catch_unwind(AssertUnwindSafe(|| feed(&mut fresh, &mut host, &[6])));
    assert!(sixth.is_err(), "the fresh instance's 3rd event panics");
}

#[test]
fn log_flood_writes_thousands_of_host_log_lines_per_event() {
    let (mut guest, mut host) = (hostile(r#"{"mode": "log-flood"}"#), MockHost::new());
    feed(&mut guest, &mut host, &[1]);
    let flood = host.logs.iter().filter(|(_, line)| line.contains("log-flood")).count();
    assert_eq!(flood, FLOOD_LINES);
}

#[test]
fn log_flood_takes_its_lines_per_event_from_the_lines_param() {
    let (mut guest, mut host) = (hostile(r#"{"mode": "log-flood", "lines": 7}"#), MockHost::new());
    feed(&mut guest, &mut host, &[1, 2]);
    let flood = host.logs.iter().filter(|(_, line)| line.contains("log-flood")).count();
    assert_eq!(flood, 2 * 7);
}

#[test]
fn capability_probes_report_each_attempt_with_the_fixed_prefix() {
    let cases = [
        ("read-file", 2, "hostile observed: read-file -> "),
        ("read-env", 2, "hostile observed: read-env -> "),
        ("open-socket", 1, "hostile observed: open-socket -> "),
        ("clock", 1, "hostile observed: clock -> system_time_ms="),
    ];
    for (mode, attempts, prefix) in cases {
        let mut guest = hostile(&format!(r#"{{"mode": "{mode}"}}"#));
        let mut host = MockHost::new();
        feed(&mut guest, &mut host, &[1]);
        let lines = observed(&host);
        assert_eq!(lines.len(), attempts, "{mode}: {lines:?}");
        assert!(lines.iter().all(|line| line.starts_with(prefix)), "{mode}: {lines:?}");
    }
}

#[test]
fn open_socket_tries_the_address_param() {
    let mut guest = hostile(r#"{"mode": "open-socket", "address": "127.0.0.1:1"}"#);
    let mut host = MockHost::new();
    feed(&mut guest, &mut host, &[1]);
    let lines = observed(&host);
    assert!(
        lines[0].ends_with(r#"[std::net::TcpStream::connect("127.0.0.1:1")]"#),
        "{lines:?}"
    );
}

#[test]
fn clock_reports_the_hosts_time_beside_its_own() {
    let (mut guest, mut host) = (hostile(r#"{"mode": "clock"}"#), MockHost::new());
    feed(&mut guest, &mut host, &[1, 2]);
    let lines = observed(&host);
    assert!(
        lines[0].contains("instant_elapsed_ns=0 host_now_ms=60000"),
        "{}",
        lines[0]
    );
    assert!(lines[1].contains("host_now_ms=120000"), "{}", lines[1]);
}

#[test]
fn idle_does_nothing_at_all() {
    let (mut guest, mut host) = (hostile(r#"{"mode": "idle"}"#), MockHost::new());
    // The same closes make the well-behaved mode trade (see above).
    feed(&mut guest, &mut host, &[14, 12, 10, 9, 30]);
    assert!(host.orders.is_empty() && host.decisions.is_empty() && host.logs.is_empty());
}

#[test]
fn amend_rests_a_limit_buy_and_amends_it_on_the_next_bar() {
    let (mut guest, mut host) = (hostile(r#"{"mode": "amend"}"#), MockHost::new());
    feed(&mut guest, &mut host, &[100]);
    assert_eq!(host.orders.len(), 1);
    assert!(host.amends.is_empty());
    feed(&mut guest, &mut host, &[101, 102]);
    assert_eq!(host.orders.len(), 1, "one resting order, placed once");
    let id = host.orders[0].0.clone();
    assert_eq!(host.orders[0].1.limit_price(), Some(Decimal::from(50)));
    assert_eq!(
        host.amends.len(),
        1,
        "amended once; the unknown order is refused, not recorded"
    );
    assert_eq!(
        (host.amends[0].qty, host.amends[0].limit_price),
        (Decimal::new(3, 2), Some(Decimal::from(45)))
    );
    let seen = observed(&host);
    assert!(seen[0].starts_with("hostile observed: amend -> Ok(())"), "{seen:?}");
    assert!(seen[1].contains("Err(\"unknown order no-such-order\")"), "{seen:?}");
    // The confirmation is reported like any update.
    let confirmed = host.update(&id, strategy_sdk::OrderStatus::Open, Decimal::ZERO);
    guest.on_order_update(&mut host, &confirmed);
    let updates: Vec<&str> = host.decisions.iter().map(|d| d.reasoning.as_str()).collect();
    assert_eq!(updates, [format!("update {id} Open remaining=0.01")]);
}
