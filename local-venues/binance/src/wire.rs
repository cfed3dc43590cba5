//! The JSON text of everything the exchange sends, in Binance's formats (web-socket-streams.md,
//! rest-api.md): numbers as strings with the symbol's decimals, one-letter stream fields.

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::config::SymbolSpec;
use crate::market::{Kline, Level, PublicTrade};

/// A decimal written with `decimals` places, as Binance writes prices and quantities.
pub(crate) fn num(value: Decimal, decimals: u32) -> String {
    let mut value = value;
    value.rescale(decimals);
    value.to_string()
}

fn levels(levels: &[Level], decimals: u32) -> Value {
    Value::Array(
        levels
            .iter()
            .map(|(p, q)| json!([num(*p, decimals), num(*q, decimals)]))
            .collect(),
    )
}

pub(crate) fn trade(spec: &SymbolSpec, event_ms: i64, t: &PublicTrade) -> Value {
    let d = spec.decimals;
    json!({"e": "trade", "E": event_ms, "s": spec.symbol, "t": t.id, "p": num(t.price, d), "q": num(t.qty, d),
           "T": t.time_ms, "m": t.buyer_is_maker, "M": true})
}

pub(crate) fn kline(spec: &SymbolSpec, event_ms: i64, k: &Kline, closed: bool) -> Value {
    let d = spec.decimals;
    json!({"e": "kline", "E": event_ms, "s": spec.symbol, "k": {
        "t": k.open_time, "T": k.open_time + 59_999, "s": spec.symbol, "i": "1m",
        "f": k.first_trade_id, "L": k.last_trade_id,
        "o": num(k.open, d), "c": num(k.close, d), "h": num(k.high, d), "l": num(k.low, d),
        "v": num(k.volume, d), "n": k.trades, "x": closed, "q": num(k.quote_volume, d),
        "V": "0", "Q": "0", "B": "0"}})
}

pub(crate) fn depth_update(
    spec: &SymbolSpec,
    event_ms: i64,
    first: u64,
    last: u64,
    bids: &[Level],
    asks: &[Level],
) -> Value {
    json!({"e": "depthUpdate", "E": event_ms, "s": spec.symbol, "U": first, "u": last,
           "b": levels(bids, spec.decimals), "a": levels(asks, spec.decimals)})
}

pub(crate) fn book_ticker(spec: &SymbolSpec, update_id: u64, bid: Level, ask: Level) -> Value {
    let d = spec.decimals;
    json!({"u": update_id, "s": spec.symbol, "b": num(bid.0, d), "B": num(bid.1, d), "a": num(ask.0, d), "A": num(ask.1, d)})
}

pub(crate) fn depth_snapshot(spec: &SymbolSpec, last_update_id: u64, bids: &[Level], asks: &[Level]) -> Value {
    json!({"lastUpdateId": last_update_id, "bids": levels(bids, spec.decimals), "asks": levels(asks, spec.decimals)})
}

fn symbol_info(spec: &SymbolSpec) -> Value {
    let d = spec.decimals;
    json!({
        "symbol": spec.symbol, "status": spec.status,
        "baseAsset": spec.base, "baseAssetPrecision": d, "quoteAsset": spec.quote, "quotePrecision": d,
        "quoteAssetPrecision": d, "baseCommissionPrecision": d, "quoteCommissionPrecision": d,
        "orderTypes": ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS", "STOP_LOSS_LIMIT", "TAKE_PROFIT", "TAKE_PROFIT_LIMIT"],
        "icebergAllowed": true, "ocoAllowed": true, "otoAllowed": true, "quoteOrderQtyMarketAllowed": true,
        "allowTrailingStop": true, "cancelReplaceAllowed": true, "amendAllowed": true,
        "isSpotTradingAllowed": true, "isMarginTradingAllowed": false,
        "filters": [
            {"filterType": "PRICE_FILTER", "minPrice": num(spec.tick_size, d), "maxPrice": num(Decimal::from(1_000_000), d), "tickSize": num(spec.tick_size, d)},
            {"filterType": "LOT_SIZE", "minQty": num(spec.min_qty, d), "maxQty": num(Decimal::from(9_000), d), "stepSize": num(spec.step_size, d)},
            {"filterType": "MARKET_LOT_SIZE", "minQty": num(Decimal::ZERO, d), "maxQty": num(Decimal::from(100), d), "stepSize": num(Decimal::ZERO, d)},
            {"filterType": "NOTIONAL", "minNotional": num(spec.min_notional, d), "applyMinToMarket": true,
             "maxNotional": num(Decimal::from(9_000_000), d), "applyMaxToMarket": false, "avgPriceMins": 5},
            {"filterType": "MAX_NUM_ORDERS", "maxNumOrders": 200},
            {"filterType": "MAX_NUM_ORDER_AMENDS", "maxNumOrderAmends": crate::amend::MAX_NUM_ORDER_AMENDS}
        ],
        "permissions": [], "permissionSets": [["SPOT"]],
        "defaultSelfTradePreventionMode": "EXPIRE_MAKER",
        "allowedSelfTradePreventionModes": ["NONE", "EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"]
    })
}

pub(crate) fn exchange_info<'a>(server_ms: i64, specs: impl Iterator<Item = &'a SymbolSpec>) -> Value {
    json!({
        "timezone": "UTC", "serverTime": server_ms,
        "rateLimits": [
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1, "limit": 6000},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10, "limit": 50},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1, "limit": 160000},
            {"rateLimitType": "RAW_REQUESTS", "interval": "MINUTE", "intervalNum": 5, "limit": 61000}
        ],
        "exchangeFilters": [],
        "symbols": specs.map(symbol_info).collect::<Vec<_>>()
    })
}

/// A REST or control error body.
pub(crate) fn error(code: i64, msg: &str) -> Value {
    json!({"code": code, "msg": msg})
}
