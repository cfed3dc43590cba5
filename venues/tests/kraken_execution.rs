//! The Kraken execution port against the local Kraken (`local-venues/kraken`), over real
//! sockets on 127.0.0.1: orders go by client order id and come back with Kraken's ids, every
//! execution maps onto the seam, rejects are typed, the rate counter refuses before Kraken
//! would, a lost reply is settled by a query, and closing disarms the dead-man switch.

use std::sync::Arc;
use std::time::Duration;

use local_kraken::{LocalKraken, LocalKrakenConfig, Target};
use rust_decimal::Decimal;
use trading::brokers::{
    AmendOrder, Doorbell, Execution, ExecutionPort, NewOrder, PortError, RejectKind, VenueEvent, VenueOrderState,
};
use trading::market::{Side, Symbol};
use trading::orders::{OrderId, OrderType, VenueId};
use venues::kit::{BackoffConfig, NoObserver};
use venues::kraken::execution::{Credentials, KrakenExecution, KrakenExecutionConfig};

#[path = "support/port.rs"]
mod port;

const START_MS: i64 = 1_704_067_200_000;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn btc() -> Symbol {
    Symbol::new("BTC/USD").unwrap()
}

struct Rig {
    kraken: LocalKraken,
    runtime: tokio::runtime::Runtime,
    port: KrakenExecution,
    events: Vec<VenueEvent>,
}

fn rig() -> Rig {
    rig_with(|_| {})
}

fn rig_with(adjust: impl FnOnce(&mut KrakenExecutionConfig)) -> Rig {
    let kraken = LocalKraken::start(LocalKrakenConfig {
        start_time_ms: Some(START_MS),
        ..LocalKrakenConfig::default()
    })
    .unwrap();
    kraken
        .book_snapshot("BTC/USD", &[(d("29990.0"), d("5"))], &[(d("30020.0"), d("5"))])
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut config = KrakenExecutionConfig {
        venue: VenueId::new("kraken"),
        rest_url: kraken.rest_url(),
        ws_private_url: kraken.ws_private_url(),
        request_timeout: Duration::from_millis(400),
        dead_man: Some(Duration::from_secs(60)),
        backoff: BackoffConfig {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(100),
            ..BackoffConfig::default()
        },
        ..KrakenExecutionConfig::default()
    };
    adjust(&mut config);
    let credentials = Credentials::new(kraken.api_key(), kraken.api_secret()).unwrap();
    let port = KrakenExecution::start(
        config,
        credentials,
        runtime.handle(),
        Doorbell::new(),
        Arc::new(NoObserver),
    );
    let mut rig = Rig {
        kraken,
        runtime,
        port,
        events: Vec::new(),
    };
    rig.wait_for("the first mass status", |e| matches!(e, VenueEvent::MassStatus(_)));
    rig.wait_open();
    rig
}

impl Rig {
    /// Polls the port until an event matches; returns it (every event seen stays in `events`).
    fn wait_for(&mut self, what: &str, matches: impl Fn(&VenueEvent) -> bool) -> VenueEvent {
        port::wait_for_event(&mut self.port, &mut self.events, 0, what, matches)
    }

    fn wait_for_execution(&mut self, what: &str, matches: impl Fn(&Execution) -> bool) -> Execution {
        port::wait_for_execution(&mut self.port, &mut self.events, what, matches)
    }

    /// Waits until orders go (the mass status after a connect is out).
    fn wait_open(&mut self) {
        let monitor = self.port.monitor();
        port::wait_until("the order path to open", || {
            monitor.status().path == venues::kraken::execution::OrderPath::Open
        });
    }
}

fn order(id: &str, side: Side, qty: &str, order_type: OrderType) -> NewOrder {
    NewOrder {
        id: OrderId::new(id),
        symbol: btc(),
        side,
        qty: d(qty),
        order_type,
        time_in_force: trading::orders::TimeInForce::Gtc,
        post_only: false,
        time_ms: START_MS,
    }
}

#[test]
fn an_order_rests_is_amended_cancelled_and_a_market_order_fills_with_krakens_ids_and_fees() {
    let mut rig = rig();
    let limit = order("t1-1", Side::Buy, "0.01", OrderType::Limit(d("15000.0")));
    rig.port.submit(limit).unwrap();
    let accepted = rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    let Execution::Accepted {
        id,
        venue_order_id: Some(venue_order_id),
        ..
    } = accepted
    else {
        panic!("accepted without Kraken's id: {accepted:?}");
    };
    assert_eq!(id, OrderId::new("t1-1"));
    let at_venue = rig
        .kraken
        .order(venue_order_id.as_str())
        .expect("Kraken has it by that id");
    assert_eq!(at_venue.cl_ord_id.as_deref(), Some("t1-1"));

    rig.port
        .amend(AmendOrder {
            id: OrderId::new("t1-1"),
            symbol: btc(),
            qty: d("0.02"),
            limit_price: Some(d("16000.0")),
            filled_qty: Decimal::ZERO,
            time_ms: START_MS,
        })
        .unwrap();
    let amended = rig.wait_for_execution("the amend", |e| matches!(e, Execution::Amended { .. }));
    assert!(
        matches!(&amended, Execution::Amended { qty, limit_price: Some(p), .. } if *qty == d("0.02") && *p == d("16000.0")),
        "{amended:?}"
    );
    rig.port.cancel(&OrderId::new("t1-1"), START_MS).unwrap();
    rig.wait_for_execution("the cancel", |e| matches!(e, Execution::Cancelled { .. }));

    rig.port
        .submit(order("t1-2", Side::Buy, "0.01", OrderType::Market))
        .unwrap();
    let fill = rig.wait_for_execution("the fill", |e| matches!(e, Execution::Filled(_)));
    let Execution::Filled(fill) = fill else { unreachable!() };
    let venue_fill = rig.kraken.fills().pop().unwrap();
    assert_eq!(fill.id, OrderId::new("t1-2"));
    assert_eq!(
        fill.trade_id.as_ref().map(|t| t.as_str().to_owned()),
        Some(venue_fill.trade_id.to_string())
    );
    assert_eq!(
        (fill.qty, fill.price, fill.fee),
        (venue_fill.qty, venue_fill.price, venue_fill.fee)
    );
    assert_eq!(fill.fee_asset.as_deref(), Some("USD"));
    let balances = rig.wait_for(
        "balances after the fill",
        |e| matches!(e, VenueEvent::Balances(b) if b.assets.get("BTC") == Some(&d("0.01"))),
    );
    let VenueEvent::Balances(balances) = balances else {
        unreachable!()
    };
    assert_eq!(
        balances
            .assets
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
        rig.kraken.balances()
    );
}

#[test]
fn rejects_are_typed_and_the_rate_counter_refuses_before_kraken_would() {
    let mut rig = rig();
    rig.port
        .submit(order("t2-1", Side::Buy, "10", OrderType::Limit(d("20000.0"))))
        .unwrap();
    let rejected = rig.wait_for_execution("the reject", |e| matches!(e, Execution::Rejected { .. }));
    let Execution::Rejected { reason, .. } = rejected else {
        unreachable!()
    };
    assert_eq!(reason.kind, RejectKind::InsufficientFunds, "{reason}");

    // The starter tier's counter holds 60; one add is 1 and it decays 1/s. One add was spent.
    let mut refused = None;
    for n in 0..70 {
        let order = order(&format!("t2-r{n}"), Side::Buy, "0.001", OrderType::Limit(d("10000.0")));
        if let Err(e) = rig.port.submit(order) {
            refused = Some((n, e));
            break;
        }
    }
    let (n, error) = refused.expect("refused within 70 adds");
    assert!((58..=61).contains(&n), "refused at add {n}");
    assert!(
        matches!(&error, PortError::Refused(r) if r.kind == RejectKind::RateLimited),
        "{error}"
    );
    rig.wait_for("the last accepted add", |e| {
        matches!(e, VenueEvent::Execution(Execution::Accepted { id, .. }) if id.as_str() == format!("t2-r{}", n - 1))
    });
    assert_eq!(
        rig.kraken.orders_accepted(&format!("t2-r{n}")),
        0,
        "the refused add was not sent"
    );
}

#[test]
fn an_order_whose_reply_was_lost_is_settled_by_a_query_and_placed_once() {
    let mut rig = rig();
    rig.kraken.lose_next_add_order_reply(true);
    rig.port
        .submit(order("t3-1", Side::Buy, "0.01", OrderType::Market))
        .unwrap();
    let status = rig.wait_for_execution("the order's status", |e| matches!(e, Execution::Status(_)));
    let Execution::Status(report) = status else {
        unreachable!()
    };
    assert_eq!(report.state, VenueOrderState::Filled);
    assert_eq!(report.filled_qty, d("0.01"));
    assert_eq!(report.fills.len(), 1, "{report:?}");
    assert_eq!(
        report.fills[0].trade_id.as_ref().map(|t| t.as_str().to_owned()),
        Some(rig.kraken.fills()[0].trade_id.to_string()),
        "the same trade id as executions, so the desk books it once"
    );
    assert_eq!(rig.kraken.orders_accepted("t3-1"), 1);
    rig.wait_open();
    assert_eq!(
        rig.kraken.orders_accepted("t3-1"),
        1,
        "not sent again after the reconnect"
    );

    // An order the venue never had is reported as not found.
    rig.port
        .query_order(&OrderId::new("t3-none"), &btc(), START_MS)
        .unwrap();
    let missing = rig.wait_for_execution(
        "the unknown order's status",
        |e| matches!(e, Execution::Status(r) if r.id.as_str() == "t3-none"),
    );
    assert!(matches!(missing, Execution::Status(r) if r.state == VenueOrderState::NotFound));
}

#[test]
fn a_dropped_socket_reconnects_with_a_fresh_token_and_closing_disarms_the_dead_man_switch() {
    let mut rig = rig();
    assert!(rig.kraken.dead_man_deadline_ms().is_some(), "armed while connected");
    let tokens = rig.kraken.tokens_issued();
    rig.kraken.reject_token_requests(1);
    rig.kraken.drop_connections(Target::Private);
    rig.wait_for("the disconnect", |e| matches!(e, VenueEvent::Disconnected { .. }));
    rig.wait_for("the reconnect", |e| matches!(e, VenueEvent::Connected { .. }));
    rig.wait_open();
    assert!(
        rig.kraken.tokens_issued() > tokens,
        "a fresh token for the new connection"
    );

    rig.port.close(Duration::from_secs(5));
    assert_eq!(rig.kraken.dead_man_deadline_ms(), None, "disarmed by a clean close");
    drop(rig.port);
    rig.runtime.shutdown_timeout(Duration::from_secs(1));
}

#[test]
fn while_the_socket_is_down_orders_are_refused_or_go_over_rest_when_configured() {
    for rest_orders_when_down in [false, true] {
        let mut rig = rig_with(|config| config.rest_orders_when_down = rest_orders_when_down);
        // No token for a while: the socket stays down.
        rig.kraken.reject_token_requests(10_000);
        rig.kraken.drop_connections(Target::Private);
        rig.wait_for("the disconnect", |e| matches!(e, VenueEvent::Disconnected { .. }));
        let sent = rig.port.submit(order("t5-1", Side::Buy, "0.01", OrderType::Market));
        if !rest_orders_when_down {
            assert!(matches!(sent, Err(PortError::NotSent(_))), "{sent:?}");
            assert_eq!(rig.kraken.orders_accepted("t5-1"), 0);
            continue;
        }
        sent.unwrap();
        let accepted = rig.wait_for_execution("the REST acceptance", |e| matches!(e, Execution::Accepted { .. }));
        let Execution::Accepted {
            venue_order_id: Some(venue_order_id),
            ..
        } = accepted
        else {
            panic!("accepted without Kraken's id: {accepted:?}");
        };
        let at_venue = rig.kraken.order(venue_order_id.as_str()).expect("placed over REST");
        assert_eq!(at_venue.cl_ord_id.as_deref(), Some("t5-1"));
        assert_eq!(rig.kraken.orders_accepted("t5-1"), 1);
    }
}

#[test]
fn a_stop_limit_goes_as_krakens_stop_loss_limit_and_fills_once_a_trade_triggers_it_and_fok_is_refused() {
    let mut rig = rig();
    rig.kraken
        .trade("BTC/USD", local_kraken::Side::Buy, d("30000.0"), d("0.1"))
        .unwrap();
    let stop_limit = OrderType::StopLimit {
        trigger: d("31000.0"),
        limit: d("31100.0"),
    };
    rig.port.submit(order("t6-1", Side::Buy, "0.01", stop_limit)).unwrap();
    let accepted = rig.wait_for_execution("the stop's acceptance", |e| matches!(e, Execution::Accepted { .. }));
    let Execution::Accepted {
        venue_order_id: Some(venue_order_id),
        ..
    } = accepted
    else {
        panic!("{accepted:?}");
    };
    let at_venue = rig.kraken.order(venue_order_id.as_str()).unwrap();
    assert_eq!(
        (at_venue.order_type, at_venue.limit_price),
        (local_kraken::OrderType::StopLossLimit, Some(d("31100.0")))
    );
    // Below the trigger nothing happens; a trade at it fires the stop, whose limit then takes
    // the book's asks (at most its limit).
    rig.kraken
        .trade("BTC/USD", local_kraken::Side::Buy, d("30900.0"), d("0.1"))
        .unwrap();
    rig.kraken
        .trade("BTC/USD", local_kraken::Side::Buy, d("31000.0"), d("0.1"))
        .unwrap();
    let fill = rig.wait_for_execution("the triggered stop's fill", |e| matches!(e, Execution::Filled(_)));
    let Execution::Filled(fill) = fill else { unreachable!() };
    let venue_fill = rig.kraken.fills().pop().unwrap();
    assert_eq!(
        (fill.id.as_str(), fill.qty, fill.price),
        ("t6-1", venue_fill.qty, venue_fill.price)
    );
    assert!(fill.qty == d("0.01") && fill.price <= d("31100.0"), "{fill:?}");

    let fok = NewOrder {
        time_in_force: trading::orders::TimeInForce::Fok,
        ..order("t6-2", Side::Buy, "0.01", OrderType::Limit(d("15000.0")))
    };
    let refused = rig.port.submit(fok).unwrap_err();
    assert!(
        matches!(&refused, PortError::Refused(r) if r.kind == RejectKind::InvalidOrder && r.detail.contains("fill-or-kill")),
        "{refused}"
    );
    assert_eq!(rig.kraken.orders_accepted("t6-2"), 0, "nothing was sent");
}
