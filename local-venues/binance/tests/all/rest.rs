//! REST: exchangeInfo, depth and time, as Binance answers them, and Binance's error bodies.

use local_binance::{LocalBinance, LocalBinanceConfig};

use crate::support::{d, get};

#[tokio::test]
async fn exchange_info_lists_symbols_with_their_filters() {
    let b = LocalBinance::start(LocalBinanceConfig::default()).unwrap();
    let (status, info) = get(&b, "/api/v3/exchangeInfo").await;
    assert_eq!(status, 200);
    let btc = &info["symbols"][0];
    assert_eq!(
        (btc["symbol"].as_str(), btc["status"].as_str()),
        (Some("BTCUSDT"), Some("TRADING"))
    );
    assert_eq!(
        (btc["baseAsset"].as_str(), btc["quoteAsset"].as_str()),
        (Some("BTC"), Some("USDT"))
    );
    let filters: Vec<&str> = btc["filters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["filterType"].as_str().unwrap())
        .collect();
    assert_eq!(
        filters,
        [
            "PRICE_FILTER",
            "LOT_SIZE",
            "MARKET_LOT_SIZE",
            "NOTIONAL",
            "MAX_NUM_ORDERS",
            "MAX_NUM_ORDER_AMENDS"
        ]
    );
    assert_eq!(btc["filters"][5]["maxNumOrderAmends"], 10);
    let types: Vec<&str> = btc["orderTypes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert!(
        types.contains(&"STOP_LOSS") && types.contains(&"STOP_LOSS_LIMIT"),
        "{types:?}"
    );
    assert_eq!(btc["amendAllowed"], true);
    assert_eq!(btc["filters"][0]["tickSize"], "0.01000000");
    assert_eq!(info["rateLimits"][0]["rateLimitType"], "REQUEST_WEIGHT");
    let (status, one) = get(&b, "/api/v3/exchangeInfo?symbol=ETHUSDT").await;
    assert_eq!((status, one["symbols"].as_array().unwrap().len()), (200, 1));
    let (status, error) = get(&b, "/api/v3/exchangeInfo?symbol=NOPE").await;
    assert_eq!((status, error["code"].as_i64()), (400, Some(-1121)));
}

#[tokio::test]
async fn depth_answers_the_book_with_its_update_id_and_time_the_clock() {
    let b = LocalBinance::start(LocalBinanceConfig::default()).unwrap();
    b.set_levels(
        "BTCUSDT",
        &[(d("100.1"), d("1")), (d("100.2"), d("2")), (d("99"), d("3"))],
        &[(d("101"), d("0.5"))],
    )
    .unwrap();
    let (status, depth) = get(&b, "/api/v3/depth?symbol=BTCUSDT&limit=2").await;
    assert_eq!(status, 200);
    let (id, _, _) = b.book("BTCUSDT", 2).unwrap();
    assert_eq!(depth["lastUpdateId"].as_u64(), Some(id));
    assert_eq!(
        depth["bids"],
        serde_json::json!([["100.20000000", "2.00000000"], ["100.10000000", "1.00000000"]])
    );
    assert_eq!(depth["asks"], serde_json::json!([["101.00000000", "0.50000000"]]));
    for bad in [
        "/api/v3/depth",
        "/api/v3/depth?symbol=BTCUSDT&limit=0",
        "/api/v3/depth?symbol=NOPE",
    ] {
        let (status, error) = get(&b, bad).await;
        assert_eq!(status, 400, "{bad}");
        assert!(error["code"].as_i64().unwrap() < 0, "{bad}");
    }
    b.advance_to(b.now_ms() + 5_000).unwrap();
    let (_, time) = get(&b, "/api/v3/time").await;
    assert_eq!(time["serverTime"].as_i64(), Some(b.now_ms()));
    assert!(b.advance_to(0).is_err());
}
