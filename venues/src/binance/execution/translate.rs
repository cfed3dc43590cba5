//! The seam's requests in Binance's terms, and Binance's answers to the task's queries as the
//! seam's reports. Pure: the execution-report side is [`crate::binance::translate`], shared
//! with everything that reads user data.

use trading::brokers::{FillReport, NewOrder, OrderReport, RejectKind, RejectReason, ReportedQty, VenueOrderState};
use trading::market::{Side, TimeMs};
use trading::orders::{OrderId, OrderType, TimeInForce};

use crate::binance::requests::{OrderKind, PlaceOrder};
use crate::binance::translate::{order_report, trade_fill};
use crate::binance::wire::{AccountTrade, OrderResult, OrderSide, SymbolDirectory};

/// The host's side in Binance's words.
pub(super) fn order_side(side: Side) -> OrderSide {
    match side {
        Side::Buy => OrderSide::Buy,
        Side::Sell => OrderSide::Sell,
    }
}

/// The host's order terms as Binance's order type: `LIMIT` with its time in force,
/// `LIMIT_MAKER` for post-only, `MARKET` (which takes what it can at once whatever its time in
/// force), `STOP_LOSS` and `STOP_LOSS_LIMIT` for stops. Reduce-only is the host's rule: spot
/// Binance has no such flag.
pub(super) fn order_kind(order_type: OrderType, time_in_force: TimeInForce, post_only: bool) -> OrderKind {
    match order_type {
        OrderType::Market => OrderKind::Market,
        OrderType::Limit(price) if post_only => OrderKind::LimitMaker { price },
        OrderType::Limit(price) => OrderKind::Limit { price, time_in_force },
        OrderType::Stop(stop_price) => OrderKind::StopLoss { stop_price },
        OrderType::StopLimit { trigger, limit } => OrderKind::StopLossLimit {
            stop_price: trigger,
            price: limit,
            time_in_force,
        },
    }
}

/// The host's order as Binance's `order.place`, the host's id as the client order id.
///
/// # Errors
/// The reject when Binance does not list the symbol.
pub(super) fn place_order(order: &NewOrder, symbols: &SymbolDirectory) -> Result<PlaceOrder, RejectReason> {
    let symbol = symbols.venue(&order.symbol).ok_or_else(|| {
        RejectReason::new(
            RejectKind::InvalidOrder,
            format!("{} is not listed on Binance (exchangeInfo)", order.symbol),
        )
    })?;
    Ok(PlaceOrder {
        symbol,
        side: order_side(order.side),
        kind: order_kind(order.order_type, order.time_in_force, order.post_only),
        quantity: order.qty,
        client_order_id: order.id.as_str().to_owned(),
    })
}

/// Binance's answer to `order.status` (`None`: `-2013`, it never had the order) and the
/// order's trades, as the report that settles the host's order `id`.
pub(super) fn status_report(
    result: Option<&OrderResult>,
    trades: &[AccountTrade],
    id: OrderId,
    now_ms: TimeMs,
) -> OrderReport {
    let Some(result) = result else {
        return OrderReport {
            id,
            venue_order_id: None,
            state: VenueOrderState::NotFound,
            filled_qty: rust_decimal::Decimal::ZERO,
            qty: ReportedQty::Unknown,
            fills: Vec::new(),
            time_ms: now_ms,
        };
    };
    let mut report = order_report(result, id.clone(), now_ms);
    report.fills = fills_of(result.order_id, trades, &id);
    report
}

/// The trades of Binance's order `order_id` as fills of the host's `id`.
pub(super) fn fills_of(order_id: u64, trades: &[AccountTrade], id: &OrderId) -> Vec<FillReport> {
    trades
        .iter()
        .filter(|t| t.order_id == order_id)
        .map(|t| trade_fill(t, id.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use trading::market::Symbol;
    use trading::orders::TradeId;

    use crate::binance::wire::{parse_account_trades, parse_order, VenueSymbol};

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn orders_go_as_limit_gtc_or_market_on_listed_symbols_only() {
        let mut symbols = SymbolDirectory::new();
        symbols
            .insert(VenueSymbol::new("BTCUSDT").unwrap(), "BTC", "USDT")
            .unwrap();
        let mut order = NewOrder {
            id: OrderId::new("h-1"),
            symbol: Symbol::new("BTC/USDT").unwrap(),
            side: Side::Sell,
            qty: d("0.5"),
            order_type: OrderType::Limit(d("30000.10")),
            time_in_force: TimeInForce::Gtc,
            post_only: false,
            time_ms: 0,
        };
        let placed = place_order(&order, &symbols).unwrap();
        assert_eq!(
            placed.kind,
            OrderKind::Limit {
                price: d("30000.10"),
                time_in_force: TimeInForce::Gtc
            }
        );
        assert_eq!(
            (placed.symbol.as_str(), placed.side, placed.client_order_id.as_str()),
            ("BTCUSDT", OrderSide::Sell, "h-1")
        );
        order.order_type = OrderType::Market;
        assert_eq!(place_order(&order, &symbols).unwrap().kind, OrderKind::Market);
        order.symbol = Symbol::new("ETH/USDT").unwrap();
        assert_eq!(
            place_order(&order, &symbols).unwrap_err().kind,
            RejectKind::InvalidOrder
        );
    }

    #[test]
    fn a_status_with_its_trades_settles_an_order_and_none_says_binance_never_had_it() {
        let result = parse_order(
            r#"{"symbol":"BTCUSDT","orderId":9,"clientOrderId":"h-1","price":"30000.00","origQty":"1.0",
                "executedQty":"0.3","status":"PARTIALLY_FILLED","updateTime":77}"#,
        )
        .unwrap();
        let trades = parse_account_trades(
            r#"[{"symbol":"BTCUSDT","id":41,"orderId":9,"price":"30000.00","qty":"0.3","commission":"0.0003",
                 "commissionAsset":"BTC","time":70,"isBuyer":true,"isMaker":true},
                {"symbol":"BTCUSDT","id":42,"orderId":10,"price":"1","qty":"1","commission":"0",
                 "commissionAsset":"BTC","time":71,"isBuyer":true,"isMaker":false}]"#,
        )
        .unwrap();
        let report = status_report(Some(&result), &trades, OrderId::new("h-1"), 5);
        assert_eq!(
            (report.state, report.filled_qty, report.time_ms),
            (VenueOrderState::Open, d("0.3"), 77)
        );
        assert_eq!(report.fills.len(), 1, "only order 9's trade");
        assert_eq!(report.fills[0].trade_id, Some(TradeId::new("BTCUSDT-41")));
        assert_eq!((report.fills[0].fee, report.fills[0].time_ms), (d("0.0003"), 70));
        let none = status_report(None, &[], OrderId::new("h-2"), 5);
        assert_eq!((none.state, none.venue_order_id), (VenueOrderState::NotFound, None));
    }
}
