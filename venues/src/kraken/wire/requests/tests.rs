//! The request texts, checked against the shapes in Kraken's documentation.

use super::*;
use serde_json::{json, Value};

fn token() -> Token {
    Token::new("G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY")
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

fn btc() -> Symbol {
    Symbol::new("BTC/USD").unwrap()
}

#[test]
fn subscriptions() {
    let book = PublicSubscription::Book {
        symbols: vec![btc(), Symbol::new("ETH/USD").unwrap()],
        depth: BookDepth::D25,
        snapshot: true,
    };
    assert_eq!(
        subscribe(&book, 1),
        r#"{"method":"subscribe","params":{"channel":"book","symbol":["BTC/USD","ETH/USD"],"depth":25,"snapshot":true},"req_id":1}"#
    );
    assert_eq!(
        parsed(&unsubscribe(&book, 2)),
        json!({"method":"unsubscribe","params":{"channel":"book","symbol":["BTC/USD","ETH/USD"],"depth":25},"req_id":2})
    );
    let ohlc = PublicSubscription::Ohlc {
        symbols: vec![btc()],
        interval_minutes: 5,
        snapshot: false,
    };
    assert_eq!(
        parsed(&subscribe(&ohlc, 3))["params"],
        json!({"channel":"ohlc","symbol":["BTC/USD"],"interval":5,"snapshot":false})
    );
    assert_eq!(
        parsed(&subscribe(&PublicSubscription::Instrument { snapshot: true }, 4))["params"],
        json!({"channel":"instrument","snapshot":true})
    );
    let executions = PrivateSubscription::Executions {
        snap_orders: true,
        snap_trades: true,
        ratecounter: false,
    };
    assert_eq!(
        parsed(&subscribe_private(&executions, &token(), 5))["params"],
        json!({"channel":"executions","snap_orders":true,"snap_trades":true,"ratecounter":false,"token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"})
    );
    assert_eq!(
        parsed(&unsubscribe_private(
            &PrivateSubscription::Balances { snapshot: true },
            &token(),
            6
        ))["params"],
        json!({"channel":"balances","token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"})
    );
}

#[test]
fn add_order_writes_exact_decimals() {
    let order = AddOrder {
        symbol: btc(),
        side: Side::Buy,
        order_qty: "1.25000000".parse().unwrap(),
        kind: OrderKind::Limit {
            limit_price: "37500.0".parse().unwrap(),
            post_only: true,
        },
        time_in_force: Some(TimeInForce::Gtc),
        reduce_only: false,
        cl_ord_id: Some("6d1b345e-2821-40e2-ad83-4ecb18a06876".into()),
        validate: true,
    };
    let text = add_order(&order, &token(), 7);
    assert!(
        text.contains(r#""order_qty":1.25000000"#) && text.contains(r#""limit_price":37500.0"#),
        "{text}"
    );
    assert_eq!(
        parsed(&text),
        json!({"method":"add_order","params":{"order_type":"limit","side":"buy","order_qty":1.25,"symbol":"BTC/USD",
            "limit_price":37500.0,"post_only":true,"time_in_force":"gtc","cl_ord_id":"6d1b345e-2821-40e2-ad83-4ecb18a06876",
            "validate":true,"token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"},"req_id":7})
    );
    let market = AddOrder {
        kind: OrderKind::Market,
        side: Side::Sell,
        time_in_force: None,
        cl_ord_id: None,
        validate: false,
        reduce_only: true,
        ..order
    };
    assert_eq!(
        parsed(&add_order(&market, &token(), 8))["params"],
        json!({"order_type":"market","side":"sell","order_qty":1.25,"symbol":"BTC/USD","reduce_only":true,"token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"})
    );
}

#[test]
fn stops_go_as_stop_loss_orders_triggered_by_the_last_trade() {
    let stop = AddOrder {
        symbol: btc(),
        side: Side::Sell,
        order_qty: "0.5".parse().unwrap(),
        kind: OrderKind::StopLoss {
            trigger: "29000.5".parse().unwrap(),
        },
        time_in_force: None,
        reduce_only: false,
        cl_ord_id: Some("h-1".into()),
        validate: false,
    };
    let text = add_order(&stop, &token(), 9);
    assert!(text.contains(r#""price":29000.5"#), "{text}");
    assert_eq!(
        parsed(&text)["params"],
        json!({"order_type":"stop-loss","side":"sell","order_qty":0.5,"symbol":"BTC/USD",
            "triggers":{"reference":"last","price":29000.5,"price_type":"static"},"cl_ord_id":"h-1",
            "token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"})
    );
    let stop_limit = AddOrder {
        side: Side::Buy,
        kind: OrderKind::StopLossLimit {
            trigger: "31000".parse().unwrap(),
            limit_price: "31050".parse().unwrap(),
        },
        time_in_force: Some(TimeInForce::Ioc),
        ..stop
    };
    assert_eq!(
        parsed(&add_order(&stop_limit, &token(), 10))["params"],
        json!({"order_type":"stop-loss-limit","side":"buy","order_qty":0.5,"symbol":"BTC/USD","limit_price":31050,
            "triggers":{"reference":"last","price":31000,"price_type":"static"},"time_in_force":"ioc","cl_ord_id":"h-1",
            "token":"G38a1tGFzqGiUCmnegBcm8d4nfP3tytiNQz6tkCBYXY"})
    );
}

#[test]
fn amend_cancel_dead_man_and_ping() {
    let amend = AmendOrder {
        order: OrderRef::ClOrdId("c1".into()),
        order_qty: "0.50".parse().unwrap(),
        limit_price: Some("29000.5".parse().unwrap()),
        post_only: Some(true),
    };
    let text = amend_order(&amend, &token(), 9);
    assert!(text.contains(r#""order_qty":0.50"#), "{text}");
    assert_eq!(parsed(&text)["params"]["cl_ord_id"], "c1");
    assert_eq!(parsed(&text)["params"]["limit_price"], json!(29000.5));
    assert_eq!(
        parsed(&cancel_order(
            &CancelOrders::OrderIds(vec!["OA".into(), "OB".into()]),
            &token(),
            10
        ))["params"]["order_id"],
        json!(["OA", "OB"])
    );
    assert_eq!(
        parsed(&cancel_order(&CancelOrders::OrderUserrefs(vec![-3]), &token(), 11))["params"]["order_userref"],
        json!([-3])
    );
    assert_eq!(parsed(&cancel_all(&token(), 12))["method"], "cancel_all");
    assert_eq!(
        parsed(&cancel_all_orders_after(60, &token(), 13))["params"]["timeout"],
        60
    );
    assert_eq!(ping(14), r#"{"method":"ping","req_id":14}"#);
}

#[test]
fn the_token_is_redacted_in_debug() {
    assert_eq!(format!("{:?}", token()), "Token(<redacted>)");
    let subscription = PrivateSubscription::Balances { snapshot: true };
    assert!(!format!("{subscription:?}").contains("G38a"));
}
