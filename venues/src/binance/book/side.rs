//! One side of the book: a vector sorted worst first, so the best level is the last.
//!
//! Why this layout: changes cluster at the top of the book, so an insert or delete there moves
//! only the few levels above it, where a best-first vector would move them all. A price is
//! found by binary search. The far end is trimmed in chunks (past `max_levels` plus a slack),
//! so trimming does not move the whole vector on every insert.

use rust_decimal::Decimal;
use trading::market::BookLevel;

use super::ResyncReason;
use crate::binance::wire::PriceLevel;

/// Which way a side sorts.
#[derive(Debug, Clone, Copy)]
enum Best {
    /// Bids: the highest price is best.
    Highest,
    /// Asks: the lowest price is best.
    Lowest,
}

#[derive(Debug)]
pub(super) struct BookSide {
    best: Best,
    /// Worst first, best last.
    levels: Vec<PriceLevel>,
    max_levels: usize,
}

impl BookSide {
    pub(super) fn bids(max_levels: usize) -> Self {
        Self::new(Best::Highest, max_levels)
    }

    pub(super) fn asks(max_levels: usize) -> Self {
        Self::new(Best::Lowest, max_levels)
    }

    fn new(best: Best, max_levels: usize) -> Self {
        Self {
            best,
            levels: Vec::new(),
            max_levels: max_levels.max(1),
        }
    }

    pub(super) fn clear(&mut self) {
        self.levels.clear();
    }

    pub(super) fn len(&self) -> usize {
        self.levels.len()
    }

    pub(super) fn best(&self) -> Option<PriceLevel> {
        self.levels.last().copied()
    }

    /// The best `n` levels, best first.
    pub(super) fn top(&self, n: usize) -> Vec<BookLevel> {
        self.levels
            .iter()
            .rev()
            .take(n)
            .map(|l| BookLevel {
                price: l.price(),
                qty: l.qty(),
            })
            .collect()
    }

    /// Sets the absolute quantity at a price; zero deletes the level.
    pub(super) fn set(&mut self, level: PriceLevel) -> Result<(), ResyncReason> {
        let (price, qty) = (level.price(), level.qty());
        if price <= Decimal::ZERO || qty < Decimal::ZERO {
            return Err(ResyncReason::InvalidLevel { price, qty });
        }
        let found = self.find(price);
        match (found, qty.is_zero()) {
            (Ok(at), true) => {
                self.levels.remove(at);
            }
            (Ok(at), false) => {
                if let Some(slot) = self.levels.get_mut(at) {
                    *slot = level;
                }
            }
            // Deleting a level the book does not have: it was outside the snapshot.
            (Err(_), true) => {}
            (Err(at), false) => {
                self.levels.insert(at, level);
                self.trim();
            }
        }
        Ok(())
    }

    /// Where `price` is (`Ok`) or would go (`Err`) in worst-first order.
    fn find(&self, price: Decimal) -> Result<usize, usize> {
        match self.best {
            // Ascending: the highest bid last.
            Best::Highest => self.levels.binary_search_by(|l| l.price().cmp(&price)),
            // Descending: the lowest ask last.
            Best::Lowest => self.levels.binary_search_by(|l| price.cmp(&l.price())),
        }
    }

    /// Drops the worst levels once the side is a quarter past its limit.
    fn trim(&mut self) {
        let slack = self.max_levels / 4 + 1;
        if self.levels.len() > self.max_levels.saturating_add(slack) {
            let excess = self.levels.len() - self.max_levels;
            self.levels.drain(..excess);
        }
    }
}
