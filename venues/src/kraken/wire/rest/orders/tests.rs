//! REST order shapes, as Kraken's REST reference shows them.

use super::*;

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[test]
fn websockets_token() {
    let token = parse_websockets_token(
        r#"{"error":[],"result":{"token":"1Dwc4lzSwNWOAwkMdqhssNNFhs1ed606d1WcF3XfEMw","expires":900}}"#,
    )
    .unwrap();
    assert_eq!(token.expires, 900);
    assert_eq!(format!("{:?}", token.token), "Token(<redacted>)");
}

#[test]
fn add_order_fixture() {
    let fixture = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/kraken/rest-api-specs/response_trading_orders_add.yaml"
    ));
    let result = parse_add_order(fixture).unwrap();
    assert_eq!(result.txids, vec!["OUF4EM-FRGI2-MQMWZD".to_owned()]);
    assert_eq!(
        result.descr.order,
        "buy 2.12340000 XBTUSD @ limit 25000.1 with 2:1 leverage"
    );
    assert!(result.descr.close.is_some());
    let validated =
        parse_add_order(r#"{"error":[],"result":{"descr":{"order":"buy 1.25 XBTUSD @ limit 37500"}}}"#).unwrap();
    assert!(validated.txids.is_empty());
}

const ORDER: &str = r#"{"refid":null,"userref":0,"cl_ord_id":"c1","status":"closed","reason":null,
    "opentm":1688666559.8974,"closetm":1688666559.9012,"starttm":0,"expiretm":0,
    "descr":{"pair":"XBTUSD","type":"buy","ordertype":"limit","price":"30010.0","price2":"0","leverage":"none",
    "order":"buy 0.25000000 XBTUSD @ limit 30010.0","close":""},"vol":"0.25000000","vol_exec":"0.25000000",
    "cost":"7500.0000","fee":"7.50000","price":"30000.0","stopprice":"0.00000","limitprice":"0.00000","misc":"",
    "oflags":"fciq","trades":["TZX2WP-XSEOP-FP7WYR"]}"#;

#[test]
fn query_and_open_orders() {
    let text = format!(r#"{{"error":[],"result":{{"OBCMZD-JIEE7-77TH3F":{ORDER}}}}}"#);
    let orders = parse_query_orders(&text).unwrap();
    let order = &orders["OBCMZD-JIEE7-77TH3F"];
    assert_eq!(
        (order.status, order.cl_ord_id.as_deref(), order.userref),
        (RestOrderStatus::Closed, Some("c1"), Some(0))
    );
    assert_eq!(
        (order.opentm, order.closetm, order.starttm),
        (1_688_666_559_897, Some(1_688_666_559_901), None)
    );
    assert_eq!(
        (order.vol.to_string(), order.vol_exec, order.price),
        ("0.25000000".to_owned(), d("0.25"), d("30000.0"))
    );
    assert_eq!(
        (order.descr.side, order.descr.ordertype, order.descr.price),
        (Side::Buy, OrderType::Limit, d("30010.0"))
    );
    assert_eq!(order.trades, vec!["TZX2WP-XSEOP-FP7WYR".to_owned()]);

    let open = ORDER.replace(r#""status":"closed""#, r#""status":"open""#);
    let text = format!(r#"{{"error":[],"result":{{"open":{{"OQCLML-BW3P3-BUCMWZ":{open}}}}}}}"#);
    let orders = parse_open_orders(&text).unwrap();
    assert_eq!(orders["OQCLML-BW3P3-BUCMWZ"].status, RestOrderStatus::Open);
}

#[test]
fn trades_history() {
    let text = r#"{"error":[],"result":{"trades":{"THVRQM-33VKH-UCI7BS":{"ordertxid":"OQCLML-BW3P3-BUCMWZ",
        "postxid":"TKH2SE-M7IF5-CFI7LT","pair":"XXBTZUSD","time":1688667796.8802,"type":"buy","ordertype":"limit",
        "price":"30010.00000","cost":"600.20000","fee":"0.00000","vol":"0.02000000","margin":"0.00000",
        "leverage":"0","misc":"","trade_id":40274859,"maker":true}},"count":2346}}"#;
    let history = parse_trades_history(text).unwrap();
    let trade = &history.trades["THVRQM-33VKH-UCI7BS"];
    assert_eq!(
        (history.count, trade.time, trade.price.to_string()),
        (2346, 1_688_667_796_880, "30010.00000".to_owned())
    );
    assert_eq!(
        (trade.trade_id, trade.maker, trade.side),
        (Some(40_274_859), Some(true), Side::Buy)
    );
}

#[test]
fn errors_and_warnings() {
    let refused = parse_query_orders(r#"{"error":["EService:Unavailable"]}"#).unwrap_err();
    let RestError::Kraken { errors } = refused else {
        panic!()
    };
    assert_eq!(errors[0].outcome(), crate::kraken::wire::Outcome::Unknown);
    // A warning alone does not fail the response.
    let warned = parse_add_order(r#"{"error":["WGeneral:Deprecated"],"result":{"descr":{"order":"x"},"txid":["O1"]}}"#);
    assert_eq!(warned.map(|r| r.txids), Ok(vec!["O1".to_owned()]));
    let bad = parse_trades_history(
        r#"{"error":[],"result":{"trades":{"T1":{"ordertxid":"O","pair":"XBTUSD","time":"soon"}},"count":1}}"#,
    )
    .unwrap_err();
    let RestError::Wire(crate::kraken::wire::WireError::Field { path, .. }) = bad else {
        panic!("{bad:?}")
    };
    assert_eq!(path, "result.trades.T1.time");
}
