//! Kraken's order vocabulary, shared by requests, executions and REST: order types, time in
//! force, execution types, order states, liquidity.

use crate::kit::wire_enum;

wire_enum! {
    /// An order's type.
    pub enum OrderType {
        /// `limit`.
        Limit = "limit",
        /// `market`.
        Market = "market",
        /// `iceberg`.
        Iceberg = "iceberg",
        /// `stop-loss`.
        StopLoss = "stop-loss",
        /// `stop-loss-limit`.
        StopLossLimit = "stop-loss-limit",
        /// `take-profit`.
        TakeProfit = "take-profit",
        /// `take-profit-limit`.
        TakeProfitLimit = "take-profit-limit",
        /// `trailing-stop`.
        TrailingStop = "trailing-stop",
        /// `trailing-stop-limit`.
        TrailingStopLimit = "trailing-stop-limit",
        /// `settle-position`.
        SettlePosition = "settle-position",
    }
}

wire_enum! {
    /// How long an order rests. Kraken documents lowercase and sends uppercase in executions;
    /// both read.
    pub enum TimeInForce {
        /// Good till canceled.
        Gtc = "gtc",
        /// Good till date (`expire_time`).
        Gtd = "gtd",
        /// Immediate or cancel.
        Ioc = "ioc",
    }
}

wire_enum! {
    /// What an `executions` entry reports happened.
    ///
    /// Spot orders go `pending_new` → `new` → `trade`… → `filled`. A `trade` can say
    /// `order_status: partially_filled` even when it completes the order: `filled` is the
    /// completion signal.
    pub enum ExecType {
        /// Accepted and validated, not yet live.
        PendingNew = "pending_new",
        /// Live in the book.
        New = "new",
        /// A fill.
        Trade = "trade",
        /// Completely filled (terminal).
        Filled = "filled",
        /// An iceberg's visible part was replenished.
        IcebergRefill = "iceberg_refill",
        /// Canceled (terminal).
        Canceled = "canceled",
        /// Expired (terminal).
        Expired = "expired",
        /// Amended by the user.
        Amended = "amended",
        /// Changed by the engine (not the user).
        Restated = "restated",
        /// Another status change (a trigger price moved, for example).
        Status = "status",
    }
}

impl ExecType {
    /// Whether the order is finished after this event.
    pub fn is_terminal(self) -> bool {
        matches!(self, ExecType::Filled | ExecType::Canceled | ExecType::Expired)
    }
}

wire_enum! {
    /// An order's state after an `executions` event.
    pub enum OrderStatus {
        /// Accepted, not yet live.
        PendingNew = "pending_new",
        /// Live, nothing filled.
        New = "new",
        /// Live, partly filled.
        PartiallyFilled = "partially_filled",
        /// Completely filled.
        Filled = "filled",
        /// Canceled.
        Canceled = "canceled",
        /// Expired.
        Expired = "expired",
    }
}

wire_enum! {
    /// Whether a fill made or took liquidity.
    pub enum Liquidity {
        /// Maker: the order rested in the book.
        Maker = "m",
        /// Taker: the order crossed the book.
        Taker = "t",
    }
}
