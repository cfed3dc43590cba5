//! Property tests of the books (issue 10): random fills, buys and sells on two symbols
//! (through flat and into shorts), booked by [`Book::preview_fill`] then [`Book::commit`] as
//! the desk books them, with random marks.
//!
//! Invariants held after every fill:
//! 1. Equity is cash plus each position at its mark.
//! 2. Cash is the initial cash less what the buys paid, plus what the sells received, less
//!    the fees; each position is the signed sum of its fills.
//! 3. `cash + Σ cost basis = initial cash + realized PnL − fees` (the ledger's invariant 2).
//! 4. A fill the book refuses (no quantity, no price) leaves it unchanged.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::market::{Side, Symbol};
use crate::orders::{Fill, OrderId, StrategyId};

const SYMBOLS: [&str; 2] = ["BTC/USD", "ETH/USD"];

/// (symbol index, buy, qty in tenths, price, fee in cents); a qty or price of 0 is refused.
type RawFill = (usize, bool, i64, i64, i64);

fn raw_fill() -> impl Strategy<Value = RawFill> {
    (0..SYMBOLS.len(), any::<bool>(), 0i64..50, 0i64..500, 0i64..1_000)
}

fn fill(&(symbol, buy, tenths, price, cents): &RawFill, time_ms: i64) -> Fill {
    Fill {
        order_id: OrderId::new("p-1"),
        strategy: StrategyId::new("s"),
        symbol: Symbol::new(SYMBOLS[symbol]).unwrap(),
        side: if buy { Side::Buy } else { Side::Sell },
        price: Decimal::from(price),
        qty: Decimal::new(tenths, 1),
        fee: Decimal::new(cents, 2),
        time_ms,
        trade_id: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_fills_keep_the_books_invariants(
        fills in proptest::collection::vec(raw_fill(), 1..40),
        marks in proptest::collection::vec(1i64..1_000, SYMBOLS.len()),
    ) {
        let initial = Decimal::from(100_000);
        let mut book = Book::new(StrategyId::new("s"), initial);
        let mut prices = Marks::default();
        for (symbol, mark) in SYMBOLS.iter().zip(&marks) {
            prices.set(&Symbol::new(symbol).unwrap(), Decimal::from(*mark));
        }
        let (mut cash, mut qty) = (initial, [Decimal::ZERO; SYMBOLS.len()]);
        for (i, raw) in fills.iter().enumerate() {
            let fill = fill(raw, i as i64);
            let before = book.clone();
            let Ok(effect) = book.preview_fill(&fill) else {
                // 4. Refused: only a fill without a quantity or a price is.
                prop_assert!(fill.qty.is_zero() || fill.price.is_zero(), "{fill:?} refused");
                prop_assert_eq!(&book, &before);
                continue;
            };
            book.commit(effect);
            cash = cash - fill.side.sign() * fill.qty * fill.price - fill.fee;
            qty[raw.0] += fill.side.sign() * fill.qty;

            // 2. Cash and positions follow from the fills alone.
            prop_assert_eq!(book.cash(), cash);
            let mut value = Decimal::ZERO;
            let mut cost = Decimal::ZERO;
            for (s, symbol) in SYMBOLS.iter().enumerate() {
                let symbol = Symbol::new(symbol).unwrap();
                prop_assert_eq!(book.position(&symbol).qty, qty[s]);
                value += qty[s] * prices.get(&symbol).unwrap();
                cost += book.holding(&symbol).map_or(Decimal::ZERO, Holding::cost);
            }
            // 1. Equity is cash plus the positions' value.
            prop_assert_eq!(book.equity(&prices), book.cash() + value);
            // 3. Cash and cost basis account for every dollar.
            prop_assert_eq!(book.cash() + cost, initial + book.realized_pnl() - book.fees());
        }
    }
}
