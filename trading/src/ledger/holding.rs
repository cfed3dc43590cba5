//! [`Holding`]: one strategy's position in one symbol, its average-cost accounting and the
//! round trip in progress.
//!
//! Invariants:
//! 1. `cost` is the signed cost basis of the open quantity (positive long, negative short),
//!    and is zero when `qty` is.
//! 2. Realized PnL is by average cost: reducing by `q` of `|qty|` releases `cost × q / |qty|`
//!    of the basis (rounded to [`PRO_RATA_DECIMALS`]), and closing releases all that is left,
//!    so over a round trip the realized PnL is exactly proceeds less cost.
//! 3. A round trip opens when the position leaves zero and closes when it returns to zero;
//!    a fill through zero closes one and opens the next, its fee split pro rata.
//! 4. Every sum is checked: an amount too large for [`Decimal`] is an error, never a panic.

use rust_decimal::Decimal;

use crate::market::{Side, Symbol, TimeMs};
use crate::orders::{Fill, StrategyId};

/// Why a fill could not be booked. The books are unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("amounts too large to book exactly")]
    Overflow,
    #[error("invalid fill: quantity {qty} and price {price} must be positive and the fee {fee} not negative")]
    InvalidFill { qty: Decimal, price: Decimal, fee: Decimal },
}

pub(crate) fn add(a: Decimal, b: Decimal) -> Result<Decimal, LedgerError> {
    a.checked_add(b).ok_or(LedgerError::Overflow)
}
pub(crate) fn sub(a: Decimal, b: Decimal) -> Result<Decimal, LedgerError> {
    a.checked_sub(b).ok_or(LedgerError::Overflow)
}
pub(crate) fn mul(a: Decimal, b: Decimal) -> Result<Decimal, LedgerError> {
    a.checked_mul(b).ok_or(LedgerError::Overflow)
}
fn div(a: Decimal, b: Decimal) -> Result<Decimal, LedgerError> {
    a.checked_div(b).ok_or(LedgerError::Overflow)
}
/// Decimal places a pro-rata share is rounded to. Every other amount is a sum or product of
/// inputs and stays exact; a share (`cost × 1/3`) cannot, and left at Decimal's full 28 digits
/// it would make later sums round. At 16 places, amounts up to 10^12 still sum exactly.
pub const PRO_RATA_DECIMALS: u32 = 16;

/// `amount × part / whole`, rounded to [`PRO_RATA_DECIMALS`]: multiplying first (exact whenever
/// the result is representable), and dividing first only when the product would not fit.
fn pro_rata(amount: Decimal, part: Decimal, whole: Decimal) -> Result<Decimal, LedgerError> {
    let share = match amount.checked_mul(part) {
        Some(product) => div(product, whole)?,
        None => mul(amount, div(part, whole)?)?,
    };
    Ok(share.round_dp(PRO_RATA_DECIMALS))
}

/// Long or short: the direction of a round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TradeSide {
    Long,
    Short,
}

impl TradeSide {
    pub fn as_str(self) -> &'static str {
        match self {
            TradeSide::Long => "long",
            TradeSide::Short => "short",
        }
    }
}

/// A round trip still open: what has gone in and out of it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTrade {
    pub side: TradeSide,
    pub entry_ms: TimeMs,
    /// Total quantity opened (entries add, exits do not subtract).
    pub entry_qty: Decimal,
    /// Σ qty × price of the entries.
    pub entry_value: Decimal,
    pub exit_qty: Decimal,
    pub exit_value: Decimal,
    /// Realized PnL (before fees) booked in this trip.
    pub realized_pnl: Decimal,
    pub fees: Decimal,
}

/// A closed round trip: from a position leaving zero to its return to zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoundTrip {
    pub strategy: StrategyId,
    pub symbol: Symbol,
    pub side: TradeSide,
    /// Total quantity opened over the trip.
    pub qty: Decimal,
    pub entry_ms: TimeMs,
    pub exit_ms: TimeMs,
    pub avg_entry_price: Decimal,
    pub avg_exit_price: Decimal,
    /// Every fee paid in the trip (entries and exits).
    pub fees: Decimal,
    /// Realized PnL net of `fees`.
    pub pnl: Decimal,
}

/// A round trip still open, valued at a mark: what a report lists after the closed ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTrip {
    pub strategy: StrategyId,
    pub symbol: Symbol,
    pub side: TradeSide,
    /// Total quantity opened so far.
    pub qty: Decimal,
    pub entry_ms: TimeMs,
    pub avg_entry_price: Decimal,
    /// Of the part already closed; `None` when none is.
    pub avg_exit_price: Option<Decimal>,
    /// Every fee paid in the trip so far.
    pub fees: Decimal,
    /// The price the open part is valued at.
    pub mark: Decimal,
    /// The closed part's realized PnL plus the open part's unrealized PnL at `mark`, net of
    /// `fees`.
    pub pnl: Decimal,
}

/// One strategy's holding in one symbol.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Holding {
    qty: Decimal,
    cost: Decimal,
    realized_pnl: Decimal,
    fees: Decimal,
    trade: Option<OpenTrade>,
}

/// The stored form of a holding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingParts {
    pub qty: Decimal,
    pub cost: Decimal,
    pub realized_pnl: Decimal,
    pub fees: Decimal,
    pub trade: Option<OpenTrade>,
}

impl Holding {
    /// Rebuilds a holding from the book of record; `None` if the parts break invariant 1.
    pub fn restore(parts: HoldingParts) -> Option<Self> {
        // A flat holding has released all its cost; an open one has a trade in progress. (An
        // open one may show zero cost: a tiny position whose share rounded away.)
        let flat = parts.qty.is_zero();
        let consistent = (!flat || parts.cost.is_zero()) && flat == parts.trade.is_none();
        consistent.then_some(Self {
            qty: parts.qty,
            cost: parts.cost,
            realized_pnl: parts.realized_pnl,
            fees: parts.fees,
            trade: parts.trade,
        })
    }

    pub fn parts(&self) -> HoldingParts {
        HoldingParts {
            qty: self.qty,
            cost: self.cost,
            realized_pnl: self.realized_pnl,
            fees: self.fees,
            trade: self.trade.clone(),
        }
    }

    /// Signed quantity: positive long, negative short.
    pub fn qty(&self) -> Decimal {
        self.qty
    }
    /// Signed cost basis of the open quantity.
    pub fn cost(&self) -> Decimal {
        self.cost
    }
    /// Average entry price of the open quantity; zero when flat.
    pub fn avg_price(&self) -> Decimal {
        self.cost.checked_div(self.qty).unwrap_or(Decimal::ZERO)
    }
    /// Realized PnL before fees, over the holding's life.
    pub fn realized_pnl(&self) -> Decimal {
        self.realized_pnl
    }
    pub fn fees(&self) -> Decimal {
        self.fees
    }
    pub fn open_trade(&self) -> Option<&OpenTrade> {
        self.trade.as_ref()
    }
    /// Value at `mark` (qty × mark). Saturates instead of failing: it is a reading, not a booking.
    pub fn market_value(&self, mark: Decimal) -> Decimal {
        self.qty.saturating_mul(mark)
    }
    /// Unrealized PnL at `mark`.
    pub fn unrealized_pnl(&self, mark: Decimal) -> Decimal {
        self.market_value(mark).saturating_sub(self.cost)
    }

    /// The round trip in progress valued at `mark` (at its average cost when `None`); `None`
    /// when flat. Saturating, like [`Holding::unrealized_pnl`]: a reading, not a booking.
    pub fn open_trip(&self, (strategy, symbol): (&StrategyId, &Symbol), mark: Option<Decimal>) -> Option<OpenTrip> {
        let trade = self.trade.as_ref()?;
        let mark = mark.unwrap_or_else(|| self.avg_price());
        let average = |value: Decimal, qty: Decimal| value.checked_div(qty).map(|price| price.normalize());
        let pnl = trade
            .realized_pnl
            .saturating_add(self.unrealized_pnl(mark))
            .saturating_sub(trade.fees);
        Some(OpenTrip {
            strategy: strategy.clone(),
            symbol: symbol.clone(),
            side: trade.side,
            qty: trade.entry_qty,
            entry_ms: trade.entry_ms,
            avg_entry_price: average(trade.entry_value, trade.entry_qty).unwrap_or(Decimal::ZERO),
            avg_exit_price: average(trade.exit_value, trade.exit_qty),
            fees: trade.fees,
            mark,
            pnl,
        })
    }

    /// Books a fill. Returns the round trip it closed, if any.
    ///
    /// # Errors
    ///
    /// [`LedgerError`] for a malformed fill or amounts beyond [`Decimal`]; `self` is unchanged
    /// then (the caller works on a copy, see [`crate::ledger::Book::preview_fill`]).
    pub fn apply_fill(&mut self, fill: &Fill) -> Result<Option<RoundTrip>, LedgerError> {
        let Fill {
            side,
            qty,
            price,
            fee,
            time_ms,
            ..
        } = *fill;
        let key = (&fill.strategy, &fill.symbol);
        if qty <= Decimal::ZERO || price <= Decimal::ZERO || fee < Decimal::ZERO {
            return Err(LedgerError::InvalidFill { qty, price, fee });
        }
        let same_direction = self.qty.is_zero() || (self.qty > Decimal::ZERO) == (side == Side::Buy);
        if same_direction {
            self.open(side, qty, price, fee, time_ms)?;
            return Ok(None);
        }
        let held = self.qty.abs();
        let closing = qty.min(held);
        let opening = qty - closing;
        // Split the fee pro rata; the opening part takes the remainder so the two sum exactly.
        let closing_fee = if opening.is_zero() {
            fee
        } else {
            pro_rata(fee, closing, qty)?
        };
        let opening_fee = sub(fee, closing_fee)?;

        let released = if closing == held {
            self.cost
        } else {
            pro_rata(self.cost, closing, held)?
        };
        // Proceeds of the closing part: a sell receives, a buy (covering a short) pays.
        let proceeds = mul(-side.sign(), mul(closing, price)?)?;
        let realized = sub(proceeds, released)?;
        let mut trade = self
            .trade
            .clone()
            .unwrap_or_else(|| OpenTrade::starting(side.opposite(), time_ms));
        trade.exit_qty = add(trade.exit_qty, closing)?;
        trade.exit_value = add(trade.exit_value, mul(closing, price)?)?;
        trade.realized_pnl = add(trade.realized_pnl, realized)?;
        trade.fees = add(trade.fees, closing_fee)?;

        let mut next = Holding {
            qty: add(self.qty, mul(side.sign(), closing)?)?,
            cost: sub(self.cost, released)?,
            realized_pnl: add(self.realized_pnl, realized)?,
            fees: add(self.fees, closing_fee)?,
            trade: Some(trade),
        };
        let closed = if next.qty.is_zero() {
            next.trade.take().map(|t| t.close(key, time_ms)).transpose()?
        } else {
            None
        };
        if !opening.is_zero() {
            next.open(side, opening, price, opening_fee, time_ms)?;
        }
        *self = next;
        Ok(closed)
    }

    /// Adds to the position (or opens it) in the direction of `side`.
    fn open(
        &mut self,
        side: Side,
        qty: Decimal,
        price: Decimal,
        fee: Decimal,
        time_ms: TimeMs,
    ) -> Result<(), LedgerError> {
        let value = mul(qty, price)?;
        let mut trade = self.trade.clone().unwrap_or_else(|| OpenTrade::starting(side, time_ms));
        trade.entry_qty = add(trade.entry_qty, qty)?;
        trade.entry_value = add(trade.entry_value, value)?;
        trade.fees = add(trade.fees, fee)?;
        let next = Holding {
            qty: add(self.qty, mul(side.sign(), qty)?)?,
            cost: add(self.cost, mul(side.sign(), value)?)?,
            realized_pnl: self.realized_pnl,
            fees: add(self.fees, fee)?,
            trade: Some(trade),
        };
        *self = next;
        Ok(())
    }
}

impl OpenTrade {
    /// A trip opened by a fill on `side` (a buy opens a long).
    fn starting(side: Side, time_ms: TimeMs) -> Self {
        Self {
            side: match side {
                Side::Buy => TradeSide::Long,
                Side::Sell => TradeSide::Short,
            },
            entry_ms: time_ms,
            entry_qty: Decimal::ZERO,
            entry_value: Decimal::ZERO,
            exit_qty: Decimal::ZERO,
            exit_value: Decimal::ZERO,
            realized_pnl: Decimal::ZERO,
            fees: Decimal::ZERO,
        }
    }

    fn close(self, (strategy, symbol): (&StrategyId, &Symbol), exit_ms: TimeMs) -> Result<RoundTrip, LedgerError> {
        Ok(RoundTrip {
            strategy: strategy.clone(),
            symbol: symbol.clone(),
            side: self.side,
            qty: self.entry_qty,
            entry_ms: self.entry_ms,
            exit_ms,
            avg_entry_price: div(self.entry_value, self.entry_qty)?.normalize(),
            avg_exit_price: div(self.exit_value, self.exit_qty)?.normalize(),
            fees: self.fees,
            pnl: sub(self.realized_pnl, self.fees)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::orders::OrderId;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn make_fill(side: Side, qty: Decimal, price: Decimal, fee: Decimal, time_ms: TimeMs) -> Fill {
        Fill {
            order_id: OrderId::new("t-1"),
            strategy: StrategyId::new("s"),
            symbol: Symbol::new("BTC/USD").unwrap(),
            side,
            price,
            qty,
            fee,
            time_ms,
            trade_id: None,
        }
    }

    fn fill(h: &mut Holding, side: Side, qty: &str, price: &str, fee: &str, t: TimeMs) -> Option<RoundTrip> {
        h.apply_fill(&make_fill(side, dec(qty), dec(price), dec(fee), t))
            .unwrap()
    }

    #[test]
    fn the_brief_example_by_hand() {
        let mut h = Holding::default();
        // Buy 2 @ 100, fee 0.2: long 2, cost 200, average 100.
        assert_eq!(fill(&mut h, Side::Buy, "2", "100", "0.2", 1), None);
        assert_eq!((h.qty(), h.avg_price()), (dec("2"), dec("100")));
        // Buy 1 @ 130, fee 0.13: long 3, cost 330, average 110.
        assert_eq!(fill(&mut h, Side::Buy, "1", "130", "0.13", 2), None);
        assert_eq!((h.qty(), h.cost(), h.avg_price()), (dec("3"), dec("330"), dec("110")));
        assert_eq!(h.unrealized_pnl(dec("120")), dec("30"));
        // Sell 3 @ 120, fee 0.36: flat; realized (120 − 110) × 3 = 30; fees 0.69; net 29.31.
        let trip = fill(&mut h, Side::Sell, "3", "120", "0.36", 3).unwrap();
        assert_eq!(
            (h.qty(), h.cost(), h.realized_pnl(), h.fees()),
            (dec("0"), dec("0"), dec("30"), dec("0.69"))
        );
        assert_eq!(h.open_trade(), None);
        assert_eq!(
            (trip.side, trip.qty, trip.entry_ms, trip.exit_ms),
            (TradeSide::Long, dec("3"), 1, 3)
        );
        assert_eq!((trip.avg_entry_price, trip.avg_exit_price), (dec("110"), dec("120")));
        assert_eq!((trip.fees, trip.pnl), (dec("0.69"), dec("29.31")));
    }

    #[test]
    fn a_flip_closes_one_trip_and_opens_the_next() {
        let mut h = Holding::default();
        fill(&mut h, Side::Buy, "1", "100", "1", 1);
        // Sell 3 @ 90, fee 3: closes the long of 1 (fee 1, loss 10), opens a short of 2 (fee 2).
        let trip = fill(&mut h, Side::Sell, "3", "90", "3", 2).unwrap();
        assert_eq!(
            (trip.side, trip.qty, trip.fees, trip.pnl),
            (TradeSide::Long, dec("1"), dec("2"), dec("-12"))
        );
        assert_eq!((h.qty(), h.avg_price(), h.fees()), (dec("-2"), dec("90"), dec("4")));
        let open = h.open_trade().unwrap();
        assert_eq!((open.side, open.entry_ms, open.fees), (TradeSide::Short, 2, dec("2")));
        // Cover 2 @ 80: short gains (90 − 80) × 2 = 20, less its fee 2.
        let trip = fill(&mut h, Side::Buy, "2", "80", "0", 3).unwrap();
        assert_eq!(
            (trip.side, trip.avg_entry_price, trip.avg_exit_price, trip.pnl),
            (TradeSide::Short, dec("90"), dec("80"), dec("18"))
        );
        assert_eq!(h.realized_pnl(), dec("10"));
    }

    #[test]
    fn partial_exits_release_cost_pro_rata_and_close_exactly() {
        let mut h = Holding::default();
        fill(&mut h, Side::Buy, "1", "10", "0", 1);
        fill(&mut h, Side::Buy, "2", "11", "0", 1);
        // Cost 32 for 3: selling one releases 32 / 3, a repeating fraction, rounded.
        fill(&mut h, Side::Sell, "1", "12", "0", 2);
        assert_ne!(
            h.realized_pnl() * Decimal::from(3),
            Decimal::from(4),
            "the piece is rounded"
        );
        let trip = fill(&mut h, Side::Sell, "2", "9", "0", 3).unwrap();
        // Proceeds 12 + 18 = 30, cost 32: exactly −2 however the pieces were rounded.
        assert_eq!((trip.pnl, h.realized_pnl(), h.cost()), (dec("-2"), dec("-2"), dec("0")));
    }

    #[test]
    fn malformed_and_oversized_fills_change_nothing() {
        let mut h = Holding::default();
        fill(&mut h, Side::Buy, "1", "100", "0", 1);
        let before = h.clone();
        let bad = [
            (
                dec("0"),
                dec("1"),
                dec("0"),
                Err(LedgerError::InvalidFill {
                    qty: dec("0"),
                    price: dec("1"),
                    fee: dec("0"),
                }),
            ),
            (
                dec("1"),
                dec("1"),
                dec("-1"),
                Err(LedgerError::InvalidFill {
                    qty: dec("1"),
                    price: dec("1"),
                    fee: dec("-1"),
                }),
            ),
            (Decimal::MAX, Decimal::MAX, dec("0"), Err(LedgerError::Overflow)),
        ];
        for (qty, price, fee, expected) in bad {
            assert_eq!(h.apply_fill(&make_fill(Side::Buy, qty, price, fee, 2)), expected);
        }
        assert_eq!(h, before);
    }
}
