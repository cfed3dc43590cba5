//! The JSON text of every WebSocket v2 request: subscriptions, orders, the dead-man switch and
//! pings.
//!
//! Each builder takes a typed request and returns the text to send; it cannot fail. Every
//! request carries a `req_id`, which Kraken echoes in its answer, so the adapter can match
//! answers to requests. Decimals are written as JSON numbers with their own digits
//! (`1.25000000`), symbols in Kraken v2's spelling (which is the host's, `BTC/USD`).
//!
//! The [`Token`] is a secret: its `Debug` is redacted and it is written only into the request
//! text built here.

use rust_decimal::Decimal;
use trading::market::{Side, Symbol};

use super::book::BookDepth;
use super::json_out::JsonObject;
use super::orders::TimeInForce;

/// A WebSocket token from `GetWebSocketsToken`. Get a fresh one for every connection.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// Wraps a token's text.
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The token's text, for the request builders only.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// A public channel to subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicSubscription {
    /// `book` at `depth`, for `symbols`.
    Book {
        /// The symbols.
        symbols: Vec<Symbol>,
        /// Levels per side.
        depth: BookDepth,
        /// Whether to start with a snapshot (Kraken's default: yes).
        snapshot: bool,
    },
    /// `trade`.
    Trade {
        /// The symbols.
        symbols: Vec<Symbol>,
        /// Whether to start with the last 50 trades.
        snapshot: bool,
    },
    /// `ticker`.
    Ticker {
        /// The symbols.
        symbols: Vec<Symbol>,
        /// Whether to start with a snapshot.
        snapshot: bool,
    },
    /// `ohlc` candles of `interval_minutes` (1, 5, 15, 30, 60, 240, 1440, 10080, 21600).
    Ohlc {
        /// The symbols.
        symbols: Vec<Symbol>,
        /// The candle length in minutes.
        interval_minutes: u32,
        /// Whether to start with a snapshot.
        snapshot: bool,
    },
    /// `instrument`: every asset and pair.
    Instrument {
        /// Whether to start with a snapshot.
        snapshot: bool,
    },
}

/// A private channel to subscribe to (needs a [`Token`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivateSubscription {
    /// `executions`.
    Executions {
        /// Whether the snapshot includes open orders (Kraken's default: yes).
        snap_orders: bool,
        /// Whether the snapshot includes the last 50 fills (Kraken's default: no).
        snap_trades: bool,
        /// Whether to stream the pair rate counter (Kraken's default: no).
        ratecounter: bool,
    },
    /// `balances`.
    Balances {
        /// Whether to start with a snapshot.
        snapshot: bool,
    },
}

/// What an order is: the type and the fields only that type has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderKind {
    /// A limit order.
    Limit {
        /// The limit price.
        limit_price: Decimal,
        /// Whether it must rest (rejected if it would take).
        post_only: bool,
    },
    /// A market order.
    Market,
    /// `stop-loss`: a market order once the last trade reaches `trigger` (a buy at or above
    /// it, a sell at or below).
    StopLoss {
        /// The trigger price.
        trigger: Decimal,
    },
    /// `stop-loss-limit`: a limit order at `limit_price` once the last trade reaches `trigger`.
    StopLossLimit {
        /// The trigger price.
        trigger: Decimal,
        /// The limit price once triggered.
        limit_price: Decimal,
    },
}

impl OrderKind {
    /// Kraken's `order_type`.
    pub fn order_type(&self) -> &'static str {
        match self {
            OrderKind::Limit { .. } => "limit",
            OrderKind::Market => "market",
            OrderKind::StopLoss { .. } => "stop-loss",
            OrderKind::StopLossLimit { .. } => "stop-loss-limit",
        }
    }

    /// The limit price, for the kinds that have one.
    pub fn limit_price(&self) -> Option<Decimal> {
        match *self {
            OrderKind::Limit { limit_price, .. } | OrderKind::StopLossLimit { limit_price, .. } => Some(limit_price),
            OrderKind::Market | OrderKind::StopLoss { .. } => None,
        }
    }

    /// The trigger price, for stops.
    pub fn trigger(&self) -> Option<Decimal> {
        match *self {
            OrderKind::StopLoss { trigger } | OrderKind::StopLossLimit { trigger, .. } => Some(trigger),
            OrderKind::Market | OrderKind::Limit { .. } => None,
        }
    }
}

/// An `add_order` request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddOrder {
    /// The symbol.
    pub symbol: Symbol,
    /// Buy or sell.
    pub side: Side,
    /// The quantity in the base asset.
    pub order_qty: Decimal,
    /// Limit or market, with the limit's fields.
    pub kind: OrderKind,
    /// Time in force; Kraken's default is GTC.
    pub time_in_force: Option<TimeInForce>,
    /// Whether the order may only reduce a position.
    pub reduce_only: bool,
    /// The client order id (unique among open orders: a UUID, 32 hex digits, or ≤ 18 chars).
    /// Always send one: it is how an order is found after an unknown outcome.
    pub cl_ord_id: Option<String>,
    /// Whether Kraken only validates the order (places nothing; `order_id` comes back empty).
    pub validate: bool,
}

/// Which order a request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderRef {
    /// Kraken's order id.
    OrderId(String),
    /// The client order id.
    ClOrdId(String),
}

/// An `amend_order` request: changes an order in place, keeping its ids and, where possible,
/// its queue priority.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendOrder {
    /// The order.
    pub order: OrderRef,
    /// The new quantity (below the filled quantity, the rest is canceled).
    pub order_qty: Decimal,
    /// The new limit price, if it changes.
    pub limit_price: Option<Decimal>,
    /// Whether the amended order must rest, if that is to be set.
    pub post_only: Option<bool>,
}

/// The orders a `cancel_order` request cancels: one kind of id only, as Kraken requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOrders {
    /// By Kraken order id.
    OrderIds(Vec<String>),
    /// By client order id.
    ClOrdIds(Vec<String>),
    /// By `order_userref` (every order with that ref).
    OrderUserrefs(Vec<i64>),
}

/// `subscribe` to a public channel.
pub fn subscribe(subscription: &PublicSubscription, req_id: u64) -> String {
    request("subscribe", public_params(subscription, true), req_id)
}

/// `unsubscribe` from a public channel.
pub fn unsubscribe(subscription: &PublicSubscription, req_id: u64) -> String {
    request("unsubscribe", public_params(subscription, false), req_id)
}

/// `subscribe` to a private channel.
pub fn subscribe_private(subscription: &PrivateSubscription, token: &Token, req_id: u64) -> String {
    request("subscribe", private_params(subscription, token, true), req_id)
}

/// `unsubscribe` from a private channel.
pub fn unsubscribe_private(subscription: &PrivateSubscription, token: &Token, req_id: u64) -> String {
    request("unsubscribe", private_params(subscription, token, false), req_id)
}

/// `add_order`.
pub fn add_order(order: &AddOrder, token: &Token, req_id: u64) -> String {
    let mut params = JsonObject::new();
    params
        .str("order_type", order.kind.order_type())
        .str("side", side(order.side))
        .decimal("order_qty", order.order_qty)
        .str("symbol", order.symbol.as_str());
    if let Some(limit_price) = order.kind.limit_price() {
        params.decimal("limit_price", limit_price);
    }
    if let OrderKind::Limit { post_only: true, .. } = order.kind {
        params.bool("post_only", true);
    }
    if let Some(trigger) = order.kind.trigger() {
        // On the last trade, at a fixed price: what a stop means to the host.
        let mut triggers = JsonObject::new();
        triggers
            .str("reference", "last")
            .decimal("price", trigger)
            .str("price_type", "static");
        params.object("triggers", triggers);
    }
    if let Some(tif) = order.time_in_force {
        params.str("time_in_force", tif.as_str());
    }
    if order.reduce_only {
        params.bool("reduce_only", true);
    }
    if let Some(cl_ord_id) = &order.cl_ord_id {
        params.str("cl_ord_id", cl_ord_id);
    }
    if order.validate {
        params.bool("validate", true);
    }
    params.str("token", token.expose());
    request("add_order", params, req_id)
}

/// `amend_order`.
pub fn amend_order(amend: &AmendOrder, token: &Token, req_id: u64) -> String {
    let mut params = JsonObject::new();
    match &amend.order {
        OrderRef::OrderId(id) => params.str("order_id", id),
        OrderRef::ClOrdId(id) => params.str("cl_ord_id", id),
    };
    params.decimal("order_qty", amend.order_qty);
    if let Some(price) = amend.limit_price {
        params.decimal("limit_price", price);
    }
    if let Some(post_only) = amend.post_only {
        params.bool("post_only", post_only);
    }
    params.str("token", token.expose());
    request("amend_order", params, req_id)
}

/// `cancel_order`; Kraken answers once per order.
pub fn cancel_order(orders: &CancelOrders, token: &Token, req_id: u64) -> String {
    let mut params = JsonObject::new();
    match orders {
        CancelOrders::OrderIds(ids) => params.strs("order_id", ids.iter().map(String::as_str)),
        CancelOrders::ClOrdIds(ids) => params.strs("cl_ord_id", ids.iter().map(String::as_str)),
        CancelOrders::OrderUserrefs(refs) => params.i64s("order_userref", refs),
    };
    params.str("token", token.expose());
    request("cancel_order", params, req_id)
}

/// `cancel_all`: every open order of the account.
pub fn cancel_all(token: &Token, req_id: u64) -> String {
    let mut params = JsonObject::new();
    params.str("token", token.expose());
    request("cancel_all", params, req_id)
}

/// `cancel_all_orders_after`: the dead-man switch. Cancels every order `timeout_secs` from now
/// unless called again; 0 disarms it. Kraken wants under 86400; call every 15–30 s with 60.
pub fn cancel_all_orders_after(timeout_secs: u32, token: &Token, req_id: u64) -> String {
    let mut params = JsonObject::new();
    params
        .u64("timeout", u64::from(timeout_secs))
        .str("token", token.expose());
    request("cancel_all_orders_after", params, req_id)
}

/// `ping`; Kraken answers with a `pong` echoing `req_id`.
pub fn ping(req_id: u64) -> String {
    let mut out = JsonObject::new();
    out.str("method", "ping").u64("req_id", req_id);
    out.finish()
}

fn request(method: &str, params: JsonObject, req_id: u64) -> String {
    let mut out = JsonObject::new();
    out.str("method", method).object("params", params).u64("req_id", req_id);
    out.finish()
}

fn side(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

fn public_params(subscription: &PublicSubscription, subscribing: bool) -> JsonObject {
    let mut params = JsonObject::new();
    let symbols = |params: &mut JsonObject, symbols: &[Symbol]| {
        params.strs("symbol", symbols.iter().map(Symbol::as_str));
    };
    let (channel, snapshot) = match subscription {
        PublicSubscription::Book { snapshot, .. } => ("book", *snapshot),
        PublicSubscription::Trade { snapshot, .. } => ("trade", *snapshot),
        PublicSubscription::Ticker { snapshot, .. } => ("ticker", *snapshot),
        PublicSubscription::Ohlc { snapshot, .. } => ("ohlc", *snapshot),
        PublicSubscription::Instrument { snapshot } => ("instrument", *snapshot),
    };
    params.str("channel", channel);
    match subscription {
        PublicSubscription::Book {
            symbols: list, depth, ..
        } => {
            symbols(&mut params, list);
            params.u64("depth", u64::from(depth.levels()));
        }
        PublicSubscription::Trade { symbols: list, .. } | PublicSubscription::Ticker { symbols: list, .. } => {
            symbols(&mut params, list);
        }
        PublicSubscription::Ohlc {
            symbols: list,
            interval_minutes,
            ..
        } => {
            symbols(&mut params, list);
            params.u64("interval", u64::from(*interval_minutes));
        }
        PublicSubscription::Instrument { .. } => {}
    }
    // Snapshot flags mean nothing to an unsubscribe.
    if subscribing {
        params.bool("snapshot", snapshot);
    }
    params
}

fn private_params(subscription: &PrivateSubscription, token: &Token, subscribing: bool) -> JsonObject {
    let mut params = JsonObject::new();
    match subscription {
        PrivateSubscription::Executions {
            snap_orders,
            snap_trades,
            ratecounter,
        } => {
            params.str("channel", "executions");
            if subscribing {
                params
                    .bool("snap_orders", *snap_orders)
                    .bool("snap_trades", *snap_trades)
                    .bool("ratecounter", *ratecounter);
            }
        }
        PrivateSubscription::Balances { snapshot } => {
            params.str("channel", "balances");
            if subscribing {
                params.bool("snapshot", *snapshot);
            }
        }
    }
    params.str("token", token.expose());
    params
}

#[cfg(test)]
mod tests;
