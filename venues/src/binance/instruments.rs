//! Every Binance symbol's trading rules (PRICE_FILTER, LOT_SIZE, the minimum notional) from
//! REST `exchangeInfo`, as the host's [`Instrument`]s under its `BASE/QUOTE` names: risk rounds
//! orders onto them and refuses what falls below them, before Binance would answer `-1013`.

use trading::market::{Instrument, Symbol};

use super::rest::{BinanceRest, RestCallError};
use super::wire::ExchangeInfo;

/// Every symbol's rules, read from `exchangeInfo`.
///
/// # Errors
///
/// [`RestCallError`] when `exchangeInfo` gave no readable answer.
pub async fn fetch(rest: &BinanceRest) -> Result<Vec<(Symbol, Instrument)>, RestCallError> {
    Ok(instruments(&rest.exchange_info().await?))
}

/// The rules of every symbol of `info` that makes a `BASE/QUOTE` symbol. One whose filters make
/// no rule is left out and logged: one odd symbol does not keep the others from trading.
pub fn instruments(info: &ExchangeInfo) -> Vec<(Symbol, Instrument)> {
    let directory = info.directory();
    info.symbols
        .iter()
        .filter_map(|listed| {
            let symbol = directory.symbol(&listed.symbol)?;
            match listed.instrument() {
                Ok(instrument) => Some((symbol.clone(), instrument)),
                Err(e) => {
                    tracing::warn!(symbol = %listed.symbol.as_str(), error = %e, "a symbol without usable trading rules is left out");
                    None
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::binance::wire::parse_exchange_info;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn each_symbol_s_filters_become_its_instrument_under_the_host_s_name() {
        let symbol = |name: &str, base: &str, tick: &str, step: &str| {
            serde_json::json!({
                "symbol": name, "status": "TRADING", "baseAsset": base, "quoteAsset": "USDT",
                "isSpotTradingAllowed": true,
                "filters": [
                    {"filterType": "PRICE_FILTER", "minPrice": "0.01", "maxPrice": "1000000", "tickSize": tick},
                    {"filterType": "LOT_SIZE", "minQty": "0.00001", "maxQty": "9000", "stepSize": step},
                    {"filterType": "NOTIONAL", "minNotional": "5", "applyMinToMarket": true,
                     "maxNotional": "9000000", "applyMaxToMarket": false, "avgPriceMins": 5}
                ]
            })
        };
        let mut no_rules = symbol("ODDUSDT", "ODD", "0", "0");
        no_rules["filters"] = serde_json::json!([]);
        let info = serde_json::json!({
            "timezone": "UTC", "serverTime": 1, "rateLimits": [],
            "symbols": [symbol("BTCUSDT", "BTC", "0.01", "0.00001"), symbol("ETHUSDT", "ETH", "0.05", "0.0001"), no_rules]
        });
        let rules = instruments(&parse_exchange_info(&info.to_string()).unwrap());
        let names: Vec<&str> = rules.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, ["BTC/USDT", "ETH/USDT"], "the symbol without rules is left out");
        let eth = &rules[1].1;
        assert_eq!((eth.price_increment(), eth.qty_increment()), (d("0.05"), d("0.0001")));
        assert_eq!(
            (rules[0].1.min_qty(), rules[0].1.min_notional()),
            (d("0.00001"), d("5"))
        );
    }
}
