//! `order.amend.keepPriority`: an open order's quantity reduced in place, as Binance does it
//! (faqs/order_amend_keep_priority.md).
//!
//! Rules:
//! 1. Only a decrease: `newQty` must be below the order's quantity (a larger one is refused
//!    with `-2038` "Order amend (quantity increase) is not supported.", an equal one with
//!    `-2038` "The requested action would change no state; rejecting") and above what it has
//!    executed (`-2038` too: Binance does not document that case, and the order stays as it
//!    is). `newQty` meets LOT_SIZE like any quantity.
//! 2. The order keeps its id and its place in its price's queue, and so trades before orders
//!    placed after it at the same price.
//! 3. Its client order id becomes `newClientOrderId`, or, when that is not sent, a fresh random
//!    one, as Binance makes them (22 letters and digits); sending the current id keeps it.
//! 4. At most [`MAX_NUM_ORDER_AMENDS`] amends per order (`-2038` "Filter failure:
//!    MAX_NUM_ORDER_AMENDS").
//! 5. What the removed quantity locked is freed; the user data stream gets an
//!    `executionReport` with `x` REPLACED (its status unchanged, `q` the new quantity, `c` the
//!    new client id, `C` the old one) and an `outboundAccountPosition`.

use std::hash::{BuildHasher, Hasher};

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::account::{account_position, execution_report, OrderKind, OrderSide, ReportDetail};
use crate::exchange::Exchange;
use crate::orders::{OrderRef, Refusal};
use crate::wire::num;

/// Amends an order may have (exchangeInfo's MAX_NUM_ORDER_AMENDS).
pub(crate) const MAX_NUM_ORDER_AMENDS: u32 = 10;

fn rejected(msg: &str) -> Refusal {
    Refusal::bad(-2038, msg)
}

/// A client order id as Binance generates them: 22 characters of `[A-Za-z0-9]`, drawn from
/// the process's randomly seeded hasher (no id is ever meant to be guessed, only unique).
fn random_client_id() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let state = std::collections::hash_map::RandomState::new();
    let mut out = String::with_capacity(22);
    let mut round = 0_u64;
    while out.len() < 22 {
        let mut hasher = state.build_hasher();
        hasher.write_u64(round);
        round += 1;
        let mut bits = hasher.finish();
        // Ten base-62 digits from each 64 bits (62^10 < 2^64).
        for _ in 0..10 {
            if out.len() == 22 {
                break;
            }
            let at = usize::try_from(bits % 62).unwrap_or(0);
            if let Some(c) = ALPHABET.get(at) {
                out.push(char::from(*c));
            }
            bits /= 62;
        }
    }
    out
}

impl Exchange {
    /// `order.amend.keepPriority`: the result `{transactTime, executionId, amendedOrder}`.
    pub(crate) fn amend_keep_priority(
        &mut self,
        target: &OrderRef,
        new_qty: Decimal,
        new_client_id: Option<&str>,
    ) -> Result<Value, Refusal> {
        let order_id = self
            .account
            .find(&target.symbol, target.order_id, target.client_id.as_deref())
            .filter(|o| o.status.is_open())
            .map(|o| o.order_id)
            .ok_or_else(|| rejected("Unknown order sent."))?;
        let Some(spec) = self.markets.get(&target.symbol).map(|m| m.spec.clone()) else {
            return Err(Refusal::bad(-1121, "Invalid symbol."));
        };
        let Some(order) = self.account.orders.get(&order_id) else {
            return Err(rejected("Unknown order sent."));
        };
        if new_qty > order.qty {
            return Err(rejected("Order amend (quantity increase) is not supported."));
        }
        if new_qty == order.qty {
            return Err(rejected("The requested action would change no state; rejecting"));
        }
        if new_qty <= order.executed {
            return Err(rejected(
                "Order amend to the executed quantity or below is not supported.",
            ));
        }
        if new_qty < spec.min_qty || (!spec.step_size.is_zero() && !(new_qty % spec.step_size).is_zero()) {
            return Err(Refusal::filter("LOT_SIZE"));
        }
        if order.amends >= MAX_NUM_ORDER_AMENDS {
            return Err(rejected("Filter failure: MAX_NUM_ORDER_AMENDS"));
        }
        let new_client_id = new_client_id.map_or_else(random_client_id, str::to_owned);
        let taken = self
            .account
            .orders
            .values()
            .any(|o| o.order_id != order_id && o.status.is_open() && o.client_order_id == new_client_id);
        if taken {
            return Err(rejected("Duplicate order sent."));
        }
        let Some(mut order) = self.account.orders.remove(&order_id) else {
            return Err(rejected("Unknown order sent."));
        };
        let now = self.clock_ms();
        // What one unit of the remaining quantity locks: the base for a sell; for a buy its
        // limit price, or a waiting stop-loss its stop price.
        let unit = match order.side {
            OrderSide::Sell => Decimal::ONE,
            OrderSide::Buy if order.kind == OrderKind::StopLoss => order.stop.map_or(Decimal::ZERO, |s| s.price),
            OrderSide::Buy => order.price,
        };
        let removed = order.qty - new_qty;
        let freed = (removed * unit).min(order.locked);
        let asset = match order.side {
            OrderSide::Sell => spec.base.clone(),
            OrderSide::Buy => spec.quote.clone(),
        };
        let balance = self.account.balance(&asset);
        balance.locked -= freed;
        balance.free += freed;
        order.locked -= freed;
        let previous_client_id = std::mem::replace(&mut order.client_order_id, new_client_id);
        order.qty = new_qty;
        order.amends += 1;
        order.update_ms = now;
        let execution_id = self.account.execution_id();
        let decimals = spec.decimals;
        let report = execution_report(
            &order,
            &ReportDetail {
                execution_type: "REPLACED",
                previous_client_id: Some(&previous_client_id),
                ..ReportDetail::default()
            },
            now,
            execution_id,
            decimals,
        );
        let zero = num(Decimal::ZERO, decimals);
        let result = json!({
            "transactTime": now, "executionId": execution_id,
            "amendedOrder": {
                "symbol": order.symbol, "orderId": order.order_id, "orderListId": -1,
                "origClientOrderId": previous_client_id, "clientOrderId": order.client_order_id,
                "price": num(order.price, decimals), "qty": num(order.qty, decimals),
                "executedQty": num(order.executed, decimals), "preventedQty": zero,
                "quoteOrderQty": zero, "cumulativeQuoteQty": num(order.cum_quote, decimals),
                "status": order.status.as_str(), "timeInForce": order.tif.as_str(),
                "type": order.kind.as_str(), "side": order.side.as_str(),
                "workingTime": order.working_ms().unwrap_or(-1), "selfTradePreventionMode": "EXPIRE_MAKER"
            }
        });
        self.account.orders.insert(order_id, order);
        self.push_user(report);
        let position = account_position(&self.account, &[asset], now);
        self.push_user(position);
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_client_ids_look_like_binances_and_differ() {
        let a = random_client_id();
        let b = random_client_id();
        assert_eq!(a.len(), 22);
        assert!(a.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }
}
