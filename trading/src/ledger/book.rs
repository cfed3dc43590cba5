//! [`Book`]: one strategy's books (cash, holdings per symbol, closed round trips), and
//! [`Marks`], the last price per symbol they are valued at.
//!
//! Invariants:
//! 1. `cash = initial cash − Σ buys × price + Σ sells × price − Σ fees`, exactly.
//! 2. Hence `cash + Σ cost = initial cash + realized PnL − fees` at all times (tested).
//! 3. A fill is previewed on a copy ([`Book::preview_fill`]) and committed whole
//!    ([`Book::commit`]), so the caller can persist in between and a refused fill changes nothing.

use std::collections::BTreeMap;

use foldhash::HashMap;

use rust_decimal::Decimal;

use crate::ledger::holding::{add, mul, sub, Holding, LedgerError, RoundTrip};
use crate::market::Symbol;
use crate::orders::{Fill, Position, StrategyId, VenueId};

/// The last price seen per symbol, shared by every book of a desk.
#[derive(Debug, Clone, Default)]
pub struct Marks {
    prices: HashMap<Symbol, Decimal>,
}

impl Marks {
    /// Records a price. Allocates only the first time a symbol is seen.
    pub fn set(&mut self, symbol: &Symbol, price: Decimal) {
        match self.prices.get_mut(symbol) {
            Some(last) => *last = price,
            None => {
                self.prices.insert(symbol.clone(), price);
            }
        }
    }

    pub fn get(&self, symbol: &Symbol) -> Option<Decimal> {
        self.prices.get(symbol).copied()
    }
}

/// What booking a fill will do, computed by [`Book::preview_fill`] and applied by [`Book::commit`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillEffect {
    pub symbol: Symbol,
    /// The holding after the fill.
    pub holding: Holding,
    /// The book's cash after the fill.
    pub cash: Decimal,
    /// The round trip the fill closed, if any.
    pub closed: Option<RoundTrip>,
}

/// One strategy's books.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    strategy: StrategyId,
    initial_cash: Decimal,
    cash: Decimal,
    holdings: BTreeMap<Symbol, Holding>,
    round_trips: Vec<RoundTrip>,
}

/// What a book is worth at the marks, as a backtest samples it on every bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Valuation {
    /// Cash plus every open position at its mark (at cost when no mark is known).
    pub equity: Decimal,
    /// Whether any position is open.
    pub exposed: bool,
}

/// A position with its valuation, for reports and `/status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionSummary {
    pub symbol: Symbol,
    pub qty: Decimal,
    pub avg_price: Decimal,
    /// The last price seen; `None` before any (after a restart), when the position is valued at cost.
    pub mark: Option<Decimal>,
    pub unrealized_pnl: Decimal,
    pub realized_pnl: Decimal,
    pub fees: Decimal,
}

/// A book with its valuation, for reports, metrics and `/status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookSummary {
    pub strategy: StrategyId,
    pub initial_cash: Decimal,
    pub cash: Decimal,
    /// Cash plus every position at its mark.
    pub equity: Decimal,
    pub realized_pnl: Decimal,
    pub unrealized_pnl: Decimal,
    pub fees: Decimal,
    /// Every symbol ever traded, flat ones included (they carry realized PnL), by symbol.
    pub positions: Vec<PositionSummary>,
}

impl Book {
    pub fn new(strategy: StrategyId, initial_cash: Decimal) -> Self {
        Self {
            strategy,
            initial_cash,
            cash: initial_cash,
            holdings: BTreeMap::new(),
            round_trips: Vec::new(),
        }
    }

    /// Rebuilds a book from the book of record (closed round trips stay in the store).
    pub fn restore(
        strategy: StrategyId,
        initial_cash: Decimal,
        cash: Decimal,
        holdings: impl IntoIterator<Item = (Symbol, Holding)>,
    ) -> Self {
        Self {
            strategy,
            initial_cash,
            cash,
            holdings: holdings.into_iter().collect(),
            round_trips: Vec::new(),
        }
    }

    pub fn strategy(&self) -> &StrategyId {
        &self.strategy
    }
    pub fn initial_cash(&self) -> Decimal {
        self.initial_cash
    }
    pub fn cash(&self) -> Decimal {
        self.cash
    }
    pub fn holding(&self, symbol: &Symbol) -> Option<&Holding> {
        self.holdings.get(symbol)
    }
    /// Every symbol ever traded, by symbol.
    pub fn holdings(&self) -> impl Iterator<Item = (&Symbol, &Holding)> + '_ {
        self.holdings.iter()
    }
    /// Round trips closed since this book was created or restored, oldest first.
    pub fn round_trips(&self) -> &[RoundTrip] {
        &self.round_trips
    }
    pub fn fees(&self) -> Decimal {
        self.holdings
            .values()
            .fold(Decimal::ZERO, |sum, h| sum.saturating_add(h.fees()))
    }
    pub fn realized_pnl(&self) -> Decimal {
        self.holdings
            .values()
            .fold(Decimal::ZERO, |sum, h| sum.saturating_add(h.realized_pnl()))
    }

    /// The strategy-facing position in `symbol` (flat when never traded).
    pub fn position(&self, symbol: &Symbol) -> Position {
        match self.holdings.get(symbol) {
            Some(h) => Position {
                symbol: symbol.clone(),
                qty: h.qty(),
                avg_price: h.avg_price(),
                realized_pnl: h.realized_pnl(),
            },
            None => Position::flat(symbol.clone()),
        }
    }

    /// Whether any position is open.
    pub fn is_exposed(&self) -> bool {
        self.holdings.values().any(|h| !h.qty().is_zero())
    }

    /// Cash plus every open position at its mark (at cost when no mark is known).
    pub fn equity(&self, marks: &Marks) -> Decimal {
        self.valuation(marks).equity
    }

    /// Equity and exposure in one pass over the holdings.
    pub fn valuation(&self, marks: &Marks) -> Valuation {
        let open = self.holdings.iter().filter(|(_, h)| !h.qty().is_zero());
        open.fold(
            Valuation {
                equity: self.cash,
                exposed: false,
            },
            |valuation, (symbol, h)| {
                let value = marks.get(symbol).map_or(h.cost(), |mark| h.market_value(mark));
                Valuation {
                    equity: valuation.equity.saturating_add(value),
                    exposed: true,
                }
            },
        )
    }

    pub fn summary(&self, marks: &Marks) -> BookSummary {
        let positions: Vec<PositionSummary> = self
            .holdings
            .iter()
            .map(|(symbol, h)| {
                let mark = marks.get(symbol);
                PositionSummary {
                    symbol: symbol.clone(),
                    qty: h.qty(),
                    avg_price: h.avg_price(),
                    mark,
                    unrealized_pnl: mark.map_or(Decimal::ZERO, |m| h.unrealized_pnl(m)),
                    realized_pnl: h.realized_pnl(),
                    fees: h.fees(),
                }
            })
            .collect();
        BookSummary {
            strategy: self.strategy.clone(),
            initial_cash: self.initial_cash,
            cash: self.cash,
            equity: self.equity(marks),
            realized_pnl: self.realized_pnl(),
            unrealized_pnl: positions
                .iter()
                .fold(Decimal::ZERO, |sum, p| sum.saturating_add(p.unrealized_pnl)),
            fees: self.fees(),
            positions,
        }
    }

    /// Computes what `fill` does to this book without changing it.
    ///
    /// # Errors
    ///
    /// [`LedgerError`] for a malformed fill or amounts beyond [`Decimal`].
    pub fn preview_fill(&self, fill: &Fill) -> Result<FillEffect, LedgerError> {
        let mut holding = self.holdings.get(&fill.symbol).cloned().unwrap_or_default();
        let closed = holding.apply_fill(fill)?;
        // A buy pays its value, a sell receives it; both pay the fee.
        let flow = mul(-fill.side.sign(), mul(fill.qty, fill.price)?)?;
        let cash = sub(add(self.cash, flow)?, fill.fee)?;
        Ok(FillEffect {
            symbol: fill.symbol.clone(),
            holding,
            cash,
            closed,
        })
    }

    /// Applies an effect computed by [`Book::preview_fill`] on this book's current state.
    pub fn commit(&mut self, effect: FillEffect) {
        self.cash = effect.cash;
        match self.holdings.get_mut(&effect.symbol) {
            Some(holding) => *holding = effect.holding,
            None => {
                self.holdings.insert(effect.symbol, effect.holding);
            }
        }
        self.round_trips.extend(effect.closed);
    }
}

/// Every strategy's book and the marks they are valued at: the ledger of one desk.
///
/// Prices are kept per venue: two venues trading the same symbol quote it apart, and a book is
/// valued at the prices of the venue its strategy trades on. A replay has one source of prices
/// (no venue), which values every book.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    books: BTreeMap<StrategyId, Book>,
    /// The prices of a replay's single source.
    marks: Marks,
    /// Each live venue's own prices.
    venue_marks: HashMap<VenueId, Marks>,
}

impl Ledger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a book; an existing book for the same strategy is kept (returns `false`).
    pub fn open_book(&mut self, book: Book) -> bool {
        if self.books.contains_key(book.strategy()) {
            return false;
        }
        self.books.insert(book.strategy().clone(), book);
        true
    }

    pub fn book(&self, strategy: &StrategyId) -> Option<&Book> {
        self.books.get(strategy)
    }
    pub fn book_mut(&mut self, strategy: &StrategyId) -> Option<&mut Book> {
        self.books.get_mut(strategy)
    }
    /// Every book, by strategy.
    pub fn books(&self) -> impl Iterator<Item = &Book> + '_ {
        self.books.values()
    }
    /// The prices books on `venue` are valued at: the venue's own once it has quoted, else
    /// the replay's.
    pub fn marks_on(&self, venue: &VenueId) -> &Marks {
        self.venue_marks.get(venue).unwrap_or(&self.marks)
    }
    /// The prices of a replay's single source (no venue).
    pub fn replay_marks(&self) -> &Marks {
        &self.marks
    }
    /// Records a price of `venue`, or of the replay's source (`None`).
    pub fn mark(&mut self, venue: Option<&VenueId>, symbol: &Symbol, price: Decimal) {
        match venue {
            None => self.marks.set(symbol, price),
            Some(venue) => match self.venue_marks.get_mut(venue) {
                Some(marks) => marks.set(symbol, price),
                None => self.venue_marks.entry(venue.clone()).or_default().set(symbol, price),
            },
        }
    }
    /// `strategy`'s book valued at the prices of `venue`, the one it trades on.
    pub fn valuation(&self, strategy: &StrategyId, venue: &VenueId) -> Option<Valuation> {
        self.books.get(strategy).map(|b| b.valuation(self.marks_on(venue)))
    }
    /// As [`Ledger::valuation`], the whole summary.
    pub fn summary(&self, strategy: &StrategyId, venue: &VenueId) -> Option<BookSummary> {
        self.books.get(strategy).map(|b| b.summary(self.marks_on(venue)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Side, TimeMs};
    use crate::orders::OrderId;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn fill(side: Side, qty: &str, price: &str, fee: &str, t: TimeMs) -> Fill {
        Fill {
            order_id: OrderId::new("t-1"),
            strategy: StrategyId::new("s"),
            symbol: Symbol::new("BTC/USD").unwrap(),
            side,
            price: dec(price),
            qty: dec(qty),
            fee: dec(fee),
            time_ms: t,
            trade_id: None,
        }
    }

    fn book_fill(book: &mut Book, f: Fill) {
        let effect = book.preview_fill(&f).unwrap();
        book.commit(effect);
    }

    #[test]
    fn the_brief_example_moves_cash_and_equity_exactly() {
        let btc = Symbol::new("BTC/USD").unwrap();
        let mut marks = Marks::default();
        let mut book = Book::new(StrategyId::new("s"), dec("10000"));
        book_fill(&mut book, fill(Side::Buy, "2", "100", "0.2", 1));
        book_fill(&mut book, fill(Side::Buy, "1", "130", "0.13", 2));
        // 10000 − 200 − 0.2 − 130 − 0.13
        assert_eq!(book.cash(), dec("9669.67"));
        marks.set(&btc, dec("125"));
        // Cash plus 3 × 125; unrealized (125 − 110) × 3.
        assert_eq!(book.equity(&marks), dec("10044.67"));
        assert_eq!(book.summary(&marks).unrealized_pnl, dec("45"));
        book_fill(&mut book, fill(Side::Sell, "3", "120", "0.36", 3));
        // + 360 − 0.36
        assert_eq!(book.cash(), dec("10029.31"));
        assert_eq!(book.equity(&marks), dec("10029.31"));
        assert_eq!((book.realized_pnl(), book.fees()), (dec("30"), dec("0.69")));
        assert_eq!(
            book.position(&btc),
            Position {
                symbol: btc.clone(),
                qty: dec("0"),
                avg_price: dec("0"),
                realized_pnl: dec("30")
            }
        );
        assert_eq!(book.round_trips().len(), 1);
        assert_eq!(book.round_trips()[0].pnl, dec("29.31"));
        assert!(!book.is_exposed());
        let flat = Valuation {
            equity: dec("10029.31"),
            exposed: false,
        };
        assert_eq!(book.valuation(&marks), flat);
    }

    /// Invariant 2 over a long deterministic tape of buys and sells through zero.
    #[test]
    fn cash_plus_cost_equals_initial_plus_realized_less_fees() {
        let mut book = Book::new(StrategyId::new("s"), dec("1000000"));
        let mut seed: u64 = 42;
        for t in 0..2_000 {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let side = if seed >> 63 == 0 { Side::Buy } else { Side::Sell };
            let qty = Decimal::new(((seed >> 20) % 500 + 1) as i64, 2);
            let price = Decimal::new(((seed >> 40) % 20_000 + 1) as i64, 2);
            let fee = (qty * price * dec("0.001")).round_dp(8);
            book_fill(
                &mut book,
                Fill {
                    side,
                    qty,
                    price,
                    fee,
                    ..fill(side, "1", "1", "0", t)
                },
            );
            let cost: Decimal = book.holdings().map(|(_, h)| h.cost()).sum();
            assert_eq!(
                book.cash() + cost,
                book.initial_cash() + book.realized_pnl() - book.fees(),
                "after fill {t}"
            );
        }
        assert!(!book.round_trips().is_empty());
    }

    #[test]
    fn a_refused_fill_changes_nothing() {
        let mut book = Book::new(StrategyId::new("s"), dec("100"));
        book_fill(&mut book, fill(Side::Buy, "1", "10", "0", 1));
        let before = book.clone();
        assert!(book.preview_fill(&fill(Side::Buy, "1", "10", "-1", 2)).is_err());
        assert_eq!(book, before);
    }
}
