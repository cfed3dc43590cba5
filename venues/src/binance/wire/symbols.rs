//! Binance's symbols (`BTCUSDT`) and the host's (`BTC/USDT`).
//!
//! Binance glues base and quote together, so a symbol cannot be split without the instrument
//! list: `exchangeInfo` names each symbol's `baseAsset` and `quoteAsset`, and
//! [`SymbolDirectory`] maps both ways from it. Streams name symbols in lower case
//! (`btcusdt@trade`); [`SymbolDirectory::stream_prefix`] gives that spelling.
//!
//! [`VenueSymbol`] holds Binance's spelling inline (no allocation per message): every market
//! event carries one, and the depth stream is the hot path.

use std::collections::HashMap;
use std::fmt;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer};
use trading::market::{InvalidSymbol, Symbol};

/// The longest symbol Binance spells that this layer keeps: spot symbols are upper-case
/// letters and digits, at most 20 characters today (`exchangeInfo`), so 32 leaves room.
pub const MAX_VENUE_SYMBOL: usize = 32;

/// A Binance symbol as written on the wire (`BTCUSDT`), upper case, held inline. `Copy`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct VenueSymbol {
    len: u8,
    bytes: [u8; MAX_VENUE_SYMBOL],
}

/// Why text is not a Binance symbol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{text}` is not a Binance symbol: expected 1 to 32 ASCII letters or digits, like BTCUSDT")]
pub struct InvalidVenueSymbol {
    /// The text, bounded.
    pub text: String,
}

impl VenueSymbol {
    /// Reads Binance's spelling; lower case (as streams write it) is taken and upper-cased.
    ///
    /// # Errors
    /// [`InvalidVenueSymbol`] for empty text, more than 32 bytes, or anything but ASCII letters
    /// and digits.
    pub fn new(text: &str) -> Result<Self, InvalidVenueSymbol> {
        let invalid = || InvalidVenueSymbol {
            text: super::error::excerpt(text),
        };
        let len = text.len();
        if len == 0 || len > MAX_VENUE_SYMBOL || !text.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(invalid());
        }
        let mut bytes = [0u8; MAX_VENUE_SYMBOL];
        for (slot, byte) in bytes.iter_mut().zip(text.bytes()) {
            *slot = byte.to_ascii_uppercase();
        }
        // `len` ≤ 32: fits a u8.
        Ok(Self { len: len as u8, bytes })
    }

    /// The upper-case spelling (`BTCUSDT`), as REST and the WebSocket API take it.
    pub fn as_str(&self) -> &str {
        let bytes = self.bytes.get(..usize::from(self.len)).unwrap_or_default();
        // Only ASCII alphanumerics are ever stored.
        std::str::from_utf8(bytes).unwrap_or_default()
    }

    /// The lower-case spelling streams are named with (`btcusdt`).
    pub fn stream_name(&self) -> String {
        self.as_str().to_ascii_lowercase()
    }
}

impl Ord for VenueSymbol {
    /// Alphabetical, as the text reads.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for VenueSymbol {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for VenueSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl fmt::Display for VenueSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for VenueSymbol {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        VenueSymbol::new(&text).map_err(D::Error::custom)
    }
}

/// Binance symbols and the host's, both ways, built from `exchangeInfo`.
#[derive(Debug, Clone, Default)]
pub struct SymbolDirectory {
    by_venue: HashMap<VenueSymbol, Symbol>,
    by_symbol: HashMap<Symbol, VenueSymbol>,
}

impl SymbolDirectory {
    /// An empty directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one symbol: Binance's spelling and its base and quote assets.
    ///
    /// # Errors
    /// [`InvalidSymbol`] when the assets do not make a `BASE/QUOTE` symbol.
    pub fn insert(&mut self, venue: VenueSymbol, base: &str, quote: &str) -> Result<Symbol, InvalidSymbol> {
        let symbol = Symbol::new(&format!("{base}/{quote}"))?;
        self.by_venue.insert(venue, symbol.clone());
        self.by_symbol.insert(symbol.clone(), venue);
        Ok(symbol)
    }

    /// The host's symbol of Binance's `BTCUSDT`, if the instrument list has it.
    pub fn symbol(&self, venue: &VenueSymbol) -> Option<&Symbol> {
        self.by_venue.get(venue)
    }

    /// Binance's spelling of the host's `BTC/USDT`, if the instrument list has it.
    pub fn venue(&self, symbol: &Symbol) -> Option<VenueSymbol> {
        self.by_symbol.get(symbol).copied()
    }

    /// The lower-case stream prefix of the host's symbol (`BTC/USDT` → `btcusdt`).
    pub fn stream_prefix(&self, symbol: &Symbol) -> Option<String> {
        self.venue(symbol).map(|venue| venue.stream_name())
    }

    /// How many symbols it knows.
    pub fn len(&self) -> usize {
        self.by_venue.len()
    }

    /// Whether it knows none.
    pub fn is_empty(&self) -> bool {
        self.by_venue.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_symbols_are_upper_case_inline_text() {
        let symbol = VenueSymbol::new("btcusdt").unwrap();
        assert_eq!((symbol.as_str(), symbol.stream_name().as_str()), ("BTCUSDT", "btcusdt"));
        assert_eq!(format!("{symbol:?}"), "\"BTCUSDT\"");
        for bad in ["", "BTC/USDT", "BTC USDT", "é", &"A".repeat(33)] {
            assert!(VenueSymbol::new(bad).is_err(), "{bad}");
        }
        assert!(VenueSymbol::new(&"A".repeat(32)).is_ok());
    }

    #[test]
    fn the_directory_maps_both_ways() {
        let mut directory = SymbolDirectory::new();
        let venue = VenueSymbol::new("BTCUSDT").unwrap();
        let symbol = directory.insert(venue, "BTC", "USDT").unwrap();
        assert_eq!(symbol.as_str(), "BTC/USDT");
        assert_eq!(directory.symbol(&venue), Some(&symbol));
        assert_eq!(directory.venue(&symbol), Some(venue));
        assert_eq!(directory.stream_prefix(&symbol).as_deref(), Some("btcusdt"));
        assert_eq!(directory.symbol(&VenueSymbol::new("ETHBTC").unwrap()), None);
        assert!(directory.insert(venue, "", "USDT").is_err());
    }
}
