//! User data events (user-data-stream.md), as the WebSocket API delivers them inside the
//! subscription wrapper: `executionReport`, `outboundAccountPosition`, `balanceUpdate` and
//! `eventStreamTerminated`.
//!
//! Entry point: [`UserDataEvent::parse`] (through [`super::parse_ws_api`]). Quantities and
//! prices are the exact decimals of their strings; times are UTC ms.

use std::borrow::Cow;

use rust_decimal::Decimal;
use serde::Deserialize;
use trading::market::TimeMs;

use super::enums::{ExecutionType, OrderSide, OrderStatus, OrderType, TimeInForce};
use super::error::{excerpt, parse_json, require_object, WireError};
use super::symbols::VenueSymbol;
use crate::kit::decimal::decimal_string;

/// One user data event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserDataEvent {
    /// An order changed: accepted, filled, cancelled, expired, rejected.
    ExecutionReport(Box<ExecutionReport>),
    /// Balances that changed, after an order event or a transfer.
    AccountPosition(AccountPosition),
    /// A deposit, withdrawal or transfer moved one asset's balance.
    BalanceUpdate(BalanceUpdate),
    /// The subscription ended (logout, `userDataStream.unsubscribe`, the session's key
    /// expired): nothing more arrives until the adapter subscribes again.
    EventStreamTerminated {
        /// When it ended.
        event_time: TimeMs,
    },
    /// An event this version does not read (`listStatus`, `externalLockUpdate`), by type.
    Unknown {
        /// Its `e`.
        event: String,
    },
}

impl UserDataEvent {
    /// Reads one event's JSON text; `path` is where it sits in its frame (`event`), for errors.
    ///
    /// # Errors
    /// [`WireError::Field`] when a known event has a missing or mistyped field.
    pub fn parse(text: &str, path: &str) -> Result<Self, WireError> {
        #[derive(Deserialize)]
        struct Tag<'a> {
            #[serde(borrow, rename = "e")]
            event: Cow<'a, str>,
        }
        #[derive(Deserialize)]
        struct Terminated {
            #[serde(rename = "E")]
            event_time: TimeMs,
        }
        let tag: Tag<'_> = parse_json("user data event", path, text)?;
        Ok(match tag.event.as_ref() {
            "executionReport" => UserDataEvent::ExecutionReport(parse_json("executionReport", path, text)?),
            "outboundAccountPosition" => {
                UserDataEvent::AccountPosition(parse_json("outboundAccountPosition", path, text)?)
            }
            "balanceUpdate" => UserDataEvent::BalanceUpdate(parse_json("balanceUpdate", path, text)?),
            "eventStreamTerminated" => UserDataEvent::EventStreamTerminated {
                event_time: parse_json::<Terminated>("eventStreamTerminated", path, text)?.event_time,
            },
            other => UserDataEvent::Unknown { event: excerpt(other) },
        })
    }
}

/// `executionReport`: one change of one order. Binance's one-letter names are kept beside
/// each field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ExecutionReport {
    /// `E`: event time.
    #[serde(rename = "E")]
    pub event_time: TimeMs,
    /// `s`: the symbol.
    #[serde(rename = "s")]
    pub symbol: VenueSymbol,
    /// `c`: the client order id (for a cancel: the cancel request's own id).
    #[serde(rename = "c")]
    pub client_order_id: String,
    /// `S`: the side.
    #[serde(rename = "S")]
    pub side: OrderSide,
    /// `o`: the order type.
    #[serde(rename = "o")]
    pub order_type: OrderType,
    /// `f`: time in force.
    #[serde(rename = "f")]
    pub time_in_force: TimeInForce,
    /// `q`: the order's quantity.
    #[serde(rename = "q", deserialize_with = "decimal_string")]
    pub qty: Decimal,
    /// `p`: the order's price (0 for a market order).
    #[serde(rename = "p", deserialize_with = "decimal_string")]
    pub price: Decimal,
    /// `P`: the stop price.
    #[serde(rename = "P", deserialize_with = "decimal_string")]
    pub stop_price: Decimal,
    /// `g`: the order list id (−1 for none).
    #[serde(rename = "g")]
    pub order_list_id: i64,
    /// `C`: for a cancel, the cancelled order's client id (empty otherwise).
    #[serde(rename = "C", default)]
    pub original_client_order_id: String,
    /// `x`: what happened.
    #[serde(rename = "x")]
    pub execution_type: ExecutionType,
    /// `X`: the order's state after it.
    #[serde(rename = "X")]
    pub order_status: OrderStatus,
    /// `r`: why it was rejected (`NONE` otherwise).
    #[serde(rename = "r")]
    pub reject_reason: String,
    /// `i`: Binance's order id.
    #[serde(rename = "i")]
    pub order_id: u64,
    /// `l`: the quantity of this fill.
    #[serde(rename = "l", deserialize_with = "decimal_string")]
    pub last_qty: Decimal,
    /// `z`: the quantity filled so far.
    #[serde(rename = "z", deserialize_with = "decimal_string")]
    pub cumulative_qty: Decimal,
    /// `L`: the price of this fill.
    #[serde(rename = "L", deserialize_with = "decimal_string")]
    pub last_price: Decimal,
    /// `n`: the commission of this fill.
    #[serde(rename = "n", deserialize_with = "decimal_string")]
    pub commission: Decimal,
    /// `N`: the commission's asset (`null` without a fill).
    #[serde(rename = "N", default)]
    pub commission_asset: Option<String>,
    /// `T`: when it happened.
    #[serde(rename = "T")]
    pub transaction_time: TimeMs,
    /// `t`: the trade id of this fill (−1 without one).
    #[serde(rename = "t")]
    pub trade_id: i64,
    /// `I`: the execution id.
    #[serde(rename = "I", default)]
    pub execution_id: Option<u64>,
    /// `w`: whether the order is on the book.
    #[serde(rename = "w")]
    pub is_working: bool,
    /// `m`: whether this fill made liquidity.
    #[serde(rename = "m")]
    pub is_maker: bool,
    /// `O`: when the order was created.
    #[serde(rename = "O")]
    pub order_creation_time: TimeMs,
    /// `Z`: the quote quantity filled so far.
    #[serde(rename = "Z", deserialize_with = "decimal_string")]
    pub cumulative_quote_qty: Decimal,
    /// `Y`: the quote quantity of this fill.
    #[serde(rename = "Y", deserialize_with = "decimal_string")]
    pub last_quote_qty: Decimal,
    /// `Q`: the quote order quantity.
    #[serde(rename = "Q", deserialize_with = "decimal_string")]
    pub quote_order_qty: Decimal,
}

impl ExecutionReport {
    /// The trade id of this fill, if it is one: what fills are deduplicated by, with the
    /// symbol.
    pub fn trade_id(&self) -> Option<u64> {
        u64::try_from(self.trade_id).ok()
    }

    /// The client id of the order a cancel cancelled, if this reports a cancel.
    pub fn cancelled_client_order_id(&self) -> Option<&str> {
        Some(self.original_client_order_id.as_str()).filter(|id| !id.is_empty())
    }
}

/// `outboundAccountPosition`: the assets whose balance changed, as they now are.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountPosition {
    /// `E`: event time.
    #[serde(rename = "E")]
    pub event_time: TimeMs,
    /// `u`: when the account last changed.
    #[serde(rename = "u")]
    pub last_update_time: TimeMs,
    /// `B`: the balances.
    #[serde(rename = "B")]
    pub balances: Vec<AssetBalance>,
}

/// One asset's balance: `{"a","f","l"}` in user data events, `{"asset","free","locked"}` in
/// the account's status.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AssetBalance {
    /// `a`: the asset.
    #[serde(rename = "a", alias = "asset")]
    pub asset: String,
    /// `f`: free.
    #[serde(rename = "f", alias = "free", deserialize_with = "decimal_string")]
    pub free: Decimal,
    /// `l`: locked in orders.
    #[serde(rename = "l", alias = "locked", deserialize_with = "decimal_string")]
    pub locked: Decimal,
}

impl AssetBalance {
    /// Free and locked: what the account holds. Saturating, so a hostile total cannot panic.
    pub fn total(&self) -> Decimal {
        self.free.saturating_add(self.locked)
    }
}

/// The account's status (WebSocket API `account.status`, REST `GET /api/v3/account`): of its
/// many fields, the balances, every asset's at once.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountStatus {
    /// Every asset's balance (with `omitZeroBalances`, those holding something).
    pub balances: Vec<AssetBalance>,
}

/// Parses the account's status as REST answers it.
///
/// # Errors
/// [`WireError`] naming the failing field.
pub fn parse_account(text: &str) -> Result<AccountStatus, WireError> {
    require_object(text)?;
    parse_json("account", "", text)
}

/// `balanceUpdate`: one asset's balance moved by a deposit, withdrawal or transfer.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BalanceUpdate {
    /// `E`: event time.
    #[serde(rename = "E")]
    pub event_time: TimeMs,
    /// `a`: the asset.
    #[serde(rename = "a")]
    pub asset: String,
    /// `d`: the change (negative for a withdrawal).
    #[serde(rename = "d", deserialize_with = "decimal_string")]
    pub delta: Decimal,
    /// `T`: when it cleared.
    #[serde(rename = "T")]
    pub clear_time: TimeMs,
}
