//! Stop orders (`STOP_LOSS`, `STOP_LOSS_LIMIT`): Binance's trigger rule, the refusal of a stop
//! the market already triggers, and what a stop does once triggered.
//!
//! Rules:
//! 1. A SELL stop triggers when the last price falls to or below its `stopPrice`, a BUY stop
//!    when it rises to or above. Every public trade counts: scripted trades, resting orders
//!    they fill, and the book taken by an order (the account's own included), so a taker that
//!    walks the book triggers what any of its prints reach.
//! 2. A stop the last price already triggers is refused when placed: `-2010` "Stop price would
//!    trigger immediately." (Binance's errors.md lists the same case as "Order would trigger
//!    immediately."; the text here is the one Binance sends for stops).
//! 3. Until triggered a stop is off the book (`"w": false`, no `W`, `"workingTime": -1`),
//!    matches nothing, and locks what the order it becomes would: a SELL its quantity, a BUY
//!    STOP_LOSS_LIMIT price × quantity, a BUY STOP_LOSS `stopPrice` × quantity (it has no
//!    other price before it triggers).
//! 4. Triggered, it reports `x` NEW, `X` NEW with `"w": true` and its working time, then trades
//!    as the order it becomes, placed at that moment (the back of its price's queue):
//!    STOP_LOSS as a MARKET order (what the book cannot fill expires), STOP_LOSS_LIMIT as a
//!    LIMIT order with its time in force. Its lock is taken again for that order; when the
//!    free balance cannot cover it, the order expires instead.
//! 5. Stops the same prints reach trigger oldest first; their own prints may reach more, which
//!    trigger in the next round.

use rust_decimal::Decimal;

use crate::account::{account_position, OrderKind, OrderSide, OrderStatus, ReportDetail};
use crate::exchange::Exchange;
use crate::market::Market;
use crate::orders::{NewOrder, Refusal, RespType};

/// The lowest and highest price printed since the stops were last looked at (rule 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrintRange {
    low: Decimal,
    high: Decimal,
}

impl PrintRange {
    /// The range of one print.
    pub(crate) fn at(price: Decimal) -> Self {
        Self {
            low: price,
            high: price,
        }
    }

    /// This range widened to take in `price`.
    pub(crate) fn with(self, price: Decimal) -> Self {
        Self {
            low: self.low.min(price),
            high: self.high.max(price),
        }
    }

    /// Whether a stop on `side` at `stop` triggers on these prints.
    pub(crate) fn reaches(&self, side: OrderSide, stop: Decimal) -> bool {
        match side {
            OrderSide::Sell => self.low <= stop,
            OrderSide::Buy => self.high >= stop,
        }
    }
}

/// Rule 2: refuses a stop that the last price already triggers.
pub(crate) fn check_not_triggered(market: &Market, side: OrderSide, stop: Decimal) -> Result<(), Refusal> {
    match market.last_price() {
        Some(last) if PrintRange::at(last).reaches(side, stop) => {
            Err(Refusal::bad(-2010, "Stop price would trigger immediately."))
        }
        _ => Ok(()),
    }
}

impl Exchange {
    /// Triggers the stops of `symbol` that the prints since the last look reach, then those
    /// the triggered stops' own prints reach, until a round prints nothing new.
    pub(crate) fn run_stops(&mut self, symbol: &str) {
        loop {
            let Some(prints) = self.markets.get_mut(symbol).and_then(Market::take_unseen_prints) else {
                return;
            };
            // Order ids grow with time: the oldest stop first.
            let due: Vec<u64> = self
                .account
                .orders
                .values()
                .filter(|o| o.symbol == symbol && o.status.is_open())
                .filter(|o| {
                    o.stop
                        .is_some_and(|s| s.triggered_ms.is_none() && prints.reaches(o.side, s.price))
                })
                .map(|o| o.order_id)
                .collect();
            for order_id in due {
                self.trigger(order_id);
            }
        }
    }

    /// Rule 4: a stop starts working as the order it becomes.
    fn trigger(&mut self, order_id: u64) {
        let Some(mut order) = self.account.orders.remove(&order_id) else {
            return;
        };
        let now = self.clock_ms();
        if let Some(stop) = order.stop.as_mut() {
            stop.triggered_ms = Some(now);
        }
        order.queue = self.account.queue_place();
        order.update_ms = now;
        let mut events = vec![self.report(
            &order,
            &ReportDetail {
                execution_type: "NEW",
                ..ReportDetail::default()
            },
        )];
        let kind = order.kind.execution();
        let working = NewOrder {
            symbol: order.symbol.clone(),
            side: order.side,
            kind,
            tif: order.tif,
            price: (kind != OrderKind::Market).then_some(order.price),
            stop_price: None,
            qty: order.remaining(),
            client_id: None,
            resp_type: RespType::Ack,
        };
        // The stop's lock goes back, and the order it became locks what it needs now.
        self.release(&mut order);
        let fills = self.taker_fills(&working);
        let (asset, lock) = self.lock_for(&working, &fills);
        if self.account.balance(&asset).free < lock {
            order.status = OrderStatus::Expired;
            events.push(self.report(
                &order,
                &ReportDetail {
                    execution_type: "EXPIRED",
                    ..ReportDetail::default()
                },
            ));
        } else {
            let balance = self.account.balance(&asset);
            balance.free -= lock;
            balance.locked += lock;
            order.locked = lock;
            self.work(&mut order, &fills, &mut events);
        }
        events.push(account_position(&self.account, &self.assets(&order.symbol), now));
        self.account.orders.insert(order_id, order);
        for event in events {
            self.push_user(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn a_sell_stop_triggers_at_or_below_and_a_buy_stop_at_or_above() {
        let range = PrintRange::at(d("100")).with(d("98"));
        assert!(range.reaches(OrderSide::Sell, d("98")));
        assert!(!range.reaches(OrderSide::Sell, d("97.99")));
        assert!(range.reaches(OrderSide::Buy, d("100")));
        assert!(!range.reaches(OrderSide::Buy, d("100.01")));
    }
}
