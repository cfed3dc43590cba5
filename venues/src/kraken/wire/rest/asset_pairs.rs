//! `AssetPairs`: REST's reference data for every pair, keyed by its REST name, and what the
//! host takes from it (the book checksum's precisions, the pair's [`Instrument`]).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;
use trading::market::{Instrument, Symbol};

use super::super::book::{BookError, BookPrecision};
use super::super::error::WireError;
use super::super::public::PairStatus;
use super::super::symbols::{normalize_asset, ws_symbol};
use super::envelope::{parse_result, RestError};
use crate::kit::decimal::opt_decimal;

/// One pair of `AssetPairs`: its REST name, its normalized symbol, and Kraken's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetPair {
    /// The REST name, the key of `result` (`XXBTZUSD`).
    pub name: String,
    /// The normalized symbol (from `wsname`, else from `base` and `quote`).
    pub symbol: Symbol,
    /// The REST `altname` (`XBTUSD`): what REST requests take.
    pub altname: String,
    /// Kraken's details.
    pub details: PairDetails,
}

/// The fields of an `AssetPairs` entry the host uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PairDetails {
    /// The REST alternative name (`XBTUSD`).
    pub altname: String,
    /// The WebSocket v1 name (`XBT/USD`).
    #[serde(default)]
    pub wsname: Option<String>,
    /// The base asset, as REST spells it (`XXBT`).
    pub base: String,
    /// The quote asset, as REST spells it (`ZUSD`).
    pub quote: String,
    /// Price decimals (the book checksum's price precision).
    pub pair_decimals: u32,
    /// Quantity decimals (the book checksum's quantity precision).
    pub lot_decimals: u32,
    /// Cost decimals.
    #[serde(default)]
    pub cost_decimals: Option<u32>,
    /// The price step.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub tick_size: Option<Decimal>,
    /// The minimum order quantity.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub ordermin: Option<Decimal>,
    /// The minimum order cost.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub costmin: Option<Decimal>,
    /// The trading state.
    #[serde(default)]
    pub status: Option<PairStatus>,
}

impl AssetPair {
    /// The precisions the book checksum prints with.
    ///
    /// # Errors
    /// As [`BookPrecision::new`].
    pub fn book_precision(&self) -> Result<BookPrecision, BookError> {
        BookPrecision::new(self.details.pair_decimals, self.details.lot_decimals)
    }

    /// The pair's trading rules, for the desk's risk to round orders onto: the price increment
    /// is `tick_size` (`10^-pair_decimals` when Kraken sends none), the quantity increment
    /// `10^-lot_decimals` (Kraken takes volumes to `lot_decimals` places; `lot_multiplier` is 1
    /// for spot pairs), the minimum quantity `ordermin` and the minimum notional `costmin`
    /// (none when absent).
    ///
    /// # Errors
    /// [`WireError::Field`] naming the field that makes no rule: more decimals than a
    /// [`Decimal`] holds (28), a tick that is not positive, a negative minimum.
    pub fn instrument(&self) -> Result<Instrument, WireError> {
        let details = &self.details;
        let field = |name: &str, reason: String| WireError::Field {
            message: "AssetPairs".to_owned(),
            path: format!("result.{}.{name}", self.name),
            reason,
        };
        let step = |name: &str, decimals: u32| {
            Decimal::try_new(1, decimals).map_err(|_| field(name, format!("{decimals} decimals: at most 28 expected")))
        };
        let (tick_field, tick) = match details.tick_size {
            Some(tick) => ("tick_size", tick),
            None => ("pair_decimals", step("pair_decimals", details.pair_decimals)?),
        };
        let lot = step("lot_decimals", details.lot_decimals)?;
        // The lot, a power of ten, is positive: only the tick can be refused here.
        Instrument::new(tick, lot)
            .map_err(|e| field(tick_field, e.to_string()))?
            .with_min_qty(details.ordermin.unwrap_or(Decimal::ZERO))
            .map_err(|e| field("ordermin", e.to_string()))?
            .with_min_notional(details.costmin.unwrap_or(Decimal::ZERO))
            .map_err(|e| field("costmin", e.to_string()))
    }
}

/// Parses `AssetPairs`' response.
///
/// # Errors
/// [`RestError::Kraken`] for Kraken's errors; [`RestError::Wire`] naming a bad field or a pair
/// whose symbol cannot be made.
pub fn parse_asset_pairs(text: &str) -> Result<Vec<AssetPair>, RestError> {
    let pairs: BTreeMap<String, PairDetails> = parse_result("AssetPairs", text)?;
    pairs
        .into_iter()
        .map(|(name, details)| {
            let symbol = match &details.wsname {
                Some(wsname) => ws_symbol(wsname),
                None => Symbol::new(&format!(
                    "{}/{}",
                    normalize_asset(&details.base),
                    normalize_asset(&details.quote)
                )),
            }
            .map_err(|e| WireError::Field {
                message: "AssetPairs".to_owned(),
                path: format!("result.{name}.wsname"),
                reason: e.to_string(),
            })?;
            Ok(AssetPair {
                name,
                symbol,
                altname: details.altname.clone(),
                details,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kraken::wire::PairDirectory;

    /// `fixtures/kraken/rest-api-specs/response_public_assets_pairs.yaml` as the JSON Kraken
    /// sends (converted value for value; the YAML's quoted decimals stay strings).
    const FIXTURE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/asset_pairs.json"));

    #[test]
    fn parses_the_fixture_and_resolves_rest_names() {
        let pairs = parse_asset_pairs(FIXTURE).unwrap();
        let btc = pairs.iter().find(|p| p.name == "XXBTZUSD").unwrap();
        assert_eq!(btc.symbol.as_str(), "BTC/USD");
        assert_eq!(btc.altname, "XBTUSD");
        assert_eq!(btc.details.tick_size, Some("0.1".parse().unwrap()));
        assert_eq!(btc.details.ordermin.map(|d| d.to_string()), Some("0.0001".to_owned()));
        assert_eq!(btc.details.costmin.map(|d| d.to_string()), Some("0.5".to_owned()));
        assert_eq!(btc.details.status, Some(PairStatus::Online));
        assert_eq!(btc.book_precision().unwrap(), BookPrecision::new(1, 8).unwrap());
        let eth = pairs.iter().find(|p| p.name == "XETHXXBT").unwrap();
        assert_eq!(eth.symbol.as_str(), "ETH/BTC");
        assert_eq!(eth.details.costmin.map(|d| d.to_string()), Some("0.00002".to_owned()));

        let directory = PairDirectory::new(&pairs);
        let symbol = Symbol::new("BTC/USD").unwrap();
        assert_eq!(directory.symbol("XXBTZUSD"), Some(&symbol));
        assert_eq!(directory.symbol("XBTUSD"), Some(&symbol));
        assert_eq!(directory.rest_name(&symbol), Some("XBTUSD"));
        assert_eq!(directory.rest_name(&Symbol::new("ETH/BTC").unwrap()), Some("ETHXBT"));
    }

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// (tick, lot, minimum quantity, minimum notional), as text so the scale is checked too.
    fn rules(instrument: &Instrument) -> [String; 4] {
        [
            instrument.price_increment(),
            instrument.qty_increment(),
            instrument.min_qty(),
            instrument.min_notional(),
        ]
        .map(|d| d.to_string())
    }

    #[test]
    fn each_pair_of_the_fixture_gives_its_instrument() {
        let pairs = parse_asset_pairs(FIXTURE).unwrap();
        let instruments: Vec<(String, [String; 4])> = pairs
            .iter()
            .map(|p| (p.symbol.to_string(), rules(&p.instrument().unwrap())))
            .collect();
        assert_eq!(
            instruments,
            [
                (
                    "ETH/BTC".to_owned(),
                    ["0.00001", "0.00000001", "0.01", "0.00002"].map(String::from)
                ),
                (
                    "BTC/USD".to_owned(),
                    ["0.1", "0.00000001", "0.0001", "0.5"].map(String::from)
                ),
            ]
        );
        // The rules round as Kraken counts: 8 lot decimals, a 0.1 tick.
        let btc = pairs
            .iter()
            .find(|p| p.name == "XXBTZUSD")
            .unwrap()
            .instrument()
            .unwrap();
        assert_eq!(btc.round_qty(dec("0.123456789")).to_string(), "0.12345678");
        assert_eq!(
            btc.round_price(trading::market::Side::Sell, dec("50000.01")),
            Some(dec("50000.1"))
        );
    }

    /// `tick_size`, `ordermin` and `costmin` are optional in an entry: without them the tick is
    /// one unit of the last price decimal, and there are no minimums.
    #[test]
    fn a_pair_without_tick_or_minimums_falls_back_to_its_decimals() {
        let text = r#"{"error":[],"result":{"XXBTZUSD":{"altname":"XBTUSD","wsname":"XBT/USD","base":"XXBT","quote":"ZUSD","pair_decimals":2,"lot_decimals":6}}}"#;
        let pair = &parse_asset_pairs(text).unwrap()[0];
        assert_eq!(
            rules(&pair.instrument().unwrap()),
            ["0.01", "0.000001", "0", "0"].map(String::from)
        );
    }

    #[test]
    fn a_pair_that_makes_no_rule_names_its_field() {
        let pair = |fields: &str| {
            let text = format!(
                r#"{{"error":[],"result":{{"XXBTZUSD":{{"altname":"XBTUSD","wsname":"XBT/USD","base":"XXBT","quote":"ZUSD",{fields}}}}}}}"#
            );
            parse_asset_pairs(&text).unwrap().remove(0)
        };
        let cases = [
            (r#""pair_decimals":1,"lot_decimals":29"#, "result.XXBTZUSD.lot_decimals"),
            (
                r#""pair_decimals":29,"lot_decimals":8"#,
                "result.XXBTZUSD.pair_decimals",
            ),
            (
                r#""pair_decimals":1,"lot_decimals":8,"tick_size":"0""#,
                "result.XXBTZUSD.tick_size",
            ),
            (
                r#""pair_decimals":1,"lot_decimals":8,"ordermin":"-1""#,
                "result.XXBTZUSD.ordermin",
            ),
            (
                r#""pair_decimals":1,"lot_decimals":8,"costmin":"-0.5""#,
                "result.XXBTZUSD.costmin",
            ),
        ];
        for (fields, expected) in cases {
            match pair(fields).instrument() {
                Err(WireError::Field { message, path, reason }) => {
                    assert_eq!((message.as_str(), path.as_str()), ("AssetPairs", expected), "{reason}")
                }
                other => panic!("{fields}: {other:?}"),
            }
        }
    }

    #[test]
    fn kraken_errors_and_bad_fields_are_typed() {
        let refused = parse_asset_pairs(r#"{"error":["EQuery:Unknown asset pair"]}"#).unwrap_err();
        assert!(matches!(&refused, RestError::Kraken { errors } if errors[0].text == "EQuery:Unknown asset pair"));
        let bad = parse_asset_pairs(r#"{"error":[],"result":{"X":{"altname":"X","base":"A","quote":"B","pair_decimals":"one","lot_decimals":8}}}"#)
            .unwrap_err();
        let RestError::Wire(WireError::Field { message, path, .. }) = bad else {
            panic!("{bad:?}")
        };
        assert_eq!(
            (message.as_str(), path.as_str()),
            ("AssetPairs", "result.X.pair_decimals")
        );
    }
}
