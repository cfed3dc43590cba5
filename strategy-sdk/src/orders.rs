//! Orders a strategy proposes and what the host reports back about them.
//!
//! A strategy only ever proposes: [`OrderRequest`]s go through the host's risk checks, which
//! either accept one (an [`OrderId`]) or refuse it (a [`Reject`]). Everything that happens to an
//! accepted order later arrives as an [`OrderUpdate`].

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::decimal;
use crate::market::Side;

/// The most bytes an [`OrderRequest::tag`] may have; the host refuses longer tags.
pub const MAX_TAG_BYTES: usize = 64;

/// The host's id for an order it accepted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrderId(String);

impl OrderId {
    /// Wraps an id the host gave.
    pub fn new(id: impl Into<String>) -> Self {
        OrderId(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for OrderId {
    fn from(id: String) -> Self {
        OrderId(id)
    }
}

/// How an order is priced, and whether it waits for a trigger first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderType {
    /// At the best price available now.
    Market,
    /// At this price or better.
    Limit(Decimal),
    /// A stop at this trigger price: it waits until the market trades at or through the
    /// trigger (a buy stop at or above it, a sell stop at or below), then works as a market
    /// order. The host simulates it in backtests and paper trading and sends it natively to
    /// venues that take stops.
    Stop(Decimal),
    /// A stop that becomes a limit order at `limit` once the market reaches `trigger`.
    StopLimit {
        /// The price that triggers it.
        trigger: Decimal,
        /// The limit order's price once triggered.
        limit: Decimal,
    },
}

/// How long an order works once it meets the market (a stop: once triggered).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimeInForce {
    /// Good till cancelled.
    #[default]
    Gtc,
    /// Immediate or cancel: fills what it can at once; the rest is cancelled.
    Ioc,
    /// Fill or kill: fills in full at once, or is cancelled whole.
    Fok,
}

/// An order a strategy proposes to the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    /// `BASE/QUOTE`.
    pub symbol: String,
    /// Buy or sell.
    pub side: Side,
    /// Quantity in the base asset; positive.
    pub qty: Decimal,
    /// Market, limit, stop or stop-limit.
    pub order_type: OrderType,
    /// How long it works; good till cancelled unless set.
    pub time_in_force: TimeInForce,
    /// Only ever a maker: cancelled (or rejected by the venue) rather than filled should it
    /// take liquidity. For good-till-cancelled limit orders only.
    pub post_only: bool,
    /// Only ever brings the position toward zero: refused unless it does on its own, and
    /// trimmed or cancelled by the host when fills leave it less to reduce.
    pub reduce_only: bool,
    /// A label of the strategy's choosing, echoed on every [`OrderUpdate`] of the order; at most
    /// [`MAX_TAG_BYTES`] bytes.
    pub tag: String,
}

impl OrderRequest {
    /// A market order.
    pub fn market(symbol: impl Into<String>, side: Side, qty: Decimal) -> Self {
        OrderRequest {
            symbol: symbol.into(),
            side,
            qty,
            order_type: OrderType::Market,
            time_in_force: TimeInForce::Gtc,
            post_only: false,
            reduce_only: false,
            tag: String::new(),
        }
    }

    /// A stop-market order triggered at `trigger`.
    pub fn stop(symbol: impl Into<String>, side: Side, qty: Decimal, trigger: Decimal) -> Self {
        OrderRequest {
            order_type: OrderType::Stop(trigger),
            ..OrderRequest::market(symbol, side, qty)
        }
    }

    /// A stop-limit order: a limit at `limit` once the market reaches `trigger`.
    pub fn stop_limit(symbol: impl Into<String>, side: Side, qty: Decimal, trigger: Decimal, limit: Decimal) -> Self {
        OrderRequest {
            order_type: OrderType::StopLimit { trigger, limit },
            ..OrderRequest::market(symbol, side, qty)
        }
    }

    /// A limit order at `price`.
    pub fn limit(symbol: impl Into<String>, side: Side, qty: Decimal, price: Decimal) -> Self {
        OrderRequest {
            order_type: OrderType::Limit(price),
            ..OrderRequest::market(symbol, side, qty)
        }
    }

    /// Sets the tag echoed on the order's updates.
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = tag.into();
        self
    }

    /// Sets how long the order works.
    pub fn with_time_in_force(mut self, time_in_force: TimeInForce) -> Self {
        self.time_in_force = time_in_force;
        self
    }

    /// Makes it post-only: a maker or nothing.
    pub fn post_only(mut self) -> Self {
        self.post_only = true;
        self
    }

    /// Makes it reduce-only: it may only bring the position toward zero.
    pub fn reduce_only(mut self) -> Self {
        self.reduce_only = true;
        self
    }

    /// The limit price: a limit's, or a stop-limit's once triggered.
    pub fn limit_price(&self) -> Option<Decimal> {
        match self.order_type {
            OrderType::Market | OrderType::Stop(_) => None,
            OrderType::Limit(price) | OrderType::StopLimit { limit: price, .. } => Some(price),
        }
    }

    /// The trigger price of a stop or stop-limit.
    pub fn trigger_price(&self) -> Option<Decimal> {
        match self.order_type {
            OrderType::Market | OrderType::Limit(_) => None,
            OrderType::Stop(trigger) | OrderType::StopLimit { trigger, .. } => Some(trigger),
        }
    }

    /// Checks what the contract itself requires of a request, before it is sent; the host's risk
    /// checks decide everything else.
    ///
    /// # Errors
    ///
    /// A [`Reject`] with code `invalid_order` when the tag is longer than [`MAX_TAG_BYTES`], or a
    /// decimal is beyond the host's range (see [`decimal::to_parts`]).
    pub fn validate(&self) -> Result<(), Reject> {
        if self.tag.len() > MAX_TAG_BYTES {
            return Err(Reject::invalid_order(format!(
                "tag is {} bytes, at most {MAX_TAG_BYTES} are allowed",
                self.tag.len()
            )));
        }
        encode_decimal("qty", self.qty)?;
        if let Some(price) = self.limit_price() {
            encode_decimal("limit price", price)?;
        }
        if let Some(price) = self.trigger_price() {
            encode_decimal("trigger price", price)?;
        }
        Ok(())
    }
}

/// An order's decimal in the host's representation, or an `invalid_order` reject naming `what`.
pub(crate) fn encode_decimal(what: &str, value: Decimal) -> Result<(i64, u8), Reject> {
    decimal::to_parts(value).map_err(|error| Reject::invalid_order(format!("{what}: {error}")))
}

/// Why the host refused an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    /// Stable and machine-readable: `max_order_notional`, `max_position`, `max_open_orders`,
    /// `trading_halted`, `reduce_only`, `invalid_order`, ...
    pub code: String,
    /// For people.
    pub message: String,
}

impl Reject {
    /// A refusal with code `invalid_order`, for requests the SDK cannot even send.
    pub fn invalid_order(message: impl Into<String>) -> Self {
        Reject {
            code: "invalid_order".to_owned(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Reject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for Reject {}

/// Where an accepted order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrderStatus {
    /// Accepted by the host and sent to the venue.
    Open,
    /// Some of the quantity has traded; the rest is still working.
    PartiallyFilled,
    /// All of the quantity has traded.
    Filled,
    /// Cancelled (by the strategy, the host or the venue); see [`OrderUpdate::reason`].
    Cancelled,
    /// Refused by the venue after the host accepted it.
    Rejected,
}

impl OrderStatus {
    /// Whether the order is done: no further update will change its fills.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected
        )
    }
}

/// One execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fill {
    /// Execution price.
    pub price: Decimal,
    /// Executed quantity.
    pub qty: Decimal,
    /// Fee charged, in the quote asset.
    pub fee: Decimal,
    /// UTC millisecond of the execution.
    pub time_ms: i64,
}

/// A change in one of the strategy's orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderUpdate {
    /// The id the host returned from `place_order`.
    pub order_id: OrderId,
    /// The request's tag.
    pub tag: String,
    /// `BASE/QUOTE`.
    pub symbol: String,
    /// The request's side.
    pub side: Side,
    /// Where the order stands now.
    pub status: OrderStatus,
    /// Quantity traded so far, over all fills.
    pub filled_qty: Decimal,
    /// Quantity still working.
    pub remaining_qty: Decimal,
    /// The execution that caused this update, if any.
    pub fill: Option<Fill>,
    /// Why the order was rejected or cancelled, when the venue said.
    pub reason: Option<String>,
    /// UTC millisecond of the update.
    pub time_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_orders_carry_their_price_and_tag() {
        let order = OrderRequest::limit("BTC/USD", Side::Buy, Decimal::ONE, Decimal::TEN).with_tag("grid-buy");
        assert_eq!(order.limit_price(), Some(Decimal::TEN));
        assert_eq!(order.tag, "grid-buy");
        assert_eq!(
            OrderRequest::market("BTC/USD", Side::Sell, Decimal::ONE).limit_price(),
            None
        );
    }

    #[test]
    fn validate_refuses_tags_the_host_would_refuse() {
        let order = OrderRequest::market("BTC/USD", Side::Buy, Decimal::ONE);
        assert_eq!(order.clone().with_tag("x".repeat(64)).validate(), Ok(()));
        let reject = order.with_tag("x".repeat(65)).validate().unwrap_err();
        assert_eq!(reject.code, "invalid_order");
        assert_eq!(
            reject.to_string(),
            "invalid_order: tag is 65 bytes, at most 64 are allowed"
        );
    }

    #[test]
    fn validate_refuses_decimals_beyond_the_host_range() {
        let reject = OrderRequest::market("BTC/USD", Side::Buy, Decimal::MAX)
            .validate()
            .unwrap_err();
        assert_eq!(reject.code, "invalid_order");
        assert!(reject.message.starts_with("qty: "), "{}", reject.message);
        let reject = OrderRequest::limit("BTC/USD", Side::Buy, Decimal::ONE, Decimal::MIN)
            .validate()
            .unwrap_err();
        assert!(reject.message.starts_with("limit price: "), "{}", reject.message);
    }
}
