//! Order book data: the top levels of a symbol's book, as venues publish it.
//!
//! A [`BookSnapshot`] is the state of the book's top `depth` levels at one instant, not a
//! delta: whoever keeps a venue's full book (the venue adapter, applying its deltas and
//! checking its checksums) publishes a snapshot whenever the top levels change, so every
//! consumer reads a whole, consistent book.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::model::{Side, Symbol, TimeMs};

/// The deepest book a stream may carry, in levels per side (the deepest Kraken publishes).
pub const MAX_BOOK_DEPTH: u16 = 1_000;

/// The quantity resting at one price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookLevel {
    pub price: Decimal,
    pub qty: Decimal,
}

/// The top of one symbol's order book at `time_ms`.
///
/// Invariants (the publisher's to keep): each side holds at most `depth` levels, best first
/// (bids by falling price, asks by rising price), with no two levels at one price. A side may be
/// empty: a thin or one-sided market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookSnapshot {
    pub symbol: Symbol,
    pub time_ms: TimeMs,
    /// The depth of the stream this snapshot belongs to, 1 ..= [`MAX_BOOK_DEPTH`]. A symbol's
    /// book may be published at several depths, one stream each (a strategy that wants 10
    /// levels gets the 10-level stream): the depth names the stream, whatever the number of
    /// levels the book has at the moment.
    pub depth: u16,
    pub bids: Vec<BookLevel>,
    pub asks: Vec<BookLevel>,
}

impl BookSnapshot {
    /// The highest bid, if anyone bids.
    pub fn best_bid(&self) -> Option<&BookLevel> {
        self.bids.first()
    }

    /// The lowest ask, if anyone offers.
    pub fn best_ask(&self) -> Option<&BookLevel> {
        self.asks.first()
    }

    /// The best level a market order of `side` would meet: the best ask for a buy, the best
    /// bid for a sell.
    pub fn best_against(&self, side: Side) -> Option<&BookLevel> {
        match side {
            Side::Buy => self.best_ask(),
            Side::Sell => self.best_bid(),
        }
    }

    /// The price the book marks a position at: the mid when both sides have levels, the one
    /// best price when only one side has, nothing for an empty book.
    pub fn mark_price(&self) -> Option<Decimal> {
        match (self.best_bid(), self.best_ask()) {
            (Some(bid), Some(ask)) => Some((bid.price + ask.price) / Decimal::TWO),
            (Some(only), None) | (None, Some(only)) => Some(only.price),
            (None, None) => None,
        }
    }

    /// The same book cut to its best level on each side: all the simulated venue matches
    /// against, so all it needs to remember.
    pub fn top(&self) -> BookSnapshot {
        BookSnapshot {
            symbol: self.symbol.clone(),
            time_ms: self.time_ms,
            depth: self.depth,
            bids: self.bids.first().copied().into_iter().collect(),
            asks: self.asks.first().copied().into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(price: i64, qty: i64) -> BookLevel {
        BookLevel {
            price: Decimal::from(price),
            qty: Decimal::from(qty),
        }
    }

    fn book(bids: Vec<BookLevel>, asks: Vec<BookLevel>) -> BookSnapshot {
        BookSnapshot {
            symbol: Symbol::new("BTC/USD").unwrap(),
            time_ms: 1,
            depth: 10,
            bids,
            asks,
        }
    }

    #[test]
    fn marks_at_the_mid_or_the_one_side_there_is() {
        let both = book(vec![level(99, 1), level(98, 2)], vec![level(102, 1)]);
        assert_eq!(both.mark_price(), Some(Decimal::from(100) + Decimal::new(5, 1)));
        assert_eq!(book(vec![level(99, 1)], vec![]).mark_price(), Some(Decimal::from(99)));
        assert_eq!(book(vec![], vec![level(101, 1)]).mark_price(), Some(Decimal::from(101)));
        assert_eq!(book(vec![], vec![]).mark_price(), None);
    }

    #[test]
    fn the_top_keeps_the_best_level_of_each_side() {
        let full = book(vec![level(99, 1), level(98, 2)], vec![level(101, 3), level(102, 4)]);
        let top = full.top();
        assert_eq!(
            (top.bids.as_slice(), top.asks.as_slice()),
            (&[level(99, 1)][..], &[level(101, 3)][..])
        );
        assert_eq!(top.best_against(Side::Buy), Some(&level(101, 3)));
        assert!(book(vec![], vec![]).top().bids.is_empty());
    }
}
