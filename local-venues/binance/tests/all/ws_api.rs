//! The WebSocket API: logon and user data subscriptions by key type, signatures and
//! `recvWindow`, the order lifecycle with its events and balances, Binance's refusals, the
//! cancel-replace, faults, the connection lifetime, and the signed REST queries on the same
//! account.

use std::time::Duration;

use local_binance::{
    Fault, KeySpec, LocalBinance, LocalBinanceConfig, OrderStatus, DEFAULT_ED25519_API_KEY, DEFAULT_HMAC_API_KEY,
};
use serde_json::{json, Value};

use crate::support::{d, get_with, wait_until, Api, Signer};

pub(crate) fn start_with(adjust: impl FnOnce(&mut LocalBinanceConfig)) -> LocalBinance {
    let mut config = LocalBinanceConfig {
        running_clock: true,
        ..LocalBinanceConfig::default()
    };
    adjust(&mut config);
    let b = LocalBinance::start(config).unwrap();
    b.set_levels(
        "BTCUSDT",
        &[(d("29990"), d("1")), (d("29980"), d("2"))],
        &[(d("30010"), d("0.5")), (d("30020"), d("2"))],
    )
    .unwrap();
    b
}

pub(crate) fn start() -> LocalBinance {
    start_with(|_| {})
}

pub(crate) fn hmac(b: &LocalBinance) -> (String, Signer) {
    let (key, secret) = b.hmac_key().unwrap();
    (key, Signer::Hmac(secret))
}

fn ed25519(b: &LocalBinance) -> (String, Signer) {
    let spec = LocalBinanceConfig::default()
        .api_keys
        .into_iter()
        .find(|k| k.api_key == DEFAULT_ED25519_API_KEY)
        .unwrap();
    let KeySpec::Ed25519 { seed } = spec.key else { panic!() };
    assert!(b.ed25519_key().unwrap().1.contains("BEGIN PRIVATE KEY"));
    (spec.api_key, Signer::Ed25519(seed))
}

/// A client subscribed to user data with the HMAC key.
pub(crate) async fn subscribed(b: &LocalBinance) -> (Api, String, Signer) {
    let mut api = Api::connect(b).await;
    let (key, signer) = hmac(b);
    let answer = api
        .signed(
            "userDataStream.subscribe.signature",
            json!({}),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    assert_eq!(answer["status"], 200, "{answer}");
    assert_eq!(answer["result"]["subscriptionId"], 0);
    (api, key, signer)
}

pub(crate) fn limit(side: &str, price: &str, qty: &str, client: &str) -> Value {
    json!({"symbol": "BTCUSDT", "side": side, "type": "LIMIT", "timeInForce": "GTC",
           "price": price, "quantity": qty, "newClientOrderId": client})
}

pub(crate) fn code(answer: &Value) -> (u64, i64, String) {
    (
        answer["status"].as_u64().unwrap(),
        answer["error"]["code"].as_i64().unwrap_or(0),
        answer["error"]["msg"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_resting_order_fills_in_parts_by_market_trades_and_is_cancelled_with_events_and_balances() {
    let b = start();
    let (mut api, key, signer) = subscribed(&b).await;
    let placed = api
        .signed(
            "order.place",
            limit("BUY", "29000", "0.1", "h-1"),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    assert_eq!(placed["status"], 200, "{placed}");
    assert_eq!(placed["result"]["status"], "NEW");
    assert_eq!(placed["result"]["clientOrderId"], "h-1");
    assert!(placed["rateLimits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["rateLimitType"] == "ORDERS" && l["count"] == 1));
    let new = api.event("executionReport").await;
    assert_eq!(
        (new["subscriptionId"].as_u64(), new["event"]["x"].as_str()),
        (Some(0), Some("NEW"))
    );
    let position = api.event("outboundAccountPosition").await;
    let usdt = position["event"]["B"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["a"] == "USDT")
        .unwrap()
        .clone();
    assert_eq!(
        (usdt["f"].as_str(), usdt["l"].as_str()),
        (Some("97100.00000000"), Some("2900.00000000"))
    );
    // A seller takes 0.04 at 28990: the resting buy fills that much at its own price.
    b.trade("BTCUSDT", d("28990"), d("0.04"), true).unwrap();
    let fill = api.event("executionReport").await["event"].clone();
    assert_eq!(
        (fill["x"].as_str(), fill["X"].as_str()),
        (Some("TRADE"), Some("PARTIALLY_FILLED"))
    );
    assert_eq!(
        (fill["l"].as_str(), fill["L"].as_str()),
        (Some("0.04000000"), Some("29000.00000000"))
    );
    assert_eq!(
        (fill["n"].as_str(), fill["N"].as_str()),
        (Some("0.00004000"), Some("BTC"))
    );
    assert!(fill["t"].as_i64().unwrap() > 0);
    let cancelled = api
        .signed(
            "order.cancel",
            json!({"symbol": "BTCUSDT", "origClientOrderId": "h-1"}),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    assert_eq!(cancelled["result"]["status"], "CANCELED", "{cancelled}");
    let report = api.event("executionReport").await["event"].clone();
    assert_eq!(
        (report["x"].as_str(), report["C"].as_str()),
        (Some("CANCELED"), Some("h-1"))
    );
    let balances = b.balances();
    assert_eq!(balances["USDT"].free, d("100000") - d("0.04") * d("29000"));
    assert_eq!(balances["USDT"].locked, d("0"));
    assert_eq!(balances["BTC"].free, d("5") + d("0.04") - d("0.00004"));
    let status = api
        .signed(
            "order.status",
            json!({"symbol": "BTCUSDT", "origClientOrderId": "h-1"}),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    assert_eq!(
        (
            status["result"]["status"].as_str(),
            status["result"]["executedQty"].as_str()
        ),
        (Some("CANCELED"), Some("0.04000000"))
    );
}

#[tokio::test]
async fn market_ioc_and_fok_orders_match_the_book_and_expire_what_is_left() {
    let b = start();
    let (mut api, key, signer) = subscribed(&b).await;
    let market =
        json!({"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "1", "newClientOrderId": "m-1"});
    let placed = api.signed("order.place", market, &key, &signer, b.now_ms()).await;
    let fills = placed["result"]["fills"].as_array().unwrap();
    assert_eq!(fills.len(), 2, "{placed}");
    assert_eq!(
        (fills[0]["price"].as_str(), fills[0]["qty"].as_str()),
        (Some("30010.00000000"), Some("0.50000000"))
    );
    assert_eq!(
        (fills[1]["price"].as_str(), fills[1]["qty"].as_str()),
        (Some("30020.00000000"), Some("0.50000000"))
    );
    assert_eq!(placed["result"]["status"], "FILLED");
    assert_eq!(
        b.book("BTCUSDT", 5).unwrap().2,
        [(d("30020"), d("1.5"))],
        "the book lost what traded"
    );
    // IOC for more than the book has at its price: what trades, trades; the rest expires.
    let ioc = json!({"symbol": "BTCUSDT", "side": "SELL", "type": "LIMIT", "timeInForce": "IOC",
                     "price": "29990", "quantity": "1.5", "newClientOrderId": "i-1"});
    let placed = api.signed("order.place", ioc, &key, &signer, b.now_ms()).await;
    assert_eq!(
        (
            placed["result"]["status"].as_str(),
            placed["result"]["executedQty"].as_str()
        ),
        (Some("EXPIRED"), Some("1.00000000"))
    );
    // FOK that cannot fill in full trades nothing.
    let fok = json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT", "timeInForce": "FOK",
                     "price": "30020", "quantity": "2", "newClientOrderId": "f-1"});
    let placed = api.signed("order.place", fok, &key, &signer, b.now_ms()).await;
    assert_eq!(
        (
            placed["result"]["status"].as_str(),
            placed["result"]["executedQty"].as_str()
        ),
        (Some("EXPIRED"), Some("0.00000000"))
    );
    assert_eq!(b.order("f-1").unwrap().status, OrderStatus::Expired);
}

#[tokio::test]
async fn refusals_carry_binances_codes_and_messages() {
    let b = start();
    let (mut api, key, signer) = subscribed(&b).await;
    let cases = [
        (
            limit("BUY", "29000.001", "0.1", "r-1"),
            -1013,
            "Filter failure: PRICE_FILTER",
        ),
        (
            limit("BUY", "29000", "0.100001", "r-2"),
            -1013,
            "Filter failure: LOT_SIZE",
        ),
        (
            limit("BUY", "29000", "0.0001", "r-3"),
            -1013,
            "Filter failure: NOTIONAL",
        ),
    ];
    for (params, expected_code, msg) in cases {
        let answer = api.signed("order.place", params, &key, &signer, b.now_ms()).await;
        assert_eq!(code(&answer), (400, expected_code, msg.to_owned()));
    }
    let answer = api
        .signed(
            "order.place",
            limit("BUY", "29000", "5", "r-4"),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    assert_eq!(
        code(&answer),
        (
            400,
            -2010,
            "Account has insufficient balance for requested action.".into()
        )
    );
    let b2 = start();
    let (mut api, key, signer) = subscribed(&b2).await;
    let maker = json!({"symbol": "BTCUSDT", "side": "BUY", "type": "LIMIT_MAKER", "price": "30010",
                       "quantity": "0.1", "newClientOrderId": "r-5"});
    let answer = api.signed("order.place", maker, &key, &signer, b2.now_ms()).await;
    assert_eq!(
        code(&answer),
        (400, -2010, "Order would immediately match and take.".into())
    );
    let answer = api
        .signed(
            "order.cancel",
            json!({"symbol": "BTCUSDT", "origClientOrderId": "nope"}),
            &key,
            &signer,
            b2.now_ms(),
        )
        .await;
    assert_eq!(code(&answer), (400, -2011, "Unknown order sent.".into()));
    let answer = api
        .signed(
            "order.status",
            json!({"symbol": "BTCUSDT", "origClientOrderId": "nope"}),
            &key,
            &signer,
            b2.now_ms(),
        )
        .await;
    assert_eq!(code(&answer), (400, -2013, "Order does not exist.".into()));
    let answer = api
        .signed(
            "order.place",
            limit("BUY", "29000", "0.1", "r-6"),
            &key,
            &signer,
            b2.now_ms() - 10_000,
        )
        .await;
    assert_eq!(code(&answer).1, -1021, "older than recvWindow");
    let answer = api
        .signed(
            "order.place",
            limit("BUY", "29000", "0.1", "r-7"),
            &key,
            &signer,
            b2.now_ms() + 2_000,
        )
        .await;
    assert_eq!(code(&answer).1, -1021, "more than 1 s ahead");
    let answer = api
        .signed(
            "order.place",
            limit("BUY", "29000", "0.1", "r-8"),
            &key,
            &Signer::Hmac("wrong".into()),
            b2.now_ms(),
        )
        .await;
    assert_eq!(
        code(&answer),
        (400, -1022, "Signature for this request is not valid.".into())
    );
    let answer = api
        .signed(
            "order.place",
            limit("BUY", "29000", "0.1", "r-9"),
            "who",
            &signer,
            b2.now_ms(),
        )
        .await;
    assert_eq!(code(&answer).0, 401);
    // -1015 once the order count limit is used up.
    let b3 = start_with(|c| c.orders_per_10s = 2);
    let (mut api, key, signer) = subscribed(&b3).await;
    for n in 0..2 {
        let answer = api
            .signed(
                "order.place",
                limit("BUY", "29000", "0.01", &format!("c-{n}")),
                &key,
                &signer,
                b3.now_ms(),
            )
            .await;
        assert_eq!(answer["status"], 200);
    }
    let answer = api
        .signed(
            "order.place",
            limit("BUY", "29000", "0.01", "c-2"),
            &key,
            &signer,
            b3.now_ms(),
        )
        .await;
    assert_eq!(
        code(&answer),
        (
            429,
            -1015,
            "Too many new orders; current limit is 2 orders per 10 SECOND.".into()
        )
    );
}

#[tokio::test]
async fn ed25519_keys_log_on_and_then_send_only_a_timestamp_hmac_keys_cannot_log_on() {
    let b = start();
    let mut api = Api::connect(&b).await;
    let (hmac_key, hmac_signer) = hmac(&b);
    let refused = api
        .signed("session.logon", json!({}), &hmac_key, &hmac_signer, b.now_ms())
        .await;
    assert_eq!(code(&refused).1, -4056);
    let unauthorized = api.call("userDataStream.subscribe", Value::Null).await;
    assert_eq!(code(&unauthorized).0, 401);
    let (key, signer) = ed25519(&b);
    let logon = api.signed("session.logon", json!({}), &key, &signer, b.now_ms()).await;
    assert_eq!(logon["result"]["apiKey"], DEFAULT_ED25519_API_KEY, "{logon}");
    let subscribed = api.call("userDataStream.subscribe", Value::Null).await;
    assert_eq!(subscribed["result"]["subscriptionId"], 0);
    let again = api.call("userDataStream.subscribe", Value::Null).await;
    assert_eq!(code(&again).1, -2035);
    let mut order = limit("SELL", "31000", "0.5", "e-1");
    order["timestamp"] = b.now_ms().into();
    let placed = api.call("order.place", order).await;
    assert_eq!(placed["result"]["status"], "NEW", "{placed}");
    assert_eq!(api.event("executionReport").await["event"]["c"], "e-1");
    let no_timestamp = api
        .call("order.status", json!({"symbol": "BTCUSDT", "origClientOrderId": "e-1"}))
        .await;
    assert_eq!(code(&no_timestamp).1, -1102);
    b.deposit("USDT", d("10"));
    let update = api.event("balanceUpdate").await;
    assert_eq!(update["event"]["d"], "10.00000000");
    assert_eq!(DEFAULT_HMAC_API_KEY, hmac_key);
}

#[tokio::test]
async fn cancel_replace_swaps_the_order_or_says_which_half_failed() {
    let b = start();
    let (mut api, key, signer) = subscribed(&b).await;
    api.signed(
        "order.place",
        limit("BUY", "29000", "0.1", "a-1"),
        &key,
        &signer,
        b.now_ms(),
    )
    .await;
    let mut replace = limit("BUY", "29100", "0.2", "a-1");
    replace["cancelReplaceMode"] = "STOP_ON_FAILURE".into();
    replace["cancelOrigClientOrderId"] = "a-1".into();
    let answer = api
        .signed("order.cancelReplace", replace.clone(), &key, &signer, b.now_ms())
        .await;
    assert_eq!(
        (
            answer["result"]["cancelResult"].as_str(),
            answer["result"]["newOrderResult"].as_str()
        ),
        (Some("SUCCESS"), Some("SUCCESS")),
        "{answer}"
    );
    let open: Vec<_> = b.orders().into_iter().filter(|o| o.status.is_open()).collect();
    assert_eq!(
        (open.len(), open[0].price, open[0].client_order_id.as_str()),
        (1, d("29100"), "a-1")
    );
    let replaced = b
        .orders()
        .into_iter()
        .find(|o| o.status == OrderStatus::Canceled)
        .unwrap();
    assert_eq!(
        (replaced.replaces, open[0].replaces),
        (None, Some(replaced.order_id)),
        "the new order names the one it replaced"
    );
    replace["cancelOrigClientOrderId"] = "gone".into();
    let failed = api
        .signed("order.cancelReplace", replace, &key, &signer, b.now_ms())
        .await;
    assert_eq!(code(&failed), (400, -2022, "Order cancel-replace failed.".into()));
    assert_eq!(failed["error"]["data"]["cancelResponse"]["code"], -2011);
    assert_eq!(failed["error"]["data"]["newOrderResult"], "NOT_ATTEMPTED");
}

#[tokio::test]
async fn faults_lose_replies_of_executed_orders_and_end_streams_and_sessions() {
    let b = start();
    let (mut api, key, signer) = subscribed(&b).await;
    b.arm_fault(Fault::ExecuteThenTimeout { status: 503 });
    let timeout = api
        .signed(
            "order.place",
            limit("BUY", "29000", "0.1", "f-1"),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    assert_eq!(code(&timeout).0, 503);
    assert_eq!(code(&timeout).1, -1007);
    assert!(b.order("f-1").is_some(), "executed all the same");
    b.arm_fault(Fault::ExecuteThenDrop);
    api.ws
        .send(&json!({"id": 99, "method": "order.place", "params": {}}).to_string())
        .await;
    // The malformed request is still "executed" (refused) and its answer lost with the socket.
    assert!(api.answer(99).await.is_none());
    assert_eq!(b.pending_faults(), 0);
    assert!(wait_until(|| b.api_connections() == 0).await);
    let (mut api, key, signer) = subscribed(&b).await;
    b.terminate_user_streams();
    let ended = api.event("eventStreamTerminated").await;
    assert_eq!(ended["subscriptionId"], 0);
    assert_eq!(b.user_data_subscribers(), 0);
    let again = api
        .signed(
            "userDataStream.subscribe.signature",
            json!({}),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    assert_eq!(again["result"]["subscriptionId"], 1, "ids count on per connection");
    b.api_server_shutdown();
    let shutdown = api.ws.next().await.unwrap();
    assert_eq!(shutdown["event"]["e"], "serverShutdown");
    b.arm_fault(Fault::RateLimit {
        status: 418,
        retry_after_ms: 60_000,
    });
    let banned = api.call("time", Value::Null).await;
    assert_eq!(code(&banned).0, 418);
    assert!(banned["error"]["data"]["retryAfter"].as_i64().unwrap() >= b.now_ms() + 59_000);
}

#[tokio::test]
async fn a_connection_lives_no_longer_than_its_lifetime() {
    let b = start_with(|c| c.ws_api_lifetime = Duration::from_millis(300));
    let mut api = Api::connect(&b).await;
    assert!(api.ws.closed().await);
}

#[tokio::test]
async fn signed_rest_queries_read_the_same_account() {
    let b = start();
    let (mut api, key, signer) = subscribed(&b).await;
    api.signed(
        "order.place",
        limit("BUY", "30010", "0.2", "q-1"),
        &key,
        &signer,
        b.now_ms(),
    )
    .await;
    let query = |params: &str| {
        let payload = format!("{params}&timestamp={}", b.now_ms());
        format!("{payload}&signature={}", signer.sign(&payload))
    };
    let header = format!("X-MBX-APIKEY: {key}\r\n");
    let (status, order) = get_with(
        &b,
        &format!("/api/v3/order?{}", query("symbol=BTCUSDT&origClientOrderId=q-1")),
        &header,
    )
    .await;
    assert_eq!(
        (status, order["status"].as_str(), order["executedQty"].as_str()),
        (200, Some("FILLED"), Some("0.20000000"))
    );
    let (_, trades) = get_with(&b, &format!("/api/v3/myTrades?{}", query("symbol=BTCUSDT")), &header).await;
    assert_eq!(trades.as_array().unwrap().len(), 1);
    assert_eq!(
        (trades[0]["price"].as_str(), trades[0]["isBuyer"].as_bool()),
        (Some("30010.00000000"), Some(true))
    );
    let (_, open) = get_with(&b, &format!("/api/v3/openOrders?{}", query("symbol=BTCUSDT")), &header).await;
    assert_eq!(open, json!([]));
    let forged = format!("symbol=BTCUSDT&timestamp={}&signature=00", b.now_ms());
    let (status, refused) = get_with(&b, &format!("/api/v3/openOrders?{forged}"), &header).await;
    assert_eq!((status, refused["code"].as_i64()), (400, Some(-1022)));
}

#[tokio::test]
async fn hostile_numbers_are_refused_not_panicked_on() {
    let b = start();
    let (mut api, key, signer) = subscribed(&b).await;
    for (price, qty) in [
        ("79228162514264337593543950335", "1"),
        ("1", "79228162514264337593543950335"),
        ("-1", "1"),
        ("1e3", "1"),
    ] {
        let answer = api
            .signed(
                "order.place",
                limit("BUY", price, qty, "x-1"),
                &key,
                &signer,
                b.now_ms(),
            )
            .await;
        assert_eq!(answer["status"], 400, "{price} {qty}: {answer}");
    }
    let answer = api.call("order.place", json!("not an object")).await;
    assert_eq!(answer["status"], 400);
    assert_eq!(
        api.call("time", Value::Null).await["status"],
        200,
        "the connection lives on"
    );
}

#[tokio::test]
async fn past_the_request_weight_every_answer_is_a_429_with_retry_after() {
    let b = start_with(|c| c.weight_per_minute = 3);
    let mut api = Api::connect(&b).await;
    for _ in 0..3 {
        assert_eq!(api.call("time", Value::Null).await["status"], 200);
    }
    let limited = api.call("time", Value::Null).await;
    assert_eq!(code(&limited).0, 429);
    assert_eq!(code(&limited).1, -1003);
    let retry_after = limited["error"]["data"]["retryAfter"].as_i64().unwrap();
    assert!(
        retry_after > b.now_ms() && retry_after <= b.now_ms() + 60_000,
        "{limited}"
    );
    let weight = limited["rateLimits"][0].clone();
    assert_eq!(
        (weight["rateLimitType"].as_str(), weight["count"].as_u64()),
        (Some("REQUEST_WEIGHT"), Some(4))
    );
}
