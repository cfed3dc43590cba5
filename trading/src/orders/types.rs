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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "type", content = "price")]
pub enum OrderType {
    Market,
    Limit(Decimal),
}

/// What a strategy proposes. Nothing about it is trusted until risk has approved it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub symbol: Symbol,
    pub side: Side,
    pub qty: Decimal,
    pub order_type: OrderType,
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
