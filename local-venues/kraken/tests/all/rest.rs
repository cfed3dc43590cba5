//! REST: the signature rules, the token endpoint, public endpoints, and REST trading.

use crate::support::*;
use local_kraken::{LocalKraken, LocalKrakenConfig};
use serde_json::Value;

const DOC_SECRET: &str = "kQH5HW/8p1uGOVjbgWA7FunAmGO8lsSUXNsu3eow76sz84Q18fWxnyRzBHCd3pd5nE9qa99HAZtuZuj6F1huXg==";

#[tokio::test]
async fn the_documented_vector_is_accepted_byte_for_byte() {
    let k = LocalKraken::start(LocalKrakenConfig {
        api_secret: Some(DOC_SECRET.into()),
        ..config()
    })
    .unwrap();
    let body = "nonce=1616492376594&ordertype=limit&pair=XBTUSD&price=37500&type=buy&volume=1.25";
    let sign = "4/dpxb3iT4tp/ZCVEwSnEsLxx0bqyhLpdfOpc6fn7OR8+UClSV5n9E6aSS8MPtnRfp32bAb0nmbRn6H8ndwLUQ==";
    let headers = [("API-Key", k.api_key().to_string()), ("API-Sign", sign.to_string())];
    let (status, text) = http(&k, "POST", "/0/private/AddOrder", &headers, body).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_str(&text).unwrap();
    // Signed right, and 1.25 BTC at 37500 (46875 USD plus the fee) fits the balance: placed.
    assert_eq!(v["error"], serde_json::json!([]), "{v}");
    assert_eq!(v["result"]["descr"]["order"], "buy 1.25000000 XBTUSD @ limit 37500.0");
    assert_eq!(k.open_orders().len(), 1);
    // The same nonce again is refused.
    let (_, text) = http(&k, "POST", "/0/private/AddOrder", &headers, body).await;
    assert!(text.contains("EAPI:Invalid nonce"), "{text}");
}

#[tokio::test]
async fn key_signature_and_nonce_are_checked_in_order() {
    let k = start();
    let n = nonce().to_string();
    let body = format!("nonce={n}");
    let path = "/0/private/GetWebSocketsToken";
    let good = local_kraken::sign(k.api_secret(), path, &n, &body).unwrap();
    let (_, t) = http(
        &k,
        "POST",
        path,
        &[("API-Key", "nope".into()), ("API-Sign", good.clone())],
        &body,
    )
    .await;
    assert_eq!(t, r#"{"error":["EAPI:Invalid key"]}"#);
    let (_, t) = http(
        &k,
        "POST",
        path,
        &[("API-Key", k.api_key().into()), ("API-Sign", "AAAA".into())],
        &body,
    )
    .await;
    assert_eq!(t, r#"{"error":["EAPI:Invalid signature"]}"#);
    let (_, t) = http(
        &k,
        "POST",
        path,
        &[("API-Key", k.api_key().into()), ("API-Sign", good.clone())],
        &body,
    )
    .await;
    let v: Value = serde_json::from_str(&t).unwrap();
    assert_eq!(v["result"]["expires"], 900);
    assert!(v["result"]["token"].as_str().unwrap().len() > 20);
    let (_, t) = http(
        &k,
        "POST",
        path,
        &[("API-Key", k.api_key().into()), ("API-Sign", good)],
        &body,
    )
    .await;
    assert_eq!(t, r#"{"error":["EAPI:Invalid nonce"]}"#);
    assert_eq!(k.tokens_issued(), 1);
}

#[tokio::test]
async fn token_requests_can_be_refused_on_request() {
    let k = start();
    k.reject_token_requests(2);
    for _ in 0..2 {
        let v = private(&k, "GetWebSocketsToken", "").await;
        assert_eq!(v["error"][0], "EService:Unavailable");
    }
    let v = private(&k, "GetWebSocketsToken", "").await;
    assert!(v["result"]["token"].is_string());
}

#[tokio::test]
async fn public_endpoints_describe_pairs_and_time() {
    let k = start();
    let (_, t) = http(&k, "GET", "/0/public/Time", &[], "").await;
    let v: Value = serde_json::from_str(&t).unwrap();
    assert_eq!(v["result"]["unixtime"], 1_700_000_100);
    let (_, t) = http(&k, "GET", "/0/public/AssetPairs?pair=XBTUSD", &[], "").await;
    let v: Value = serde_json::from_str(&t).unwrap();
    let p = &v["result"]["XXBTZUSD"];
    assert_eq!(p["pair_decimals"], 1);
    assert_eq!(p["lot_decimals"], 8);
    assert_eq!(p["ordermin"], "0.0001");
    assert_eq!(p["costmin"], "0.5");
    assert_eq!(p["tick_size"], "0.1");
    let (status, _) = http(&k, "GET", "/nope", &[], "").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn rest_trading_places_queries_and_cancels() {
    let k = start();
    let v = private(
        &k,
        "AddOrder",
        "pair=BTC%2FUSD&type=buy&ordertype=limit&volume=0.01&price=20000.0&cl_ord_id=rest-1",
    )
    .await;
    let id = v["result"]["txid"][0].as_str().unwrap().to_string();
    let v = private(&k, "OpenOrders", "").await;
    assert_eq!(v["result"]["open"][&id]["descr"]["price"], "20000.0");
    assert_eq!(v["result"]["open"][&id]["cl_ord_id"], "rest-1");
    let v = private(&k, "QueryOrders", &format!("txid={id}")).await;
    assert_eq!(v["result"][&id]["status"], "open");
    let v = private(&k, "Balance", "").await;
    assert_eq!(v["result"]["ZUSD"], "100000.0000");
    let v = private(&k, "CancelOrder", "cl_ord_id=rest-1").await;
    assert_eq!(v["result"]["count"], 1);
    let v = private(&k, "CancelOrder", &format!("txid={id}")).await;
    assert_eq!(v["error"][0], "EOrder:Unknown order");
    let v = private(
        &k,
        "AddOrder",
        "pair=XBTUSD&type=sell&ordertype=limit&volume=1&price=20000",
    )
    .await;
    assert_eq!(v["error"][0], "EOrder:Insufficient funds");
    let v = private(&k, "TradesHistory", "").await;
    assert_eq!(v["result"]["count"], 0);
}

#[tokio::test]
async fn rest_ohlc_and_depth_read_the_exchange() {
    let k = start();
    k.book_snapshot("BTC/USD", &[(d("29999.0"), d("1"))], &[(d("30000.0"), d("0.5"))])
        .unwrap();
    k.trade("BTC/USD", local_kraken::Side::Buy, d("30000.0"), d("0.1"))
        .unwrap();
    k.advance_by(60_000).unwrap();
    k.trade("BTC/USD", local_kraken::Side::Sell, d("29999.0"), d("0.2"))
        .unwrap();
    let (_, t) = http(&k, "GET", "/0/public/OHLC?pair=XBTUSD&interval=1", &[], "").await;
    let v: Value = serde_json::from_str(&t).unwrap();
    let rows = v["result"]["XXBTZUSD"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{v}");
    assert_eq!(
        rows[0],
        serde_json::json!([
            1_700_000_100,
            "30000.0",
            "30000.0",
            "30000.0",
            "30000.0",
            "30000.0",
            "0.10000000",
            1
        ])
    );
    assert_eq!(v["result"]["last"], 1_700_000_100, "the newest closed candle");
    let (_, t) = http(&k, "GET", "/0/public/OHLC?pair=XBTUSD&since=1700000100", &[], "").await;
    let v: Value = serde_json::from_str(&t).unwrap();
    assert_eq!(v["result"]["XXBTZUSD"].as_array().unwrap().len(), 1);
    let (_, t) = http(&k, "GET", "/0/public/Depth?pair=XBTUSD&count=10", &[], "").await;
    let v: Value = serde_json::from_str(&t).unwrap();
    assert_eq!(v["result"]["XXBTZUSD"]["asks"][0][0], "30000.0");
    assert_eq!(v["result"]["XXBTZUSD"]["bids"][0][1], "1.00000000");
    let r = private(&k, "CancelAllOrdersAfter", "timeout=60").await;
    assert_eq!(r["result"]["triggerTime"], "2023-11-14T22:17:00.000000Z", "{r}");
    assert!(k.dead_man_deadline_ms().is_some());
}
