//! The one account the local exchange keeps: balances (free and locked per asset), its orders
//! and its trades, and the JSON Binance writes for each (`order.status` results, REST orders,
//! `myTrades`, `executionReport`, `outboundAccountPosition`). Matching lives in `orders.rs`,
//! stop orders' triggers in `stops.rs`, the keep-priority amend in `amend.rs`.
//!
//! An order is *working* (on the book: `w`, `isWorking`, `W`, `workingTime`) from its
//! placement, except a stop, which works from the moment it is triggered; until then Binance
//! writes `"w": false`, no `W`, and `"workingTime": -1`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde_json::{json, Value};

use crate::wire::num;

/// Buy or sell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderSide {
    /// `BUY`.
    Buy,
    /// `SELL`.
    Sell,
}

impl OrderSide {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OrderSide::Buy => "BUY",
            OrderSide::Sell => "SELL",
        }
    }
}

/// The order types the local exchange matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    /// `LIMIT`.
    Limit,
    /// `LIMIT_MAKER`: post-only.
    LimitMaker,
    /// `MARKET`.
    Market,
    /// `STOP_LOSS`: a market order once its stop price is reached.
    StopLoss,
    /// `STOP_LOSS_LIMIT`: a limit order once its stop price is reached.
    StopLossLimit,
}

impl OrderKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OrderKind::Limit => "LIMIT",
            OrderKind::LimitMaker => "LIMIT_MAKER",
            OrderKind::Market => "MARKET",
            OrderKind::StopLoss => "STOP_LOSS",
            OrderKind::StopLossLimit => "STOP_LOSS_LIMIT",
        }
    }

    /// Whether it waits for a stop price.
    pub fn is_stop(self) -> bool {
        matches!(self, OrderKind::StopLoss | OrderKind::StopLossLimit)
    }

    /// What it trades as once working: a stop as the market or limit order it becomes.
    pub fn execution(self) -> OrderKind {
        match self {
            OrderKind::StopLoss => OrderKind::Market,
            OrderKind::StopLossLimit => OrderKind::Limit,
            other => other,
        }
    }
}

/// A stop order's trigger: its stop price, and when the market reached it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stop {
    /// `stopPrice`.
    pub price: Decimal,
    /// When it was triggered (exchange ms); `None` while it waits.
    pub triggered_ms: Option<i64>,
}

/// Time in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tif {
    /// Good till cancelled.
    Gtc,
    /// Immediate or cancel: what does not trade at once expires.
    Ioc,
    /// Fill or kill: all at once or nothing.
    Fok,
}

impl Tif {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Tif::Gtc => "GTC",
            Tif::Ioc => "IOC",
            Tif::Fok => "FOK",
        }
    }
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    /// Working, nothing traded.
    New,
    /// Working, part traded.
    PartiallyFilled,
    /// All traded.
    Filled,
    /// Cancelled by a request.
    Canceled,
    /// Off the book at the end of its time in force (or a market order out of liquidity).
    Expired,
}

impl OrderStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            OrderStatus::New => "NEW",
            OrderStatus::PartiallyFilled => "PARTIALLY_FILLED",
            OrderStatus::Filled => "FILLED",
            OrderStatus::Canceled => "CANCELED",
            OrderStatus::Expired => "EXPIRED",
        }
    }

    /// Whether the order still works.
    pub fn is_open(self) -> bool {
        matches!(self, OrderStatus::New | OrderStatus::PartiallyFilled)
    }
}

/// One order of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Binance's order id.
    pub order_id: u64,
    /// The symbol (`BTCUSDT`).
    pub symbol: String,
    /// The client order id (`newClientOrderId`, or one the exchange made up).
    pub client_order_id: String,
    /// Buy or sell.
    pub side: OrderSide,
    /// Its type.
    pub kind: OrderKind,
    /// Its time in force (GTC for types without one).
    pub tif: Tif,
    /// The limit price (zero for a market order and a stop-loss).
    pub price: Decimal,
    /// The quantity ordered.
    pub qty: Decimal,
    /// How much traded.
    pub executed: Decimal,
    /// The quote value of what traded.
    pub cum_quote: Decimal,
    /// Where it stands.
    pub status: OrderStatus,
    /// When it was placed (exchange ms).
    pub time_ms: i64,
    /// When it last changed.
    pub update_ms: i64,
    /// The trigger of a stop order.
    pub stop: Option<Stop>,
    /// The order an `order.cancelReplace` cancelled to place this one (which keeps its client
    /// order id), `None` for an order placed as new: a client order id placed twice is a
    /// duplicate, one carried on by a replace is not.
    pub replaces: Option<u64>,
    /// The quote (buy) or base (sell) still locked for it.
    pub(crate) locked: Decimal,
    /// Its place in the queue at its price: set when it starts working, kept by an amend.
    pub(crate) queue: u64,
    /// Keep-priority amends it has had, against MAX_NUM_ORDER_AMENDS.
    pub(crate) amends: u32,
}

impl Order {
    /// What is left to trade.
    pub fn remaining(&self) -> Decimal {
        self.qty - self.executed
    }

    /// Whether it is a stop that has not been triggered: off the book, matching nothing.
    pub fn awaits_trigger(&self) -> bool {
        self.stop.is_some_and(|s| s.triggered_ms.is_none())
    }

    /// When it started working on the book, if it has.
    pub fn working_ms(&self) -> Option<i64> {
        match self.stop {
            Some(stop) => stop.triggered_ms,
            None => Some(self.time_ms),
        }
    }

    fn stop_price(&self) -> Decimal {
        self.stop.map_or(Decimal::ZERO, |s| s.price)
    }
}

/// One trade of the account, as `myTrades` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountTrade {
    /// The symbol's trade id (the public trade's).
    pub id: u64,
    /// The symbol.
    pub symbol: String,
    /// The order that traded.
    pub order_id: u64,
    /// Price.
    pub price: Decimal,
    /// Quantity.
    pub qty: Decimal,
    /// The fee.
    pub commission: Decimal,
    /// The fee's asset (the asset received).
    pub commission_asset: String,
    /// When (exchange ms).
    pub time_ms: i64,
    /// Whether the account bought.
    pub is_buyer: bool,
    /// Whether the account's order rested (made the market).
    pub is_maker: bool,
}

/// One asset's balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Balance {
    /// Available.
    pub free: Decimal,
    /// Held by open orders.
    pub locked: Decimal,
}

/// The account.
#[derive(Debug)]
pub(crate) struct Account {
    pub(crate) balances: BTreeMap<String, Balance>,
    pub(crate) orders: BTreeMap<u64, Order>,
    pub(crate) trades: Vec<AccountTrade>,
    pub(crate) next_order_id: u64,
    /// The next `executionId` (`I`), unique across the account's executions.
    next_execution_id: u64,
    /// The next place in a price's queue.
    next_queue: u64,
    pub(crate) fee_rate: Decimal,
}

impl Account {
    pub(crate) fn new(balances: &[(String, Decimal)], fee_rate: Decimal) -> Self {
        Self {
            balances: balances
                .iter()
                .map(|(asset, free)| {
                    (
                        asset.clone(),
                        Balance {
                            free: *free,
                            locked: Decimal::ZERO,
                        },
                    )
                })
                .collect(),
            orders: BTreeMap::new(),
            trades: Vec::new(),
            // Binance's ids are large; a test confusing an id with a count shows.
            next_order_id: 5_000_000,
            next_execution_id: 1,
            next_queue: 1,
            fee_rate,
        }
    }

    /// A fresh `executionId`.
    pub(crate) fn execution_id(&mut self) -> u64 {
        let id = self.next_execution_id;
        self.next_execution_id += 1;
        id
    }

    /// The back of the queue, for an order that starts working now.
    pub(crate) fn queue_place(&mut self) -> u64 {
        let place = self.next_queue;
        self.next_queue += 1;
        place
    }

    pub(crate) fn balance(&mut self, asset: &str) -> &mut Balance {
        self.balances.entry(asset.to_owned()).or_default()
    }

    /// The order `order_id`, or else the newest order with client id `client_id`.
    pub(crate) fn find(&self, symbol: &str, order_id: Option<u64>, client_id: Option<&str>) -> Option<&Order> {
        match (order_id, client_id) {
            (Some(id), _) => self.orders.get(&id).filter(|o| o.symbol == symbol),
            (None, Some(client)) => self
                .orders
                .values()
                .rev()
                .find(|o| o.symbol == symbol && o.client_order_id == client),
            (None, None) => None,
        }
    }
}

/// An order as `order.status`, `openOrders.status` and REST `order` write it.
pub(crate) fn order_json(order: &Order, decimals: u32) -> Value {
    json!({
        "symbol": order.symbol, "orderId": order.order_id, "orderListId": -1,
        "clientOrderId": order.client_order_id,
        "price": num(order.price, decimals), "origQty": num(order.qty, decimals),
        "executedQty": num(order.executed, decimals), "cummulativeQuoteQty": num(order.cum_quote, decimals),
        "status": order.status.as_str(), "timeInForce": order.tif.as_str(), "type": order.kind.as_str(),
        "side": order.side.as_str(), "stopPrice": num(order.stop_price(), decimals),
        "icebergQty": num(Decimal::ZERO, decimals), "time": order.time_ms, "updateTime": order.update_ms,
        "isWorking": !order.awaits_trigger(), "workingTime": order.working_ms().unwrap_or(-1),
        "origQuoteOrderQty": num(Decimal::ZERO, decimals), "selfTradePreventionMode": "EXPIRE_MAKER"
    })
}

/// A trade as `myTrades` writes it.
pub(crate) fn trade_json(trade: &AccountTrade, decimals: u32) -> Value {
    json!({
        "symbol": trade.symbol, "id": trade.id, "orderId": trade.order_id, "orderListId": -1,
        "price": num(trade.price, decimals), "qty": num(trade.qty, decimals),
        "quoteQty": num(trade.price * trade.qty, decimals),
        "commission": num(trade.commission, decimals), "commissionAsset": trade.commission_asset,
        "time": trade.time_ms, "isBuyer": trade.is_buyer, "isMaker": trade.is_maker, "isBestMatch": true
    })
}

/// What an `executionReport` says beyond the order's state.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReportDetail<'a> {
    /// `x`: NEW, TRADE, CANCELED, EXPIRED, REPLACED.
    pub(crate) execution_type: &'a str,
    /// The trade this reports, if a fill.
    pub(crate) trade: Option<&'a AccountTrade>,
    /// For a cancel: the cancel request's own client id (`c`; `C` is then the order's).
    pub(crate) cancel_client_id: Option<&'a str>,
    /// For an amend: the client id the order had before (`C`; `c` is its new one).
    pub(crate) previous_client_id: Option<&'a str>,
}

/// An `executionReport` event; `execution_id` is its `I`.
pub(crate) fn execution_report(
    order: &Order,
    detail: &ReportDetail<'_>,
    now_ms: i64,
    execution_id: u64,
    decimals: u32,
) -> Value {
    let (c, big_c) = match (detail.cancel_client_id, detail.previous_client_id) {
        (Some(cancel), _) => (cancel.to_owned(), order.client_order_id.clone()),
        (None, Some(previous)) => (order.client_order_id.clone(), previous.to_owned()),
        (None, None) => (order.client_order_id.clone(), String::new()),
    };
    let zero = num(Decimal::ZERO, decimals);
    let (l, last_price, n, fee_asset, t, m, last_quote) = match detail.trade {
        Some(trade) => (
            num(trade.qty, decimals),
            num(trade.price, decimals),
            num(trade.commission, decimals),
            Value::String(trade.commission_asset.clone()),
            i64::try_from(trade.id).unwrap_or(i64::MAX),
            trade.is_maker,
            num(trade.price * trade.qty, decimals),
        ),
        None => (
            zero.clone(),
            zero.clone(),
            "0".to_owned(),
            Value::Null,
            -1,
            false,
            zero.clone(),
        ),
    };
    let mut report = json!({
        "e": "executionReport", "E": now_ms, "s": order.symbol, "c": c, "S": order.side.as_str(),
        "o": order.kind.as_str(), "f": order.tif.as_str(), "q": num(order.qty, decimals),
        "p": num(order.price, decimals), "P": num(order.stop_price(), decimals), "F": zero, "g": -1,
        "C": big_c, "x": detail.execution_type, "X": order.status.as_str(), "r": "NONE",
        "i": order.order_id, "l": l, "z": num(order.executed, decimals), "L": last_price, "n": n,
        "N": fee_asset, "T": now_ms, "t": t, "v": 1, "I": execution_id,
        "w": order.status.is_open() && !order.awaits_trigger(), "m": m, "M": false, "O": order.time_ms,
        "Z": num(order.cum_quote, decimals), "Y": last_quote, "Q": zero, "V": "EXPIRE_MAKER"
    });
    // `W` is there only once the order works on the book.
    if let (Some(working), Some(object)) = (order.working_ms(), report.as_object_mut()) {
        object.insert("W".into(), Value::from(working));
    }
    report
}

/// The account's status as `account.status` and REST `GET /api/v3/account` answer it: the
/// fields a client reads (balances, permissions, commissions), the balances of every asset or,
/// with `omit_zero`, of those holding something.
pub(crate) fn account_status(account: &Account, omit_zero: bool, now_ms: i64) -> Value {
    let balances: Vec<Value> = account
        .balances
        .iter()
        .filter(|(_, b)| !(omit_zero && b.free.is_zero() && b.locked.is_zero()))
        .map(|(asset, b)| json!({"asset": asset, "free": num(b.free, 8), "locked": num(b.locked, 8)}))
        .collect();
    json!({
        "makerCommission": 10, "takerCommission": 10, "buyerCommission": 0, "sellerCommission": 0,
        "canTrade": true, "canWithdraw": true, "canDeposit": true, "brokered": false,
        "requireSelfTradePrevention": false, "preventSor": false, "updateTime": now_ms,
        "accountType": "SPOT", "balances": balances, "permissions": ["SPOT"], "uid": 1
    })
}

/// An `outboundAccountPosition` event for `assets`.
pub(crate) fn account_position(account: &Account, assets: &[String], now_ms: i64) -> Value {
    let balances: Vec<Value> = assets
        .iter()
        .map(|asset| {
            let b = account.balances.get(asset).copied().unwrap_or_default();
            json!({"a": asset, "f": num(b.free, 8), "l": num(b.locked, 8)})
        })
        .collect();
    json!({"e": "outboundAccountPosition", "E": now_ms, "u": now_ms, "B": balances})
}
