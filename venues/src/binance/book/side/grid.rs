//! Where the ladder's window lies on the price axis: an origin key and a tick (both in the
//! side's key space, see the parent module), covering [`SLOTS`] consecutive multiples of the
//! tick, and the tick itself inferred from the levels the side holds.
//!
//! Why inferred rather than taken from the symbol's `PRICE_FILTER`: the book is built from
//! the depth stream alone (`BinanceBook::new` takes no instrument rules), Binance changes tick
//! sizes and orders at the old tick stay in the book, and a wrong tick can only cost speed
//! here, never correctness: a price off the grid is kept by the B-tree. The tick is the
//! greatest common divisor of the gaps between the best levels, so every one of them is on
//! the grid; on a venue that enforces a tick it is that tick as soon as two neighbouring
//! levels sit one tick apart, which near the top of a liquid book they do.
//!
//! All arithmetic is checked: a grid whose window would not fit in `i128` is not made, so no
//! price, however far, can make an index overflow or a window grow.

use std::ops::RangeInclusive;

/// Slots in the window. With the best placed [`HEADROOM`] slots below the top, 3,071 ticks of
/// depth are held below it (BTCUSDT at 0.01: about $30, the part of the book that changes
/// most) and 1,024 above it for the price to rise into before the window is moved. A slot is
/// 36 bytes, so a side's window is 147 KiB, allocated once the side first has a grid.
pub(super) const SLOTS: usize = 4_096;

/// Free slots above the best when a window is placed.
const HEADROOM: usize = SLOTS / 4;

/// The window: slot `i` holds the key `origin + i × tick`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Grid {
    origin: i128,
    /// Positive.
    tick: i128,
    /// `SLOTS × tick`, which fits in `i128` (checked when the grid is made).
    span: i128,
}

impl Grid {
    /// A window of `tick` that holds `best` [`HEADROOM`] slots below its top, or `None` if the
    /// tick is not positive or the window's keys would not fit in `i128`.
    pub(super) fn around(best: i128, tick: i128) -> Option<Self> {
        if tick <= 0 {
            return None;
        }
        let below = tick.checked_mul(i128::try_from(SLOTS - HEADROOM - 1).ok()?)?;
        let span = tick.checked_mul(i128::try_from(SLOTS).ok()?)?;
        let origin = best.checked_sub(below)?;
        // The last slot's key must fit too, so `key_at` cannot overflow.
        origin.checked_add(span - tick)?;
        Some(Self { origin, tick, span })
    }

    /// The slot holding `key`, or `None` if the key is off the grid or outside the window.
    #[inline]
    pub(super) fn index_of(&self, key: i128) -> Option<usize> {
        let offset = key.checked_sub(self.origin)?;
        if !(0..self.span).contains(&offset) {
            return None;
        }
        // Both non-negative here, and the quotient is below `SLOTS`.
        let (offset, tick) = (offset.unsigned_abs(), self.tick.unsigned_abs());
        let index = offset / tick;
        (index * tick == offset).then_some(index as usize)
    }

    /// The key of slot `index` (below [`SLOTS`]).
    #[inline]
    pub(super) fn key_at(&self, index: usize) -> i128 {
        // In the window, which `around` checked fits.
        self.origin + self.tick * index as i128
    }

    /// The keys from the first slot's to the last's.
    pub(super) fn keys(&self) -> RangeInclusive<i128> {
        self.origin..=self.origin + (self.span - self.tick)
    }

    /// Whether `key` is within half a window of `best`: close enough that a window around the
    /// best would hold it if it were on the grid.
    pub(super) fn near(&self, key: i128, best: i128) -> bool {
        key.abs_diff(best) < self.span.unsigned_abs() / 2
    }
}

/// The greatest common divisor of the gaps between consecutive `keys` (distinct, in order),
/// or `None` with fewer than two keys.
pub(super) fn tick_of(keys: impl Iterator<Item = i128>) -> Option<i128> {
    let mut previous = None;
    let mut gcd: Option<u128> = None;
    for key in keys {
        if let Some(previous) = previous.replace(key) {
            let gap = key.abs_diff(previous);
            gcd = Some(gcd.map_or(gap, |g| euclid(g, gap)));
        }
    }
    // A gap between two keys of one side (all of one sign) fits in `i128`.
    gcd.and_then(|g| i128::try_from(g).ok()).filter(|&g| g > 0)
}

fn euclid(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tick_is_the_common_divisor_of_the_gaps() {
        assert_eq!(tick_of([30, 20, 10].into_iter()), Some(10));
        assert_eq!(tick_of([30, 20, 5].into_iter()), Some(5));
        assert_eq!(tick_of([-30, -21].into_iter()), Some(9));
        assert_eq!(tick_of([30].into_iter()), None);
        assert_eq!(tick_of([7, 7].into_iter()), None);
    }

    #[test]
    fn a_window_holds_its_multiples_of_the_tick_and_nothing_else() {
        let grid = Grid::around(1_000_000, 10).unwrap();
        let best = grid.index_of(1_000_000).unwrap();
        assert_eq!(best, SLOTS - HEADROOM - 1);
        assert_eq!(grid.key_at(best), 1_000_000);
        assert_eq!(grid.index_of(1_000_010), Some(best + 1));
        assert_eq!(grid.index_of(1_000_005), None, "off the grid");
        assert_eq!(grid.index_of(*grid.keys().start()), Some(0));
        assert_eq!(grid.index_of(*grid.keys().end()), Some(SLOTS - 1));
        assert_eq!(grid.index_of(grid.keys().end() + 10), None, "past the top");
        assert_eq!(grid.index_of(grid.keys().start() - 10), None, "below the bottom");
        assert_eq!(grid.index_of(i128::MIN), None);
        assert_eq!(grid.index_of(i128::MAX), None);
    }

    #[test]
    fn a_window_that_would_not_fit_is_not_made() {
        assert_eq!(Grid::around(i128::MAX - 5, 10), None);
        assert_eq!(Grid::around(i128::MIN + 5, 10), None);
        assert_eq!(Grid::around(0, i128::MAX / 2), None);
        assert_eq!(Grid::around(0, 0), None);
        assert!(Grid::around(-1_000_000, 10).is_some());
    }
}
