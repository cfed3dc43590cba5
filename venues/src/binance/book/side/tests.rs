//! The side against a reference: the B-tree side it replaced, one map of every level, checked
//! after every set on random sequences (prices on and off the grid, near and far, hostile
//! scales, deletes of absent levels, runs long enough to trim); and the two promises the
//! reference cannot check: the ladder holds a book's top, and its memory stays bounded.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::grid::SLOTS;
use super::*;

/// The side as it was before the ladder: every level in one B-tree, trimmed the same way.
struct Reference {
    bids: bool,
    levels: BTreeMap<i128, PriceLevel>,
    max_levels: usize,
}

impl Reference {
    fn new(bids: bool, max_levels: usize) -> Self {
        Self {
            bids,
            levels: BTreeMap::new(),
            max_levels: max_levels.max(1),
        }
    }

    fn set(&mut self, level: PriceLevel) -> Result<(), ResyncReason> {
        let (price, qty) = (level.price(), level.qty());
        let invalid = ResyncReason::InvalidLevel { price, qty };
        if price <= Decimal::ZERO || qty < Decimal::ZERO {
            return Err(invalid);
        }
        let key = key_of(price).ok_or(invalid)?;
        let key = if self.bids { key } else { -key };
        if qty.is_zero() {
            self.levels.remove(&key);
        } else if self.levels.insert(key, level).is_none()
            && self.levels.len() > self.max_levels.saturating_add(self.max_levels / 4 + 1)
        {
            while self.levels.len() > self.max_levels {
                self.levels.pop_first();
            }
        }
        Ok(())
    }

    /// The best `n` levels as text (so the scale counts), best first.
    fn text(&self, n: usize) -> Vec<(String, String)> {
        self.levels.values().rev().take(n).map(text).collect()
    }
}

fn text(level: &PriceLevel) -> (String, String) {
    (level.price().to_string(), level.qty().to_string())
}

fn side_text(side: &BookSide, n: usize) -> Vec<(String, String)> {
    side.top(n)
        .iter()
        .map(|l| (l.price.to_string(), l.qty.to_string()))
        .collect()
}

/// Levels compared after every set; all of them after every operation.
const TOP: usize = 64;

fn side_of(bids: bool, max_levels: usize) -> BookSide {
    if bids {
        BookSide::bids(max_levels)
    } else {
        BookSide::asks(max_levels)
    }
}

/// 30,000.00 in ticks of 0.01.
const MID: i64 = 3_000_000;

/// A price of `ticks` hundredths, written with two decimals or with Binance's eight.
fn on_grid(ticks: i64, eight: bool) -> Decimal {
    if eight {
        Decimal::new(ticks * 1_000_000, 8)
    } else {
        Decimal::new(ticks, 2)
    }
}

fn price() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        6 => (-400i64..400, any::<bool>()).prop_map(|(offset, eight)| on_grid(MID + offset, eight)),
        2 => (-20_000i64..20_000).prop_map(|offset| on_grid(MID + offset, true)),
        // Tenths of a tick: mostly off the grid.
        2 => (-4_000i64..4_000).prop_map(|offset| Decimal::new(MID * 10 + offset, 3)),
        1 => prop_oneof![
            Just(Decimal::new(1, 8)),
            Just(Decimal::new(1_000_000_000_000, 0)),
            Just(Decimal::new(1, 18)),
            Just(Decimal::new(1, 20)),
            Just(Decimal::from_i128_with_scale(i128::from(i64::MAX) * 1_000_000_000, 0)),
            Just(Decimal::ZERO),
            Just(-Decimal::new(0, 2)),
            Just(Decimal::new(-3_000_000, 2)),
        ],
    ]
}

fn qty() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        3 => (1i64..300_000_000).prop_map(|units| Decimal::new(units, 8)),
        2 => prop_oneof![Just(Decimal::ZERO), Just(Decimal::new(0, 8)), Just(-Decimal::new(0, 8))],
        1 => Just(Decimal::new(-1, 8)),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    /// One level.
    Set(PriceLevel),
    /// `count` levels a tick apart from `start` ticks off the mid, down: a snapshot, a
    /// market that moved, or a flood to trim.
    Run {
        start: i64,
        count: i64,
    },
    Clear,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        40 => (price(), qty()).prop_map(|(p, q)| Op::Set(PriceLevel(p, q))),
        2 => (-20_000i64..20_000, 1i64..400).prop_map(|(start, count)| Op::Run { start, count }),
        1 => Just(Op::Clear),
    ]
}

fn levels_of(op: &Op) -> Vec<PriceLevel> {
    match op {
        Op::Set(level) => vec![*level],
        Op::Run { start, count } => (0..*count)
            .map(|i| PriceLevel(on_grid(MID + start - i, true), Decimal::new(i + 1, 8)))
            .collect(),
        Op::Clear => Vec::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_side_reads_as_the_b_tree_it_replaced_after_every_set(
        bids in any::<bool>(),
        max_levels in prop_oneof![Just(1usize), Just(3), Just(40), Just(300), Just(5_000)],
        ops in proptest::collection::vec(op(), 0..300),
    ) {
        let mut side = side_of(bids, max_levels);
        let mut reference = Reference::new(bids, max_levels);
        for op in &ops {
            if let Op::Clear = op {
                side.clear();
                reference.levels.clear();
            }
            for level in levels_of(op) {
                prop_assert_eq!(side.set(level), reference.set(level), "{:?}", level);
                prop_assert_eq!(side.len(), reference.levels.len());
                prop_assert_eq!(side.best().as_ref().map(text), reference.levels.values().next_back().map(text));
                prop_assert_eq!(side_text(&side, TOP), reference.text(TOP));
                prop_assert!(side.ladder.allocated() <= SLOTS);
            }
            prop_assert_eq!(side_text(&side, usize::MAX), reference.text(usize::MAX));
        }
    }
}

#[test]
fn a_snapshots_levels_end_on_the_ladder_and_the_window_follows_the_market() {
    let mut side = BookSide::bids(5_000);
    for i in 0..1_000 {
        side.set(PriceLevel(on_grid(MID - i, true), Decimal::ONE)).unwrap();
    }
    assert_eq!((side.ladder.len(), side.rest.len()), (1_000, 0));
    // The market rises 3,000 ticks, past the window's top: the new levels miss it until the
    // window moves up to them.
    for i in 0..200 {
        side.set(PriceLevel(on_grid(MID + 3_000 - i, true), Decimal::ONE))
            .unwrap();
    }
    assert_eq!(side.len(), 1_200);
    assert!(side
        .ladder
        .index_of(key_of(on_grid(MID + 3_000, true)).unwrap())
        .is_some());
    assert_eq!(side.best(), Some(PriceLevel(on_grid(MID + 3_000, true), Decimal::ONE)));
}

#[test]
fn a_hostile_price_far_from_the_book_goes_to_the_b_tree_and_allocates_no_window() {
    let mut side = BookSide::asks(5_000);
    for i in 0..100 {
        side.set(PriceLevel(on_grid(MID + i, true), Decimal::ONE)).unwrap();
    }
    for price in [
        Decimal::new(1, 8),
        Decimal::new(1_000_000_000_000, 0),
        Decimal::new(1, 18),
    ] {
        for _ in 0..100 {
            side.set(PriceLevel(price, Decimal::ONE)).unwrap();
            side.set(PriceLevel(price, Decimal::ZERO)).unwrap();
        }
        side.set(PriceLevel(price, Decimal::ONE)).unwrap();
    }
    assert!(side.ladder.allocated() <= SLOTS);
    assert_eq!(side.len(), 103);
    assert_eq!(side.best(), Some(PriceLevel(Decimal::new(1, 18), Decimal::ONE)));
    assert_eq!(side.top(2)[1].price, Decimal::new(1, 8));
}
