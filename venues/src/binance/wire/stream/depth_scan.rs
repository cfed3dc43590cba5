//! A `depthUpdate` frame read straight from its bytes, for the exact shape Binance writes:
//!
//! `{"stream":"<symbol>@depth…","data":{"e":"depthUpdate","E":…,"s":"…","U":…,"u":…,"b":[["p","q"],…],"a":[…]}}`
//!
//! compact, the fields in that order. Why: depth diffs are the market socket's hot path, and
//! most of a diff is its levels, fixed-shape pairs of decimal strings; a JSON parser's general
//! scan of them cost about a third of parsing and applying a diff (BENCHMARKS.md, Binance depth
//! diffs). Any other shape (whitespace, another field order, an escape, one more field) gives
//! `None`, and the frame takes the serde path, which reads any valid JSON and names what is
//! wrong; so this scanner only ever agrees with it or stands aside.

use trading::market::TimeMs;

use super::{DepthUpdate, StreamKind, VenueSymbol};
use crate::binance::wire::PriceLevel;
use crate::kit::decimal::parse_decimal_text;

/// Reads `text` if it is a depth frame in Binance's own shape.
pub(super) fn scan_depth_frame(text: &str) -> Option<DepthUpdate> {
    let mut frame = Cursor {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    frame.literal(br#"{"stream":""#)?;
    let (_, kind) = frame.string()?.split_once('@')?;
    if !matches!(StreamKind::parse(kind), StreamKind::Depth(_)) {
        return None;
    }
    frame.literal(br#","data":{"e":"depthUpdate","E":"#)?;
    let event_time = TimeMs::try_from(frame.unsigned()?).ok()?;
    frame.literal(br#","s":""#)?;
    let symbol = VenueSymbol::new(frame.string()?).ok()?;
    frame.literal(br#","U":"#)?;
    let first_update_id = frame.unsigned()?;
    frame.literal(br#","u":"#)?;
    let final_update_id = frame.unsigned()?;
    frame.literal(br#","b":"#)?;
    let bids = frame.levels()?;
    frame.literal(br#","a":"#)?;
    let asks = frame.levels()?;
    frame.literal(b"}}")?;
    (frame.at == frame.bytes.len()).then_some(DepthUpdate {
        event_time,
        symbol,
        first_update_id,
        final_update_id,
        bids,
        asks,
    })
}

/// The levels a side a diff holds at most, usually: the capacity a side starts with.
const LEVELS_PER_SIDE: usize = 16;

struct Cursor<'a> {
    text: &'a str,
    /// `text`'s bytes.
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn literal(&mut self, expected: &[u8]) -> Option<()> {
        let end = self.at.checked_add(expected.len())?;
        (self.bytes.get(self.at..end)? == expected).then(|| self.at = end)
    }

    /// The text up to the next quote, which is consumed (the opening one was). A backslash (an
    /// escape, which JSON allows anywhere in a string) gives `None`.
    fn string(&mut self) -> Option<&'a str> {
        let rest = self.bytes.get(self.at..)?;
        let len = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
        if rest.get(len) == Some(&b'\\') {
            return None;
        }
        // A slice of the frame's own text, so not checked for UTF-8 again: it starts after an
        // ASCII byte and ends before one, on character boundaries (which `get` checks).
        let text = self.text.get(self.at..self.at + len)?;
        self.at += len + 1;
        Some(text)
    }

    /// An unsigned JSON integer: digits, no leading zero, no overflow.
    fn unsigned(&mut self) -> Option<u64> {
        let rest = self.bytes.get(self.at..)?;
        let digits = rest.get(..rest.iter().position(|b| !b.is_ascii_digit()).unwrap_or(rest.len()))?;
        if digits.is_empty() || (digits.len() > 1 && digits.first() == Some(&b'0')) {
            return None;
        }
        let mut n: u64 = 0;
        for &digit in digits {
            n = n.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
        }
        self.at += digits.len();
        Some(n)
    }

    /// `[]` or `[["p","q"],…]`.
    fn levels(&mut self) -> Option<Vec<PriceLevel>> {
        self.literal(b"[")?;
        // Sized for a typical diff, so most take one allocation a side.
        let mut levels = Vec::with_capacity(LEVELS_PER_SIDE);
        if self.literal(b"]").is_some() {
            return Some(levels);
        }
        loop {
            self.literal(br#"[""#)?;
            let price = parse_decimal_text(self.string()?).ok()?;
            self.literal(br#",""#)?;
            let qty = parse_decimal_text(self.string()?).ok()?;
            self.literal(b"]")?;
            levels.push(PriceLevel(price, qty));
            if self.literal(b",").is_none() {
                break;
            }
        }
        self.literal(b"]")?;
        Some(levels)
    }
}
