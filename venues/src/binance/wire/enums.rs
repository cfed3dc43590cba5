//! Binance's string enums (enums.md), each declared once with its wire spelling.
//!
//! Order states and execution types are closed: an execution report Binance adds a state to
//! must fail loudly, not be misread. Reference data (a symbol's status, an order type in a
//! list) is open: a new value must not drop the whole instrument list.

use crate::kit::wire_enum;

wire_enum! {
    /// An order's side.
    pub enum OrderSide {
        /// Buy.
        Buy = "BUY",
        /// Sell.
        Sell = "SELL",
    }
}

impl OrderSide {
    /// The host's side.
    pub fn to_side(self) -> trading::market::Side {
        match self {
            OrderSide::Buy => trading::market::Side::Buy,
            OrderSide::Sell => trading::market::Side::Sell,
        }
    }
}

wire_enum! {
    /// An order's type.
    pub open enum OrderType {
        /// A limit order.
        Limit = "LIMIT",
        /// A market order.
        Market = "MARKET",
        /// A post-only limit order: rejected if it would take.
        LimitMaker = "LIMIT_MAKER",
        /// A stop that sends a market order.
        StopLoss = "STOP_LOSS",
        /// A stop that sends a limit order.
        StopLossLimit = "STOP_LOSS_LIMIT",
        /// A take-profit that sends a market order.
        TakeProfit = "TAKE_PROFIT",
        /// A take-profit that sends a limit order.
        TakeProfitLimit = "TAKE_PROFIT_LIMIT",
    }
}

wire_enum! {
    /// How long an order works.
    pub open enum TimeInForce {
        /// Good till cancelled.
        Gtc = "GTC",
        /// Immediate or cancel.
        Ioc = "IOC",
        /// Fill or kill.
        Fok = "FOK",
    }
}

wire_enum! {
    /// What an `executionReport` reports (`x`).
    pub enum ExecutionType {
        /// Accepted by the engine.
        New = "NEW",
        /// Cancelled (by the user, or by a cancel-replace).
        Canceled = "CANCELED",
        /// Replaced (a kept-priority amend).
        Replaced = "REPLACED",
        /// Rejected by the engine.
        Rejected = "REJECTED",
        /// A fill.
        Trade = "TRADE",
        /// Expired (time in force, an STP expiry, a match the engine expired).
        Expired = "EXPIRED",
        /// Self-trade prevention acted.
        TradePrevention = "TRADE_PREVENTION",
    }
}

wire_enum! {
    /// An order's state (`X`).
    pub enum OrderStatus {
        /// Accepted, working.
        New = "NEW",
        /// In an order list not yet active.
        PendingNew = "PENDING_NEW",
        /// Part filled, working.
        PartiallyFilled = "PARTIALLY_FILLED",
        /// Completely filled.
        Filled = "FILLED",
        /// Cancelled.
        Canceled = "CANCELED",
        /// Being cancelled (unused by Binance spot, listed in enums.md).
        PendingCancel = "PENDING_CANCEL",
        /// Rejected.
        Rejected = "REJECTED",
        /// Expired.
        Expired = "EXPIRED",
        /// Expired by self-trade prevention during matching.
        ExpiredInMatch = "EXPIRED_IN_MATCH",
    }
}

wire_enum! {
    /// A symbol's trading state (`exchangeInfo.symbols[].status`).
    pub open enum SymbolStatus {
        /// Trading normally.
        Trading = "TRADING",
        /// Only cancels are accepted.
        CancelOnly = "CANCEL_ONLY",
        /// Trading halted.
        Halt = "HALT",
        /// Delisted or not yet listed.
        Break = "BREAK",
        /// Before the opening auction.
        PreTrading = "PRE_TRADING",
        /// After trading.
        PostTrading = "POST_TRADING",
        /// In the opening auction.
        AuctionMatch = "AUCTION_MATCH",
    }
}

wire_enum! {
    /// What a rate limit counts.
    pub open enum RateLimitType {
        /// Request weight, per IP, shared by REST and the WebSocket API.
        RequestWeight = "REQUEST_WEIGHT",
        /// Orders placed, per account.
        Orders = "ORDERS",
        /// Raw requests, per IP.
        RawRequests = "RAW_REQUESTS",
        /// WebSocket connections.
        Connections = "CONNECTIONS",
    }
}

wire_enum! {
    /// The unit of a rate limit's window.
    pub enum RateLimitInterval {
        /// Seconds.
        Second = "SECOND",
        /// Minutes.
        Minute = "MINUTE",
        /// Hours.
        Hour = "HOUR",
        /// Days.
        Day = "DAY",
    }
}

impl Ord for RateLimitInterval {
    /// Shortest first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.unit_ms().cmp(&other.unit_ms())
    }
}

impl PartialOrd for RateLimitInterval {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl RateLimitInterval {
    /// One unit in milliseconds.
    pub fn unit_ms(self) -> i64 {
        match self {
            RateLimitInterval::Second => 1_000,
            RateLimitInterval::Minute => 60_000,
            RateLimitInterval::Hour => 3_600_000,
            RateLimitInterval::Day => 86_400_000,
        }
    }
}
