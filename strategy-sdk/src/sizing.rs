//! Sizing helpers: how much to buy or sell, from the account view and a price.
//!
//! Every size is rounded down to the instrument's quantity step, so that it never asks for more
//! than the rule allows. A size of zero means "too little to trade": place nothing.
//!
//! [`Sizing::AllIn`] is the largest buy the host's cash rule accepts at `price`: risk reserves a
//! buy's notional plus its fee out of the buying power, so the quantity is
//! `buying_power / (price × (1 + fee_rate))`, rounded down. Give it the price risk values the
//! order at: a limit order's price, or for a market order the last price (the last close). The
//! desk checks cash again at the fill: a market buy that fills at a higher open than it was
//! sized at is cancelled with `insufficient_cash` rather than driving cash below zero.

use rust_decimal::Decimal;

use crate::account::Account;

/// How to size an order; see the [module docs](self).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sizing {
    /// This quantity, whatever the account holds.
    Fixed(Decimal),
    /// This fraction of equity at `price` (`0.25` is a quarter): `equity × fraction / price`.
    FractionOfEquity(Decimal),
    /// Risks this fraction of equity between the entry `price` and `stop`: a stop-out loses
    /// `equity × fraction` (fees and slippage aside): `equity × fraction / |price − stop|`.
    RiskPerTrade {
        /// The fraction of equity at risk (`0.01` is 1 %).
        fraction: Decimal,
        /// The stop-loss price.
        stop: Decimal,
    },
    /// The largest buy the cash rule accepts at `price`.
    AllIn,
}

/// Why a size could not be computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizingError {
    /// The price is zero or negative.
    NonPositivePrice(Decimal),
    /// The quantity step is zero or negative.
    NonPositiveStep(Decimal),
    /// A fraction or a fixed quantity is negative.
    Negative(Decimal),
    /// The stop is at the entry price: any size risks nothing, so none is right.
    StopAtEntry(Decimal),
    /// The arithmetic overflowed the decimal range.
    Overflow,
}

impl std::fmt::Display for SizingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SizingError::NonPositivePrice(price) => write!(f, "sizing: the price must be above 0, got {price}"),
            SizingError::NonPositiveStep(step) => write!(f, "sizing: the quantity step must be above 0, got {step}"),
            SizingError::Negative(value) => write!(f, "sizing: {value} is negative"),
            SizingError::StopAtEntry(price) => write!(f, "sizing: the stop is at the entry price {price}"),
            SizingError::Overflow => f.write_str("sizing: the size overflows the decimal range"),
        }
    }
}

impl std::error::Error for SizingError {}

impl Account {
    /// The quantity `sizing` gives at `price`, rounded down to a multiple of `step` (the
    /// instrument's lot step, `0.0001` say).
    ///
    /// ```
    /// use strategy_sdk::{Account, Decimal, Sizing};
    ///
    /// let account = Account {
    ///     buying_power: Decimal::from(1_000),
    ///     fee_rate: Decimal::new(1, 3),
    ///     ..Account::default()
    /// };
    /// let step = Decimal::new(1, 4);
    /// // 1000 / (100 × 1.001) = 9.99000999..., rounded down to 9.99.
    /// assert_eq!(account.size(Sizing::AllIn, Decimal::from(100), step), Ok(Decimal::new(99_900, 4)));
    /// ```
    ///
    /// # Errors
    ///
    /// A [`SizingError`] for a price or step not above zero, a negative fraction or quantity,
    /// a stop at the entry price, or an overflow. Never a panic.
    pub fn size(&self, sizing: Sizing, price: Decimal, step: Decimal) -> Result<Decimal, SizingError> {
        if price <= Decimal::ZERO {
            return Err(SizingError::NonPositivePrice(price));
        }
        if step <= Decimal::ZERO {
            return Err(SizingError::NonPositiveStep(step));
        }
        let raw = match sizing {
            Sizing::Fixed(qty) => non_negative(qty)?,
            Sizing::FractionOfEquity(fraction) => {
                let budget = self.equity.max(Decimal::ZERO).checked_mul(non_negative(fraction)?);
                budget.and_then(|b| b.checked_div(price)).ok_or(SizingError::Overflow)?
            }
            Sizing::RiskPerTrade { fraction, stop } => {
                let distance = (price - stop).abs();
                if distance.is_zero() {
                    return Err(SizingError::StopAtEntry(price));
                }
                let at_risk = self.equity.max(Decimal::ZERO).checked_mul(non_negative(fraction)?);
                at_risk
                    .and_then(|r| r.checked_div(distance))
                    .ok_or(SizingError::Overflow)?
            }
            Sizing::AllIn => {
                let cost_per_unit = price
                    .checked_mul(Decimal::ONE + self.fee_rate.max(Decimal::ZERO))
                    .ok_or(SizingError::Overflow)?;
                self.buying_power
                    .max(Decimal::ZERO)
                    .checked_div(cost_per_unit)
                    .ok_or(SizingError::Overflow)?
            }
        };
        let steps = raw.checked_div(step).ok_or(SizingError::Overflow)?.floor();
        steps
            .checked_mul(step)
            .ok_or(SizingError::Overflow)
            .map(|qty| qty.normalize())
    }
}

fn non_negative(value: Decimal) -> Result<Decimal, SizingError> {
    if value < Decimal::ZERO {
        Err(SizingError::Negative(value))
    } else {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str_exact(text).unwrap()
    }

    fn account() -> Account {
        Account {
            equity: dec("10000"),
            buying_power: dec("4000"),
            fee_rate: dec("0.001"),
            ..Account::default()
        }
    }

    #[test]
    fn each_rule_rounds_down_to_the_step() {
        let (a, step) = (account(), dec("0.01"));
        assert_eq!(a.size(Sizing::Fixed(dec("1.239")), dec("50"), step), Ok(dec("1.23")));
        // 10000 × 0.25 / 300 = 8.333...
        assert_eq!(
            a.size(Sizing::FractionOfEquity(dec("0.25")), dec("300"), step),
            Ok(dec("8.33"))
        );
        // 1 % of 10000 over a stop 7 below: 100 / 7 = 14.28...; a short's stop above works alike.
        let risk = |stop| Sizing::RiskPerTrade {
            fraction: dec("0.01"),
            stop: dec(stop),
        };
        assert_eq!(a.size(risk("93"), dec("100"), step), Ok(dec("14.28")));
        assert_eq!(a.size(risk("107"), dec("100"), step), Ok(dec("14.28")));
    }

    #[test]
    fn all_in_is_the_largest_buy_the_cash_rule_accepts() {
        let (a, step) = (account(), dec("0.0001"));
        let price = dec("123.45");
        let qty = a.size(Sizing::AllIn, price, step).unwrap();
        let cost = |qty: Decimal| qty * price * (Decimal::ONE + a.fee_rate);
        assert!(cost(qty) <= a.buying_power, "{qty} costs {}", cost(qty));
        assert!(cost(qty + step) > a.buying_power, "{qty} is not the largest");
        let broke = Account {
            buying_power: Decimal::ZERO,
            ..account()
        };
        assert_eq!(broke.size(Sizing::AllIn, price, step), Ok(Decimal::ZERO));
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        let (a, step) = (account(), dec("0.01"));
        assert_eq!(
            a.size(Sizing::AllIn, Decimal::ZERO, step),
            Err(SizingError::NonPositivePrice(Decimal::ZERO))
        );
        assert_eq!(
            a.size(Sizing::AllIn, dec("1"), dec("-1")),
            Err(SizingError::NonPositiveStep(dec("-1")))
        );
        assert_eq!(
            a.size(Sizing::FractionOfEquity(dec("-0.1")), dec("1"), step),
            Err(SizingError::Negative(dec("-0.1")))
        );
        let at_entry = Sizing::RiskPerTrade {
            fraction: dec("0.01"),
            stop: dec("5"),
        };
        assert_eq!(
            a.size(at_entry, dec("5"), step),
            Err(SizingError::StopAtEntry(dec("5")))
        );
        let huge = Account {
            equity: Decimal::MAX,
            ..account()
        };
        assert_eq!(
            huge.size(Sizing::FractionOfEquity(dec("2")), dec("1"), step),
            Err(SizingError::Overflow)
        );
        assert_eq!(
            a.size(
                Sizing::AllIn,
                dec("0.0000000000000000000000000001"),
                dec("0.0000000000000000000000000001")
            ),
            Err(SizingError::Overflow)
        );
    }
}
