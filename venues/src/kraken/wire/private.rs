//! Messages of the authenticated socket (`wss://ws-auth.kraken.com/v2`): `executions`,
//! `balances`, the answers to order methods, and the [`ControlMessage`]s both sockets share.
//!
//! Entry point: [`parse_private`]. Executions are sparse: which fields are present depends on
//! `exec_type`, so all but `exec_type`, `order_id` and `timestamp` are optional. Order states
//! are closed enums: a state this version does not know is a [`WireError`], not a guess, so
//! the adapter reconciles instead of misreading an order.

use rust_decimal::Decimal;
use serde::Deserialize;
use trading::market::{Side, Symbol, TimeMs};

use super::control::{ControlMessage, Response};
use super::envelope::{Envelope, Feed, FeedKind, Topic};
use super::error::WireError;
use super::orders::{ExecType, Liquidity, OrderStatus, OrderType, TimeInForce};
use super::symbols::{de_asset, de_opt_ws_symbol};
use super::time::{rfc3339, rfc3339_or_zero};
use crate::kit::decimal::{decimal, opt_decimal};
use crate::kit::wire_enum;

/// A message of the authenticated socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrivateMessage {
    /// `executions`: order states and fills (snapshot: open orders and, if asked, last fills).
    Executions(Feed<Vec<Execution>>),
    /// `balances` snapshot: every asset's balance.
    Balances(Feed<Vec<Balance>>),
    /// `balances` update: ledger entries, each with the asset's new balance.
    Ledger(Feed<Vec<LedgerEntry>>),
    /// The answer to `add_order`.
    AddOrder(Response<AddOrderAck>),
    /// The answer to `amend_order`.
    AmendOrder(Response<AmendOrderAck>),
    /// One answer per order to `cancel_order`.
    CancelOrder(Response<CancelOrderAck>),
    /// The answer to `cancel_all`.
    CancelAll(Response<CancelAllAck>),
    /// The answer to `cancel_all_orders_after` (the dead-man switch).
    CancelAllOrdersAfter(Response<CancelAfterAck>),
    /// Heartbeats, status, subscription answers, pongs, and anything unknown.
    Control(ControlMessage),
}

/// Parses one text frame of the authenticated socket.
///
/// # Errors
/// As [`super::parse_public`]: [`WireError::NotAMessage`] for text that is no message,
/// [`WireError::Field`] naming the field of a known message that is missing or mistyped.
pub fn parse_private(text: &str) -> Result<PrivateMessage, WireError> {
    let envelope = Envelope::parse(text)?;
    match envelope.topic() {
        Topic::Channel("executions") => envelope.feed("executions").map(PrivateMessage::Executions),
        Topic::Channel("balances") => match envelope.kind {
            Some(FeedKind::Update) => envelope.feed("balances").map(PrivateMessage::Ledger),
            _ => envelope.feed("balances").map(PrivateMessage::Balances),
        },
        Topic::Method("add_order") => envelope.response("add_order").map(PrivateMessage::AddOrder),
        Topic::Method("amend_order") => envelope.response("amend_order").map(PrivateMessage::AmendOrder),
        Topic::Method("cancel_order") => envelope.response("cancel_order").map(PrivateMessage::CancelOrder),
        Topic::Method("cancel_all") => envelope.response("cancel_all").map(PrivateMessage::CancelAll),
        Topic::Method("cancel_all_orders_after") => envelope
            .response("cancel_all_orders_after")
            .map(PrivateMessage::CancelAllOrdersAfter),
        _ => envelope.control().map(PrivateMessage::Control),
    }
}

/// A fee charged on a fill.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Fee {
    /// The asset, normalized.
    #[serde(deserialize_with = "de_asset")]
    pub asset: String,
    /// The amount.
    #[serde(deserialize_with = "decimal")]
    pub qty: Decimal,
}

/// One `executions` entry: an event on one of the account's orders.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Execution {
    /// What happened.
    pub exec_type: ExecType,
    /// Kraken's order id.
    pub order_id: String,
    /// The client order id, if the order had one.
    #[serde(default)]
    pub cl_ord_id: Option<String>,
    /// The client's `order_userref`, if set.
    #[serde(default)]
    pub order_userref: Option<i64>,
    /// This execution's id (fills).
    #[serde(default)]
    pub exec_id: Option<String>,
    /// The trade id, sequential per pair (fills).
    #[serde(default)]
    pub trade_id: Option<u64>,
    /// The symbol.
    #[serde(default, deserialize_with = "de_opt_ws_symbol")]
    pub symbol: Option<Symbol>,
    /// The order's side.
    #[serde(default)]
    pub side: Option<Side>,
    /// The order's type.
    #[serde(default)]
    pub order_type: Option<OrderType>,
    /// The order's quantity.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub order_qty: Option<Decimal>,
    /// The order's limit price.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub limit_price: Option<Decimal>,
    /// The order's state after this event.
    #[serde(default)]
    pub order_status: Option<OrderStatus>,
    /// Time in force.
    #[serde(default)]
    pub time_in_force: Option<TimeInForce>,
    /// Whether the order is post-only.
    #[serde(default)]
    pub post_only: Option<bool>,
    /// Whether the order is reduce-only.
    #[serde(default)]
    pub reduce_only: Option<bool>,
    /// This fill's quantity.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub last_qty: Option<Decimal>,
    /// This fill's price.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub last_price: Option<Decimal>,
    /// This fill's cost (quote asset).
    #[serde(default, deserialize_with = "opt_decimal")]
    pub cost: Option<Decimal>,
    /// Filled so far.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub cum_qty: Option<Decimal>,
    /// Cost so far.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub cum_cost: Option<Decimal>,
    /// Average fill price so far.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub avg_price: Option<Decimal>,
    /// Maker or taker (fills).
    #[serde(default)]
    pub liquidity_ind: Option<Liquidity>,
    /// This fill's fees.
    #[serde(default)]
    pub fees: Vec<Fee>,
    /// Fees so far in USD.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub fee_usd_equiv: Option<Decimal>,
    /// Why the order was canceled, expired or restated.
    #[serde(default)]
    pub reason: Option<String>,
    /// Whether the order was ever amended.
    #[serde(default)]
    pub amended: Option<bool>,
    /// When it happened.
    #[serde(deserialize_with = "rfc3339")]
    pub timestamp: TimeMs,
}

/// One asset's balance in a `balances` snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Balance {
    /// The asset, normalized.
    #[serde(deserialize_with = "de_asset")]
    pub asset: String,
    /// The total across wallets.
    #[serde(deserialize_with = "decimal")]
    pub balance: Decimal,
    /// Per-wallet balances, where Kraken splits them.
    #[serde(default)]
    pub wallets: Vec<Wallet>,
}

/// One wallet's balance.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Wallet {
    /// The wallet's kind (`spot`, `earn`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The wallet's id (`main`).
    pub id: String,
    /// Its balance.
    #[serde(deserialize_with = "decimal")]
    pub balance: Decimal,
}

wire_enum! {
    /// A ledger entry's type.
    pub open enum LedgerType {
        /// A trade.
        Trade = "trade",
        /// A deposit.
        Deposit = "deposit",
        /// A withdrawal.
        Withdrawal = "withdrawal",
        /// A transfer between wallets or accounts.
        Transfer = "transfer",
        /// A margin trade.
        Margin = "margin",
        /// A margin rollover.
        Rollover = "rollover",
        /// A credit.
        Credit = "credit",
        /// An adjustment.
        Adjustment = "adjustment",
        /// Staking.
        Staking = "staking",
        /// A sale.
        Sale = "sale",
        /// A conversion.
        Conversion = "conversion",
        /// A settlement.
        Settled = "settled",
    }
}

/// One `balances` update: a ledger entry and the asset's balance after it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LedgerEntry {
    /// The asset, normalized.
    #[serde(deserialize_with = "de_asset")]
    pub asset: String,
    /// The signed amount of this entry.
    #[serde(deserialize_with = "decimal")]
    pub amount: Decimal,
    /// The asset's balance after it.
    #[serde(deserialize_with = "decimal")]
    pub balance: Decimal,
    /// The fee charged with it.
    #[serde(default, deserialize_with = "opt_decimal")]
    pub fee: Option<Decimal>,
    /// The ledger entry's id.
    pub ledger_id: String,
    /// The id of what caused it (a trade id, for trades).
    pub ref_id: String,
    /// The entry's type.
    #[serde(rename = "type")]
    pub kind: LedgerType,
    /// The entry's subtype, where set.
    #[serde(default)]
    pub subtype: Option<String>,
    /// The wallet's kind, where set.
    #[serde(default)]
    pub wallet_type: Option<String>,
    /// The wallet's id, where set.
    #[serde(default)]
    pub wallet_id: Option<String>,
    /// When it was booked.
    #[serde(deserialize_with = "rfc3339")]
    pub timestamp: TimeMs,
}

/// `add_order`'s result. With `validate: true`, `order_id` is empty and nothing was placed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AddOrderAck {
    /// Kraken's order id.
    pub order_id: String,
    /// The client order id, echoed.
    #[serde(default)]
    pub cl_ord_id: Option<String>,
    /// The `order_userref`, echoed.
    #[serde(default)]
    pub order_userref: Option<i64>,
    /// Non-fatal warnings.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// `amend_order`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AmendOrderAck {
    /// The amend's own id.
    pub amend_id: String,
    /// The order id, when the amend named it.
    #[serde(default)]
    pub order_id: Option<String>,
    /// The client order id, when the amend named it.
    #[serde(default)]
    pub cl_ord_id: Option<String>,
    /// Non-fatal warnings.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// `cancel_order`'s result for one order.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CancelOrderAck {
    /// The canceled order's id.
    pub order_id: String,
    /// Its client order id, if any.
    #[serde(default)]
    pub cl_ord_id: Option<String>,
    /// Non-fatal warnings.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// `cancel_all`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CancelAllAck {
    /// How many orders were canceled.
    pub count: u64,
    /// Non-fatal warnings.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// `cancel_all_orders_after`'s result: when the engine received it and when it will cancel
/// everything unless called again.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CancelAfterAck {
    /// The engine's time (`currentTime`).
    #[serde(rename = "currentTime", deserialize_with = "rfc3339")]
    pub current_time: TimeMs,
    /// When all orders will be canceled (`triggerTime`); `None` (`"0"`) once `timeout: 0`
    /// disarmed the switch.
    #[serde(rename = "triggerTime", deserialize_with = "rfc3339_or_zero")]
    pub trigger_time: Option<TimeMs>,
    /// Non-fatal warnings.
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests;
