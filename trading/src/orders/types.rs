//! The order vocabulary shared by strategies' requests, the order manager, brokers and the ledger.

use std::fmt;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::market::{Side, Symbol, TimeMs};

/// A cheap-to-clone identifier over shared text, shown as the bare text.
macro_rules! text_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub struct $name(Arc<str>);

        impl $name {
            pub fn new(text: &str) -> Self {
                Self(Arc::from(text))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{:?}", &*self.0)
            }
        }
    };
}

text_id! {
    /// The name a strategy is known by: unique in one host (the host uses the strategy's file
    /// name, which a new version keeps).
    StrategyId
}

text_id! {
    /// The host's client order id: unique across the host's lifetime and across restarts
    /// (it is persisted before the order is sent), and the key a venue echoes back.
    OrderId
}

text_id! {
    /// A venue (account) as the host names it in config, metrics and `/status`: `paper`,
    /// `kraken`, ... Every order goes to the venue its strategy is bound to.
    VenueId
}

text_id! {
    /// The venue's own id for an order (Kraken's `order_id`, Binance's `orderId`), known once
    /// the venue has acknowledged it.
    VenueOrderId
}

text_id! {
    /// The venue's id for one execution (a trade). A fill is booked once per venue, symbol and
    /// trade id however often the venue repeats it.
    TradeId
}

/// How an order is priced, and whether it waits for a trigger first.
///
/// A stop waits, outside the book, until the market trades at or through its trigger: a buy
/// stop when the price rises to the trigger or above, a sell stop when it falls to it or
/// below. Then it works as a market order (`Stop`) or as a limit order at `limit`
/// (`StopLimit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderType {
    Market,
    /// A limit order at this price.
    Limit(Decimal),
    /// A stop at this trigger, a market order once triggered.
    Stop(Decimal),
    StopLimit {
        trigger: Decimal,
        limit: Decimal,
    },
}

impl OrderType {
    /// The price the order may not trade beyond, once working: a limit's or a stop-limit's.
    pub fn limit_price(self) -> Option<Decimal> {
        match self {
            Self::Limit(price) => Some(price),
            Self::StopLimit { limit, .. } => Some(limit),
            Self::Market | Self::Stop(_) => None,
        }
    }

    /// The trigger of a stop or stop-limit.
    pub fn trigger_price(self) -> Option<Decimal> {
        match self {
            Self::Stop(trigger) | Self::StopLimit { trigger, .. } => Some(trigger),
            Self::Market | Self::Limit(_) => None,
        }
    }

    /// The same order type with another limit price; `None` for a type without one.
    pub fn with_limit_price(self, price: Decimal) -> Option<Self> {
        match self {
            Self::Limit(_) => Some(Self::Limit(price)),
            Self::StopLimit { trigger, .. } => Some(Self::StopLimit { trigger, limit: price }),
            Self::Market | Self::Stop(_) => None,
        }
    }

    /// The stable text of the type, as stored and exported.
    pub fn code(self) -> &'static str {
        match self {
            Self::Market => "market",
            Self::Limit(_) => "limit",
            Self::Stop(_) => "stop",
            Self::StopLimit { .. } => "stop_limit",
        }
    }
}

/// How long an order works once it meets the market.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeInForce {
    /// Good till cancelled: works until it fills or is cancelled.
    #[default]
    Gtc,
    /// Immediate or cancel: fills what it can the moment it meets the market; the rest is
    /// cancelled.
    Ioc,
    /// Fill or kill: fills in full the moment it meets the market, or is cancelled whole.
    Fok,
}

impl TimeInForce {
    pub fn code(self) -> &'static str {
        match self {
            Self::Gtc => "gtc",
            Self::Ioc => "ioc",
            Self::Fok => "fok",
        }
    }

    /// Whether the order ends at its first meeting with the market, filled or not.
    pub fn is_immediate(self) -> bool {
        matches!(self, Self::Ioc | Self::Fok)
    }
}

/// What a strategy proposes. Nothing about it is trusted until risk has approved it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRequest {
    pub symbol: Symbol,
    pub side: Side,
    pub qty: Decimal,
    pub order_type: OrderType,
    pub time_in_force: TimeInForce,
    /// Only ever rests in the book as a maker: an order that would take liquidity when it
    /// meets the market is rejected instead. Limit orders only.
    pub post_only: bool,
    /// Only ever brings the strategy's position toward zero: refused when placed if it would
    /// not, and trimmed or cancelled by the host as fills leave it less to reduce. The
    /// host enforces it; spot venues have no such flag.
    pub reduce_only: bool,
    /// The strategy's own label, echoed on every update. At most [`MAX_TAG_LEN`] bytes.
    pub tag: String,
}

pub const MAX_TAG_LEN: usize = 64;

/// Where an order is in its life, as strategies see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Open,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
}

impl OrderStatus {
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            OrderStatus::Filled | OrderStatus::Cancelled | OrderStatus::Rejected
        )
    }
}

/// One execution of (part of) an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fill {
    pub order_id: OrderId,
    pub strategy: StrategyId,
    pub symbol: Symbol,
    pub side: Side,
    pub price: Decimal,
    pub qty: Decimal,
    /// In the quote currency, always ≥ 0.
    pub fee: Decimal,
    pub time_ms: TimeMs,
    /// The venue's id for the execution; simulated fills have none.
    pub trade_id: Option<TradeId>,
}

/// What the host tells a strategy about one of its orders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderUpdate {
    pub order_id: OrderId,
    pub strategy: StrategyId,
    pub tag: String,
    pub symbol: Symbol,
    pub side: Side,
    pub status: OrderStatus,
    pub filled_qty: Decimal,
    pub remaining_qty: Decimal,
    pub fill: Option<Fill>,
    pub reason: Option<String>,
    pub time_ms: TimeMs,
}

/// A strategy's holding in one symbol.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    pub symbol: Symbol,
    /// Signed: positive long, negative short.
    pub qty: Decimal,
    /// Average entry price of the open quantity (zero when flat).
    pub avg_price: Decimal,
    pub realized_pnl: Decimal,
}

impl Position {
    pub fn flat(symbol: Symbol) -> Self {
        Self {
            symbol,
            qty: Decimal::ZERO,
            avg_price: Decimal::ZERO,
            realized_pnl: Decimal::ZERO,
        }
    }
}
