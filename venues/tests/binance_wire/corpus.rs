//! Documented Binance messages, and frames of every other shape the parsers know: the seeds the
//! robustness tests mutate.

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/binance/", $name))
    };
}

/// The market stream payloads in the combined-stream wrapper, as the socket sends them.
fn stream_frames() -> Vec<String> {
    [
        ("bnbbtc@trade", fixture!("ws_trade.json")),
        ("bnbbtc@kline_1m", fixture!("ws_kline.json")),
        ("bnbusdt@bookTicker", fixture!("ws_bookTicker.json")),
        ("bnbbtc@depth@100ms", fixture!("ws_depthUpdate.json")),
        ("bnbbtc@depth", fixture!("ws_depthUpdate.json")),
    ]
    .iter()
    .map(|(stream, data)| {
        let compact: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        format!(r#"{{"stream":"{stream}","data":{compact}}}"#)
    })
    .collect()
}

/// The documented exchangeInfo with every documented filter on its symbol and real-shaped rate
/// limits.
fn exchange_info() -> String {
    let filters: serde_json::Value =
        serde_json::from_str(fixture!("rest_exchangeInfo_filters_from_filters_md.json")).expect("JSON");
    let mut info: serde_json::Value = serde_json::from_str(fixture!("rest_exchangeInfo.json")).expect("JSON");
    let all: Vec<serde_json::Value> = filters["filters"]
        .as_object()
        .map(|f| f.values().cloned().collect())
        .unwrap_or_default();
    info["symbols"][0]["filters"] = serde_json::Value::Array(all);
    info["rateLimits"] = serde_json::json!([
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50}
    ]);
    info.to_string()
}

/// Frames of shapes the fixtures lack: control answers, WebSocket API responses, user events.
const OTHER_FRAMES: &[&str] = &[
    r#"{"result":null,"id":1}"#,
    r#"{"result":["btcusdt@trade","btcusdt@depth@100ms"],"id":"list1"}"#,
    r#"{"code":2,"msg":"Invalid request: too many parameters","id":7}"#,
    r#"{"e":"serverShutdown","E":1700000000000}"#,
    r#"{"id":"1","status":200,"result":{"subscriptionId":0},"rateLimits":[{"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000,"count":2}]}"#,
    r#"{"id":8,"status":429,"error":{"code":-1003,"msg":"Too much request weight used","data":{"serverTime":1659127054000,"retryAfter":1659127055000}}}"#,
    r#"{"id":7,"status":400,"error":{"code":-2010,"msg":"Order would immediately match and take."}}"#,
    r#"{"id":9,"status":400,"error":{"code":-1013,"msg":"Filter failure: LOT_SIZE"}}"#,
    r#"{"subscriptionId":3,"event":{"e":"balanceUpdate","E":1573200697110,"a":"BTC","d":"100.00000000","T":1573200697068}}"#,
    r#"{"subscriptionId":0,"event":{"e":"eventStreamTerminated","E":1728973001334}}"#,
    r#"{"serverTime":1499827319559}"#,
    r#"{"code":-1121,"msg":"Invalid symbol."}"#,
];

/// Every seed.
pub fn seeds() -> Vec<String> {
    let mut seeds = stream_frames();
    seeds.push(exchange_info());
    for text in [
        fixture!("ws_trade.json"),
        fixture!("rest_depth_snapshot.json"),
        fixture!("rest_exchangeInfo.json"),
        fixture!("rest_order_ack.json"),
        fixture!("rest_order_full.json"),
        fixture!("uds_executionReport.json"),
        fixture!("uds_outboundAccountPosition.json"),
    ] {
        seeds.push(text.to_owned());
    }
    seeds.extend(OTHER_FRAMES.iter().map(|s| (*s).to_owned()));
    seeds
}
