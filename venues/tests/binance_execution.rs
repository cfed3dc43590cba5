//! The Binance execution port against the local Binance (`local-venues/binance`), over real
//! sockets on 127.0.0.1: orders go by client order id over the WebSocket API and come back
//! with Binance's ids, fills and fees; both key types log on their way; Binance's refusals are
//! typed rejects; an amend is one cancel-replace; a reply lost is settled by a query and the
//! order never sent twice; a fill reaches the desk once across reconnects and rotations;
//! `eventStreamTerminated`, `serverShutdown` and `-1021` are recovered from.

use std::sync::Arc;
use std::time::Duration;

use local_binance::{Fault, LocalBinance, LocalBinanceConfig, OrderStatus};
use rust_decimal::Decimal;
use trading::brokers::{
    AmendOrder, Doorbell, Execution, ExecutionPort, FillReport, NewOrder, PortError, RejectKind, ReportedQty,
    ResumedOrder, VenueEvent, VenueOrderState,
};
use trading::market::{Side, Symbol};
use trading::orders::{OrderId, OrderType, TradeId, VenueId, VenueOrderId};
use venues::binance::execution::{BinanceExecution, BinanceExecutionConfig, Credentials, OrderPath, SigningKey};
use venues::kit::{BackoffConfig, NoObserver};

#[path = "support/port.rs"]
mod port;
use port::wait_until;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn btc() -> Symbol {
    Symbol::new("BTC/USDT").unwrap()
}

/// Which key the port signs with.
enum Key {
    Hmac,
    /// Read from a PEM file whose path is in an environment variable (named per test, since
    /// tests run side by side).
    Ed25519 {
        env_prefix: &'static str,
    },
}

struct Rig {
    binance: LocalBinance,
    /// Runs the port's task.
    runtime: tokio::runtime::Runtime,
    port: BinanceExecution,
    events: Vec<VenueEvent>,
}

fn exchange(adjust: impl FnOnce(&mut LocalBinanceConfig)) -> LocalBinance {
    let mut config = LocalBinanceConfig {
        running_clock: true,
        ..LocalBinanceConfig::default()
    };
    adjust(&mut config);
    let binance = LocalBinance::start(config).unwrap();
    binance
        .set_levels(
            "BTCUSDT",
            &[(d("29990"), d("1")), (d("29980"), d("2"))],
            &[(d("30010"), d("0.5")), (d("30020"), d("2"))],
        )
        .unwrap();
    binance
}

fn credentials(binance: &LocalBinance, key: &Key) -> Credentials {
    match key {
        Key::Hmac => {
            let (api_key, secret) = binance.hmac_key().unwrap();
            Credentials::new(&api_key, SigningKey::hmac(&secret))
        }
        Key::Ed25519 { env_prefix } => {
            let (api_key, pem) = binance.ed25519_key().unwrap();
            let path = std::env::temp_dir().join(format!("{env_prefix}-{}.pem", std::process::id()));
            std::fs::write(&path, pem).unwrap();
            let (key_var, secret_var, pem_var) = (
                format!("{env_prefix}_API_KEY"),
                format!("{env_prefix}_API_SECRET"),
                format!("{env_prefix}_PRIVATE_KEY_PATH"),
            );
            std::env::set_var(&key_var, api_key);
            std::env::set_var(&pem_var, &path);
            let credentials = Credentials::from_env(&key_var, &secret_var, &pem_var).unwrap();
            // Read once, at start: the file is not needed after.
            std::fs::remove_file(&path).unwrap();
            credentials
        }
    }
}

fn rig() -> Rig {
    rig_with(|_| {}, |_| {}, Key::Hmac)
}

fn rig_with(
    adjust_exchange: impl FnOnce(&mut LocalBinanceConfig),
    adjust: impl FnOnce(&mut BinanceExecutionConfig),
    key: Key,
) -> Rig {
    let binance = exchange(adjust_exchange);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mut config = BinanceExecutionConfig {
        venue: VenueId::new("binance"),
        rest_url: binance.rest_url(),
        ws_api_url: binance.ws_api_url(),
        request_timeout: Duration::from_millis(600),
        backoff: BackoffConfig {
            initial: Duration::from_millis(20),
            max: Duration::from_millis(100),
            ..BackoffConfig::default()
        },
        ..BinanceExecutionConfig::default()
    };
    adjust(&mut config);
    let port = BinanceExecution::start(
        config,
        credentials(&binance, &key),
        runtime.handle(),
        Doorbell::new(),
        Arc::new(NoObserver),
    );
    let mut rig = Rig {
        binance,
        runtime,
        port,
        events: Vec::new(),
    };
    rig.wait_for("the first mass status", |e| matches!(e, VenueEvent::MassStatus(_)));
    rig.wait_open();
    rig
}

impl Rig {
    /// Polls the port until an event after the `from`th matches; returns it (every event seen
    /// stays in `events`).
    fn wait_for_after(&mut self, from: usize, what: &str, matches: impl Fn(&VenueEvent) -> bool) -> VenueEvent {
        port::wait_for_event(&mut self.port, &mut self.events, from, what, matches)
    }

    fn wait_for(&mut self, what: &str, matches: impl Fn(&VenueEvent) -> bool) -> VenueEvent {
        self.wait_for_after(0, what, matches)
    }

    fn wait_for_execution(&mut self, what: &str, matches: impl Fn(&Execution) -> bool) -> Execution {
        port::wait_for_execution(&mut self.port, &mut self.events, what, matches)
    }

    /// A second port on the same account, as a restarted host starts one: it knows nothing
    /// of the first's orders until it is told.
    fn second_port(&self) -> BinanceExecution {
        let config = BinanceExecutionConfig {
            rest_url: self.binance.rest_url(),
            ws_api_url: self.binance.ws_api_url(),
            ..BinanceExecutionConfig::default()
        };
        BinanceExecution::start(
            config,
            credentials(&self.binance, &Key::Hmac),
            self.runtime.handle(),
            Doorbell::new(),
            Arc::new(NoObserver),
        )
    }

    /// Waits until orders go (the mass status after a connect is out).
    fn wait_open(&mut self) {
        let monitor = self.port.monitor();
        wait_until("the order path to open", || monitor.status().path == OrderPath::Open);
    }

    /// Every fill the desk was told of, whichever way: executions, status reports, mass
    /// statuses.
    fn fills(&mut self) -> Vec<FillReport> {
        self.port.poll(&mut self.events);
        let mut fills = Vec::new();
        for event in &self.events {
            match event {
                VenueEvent::Execution(Execution::Filled(fill)) => fills.push(fill.clone()),
                VenueEvent::Execution(Execution::Status(report)) => fills.extend(report.fills.iter().cloned()),
                VenueEvent::MassStatus(status) => {
                    fills.extend(status.fills.iter().cloned());
                }
                _ => {}
            }
        }
        fills
    }

    fn count(&mut self, matches: impl Fn(&VenueEvent) -> bool) -> usize {
        self.port.poll(&mut self.events);
        self.events.iter().filter(|e| matches(e)).count()
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
        time_ms: 0,
    }
}

/// An amend of `id`'s quantity to `qty` on BTC/USDT, the desk having booked `filled_qty`.
fn qty_amend(id: &str, qty: &str, filled_qty: Decimal) -> AmendOrder {
    AmendOrder {
        id: OrderId::new(id),
        symbol: btc(),
        qty: d(qty),
        limit_price: None,
        filled_qty,
        time_ms: 0,
    }
}

fn is_fill_of(id: &str) -> impl Fn(&Execution) -> bool + '_ {
    move |e| matches!(e, Execution::Filled(f) if f.id.as_str() == id)
}

#[test]
fn an_order_rests_fills_in_parts_and_is_cancelled_and_a_market_order_fills_with_binances_ids_and_fees() {
    let mut rig = rig();
    rig.port
        .submit(order("h-1", Side::Buy, "0.1", OrderType::Limit(d("29000"))))
        .unwrap();
    let accepted = rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    let venue_id = rig.binance.order("h-1").unwrap().order_id.to_string();
    assert_eq!(
        accepted,
        Execution::Accepted {
            id: OrderId::new("h-1"),
            venue_order_id: Some(VenueOrderId::new(&venue_id)),
            time_ms: match &accepted {
                Execution::Accepted { time_ms, .. } => *time_ms,
                _ => unreachable!(),
            },
        }
    );
    // A seller takes 0.04 through the order's price: it fills that much at its own price.
    rig.binance.trade("BTCUSDT", d("28990"), d("0.04"), true).unwrap();
    let Execution::Filled(fill) = rig.wait_for_execution("the partial fill", is_fill_of("h-1")) else {
        unreachable!()
    };
    let trade_id = rig.binance.account_trades()[0].id;
    assert_eq!(fill.trade_id, Some(TradeId::new(&format!("BTCUSDT-{trade_id}"))));
    assert_eq!((fill.price, fill.qty), (d("29000"), d("0.04")));
    assert_eq!((fill.fee, fill.fee_asset.as_deref()), (d("0.00004"), Some("BTC")));
    let balances = rig.wait_for(
        "the balances",
        |e| matches!(e, VenueEvent::Balances(b) if b.assets.get("BTC") == Some(&d("5.03996"))),
    );
    let VenueEvent::Balances(balances) = balances else {
        unreachable!()
    };
    assert_eq!(
        balances.assets["USDT"],
        d("100000") - d("0.04") * d("29000"),
        "free and locked"
    );
    rig.port.cancel(&OrderId::new("h-1"), 0).unwrap();
    rig.wait_for_execution(
        "the cancel",
        |e| matches!(e, Execution::Cancelled { id, .. } if id.as_str() == "h-1"),
    );
    assert_eq!(rig.binance.order("h-1").unwrap().status, OrderStatus::Canceled);
    // A market buy of 1 takes both ask levels.
    rig.port
        .submit(order("h-2", Side::Buy, "1", OrderType::Market))
        .unwrap();
    wait_until("both fills", || {
        rig.port.poll(&mut rig.events);
        rig.events
            .iter()
            .filter(|e| matches!(e, VenueEvent::Execution(x) if is_fill_of("h-2")(x)))
            .count()
            == 2
    });
    let fills: Vec<(Decimal, Decimal)> = rig
        .fills()
        .iter()
        .filter(|f| f.id.as_str() == "h-2")
        .map(|f| (f.price, f.qty))
        .collect();
    assert_eq!(fills, [(d("30010"), d("0.5")), (d("30020"), d("0.5"))]);
}

#[test]
fn an_amend_is_one_cancel_replace_the_desk_sees_as_an_amend_of_the_same_order() {
    let mut rig = rig();
    rig.port
        .submit(order("a-1", Side::Buy, "0.1", OrderType::Limit(d("29000"))))
        .unwrap();
    rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    rig.binance.trade("BTCUSDT", d("29000"), d("0.04"), true).unwrap();
    rig.wait_for_execution("the partial fill", is_fill_of("a-1"));
    rig.port
        .amend(AmendOrder {
            id: OrderId::new("a-1"),
            symbol: btc(),
            qty: d("0.2"),
            limit_price: Some(d("29100")),
            filled_qty: Decimal::ZERO,
            time_ms: 0,
        })
        .unwrap();
    let amended = rig.wait_for_execution("the amend", |e| matches!(e, Execution::Amended { .. }));
    assert!(matches!(amended, Execution::Amended { ref id, qty, limit_price, .. }
        if id.as_str() == "a-1" && qty == d("0.2") && limit_price == Some(d("29100"))));
    let open: Vec<_> = rig
        .binance
        .orders()
        .into_iter()
        .filter(|o| o.status.is_open())
        .collect();
    assert_eq!(open.len(), 1);
    assert_eq!(
        (open[0].client_order_id.as_str(), open[0].qty, open[0].price),
        ("a-1", d("0.16"), d("29100")),
        "the new order is for what was left, under the same client id"
    );
    let Execution::Amended { venue_order_id, .. } = amended else {
        unreachable!()
    };
    assert_eq!(
        venue_order_id,
        Some(VenueOrderId::new(&open[0].order_id.to_string())),
        "the desk learns Binance's id of the new order"
    );
    assert_eq!(
        rig.count(|e| matches!(e, VenueEvent::Execution(Execution::Cancelled { .. }))),
        0,
        "the replaced half's cancel is not the desk's"
    );
    rig.binance.trade("BTCUSDT", d("29100"), d("0.16"), true).unwrap();
    wait_until("the rest filled", || {
        rig.fills()
            .iter()
            .filter(|f| f.id.as_str() == "a-1")
            .map(|f| f.qty)
            .sum::<Decimal>()
            == d("0.2")
    });
    // An amend of an order Binance no longer has is refused, typed.
    rig.port.amend(qty_amend("a-1", "0.3", Decimal::ZERO)).unwrap();
    let refused = rig.wait_for_execution("the refused amend", |e| matches!(e, Execution::AmendRejected { .. }));
    assert!(matches!(refused, Execution::AmendRejected { reason, .. } if reason.kind == RejectKind::UnknownOrder));
}

#[test]
fn binances_refusals_are_typed_rejects_and_order_counts_are_refused_before_binance_would() {
    let mut rig = rig_with(|c| c.orders_per_10s = 5, |_| {}, Key::Hmac);
    let cases = [
        ("r-1", "0.1", "29000.001", RejectKind::PriceIncrement),
        ("r-2", "0.100001", "29000", RejectKind::QtyIncrement),
        ("r-3", "0.0001", "29000", RejectKind::BelowMinimum),
        ("r-4", "5", "29000", RejectKind::InsufficientFunds),
    ];
    for (id, qty, price, kind) in cases {
        rig.port
            .submit(order(id, Side::Buy, qty, OrderType::Limit(d(price))))
            .unwrap();
        let rejected = rig.wait_for_execution(
            id,
            |e| matches!(e, Execution::Rejected { id: x, .. } if x.as_str() == id),
        );
        let Execution::Rejected { reason, .. } = rejected else {
            unreachable!()
        };
        assert_eq!(reason.kind, kind, "{id}: {}", reason.detail);
    }
    // The order is filled, then a cancel of it finds nothing: -2011.
    rig.port
        .submit(order("r-5", Side::Buy, "0.01", OrderType::Market))
        .unwrap();
    rig.wait_for_execution("the fill", is_fill_of("r-5"));
    rig.port.cancel(&OrderId::new("r-5"), 0).unwrap();
    let refused = rig.wait_for_execution("the refused cancel", |e| matches!(e, Execution::CancelRejected { .. }));
    assert!(matches!(refused, Execution::CancelRejected { reason, .. } if reason.kind == RejectKind::UnknownOrder));
    // Five orders in ten seconds is the limit, and Binance has counted five.
    assert_eq!(rig.binance.order_places(), 5);
    let refused = rig
        .port
        .submit(order("r-6", Side::Buy, "0.01", OrderType::Limit(d("29000"))));
    assert!(
        matches!(&refused, Err(PortError::Refused(reason)) if reason.kind == RejectKind::RateLimited),
        "{refused:?}"
    );
    assert_eq!(rig.binance.order_places(), 5, "not sent");
    // A query of an order never sent: Binance never had it.
    rig.port.query_order(&OrderId::new("never"), &btc(), 0).unwrap();
    let status = rig.wait_for_execution("the status", |e| matches!(e, Execution::Status(_)));
    assert!(matches!(status, Execution::Status(r) if r.state == VenueOrderState::NotFound));
}

#[test]
fn a_418_stops_every_order_until_its_retry_after() {
    let mut rig = rig();
    rig.binance.arm_fault(Fault::RateLimit {
        status: 418,
        retry_after_ms: 60_000,
    });
    rig.port
        .submit(order("b-1", Side::Buy, "0.01", OrderType::Limit(d("29000"))))
        .unwrap();
    let rejected = rig.wait_for_execution("the refusal", |e| matches!(e, Execution::Rejected { .. }));
    assert!(matches!(rejected, Execution::Rejected { reason, .. } if reason.kind == RejectKind::RateLimited));
    let placed = rig.binance.order_places();
    for (n, attempt) in [
        rig.port
            .submit(order("b-2", Side::Buy, "0.01", OrderType::Limit(d("29000")))),
        rig.port.cancel(&OrderId::new("b-1"), 0),
    ]
    .into_iter()
    .enumerate()
    {
        assert!(
            matches!(&attempt, Err(PortError::Refused(reason)) if reason.kind == RejectKind::RateLimited),
            "{n}: {attempt:?}"
        );
    }
    assert_eq!(rig.binance.order_places(), placed, "nothing sent during the ban");
}

#[test]
fn an_order_executed_whose_reply_is_lost_is_settled_by_a_query_and_never_placed_twice() {
    let mut rig = rig();
    // The socket drops before the answer: the port reconnects and asks.
    rig.binance.arm_fault(Fault::ExecuteThenDrop);
    rig.port
        .submit(order("u-1", Side::Buy, "0.1", OrderType::Market))
        .unwrap();
    let status = rig.wait_for_execution("the settling status", |e| matches!(e, Execution::Status(_)));
    let Execution::Status(report) = status else {
        unreachable!()
    };
    assert_eq!(
        (report.id.as_str(), report.state.clone()),
        ("u-1", VenueOrderState::Filled)
    );
    assert_eq!(
        report.fills.len(),
        1,
        "the fill lost with the socket comes with the status"
    );
    assert_eq!(report.fills[0].qty, d("0.1"));
    rig.wait_open();
    // A 5xx-like -1007: the order is placed all the same; the port asks.
    rig.binance.arm_fault(Fault::ExecuteThenTimeout { status: 503 });
    rig.port
        .submit(order("u-2", Side::Buy, "0.1", OrderType::Limit(d("29000"))))
        .unwrap();
    rig.wait_for_execution(
        "the second status",
        |e| matches!(e, Execution::Status(r) if r.id.as_str() == "u-2"),
    );
    // Silence: the request times out; the port asks.
    rig.binance.arm_fault(Fault::ExecuteSilently);
    rig.port
        .submit(order("u-3", Side::Buy, "0.1", OrderType::Limit(d("28000"))))
        .unwrap();
    let status = rig.wait_for_execution(
        "the third status",
        |e| matches!(e, Execution::Status(r) if r.id.as_str() == "u-3"),
    );
    assert!(matches!(status, Execution::Status(r) if r.state == VenueOrderState::Open));
    assert_eq!(rig.binance.order_places(), 3, "each order was sent once");
    assert_eq!(
        rig.count(|e| matches!(e, VenueEvent::Execution(Execution::Rejected { .. }))),
        0,
        "an unknown outcome is not a reject"
    );
    let fills = rig.fills();
    let u1: Vec<_> = fills.iter().filter(|f| f.id.as_str() == "u-1").collect();
    assert_eq!(u1.len(), 1, "the lost fill reached the desk once: {u1:#?}");
}

#[test]
fn a_fill_reaches_the_desk_once_across_a_reconnect() {
    let mut rig = rig();
    rig.port
        .submit(order("f-1", Side::Sell, "0.2", OrderType::Limit(d("31000"))))
        .unwrap();
    rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    rig.binance.trade("BTCUSDT", d("31000"), d("0.05"), false).unwrap();
    rig.wait_for_execution("the fill", is_fill_of("f-1"));
    let before = rig.events.len();
    rig.binance.drop_api_connections();
    rig.wait_for_after(before, "the reconnect's mass status", |e| {
        matches!(e, VenueEvent::MassStatus(_))
    });
    rig.wait_open();
    let VenueEvent::MassStatus(status) = rig.wait_for_after(before, "", |e| matches!(e, VenueEvent::MassStatus(_)))
    else {
        unreachable!()
    };
    assert_eq!(status.open.len(), 1, "the order is still open");
    assert_eq!(status.open[0].filled_qty, d("0.05"));
    let f1: Vec<_> = rig.fills().into_iter().filter(|f| f.id.as_str() == "f-1").collect();
    assert_eq!(
        f1.len(),
        1,
        "the trade the mass status found again is not repeated: {f1:#?}"
    );
    assert_eq!(rig.count(|e| matches!(e, VenueEvent::Disconnected { .. })), 1);
    assert_eq!(rig.port.monitor().status().reconnects, 1);
}

#[test]
fn an_ed25519_key_logs_on_and_trades_an_hmac_key_subscribes_by_signature() {
    let mut rig = rig_with(
        |_| {},
        |_| {},
        Key::Ed25519 {
            env_prefix: "BINANCE_EXEC_TEST_ED25519",
        },
    );
    assert_eq!(rig.binance.session_logons(), 1);
    rig.port
        .submit(order("e-1", Side::Buy, "0.1", OrderType::Market))
        .unwrap();
    rig.wait_for_execution("the fill", is_fill_of("e-1"));
    let hmac = rig_with(|_| {}, |_| {}, Key::Hmac);
    assert_eq!(hmac.binance.session_logons(), 0, "HMAC keys cannot log on");
    assert_eq!(hmac.binance.user_data_subscribers(), 1);
}

#[test]
fn event_stream_terminated_resubscribes_and_reports_flow_again() {
    let mut rig = rig();
    assert_eq!(rig.binance.user_data_subscribers(), 1);
    rig.binance.terminate_user_streams();
    wait_until("the resubscription", || {
        rig.binance.user_data_subscribers() == 1 && rig.binance.api_connections() == 1
    });
    rig.port
        .submit(order("t-1", Side::Buy, "0.1", OrderType::Limit(d("29000"))))
        .unwrap();
    rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    rig.binance.trade("BTCUSDT", d("29000"), d("0.05"), true).unwrap();
    rig.wait_for_execution("the fill", is_fill_of("t-1"));
    // A fill as the stream ends again: the event, if the stream is gone, or the
    // reconciliation after the resubscription brings it, once.
    rig.binance.terminate_user_streams();
    rig.binance.trade("BTCUSDT", d("29000"), d("0.05"), true).unwrap();
    wait_until("both fills", || {
        rig.fills().iter().filter(|f| f.id.as_str() == "t-1").count() >= 2
    });
    wait_until("the second resubscription", || rig.binance.user_data_subscribers() == 1);
    let mut trades: Vec<TradeId> = rig
        .fills()
        .into_iter()
        .filter(|f| f.id.as_str() == "t-1")
        .filter_map(|f| f.trade_id)
        .collect();
    trades.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    assert_eq!(trades.len(), 2, "{trades:?}");
    assert_ne!(trades[0], trades[1], "two trades, each once");
    assert_eq!(rig.binance.api_connections_opened(), 1, "the same connection");
}

#[test]
fn server_shutdown_moves_to_a_new_connection_without_a_disconnect() {
    let mut rig = rig();
    rig.binance.api_server_shutdown();
    wait_until("the new connection", || {
        rig.binance.api_connections_opened() == 2 && rig.binance.api_connections() == 1
    });
    rig.port
        .submit(order("s-1", Side::Buy, "0.1", OrderType::Market))
        .unwrap();
    rig.wait_for_execution("the fill", is_fill_of("s-1"));
    assert_eq!(rig.count(|e| matches!(e, VenueEvent::Disconnected { .. })), 0);
}

#[test]
fn connections_rotate_before_their_lifetime_and_no_event_is_lost_or_doubled() {
    let mut rig = rig_with(
        |c| {
            c.ws_api_lifetime = Duration::from_secs(3);
            c.orders_per_10s = 100_000;
        },
        |c| c.connection_lifetime = Duration::from_millis(700),
        Key::Hmac,
    );
    let mut placed = 0;
    // Orders and fills go on without a pause while the connection is replaced three times.
    while rig.binance.api_connections_opened() < 4 {
        placed += 1;
        let id = format!("o-{placed}");
        rig.port
            .submit(order(&id, Side::Buy, "0.001", OrderType::Limit(d("29000"))))
            .unwrap();
        wait_until("the order at the exchange", || rig.binance.order(&id).is_some());
        rig.binance.trade("BTCUSDT", d("29000"), d("0.001"), true).unwrap();
        assert!(placed < 5_000, "the connection never rotated");
    }
    wait_until("every fill", || rig.fills().len() >= placed);
    let fills = rig.fills();
    for n in 1..=placed {
        let id = format!("o-{n}");
        assert_eq!(fills.iter().filter(|f| f.id.as_str() == id).count(), 1, "{id}");
        assert_eq!(
            rig.count(|e| matches!(e, VenueEvent::Execution(Execution::Accepted { id: x, .. }) if x.as_str() == id)),
            1,
            "{id}"
        );
    }
    assert_eq!(fills.len(), placed);
    assert_eq!(
        rig.count(|e| matches!(e, VenueEvent::Disconnected { .. })),
        0,
        "rotations, not reconnects"
    );
    assert_eq!(rig.binance.api_connections(), 1, "the old ones closed");
}

#[test]
fn a_timestamp_outside_recv_window_resyncs_the_clock_and_the_order_goes_once_more() {
    let mut rig = rig();
    // The exchange's clock jumps 10 s ahead: the port's offset is stale.
    rig.binance.advance_to(rig.binance.now_ms() + 10_000).unwrap();
    rig.port
        .submit(order("c-1", Side::Buy, "0.1", OrderType::Limit(d("29000"))))
        .unwrap();
    rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    assert_eq!(rig.binance.order_places(), 2, "refused once with -1021, then placed");
    assert_eq!(rig.binance.orders().len(), 1);
    assert_eq!(
        rig.count(|e| matches!(e, VenueEvent::Execution(Execution::Rejected { .. }))),
        0
    );
}

#[test]
fn while_the_websocket_api_is_down_an_unknown_outcome_is_settled_over_rest_signed_by_either_key() {
    for key in [
        Key::Hmac,
        Key::Ed25519 {
            env_prefix: "BINANCE_EXEC_TEST_ED25519_REST",
        },
    ] {
        settled_over_rest(key);
    }
}

fn settled_over_rest(key: Key) {
    let mut rig = rig_with(|_| {}, |_| {}, key);
    rig.binance.refuse_api_connections(true);
    rig.binance.arm_fault(Fault::ExecuteThenDrop);
    rig.port
        .submit(order("d-1", Side::Buy, "0.1", OrderType::Market))
        .unwrap();
    let status = rig.wait_for_execution("the settling status", |e| matches!(e, Execution::Status(_)));
    let Execution::Status(report) = status else {
        unreachable!()
    };
    assert_eq!((report.state, report.fills.len()), (VenueOrderState::Filled, 1));
    assert_eq!(
        rig.port.monitor().status().path,
        OrderPath::Down,
        "settled without the socket"
    );
    assert!(rig.binance.signed_rest_requests() >= 2, "order and myTrades over REST");
    let refused = rig.port.submit(order("d-2", Side::Buy, "0.1", OrderType::Market));
    assert!(matches!(refused, Err(PortError::NotSent(_))), "{refused:?}");
    rig.binance.refuse_api_connections(false);
    rig.wait_open();
    assert_eq!(rig.binance.order_places(), 1);
}

#[test]
fn an_order_placed_before_a_restart_is_asked_about_on_the_symbol_the_desk_names() {
    let mut rig = rig();
    rig.port
        .submit(order("p-1", Side::Buy, "0.1", OrderType::Limit(d("29000"))))
        .unwrap();
    rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    rig.binance.trade("BTCUSDT", d("29000"), d("0.03"), true).unwrap();
    rig.wait_for_execution("the fill", is_fill_of("p-1"));
    // A second port on the same account knows nothing of p-1, as after a restart.
    let mut restarted = rig.second_port();
    let mut events = Vec::new();
    port::wait_until("the restarted port to open", || {
        restarted.monitor().status().path == OrderPath::Open
    });
    restarted.query_order(&OrderId::new("p-1"), &btc(), 0).unwrap();
    let Execution::Status(report) = port::wait_for_execution(&mut restarted, &mut events, "the status", |e| {
        matches!(e, Execution::Status(_))
    }) else {
        unreachable!()
    };
    assert_eq!((report.state, report.filled_qty), (VenueOrderState::Open, d("0.03")));
    assert_eq!(report.fills.len(), 1, "with its trade");
    let venue_id = rig.binance.order("p-1").unwrap().order_id.to_string();
    assert_eq!(report.venue_order_id, Some(VenueOrderId::new(&venue_id)));
    restarted.query_order(&OrderId::new("never-placed"), &btc(), 0).unwrap();
    let none = port::wait_for_execution(
        &mut restarted,
        &mut events,
        "the second status",
        |e| matches!(e, Execution::Status(r) if r.id.as_str() == "never-placed"),
    );
    assert!(matches!(none, Execution::Status(r) if r.state == VenueOrderState::NotFound));
}

/// A cancel-replace makes a new Binance order for what was left. A restarted port knows the host
/// order from the books but not what the Binance orders before the working one filled, so its
/// mass status gives the quantity as what the working one left unfilled, for the desk to put on
/// top of every fill it booked, and the fills of both Binance orders as the host order's.
/// r-1, a 0.1 buy that filled 0.03, amended to 0.2 (a new Binance order for 0.17), then filled
/// 0.05 on that new order while no port listened: what a host killed after its amend finds.
/// Returns Binance's id of r-1's first order, which the books hold.
fn amended_then_filled_while_away(rig: &mut Rig) -> u64 {
    rig.port
        .submit(order("r-1", Side::Buy, "0.1", OrderType::Limit(d("29000"))))
        .unwrap();
    rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    let first = rig.binance.order("r-1").unwrap().order_id;
    rig.binance.trade("BTCUSDT", d("29000"), d("0.03"), true).unwrap();
    rig.wait_for_execution("the first fill", is_fill_of("r-1"));
    rig.port.amend(qty_amend("r-1", "0.2", Decimal::ZERO)).unwrap();
    rig.wait_for_execution("the amend", |e| matches!(e, Execution::Amended { .. }));
    let working = rig.binance.order("r-1").unwrap();
    assert_eq!((working.replaces, working.qty), (Some(first), d("0.17")));
    rig.port.close(Duration::from_secs(5));
    rig.binance.trade("BTCUSDT", d("29000"), d("0.05"), true).unwrap();
    first
}

/// What the books hold of r-1 after [`amended_then_filled_while_away`]: the host's 0.1, 0.03
/// filled, on Binance's first order.
fn r1_as_booked(first: u64) -> ResumedOrder {
    ResumedOrder {
        id: OrderId::new("r-1"),
        symbol: btc(),
        side: Side::Buy,
        order_type: OrderType::Limit(d("29000")),
        filled_qty: d("0.03"),
        venue_order_id: Some(VenueOrderId::new(&first.to_string())),
    }
}

/// The first mass status `port` gives the desk, which must be r-1 in the host's terms: what
/// its Binance order left unfilled, and both Binance orders' trades.
fn assert_mass_status_gives_r1_in_host_terms(port: &mut BinanceExecution, events: &mut Vec<VenueEvent>) {
    let VenueEvent::MassStatus(status) = port::wait_for_event(port, events, 0, "the mass status", |e| {
        matches!(e, VenueEvent::MassStatus(_))
    }) else {
        unreachable!()
    };
    let report = &status.open[0];
    assert_eq!(
        (report.id.as_str(), report.qty, report.filled_qty),
        ("r-1", ReportedQty::Unfilled(d("0.12")), d("0.05"))
    );
    let mut traded: Vec<Decimal> = status.fills.iter().map(|f| f.qty).collect();
    traded.sort();
    assert_eq!(traded, [d("0.03"), d("0.05")], "both Binance orders' trades are r-1's");
    assert!(status.fills.iter().all(|f| f.id.as_str() == "r-1"));
}

#[test]
fn a_resumed_order_amended_by_cancel_replace_reports_what_its_binance_order_left_unfilled() {
    let mut rig = rig();
    let first = amended_then_filled_while_away(&mut rig);
    let mut restarted = rig.second_port();
    restarted.resume(&[r1_as_booked(first)]);
    let mut events = Vec::new();
    assert_mass_status_gives_r1_in_host_terms(&mut restarted, &mut events);

    // Amended again, the new Binance order is for what is left after every fill the desk
    // booked (0.08), not only those the books held when the port resumed the order (0.03).
    restarted.amend(qty_amend("r-1", "0.3", d("0.08"))).unwrap();
    port::wait_for_execution(&mut restarted, &mut events, "the second amend", |e| {
        matches!(e, Execution::Amended { .. })
    });
    let working = rig.binance.order("r-1").unwrap();
    assert_eq!((working.qty, working.executed), (d("0.22"), Decimal::ZERO));
}

#[test]
fn a_mass_status_out_before_the_desk_resumed_its_orders_is_dropped_for_one_that_knows_them() {
    let mut rig = rig();
    let first = amended_then_filled_while_away(&mut rig);
    let mut restarted = rig.second_port();
    // The desk reads its book of record after its ports start: this port's first mass status,
    // asked knowing no order, is out before the desk tells it of r-1.
    let monitor = restarted.monitor();
    wait_until("the first mass status out", || monitor.status().path == OrderPath::Open);
    restarted.resume(&[r1_as_booked(first)]);
    let mut events = Vec::new();
    assert_mass_status_gives_r1_in_host_terms(&mut restarted, &mut events);
    std::thread::sleep(Duration::from_millis(300));
    restarted.poll(&mut events);
    let mass_statuses = events.iter().filter(|e| matches!(e, VenueEvent::MassStatus(_))).count();
    assert_eq!(mass_statuses, 1, "the desk gets only the mass status that knows r-1");
}

#[test]
fn the_mass_status_reads_every_page_of_an_orders_trades() {
    let mut rig = rig();
    rig.port
        .submit(order("m-1", Side::Buy, "2", OrderType::Limit(d("29000"))))
        .unwrap();
    rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    // More trades than one myTrades page holds.
    for _ in 0..1_001 {
        rig.binance.trade("BTCUSDT", d("29000"), d("0.001"), true).unwrap();
    }
    wait_until("every fill", || rig.fills().len() == 1_001);
    let before = rig.events.len();
    rig.binance.drop_api_connections();
    let VenueEvent::MassStatus(status) = rig.wait_for_after(before, "the reconnect's mass status", |e| {
        matches!(e, VenueEvent::MassStatus(_))
    }) else {
        unreachable!()
    };
    assert_eq!(status.open.len(), 1);
    assert_eq!(status.open[0].filled_qty, d("1.001"));
    assert_eq!(status.open[0].fills.len(), 1_001, "two pages");
    assert!(status.fills.is_empty(), "every one reached the desk already");
}

/// The position in `events` of the first event from `from` on that matches.
fn position_after(events: &[VenueEvent], from: usize, matches: impl Fn(&VenueEvent) -> bool) -> Option<usize> {
    events.iter().skip(from).position(matches).map(|i| i + from)
}

#[test]
fn every_connect_reports_the_accounts_balances_before_its_mass_status_and_over_rest_while_the_api_is_down() {
    let mut rig = rig();
    let account: std::collections::BTreeMap<String, Decimal> = rig
        .binance
        .balances()
        .into_iter()
        .filter(|(_, b)| !(b.free + b.locked).is_zero())
        .map(|(asset, b)| (asset, b.free + b.locked))
        .collect();
    assert!(
        account.len() >= 3,
        "the local account holds USDT, BTC and ETH: {account:?}"
    );
    let is_balances = |e: &VenueEvent| matches!(e, VenueEvent::Balances(_));
    let is_mass = |e: &VenueEvent| matches!(e, VenueEvent::MassStatus(_));
    let (balances, mass) = (
        position_after(&rig.events, 0, is_balances),
        position_after(&rig.events, 0, is_mass),
    );
    assert!(
        balances < mass && balances.is_some(),
        "balances first: {:?}",
        rig.events
    );
    let Some(VenueEvent::Balances(reported)) = balances.map(|i| &rig.events[i]) else {
        unreachable!()
    };
    assert_eq!(
        reported.assets, account,
        "every asset the account holds, free and locked"
    );

    // After a reconnect nothing is replayed: the balances are asked for again.
    let before = rig.events.len();
    rig.binance.drop_api_connections();
    rig.wait_for_after(before, "the reconnect's mass status", is_mass);
    let again = position_after(&rig.events, before, is_balances);
    assert!(again.is_some() && again < position_after(&rig.events, before, is_mass));

    // With the WebSocket API refusing connections, the mass status asks REST `account`.
    let rest_before = rig.binance.signed_rest_requests();
    let before = rig.events.len();
    rig.binance.refuse_api_connections(true);
    rig.binance.drop_api_connections();
    rig.port.mass_status(0).unwrap();
    rig.wait_for_after(before, "a mass status over REST", is_mass);
    assert!(position_after(&rig.events, before, is_balances).is_some());
    assert!(rig.binance.signed_rest_requests() > rest_before, "asked over REST");
}

#[test]
fn stops_go_as_binances_stop_loss_and_one_that_would_trigger_at_once_is_rejected_by_binance() {
    let mut rig = rig();
    rig.binance.trade("BTCUSDT", d("30000"), d("0.01"), true).unwrap();
    // The last price (30,000) is already at or below a sell stop at 31,000.
    rig.port
        .submit(order("s-1", Side::Sell, "0.1", OrderType::Stop(d("31000"))))
        .unwrap();
    let rejected = rig.wait_for_execution("the reject", |e| matches!(e, Execution::Rejected { .. }));
    assert!(
        matches!(&rejected, Execution::Rejected { reason, .. } if reason.detail.contains("Stop price would trigger immediately")),
        "{rejected:?}"
    );
    rig.port
        .submit(order("s-2", Side::Sell, "0.1", OrderType::Stop(d("29500"))))
        .unwrap();
    rig.wait_for_execution(
        "the stop's acceptance",
        |e| matches!(e, Execution::Accepted { id, .. } if id.as_str() == "s-2"),
    );
    let at_venue = rig.binance.order("s-2").unwrap();
    assert_eq!(at_venue.kind, local_binance::OrderKind::StopLoss);
    assert_eq!(at_venue.stop.map(|stop| stop.price), Some(d("29500")));
    // A trade at the stop fires it: a market sell into the bids.
    rig.binance.trade("BTCUSDT", d("29500"), d("0.01"), true).unwrap();
    wait_until("the stop filled", || {
        rig.port.poll(&mut rig.events);
        rig.fills()
            .iter()
            .filter(|f| f.id.as_str() == "s-2")
            .map(|f| f.qty)
            .sum::<Decimal>()
            == d("0.1")
    });
}

#[test]
fn a_quantity_decrease_is_amended_in_place_and_keeps_the_orders_place_in_the_queue() {
    let mut rig = rig();
    for id in ["k-1", "k-2"] {
        rig.port
            .submit(order(id, Side::Buy, "0.1", OrderType::Limit(d("29000"))))
            .unwrap();
        rig.wait_for_execution(
            "the acceptance",
            |e| matches!(e, Execution::Accepted { id: got, .. } if got.as_str() == id),
        );
    }
    let venue_id = rig.binance.order("k-1").unwrap().order_id;
    rig.port.amend(qty_amend("k-1", "0.05", Decimal::ZERO)).unwrap();
    let amended = rig.wait_for_execution("the amend", |e| matches!(e, Execution::Amended { .. }));
    assert!(
        matches!(&amended, Execution::Amended { id, qty, .. } if id.as_str() == "k-1" && *qty == d("0.05")),
        "{amended:?}"
    );
    let at_venue = rig.binance.order("k-1").unwrap();
    assert_eq!(
        (at_venue.order_id, at_venue.qty, at_venue.client_order_id.as_str()),
        (venue_id, d("0.05"), "k-1"),
        "the same Binance order, smaller, under the same client id"
    );
    // Still first at 29,000: a seller of 0.05 fills it, not the order placed after it.
    rig.binance.trade("BTCUSDT", d("29000"), d("0.05"), true).unwrap();
    let Execution::Filled(fill) = rig.wait_for_execution("the fill", |e| matches!(e, Execution::Filled(_))) else {
        unreachable!()
    };
    assert_eq!((fill.id.as_str(), fill.qty), ("k-1", d("0.05")));
    // An increase is not a kept-priority amend: it goes as a cancel-replace.
    rig.port.amend(qty_amend("k-2", "0.2", Decimal::ZERO)).unwrap();
    let amended = rig.wait_for_execution(
        "the increase",
        |e| matches!(e, Execution::Amended { id, .. } if id.as_str() == "k-2"),
    );
    assert!(matches!(amended, Execution::Amended { qty, .. } if qty == d("0.2")));
    assert_ne!(rig.binance.order("k-2").map(|o| o.qty), Some(d("0.1")));
}

#[test]
fn an_amend_whose_reply_is_lost_is_settled_by_a_query_that_carries_binances_quantity() {
    let mut rig = rig();
    rig.port
        .submit(order("l-1", Side::Buy, "0.1", OrderType::Limit(d("29000"))))
        .unwrap();
    rig.wait_for_execution("the acceptance", |e| matches!(e, Execution::Accepted { .. }));
    // Binance amends it, and the socket drops before the answer or the REPLACED report.
    rig.binance.arm_fault(Fault::ExecuteThenDrop);
    rig.port.amend(qty_amend("l-1", "0.04", Decimal::ZERO)).unwrap();
    let status = rig.wait_for_execution(
        "the settling status",
        |e| matches!(e, Execution::Status(r) if r.id.as_str() == "l-1"),
    );
    let Execution::Status(report) = status else {
        unreachable!()
    };
    // The quantity is what lets the desk take the venue's (reconciliation rule 6).
    assert_eq!(
        (report.state, report.qty, report.filled_qty),
        (VenueOrderState::Open, ReportedQty::Whole(d("0.04")), Decimal::ZERO)
    );
    assert_eq!(rig.binance.order("l-1").map(|o| o.qty), Some(d("0.04")));
}
