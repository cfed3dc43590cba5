//! [`ComponentHost`]: the [`Host`] a strategy gets inside a component, over the world's imports.

use super::bindings::strategy_host::strategy::host as imports;
use super::bindings::strategy_host::strategy::types as wit;
use rust_decimal::Decimal;

use crate::orders::encode_decimal;
use crate::{Account, Decision, Host, LogLevel, OrderId, OrderRequest, Position, Reject};

/// Calls the host's imports. Stateless but for one cached answer: the host keeps everything.
pub(crate) struct ComponentHost;

impl Host for ComponentHost {
    fn log(&mut self, level: LogLevel, message: &str) {
        imports::log(level.into(), message);
    }

    fn now_ms(&mut self) -> i64 {
        imports::now_ms()
    }

    fn position(&mut self, symbol: &str) -> Position {
        imports::position(symbol).into()
    }

    fn account(&mut self) -> Account {
        imports::account().into()
    }

    fn place_order(&mut self, order: OrderRequest) -> Result<OrderId, Reject> {
        order.validate()?;
        let order = wit::OrderRequest::try_from(order)?;
        imports::place_order(&order).map(OrderId::from).map_err(Reject::from)
    }

    fn cancel_order(&mut self, order_id: &OrderId) -> Result<(), String> {
        imports::cancel_order(order_id.as_str())
    }

    fn cancel_all_orders(&mut self) -> u32 {
        imports::cancel_all_orders()
    }

    fn amend_order(&mut self, order_id: &OrderId, qty: Decimal, limit_price: Option<Decimal>) -> Result<(), String> {
        let to_wit = |what, value| {
            encode_decimal(what, value)
                .map(|(mantissa, scale)| wit::Decimal { mantissa, scale })
                .map_err(|reject| reject.message)
        };
        let qty = to_wit("qty", qty)?;
        let limit_price = limit_price.map(|price| to_wit("limit price", price)).transpose()?;
        imports::amend_order(order_id.as_str(), qty, limit_price)
    }

    fn emit_decision(&mut self, decision: Decision) {
        imports::emit_decision(&decision.into());
    }

    fn decisions_wanted(&mut self) -> bool {
        DECISIONS_WANTED.with(|wanted| match wanted.get() {
            Some(answer) => answer,
            None => {
                let answer = imports::decisions_wanted();
                wanted.set(Some(answer));
                answer
            }
        })
    }
}

std::thread_local! {
    /// The host's answer to `decisions-wanted`, asked once: it holds for the instance's life.
    static DECISIONS_WANTED: std::cell::Cell<Option<bool>> = const { std::cell::Cell::new(None) };
}
