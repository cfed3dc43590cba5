//! [`SharedStr`]: an immutable string that clones without allocating, for the symbol and
//! timeframe of market events.
//!
//! The host delivers events by stream id; the SDK resolves each id once and then hands every
//! event of the stream the same shared text. Cloning a `String` per event would allocate per
//! event, which is the cost the stream ids exist to avoid.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An immutable, cheaply cloned string: a symbol (`BTC/USD`) or a timeframe (`1m`).
///
/// It dereferences to `str`, so `&candle.symbol` goes wherever a `&str` does, and it converts
/// into a `String` for the APIs that take `impl Into<String>`:
///
/// ```
/// use strategy_sdk::{Decimal, OrderRequest, SharedStr, Side};
///
/// let symbol = SharedStr::from("BTC/USD");
/// let order = OrderRequest::market(&symbol, Side::Buy, Decimal::ONE);
/// assert_eq!(order.symbol, "BTC/USD");
/// assert_eq!(symbol, "BTC/USD");
/// assert_eq!(format!("{symbol} {:?}", symbol.len()), "BTC/USD 7");
/// ```
//
// `Arc` rather than `Rc`: on wasm32 without the threads feature its counter updates compile to
// plain loads and stores, so it costs what `Rc` costs there, and it keeps `Candle`, `Trade` and
// `Quote` `Send + Sync` for native code as they were with `String`.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for SharedStr {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl Default for SharedStr {
    fn default() -> Self {
        SharedStr::from("")
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

/// Like a `String`'s: the quoted text.
impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for SharedStr {
    fn from(text: &str) -> Self {
        SharedStr(Arc::from(text))
    }
}

impl From<String> for SharedStr {
    fn from(text: String) -> Self {
        SharedStr(Arc::from(text))
    }
}

impl From<&String> for SharedStr {
    fn from(text: &String) -> Self {
        SharedStr::from(text.as_str())
    }
}

impl From<SharedStr> for String {
    fn from(text: SharedStr) -> Self {
        text.as_str().to_owned()
    }
}

impl From<&SharedStr> for String {
    fn from(text: &SharedStr) -> Self {
        text.as_str().to_owned()
    }
}

/// Compares `SharedStr` with the other string types both ways round, so `candle.symbol == "X"`
/// and `"X" == candle.symbol` both read naturally.
macro_rules! eq_with {
    ($($other:ty),*) => {$(
        impl PartialEq<$other> for SharedStr {
            fn eq(&self, other: &$other) -> bool {
                self.as_str() == AsRef::<str>::as_ref(other)
            }
        }

        impl PartialEq<SharedStr> for $other {
            fn eq(&self, other: &SharedStr) -> bool {
                AsRef::<str>::as_ref(self) == other.as_str()
            }
        }
    )*};
}

eq_with!(str, &str, String);

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SharedStr::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_text() {
        let symbol = SharedStr::from("BTC/USD");
        let clone = symbol.clone();
        assert!(std::ptr::eq(symbol.as_str(), clone.as_str()));
    }

    #[test]
    fn compares_formats_and_serializes_as_a_string() {
        let symbol = SharedStr::from(String::from("ETH/USD"));
        let (text, owned) = ("ETH/USD", String::from("ETH/USD"));
        assert_eq!(symbol, text);
        assert_eq!(text, symbol);
        assert_eq!(symbol, *text);
        assert_eq!(*text, symbol);
        assert_eq!(symbol, owned);
        assert_eq!(owned, symbol);
        assert_eq!(format!("{symbol}|{symbol:?}"), r#"ETH/USD|"ETH/USD""#);
        let json = serde_json::to_string(&symbol).unwrap();
        assert_eq!(json, r#""ETH/USD""#);
        assert_eq!(serde_json::from_str::<SharedStr>(&json).unwrap(), symbol);
        assert_eq!(String::from(&symbol), "ETH/USD");
    }
}
