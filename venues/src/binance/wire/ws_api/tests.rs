//! WebSocket API frames: user data events in their subscription wrapper, responses with results, errors and rate limits.

use super::*;
use crate::binance::wire::{ErrorKind, ExecutionType, OrderStatus, Outcome};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/binance/", $name))
    };
}

fn event(text: &str) -> UserDataEvent {
    match parse_ws_api(text) {
        Ok(WsApiMessage::Event(frame)) => frame.event,
        other => panic!("not an event: {other:?}"),
    }
}

fn response(text: &str) -> WsApiResponse {
    match parse_ws_api(text) {
        Ok(WsApiMessage::Response(response)) => response,
        other => panic!("not a response: {other:?}"),
    }
}

#[test]
fn user_data_events_parse_in_their_subscription_wrapper() {
    let UserDataEvent::ExecutionReport(report) = event(fixture!("uds_executionReport.json")) else {
        panic!("not an execution report")
    };
    assert_eq!(
        (report.symbol.as_str(), report.client_order_id.as_str(), report.order_id),
        ("ETHBTC", "mUvoqJxFIILMdfAW5iGSOW", 4_293_153)
    );
    assert_eq!(
        (report.execution_type, report.order_status),
        (ExecutionType::New, OrderStatus::New)
    );
    assert_eq!((report.trade_id(), report.cancelled_client_order_id()), (None, None));
    assert_eq!(report.price.to_string(), "0.10264410");
    assert_eq!(report.commission_asset, None);

    let UserDataEvent::AccountPosition(position) = event(fixture!("uds_outboundAccountPosition.json")) else {
        panic!("not an account position")
    };
    assert_eq!(position.balances[0].asset, "ETH");
    assert_eq!(position.balances[0].free.to_string(), "10000.000000");

    assert_eq!(
        event(
            r#"{"subscriptionId":3,"event":{"e":"balanceUpdate","E":1573200697110,"a":"BTC","d":"-100.00000000","T":1573200697068}}"#
        ),
        UserDataEvent::BalanceUpdate(crate::binance::wire::BalanceUpdate {
            event_time: 1_573_200_697_110,
            asset: "BTC".into(),
            delta: "-100.00000000".parse().unwrap(),
            clear_time: 1_573_200_697_068
        })
    );
    assert_eq!(
        event(r#"{"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1728973001334}}"#),
        UserDataEvent::EventStreamTerminated {
            event_time: 1_728_973_001_334
        }
    );
    assert_eq!(
        event(r#"{"subscriptionId":0,"event":{"e":"listStatus","E":1}}"#),
        UserDataEvent::Unknown {
            event: "listStatus".into()
        }
    );
}

#[test]
fn a_fill_report_carries_its_trade_id() {
    let fill = fixture!("uds_executionReport.json")
        .replace(r#""x": "NEW""#, r#""x": "TRADE""#)
        .replace(r#""X": "NEW""#, r#""X": "PARTIALLY_FILLED""#)
        .replace(r#""t": -1"#, r#""t": 77"#)
        .replace(r#""N": null"#, r#""N": "BNB""#);
    let UserDataEvent::ExecutionReport(report) = event(&fill) else {
        panic!("not an execution report")
    };
    assert_eq!(
        (report.trade_id(), report.commission_asset.as_deref()),
        (Some(77), Some("BNB"))
    );
    let unknown_state = fixture!("uds_executionReport.json").replace(r#""X": "NEW""#, r#""X": "LIMBO""#);
    assert!(matches!(parse_ws_api(&unknown_state), Err(WireError::Field { path, .. }) if path == "event.X"));
}

#[test]
fn responses_carry_results_errors_and_rate_limits() {
    let ok = response(
        r#"{"id":"1","status":200,"result":{"subscriptionId":0},
            "rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":2}]}"#,
    );
    assert_eq!((&ok.id, ok.status), (&Some(RequestId::Text("1".into())), 200));
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Subscribed {
        subscription_id: u64,
    }
    assert_eq!(
        ok.result::<Subscribed>("userDataStream.subscribe")
            .unwrap()
            .subscription_id,
        0
    );
    assert_eq!(ok.rate_limits[0].count, 2);
    assert!(!ok.outcome_unknown());

    let refused = response(
        r#"{"id":7,"status":400,"error":{"code":-2010,"msg":"Account has insufficient balance for requested action."}}"#,
    );
    let Err(error) = &refused.outcome else { panic!() };
    assert_eq!(error.error.kind, ErrorKind::InsufficientBalance);
    assert!(refused.result::<Subscribed>("order.place").is_err());

    let limited = response(
        r#"{"id":8,"status":429,"error":{"code":-1003,"msg":"Too much request weight used","data":{"serverTime":1659127054000,"retryAfter":1659127055000}}}"#,
    );
    let Err(error) = &limited.outcome else { panic!() };
    assert_eq!(
        (error.error.kind.clone(), error.retry_after_ms),
        (ErrorKind::RateLimited, Some(1_659_127_055_000))
    );

    let timeout = response(
        r#"{"id":9,"status":400,"error":{"code":-1007,"msg":"Timeout waiting for response from backend server."}}"#,
    );
    assert!(timeout.outcome_unknown());
    let server = response(r#"{"id":10,"status":503,"error":{"code":-1000,"msg":"x"}}"#);
    assert!(server.outcome_unknown());
    let revoked = response(
        r#"{"id":null,"status":401,"error":{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}}"#,
    );
    assert_eq!(revoked.id, None);
    let Err(error) = &revoked.outcome else { panic!() };
    assert_eq!(error.error.outcome(), Outcome::Rejected);
}

#[test]
fn malformed_frames_are_typed_errors() {
    for text in [
        "",
        "[]",
        "{}",
        r#"{"subscriptionId":0}"#,
        r#"{"status":"200"}"#,
        r#"{"status":400}"#,
    ] {
        assert!(parse_ws_api(text).is_err(), "{text}");
    }
    assert!(matches!(
        parse_ws_api(r#"{"subscriptionId":0,"event":{"e":"balanceUpdate","E":1,"a":"BTC","d":"x","T":1}}"#),
        Err(WireError::Field { message, path, .. }) if message == "balanceUpdate" && path == "event.d"
    ));
}

#[test]
fn server_shutdown_comes_outside_any_subscription_and_other_such_events_are_errors() {
    assert_eq!(
        parse_ws_api(r#"{"event":{"e":"serverShutdown","E":1770123456789}}"#),
        Ok(WsApiMessage::ServerShutdown {
            event_time: 1_770_123_456_789
        })
    );
    assert!(matches!(
        parse_ws_api(r#"{"event":{"e":"executionReport","E":1}}"#),
        Err(WireError::NotAMessage { .. })
    ));
    assert!(parse_ws_api(r#"{"event":{"e":"serverShutdown"}}"#).is_err());
}

#[test]
fn a_failed_cancel_replace_says_which_half_failed() {
    let partial = response(
        r#"{"id":3,"status":409,"error":{"code":-2021,"msg":"Order cancel-replace partially failed.","data":{
            "cancelResult":"SUCCESS","newOrderResult":"FAILURE",
            "cancelResponse":{"symbol":"BTCUSDT","orderId":5},
            "newOrderResponse":{"code":-2010,"msg":"Account has insufficient balance for requested action."}}}}"#,
    );
    let halves = partial.outcome.unwrap_err().cancel_replace().unwrap();
    assert!(halves.cancelled && !halves.placed);
    assert_eq!(halves.cancel_error, None);
    assert_eq!(
        halves.new_order_error.map(|e| e.kind),
        Some(ErrorKind::InsufficientBalance)
    );
    let failed = response(
        r#"{"id":4,"status":400,"error":{"code":-2022,"msg":"Order cancel-replace failed.","data":{
            "cancelResult":"FAILURE","newOrderResult":"NOT_ATTEMPTED",
            "cancelResponse":{"code":-2011,"msg":"Unknown order sent."},"newOrderResponse":null}}}"#,
    );
    let halves = failed.outcome.unwrap_err().cancel_replace().unwrap();
    assert!(!halves.cancelled && !halves.placed);
    assert_eq!(halves.cancel_error.map(|e| e.kind), Some(ErrorKind::UnknownOrder));
    let plain = response(r#"{"id":5,"status":400,"error":{"code":-1013,"msg":"Filter failure: LOT_SIZE"}}"#);
    assert_eq!(plain.outcome.unwrap_err().cancel_replace(), None);
}
