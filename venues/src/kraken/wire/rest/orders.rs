//! REST's order and trade shapes (`AddOrder`, `QueryOrders`, `OpenOrders`, `TradesHistory`) and
//! the WebSocket token (`GetWebSocketsToken`), with their parsers.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use trading::market::{Side, TimeMs};

use super::super::orders::OrderType;
use super::super::requests::Token;
use super::super::time::{opt_unix_seconds, unix_seconds};
use super::envelope::{parse_result, RestError};
use crate::kit::decimal::{decimal, opt_decimal};
use crate::kit::wire_enum;

/// `GetWebSocketsToken`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WebSocketsToken {
    /// The token.
    #[serde(deserialize_with = "de_token")]
    pub token: Token,
    /// Seconds within which to use it (900); once a private subscription is made on it, it
    /// lasts as long as the connection.
    pub expires: u64,
}

fn de_token<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Token, D::Error> {
    String::deserialize(deserializer).map(Token::new)
}

/// `AddOrder`'s result. With `validate`, `txid` is absent (empty here) and nothing was placed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AddOrderResult {
    /// The placed order's id (one, for a single order).
    #[serde(default, rename = "txid")]
    pub txids: Vec<String>,
    /// Kraken's description of it.
    pub descr: OrderDescription,
}

/// `AddOrder`'s description of the order it placed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct OrderDescription {
    /// The order in words (`buy 1.25 XBTUSD @ limit 37500`).
    pub order: String,
    /// The conditional close, in words, if any.
    #[serde(default)]
    pub close: Option<String>,
}

wire_enum! {
    /// A REST order's state.
    pub enum RestOrderStatus {
        /// Not yet entered into the book.
        Pending = "pending",
        /// In the book.
        Open = "open",
        /// Fully filled.
        Closed = "closed",
        /// Canceled.
        Canceled = "canceled",
        /// Expired.
        Expired = "expired",
    }
}

/// A REST order's `descr`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RestOrderDescription {
    /// The REST pair name (`XBTUSD`): resolve with [`super::super::PairDirectory`].
    pub pair: String,
    /// The side.
    #[serde(rename = "type")]
    pub side: Side,
    /// The order type.
    pub ordertype: OrderType,
    /// The limit (or trigger) price.
    #[serde(deserialize_with = "decimal")]
    pub price: Decimal,
    /// The secondary price.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub price2: Option<Decimal>,
    /// The order in words.
    #[serde(default)]
    pub order: Option<String>,
}

/// One order as `QueryOrders` and `OpenOrders` describe it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RestOrder {
    /// The state.
    pub status: RestOrderStatus,
    /// The client order id, if set.
    #[serde(default)]
    pub cl_ord_id: Option<String>,
    /// The user reference, if set.
    #[serde(default)]
    pub userref: Option<i64>,
    /// When it was placed.
    #[serde(deserialize_with = "unix_seconds")]
    pub opentm: TimeMs,
    /// When it closed, if it did.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub closetm: Option<TimeMs>,
    /// When it is scheduled to start, if set.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub starttm: Option<TimeMs>,
    /// When it expires, if set.
    #[serde(default, deserialize_with = "opt_unix_seconds")]
    pub expiretm: Option<TimeMs>,
    /// The description.
    pub descr: RestOrderDescription,
    /// The quantity.
    #[serde(deserialize_with = "decimal")]
    pub vol: Decimal,
    /// The quantity filled.
    #[serde(deserialize_with = "decimal")]
    pub vol_exec: Decimal,
    /// The cost of the fills (quote asset).
    #[serde(deserialize_with = "decimal")]
    pub cost: Decimal,
    /// The fees so far.
    #[serde(deserialize_with = "decimal")]
    pub fee: Decimal,
    /// The average fill price.
    #[serde(deserialize_with = "decimal")]
    pub price: Decimal,
    /// Comma-separated flags (`post`, `fciq`, …).
    #[serde(default)]
    pub oflags: String,
    /// Why it closed, if it did.
    #[serde(default)]
    pub reason: Option<String>,
    /// The ids of its trades, when asked for.
    #[serde(default)]
    pub trades: Vec<String>,
}

#[derive(Deserialize)]
struct OpenOrders {
    open: BTreeMap<String, RestOrder>,
}

/// One of the account's trades, as `TradesHistory` describes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RestTrade {
    /// The order's id.
    pub ordertxid: String,
    /// The REST pair name.
    pub pair: String,
    /// When it traded.
    #[serde(deserialize_with = "unix_seconds")]
    pub time: TimeMs,
    /// The side.
    #[serde(rename = "type")]
    pub side: Side,
    /// The order's type.
    pub ordertype: OrderType,
    /// The price.
    #[serde(deserialize_with = "decimal")]
    pub price: Decimal,
    /// The cost (quote asset).
    #[serde(deserialize_with = "decimal")]
    pub cost: Decimal,
    /// The fee.
    #[serde(deserialize_with = "decimal")]
    pub fee: Decimal,
    /// The quantity.
    #[serde(deserialize_with = "decimal")]
    pub vol: Decimal,
    /// The public trade id (the `trade_id` of WebSocket `executions`).
    #[serde(default)]
    pub trade_id: Option<u64>,
    /// Whether this side made liquidity.
    #[serde(default)]
    pub maker: Option<bool>,
}

/// `TradesHistory`'s result: one page of trades by trade txid.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TradesHistory {
    /// The trades, by txid.
    pub trades: BTreeMap<String, RestTrade>,
    /// How many trades match in total (all pages).
    pub count: u64,
}

/// Parses `GetWebSocketsToken`'s response.
///
/// # Errors
/// [`RestError::Kraken`] for Kraken's errors, [`RestError::Wire`] naming a bad field.
pub fn parse_websockets_token(text: &str) -> Result<WebSocketsToken, RestError> {
    parse_result("GetWebSocketsToken", text)
}

/// Parses `AddOrder`'s response.
///
/// # Errors
/// As [`parse_websockets_token`].
pub fn parse_add_order(text: &str) -> Result<AddOrderResult, RestError> {
    parse_result("AddOrder", text)
}

/// Parses `QueryOrders`' response: orders by txid.
///
/// # Errors
/// As [`parse_websockets_token`].
pub fn parse_query_orders(text: &str) -> Result<BTreeMap<String, RestOrder>, RestError> {
    parse_result("QueryOrders", text)
}

/// Parses `OpenOrders`' response: open orders by txid.
///
/// # Errors
/// As [`parse_websockets_token`].
pub fn parse_open_orders(text: &str) -> Result<BTreeMap<String, RestOrder>, RestError> {
    parse_result::<OpenOrders>("OpenOrders", text).map(|orders| orders.open)
}

/// Parses `TradesHistory`' response.
///
/// # Errors
/// As [`parse_websockets_token`].
pub fn parse_trades_history(text: &str) -> Result<TradesHistory, RestError> {
    parse_result("TradesHistory", text)
}

#[cfg(test)]
mod tests;
