//! [`Instrument`]: the trading rules a venue sets for one symbol (its increments and minimums).
//!
//! This module only knows the numbers and how to put a price or quantity on them; what to do
//! with an order that does not fit is risk's rule (`crate::risk::conform_to_instrument`).

use rust_decimal::Decimal;

use crate::market::Side;

/// One symbol's trading rules on one venue: every price is a multiple of the price increment
/// (the tick), every quantity a multiple of the quantity increment (the lot), and an order must
/// be at least the minimum quantity and the minimum notional (quantity × price).
///
/// Built with [`Instrument::new`], then [`Instrument::with_min_qty`] and
/// [`Instrument::with_min_notional`]; both minimums default to zero, which means no minimum.
/// The increments are kept normalized (`0.10` is held as `0.1`), so a rounded number carries
/// no more decimal places than its increment has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instrument {
    price_increment: Decimal,
    qty_increment: Decimal,
    min_qty: Decimal,
    min_notional: Decimal,
    status: MarketStatus,
}

/// Whether a symbol takes orders at its venue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MarketStatus {
    /// New orders, amends and cancels.
    #[default]
    Open,
    /// Cancels only (Binance's `CANCEL_ONLY`): risk refuses new orders and amends.
    CancelOnly,
    /// Nothing (halted, in a break, in an auction): risk refuses new orders and amends.
    Closed,
}

/// Why an [`Instrument`] could not be built: the venue's reference data is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidInstrument {
    #[error("the {what} must be positive, got {value}")]
    NonPositiveIncrement { what: &'static str, value: Decimal },
    #[error("the {what} must not be negative, got {value}")]
    NegativeMinimum { what: &'static str, value: Decimal },
}

impl Instrument {
    /// Rules with these increments and no minimums.
    ///
    /// # Errors
    ///
    /// [`InvalidInstrument::NonPositiveIncrement`] when either increment is zero or negative:
    /// no number is a multiple of zero, and rounding to it would divide by it.
    pub fn new(price_increment: Decimal, qty_increment: Decimal) -> Result<Self, InvalidInstrument> {
        let increment = |what, value: Decimal| {
            if value > Decimal::ZERO {
                Ok(value.normalize())
            } else {
                Err(InvalidInstrument::NonPositiveIncrement { what, value })
            }
        };
        Ok(Self {
            price_increment: increment("price increment", price_increment)?,
            qty_increment: increment("quantity increment", qty_increment)?,
            min_qty: Decimal::ZERO,
            min_notional: Decimal::ZERO,
            status: MarketStatus::Open,
        })
    }

    /// The same rules for a symbol whose venue says `status`.
    pub fn with_status(self, status: MarketStatus) -> Self {
        Self { status, ..self }
    }

    /// Whether the symbol takes orders at its venue.
    pub fn status(&self) -> MarketStatus {
        self.status
    }

    /// The same rules with a minimum order quantity.
    ///
    /// # Errors
    ///
    /// [`InvalidInstrument::NegativeMinimum`] for a negative minimum.
    pub fn with_min_qty(self, min_qty: Decimal) -> Result<Self, InvalidInstrument> {
        Ok(Self {
            min_qty: minimum("minimum quantity", min_qty)?,
            ..self
        })
    }

    /// The same rules with a minimum order notional (quantity × price, in the quote asset).
    ///
    /// # Errors
    ///
    /// [`InvalidInstrument::NegativeMinimum`] for a negative minimum.
    pub fn with_min_notional(self, min_notional: Decimal) -> Result<Self, InvalidInstrument> {
        Ok(Self {
            min_notional: minimum("minimum notional", min_notional)?,
            ..self
        })
    }

    /// The tick: every price is a multiple of it.
    pub fn price_increment(&self) -> Decimal {
        self.price_increment
    }

    /// The lot: every quantity is a multiple of it.
    pub fn qty_increment(&self) -> Decimal {
        self.qty_increment
    }

    /// The smallest quantity an order may have (zero: no minimum beyond one lot).
    pub fn min_qty(&self) -> Decimal {
        self.min_qty
    }

    /// The smallest notional an order may have (zero: none).
    pub fn min_notional(&self) -> Decimal {
        self.min_notional
    }

    /// `qty` rounded down to a multiple of the lot. Down, because rounding up would trade more
    /// than was asked. `qty` is not negative (risk refuses that first); a negative one rounds
    /// toward zero.
    pub fn round_qty(&self, qty: Decimal) -> Decimal {
        round_toward_zero(qty, self.qty_increment)
    }

    /// `price` rounded to a multiple of the tick on the passive side: down for a buy, up for a
    /// sell, so the order never pays more or sells for less than was asked. `price` is
    /// positive (risk refuses anything else first).
    ///
    /// `None` when rounding a sell up would pass [`Decimal::MAX`].
    pub fn round_price(&self, side: Side, price: Decimal) -> Option<Decimal> {
        let down = round_toward_zero(price, self.price_increment);
        match side {
            Side::Buy => Some(down),
            Side::Sell if down == price => Some(down),
            Side::Sell => down
                .checked_add(self.price_increment)
                .map(|up| at_most_scale(up, self.price_increment)),
        }
    }
}

fn minimum(what: &'static str, value: Decimal) -> Result<Decimal, InvalidInstrument> {
    if value >= Decimal::ZERO {
        Ok(value)
    } else {
        Err(InvalidInstrument::NegativeMinimum { what, value })
    }
}

/// The multiple of `increment` nearest to zero from `value`. The remainder is exact for
/// decimals (no division rounds), so this is exact at any scale.
fn round_toward_zero(value: Decimal, increment: Decimal) -> Decimal {
    // `increment` is positive, so the remainder exists; it never exceeds `value` in size, so
    // the subtraction cannot overflow.
    let rounded = value - value % increment;
    at_most_scale(rounded, increment)
}

/// `value` (a multiple of `increment`) written with no more decimal places than `increment`:
/// `0.123456780` at a lot of `0.00000001` is `0.12345678`. A multiple of a normalized
/// increment has no digits beyond the increment's scale, so nothing is lost.
fn at_most_scale(mut value: Decimal, increment: Decimal) -> Decimal {
    if value.scale() > increment.scale() {
        value.rescale(increment.scale());
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn instrument(tick: &str, lot: &str) -> Instrument {
        Instrument::new(dec(tick), dec(lot)).unwrap()
    }

    /// Compares the text too: `0.123456780` equals `0.12345678` as a number, but the venue
    /// reads the text.
    fn same(got: Decimal, expected: &str) {
        assert_eq!(got.to_string(), expected);
    }

    #[test]
    fn quantities_round_down_to_the_lot_keeping_its_scale() {
        let lot = instrument("0.1", "0.00000001");
        same(lot.round_qty(dec("0.12345678")), "0.12345678");
        same(lot.round_qty(dec("0.123456789")), "0.12345678");
        same(lot.round_qty(dec("0.000000009")), "0.00000000");
        same(lot.round_qty(dec("2")), "2");
        same(lot.round_qty(dec("1.5000000000")), "1.50000000");
        let coarse = instrument("0.1", "0.25");
        same(coarse.round_qty(dec("1.3")), "1.25");
        same(coarse.round_qty(dec("1.5")), "1.5");
        same(coarse.round_qty(dec("0.2")), "0.0");
    }

    #[test]
    fn prices_round_to_the_passive_side() {
        let tick = instrument("0.10", "1");
        same(tick.round_price(Side::Buy, dec("100.07")).unwrap(), "100.0");
        same(tick.round_price(Side::Sell, dec("100.07")).unwrap(), "100.1");
        same(tick.round_price(Side::Buy, dec("100.1")).unwrap(), "100.1");
        same(tick.round_price(Side::Sell, dec("100.1")).unwrap(), "100.1");
        same(tick.round_price(Side::Sell, dec("100")).unwrap(), "100");
        same(tick.round_price(Side::Buy, dec("0.05")).unwrap(), "0.0");
        let half = instrument("0.5", "1");
        same(half.round_price(Side::Buy, dec("99.9")).unwrap(), "99.5");
        same(half.round_price(Side::Sell, dec("99.9")).unwrap(), "100.0");
    }

    #[test]
    fn a_sell_rounded_past_the_largest_decimal_is_none() {
        let tick = instrument("2", "1");
        assert_eq!(tick.round_price(Side::Sell, Decimal::MAX), None);
        assert_eq!(
            tick.round_price(Side::Buy, Decimal::MAX),
            Some(Decimal::MAX - Decimal::ONE)
        );
    }

    #[test]
    fn bad_rules_are_refused_by_name() {
        let zero_tick = Instrument::new(Decimal::ZERO, Decimal::ONE).unwrap_err();
        assert_eq!(zero_tick.to_string(), "the price increment must be positive, got 0");
        let negative_lot = Instrument::new(Decimal::ONE, dec("-0.1")).unwrap_err();
        assert_eq!(
            negative_lot.to_string(),
            "the quantity increment must be positive, got -0.1"
        );
        let rules = instrument("0.1", "0.1");
        let negative_min = rules.with_min_qty(dec("-1")).unwrap_err();
        assert_eq!(
            negative_min.to_string(),
            "the minimum quantity must not be negative, got -1"
        );
        assert!(rules.with_min_notional(dec("-0.5")).is_err());
        let rules = rules
            .with_min_qty(Decimal::ZERO)
            .unwrap()
            .with_min_notional(dec("0.5"))
            .unwrap();
        assert_eq!((rules.min_qty(), rules.min_notional()), (Decimal::ZERO, dec("0.5")));
    }
}
