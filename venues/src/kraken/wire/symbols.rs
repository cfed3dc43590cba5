//! Kraken's spellings of assets and pairs, and the host's normalized `BASE/QUOTE`.
//!
//! Kraken names Bitcoin `XBT` and Dogecoin `XDG`; REST also prefixes legacy assets (`XXBT`,
//! `ZUSD`) and glues pairs together (`XBTUSD`, `XXBTZUSD`). WebSocket v2 already writes
//! `BTC/USD` and `DOGE/USD`, and wants them that way in requests, but incoming symbols are
//! normalized here anyway so that an `XBT` never gets past the wire layer.
//!
//! - [`normalize_asset`]: any Kraken asset code to the host's (`XXBT` → `BTC`).
//! - [`rest_asset`]: the host's code to REST's short spelling (`BTC` → `XBT`).
//! - [`ws_symbol`]: a WebSocket v2 symbol to a [`Symbol`].
//! - [`PairDirectory`]: REST pair names (`XXBTZUSD`, `XBTUSD`) to symbols and back, built from
//!   `AssetPairs`; [`rest_pair_guess`] when no directory is at hand.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use trading::market::{InvalidSymbol, Symbol};

/// Kraken's legacy asset codes and the host's spelling of each. The four-letter `X…`/`Z…`
/// forms are REST's; `XBT` and `XDG` appear in pair names and older WebSocket symbols.
const LEGACY_ASSETS: &[(&str, &str)] = &[
    ("XBT", "BTC"),
    ("XDG", "DOGE"),
    ("XXBT", "BTC"),
    ("XXDG", "DOGE"),
    ("XETH", "ETH"),
    ("XETC", "ETC"),
    ("XLTC", "LTC"),
    ("XMLN", "MLN"),
    ("XREP", "REP"),
    ("XXLM", "XLM"),
    ("XXMR", "XMR"),
    ("XXRP", "XRP"),
    ("XZEC", "ZEC"),
    ("ZAUD", "AUD"),
    ("ZCAD", "CAD"),
    ("ZCHF", "CHF"),
    ("ZEUR", "EUR"),
    ("ZGBP", "GBP"),
    ("ZJPY", "JPY"),
    ("ZUSD", "USD"),
];

/// Translates a Kraken asset code to the host's spelling (`XXBT`, `XBT` → `BTC`; `ZUSD` →
/// `USD`; `XDG` → `DOGE`). Codes that are already modern (`USDC`, `XRP`, `SOL`) pass through,
/// borrowed.
pub fn normalize_asset(code: &str) -> Cow<'_, str> {
    match LEGACY_ASSETS.iter().find(|(kraken, _)| *kraken == code) {
        Some((_, host)) => Cow::Borrowed(host),
        None => Cow::Borrowed(code),
    }
}

/// Translates a host asset code to the short spelling REST pair names use (`BTC` → `XBT`,
/// `DOGE` → `XDG`); others pass through.
pub fn rest_asset(code: &str) -> &str {
    match code {
        "BTC" => "XBT",
        "DOGE" => "XDG",
        other => other,
    }
}

/// Parses a WebSocket v2 symbol (`BTC/USD`; `XBT/USD` from older spellings) into a
/// normalized [`Symbol`].
///
/// # Errors
/// When the text is not `BASE/QUOTE`.
pub fn ws_symbol(text: &str) -> Result<Symbol, InvalidSymbol> {
    let Some((base, quote)) = text.split_once('/') else {
        return Symbol::new(text);
    };
    let (base_n, quote_n) = (normalize_asset(base), normalize_asset(quote));
    if base_n == base && quote_n == quote {
        // The common case: already normalized, no new string to build.
        Symbol::new(text)
    } else {
        Symbol::new(&format!("{base_n}/{quote_n}"))
    }
}

/// The pair name REST would most likely use for `symbol` (`BTC/USD` → `XBTUSD`, its
/// `altname`). Prefer [`PairDirectory::rest_name`]: a few pairs' altnames differ.
pub fn rest_pair_guess(symbol: &Symbol) -> String {
    format!("{}{}", rest_asset(symbol.base()), rest_asset(symbol.quote()))
}

/// REST's pair names resolved through `AssetPairs`: every key (`XXBTZUSD`) and `altname`
/// (`XBTUSD`) maps to the normalized symbol, and each symbol back to its `altname` (what
/// REST requests take).
#[derive(Debug, Clone, Default)]
pub struct PairDirectory {
    by_name: HashMap<String, Symbol>,
    by_symbol: HashMap<Symbol, String>,
}

impl PairDirectory {
    /// Builds the directory from parsed `AssetPairs` entries.
    pub fn new<'a>(pairs: impl IntoIterator<Item = &'a super::rest::AssetPair>) -> Self {
        let mut directory = Self::default();
        for pair in pairs {
            directory.by_name.insert(pair.name.clone(), pair.symbol.clone());
            directory.by_name.insert(pair.altname.clone(), pair.symbol.clone());
            directory.by_symbol.insert(pair.symbol.clone(), pair.altname.clone());
        }
        directory
    }

    /// The symbol of a REST pair name (`XXBTZUSD` or `XBTUSD`), if `AssetPairs` listed it.
    pub fn symbol(&self, rest_name: &str) -> Option<&Symbol> {
        self.by_name.get(rest_name)
    }

    /// The REST `altname` of a symbol (`BTC/USD` → `XBTUSD`), if `AssetPairs` listed it.
    pub fn rest_name(&self, symbol: &Symbol) -> Option<&str> {
        self.by_symbol.get(symbol).map(String::as_str)
    }
}

/// serde adapter: a WebSocket v2 symbol, normalized.
pub(crate) fn de_ws_symbol<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Symbol, D::Error> {
    let text = <Cow<'de, str>>::deserialize(deserializer)?;
    ws_symbol(&text).map_err(D::Error::custom)
}

/// serde adapter: an optional WebSocket v2 symbol (use with `#[serde(default)]`).
pub(crate) fn de_opt_ws_symbol<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Symbol>, D::Error> {
    let text = <Option<Cow<'de, str>>>::deserialize(deserializer)?;
    text.map(|t| ws_symbol(&t).map_err(D::Error::custom)).transpose()
}

/// serde adapter: an asset code, normalized.
pub(crate) fn de_asset<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = <Cow<'de, str>>::deserialize(deserializer)?;
    Ok(normalize_asset(&text).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_normalize_and_go_back() {
        let cases = [
            ("XXBT", "BTC"),
            ("XBT", "BTC"),
            ("ZUSD", "USD"),
            ("XDG", "DOGE"),
            ("XETH", "ETH"),
            ("USDC", "USDC"),
            ("XRP", "XRP"),
        ];
        for (kraken, host) in cases {
            assert_eq!(normalize_asset(kraken), host, "{kraken}");
        }
        assert_eq!(rest_asset("BTC"), "XBT");
        assert_eq!(rest_asset("DOGE"), "XDG");
        assert_eq!(rest_asset("ETH"), "ETH");
    }

    #[test]
    fn ws_symbols_normalize() {
        let cases = [
            ("BTC/USD", "BTC/USD"),
            ("XBT/USD", "BTC/USD"),
            ("XDG/XBT", "DOGE/BTC"),
            ("ETH/USDC", "ETH/USDC"),
        ];
        for (wire, host) in cases {
            assert_eq!(ws_symbol(wire).map(|s| s.to_string()), Ok(host.to_owned()), "{wire}");
        }
        assert!(ws_symbol("BTCUSD").is_err());
        assert!(ws_symbol("/USD").is_err());
    }

    #[test]
    fn rest_pair_guess_uses_rest_spellings() {
        let symbol = Symbol::new("BTC/USD").unwrap();
        assert_eq!(rest_pair_guess(&symbol), "XBTUSD");
        assert_eq!(rest_pair_guess(&Symbol::new("DOGE/EUR").unwrap()), "XDGEUR");
    }
}
