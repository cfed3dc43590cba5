//! A side's levels in order, from its two stores: the ladder and the B-tree each yield their
//! own levels sorted by key, and a key lives in one store only, so merging the two streams
//! gives the side's levels sorted, each once.

use std::iter::Peekable;

use crate::binance::wire::PriceLevel;

/// Which end comes first.
#[derive(Debug, Clone, Copy)]
pub(super) enum Order {
    /// The largest key (the best level) first.
    BestFirst,
    /// The smallest key (the worst level) first.
    WorstFirst,
}

/// Two streams of `(key, level)` sorted in `order`, merged in the same order.
pub(super) fn merge<'a, A, B>(order: Order, a: A, b: B) -> Merge<A, B>
where
    A: Iterator<Item = (i128, &'a PriceLevel)>,
    B: Iterator<Item = (i128, &'a PriceLevel)>,
{
    Merge {
        order,
        a: a.peekable(),
        b: b.peekable(),
    }
}

pub(super) struct Merge<A: Iterator, B: Iterator> {
    order: Order,
    a: Peekable<A>,
    b: Peekable<B>,
}

impl<'a, A, B> Iterator for Merge<A, B>
where
    A: Iterator<Item = (i128, &'a PriceLevel)>,
    B: Iterator<Item = (i128, &'a PriceLevel)>,
{
    type Item = (i128, &'a PriceLevel);

    fn next(&mut self) -> Option<Self::Item> {
        let a_first = match (self.a.peek(), self.b.peek()) {
            (Some((a, _)), Some((b, _))) => match self.order {
                Order::BestFirst => a > b,
                Order::WorstFirst => a < b,
            },
            (Some(_), None) => true,
            (None, _) => false,
        };
        if a_first {
            self.a.next()
        } else {
            self.b.next()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_sorted_streams_interleave_in_either_order() {
        let level = PriceLevel(rust_decimal::Decimal::ONE, rust_decimal::Decimal::ONE);
        let keys = |order, a: &[i128], b: &[i128]| {
            merge(order, a.iter().map(|k| (*k, &level)), b.iter().map(|k| (*k, &level)))
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        };
        assert_eq!(keys(Order::BestFirst, &[9, 5, 1], &[8, 7, 2]), [9, 8, 7, 5, 2, 1]);
        assert_eq!(keys(Order::WorstFirst, &[1, 5], &[2, 7, 8]), [1, 2, 5, 7, 8]);
        assert_eq!(keys(Order::BestFirst, &[], &[3]), [3]);
        assert_eq!(keys(Order::WorstFirst, &[3], &[]), [3]);
    }
}
