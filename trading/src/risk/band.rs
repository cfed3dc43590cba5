//! The price band: a limit price too far from the market is a fat finger, refused.

use rust_decimal::Decimal;

use crate::orders::OrderType;
use crate::risk::{RiskLimits, RiskRefusal};

const BPS_PER_UNIT: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// A limit price more than [`RiskLimits::price_band_bps`] away from `reference` (the last
/// price: a trade, a bar's close or a quote's mid) is refused, on either side: a buy far below
/// the market is harmless only until the market gets there by a typo in the other direction.
/// A market order has no price of its own to be wrong, so the band does not apply to it; nor
/// to stops, whose prices are meant to sit away from the market until it gets there.
///
/// A reference of zero or less cannot be measured against, so every limit order is refused
/// while the market says so.
pub fn price_band(limits: &RiskLimits, order_type: OrderType, reference: Decimal) -> Result<(), RiskRefusal> {
    let (Some(limit_bps), OrderType::Limit(price)) = (limits.price_band_bps, order_type) else {
        return Ok(());
    };
    let deviation_bps = if reference > Decimal::ZERO {
        (price - reference)
            .abs()
            .checked_mul(BPS_PER_UNIT)
            .and_then(|scaled| scaled.checked_div(reference))
    } else {
        None
    };
    match deviation_bps {
        Some(deviation) if deviation <= limit_bps => Ok(()),
        deviation => Err(RiskRefusal::PriceBand {
            price,
            reference,
            deviation_bps: deviation.map(|d| d.round_dp(2).normalize()),
            limit_bps,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn banded(bps: &str) -> RiskLimits {
        RiskLimits {
            price_band_bps: Some(dec(bps)),
            ..RiskLimits::default()
        }
    }

    #[test]
    fn a_limit_price_within_the_band_passes_on_either_side() {
        let limits = banded("500");
        for price in ["95", "100", "105"] {
            assert_eq!(
                price_band(&limits, OrderType::Limit(dec(price)), dec("100")),
                Ok(()),
                "{price}"
            );
        }
    }

    #[test]
    fn a_limit_price_beyond_the_band_is_refused_with_the_numbers() {
        let refusal = price_band(&banded("500"), OrderType::Limit(dec("105.01")), dec("100")).unwrap_err();
        assert_eq!(
            refusal,
            RiskRefusal::PriceBand {
                price: dec("105.01"),
                reference: dec("100"),
                deviation_bps: Some(dec("501")),
                limit_bps: dec("500"),
            }
        );
        assert_eq!(
            refusal.to_string(),
            "limit price 105.01 is 501 bps from the last price 100, beyond the band of 500 bps"
        );
        let below = price_band(&banded("500"), OrderType::Limit(dec("90")), dec("100")).unwrap_err();
        assert!(below.to_string().contains("1000 bps"), "{below}");
    }

    #[test]
    fn market_orders_and_an_unset_band_pass() {
        assert_eq!(price_band(&banded("1"), OrderType::Market, dec("100")), Ok(()));
        assert_eq!(
            price_band(&RiskLimits::default(), OrderType::Limit(dec("1")), dec("100")),
            Ok(())
        );
    }

    #[test]
    fn a_reference_of_zero_refuses_instead_of_dividing() {
        let refusal = price_band(&banded("500"), OrderType::Limit(dec("1")), Decimal::ZERO).unwrap_err();
        assert!(refusal.to_string().contains("cannot be measured"), "{refusal}");
    }
}
