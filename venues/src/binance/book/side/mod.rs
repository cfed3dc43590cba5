//! One side of the book, keyed by an integer of each price (its digits at a fixed scale of 18,
//! negated for asks so that on both sides the best level has the largest key), in two stores:
//!
//! - a **ladder** ([`ladder`]): one slot per price tick over a window of 4,096 ticks around the
//!   best, so a level there is set or deleted by computing its index;
//! - a **B-tree** for every other level: off the ladder's tick grid, or outside its window.
//!
//! Why: a diff sets levels near the top, and the B-tree alone spent about 100 ns a level on
//! its search and node edits, as much as parsing the diff; the ladder's set is one division
//! and a slot write. Levels outside the window are few and change less, and the B-tree keeps
//! them exactly as before. A sorted vector (the first version) moves every level between the
//! change and the end; a hash map loses the order that `best` and `top` need.
//!
//! Invariants:
//! 1. A key is in the ladder exactly when the ladder's grid holds it (on its tick grid, inside
//!    its window), else in the B-tree; never in both. So a set or a delete goes to one place
//!    found from the key alone.
//! 2. Memory is bounded whatever the prices: the ladder is at most [`grid::SLOTS`] slots, and
//!    the trim bounds the B-tree with the side.
//! 3. Where the window lies changes speed, never contents: `best`, `top` and `len` read both
//!    stores.
//!
//! The window moves (its tick inferred again from the best levels, see [`grid`]) once sets
//! near the best keep missing the ladder: enough of them to pay for the move
//! ([`MIN_MISSES`], or a sixteenth of the side), so no input makes the side regrid on every
//! set. The far end is trimmed in chunks (past `max_levels` plus a slack).

mod grid;
mod ladder;
mod merge;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use trading::market::BookLevel;

use self::grid::Grid;
use self::ladder::Ladder;
use self::merge::{merge, Order};
use super::ResyncReason;
use crate::binance::wire::PriceLevel;

/// The scale prices are keyed at. Binance writes at most 8 decimals; a price with more than 18
/// is refused as a level.
const KEY_SCALE: u32 = 18;

/// Sets near the best that missed the ladder before the window is moved, at least: enough to
/// place a first window from a snapshot's best levels, and to pay for a move's scan of the
/// ladder.
const MIN_MISSES: usize = 32;

/// The best levels whose gaps give a new window's tick.
const TICK_SAMPLE: usize = 64;

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
    ladder: Ladder,
    /// The levels the ladder's window does not hold.
    rest: BTreeMap<i128, PriceLevel>,
    max_levels: usize,
    /// Sets near the best that went to the B-tree since the window last moved.
    misses: usize,
}

/// `10^i` for every `i` up to [`KEY_SCALE`]: a lookup, where `checked_pow` loops on every set.
const POWERS_OF_TEN: [i128; KEY_SCALE as usize + 1] = {
    let mut powers = [1i128; KEY_SCALE as usize + 1];
    let mut i = 1;
    while i < powers.len() {
        powers[i] = powers[i - 1] * 10;
        i += 1;
    }
    powers
};

/// The price's digits at [`KEY_SCALE`], or `None` if it has more decimals or is too large.
fn key_of(price: Decimal) -> Option<i128> {
    let up = KEY_SCALE.checked_sub(price.scale())?;
    price
        .mantissa()
        .checked_mul(*POWERS_OF_TEN.get(usize::try_from(up).ok()?)?)
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
            ladder: Ladder::default(),
            rest: BTreeMap::new(),
            max_levels: max_levels.max(1),
            misses: 0,
        }
    }

    pub(super) fn clear(&mut self) {
        self.ladder.clear();
        self.rest.clear();
        self.misses = 0;
    }

    pub(super) fn len(&self) -> usize {
        self.ladder.len() + self.rest.len()
    }

    pub(super) fn best(&self) -> Option<PriceLevel> {
        self.best_entry().map(|(_, level)| *level)
    }

    /// The best `n` levels, best first.
    pub(super) fn top(&self, n: usize) -> Vec<BookLevel> {
        self.best_first()
            .take(n)
            .map(|(_, l)| BookLevel {
                price: l.price(),
                qty: l.qty(),
            })
            .collect()
    }

    /// Sets the absolute quantity at a price; zero deletes the level.
    pub(super) fn set(&mut self, level: PriceLevel) -> Result<(), ResyncReason> {
        let (price, qty) = (level.price(), level.qty());
        let invalid = ResyncReason::InvalidLevel { price, qty };
        // Sign and zero tests, not comparisons: a decimal comparison aligns scales first.
        if price.is_sign_negative() || price.is_zero() || (qty.is_sign_negative() && !qty.is_zero()) {
            return Err(invalid);
        }
        let key = key_of(price).ok_or(invalid)?;
        let key = match self.best {
            Best::Highest => key,
            // Positive, so the negation cannot overflow.
            Best::Lowest => -key,
        };
        let added = match self.ladder.index_of(key) {
            Some(index) if qty.is_zero() => {
                self.ladder.remove(index);
                false
            }
            Some(index) => self.ladder.insert(index, level),
            None => {
                let added = if qty.is_zero() {
                    // A level the book does not have was outside the snapshot: nothing to delete.
                    self.rest.remove(&key);
                    false
                } else {
                    self.rest.insert(key, level).is_none()
                };
                self.missed(key);
                added
            }
        };
        if added {
            self.trim();
        }
        Ok(())
    }

    fn best_entry(&self) -> Option<(i128, &PriceLevel)> {
        let tree = self.rest.last_key_value().map(|(key, level)| (*key, level));
        match (self.ladder.best(), tree) {
            (Some(ladder), Some(tree)) => Some(if ladder.0 > tree.0 { ladder } else { tree }),
            (ladder, tree) => ladder.or(tree),
        }
    }

    fn best_first(&self) -> impl Iterator<Item = (i128, &PriceLevel)> {
        let tree = self.rest.iter().rev().map(|(key, level)| (*key, level));
        merge(Order::BestFirst, self.ladder.best_first(), tree)
    }

    /// Counts a set that went to the B-tree, and moves the window once enough of them were
    /// near the best. Every set counts while there is no window.
    fn missed(&mut self, key: i128) {
        let near = match (self.ladder.grid(), self.best_entry()) {
            (Some(grid), Some((best, _))) => grid.near(key, best),
            _ => true,
        };
        if near {
            self.misses += 1;
            if self.misses >= MIN_MISSES.max(self.len() / 16) {
                self.regrid();
            }
        }
    }

    /// Places the window around the best level, at the tick of the best levels' gaps, and
    /// moves every level to the store that invariant 1 names. Without two levels, or when the
    /// window would not fit, the window stays where it is.
    fn regrid(&mut self) {
        self.misses = 0;
        let Some((best, _)) = self.best_entry() else { return };
        let Some(tick) = grid::tick_of(self.best_first().take(TICK_SAMPLE).map(|(key, _)| key)) else {
            return;
        };
        let Some(grid) = Grid::around(best, tick) else { return };
        if self.ladder.grid() == Some(&grid) {
            return;
        }
        for (key, level) in self.ladder.regrid(grid) {
            self.place(key, level);
        }
        let held: Vec<i128> = self
            .rest
            .range(grid.keys())
            .map(|(key, _)| *key)
            .filter(|key| grid.index_of(*key).is_some())
            .collect();
        for key in held {
            if let Some(level) = self.rest.remove(&key) {
                self.place(key, level);
            }
        }
    }

    /// Stores a level the side holds (its key already counted in `len`) where invariant 1
    /// says.
    fn place(&mut self, key: i128, level: PriceLevel) {
        match self.ladder.index_of(key) {
            Some(index) => {
                self.ladder.insert(index, level);
            }
            None => {
                self.rest.insert(key, level);
            }
        }
    }

    /// Drops the worst levels once the side is a quarter past its limit.
    fn trim(&mut self) {
        let slack = self.max_levels / 4 + 1;
        let len = self.len();
        if len <= self.max_levels.saturating_add(slack) {
            return;
        }
        let worst = self.rest.iter().map(|(key, level)| (*key, level));
        // The key of the last level to go: it and every key below it go.
        let Some((cut, _)) = merge(Order::WorstFirst, self.ladder.worst_first(), worst).nth(len - self.max_levels - 1)
        else {
            return;
        };
        let mut kept = self.rest.split_off(&cut);
        kept.remove(&cut);
        self.rest = kept;
        self.ladder.remove_up_to(cut);
    }
}

#[cfg(test)]
mod tests;
