//! The account view a strategy asks for with `account`: the desk's books and working orders
//! of that strategy, as the WIT's `account` record.
//!
//! Read only: it takes the desk's lock once and changes nothing. A strategy with no book (the
//! desk never opened one for it) sees an account of zeros rather than an error, as `position`
//! answers flat for a symbol it never traded.

use rust_decimal::Decimal;
use trading::desk::Desk;
use trading::ledger::PositionSummary;
use trading::orders::{Order, StrategyId};

use super::bindings::wit;
use super::convert::{decimal_to_wit, order_type_to_wit, side_to_wit, status_to_wit, time_in_force_to_wit};

/// `strategy`'s account as the desk has it now.
pub fn account_to_wit(desk: &Desk, strategy: &StrategyId) -> wit::Account {
    let zero = decimal_to_wit(Decimal::ZERO);
    let open_orders = desk.open_orders(strategy).map(open_order_to_wit).collect();
    let Some(book) = desk.book(strategy) else {
        return wit::Account {
            initial_cash: zero,
            cash: zero,
            equity: zero,
            fees: zero,
            buying_power: zero,
            fee_rate: decimal_to_wit(desk.limits().fee_rate),
            positions: Vec::new(),
            open_orders,
        };
    };
    wit::Account {
        initial_cash: decimal_to_wit(book.initial_cash),
        cash: decimal_to_wit(book.cash),
        equity: decimal_to_wit(book.equity),
        fees: decimal_to_wit(book.fees),
        buying_power: decimal_to_wit(desk.buying_power(strategy)),
        fee_rate: decimal_to_wit(desk.limits().fee_rate),
        positions: book.positions.iter().map(position_value_to_wit).collect(),
        open_orders,
    }
}

fn position_value_to_wit(p: &PositionSummary) -> wit::PositionValue {
    wit::PositionValue {
        symbol: p.symbol.as_str().to_owned(),
        qty: decimal_to_wit(p.qty),
        avg_price: decimal_to_wit(p.avg_price),
        mark: p.mark.map(decimal_to_wit),
        unrealized_pnl: decimal_to_wit(p.unrealized_pnl),
        realized_pnl: decimal_to_wit(p.realized_pnl),
        fees: decimal_to_wit(p.fees),
    }
}

fn open_order_to_wit(order: &Order) -> wit::OpenOrder {
    let request = order.request();
    wit::OpenOrder {
        order_id: order.id().as_str().to_owned(),
        tag: request.tag.clone(),
        symbol: request.symbol.as_str().to_owned(),
        side: side_to_wit(request.side),
        order_type: order_type_to_wit(request.order_type),
        time_in_force: time_in_force_to_wit(request.time_in_force),
        post_only: request.post_only,
        reduce_only: request.reduce_only,
        qty: decimal_to_wit(request.qty),
        filled_qty: decimal_to_wit(order.filled_qty()),
        remaining_qty: decimal_to_wit(order.remaining_qty()),
        status: status_to_wit(order.status()),
    }
}
