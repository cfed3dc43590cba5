//! Real and documented Kraken messages: the seeds the robustness tests mutate.

use serde_json::value::RawValue;

const CAPTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fixtures/kraken/book-v2-btcusd-capture.json"
));

/// The captured session's frames as their original text, snapshot first.
pub fn capture_frames() -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Capture<'a> {
        #[serde(borrow)]
        init: &'a RawValue,
        #[serde(borrow)]
        updates: Vec<&'a RawValue>,
    }
    let capture: Capture<'_> = serde_json::from_str(CAPTURE).expect("the capture is JSON");
    std::iter::once(capture.init)
        .chain(capture.updates)
        .map(|raw| raw.get().to_owned())
        .collect()
}

/// WebSocket frames of every kind the parsers know, shaped as Kraken documents them.
pub const WS_MESSAGES: &[&str] = &[
    r#"{"channel":"heartbeat"}"#,
    r#"{"channel":"status","type":"update","data":[{"api_version":"v2","connection_id":123,"system":"online","version":"2.0.4"}]}"#,
    r#"{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","side":"buy","price":105944.20,"qty":0.00027625,"ord_type":"limit","trade_id":10218208,"timestamp":"2023-10-06T17:35:55.440295Z"}]}"#,
    r#"{"channel":"ticker","type":"snapshot","data":[{"symbol":"BTC/USD","bid":105944.20,"bid_qty":2.5,"ask":105944.30,"ask_qty":3.2,"last":105899.40,"volume":163.28908096,"vwap":105904.39279,"low":104711.00,"high":106613.10,"change":250.00,"change_pct":0.24}]}"#,
    r#"{"channel":"ohlc","type":"update","data":[{"symbol":"BTC/USD","interval":1,"interval_begin":"2023-10-04T16:25:00.000000000Z","open":106038.2,"high":106044.3,"low":106038.1,"close":106040.1,"volume":30927.68066226,"vwap":106039.6,"trades":12}]}"#,
    r#"{"channel":"instrument","type":"snapshot","data":{"assets":[{"id":"XBT","status":"enabled","precision":10,"precision_display":5,"borrowable":true,"collateral_value":1.0}],"pairs":[{"symbol":"BTC/USD","base":"BTC","quote":"USD","status":"online","qty_precision":8,"qty_increment":0.00000001,"price_precision":1,"cost_precision":5,"marginable":true,"has_index":true,"cost_min":0.5,"price_increment":0.1,"qty_min":0.0001}]}}"#,
    r#"{"method":"subscribe","result":{"channel":"book","symbol":"BTC/USD","depth":10,"snapshot":true,"warnings":["w"]},"success":true,"time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z","req_id":1}"#,
    r#"{"error":"Currency pair not supported XBT/USDT","method":"subscribe","req_id":7,"success":false,"symbol":"XBT/USDT","time_in":"2023-09-25T09:04:31.742599Z","time_out":"2023-09-25T09:04:31.742648Z"}"#,
    r#"{"method":"pong","req_id":101,"time_in":"2023-09-24T14:10:23.799685Z","time_out":"2023-09-24T14:10:23.799703Z"}"#,
    r#"{"channel":"executions","type":"snapshot","data":[{"order_id":"OLKT7J-YJ3HX-SHR7HL","symbol":"BTC/USD","order_qty":0.00100000,"cum_cost":0,"time_in_force":"GTC","exec_type":"new","side":"buy","order_type":"limit","order_userref":0,"limit_price":45000.0,"post_only":false,"reduce_only":false,"order_status":"new","timestamp":"2023-09-22T10:33:05.709950Z","cl_ord_id":"c1"}],"sequence":1}"#,
    r#"{"channel":"executions","type":"update","data":[{"order_id":"O6NTZC","exec_id":"TIK2VD","exec_type":"trade","trade_id":41873926,"symbol":"BTC/USD","side":"sell","last_qty":0.0001,"last_price":26500.0,"liquidity_ind":"t","cost":2.65,"order_status":"filled","order_type":"market","timestamp":"2023-09-22T10:33:05.709950Z","fee_usd_equiv":0.0106,"fees":[{"asset":"USD","qty":0.0106}],"cum_qty":0.0001,"cum_cost":2.65,"avg_price":26500.0}],"sequence":5}"#,
    r#"{"channel":"balances","type":"snapshot","data":[{"asset":"BTC","asset_class":"currency","balance":1.2,"wallets":[{"type":"spot","id":"main","balance":1.2}]}],"sequence":1}"#,
    r#"{"channel":"balances","type":"update","data":[{"ledger_id":"L4UESK","ref_id":"TJKLXX","timestamp":"2022-06-15T15:24:13.123456Z","type":"trade","asset":"USD","asset_class":"currency","category":"trade","wallet_type":"spot","wallet_id":"main","amount":-19.9743,"fee":0.0499,"balance":118.0197}],"sequence":4}"#,
    r#"{"method":"add_order","req_id":42,"result":{"order_id":"AA5JGQ-SBMRC-SCJ7J7","cl_ord_id":"c1"},"success":true,"time_in":"2023-09-21T14:15:07.197274Z","time_out":"2023-09-21T14:15:07.205301Z"}"#,
    r#"{"method":"add_order","req_id":99,"success":false,"error":"EService:Unavailable","time_in":"2026-05-05T10:00:00.123Z","time_out":"2026-05-05T10:00:00.125Z"}"#,
    r#"{"method":"amend_order","result":{"amend_id":"TTW6PD","cl_ord_id":"c1"},"success":true,"req_id":2}"#,
    r#"{"method":"cancel_order","req_id":3,"result":{"order_id":"OQCLML-BW3P3-BUCMWZ"},"success":true}"#,
    r#"{"method":"cancel_all","req_id":4,"result":{"count":2},"success":true}"#,
    r#"{"method":"cancel_all_orders_after","req_id":5,"result":{"currentTime":"2023-09-21T15:49:29Z","triggerTime":"2023-09-21T15:50:29Z"},"success":true}"#,
];

/// REST responses of every endpoint with a parser.
pub const REST_RESPONSES: &[&str] = &[
    r#"{"error":[],"result":{"token":"1Dwc4lzSwNWOAwkMdqhssNNFhs1ed606d1WcF3XfEMw","expires":900}}"#,
    r#"{"error":[],"result":{"descr":{"order":"buy 2.12340000 XBTUSD @ limit 25000.1"},"txid":["OUF4EM-FRGI2-MQMWZD"]}}"#,
    r#"{"error":[],"result":{"O1":{"userref":0,"cl_ord_id":"c1","status":"closed","opentm":1688666559.8974,"closetm":1688666559.9012,"starttm":0,"expiretm":0,"descr":{"pair":"XBTUSD","type":"buy","ordertype":"limit","price":"30010.0","price2":"0","order":"buy"},"vol":"0.25000000","vol_exec":"0.25000000","cost":"7500.0000","fee":"7.50000","price":"30000.0","oflags":"fciq","trades":["T1"]}}}"#,
    r#"{"error":[],"result":{"trades":{"T1":{"ordertxid":"O1","pair":"XXBTZUSD","time":1688667796.8802,"type":"buy","ordertype":"limit","price":"30010.00000","cost":"600.20000","fee":"0.00000","vol":"0.02000000","trade_id":40274859,"maker":true}},"count":2346}}"#,
    r#"{"error":[],"result":{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","base":"XXBT","quote":"ZUSD","pair_decimals":1,"lot_decimals":8,"cost_decimals":5,"ordermin":"0.0001","costmin":"0.5","tick_size":"0.1","status":"online"}}}"#,
    r#"{"error":["EQuery:Unknown asset pair"]}"#,
];
