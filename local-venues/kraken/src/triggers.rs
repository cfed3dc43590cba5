//! Stop orders' triggers: the trigger an order carries, Kraken's rule for when it fires, and
//! the range of prices printed since the exchange last looked at its stops.
//!
//! Rules:
//! 1. The reference is the pair's last trade price and the price is static (`"reference":
//!    "last"`, `"price_type": "static"`); `index` and `pct` are refused, so a client that
//!    relies on them learns it here rather than live.
//! 2. A sell stop fires when a trade prints at or below its trigger price; a buy stop when one
//!    prints at or above.
//! 3. Every print counts, not only the last one of a batch: a taker that walks the book prints
//!    several prices at once, and a stop any of them reaches fires. The prints since the last
//!    look are kept as a [`PrintRange`] (lowest and highest price).

use rust_decimal::Decimal;

use crate::market::Side;

/// Whether a stop has fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerStatus {
    /// Waiting for the market: not in the book, never matched.
    Untriggered,
    /// Fired: the order now works as a market or limit order.
    Triggered,
}

impl TriggerStatus {
    /// Kraken's name.
    pub fn as_str(self) -> &'static str {
        match self {
            TriggerStatus::Untriggered => "untriggered",
            TriggerStatus::Triggered => "triggered",
        }
    }
}

/// A stop order's trigger: the last trade price reaching `price` (rule 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trigger {
    /// The trigger price, in the quote asset.
    pub price: Decimal,
    /// Fired or not.
    pub status: TriggerStatus,
}

impl Trigger {
    /// A trigger at `price` that has not fired.
    pub(crate) fn untriggered(price: Decimal) -> Self {
        Trigger {
            price,
            status: TriggerStatus::Untriggered,
        }
    }

    /// Kraken's `triggers.reference`: always the last trade price here.
    pub fn reference(&self) -> &'static str {
        "last"
    }

    /// Kraken's `triggers.price_type`: always a static price here.
    pub fn price_type(&self) -> &'static str {
        "static"
    }
}

/// The lowest and highest price printed since the stops were last looked at (rule 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrintRange {
    pub(crate) low: Decimal,
    pub(crate) high: Decimal,
}

impl PrintRange {
    /// The range of one print.
    pub(crate) fn at(price: Decimal) -> Self {
        PrintRange {
            low: price,
            high: price,
        }
    }

    /// This range widened to take in `price`.
    pub(crate) fn with(self, price: Decimal) -> Self {
        PrintRange {
            low: self.low.min(price),
            high: self.high.max(price),
        }
    }

    /// Whether a stop on `side` at `trigger` fires on these prints (rule 2).
    pub(crate) fn reaches(&self, side: Side, trigger: Decimal) -> bool {
        match side {
            Side::Sell => self.low <= trigger,
            Side::Buy => self.high >= trigger,
        }
    }
}

/// Whether a stop on `side` at `trigger` fires on the last trade price, when there is one: how
/// a stop placed or amended is judged at that moment.
pub(crate) fn met_by_last(side: Side, trigger: Decimal, last: Option<Decimal>) -> bool {
    last.is_some_and(|p| PrintRange::at(p).reaches(side, trigger))
}

/// What a client's `triggers` (or REST `trigger`) may say, checked by rule 1; the error names
/// the argument, as Kraken's `EGeneral:Invalid arguments:<name>` does.
pub(crate) fn check_kind(reference: Option<&str>, price_type: Option<&str>) -> Result<(), &'static str> {
    match (reference.unwrap_or("last"), price_type.unwrap_or("static")) {
        ("last", "static") => Ok(()),
        _ => Err("triggers"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_sell_stop_fires_at_or_below_and_a_buy_stop_at_or_above() {
        let range = PrintRange::at(d("100.0")).with(d("98.0"));
        assert!(range.reaches(Side::Sell, d("98.0")));
        assert!(!range.reaches(Side::Sell, d("97.9")));
        assert!(range.reaches(Side::Buy, d("100.0")));
        assert!(!range.reaches(Side::Buy, d("100.1")));
        assert!(!met_by_last(Side::Buy, d("1"), None), "no last trade, nothing fires");
    }

    #[test]
    fn only_the_last_price_and_static_prices_are_taken() {
        assert_eq!(check_kind(None, None), Ok(()));
        assert_eq!(check_kind(Some("last"), Some("static")), Ok(()));
        assert_eq!(check_kind(Some("index"), None), Err("triggers"));
        assert_eq!(check_kind(None, Some("pct")), Err("triggers"));
    }
}
