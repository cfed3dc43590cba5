//! REST bodies: the documented exchangeInfo with every documented filter, depth, time and errors.

use super::*;
use crate::binance::wire::{ErrorKind, PriceFilter};
use rust_decimal::Decimal;

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/binance/", $name))
    };
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

/// The documented exchangeInfo with the documented example of every filter put on its symbol.
fn exchange_info_with_filters(status: &str) -> String {
    let filters: serde_json::Value =
        serde_json::from_str(fixture!("rest_exchangeInfo_filters_from_filters_md.json")).unwrap();
    let mut info: serde_json::Value = serde_json::from_str(fixture!("rest_exchangeInfo.json")).unwrap();
    let all: Vec<serde_json::Value> = filters["filters"].as_object().unwrap().values().cloned().collect();
    info["symbols"][0]["filters"] = serde_json::Value::Array(all);
    info["symbols"][0]["status"] = status.into();
    info["rateLimits"] = serde_json::json!([
        {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
        {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
        {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
        {}
    ]);
    info.to_string()
}

#[test]
fn the_documented_exchange_info_parses() {
    let info = parse_exchange_info(fixture!("rest_exchangeInfo.json")).unwrap();
    assert_eq!(info.server_time, 1_565_246_363_776);
    assert!(info.rate_limits.is_empty(), "the docs' `{{}}` entry is left out");
    let symbol = &info.symbols[0];
    assert_eq!((symbol.symbol.as_str(), symbol.base_asset.as_str()), ("ETHBTC", "ETH"));
    assert_eq!(symbol.trading_state(), TradingState::Open);
    // No filters at all: the precisions give the finest increments.
    let instrument = symbol.instrument().unwrap();
    assert_eq!(instrument.price_increment(), d("0.00000001"));
    let directory = info.directory();
    let host = directory.symbol(&symbol.symbol).unwrap();
    assert_eq!(host.as_str(), "ETH/BTC");
    assert_eq!(directory.venue(host), Some(symbol.symbol));
}

#[test]
fn every_documented_filter_parses_and_the_fitting_ones_make_the_instrument() {
    let info = parse_exchange_info(&exchange_info_with_filters("TRADING")).unwrap();
    let symbol = &info.symbols[0];
    let rules = symbol.rules();
    assert_eq!(
        rules.price,
        Some(PriceFilter {
            min_price: d("0.00000100"),
            max_price: d("100000.00000000"),
            tick_size: d("0.00000100")
        })
    );
    assert_eq!(rules.market_lot.unwrap().step_size, d("0.00100000"));
    assert!(rules.min_notional.unwrap().apply_to_market);
    assert_eq!(rules.notional.unwrap().max_notional, d("10000.00000000"));
    assert_eq!(rules.max_num_orders, Some(25));
    assert!(symbol
        .filters
        .iter()
        .any(|f| matches!(f, Filter::Other(name) if name == "TRAILING_DELTA")));
    let instrument = symbol.instrument().unwrap();
    assert_eq!(
        (
            instrument.price_increment(),
            instrument.qty_increment(),
            instrument.min_qty(),
            instrument.min_notional()
        ),
        (d("0.000001"), d("0.001"), d("0.00100000"), d("10.00000000")),
        "the stricter notional minimum (NOTIONAL's 10 over MIN_NOTIONAL's 0.001)"
    );
    assert_eq!(info.rate_limits.len(), 3);
    assert_eq!(info.rate_limits[0].kind, RateLimitKind::RequestWeight);
    assert_eq!(info.rate_limits[1].window_ms(), 10_000);
}

#[test]
fn symbol_status_says_whether_it_takes_orders() {
    for (status, state) in [
        ("TRADING", TradingState::Open),
        ("CANCEL_ONLY", TradingState::CancelOnly),
        ("HALT", TradingState::Closed),
        ("BREAK", TradingState::Closed),
        ("SOMETHING_NEW", TradingState::Closed),
    ] {
        let info = parse_exchange_info(&exchange_info_with_filters(status)).unwrap();
        assert_eq!(info.symbols[0].trading_state(), state, "{status}");
        let market = info.symbols[0].instrument().unwrap().status();
        let expected = match state {
            TradingState::Open => trading::market::MarketStatus::Open,
            TradingState::CancelOnly => trading::market::MarketStatus::CancelOnly,
            TradingState::Closed => trading::market::MarketStatus::Closed,
        };
        assert_eq!(market, expected, "the instrument risk reads says it too: {status}");
    }
}

#[test]
fn depth_time_and_errors() {
    let depth = parse_depth_snapshot(fixture!("rest_depth_snapshot.json")).unwrap();
    assert_eq!(depth.last_update_id, 1_027_024);
    assert_eq!(depth.bids[0].price().to_string(), "4.00000000");
    assert_eq!(
        parse_server_time(r#"{"serverTime":1499827319559}"#)
            .unwrap()
            .server_time,
        1_499_827_319_559
    );
    let error = parse_rest_error(r#"{"code":-1013,"msg":"Filter failure: LOT_SIZE"}"#).unwrap();
    assert_eq!(
        error.kind,
        ErrorKind::FilterFailure(crate::binance::wire::FilterName::LotSize)
    );
}

#[test]
fn errors_name_the_field() {
    let bad_filter = exchange_info_with_filters("TRADING").replace("\"tickSize\":\"0.00000100\"", "\"tickSize\":true");
    match parse_exchange_info(&bad_filter) {
        Err(WireError::Field { message, path, reason }) => {
            assert_eq!(message, "exchangeInfo");
            assert!(path.starts_with("symbols[0].filters["), "{path}");
            assert!(reason.contains("tickSize"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_depth_snapshot(r#"{"lastUpdateId":1,"bids":[["1"]],"asks":[]}"#),
        Err(WireError::Field { path, .. }) if path == "bids[0]"
    ));
    assert!(matches!(parse_server_time("[]"), Err(WireError::NotAMessage { .. })));
}
