//! Private messages, shaped as Kraken's documentation shows them.

use super::*;
use crate::kraken::wire::{OrderErrorKind, Outcome};

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[test]
fn execution_lifecycle_entries() {
    let snapshot = r#"{"channel":"executions","type":"snapshot","data":[{"order_id":"OLKT7J-YJ3HX-SHR7HL",
        "symbol":"BTC/USD","order_qty":0.00100000,"cum_cost":0,"time_in_force":"GTC","exec_type":"new","side":"buy",
        "order_type":"limit","order_userref":0,"limit_price":45000.0,"post_only":false,"reduce_only":false,
        "order_status":"new","timestamp":"2023-09-22T10:33:05.709950Z","cl_ord_id":"f6c6d4b1-0a1b"}],"sequence":1}"#;
    let PrivateMessage::Executions(feed) = parse_private(snapshot).unwrap() else {
        panic!()
    };
    assert_eq!((feed.kind, feed.sequence), (FeedKind::Snapshot, Some(1)));
    let new = &feed.data[0];
    assert_eq!(
        (new.exec_type, new.order_status, new.time_in_force),
        (ExecType::New, Some(OrderStatus::New), Some(TimeInForce::Gtc))
    );
    assert_eq!(
        (new.side, new.order_type, new.order_qty.map(|q| q.to_string())),
        (Some(Side::Buy), Some(OrderType::Limit), Some("0.00100000".into()))
    );
    assert_eq!(
        (new.limit_price, new.cl_ord_id.as_deref(), new.timestamp),
        (Some(d("45000.0")), Some("f6c6d4b1-0a1b"), 1_695_378_785_709)
    );

    let fill = r#"{"channel":"executions","type":"update","data":[{"order_id":"O6NTZC-K6FRH-ABCDEF",
        "exec_id":"TIK2VD-XXXXX-YYYYYY","exec_type":"trade","trade_id":41873926,"symbol":"XBT/USD","side":"sell",
        "last_qty":0.0001,"last_price":26500.0,"liquidity_ind":"t","cost":2.65000,"order_status":"partially_filled",
        "order_type":"market","timestamp":"2023-09-22T10:33:05.709950Z","fee_usd_equiv":0.0106,
        "fees":[{"asset":"USD","qty":0.0106}],"cum_qty":0.0001,"cum_cost":2.65,"avg_price":26500.0}],"sequence":5}"#;
    let PrivateMessage::Executions(feed) = parse_private(fill).unwrap() else {
        panic!()
    };
    let trade = &feed.data[0];
    assert_eq!(
        (trade.exec_type, trade.order_status),
        (ExecType::Trade, Some(OrderStatus::PartiallyFilled))
    );
    assert_eq!(
        (trade.symbol.as_ref().map(|s| s.as_str()), trade.trade_id),
        (Some("BTC/USD"), Some(41_873_926))
    );
    assert_eq!(
        (trade.last_qty, trade.last_price, trade.liquidity_ind),
        (Some(d("0.0001")), Some(d("26500.0")), Some(Liquidity::Taker))
    );
    assert_eq!(
        trade.fees,
        vec![Fee {
            asset: "USD".into(),
            qty: d("0.0106")
        }]
    );
    assert_eq!(trade.cost.map(|c| c.to_string()), Some("2.65000".into()));

    // Sparse: a cancel carries little more than its type, id and time.
    let canceled = r#"{"channel":"executions","type":"update","data":[{"exec_type":"canceled","order_id":"O-1",
        "order_status":"canceled","reason":"User requested","timestamp":"2026-07-22T00:00:00Z"}]}"#;
    let PrivateMessage::Executions(feed) = parse_private(canceled).unwrap() else {
        panic!()
    };
    assert!(feed.data[0].exec_type.is_terminal());
    assert_eq!(
        (feed.data[0].reason.as_deref(), feed.data[0].fees.len()),
        (Some("User requested"), 0)
    );
}

#[test]
fn unknown_order_states_are_errors_naming_the_field() {
    let text = r#"{"channel":"executions","type":"update","data":[{"exec_type":"teleported","order_id":"O-1","timestamp":"2026-07-22T00:00:00Z"}]}"#;
    let Err(WireError::Field { message, path, reason }) = parse_private(text) else {
        panic!()
    };
    assert_eq!((message.as_str(), path.as_str()), ("executions", "data[0].exec_type"));
    assert!(
        reason.contains("teleported") && reason.contains("pending_new"),
        "{reason}"
    );
    let text = r#"{"channel":"executions","type":"update","data":[{"exec_type":"new","order_id":"O-1"}]}"#;
    assert!(matches!(parse_private(text), Err(WireError::Field { path, .. }) if path == "data[0]"));
}

#[test]
fn balances_snapshot_and_ledger_updates() {
    let snapshot = r#"{"channel":"balances","type":"snapshot","data":[{"asset":"XXBT","asset_class":"currency",
        "balance":1.20000000,"wallets":[{"type":"spot","id":"main","balance":1.20000000}]},
        {"asset":"USD","asset_class":"currency","balance":1000.0000}],"sequence":1}"#;
    let PrivateMessage::Balances(feed) = parse_private(snapshot).unwrap() else {
        panic!()
    };
    assert_eq!(feed.data[0].asset, "BTC");
    assert_eq!(
        feed.data[0].wallets[0],
        Wallet {
            kind: "spot".into(),
            id: "main".into(),
            balance: d("1.20000000")
        }
    );
    assert_eq!(feed.data[1].balance.to_string(), "1000.0000");

    let update = r#"{"channel":"balances","type":"update","data":[{"ledger_id":"L4UESK-KG3EQ-UFO4T5",
        "ref_id":"TJKLXX-PGMUI-4NTLXU","timestamp":"2022-06-15T15:24:13.123456Z","type":"trade","asset":"USD",
        "asset_class":"currency","category":"trade","wallet_type":"spot","wallet_id":"main","amount":-19.9743,
        "fee":0.0499,"balance":118.0197}],"sequence":4}"#;
    let PrivateMessage::Ledger(feed) = parse_private(update).unwrap() else {
        panic!()
    };
    let entry = &feed.data[0];
    assert_eq!(
        (entry.kind.clone(), entry.amount, entry.fee, entry.balance),
        (LedgerType::Trade, d("-19.9743"), Some(d("0.0499")), d("118.0197"))
    );
    assert_eq!(
        (entry.ledger_id.as_str(), entry.timestamp),
        ("L4UESK-KG3EQ-UFO4T5", 1_655_306_653_123)
    );
}

#[test]
fn order_method_answers() {
    let stamp = r#""time_in":"2023-09-21T14:15:07.197274Z","time_out":"2023-09-21T14:15:07.205301Z""#;
    let add = format!(
        r#"{{"method":"add_order","req_id":42,"result":{{"order_id":"AA5JGQ-SBMRC-SCJ7J7","cl_ord_id":"c1"}},"success":true,{stamp}}}"#
    );
    let PrivateMessage::AddOrder(response) = parse_private(&add).unwrap() else {
        panic!()
    };
    assert_eq!(response.req_id, Some(42));
    let ack = response.outcome.unwrap();
    assert_eq!(
        (ack.order_id.as_str(), ack.cl_ord_id.as_deref()),
        ("AA5JGQ-SBMRC-SCJ7J7", Some("c1"))
    );

    let amend = format!(
        r#"{{"method":"amend_order","result":{{"amend_id":"TTW6PD-RC36L-ZZSWNU","cl_ord_id":"c1"}},"success":true,{stamp},"req_id":2}}"#
    );
    let PrivateMessage::AmendOrder(response) = parse_private(&amend).unwrap() else {
        panic!()
    };
    assert_eq!(response.outcome.unwrap().amend_id, "TTW6PD-RC36L-ZZSWNU");

    let cancel = format!(
        r#"{{"method":"cancel_order","req_id":3,"result":{{"order_id":"OQCLML-BW3P3-BUCMWZ"}},"success":true,{stamp}}}"#
    );
    let PrivateMessage::CancelOrder(response) = parse_private(&cancel).unwrap() else {
        panic!()
    };
    assert_eq!(response.outcome.unwrap().order_id, "OQCLML-BW3P3-BUCMWZ");

    let all = format!(r#"{{"method":"cancel_all","req_id":4,"result":{{"count":2}},"success":true,{stamp}}}"#);
    let PrivateMessage::CancelAll(response) = parse_private(&all).unwrap() else {
        panic!()
    };
    assert_eq!(response.outcome.unwrap().count, 2);

    let after = format!(
        r#"{{"method":"cancel_all_orders_after","req_id":5,"result":{{"currentTime":"2023-09-21T15:49:29Z","triggerTime":"2023-09-21T15:50:29Z"}},"success":true,{stamp}}}"#
    );
    let PrivateMessage::CancelAllOrdersAfter(response) = parse_private(&after).unwrap() else {
        panic!()
    };
    let ack = response.outcome.unwrap();
    assert_eq!(ack.trigger_time.map(|t| t - ack.current_time), Some(60_000));

    // Disarmed (`timeout: 0`): the trigger is "0".
    let disarmed = format!(
        r#"{{"method":"cancel_all_orders_after","req_id":6,"result":{{"currentTime":"2023-09-21T15:49:29Z","triggerTime":"0"}},"success":true,{stamp}}}"#
    );
    let PrivateMessage::CancelAllOrdersAfter(response) = parse_private(&disarmed).unwrap() else {
        panic!()
    };
    assert_eq!(response.outcome.unwrap().trigger_time, None);
}

#[test]
fn failures_are_classified_and_unknown_outcomes_are_not_rejects() {
    let cases = [
        (
            "EOrder:Insufficient funds",
            OrderErrorKind::InsufficientFunds,
            Outcome::Rejected,
        ),
        (
            "EOrder:Post only order",
            OrderErrorKind::PostOnlyWouldTake,
            Outcome::Rejected,
        ),
        (
            "EService:Unavailable",
            OrderErrorKind::ServiceUnavailable,
            Outcome::Unknown,
        ),
        ("EService:Busy", OrderErrorKind::ServiceUnavailable, Outcome::Unknown),
    ];
    for (error, kind, outcome) in cases {
        let text = format!(
            r#"{{"method":"add_order","req_id":99,"success":false,"error":"{error}","time_in":"2026-05-05T10:00:00.123Z","time_out":"2026-05-05T10:00:00.125Z"}}"#
        );
        let PrivateMessage::AddOrder(response) = parse_private(&text).unwrap() else {
            panic!()
        };
        assert_eq!((response.req_id, response.time_in), (Some(99), Some(1_777_975_200_123)));
        let failure = response.outcome.unwrap_err();
        assert_eq!(
            (&failure.error.text[..], &failure.error.kind, failure.error.outcome()),
            (error, &kind, outcome)
        );
    }
}

#[test]
fn shared_messages_arrive_here_too() {
    assert_eq!(
        parse_private(r#"{"channel":"heartbeat"}"#),
        Ok(PrivateMessage::Control(ControlMessage::Heartbeat))
    );
    let ack = r#"{"method":"subscribe","result":{"channel":"executions","maxratecount":180,"snapshot":true},"success":true,"req_id":1}"#;
    assert!(matches!(
        parse_private(ack),
        Ok(PrivateMessage::Control(ControlMessage::Subscribed(_)))
    ));
    let unknown = r#"{"method":"batch_add","success":true,"result":[]}"#;
    assert!(matches!(
        parse_private(unknown),
        Ok(PrivateMessage::Control(ControlMessage::Unknown(_)))
    ));
}
