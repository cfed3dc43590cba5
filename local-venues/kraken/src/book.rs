//! The exchange's own L2 book per pair, Kraken's v2 checksum, and per-subscriber views.
//!
//! The book holds the scripted liquidity (seeded and replayed from captures, or pushed by a test)
//! and loses what the account's taker orders consume. Own resting orders are not shown in it.
//!
//! A subscriber at depth `d` keeps the top `d` levels it was sent ([`BookView`]). After each
//! change the view is diffed against the book's new top `d`: changed or new levels are sent with
//! their quantity, a level that left the book is sent with qty 0, and a level merely pushed below
//! depth is *not* sent, because Kraken's clients truncate to their depth after every update (and
//! every such level ranks below all `d` levels of the new top, so truncation removes exactly it).
//!
//! Checksum (docs: book-checksum-v2): top 10 asks low→high then top 10 bids high→low; each price
//! and qty printed with the pair's precision, the `.` removed and leading zeros stripped,
//! concatenated; CRC32 (IEEE) of the whole string.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use crate::num::fixed;

/// One price level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// Price.
    pub price: Decimal,
    /// Quantity at that price.
    pub qty: Decimal,
}

/// Book side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BookSide {
    Bid,
    Ask,
}

/// Levels per side. `max_levels` mirrors the depth a capture was recorded at, so replaying it
/// keeps the same book (and the same checksums) its recorder had.
#[derive(Debug, Clone, Default)]
pub(crate) struct Book {
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
    max_levels: Option<usize>,
}

impl Book {
    pub(crate) fn clear(&mut self, max_levels: Option<usize>) {
        self.bids.clear();
        self.asks.clear();
        self.max_levels = max_levels;
    }

    /// Sets a level (qty 0 deletes it).
    pub(crate) fn set(&mut self, side: BookSide, price: Decimal, qty: Decimal) {
        let map = match side {
            BookSide::Bid => &mut self.bids,
            BookSide::Ask => &mut self.asks,
        };
        if qty.is_zero() {
            map.remove(&price);
        } else {
            map.insert(price, qty);
        }
    }

    /// Applies `max_levels`; called after a whole message, as the recorder truncated.
    pub(crate) fn truncate(&mut self) {
        if let Some(max) = self.max_levels {
            while self.bids.len() > max {
                let worst = *self.bids.keys().next().expect("non-empty");
                self.bids.remove(&worst);
            }
            while self.asks.len() > max {
                let worst = *self.asks.keys().next_back().expect("non-empty");
                self.asks.remove(&worst);
            }
        }
    }

    /// Best `n` levels, best first.
    pub(crate) fn top(&self, side: BookSide, n: usize) -> Vec<Level> {
        let level = |(p, q): (&Decimal, &Decimal)| Level { price: *p, qty: *q };
        match side {
            BookSide::Bid => self.bids.iter().rev().take(n).map(level).collect(),
            BookSide::Ask => self.asks.iter().take(n).map(level).collect(),
        }
    }

    pub(crate) fn best(&self, side: BookSide) -> Option<Level> {
        self.top(side, 1).into_iter().next()
    }

    pub(crate) fn has(&self, side: BookSide, price: Decimal) -> bool {
        match side {
            BookSide::Bid => self.bids.contains_key(&price),
            BookSide::Ask => self.asks.contains_key(&price),
        }
    }

    pub(crate) fn is_empty(&self, side: BookSide) -> bool {
        match side {
            BookSide::Bid => self.bids.is_empty(),
            BookSide::Ask => self.asks.is_empty(),
        }
    }

    /// Kraken's checksum of the top 10 levels with the given precisions.
    pub(crate) fn checksum(&self, price_dp: u32, qty_dp: u32) -> u32 {
        checksum(
            &self.top(BookSide::Ask, 10),
            &self.top(BookSide::Bid, 10),
            price_dp,
            qty_dp,
        )
    }
}

/// CRC32 of asks (best first) then bids (best first), at most 10 each.
pub(crate) fn checksum(asks: &[Level], bids: &[Level], price_dp: u32, qty_dp: u32) -> u32 {
    let mut text = String::new();
    for l in asks.iter().take(10).chain(bids.iter().take(10)) {
        for v in [fixed(l.price, price_dp), fixed(l.qty, qty_dp)] {
            let digits: String = v.chars().filter(|c| *c != '.').collect();
            let trimmed = digits.trim_start_matches('0');
            text.push_str(if trimmed.is_empty() { "0" } else { trimmed });
        }
    }
    crc32fast::hash(text.as_bytes())
}

/// What one subscriber was last sent.
#[derive(Debug, Clone, Default)]
pub(crate) struct BookView {
    pub(crate) depth: usize,
    bids: BTreeMap<Decimal, Decimal>,
    asks: BTreeMap<Decimal, Decimal>,
}

/// The levels to send a subscriber, per side, best first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct BookDiff {
    pub(crate) bids: Vec<Level>,
    pub(crate) asks: Vec<Level>,
}

impl BookDiff {
    pub(crate) fn is_empty(&self) -> bool {
        self.bids.is_empty() && self.asks.is_empty()
    }
}

impl BookView {
    pub(crate) fn new(depth: usize) -> Self {
        BookView {
            depth,
            ..Default::default()
        }
    }

    /// The whole top `depth`, recorded as sent (a snapshot).
    pub(crate) fn snapshot(&mut self, book: &Book) -> BookDiff {
        let bids = book.top(BookSide::Bid, self.depth);
        let asks = book.top(BookSide::Ask, self.depth);
        self.bids = bids.iter().map(|l| (l.price, l.qty)).collect();
        self.asks = asks.iter().map(|l| (l.price, l.qty)).collect();
        BookDiff { bids, asks }
    }

    /// What changed since the last message, recorded as sent.
    pub(crate) fn diff(&mut self, book: &Book) -> BookDiff {
        let bids = diff_side(&mut self.bids, book, BookSide::Bid, self.depth);
        let asks = diff_side(&mut self.asks, book, BookSide::Ask, self.depth);
        BookDiff { bids, asks }
    }
}

fn diff_side(sent: &mut BTreeMap<Decimal, Decimal>, book: &Book, side: BookSide, depth: usize) -> Vec<Level> {
    let top = book.top(side, depth);
    let mut out: Vec<Level> = Vec::new();
    for (price, _) in sent.iter() {
        if !top.iter().any(|l| l.price == *price) && !book.has(side, *price) {
            out.push(Level {
                price: *price,
                qty: Decimal::ZERO,
            });
        }
    }
    for l in &top {
        if sent.get(&l.price) != Some(&l.qty) {
            out.push(*l);
        }
    }
    match side {
        BookSide::Bid => out.sort_by_key(|l| std::cmp::Reverse(l.price)),
        BookSide::Ask => out.sort_by_key(|l| l.price),
    }
    *sent = top.iter().map(|l| (l.price, l.qty)).collect();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn a_pushed_out_level_is_not_deleted_but_a_removed_one_is() {
        let mut book = Book::default();
        book.set(BookSide::Bid, d("10"), d("1"));
        book.set(BookSide::Bid, d("9"), d("1"));
        let mut view = BookView::new(2);
        view.snapshot(&book);
        book.set(BookSide::Bid, d("11"), d("1"));
        let diff = view.diff(&book);
        assert_eq!(
            diff.bids,
            vec![Level {
                price: d("11"),
                qty: d("1")
            }],
            "9 is pushed out, not deleted"
        );
        book.set(BookSide::Bid, d("11"), d("0"));
        let diff = view.diff(&book);
        assert_eq!(
            diff.bids,
            vec![
                Level {
                    price: d("11"),
                    qty: d("0")
                },
                Level {
                    price: d("9"),
                    qty: d("1")
                }
            ],
            "11 left the book and 9 comes back into depth"
        );
        assert!(view.diff(&book).is_empty());
    }
}
