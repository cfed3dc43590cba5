//! The strategy's position in one symbol, as the host's ledger records it.

use rust_decimal::Decimal;

/// The strategy's holding in one symbol. The host's ledger is the truth: ask it (see
/// [`Host::position`](crate::Host::position)) rather than counting fills yourself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Position {
    /// `BASE/QUOTE`.
    pub symbol: String,
    /// Signed quantity of the base asset: positive long, negative short, zero flat.
    pub qty: Decimal,
    /// Average entry price of the open quantity.
    pub avg_price: Decimal,
    /// Profit and loss realized so far, in the quote asset.
    pub realized_pnl: Decimal,
}

impl Position {
    /// A flat position in `symbol`.
    pub fn flat(symbol: impl Into<String>) -> Self {
        Position {
            symbol: symbol.into(),
            qty: Decimal::ZERO,
            avg_price: Decimal::ZERO,
            realized_pnl: Decimal::ZERO,
        }
    }

    /// No quantity held.
    pub fn is_flat(&self) -> bool {
        self.qty.is_zero()
    }

    /// A positive quantity held.
    pub fn is_long(&self) -> bool {
        self.qty.is_sign_positive() && !self.qty.is_zero()
    }

    /// A negative quantity held.
    pub fn is_short(&self) -> bool {
        self.qty.is_sign_negative() && !self.qty.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_follows_the_sign_of_the_quantity() {
        let mut position = Position::flat("BTC/USD");
        assert!(position.is_flat() && !position.is_long() && !position.is_short());
        position.qty = Decimal::new(5, 1);
        assert!(position.is_long() && !position.is_flat());
        position.qty = Decimal::new(-5, 1);
        assert!(position.is_short() && !position.is_flat());
        // A negative zero is still flat.
        position.qty = Decimal::from_parts(0, 0, 0, true, 3);
        assert!(position.is_flat() && !position.is_short());
    }
}
