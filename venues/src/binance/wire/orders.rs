//! An order as Binance answers `order.place` (ACK, RESULT or FULL), `order.status` and
//! `openOrders.status` (the same shapes over REST): its state, quantities and, for FULL, the
//! fills the placement matched.
//!
//! Entry point: [`OrderResult`], read through [`super::WsApiResponse::result`] (or
//! [`parse_order`] for a REST body).

use rust_decimal::Decimal;
use serde::Deserialize;
use trading::market::TimeMs;

use super::enums::{OrderSide, OrderStatus, OrderType, TimeInForce};
use super::error::{parse_json, require_object, WireError};
use super::symbols::VenueSymbol;
use crate::kit::decimal::decimal_string;

/// One order as Binance reports it. An ACK carries only the ids and time, so the rest is
/// optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderResult {
    /// The symbol.
    pub symbol: VenueSymbol,
    /// Binance's order id.
    pub order_id: u64,
    /// The client order id.
    pub client_order_id: String,
    /// When it was placed (`order.place`).
    #[serde(default)]
    pub transact_time: Option<TimeMs>,
    /// When it last changed (`order.status`).
    #[serde(default)]
    pub update_time: Option<TimeMs>,
    /// Its limit price (0 for a market order).
    #[serde(default, deserialize_with = "opt_decimal_string")]
    pub price: Option<Decimal>,
    /// Its quantity.
    #[serde(default, deserialize_with = "opt_decimal_string")]
    pub orig_qty: Option<Decimal>,
    /// How much of it filled.
    #[serde(default, deserialize_with = "opt_decimal_string")]
    pub executed_qty: Option<Decimal>,
    /// The quote quantity filled (Binance's spelling: `cummulative`).
    #[serde(default, rename = "cummulativeQuoteQty", deserialize_with = "opt_decimal_string")]
    pub cumulative_quote_qty: Option<Decimal>,
    /// Its state.
    #[serde(default)]
    pub status: Option<OrderStatus>,
    /// Its time in force.
    #[serde(default)]
    pub time_in_force: Option<TimeInForce>,
    /// Its type.
    #[serde(default, rename = "type")]
    pub order_type: Option<OrderType>,
    /// Its side.
    #[serde(default)]
    pub side: Option<OrderSide>,
    /// What the placement matched (FULL responses).
    #[serde(default)]
    pub fills: Vec<OrderFill>,
}

/// One fill of a FULL `order.place` response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderFill {
    /// The price.
    #[serde(deserialize_with = "decimal_string")]
    pub price: Decimal,
    /// The quantity.
    #[serde(deserialize_with = "decimal_string")]
    pub qty: Decimal,
    /// The commission.
    #[serde(deserialize_with = "decimal_string")]
    pub commission: Decimal,
    /// The commission's asset.
    pub commission_asset: String,
    /// The trade id (per symbol).
    pub trade_id: u64,
}

fn opt_decimal_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Decimal>, D::Error> {
    #[derive(Deserialize)]
    struct Wrapped(#[serde(deserialize_with = "decimal_string")] Decimal);
    Ok(Option::<Wrapped>::deserialize(deserializer)?.map(|w| w.0))
}

/// One trade of the account, as `myTrades` (WebSocket API and REST) lists it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountTrade {
    /// The symbol.
    pub symbol: VenueSymbol,
    /// The symbol's trade id: with the symbol, what a fill is booked once by.
    pub id: u64,
    /// The order that traded.
    pub order_id: u64,
    /// Price.
    #[serde(deserialize_with = "decimal_string")]
    pub price: Decimal,
    /// Quantity.
    #[serde(deserialize_with = "decimal_string")]
    pub qty: Decimal,
    /// The fee.
    #[serde(deserialize_with = "decimal_string")]
    pub commission: Decimal,
    /// The fee's asset.
    pub commission_asset: String,
    /// When it traded.
    pub time: TimeMs,
    /// Whether the account bought.
    pub is_buyer: bool,
    /// Whether the account's order made the market.
    pub is_maker: bool,
}

/// Parses a REST `myTrades` body (the WebSocket API's `result` is the same array).
///
/// # Errors
/// [`WireError`] naming the failing field.
pub fn parse_account_trades(text: &str) -> Result<Vec<AccountTrade>, WireError> {
    parse_json("myTrades", "", text)
}

/// Parses a REST `openOrders` body (the WebSocket API's `result` is the same array).
///
/// # Errors
/// [`WireError`] naming the failing field.
pub fn parse_orders(text: &str) -> Result<Vec<OrderResult>, WireError> {
    parse_json("openOrders", "", text)
}

/// Parses a REST order body (`POST /api/v3/order`, `GET /api/v3/order`).
///
/// # Errors
/// [`WireError`] naming the failing field.
pub fn parse_order(text: &str) -> Result<OrderResult, WireError> {
    require_object(text)?;
    parse_json("order", "", text)
}
