//! The dense part of a side: one slot per tick of its [`Grid`]'s window, so setting a level
//! there is an index, not a search. It knows its best (highest) occupied slot and how many
//! slots are occupied; it knows nothing of the levels outside its window.
//!
//! Invariant: `best` is the highest occupied slot, `count` the number of occupied slots, and
//! an occupied slot `i` holds a level whose key is `grid.key_at(i)`.

use super::grid::{Grid, SLOTS};
use crate::binance::wire::PriceLevel;

#[derive(Debug, Default)]
pub(super) struct Ladder {
    grid: Option<Grid>,
    /// Empty until the first grid, then [`SLOTS`] long.
    slots: Vec<Option<PriceLevel>>,
    best: Option<usize>,
    count: usize,
}

impl Ladder {
    pub(super) fn grid(&self) -> Option<&Grid> {
        self.grid.as_ref()
    }

    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// The slot of `key`, if the window holds it.
    #[inline]
    pub(super) fn index_of(&self, key: i128) -> Option<usize> {
        self.grid.as_ref()?.index_of(key)
    }

    /// Puts `level` in slot `index` (from [`Ladder::index_of`]); whether the slot was empty.
    #[inline]
    pub(super) fn insert(&mut self, index: usize, level: PriceLevel) -> bool {
        let added = self.slots[index].replace(level).is_none();
        if added {
            self.count += 1;
            if self.best.is_none_or(|best| index > best) {
                self.best = Some(index);
            }
        }
        added
    }

    /// Empties slot `index` (from [`Ladder::index_of`]).
    #[inline]
    pub(super) fn remove(&mut self, index: usize) {
        if self.slots[index].take().is_some() {
            self.count -= 1;
            if self.best == Some(index) {
                // Near the top of a book the next level is a tick or a few below.
                self.best = self.slots[..index].iter().rposition(Option::is_some);
            }
        }
    }

    /// The best level and its key.
    pub(super) fn best(&self) -> Option<(i128, &PriceLevel)> {
        let (grid, best) = (self.grid.as_ref()?, self.best?);
        self.slots[best].as_ref().map(|level| (grid.key_at(best), level))
    }

    /// The levels and their keys, best first.
    pub(super) fn best_first(&self) -> impl Iterator<Item = (i128, &PriceLevel)> {
        self.occupied(self.best.map_or(0, |best| best + 1)).rev()
    }

    /// The levels and their keys, worst first.
    pub(super) fn worst_first(&self) -> impl Iterator<Item = (i128, &PriceLevel)> {
        self.occupied(self.best.map_or(0, |best| best + 1))
    }

    /// Empties every slot whose key is at most `cut`.
    pub(super) fn remove_up_to(&mut self, cut: i128) {
        let Some(grid) = self.grid else { return };
        let Some(best) = self.best else { return };
        for index in 0..=best {
            if grid.key_at(index) > cut {
                break;
            }
            self.remove(index);
        }
    }

    /// Empties every slot, keeping the grid.
    pub(super) fn clear(&mut self) {
        if let Some(best) = self.best.take() {
            self.slots[..=best].fill(None);
        }
        self.count = 0;
    }

    /// Moves the window to `grid`, handing back every level it held with its key (worst
    /// first) for the caller to place again.
    pub(super) fn regrid(&mut self, grid: Grid) -> Vec<(i128, PriceLevel)> {
        let mut held = Vec::with_capacity(self.count);
        if let (Some(old), Some(best)) = (self.grid, self.best) {
            for (index, slot) in self.slots[..=best].iter_mut().enumerate() {
                if let Some(level) = slot.take() {
                    held.push((old.key_at(index), level));
                }
            }
        }
        if self.slots.is_empty() {
            self.slots = vec![None; SLOTS];
        }
        self.grid = Some(grid);
        self.best = None;
        self.count = 0;
        held
    }

    /// Slots allocated: [`SLOTS`] at most, whatever was set.
    #[cfg(test)]
    pub(super) fn allocated(&self) -> usize {
        self.slots.capacity()
    }

    fn occupied(&self, end: usize) -> impl DoubleEndedIterator<Item = (i128, &PriceLevel)> {
        let grid = self.grid;
        self.slots[..end].iter().enumerate().filter_map(move |(index, slot)| {
            let level = slot.as_ref()?;
            grid.map(|grid| (grid.key_at(index), level))
        })
    }
}
