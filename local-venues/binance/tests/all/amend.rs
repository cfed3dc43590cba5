//! `order.amend.keepPriority` over the WebSocket API: a decrease in place that keeps the
//! order's place in the queue, its REPLACED report, the client order id it gets, and the
//! amends Binance refuses.

use local_binance::LocalBinance;
use serde_json::{json, Value};

use crate::support::{d, Api, Signer};
use crate::ws_api::{code, limit, start, subscribed};

async fn amend(api: &mut Api, b: &LocalBinance, key: &str, signer: &Signer, params: Value) -> Value {
    api.signed("order.amend.keepPriority", params, key, signer, b.now_ms())
        .await
}

fn weight(answer: &Value) -> u64 {
    answer["rateLimits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rateLimitType"] == "REQUEST_WEIGHT")
        .and_then(|l| l["count"].as_u64())
        .unwrap()
}

#[tokio::test]
async fn a_decrease_keeps_the_queue_reports_replaced_and_takes_the_new_client_id() {
    let b = start();
    let (mut api, key, signer) = subscribed(&b).await;
    api.signed(
        "order.place",
        limit("BUY", "29000", "0.3", "a-1"),
        &key,
        &signer,
        b.now_ms(),
    )
    .await;
    let second = api
        .signed(
            "order.place",
            limit("BUY", "29000", "0.2", "a-2"),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    api.event("executionReport").await;
    api.event("executionReport").await;
    let amended = amend(
        &mut api,
        &b,
        &key,
        &signer,
        json!({"symbol": "BTCUSDT", "origClientOrderId": "a-1", "newQty": "0.1", "newClientOrderId": "a-1b"}),
    )
    .await;
    assert_eq!(amended["status"], 200, "{amended}");
    assert_eq!(weight(&amended), weight(&second) + 4, "weight 4");
    let r = &amended["result"];
    assert!(
        r["transactTime"].as_i64().is_some() && r["executionId"].as_u64().is_some(),
        "{r}"
    );
    let order = &r["amendedOrder"];
    assert_eq!(
        (
            order["origClientOrderId"].as_str(),
            order["clientOrderId"].as_str(),
            order["qty"].as_str(),
            order["status"].as_str(),
            order["orderListId"].as_i64()
        ),
        (Some("a-1"), Some("a-1b"), Some("0.10000000"), Some("NEW"), Some(-1))
    );
    assert_eq!(
        (
            order["preventedQty"].as_str(),
            order["quoteOrderQty"].as_str(),
            order["type"].as_str()
        ),
        (Some("0.00000000"), Some("0.00000000"), Some("LIMIT"))
    );
    let replaced = api.event("executionReport").await["event"].clone();
    assert_eq!(
        (
            replaced["x"].as_str(),
            replaced["X"].as_str(),
            replaced["q"].as_str(),
            replaced["c"].as_str(),
            replaced["C"].as_str()
        ),
        (
            Some("REPLACED"),
            Some("NEW"),
            Some("0.10000000"),
            Some("a-1b"),
            Some("a-1")
        )
    );
    assert_eq!(replaced["I"], r["executionId"]);
    assert_eq!(replaced["i"], order["orderId"]);
    // The 0.2 it no longer buys is unlocked: 0.1 and 0.2 at 29000 stay locked.
    assert_eq!(b.balances()["USDT"].locked, d("8700"));

    // Still first in the queue at 29000: a seller of 0.15 fills it before the later order.
    b.trade("BTCUSDT", d("29000"), d("0.15"), true).unwrap();
    let first = api.event("executionReport").await["event"].clone();
    let then = api.event("executionReport").await["event"].clone();
    assert_eq!(
        (first["c"].as_str(), first["X"].as_str(), first["l"].as_str()),
        (Some("a-1b"), Some("FILLED"), Some("0.10000000"))
    );
    assert_eq!(
        (then["c"].as_str(), then["X"].as_str(), then["l"].as_str()),
        (Some("a-2"), Some("PARTIALLY_FILLED"), Some("0.05000000"))
    );

    // Without newClientOrderId the order gets a fresh random id, as Binance gives it.
    let order_id = second["result"]["orderId"].clone();
    let renamed = amend(
        &mut api,
        &b,
        &key,
        &signer,
        json!({"symbol": "BTCUSDT", "orderId": order_id, "newQty": "0.1"}),
    )
    .await;
    let fresh = renamed["result"]["amendedOrder"]["clientOrderId"]
        .as_str()
        .unwrap_or_else(|| panic!("{renamed}"))
        .to_owned();
    assert_eq!(renamed["result"]["amendedOrder"]["origClientOrderId"], "a-2");
    assert_eq!(renamed["result"]["amendedOrder"]["executedQty"], "0.05000000");
    assert!(
        fresh != "a-2" && fresh.len() == 22 && fresh.bytes().all(|c| c.is_ascii_alphanumeric()),
        "{fresh}"
    );
    let replaced = api.event("executionReport").await["event"].clone();
    assert_eq!(
        (replaced["c"].as_str(), replaced["C"].as_str()),
        (Some(fresh.as_str()), Some("a-2"))
    );
    // Sending the current id keeps it.
    let kept = amend(
        &mut api,
        &b,
        &key,
        &signer,
        json!({"symbol": "BTCUSDT", "orderId": order_id, "newQty": "0.08", "newClientOrderId": fresh}),
    )
    .await;
    assert_eq!(kept["result"]["amendedOrder"]["clientOrderId"], json!(fresh), "{kept}");
    assert_eq!(b.order(&fresh).unwrap().qty, d("0.08"));
}

#[tokio::test]
async fn an_increase_no_change_and_the_executed_quantity_or_below_are_refused() {
    let b = start();
    let (mut api, key, signer) = subscribed(&b).await;
    api.signed(
        "order.place",
        limit("SELL", "31000", "0.3", "r-1"),
        &key,
        &signer,
        b.now_ms(),
    )
    .await;
    b.trade("BTCUSDT", d("31000"), d("0.1"), false).unwrap();
    let cases = [
        ("0.4", -2038, "Order amend (quantity increase) is not supported."),
        ("0.3", -2038, "The requested action would change no state; rejecting"),
        (
            "0.1",
            -2038,
            "Order amend to the executed quantity or below is not supported.",
        ),
        ("0.150001", -1013, "Filter failure: LOT_SIZE"),
    ];
    for (new_qty, expected, msg) in cases {
        let answer = amend(
            &mut api,
            &b,
            &key,
            &signer,
            json!({"symbol": "BTCUSDT", "origClientOrderId": "r-1", "newQty": new_qty}),
        )
        .await;
        assert_eq!(code(&answer), (400, expected, msg.to_owned()), "newQty {new_qty}");
    }
    let order = b.order("r-1").unwrap();
    assert_eq!((order.qty, order.executed), (d("0.3"), d("0.1")), "unchanged");
    let missing = amend(
        &mut api,
        &b,
        &key,
        &signer,
        json!({"symbol": "BTCUSDT", "origClientOrderId": "r-1"}),
    )
    .await;
    assert_eq!(code(&missing).1, -1102);
    let unknown = amend(
        &mut api,
        &b,
        &key,
        &signer,
        json!({"symbol": "BTCUSDT", "origClientOrderId": "nope", "newQty": "0.1"}),
    )
    .await;
    assert_eq!(code(&unknown), (400, -2038, "Unknown order sent.".into()));
    // Ten amends per order at most.
    for n in 0..10 {
        let qty = format!("0.{}", 29 - n);
        let answer = amend(
            &mut api,
            &b,
            &key,
            &signer,
            json!({"symbol": "BTCUSDT", "origClientOrderId": "r-1", "newQty": qty, "newClientOrderId": "r-1"}),
        )
        .await;
        assert_eq!(answer["status"], 200, "amend {n}: {answer}");
    }
    let eleventh = amend(
        &mut api,
        &b,
        &key,
        &signer,
        json!({"symbol": "BTCUSDT", "origClientOrderId": "r-1", "newQty": "0.15"}),
    )
    .await;
    assert_eq!(
        code(&eleventh),
        (400, -2038, "Filter failure: MAX_NUM_ORDER_AMENDS".into())
    );
}
