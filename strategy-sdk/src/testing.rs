//! A recording [`Host`] for native unit tests of a strategy's decision logic (feature `testing`).
//!
//! [`MockHost`] accepts orders (or refuses them, when told to), answers positions you set,
//! and records every call. It also builds the [`OrderUpdate`]s the real host would send for the
//! orders it accepted, so a test can play fills back into the strategy:
//!
//! ```
//! use strategy_sdk::{testing::MockHost, Decimal, Host, OrderRequest, OrderStatus, Side};
//!
//! let mut host = MockHost::new();
//! let order = OrderRequest::limit("BTC/USD", Side::Buy, Decimal::ONE, Decimal::from(100));
//! let id = host.place_order(order).unwrap();
//! let update = host.filled(&id);
//! assert_eq!(update.status, OrderStatus::Filled);
//! assert_eq!(update.fill.unwrap().price, Decimal::from(100));
//! ```
//!
//! [`Harness`] goes further: it runs a strategy over a scenario of bars, trades and order
//! updates, fills its orders on the bars that follow them by the host's rule, and keeps its
//! position and cash, so a test states a market and checks the orders and fills.

mod harness;

pub use harness::{Event, Harness};

use rust_decimal::Decimal;

use crate::{
    Account, Candle, Decision, Fill, Host, LogLevel, OrderId, OrderRequest, OrderStatus, OrderUpdate, Position, Reject,
    StrMap,
};

/// A flat candle (open = high = low = close, volume 1) of `symbol` and `timeframe`, opened at
/// `open_time_ms`.
pub fn candle(symbol: &str, timeframe: &str, open_time_ms: i64, close: Decimal) -> Candle {
    Candle {
        symbol: symbol.into(),
        timeframe: timeframe.into(),
        open_time_ms,
        open: close,
        high: close,
        low: close,
        close,
        volume: Decimal::ONE,
    }
}

/// An amend a strategy asked for, as [`MockHost`] recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amend {
    /// The order amended.
    pub order_id: OrderId,
    /// Its new total quantity.
    pub qty: Decimal,
    /// Its new limit price, or `None` to keep it.
    pub limit_price: Option<Decimal>,
}

/// A [`Host`] that records everything; see the [module docs](self).
#[derive(Debug, Default)]
pub struct MockHost {
    /// What [`Host::now_ms`] answers.
    pub now_ms: i64,
    /// Every order accepted, with its id, in order.
    pub orders: Vec<(OrderId, OrderRequest)>,
    /// Every order refused, with the reject.
    pub rejected: Vec<(OrderRequest, Reject)>,
    /// Every cancel asked for.
    pub cancels: Vec<OrderId>,
    /// Every amend asked for, of an order it accepted.
    pub amends: Vec<Amend>,
    /// Every decision emitted (even with `drops_decisions` set, so that a test sees whether a
    /// strategy skips them).
    pub decisions: Vec<Decision>,
    /// Every log line.
    pub logs: Vec<(LogLevel, String)>,
    /// When set, [`Host::decisions_wanted`] answers false, as a backtest's host does.
    pub drops_decisions: bool,
    /// What [`Host::account`] answers.
    pub account: Account,
    positions: StrMap<Position>,
    refuse_with: Option<Reject>,
    orders_accepted: u64,
}

impl MockHost {
    /// A host with no positions that accepts every valid order.
    pub fn new() -> Self {
        MockHost::default()
    }

    /// Sets the position [`Host::position`] answers for `symbol`.
    pub fn set_position(&mut self, symbol: &str, qty: Decimal) {
        self.positions.get_or_insert_with(symbol, || Position::flat(symbol)).qty = qty;
    }

    /// Sets the whole position [`Host::position`] answers for its symbol.
    pub fn put_position(&mut self, position: Position) {
        let symbol = position.symbol.clone();
        *self.positions.get_or_insert_with(&symbol, || Position::flat(&symbol)) = position;
    }

    /// Refuses every order from now on with `code`, as the host's risk checks would.
    pub fn refuse_orders(&mut self, code: &str) {
        self.refuse_with = Some(Reject {
            code: code.to_owned(),
            message: format!("refused by MockHost ({code})"),
        });
    }

    /// Accepts orders again.
    pub fn accept_orders(&mut self) {
        self.refuse_with = None;
    }

    /// The accepted order with this id.
    pub fn order(&self, id: &OrderId) -> Option<&OrderRequest> {
        self.orders
            .iter()
            .find(|(known, _)| known == id)
            .map(|(_, order)| order)
    }

    /// Whether a log line at `level` contains `text`.
    pub fn logged(&self, level: LogLevel, text: &str) -> bool {
        self.logs
            .iter()
            .any(|(logged, line)| *logged == level && line.contains(text))
    }

    /// The update for the accepted order `id` filling completely, at its limit price (zero for a
    /// market order).
    ///
    /// # Panics
    ///
    /// When no accepted order has this id: a mistake in the test.
    pub fn filled(&self, id: &OrderId) -> OrderUpdate {
        let qty = self.expect_order(id).qty;
        self.update(id, OrderStatus::Filled, qty)
    }

    /// An update for the accepted order `id` with `status` and `filled_qty` traded in total; when
    /// that is more than zero, the update carries one fill at the limit price (zero for a market
    /// order) for the whole `filled_qty`.
    ///
    /// # Panics
    ///
    /// When no accepted order has this id: a mistake in the test.
    pub fn update(&self, id: &OrderId, status: OrderStatus, filled_qty: Decimal) -> OrderUpdate {
        let order = self.expect_order(id);
        let price = order.limit_price().unwrap_or_default();
        OrderUpdate {
            order_id: id.clone(),
            tag: order.tag.clone(),
            symbol: order.symbol.clone(),
            side: order.side,
            status,
            filled_qty,
            remaining_qty: if status.is_final() {
                Decimal::ZERO
            } else {
                order.qty - filled_qty
            },
            fill: (filled_qty > Decimal::ZERO).then_some(Fill {
                price,
                qty: filled_qty,
                fee: Decimal::ZERO,
                time_ms: self.now_ms,
            }),
            reason: None,
            time_ms: self.now_ms,
        }
    }

    fn expect_order(&self, id: &OrderId) -> &OrderRequest {
        match self.order(id) {
            Some(order) => order,
            None => panic!("MockHost accepted no order with id {id}"),
        }
    }
}

impl Host for MockHost {
    fn log(&mut self, level: LogLevel, message: &str) {
        self.logs.push((level, message.to_owned()));
    }

    fn now_ms(&mut self) -> i64 {
        self.now_ms
    }

    fn position(&mut self, symbol: &str) -> Position {
        self.positions
            .get(symbol)
            .cloned()
            .unwrap_or_else(|| Position::flat(symbol))
    }

    fn account(&mut self) -> Account {
        self.account.clone()
    }

    fn place_order(&mut self, order: OrderRequest) -> Result<OrderId, Reject> {
        let verdict = match &self.refuse_with {
            Some(reject) => Err(reject.clone()),
            None => order.validate(),
        };
        match verdict {
            Ok(()) => {
                self.orders_accepted += 1;
                let id = OrderId::new(format!("order-{}", self.orders_accepted));
                self.orders.push((id.clone(), order));
                Ok(id)
            }
            Err(reject) => {
                self.rejected.push((order, reject.clone()));
                Err(reject)
            }
        }
    }

    fn cancel_order(&mut self, order_id: &OrderId) -> Result<(), String> {
        if self.order(order_id).is_none() {
            return Err(format!("unknown order {order_id}"));
        }
        self.cancels.push(order_id.clone());
        Ok(())
    }

    /// Records a cancel of every accepted order not cancelled yet (the mock does not know which
    /// have filled: a test that cares sets up only working ones).
    fn cancel_all_orders(&mut self) -> u32 {
        let pending: Vec<OrderId> = self
            .orders
            .iter()
            .map(|(id, _)| id.clone())
            .filter(|id| !self.cancels.contains(id))
            .collect();
        let count = u32::try_from(pending.len()).unwrap_or(u32::MAX);
        self.cancels.extend(pending);
        count
    }

    fn amend_order(&mut self, order_id: &OrderId, qty: Decimal, limit_price: Option<Decimal>) -> Result<(), String> {
        if self.order(order_id).is_none() {
            return Err(format!("unknown order {order_id}"));
        }
        self.amends.push(Amend {
            order_id: order_id.clone(),
            qty,
            limit_price,
        });
        Ok(())
    }

    fn emit_decision(&mut self, decision: Decision) {
        self.decisions.push(decision);
    }

    fn decisions_wanted(&mut self) -> bool {
        !self.drops_decisions
    }
}
