//! The order vocabulary the exchange and its handle share: orders, their statuses, fills and
//! ledger entries. Plain data with public fields (read by tests through the handle); only the
//! matching engine changes them.

use rust_decimal::Decimal;

use crate::market::Side;
use crate::triggers::{Trigger, TriggerStatus};

/// Order types the exchange takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderType {
    /// Rests at its limit price.
    Limit,
    /// Takes at once.
    Market,
    /// Waits for its trigger, then takes at once as a market order.
    StopLoss,
    /// Waits for its trigger, then works as a limit order placed at that moment.
    StopLossLimit,
}

impl OrderType {
    /// Kraken's name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderType::Limit => "limit",
            OrderType::Market => "market",
            OrderType::StopLoss => "stop-loss",
            OrderType::StopLossLimit => "stop-loss-limit",
        }
    }

    /// Whether it carries a limit price.
    pub fn has_limit(self) -> bool {
        matches!(self, OrderType::Limit | OrderType::StopLossLimit)
    }

    /// Whether it waits for a trigger.
    pub fn is_stop(self) -> bool {
        matches!(self, OrderType::StopLoss | OrderType::StopLossLimit)
    }

    /// How it executes once working (a stop after its trigger): market or limit.
    pub fn execution(self) -> OrderType {
        if self.has_limit() {
            OrderType::Limit
        } else {
            OrderType::Market
        }
    }
}

/// How long an order lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeInForce {
    /// Good till cancelled.
    Gtc,
    /// Immediate or cancel: whatever does not fill at once is cancelled.
    Ioc,
}

impl TimeInForce {
    /// Kraken's name.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeInForce::Gtc => "GTC",
            TimeInForce::Ioc => "IOC",
        }
    }
}

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    /// Accepted, not yet in the book.
    PendingNew,
    /// Working.
    New,
    /// Working, partly filled.
    PartiallyFilled,
    /// Done: filled.
    Filled,
    /// Done: cancelled (by the user, `cancel_all`, the dead-man switch, or IOC).
    Canceled,
}

impl OrderStatus {
    /// Kraken's v2 name.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingNew => "pending_new",
            OrderStatus::New => "new",
            OrderStatus::PartiallyFilled => "partially_filled",
            OrderStatus::Filled => "filled",
            OrderStatus::Canceled => "canceled",
        }
    }

    /// Still working (can fill, be amended or cancelled).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            OrderStatus::PendingNew | OrderStatus::New | OrderStatus::PartiallyFilled
        )
    }
}

/// An order as the exchange holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// `OXXXXX-XXXXX-XXXXXX`.
    pub order_id: String,
    /// The client's id, if it gave one.
    pub cl_ord_id: Option<String>,
    /// The client's integer tag (0 when none).
    pub order_userref: i64,
    /// Pair.
    pub symbol: String,
    /// Side.
    pub side: Side,
    /// Type.
    pub order_type: OrderType,
    /// Time in force.
    pub time_in_force: TimeInForce,
    /// Quantity ordered.
    pub order_qty: Decimal,
    /// Limit price (limit and stop-loss-limit orders).
    pub limit_price: Option<Decimal>,
    /// The trigger (stop orders).
    pub trigger: Option<Trigger>,
    /// Post-only flag.
    pub post_only: bool,
    /// Status.
    pub status: OrderStatus,
    /// Filled so far.
    pub cum_qty: Decimal,
    /// Cost filled so far (quote).
    pub cum_cost: Decimal,
    /// Fees paid so far (quote).
    pub fee_paid: Decimal,
    /// Exchange time it was accepted, ms.
    pub created_ms: i64,
    /// Exchange time of its last change, µs.
    pub updated_us: i64,
    /// Why it was cancelled, when it was.
    pub cancel_reason: Option<String>,
    pub(crate) seq: u64,
}

impl Order {
    /// Quantity still working.
    pub fn remaining(&self) -> Decimal {
        self.order_qty - self.cum_qty
    }

    /// Average fill price, if anything filled.
    pub fn avg_price(&self) -> Option<Decimal> {
        (!self.cum_qty.is_zero()).then(|| self.cum_cost / self.cum_qty)
    }

    /// Whether it is a stop that has not fired: out of the book, matching nothing.
    pub fn awaits_trigger(&self) -> bool {
        self.trigger.is_some_and(|t| t.status == TriggerStatus::Untriggered)
    }
}

/// Maker or taker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liquidity {
    /// Rested and was hit.
    Maker,
    /// Took liquidity.
    Taker,
}

impl Liquidity {
    /// Kraken's `liquidity_ind`: `m` or `t`.
    pub fn as_str(self) -> &'static str {
        match self {
            Liquidity::Maker => "m",
            Liquidity::Taker => "t",
        }
    }
}

/// One execution of one of the account's orders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fill {
    /// `TXXXXX-XXXXX-XXXXXX`, unique per fill.
    pub exec_id: String,
    /// Account-wide sequential trade id, unique per fill.
    pub trade_id: u64,
    /// The order.
    pub order_id: String,
    /// The order's client id.
    pub cl_ord_id: Option<String>,
    /// Pair.
    pub symbol: String,
    /// The order's side.
    pub side: Side,
    /// The order's type.
    pub order_type: OrderType,
    /// Quantity.
    pub qty: Decimal,
    /// Price.
    pub price: Decimal,
    /// `qty × price`.
    pub cost: Decimal,
    /// Fee charged.
    pub fee: Decimal,
    /// Asset of the fee (the quote).
    pub fee_asset: String,
    /// Maker or taker.
    pub liquidity: Liquidity,
    /// Exchange time, µs.
    pub time_us: i64,
    /// Ledger ids: base entry, quote entry.
    pub ledger_ids: [String; 2],
}

/// One ledger movement (a `balances` update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// `LXXXXX-XXXXX-XXXXXX`.
    pub ledger_id: String,
    /// The fill's `exec_id`.
    pub ref_id: String,
    /// Exchange time, µs.
    pub time_us: i64,
    /// Asset.
    pub asset: String,
    /// Signed change, fee excluded.
    pub amount: Decimal,
    /// Fee taken from this asset.
    pub fee: Decimal,
    /// Balance after.
    pub balance: Decimal,
}
