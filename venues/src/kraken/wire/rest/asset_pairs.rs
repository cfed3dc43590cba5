//! `AssetPairs`: REST's reference data for every pair, keyed by its REST name.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Deserialize;
use trading::market::Symbol;

use super::super::book::{BookError, BookPrecision};
use super::super::error::WireError;
use super::super::number::opt_decimal;
use super::super::public::PairStatus;
use super::super::symbols::{normalize_asset, ws_symbol};
use super::envelope::{parse_result, RestError};

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
