//! The venue's increments and minimums as a risk check: an order is put on them, or refused.
//!
//! The rule: round when rounding is safe, refuse when it is not.
//! - The quantity is rounded **down** to the lot, so the order never trades more than asked.
//! - A limit price is rounded to the **passive** side of the tick (a buy down, a sell up), so
//!   the order never pays more or sells for less than asked.
//! - What rounding cannot fix is refused as `below_minimum`: a quantity that rounds to nothing
//!   or below the venue's minimum, a buy price below one tick, a notional below the minimum.
//!   Rounding up to reach a minimum would be more exposure than asked, so it is never done.
//!
//! No order is refused for being off an increment: rounding always fixes that, and the
//! strategy sees the rounded quantity and price in its order's updates. A symbol that is not
//! open at its venue (cancel-only, halted) takes no new order or amend: `market_closed`.

use rust_decimal::Decimal;

use crate::market::{Instrument, MarketStatus};
use crate::orders::{OrderRequest, OrderType};
use crate::risk::{InvalidOrder, RiskRefusal};

/// Which of a venue's minimums an order is below, with the numbers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BelowMinimum {
    /// `min` is the venue's minimum quantity, or one lot when that is larger: zero is no order.
    #[error("quantity {qty} rounds down to {rounded} at the venue's lot of {lot}, below the minimum of {min}")]
    Qty {
        qty: Decimal,
        rounded: Decimal,
        lot: Decimal,
        min: Decimal,
    },
    /// An amend whose whole quantity, rounded, leaves nothing to trade.
    #[error("the amended quantity {qty} rounds down to {rounded}, which is not more than the {filled} already filled")]
    NothingLeft {
        qty: Decimal,
        rounded: Decimal,
        filled: Decimal,
    },
    #[error("a buy at {price} rounds down to zero at the venue's tick of {tick}")]
    Price { price: Decimal, tick: Decimal },
    #[error("notional {notional} is below the venue's minimum of {min}")]
    Notional { notional: Decimal, min: Decimal },
}

/// `request` put on `instrument`'s increments, or the minimum it falls below.
///
/// `filled_qty` is what already filled of an order being amended (zero for a new order):
/// the venue's lot and minimums apply to the whole order, so they are applied to
/// `request.qty + filled_qty`, and the request that comes back keeps the part still to trade.
/// `last_price` values a market order's notional; without one the notional minimum is left
/// to the venue, and the desk refuses such an order as `unknown_symbol` anyway.
///
/// # Errors
///
/// [`RiskRefusal::BelowMinimum`] as the module says, and [`InvalidOrder::PriceOverflow`] for a
/// sell too close to [`Decimal::MAX`] to round up.
pub fn conform_to_instrument(
    instrument: &Instrument,
    mut request: OrderRequest,
    filled_qty: Decimal,
    last_price: Option<Decimal>,
) -> Result<OrderRequest, RiskRefusal> {
    if instrument.status() != MarketStatus::Open {
        return Err(RiskRefusal::MarketClosed {
            symbol: request.symbol,
            status: instrument.status(),
        });
    }
    let below = |reason| Err(RiskRefusal::BelowMinimum(reason));
    let whole = request.qty.saturating_add(filled_qty);
    let rounded = instrument.round_qty(whole);
    let min = instrument.min_qty().max(instrument.qty_increment());
    if rounded < min {
        return below(BelowMinimum::Qty {
            qty: whole,
            rounded,
            lot: instrument.qty_increment(),
            min,
        });
    }
    if rounded <= filled_qty {
        return below(BelowMinimum::NothingLeft {
            qty: whole,
            rounded,
            filled: filled_qty,
        });
    }
    request.qty = rounded - filled_qty;
    let on_tick = |price: Decimal| {
        let rounded = instrument
            .round_price(request.side, price)
            .ok_or(RiskRefusal::InvalidOrder(InvalidOrder::PriceOverflow { price }))?;
        if rounded <= Decimal::ZERO {
            return Err(RiskRefusal::BelowMinimum(BelowMinimum::Price {
                price,
                tick: instrument.price_increment(),
            }));
        }
        Ok(rounded)
    };
    // Prices go on the venue's tick, a trigger like a limit: in the trader's favour.
    request.order_type = match request.order_type {
        OrderType::Market => OrderType::Market,
        OrderType::Limit(price) => OrderType::Limit(on_tick(price)?),
        OrderType::Stop(trigger) => OrderType::Stop(on_tick(trigger)?),
        OrderType::StopLimit { trigger, limit } => OrderType::StopLimit {
            trigger: on_tick(trigger)?,
            limit: on_tick(limit)?,
        },
    };
    let price = match request.order_type {
        OrderType::Market => last_price,
        priced => priced.limit_price().or(priced.trigger_price()),
    };
    if let Some(price) = price {
        // Saturating: a notional too large to represent is not below any minimum.
        let notional = rounded.saturating_mul(price);
        if notional < instrument.min_notional() {
            return below(BelowMinimum::Notional {
                notional,
                min: instrument.min_notional(),
            });
        }
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::market::{Side, Symbol};
    use crate::risk::RiskCheck;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    /// Kraken's BTC/USD: tick 0.1, lot 1e-8, at least 0.0001 BTC and 0.5 USD.
    fn btc_usd() -> Instrument {
        Instrument::new(dec("0.1"), dec("0.00000001"))
            .and_then(|i| i.with_min_qty(dec("0.0001")))
            .and_then(|i| i.with_min_notional(dec("0.5")))
            .unwrap()
    }

    fn request(side: Side, qty: &str, order_type: OrderType) -> OrderRequest {
        OrderRequest {
            symbol: Symbol::new("BTC/USD").unwrap(),
            side,
            qty: dec(qty),
            order_type,
            time_in_force: crate::orders::TimeInForce::Gtc,
            post_only: false,
            reduce_only: false,
            tag: "t".into(),
        }
    }

    fn limit(price: &str) -> OrderType {
        OrderType::Limit(dec(price))
    }

    #[test]
    fn a_symbol_not_open_at_its_venue_takes_no_order_or_amend() {
        let order = request(Side::Buy, "0.01", limit("30000"));
        assert!(conform_to_instrument(&btc_usd(), order.clone(), Decimal::ZERO, None).is_ok());
        for (status, says) in [
            (MarketStatus::CancelOnly, "BTC/USD is cancel-only at the venue"),
            (MarketStatus::Closed, "BTC/USD is not trading at the venue"),
        ] {
            let instrument = btc_usd().with_status(status);
            for filled in [Decimal::ZERO, dec("0.001")] {
                let refused = conform_to_instrument(&instrument, order.clone(), filled, None).unwrap_err();
                assert_eq!(refused.check(), RiskCheck::MarketClosed);
                assert!(refused.to_string().starts_with(says), "{refused}");
            }
        }
    }

    /// One row per rule: (name, request, filled, last price, the conformed (qty, type) or the
    /// refusal's message).
    #[test]
    fn rounds_what_it_can_and_refuses_the_rest() {
        let buy = |qty, order_type| request(Side::Buy, qty, order_type);
        let sell = |qty, order_type| request(Side::Sell, qty, order_type);
        let last = Some(dec("50000"));
        type Case = (
            &'static str,
            OrderRequest,
            &'static str,
            Option<Decimal>,
            Result<(&'static str, OrderType), &'static str>,
        );
        let cases: Vec<Case> = vec![
            ("on every increment", buy("0.12345678", limit("50000.1")), "0", last, Ok(("0.12345678", limit("50000.1")))),
            ("qty rounds down", buy("0.123456789", limit("50000")), "0", last, Ok(("0.12345678", limit("50000")))),
            ("buy price rounds down", buy("1", limit("50000.19")), "0", last, Ok(("1", limit("50000.1")))),
            ("sell price rounds up", sell("1", limit("50000.11")), "0", last, Ok(("1", limit("50000.2")))),
            ("market, qty only", sell("0.000100009", OrderType::Market), "0", last, Ok(("0.00010000", OrderType::Market))),
            ("at the minimum qty", buy("0.0001", limit("5000")), "0", last, Ok(("0.0001", limit("5000")))),
            (
                "below the minimum qty",
                buy("0.00009999", limit("50000")),
                "0",
                last,
                Err("quantity 0.00009999 rounds down to 0.00009999 at the venue's lot of 0.00000001, below the minimum of 0.0001"),
            ),
            (
                "rounds to nothing",
                buy("0.000000001", limit("50000")),
                "0",
                last,
                Err("quantity 0.000000001 rounds down to 0.00000000 at the venue's lot of 0.00000001, below the minimum of 0.0001"),
            ),
            ("buy below one tick", buy("1", limit("0.05")), "0", last, Err("a buy at 0.05 rounds down to zero at the venue's tick of 0.1")),
            ("sell below one tick", sell("10", limit("0.05")), "0", last, Ok(("10", limit("0.1")))),
            ("at the minimum notional", buy("0.0001", limit("5000")), "0", last, Ok(("0.0001", limit("5000")))),
            ("below the minimum notional", buy("0.0001", limit("4999.9")), "0", last, Err("notional 0.49999 is below the venue's minimum of 0.5")),
            ("market below the minimum notional", buy("0.0001", OrderType::Market), "0", Some(dec("4000")), Err("notional 0.4000 is below the venue's minimum of 0.5")),
            ("market, no last price", buy("0.0001", OrderType::Market), "0", None, Ok(("0.0001", OrderType::Market))),
            // An amend: the minimums are the whole order's, and what comes back is what is left.
            ("amend, whole order", buy("0.00005", limit("50000")), "0.00005", last, Ok(("0.00005", limit("50000")))),
            ("amend, whole order rounded", buy("0.000050009", limit("50000")), "0.00005", last, Ok(("0.00005000", limit("50000")))),
            (
                "amend, nothing left",
                buy("0.000000009", limit("50000")),
                "0.5",
                last,
                Err("the amended quantity 0.500000009 rounds down to 0.50000000, which is not more than the 0.5 already filled"),
            ),
        ];
        for (name, request, filled, last_price, expected) in cases {
            let got = conform_to_instrument(&btc_usd(), request, dec(filled), last_price);
            match (got, expected) {
                (Ok(got), Ok((qty, order_type))) => {
                    assert_eq!(
                        (got.qty.to_string().as_str(), got.order_type),
                        (qty, order_type),
                        "{name}"
                    )
                }
                (Err(refusal), Err(message)) => {
                    assert_eq!(refusal.check(), RiskCheck::BelowMinimum, "{name}");
                    assert_eq!(refusal.to_string(), message, "{name}");
                }
                (got, expected) => panic!("{name}: expected {expected:?}, got {got:?}"),
            }
        }
    }

    #[test]
    fn a_sell_that_cannot_round_up_is_invalid() {
        let coarse = Instrument::new(dec("2"), Decimal::ONE).unwrap();
        let refused = conform_to_instrument(
            &coarse,
            request(Side::Sell, "1", OrderType::Limit(Decimal::MAX)),
            Decimal::ZERO,
            None,
        )
        .unwrap_err();
        assert_eq!(refused.check(), RiskCheck::InvalidOrder);
    }
}
