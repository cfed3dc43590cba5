//! What happens to a strategy's orders and positions when its file is deleted.

use trading::desk::Desk;
use trading::market::Side;
use trading::orders::{OrderRequest, OrderType, StrategyId, TimeInForce};

/// Per-strategy choice (`on_delete` in its settings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OnDelete {
    /// Cancel its open orders and keep its positions: nothing new happens without a strategy
    /// to manage it, and nothing is sold in a hurry either.
    #[default]
    CancelOrders,
    /// Leave its open orders working and its positions open, for a new version to pick up.
    Keep,
    /// Cancel its open orders and close every position at market.
    Flatten,
}

impl OnDelete {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "cancel-orders" => Some(OnDelete::CancelOrders),
            "keep" => Some(OnDelete::Keep),
            "flatten" => Some(OnDelete::Flatten),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OnDelete::CancelOrders => "cancel-orders",
            OnDelete::Keep => "keep",
            OnDelete::Flatten => "flatten",
        }
    }
}

/// What retiring a strategy did to its book.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retired {
    pub orders_cancelled: usize,
    /// Market orders placed to close positions.
    pub closing_orders: usize,
    /// Why a position could not be closed (risk refused the closing order), one per symbol.
    pub errors: Vec<String>,
}

/// Applies `on_delete` to `strategy`'s orders and positions on the desk.
pub fn retire(desk: &mut Desk, strategy: &StrategyId, on_delete: OnDelete, now_ms: i64) -> Retired {
    let mut retired = Retired::default();
    if on_delete == OnDelete::Keep {
        return retired;
    }
    retired.orders_cancelled = desk.cancel_all(strategy, now_ms);
    if on_delete == OnDelete::CancelOrders {
        return retired;
    }
    let open_positions: Vec<_> = desk
        .book(strategy)
        .map(|book| book.positions)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.qty.is_zero())
        .collect();
    for position in open_positions {
        let request = OrderRequest {
            side: if position.qty.is_sign_positive() {
                Side::Sell
            } else {
                Side::Buy
            },
            qty: position.qty.abs(),
            symbol: position.symbol.clone(),
            order_type: OrderType::Market,
            time_in_force: TimeInForce::Gtc,
            post_only: false,
            // A close: it must never open the other way.
            reduce_only: true,
            tag: "flatten-on-delete".into(),
        };
        match desk.place_order(strategy, request, now_ms) {
            Ok(_) => retired.closing_orders += 1,
            Err(reject) => retired.errors.push(format!("{}: {reject}", position.symbol)),
        }
    }
    retired
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use trading::brokers::{FillPrice, SimBroker, SimConfig};
    use trading::desk::DeskConfig;
    use trading::market::{Candle, MarketEvent, Symbol, Timeframe};

    use super::*;

    fn bar(open_time_ms: i64, price: i64) -> MarketEvent {
        let price = Decimal::from(price);
        MarketEvent::Candle(Candle {
            symbol: Symbol::new("BTC/USD").unwrap(),
            timeframe: Timeframe::parse("1m").unwrap(),
            open_time_ms,
            open: price,
            high: price,
            low: price,
            close: price,
            volume: Decimal::ONE,
        })
    }

    /// A desk where strategy `s` holds 2 BTC and has a working limit buy.
    fn desk_with_position_and_order() -> (Desk, StrategyId) {
        let sim = SimConfig {
            fill_price: FillPrice::CurrentClose,
            ..SimConfig::default()
        };
        let mut desk = Desk::new(DeskConfig::default(), Box::new(SimBroker::new(sim).unwrap()), None).unwrap();
        let s = StrategyId::new("s");
        desk.register_strategy(&s, Decimal::from(1_000_000)).unwrap();
        desk.on_market_event(&bar(0, 100));
        let symbol = Symbol::new("BTC/USD").unwrap();
        let order = |side, qty: i64, order_type| OrderRequest {
            symbol: symbol.clone(),
            side,
            qty: Decimal::from(qty),
            order_type,
            time_in_force: TimeInForce::Gtc,
            post_only: false,
            reduce_only: false,
            tag: String::new(),
        };
        desk.place_order(&s, order(Side::Buy, 2, OrderType::Market), 1).unwrap();
        desk.place_order(&s, order(Side::Buy, 1, OrderType::Limit(Decimal::from(50))), 2)
            .unwrap();
        assert_eq!(desk.position(&s, &symbol).qty, Decimal::from(2));
        assert_eq!(desk.open_orders(&s).count(), 1);
        (desk, s)
    }

    #[test]
    fn cancel_orders_keeps_the_position() {
        let (mut desk, s) = desk_with_position_and_order();
        let retired = retire(&mut desk, &s, OnDelete::CancelOrders, 3);
        assert_eq!(retired.orders_cancelled, 1);
        assert_eq!(desk.open_orders(&s).count(), 0);
        assert_eq!(
            desk.position(&s, &Symbol::new("BTC/USD").unwrap()).qty,
            Decimal::from(2)
        );
    }

    #[test]
    fn keep_leaves_orders_and_position_alone() {
        let (mut desk, s) = desk_with_position_and_order();
        assert_eq!(retire(&mut desk, &s, OnDelete::Keep, 3), Retired::default());
        assert_eq!(desk.open_orders(&s).count(), 1);
    }

    #[test]
    fn flatten_cancels_and_closes_at_market() {
        let (mut desk, s) = desk_with_position_and_order();
        let retired = retire(&mut desk, &s, OnDelete::Flatten, 3);
        assert_eq!((retired.orders_cancelled, retired.closing_orders), (1, 1));
        assert!(retired.errors.is_empty(), "{:?}", retired.errors);
        // Close-price fills happen at the next bar.
        desk.on_market_event(&bar(60_000, 110));
        assert_eq!(desk.position(&s, &Symbol::new("BTC/USD").unwrap()).qty, Decimal::ZERO);
    }

    #[test]
    fn every_label_parses_back() {
        for on_delete in [OnDelete::CancelOrders, OnDelete::Keep, OnDelete::Flatten] {
            assert_eq!(OnDelete::parse(on_delete.label()), Some(on_delete));
        }
        assert_eq!(OnDelete::parse("sell"), None);
    }
}
