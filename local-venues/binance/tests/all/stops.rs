//! Stop orders over the WebSocket API: STOP_LOSS and STOP_LOSS_LIMIT placed, refused when the
//! last price already triggers them, triggered by market trades, filled, cancelled, with their
//! `executionReport`s in order.

use local_binance::LocalBinance;
use serde_json::{json, Value};

use crate::support::{d, Api, Signer};
use crate::ws_api::{code, start, subscribed};

fn stop_loss(side: &str, stop: &str, qty: &str, client: &str) -> Value {
    json!({"symbol": "BTCUSDT", "side": side, "type": "STOP_LOSS", "stopPrice": stop, "quantity": qty,
           "newClientOrderId": client})
}

fn stop_loss_limit(side: &str, stop: &str, price: &str, qty: &str, client: &str) -> Value {
    json!({"symbol": "BTCUSDT", "side": side, "type": "STOP_LOSS_LIMIT", "stopPrice": stop, "price": price,
           "quantity": qty, "timeInForce": "GTC", "newClientOrderId": client})
}

async fn place(api: &mut Api, b: &LocalBinance, key: &str, signer: &Signer, params: Value) -> Value {
    api.signed("order.place", params, key, signer, b.now_ms()).await
}

/// The next `executionReport`'s event.
async fn report(api: &mut Api) -> Value {
    api.event("executionReport").await["event"].clone()
}

fn triggered(b: &LocalBinance, client: &str) -> bool {
    b.order(client)
        .and_then(|o| o.stop)
        .is_some_and(|s| s.triggered_ms.is_some())
}

#[tokio::test]
async fn a_sell_stop_loss_is_refused_when_it_would_trigger_at_once_else_waits_and_sells_at_market() {
    let b = start();
    b.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
    let (mut api, key, signer) = subscribed(&b).await;
    // The last price, 30000, is already at or below a sell stop of 30500.
    let refused = place(&mut api, &b, &key, &signer, stop_loss("SELL", "30500", "0.1", "s-0")).await;
    assert_eq!(
        code(&refused),
        (400, -2010, "Stop price would trigger immediately.".into())
    );
    let placed = place(&mut api, &b, &key, &signer, stop_loss("SELL", "29500", "0.1", "s-1")).await;
    assert_eq!(placed["status"], 200, "{placed}");
    assert_eq!(placed["result"]["clientOrderId"], "s-1");
    assert!(
        placed["result"].get("status").is_none(),
        "a stop answers ACK by default: {placed}"
    );
    let new = report(&mut api).await;
    assert_eq!(
        (
            new["o"].as_str(),
            new["P"].as_str(),
            new["x"].as_str(),
            new["X"].as_str()
        ),
        (Some("STOP_LOSS"), Some("29500.00000000"), Some("NEW"), Some("NEW"))
    );
    assert_eq!(new["w"], false);
    assert!(new.get("W").is_none(), "not working yet: {new}");
    // It locks its quantity of the base.
    assert_eq!(b.balances()["BTC"].locked, d("0.1"));
    let status = api
        .signed(
            "order.status",
            json!({"symbol": "BTCUSDT", "origClientOrderId": "s-1"}),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    let o = &status["result"];
    assert_eq!(
        (
            o["type"].as_str(),
            o["stopPrice"].as_str(),
            o["isWorking"].as_bool(),
            o["workingTime"].as_i64()
        ),
        (Some("STOP_LOSS"), Some("29500.00000000"), Some(false), Some(-1))
    );

    // A fall to 29600 does not reach it; to 29500 does.
    b.trade("BTCUSDT", d("29600"), d("0.1"), true).unwrap();
    assert!(!triggered(&b, "s-1"));
    b.trade("BTCUSDT", d("29500"), d("0.1"), true).unwrap();
    let working = report(&mut api).await;
    assert_eq!(
        (working["x"].as_str(), working["X"].as_str(), working["w"].as_bool()),
        (Some("NEW"), Some("NEW"), Some(true))
    );
    assert!(working["W"].as_i64().is_some(), "working now: {working}");
    // As a market order it sells into the best bid at once.
    let fill = report(&mut api).await;
    assert_eq!(
        (fill["x"].as_str(), fill["X"].as_str(), fill["o"].as_str()),
        (Some("TRADE"), Some("FILLED"), Some("STOP_LOSS"))
    );
    assert_eq!(
        (fill["l"].as_str(), fill["L"].as_str(), fill["m"].as_bool()),
        (Some("0.10000000"), Some("29990.00000000"), Some(false))
    );
    let balances = b.balances();
    assert_eq!((balances["BTC"].free, balances["BTC"].locked), (d("4.9"), d("0")));
    // 0.1 × 29990 less the 0.1 % fee.
    assert_eq!(balances["USDT"].free, d("100000") + d("2999") - d("2.999"));
    assert_eq!(b.book("BTCUSDT", 1).unwrap().1, [(d("29990"), d("0.9"))]);
}

#[tokio::test]
async fn a_buy_stop_loss_limit_triggers_on_a_rise_takes_what_crosses_and_rests_the_rest() {
    let b = start();
    b.trade("BTCUSDT", d("30000"), d("0.01"), true).unwrap();
    let (mut api, key, signer) = subscribed(&b).await;
    let mut params = stop_loss_limit("BUY", "30005", "30015", "1", "sl-1");
    params["newOrderRespType"] = "RESULT".into();
    let placed = place(&mut api, &b, &key, &signer, params).await;
    let r = &placed["result"];
    assert_eq!(
        (
            r["type"].as_str(),
            r["stopPrice"].as_str(),
            r["workingTime"].as_i64(),
            r["status"].as_str()
        ),
        (Some("STOP_LOSS_LIMIT"), Some("30005.00000000"), Some(-1), Some("NEW")),
        "{placed}"
    );
    assert_eq!(report(&mut api).await["w"], false);
    // It locks its limit price × quantity.
    assert_eq!(b.balances()["USDT"].locked, d("30015"));
    // Not on the book: a seller at 30000, below its limit, does not fill it.
    b.trade("BTCUSDT", d("30000"), d("1"), true).unwrap();
    assert!(b.account_trades().is_empty());
    assert!(!triggered(&b, "sl-1"));

    // A buyer at 30005 triggers it: it takes the ask at 30010 within its limit, rests the rest.
    b.trade("BTCUSDT", d("30005"), d("0.01"), false).unwrap();
    let working = report(&mut api).await;
    assert_eq!(
        (working["x"].as_str(), working["X"].as_str(), working["w"].as_bool()),
        (Some("NEW"), Some("NEW"), Some(true))
    );
    let taken = report(&mut api).await;
    assert_eq!(
        (
            taken["x"].as_str(),
            taken["X"].as_str(),
            taken["L"].as_str(),
            taken["l"].as_str()
        ),
        (
            Some("TRADE"),
            Some("PARTIALLY_FILLED"),
            Some("30010.00000000"),
            Some("0.50000000")
        )
    );
    assert_eq!(taken["m"], false);
    // The rest fills at its limit, as maker, when a seller reaches it.
    b.trade("BTCUSDT", d("30015"), d("2"), true).unwrap();
    let rest = report(&mut api).await;
    assert_eq!(
        (
            rest["x"].as_str(),
            rest["X"].as_str(),
            rest["L"].as_str(),
            rest["l"].as_str()
        ),
        (
            Some("TRADE"),
            Some("FILLED"),
            Some("30015.00000000"),
            Some("0.50000000")
        )
    );
    assert_eq!(rest["m"], true);
    let balances = b.balances();
    assert_eq!(balances["USDT"].locked, d("0"));
    assert_eq!(balances["USDT"].free, d("100000") - d("15005") - d("15007.5"));
}

#[tokio::test]
async fn a_stop_is_cancelled_before_it_triggers_and_stop_params_are_checked() {
    let b = start();
    b.trade("BTCUSDT", d("30000"), d("0.01"), false).unwrap();
    let (mut api, key, signer) = subscribed(&b).await;
    place(
        &mut api,
        &b,
        &key,
        &signer,
        stop_loss_limit("SELL", "29000", "28990", "0.2", "c-1"),
    )
    .await;
    report(&mut api).await;
    let open = api
        .signed(
            "openOrders.status",
            json!({"symbol": "BTCUSDT"}),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    assert_eq!(
        (
            open["result"][0]["type"].as_str(),
            open["result"][0]["stopPrice"].as_str()
        ),
        (Some("STOP_LOSS_LIMIT"), Some("29000.00000000")),
        "{open}"
    );
    let cancelled = api
        .signed(
            "order.cancel",
            json!({"symbol": "BTCUSDT", "origClientOrderId": "c-1"}),
            &key,
            &signer,
            b.now_ms(),
        )
        .await;
    assert_eq!(cancelled["result"]["status"], "CANCELED", "{cancelled}");
    let cancel_report = report(&mut api).await;
    assert_eq!(
        (cancel_report["x"].as_str(), cancel_report["C"].as_str()),
        (Some("CANCELED"), Some("c-1"))
    );
    assert_eq!(b.balances()["BTC"].locked, d("0"));
    // Trading through its stop finds nothing to trigger.
    b.trade("BTCUSDT", d("28000"), d("1"), true).unwrap();
    assert!(b.account_trades().is_empty());
    assert!(!triggered(&b, "c-1"));

    let with = |f: &dyn Fn(&mut Value)| {
        let mut p = stop_loss_limit("BUY", "31000", "31010", "0.1", "p-1");
        f(&mut p);
        p
    };
    let cases = [
        (
            with(&|p| {
                p.as_object_mut().unwrap().remove("stopPrice");
            }),
            -1102,
            "Mandatory parameter 'stopPrice' was not sent, was empty/null, or malformed.",
        ),
        (
            with(&|p| {
                p.as_object_mut().unwrap().remove("timeInForce");
            }),
            -1102,
            "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.",
        ),
        (
            with(&|p| p["stopPrice"] = "31000.001".into()),
            -1013,
            "Filter failure: PRICE_FILTER",
        ),
        (
            with(&|p| p["type"] = "STOP_LOSS".into()),
            -1106,
            "Parameter 'price' sent when not required.",
        ),
        (
            with(&|p| p["type"] = "LIMIT".into()),
            -1106,
            "Parameter 'stopPrice' sent when not required.",
        ),
    ];
    for (params, expected, msg) in cases {
        let answer = place(&mut api, &b, &key, &signer, params).await;
        assert_eq!(code(&answer), (400, expected, msg.to_owned()));
    }
    assert!(b.orders().iter().all(|o| !o.status.is_open()), "nothing placed");
}
