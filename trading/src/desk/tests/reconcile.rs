//! Recovery and reconciliation at the desk: the book of record reloaded on start, then each
//! case a venue can differ in (filled, partly filled and cancelled while the host was down,
//! an order the host does not know, a balance changed outside it) resolved by its rule and
//! reported.

use std::collections::BTreeMap;

use super::*;
use crate::brokers::Balances;

fn scripted() -> VenueId {
    VenueId::new("scripted")
}

fn connected(time_ms: TimeMs) -> VenueEvent {
    VenueEvent::Connected {
        venue: scripted(),
        time_ms,
    }
}

fn balances(btc: &str, time_ms: TimeMs) -> VenueEvent {
    VenueEvent::Balances(Balances {
        venue: scripted(),
        assets: BTreeMap::from([("BTC".to_owned(), dec(btc)), ("USD".to_owned(), dec("5000"))]),
        time_ms,
    })
}

fn report(id: &OrderId, state: VenueOrderState, filled: &str, fills: Vec<FillReport>, time_ms: TimeMs) -> OrderReport {
    OrderReport {
        id: id.clone(),
        venue_order_id: Some(VenueOrderId::new(&format!("O-{id}"))),
        state,
        filled_qty: dec(filled),
        qty: ReportedQty::Unknown,
        fills,
        time_ms,
    }
}

fn mass_status(open: Vec<OrderReport>, fills: Vec<FillReport>, time_ms: TimeMs) -> VenueEvent {
    VenueEvent::MassStatus(MassStatus {
        venue: scripted(),
        since_ms: 0,
        open,
        fills,
        time_ms,
    })
}

/// Four working buys of 1 (at 90, 80, 70, 60), placed and accepted by a desk on the file at
/// `path`, which then stops (the host went down).
fn four_working_orders(path: &std::path::Path, broker: &ScriptedBroker) -> Vec<OrderId> {
    let store = SqliteStore::open(path).unwrap();
    let mut desk = desk_with(RiskLimits::default(), Some(Box::new(store)), broker);
    let ids: Vec<OrderId> = ["90", "80", "70", "60"]
        .iter()
        .map(|price| {
            let id = desk
                .place_order(&alice(), order(Side::Buy, "1", limit(price)), 1)
                .unwrap();
            broker.push(accepted(&id, 1));
            id
        })
        .collect();
    desk.poll();
    ids
}

/// A new desk on the same file (the host restarted), restored before any venue event.
fn restarted(path: &std::path::Path, broker: &ScriptedBroker) -> Desk {
    let config = DeskConfig {
        order_id_prefix: "bu".into(),
        limits: RiskLimits::default(),
        trading_state: TradingState::Active,
    };
    let store = SqliteStore::open(path).unwrap();
    let mut desk = Desk::new(config, Box::new(broker.clone()), Some(Box::new(store))).unwrap();
    let restored = desk.restore().unwrap();
    assert_eq!(
        restored,
        Restored {
            books: 1,
            working_orders: 4
        }
    );
    desk
}

#[test]
fn a_restart_books_what_happened_while_down_settles_each_order_and_reports_every_difference() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite");
    let broker = ScriptedBroker::default();
    let ids = four_working_orders(&path, &broker);
    broker.script().submitted.clear();
    let mut desk = restarted(&path, &broker);
    assert_eq!(desk.open_orders(&alice()).count(), 4, "the working orders are back");
    assert_eq!(
        broker
            .script()
            .resumed
            .iter()
            .map(|o| (o.id.clone(), o.symbol.clone(), o.order_type))
            .collect::<Vec<_>>(),
        ["90", "80", "70", "60"]
            .iter()
            .zip(&ids)
            .map(|(price, id)| (id.clone(), btc(), limit(price)))
            .collect::<Vec<_>>(),
        "the port learns each order it did not place in this process"
    );
    assert!(desk.reconciliation(&scripted()).is_none());

    // 1. The order connection comes up: a pass starts; the venue's balances arrive (it holds
    //    0.25 BTC, deposited outside the host).
    broker.push_event(connected(10));
    broker.push_event(balances("1.75", 10));
    desk.poll();
    assert!(desk.is_reconciling(&scripted()));

    // 2. The mass status: the 90 filled (T1, listed twice), the 80 is open with half of it
    //    filled (its fill not listed), the 70 is gone, the 60 untouched, and X is an order
    //    the host never placed. The desk asks about the 80 and the 70.
    let unknown = OrderId::new("someone-else-1");
    broker.push_event(mass_status(
        vec![
            report(&ids[1], VenueOrderState::Open, "0.5", vec![], 11),
            report(&ids[3], VenueOrderState::Open, "0", vec![], 11),
            report(&unknown, VenueOrderState::Open, "0.1", vec![], 11),
        ],
        vec![
            fill_report(&ids[0], Some("T1"), "1", "90", "0", 5),
            fill_report(&ids[0], Some("T1"), "1", "90", "0", 5),
        ],
        11,
    ));
    desk.poll();
    assert_eq!(broker.script().queried, [ids[1].clone(), ids[2].clone()]);
    assert!(desk.reconciliation(&scripted()).is_none(), "two answers are still owed");
    assert!(
        broker.script().cancelled.is_empty(),
        "an unknown order is only reported by default"
    );

    // 3. The answers: the 80's fill (T2, half), the 70 cancelled at the venue.
    broker.push(Execution::Status(report(
        &ids[1],
        VenueOrderState::Open,
        "0.5",
        vec![fill_report(&ids[1], Some("T2"), "0.5", "80", "0", 6)],
        12,
    )));
    broker.push(Execution::Status(report(
        &ids[2],
        VenueOrderState::Cancelled,
        "0",
        vec![],
        12,
    )));
    desk.poll();
    let report = desk.reconciliation(&scripted()).expect("every answer is in").clone();
    assert!(!desk.is_reconciling(&scripted()));
    assert_eq!(
        (report.trigger, report.started_ms, report.completed_ms),
        (Trigger::Start, 10, 12)
    );
    assert_eq!(
        report.counts,
        ReconciliationCounts {
            working_before: 4,
            open_at_venue: 3,
            matched: 1,
            fills_booked: 2,
            queried: 2,
        }
    );
    assert_eq!(
        report.differences,
        [
            Difference::Filled {
                id: ids[0].clone(),
                strategy: alice(),
                qty: dec("1")
            },
            Difference::PartiallyFilled {
                id: ids[1].clone(),
                strategy: alice(),
                qty: dec("0.5")
            },
            Difference::Cancelled {
                id: ids[2].clone(),
                strategy: alice(),
                filled_qty: dec("0")
            },
            Difference::UnknownOrder {
                id: unknown,
                venue_order_id: Some(VenueOrderId::new("O-someone-else-1")),
                filled_qty: dec("0.1"),
                action: UnknownOrderAction::Reported
            },
            Difference::Balance {
                asset: "BTC".into(),
                venue: dec("1.75"),
                books: dec("1.5")
            },
        ]
    );
    assert_eq!(
        report.differences.iter().map(|d| d.rule()).collect::<Vec<_>>(),
        [
            Rule::FillsBooked,
            Rule::FillsBooked,
            Rule::SettledByVenue,
            Rule::Reported,
            Rule::BooksKept
        ]
    );
    assert_eq!(report.balances, BalanceCheck::Compared { time_ms: 10 });

    // The books: 1.5 bought, each fill once; the strategy hears of every change; nothing was
    // sent again.
    assert_eq!(desk.position(&alice(), &btc()).qty, dec("1.5"));
    let updates = drain(&mut desk);
    assert_eq!(
        updates
            .iter()
            .map(|u| (u.order_id.clone(), u.status))
            .collect::<Vec<_>>(),
        [
            (ids[0].clone(), OrderStatus::Filled),
            (ids[1].clone(), OrderStatus::PartiallyFilled),
            (ids[2].clone(), OrderStatus::Cancelled),
        ]
    );
    assert!(broker.script().submitted.is_empty());
}

#[test]
fn an_order_whose_answer_was_lost_before_a_restart_and_the_venue_never_had_is_settled_as_never_reached() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite");
    let broker = ScriptedBroker::default();
    // 1. An order is sent and the host stops before any answer: in flight in the book.
    let id = {
        let store = SqliteStore::open(&path).unwrap();
        let mut desk = desk_with(RiskLimits::default(), Some(Box::new(store)), &broker);
        desk.place_order(&alice(), order(Side::Buy, "1", limit("90")), 1)
            .unwrap()
    };
    let config = DeskConfig {
        order_id_prefix: "bu".into(),
        limits: RiskLimits::default(),
        trading_state: TradingState::Active,
    };
    let store = SqliteStore::open(&path).unwrap();
    let mut desk = Desk::new(config, Box::new(broker.clone()), Some(Box::new(store))).unwrap();
    desk.restore().unwrap();
    assert_eq!(desk.order(&id).unwrap().state(), &OrderState::PendingNew);
    // 2. The venue does not list it, and says it never had it.
    broker.push_event(connected(10));
    broker.push_event(mass_status(vec![], vec![], 11));
    desk.poll();
    assert_eq!(broker.script().queried, std::slice::from_ref(&id));
    broker.push(Execution::Status(report(
        &id,
        VenueOrderState::NotFound,
        "0",
        vec![],
        12,
    )));
    desk.poll();
    let report = desk.reconciliation(&scripted()).unwrap();
    assert_eq!(
        report.differences,
        [Difference::NeverReached {
            id: id.clone(),
            strategy: alice()
        }]
    );
    assert_eq!(report.differences[0].rule(), Rule::SettledByVenue);
    assert_eq!(desk.order(&id).unwrap().status(), OrderStatus::Rejected);
    assert_eq!(broker.script().submitted.len(), 1, "never sent again");
}

/// Found by the crash test (`host/tests/crash.rs`): a host killed after writing an order's
/// `pending_cancel` and before its cancel left came back with the order open at the venue and
/// `pending_cancel` in the books, waiting for an answer to a request the venue never got.
#[test]
fn a_cancel_lost_in_a_crash_is_asked_again_once_the_venue_is_reconciled() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite");
    let broker = ScriptedBroker::default();
    // 1. The order is accepted and its cancel written; the cancel never reaches the venue.
    let ids = four_working_orders(&path, &broker);
    {
        let store = SqliteStore::open(&path).unwrap();
        let mut desk = Desk::new(
            DeskConfig {
                order_id_prefix: "bu".into(),
                limits: RiskLimits::default(),
                trading_state: TradingState::Active,
            },
            Box::new(broker.clone()),
            Some(Box::new(store)),
        )
        .unwrap();
        desk.restore().unwrap();
        desk.cancel_order(&alice(), &ids[0], 5).unwrap();
    }
    broker.script().cancelled.clear();
    let mut desk = restarted(&path, &broker);
    assert!(matches!(
        desk.order(&ids[0]).unwrap().state(),
        OrderState::PendingCancel { .. }
    ));

    // 2. The venue lists all four open: the lost cancel is sent again, and only it.
    broker.push_event(connected(10));
    let open = ids
        .iter()
        .map(|id| report(id, VenueOrderState::Open, "0", vec![], 11))
        .collect();
    broker.push_event(mass_status(open, vec![], 11));
    desk.poll();
    let report = desk.reconciliation(&scripted()).expect("the pass is complete");
    assert_eq!(report.counts.matched, 4);
    assert_eq!(broker.script().cancelled, std::slice::from_ref(&ids[0]));

    // 3. The venue confirms: the order is cancelled, and nothing is sent again.
    broker.push(Execution::Cancelled {
        id: ids[0].clone(),
        reason: None,
        time_ms: 12,
    });
    desk.poll();
    desk.poll();
    assert_eq!(desk.order(&ids[0]).unwrap().status(), OrderStatus::Cancelled);
    assert_eq!(broker.script().cancelled.len(), 1);
}

/// Found by the crash soak (`host/tests/crash.rs`): a host killed after sending an amend and
/// before booking its confirmation came back with the venue's order at the amended quantity
/// and the books at the old one, so a fill past the old quantity was refused as an overfill.
#[test]
fn an_amend_lost_in_a_crash_is_taken_from_the_venue_before_its_fills_are_booked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite");
    let broker = ScriptedBroker::default();
    let ids = four_working_orders(&path, &broker);
    let mut desk = restarted(&path, &broker);
    // The venue holds the first buy at 2 (amended from 1) with 1.5 of it filled while the host
    // was down.
    broker.push_event(connected(10));
    let mut amended = report(&ids[0], VenueOrderState::Open, "1.5", vec![], 11);
    amended.qty = ReportedQty::Whole(dec("2"));
    let mut open = vec![amended];
    open.extend(
        ids[1..]
            .iter()
            .map(|id| report(id, VenueOrderState::Open, "0", vec![], 11)),
    );
    broker.push_event(mass_status(
        open,
        vec![fill_with_trade_report(&ids[0], "T1", "1.5", "90", 11)],
        11,
    ));
    desk.poll();
    let order = desk.order(&ids[0]).unwrap();
    assert_eq!((order.request().qty, order.filled_qty()), (dec("2"), dec("1.5")));
    assert_eq!(order.status(), OrderStatus::PartiallyFilled);
    assert_eq!(desk.position(&alice(), &btc()).qty, dec("1.5"));
    drop(desk);
    // The book of record holds the venue's quantity too.
    let store = SqliteStore::open(&path).unwrap();
    let working = store.load_working_orders().unwrap();
    let kept = working.iter().find(|o| o.id() == &ids[0]).unwrap();
    assert_eq!(kept.request().qty, dec("2"));
}

/// Binance amends by cancel-replace: a new venue order for what was left, under the same client
/// id. After a restart its adapter no longer knows what the orders before it filled, so it
/// reports what its order did not fill, and the desk puts that on top of every fill of the host
/// order: the books are the venue's whether or not the amend's answer was lost.
#[test]
fn an_amend_lost_in_a_crash_is_taken_from_what_the_venue_left_unfilled_on_top_of_every_fill() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite");
    let broker = ScriptedBroker::default();
    let ids = four_working_orders(&path, &broker);
    let mut desk = restarted(&path, &broker);
    // The first buy (1) filled 0.25 as the venue's first order, was replaced by one for 1.75
    // (amended to 2), and 0.5 of that filled, all while the host was down.
    broker.push_event(connected(10));
    let mut replaced = report(
        &ids[0],
        VenueOrderState::Open,
        "0.5",
        vec![fill_with_trade_report(&ids[0], "T2", "0.5", "90", 11)],
        11,
    );
    replaced.qty = ReportedQty::Unfilled(dec("1.25"));
    let mut open = vec![replaced.clone()];
    open.extend(
        ids[1..]
            .iter()
            .map(|id| report(id, VenueOrderState::Open, "0", vec![], 11)),
    );
    let loose = vec![
        fill_with_trade_report(&ids[0], "T1", "0.25", "90", 11),
        fill_with_trade_report(&ids[0], "T2", "0.5", "90", 11),
    ];
    broker.push_event(mass_status(open.clone(), loose.clone(), 11));
    desk.poll();
    let order = desk.order(&ids[0]).unwrap();
    assert_eq!((order.request().qty, order.filled_qty()), (dec("2"), dec("0.75")));
    assert_eq!(order.status(), OrderStatus::PartiallyFilled);
    assert_eq!(desk.position(&alice(), &btc()).qty, dec("0.75"));

    // The same status again (a reconnect): nothing is booked twice and the quantity stays.
    broker.push_event(connected(20));
    broker.push_event(mass_status(open, loose, 21));
    desk.poll();
    let order = desk.order(&ids[0]).unwrap();
    assert_eq!((order.request().qty, order.filled_qty()), (dec("2"), dec("0.75")));
    assert_eq!(desk.position(&alice(), &btc()).qty, dec("0.75"));
}

#[test]
fn an_unknown_order_is_cancelled_when_the_venue_says_so_once_its_port_takes_requests() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    desk.set_unknown_orders(&scripted(), UnknownOrders::Cancel).unwrap();
    assert!(matches!(
        desk.set_unknown_orders(&VenueId::new("nowhere"), UnknownOrders::Cancel),
        Err(DeskError::UnknownVenue { .. })
    ));
    // 1. The mass status lists an order the host does not know while the port still refuses
    //    requests (its order path reconciling): the cancel is owed, and the pass is complete.
    let unknown = OrderId::new("someone-else-1");
    broker.script().refuse_cancel = Some(PortError::NotSent("reconciling".into()));
    broker.push_event(mass_status(
        vec![report(&unknown, VenueOrderState::Open, "0", vec![], 5)],
        vec![],
        5,
    ));
    desk.poll();
    let report = desk.reconciliation(&scripted()).unwrap();
    assert_eq!(report.differences[0].rule(), Rule::CancelRequested);
    assert_eq!(report.balances, BalanceCheck::NotReported);
    assert_eq!(
        broker.script().cancelled,
        std::slice::from_ref(&unknown),
        "tried once, not sent"
    );
    // 2. The next poll sends it, once.
    desk.poll();
    desk.poll();
    assert_eq!(broker.script().cancelled, [unknown.clone(), unknown]);
}

#[test]
fn a_reconnect_reconciles_again_and_balances_that_come_after_the_orders_are_compared() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 1)
        .unwrap();
    broker.push(accepted(&id, 1));
    broker.push(fill_with_trade(&id, "T1", "0.25", "90", 2));
    desk.poll();
    // 1. The first connection: the venue agrees, and has reported no balances yet.
    broker.push_event(connected(3));
    broker.push_event(mass_status(
        vec![report(&id, VenueOrderState::Open, "0.25", vec![], 4)],
        vec![],
        4,
    ));
    desk.poll();
    let first = desk.reconciliation(&scripted()).unwrap().clone();
    assert_eq!((first.trigger, first.counts.matched), (Trigger::Start, 1));
    assert!(first.differences.is_empty());
    assert_eq!(first.balances, BalanceCheck::NotReported);
    // 2. The balances come: 0.25 BTC, what the books hold: compared, no difference.
    broker.push_event(balances("0.25", 5));
    desk.poll();
    let compared = desk.reconciliation(&scripted()).unwrap();
    assert_eq!(compared.balances, BalanceCheck::Compared { time_ms: 5 });
    assert!(compared.differences.is_empty());
    // 3. A reconnect: the order filled meanwhile (its fill in the mass status), and someone
    //    took 0.1 BTC out of the account.
    broker.push_event(connected(6));
    broker.push_event(balances("0.9", 6));
    broker.push_event(mass_status(
        vec![],
        vec![fill_with_trade_report(&id, "T2", "0.75", "90", 5)],
        7,
    ));
    desk.poll();
    assert!(
        broker.script().queried.is_empty(),
        "a filled order needs no question: the fills settle it"
    );
    let again = desk.reconciliation(&scripted()).unwrap();
    assert_eq!(again.trigger, Trigger::Reconnect);
    assert_eq!(
        again.differences,
        [
            Difference::Filled {
                id: id.clone(),
                strategy: alice(),
                qty: dec("0.75")
            },
            Difference::Balance {
                asset: "BTC".into(),
                venue: dec("0.9"),
                books: dec("1")
            },
        ]
    );
}

#[test]
fn balances_are_compared_with_the_books_of_the_strategies_on_that_venue_only() {
    let broker = ScriptedBroker::default();
    let other = ScriptedBroker::named("other");
    let mut desk = desk(&broker);
    desk.add_venue(Box::new(other.clone())).unwrap();
    let bob = StrategyId::new("bob");
    desk.register_strategy_on(&bob, Some(&VenueId::new("other")), dec("10000"))
        .unwrap();
    // Bob holds 1 BTC on the other venue; alice holds none here, and neither does the venue.
    let id = desk.place_order(&bob, order(Side::Buy, "1", limit("100")), 1).unwrap();
    other.push(accepted(&id, 1));
    other.push(fill_with_trade(&id, "T1", "1", "100", 2));
    desk.poll();
    assert_eq!(desk.position(&bob, &btc()).qty, dec("1"));
    broker.push_event(connected(3));
    broker.push_event(balances("0", 3));
    broker.push_event(mass_status(vec![], vec![], 4));
    desk.poll();
    let report = desk.reconciliation(&scripted()).unwrap();
    assert_eq!(report.balances, BalanceCheck::Compared { time_ms: 3 });
    assert!(report.differences.is_empty(), "{report:?}");
}

#[test]
fn a_simulated_venue_is_never_reconciled() {
    let sim = SimBroker::new(SimConfig::default()).unwrap();
    let config = DeskConfig {
        order_id_prefix: "bt".into(),
        limits: RiskLimits::default(),
        trading_state: TradingState::Active,
    };
    let mut desk = Desk::new(config, Box::new(sim), None).unwrap();
    let venue = desk.venues().next().unwrap().clone();
    desk.request_mass_status(&venue, 0).unwrap();
    desk.poll();
    assert!(desk.reconciliation(&venue).is_none());
}

#[test]
fn the_unknown_orders_rule_reads_its_config_words() {
    assert_eq!(UnknownOrders::default(), UnknownOrders::Report);
    for rule in UnknownOrders::ALL {
        assert_eq!(UnknownOrders::parse(rule.code()), Some(rule));
    }
    assert_eq!(UnknownOrders::parse("adopt"), None);
}

fn fill_with_trade_report(id: &OrderId, trade_id: &str, qty: &str, price: &str, time_ms: TimeMs) -> FillReport {
    fill_report(id, Some(trade_id), qty, price, "0", time_ms)
}
