//! Binance's error codes and messages (errors.md) as a typed reason, and what each says about
//! the request's outcome.
//!
//! **Invariant: an unknown outcome is never a reject.** `-1007` (a timeout waiting for the
//! engine), `-1000`, `-1001`, `-1006` and `-1008` mean Binance may or may not have acted: an
//! order answered that way may be working. The adapter settles it with `order.status` (or REST)
//! by client order id, never by sending it again. An HTTP 5xx is the same, whatever its body
//! says; that is the caller's to check, since it knows the status. Every other code is
//! [`Outcome::Rejected`]: Binance refused before acting.
//!
//! The code alone is not enough: `-2010` covers an insufficient balance and a post-only order
//! that would take, told apart by the message; `-1013` names the filter that failed in its
//! message (`Filter failure: LOT_SIZE`).

/// Why Binance refused a request (or may not have processed it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// `-2010` "Account has insufficient balance for requested action."
    InsufficientBalance,
    /// `-2010` "Order would immediately match and take." (a `LIMIT_MAKER` that would take).
    WouldMatchAndTake,
    /// `-2010` "Duplicate order sent." (a client order id already in use).
    DuplicateOrder,
    /// `-2010` "Market is closed." and other symbol-state refusals.
    MarketClosed,
    /// `-2010` with any other message (an unsupported order type, a disabled account).
    NewOrderRejected,
    /// `-1013` "Filter failure: <FILTER>": the order broke one of the symbol's filters.
    FilterFailure(FilterName),
    /// `-2011` "Unknown order sent." (a cancel of an order Binance does not have), `-2013`
    /// "Order does not exist.", `-2026` (archived).
    UnknownOrder,
    /// `-2011` with any other message (cancel restrictions, say).
    CancelRejected,
    /// `-1015` too many new orders, `-1003` too much request weight (or an IP ban).
    RateLimited,
    /// `-1021`: the timestamp is outside `recvWindow` or more than 1 s ahead: resync the
    /// clock offset (`GET /api/v3/time`) and retry once.
    Timestamp,
    /// `-1022` bad signature, `-2014` bad key format, `-2015` key, IP or permission refused.
    Unauthorized,
    /// `-1100` … `-1199`: a parameter missing, malformed or out of range.
    InvalidParameter,
    /// `-1007`, `-1000`, `-1001`, `-1006`, `-1008`: **the outcome is unknown** (module doc).
    Unavailable,
    /// Any other code.
    Other,
}

/// The filter a `-1013` names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FilterName {
    /// `PRICE_FILTER`: off the tick, or outside the price bounds.
    Price,
    /// `LOT_SIZE`: off the step, or outside the quantity bounds.
    LotSize,
    /// `MARKET_LOT_SIZE`: the same for a market order.
    MarketLotSize,
    /// `MIN_NOTIONAL`: price × quantity below the minimum.
    MinNotional,
    /// `NOTIONAL`: price × quantity outside the range.
    Notional,
    /// `PERCENT_PRICE` or `PERCENT_PRICE_BY_SIDE`: too far from the average price.
    PercentPrice,
    /// `MAX_NUM_ORDERS`, `MAX_NUM_ALGO_ORDERS` and their kin: too many open orders.
    MaxNumOrders,
    /// Any other filter, as named (or empty if none was).
    Other(String),
}

impl FilterName {
    fn parse(name: &str) -> Self {
        match name {
            "PRICE_FILTER" => FilterName::Price,
            "LOT_SIZE" => FilterName::LotSize,
            "MARKET_LOT_SIZE" => FilterName::MarketLotSize,
            "MIN_NOTIONAL" => FilterName::MinNotional,
            "NOTIONAL" => FilterName::Notional,
            "PERCENT_PRICE" | "PERCENT_PRICE_BY_SIDE" => FilterName::PercentPrice,
            other if other.starts_with("MAX_NUM_") || other.starts_with("EXCHANGE_MAX_NUM_") => {
                FilterName::MaxNumOrders
            }
            other => FilterName::Other(super::error::excerpt(other)),
        }
    }
}

/// What an error says about whether Binance acted on the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Binance refused the request before acting on it.
    Rejected,
    /// Binance may or may not have acted on it: look it up before anything else.
    Unknown,
}

/// An error Binance returned: its code and message as written, and the classified reason.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BinanceError {
    /// Binance's code (`-2010`).
    pub code: i64,
    /// Binance's message.
    pub msg: String,
    /// The classified reason.
    pub kind: ErrorKind,
}

impl BinanceError {
    /// Classifies a code and its message, keeping both.
    pub fn new(code: i64, msg: impl Into<String>) -> Self {
        let msg = msg.into();
        let kind = ErrorKind::classify(code, &msg);
        Self { code, msg, kind }
    }

    /// Whether Binance acted on the request: see the module doc.
    pub fn outcome(&self) -> Outcome {
        self.kind.outcome()
    }
}

impl ErrorKind {
    /// Classifies Binance's code, reading the message where one code means several things.
    pub fn classify(code: i64, msg: &str) -> Self {
        match code {
            -2010 => new_order_rejected(msg),
            -1013 => match msg.strip_prefix("Filter failure: ") {
                Some(name) => ErrorKind::FilterFailure(FilterName::parse(name.trim())),
                // -1013 also says "Invalid quantity." and the like: a parameter the filters
                // did not get to.
                None => ErrorKind::InvalidParameter,
            },
            -2011 if msg.starts_with("Unknown order") => ErrorKind::UnknownOrder,
            -2011 => ErrorKind::CancelRejected,
            -2013 | -2026 => ErrorKind::UnknownOrder,
            -1015 | -1003 => ErrorKind::RateLimited,
            -1021 => ErrorKind::Timestamp,
            -1022 | -2014 | -2015 => ErrorKind::Unauthorized,
            -1007 | -1000 | -1001 | -1006 | -1008 => ErrorKind::Unavailable,
            -1199..=-1100 => ErrorKind::InvalidParameter,
            _ => ErrorKind::Other,
        }
    }

    /// Whether Binance acted on the request: see the module doc.
    pub fn outcome(&self) -> Outcome {
        match self {
            ErrorKind::Unavailable => Outcome::Unknown,
            _ => Outcome::Rejected,
        }
    }
}

/// `-2010`'s messages (errors.md, "Messages for -1010, -2010, -2011").
fn new_order_rejected(msg: &str) -> ErrorKind {
    const KNOWN: &[(&str, ErrorKind)] = &[
        ("Account has insufficient balance", ErrorKind::InsufficientBalance),
        ("Order would immediately match and take", ErrorKind::WouldMatchAndTake),
        ("Duplicate order sent", ErrorKind::DuplicateOrder),
        ("Market is closed", ErrorKind::MarketClosed),
        ("This symbol is not permitted for this account", ErrorKind::MarketClosed),
        ("This symbol is restricted for this account", ErrorKind::MarketClosed),
    ];
    KNOWN
        .iter()
        .find(|(prefix, _)| msg.starts_with(prefix))
        .map_or(ErrorKind::NewOrderRejected, |(_, kind)| kind.clone())
}

impl std::fmt::Display for BinanceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.code, self.msg)
    }
}

impl std::error::Error for BinanceError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_binance_errors() {
        use ErrorKind::*;
        use Outcome::*;
        let cases: &[(i64, &str, ErrorKind, Outcome)] = &[
            (
                -2010,
                "Account has insufficient balance for requested action.",
                InsufficientBalance,
                Rejected,
            ),
            (
                -2010,
                "Order would immediately match and take.",
                WouldMatchAndTake,
                Rejected,
            ),
            (-2010, "Duplicate order sent.", DuplicateOrder, Rejected),
            (-2010, "Market is closed.", MarketClosed, Rejected),
            (
                -2010,
                "Stop loss orders are not supported for this symbol.",
                NewOrderRejected,
                Rejected,
            ),
            (
                -1013,
                "Filter failure: PRICE_FILTER",
                FilterFailure(FilterName::Price),
                Rejected,
            ),
            (
                -1013,
                "Filter failure: LOT_SIZE",
                FilterFailure(FilterName::LotSize),
                Rejected,
            ),
            (
                -1013,
                "Filter failure: MARKET_LOT_SIZE",
                FilterFailure(FilterName::MarketLotSize),
                Rejected,
            ),
            (
                -1013,
                "Filter failure: MIN_NOTIONAL",
                FilterFailure(FilterName::MinNotional),
                Rejected,
            ),
            (
                -1013,
                "Filter failure: NOTIONAL",
                FilterFailure(FilterName::Notional),
                Rejected,
            ),
            (
                -1013,
                "Filter failure: PERCENT_PRICE_BY_SIDE",
                FilterFailure(FilterName::PercentPrice),
                Rejected,
            ),
            (
                -1013,
                "Filter failure: MAX_NUM_ORDERS",
                FilterFailure(FilterName::MaxNumOrders),
                Rejected,
            ),
            (
                -1013,
                "Filter failure: ICEBERG_PARTS",
                FilterFailure(FilterName::Other("ICEBERG_PARTS".into())),
                Rejected,
            ),
            (-1013, "Invalid quantity.", InvalidParameter, Rejected),
            (-2011, "Unknown order sent.", UnknownOrder, Rejected),
            (
                -2011,
                "Order was not canceled due to cancel restrictions.",
                CancelRejected,
                Rejected,
            ),
            (-2013, "Order does not exist.", UnknownOrder, Rejected),
            (
                -1015,
                "Too many new orders; current limit is 50 orders per 10 SECOND.",
                RateLimited,
                Rejected,
            ),
            (
                -1003,
                "Too much request weight used; current limit is 6000 request weight per 1 MINUTE.",
                RateLimited,
                Rejected,
            ),
            (
                -1021,
                "Timestamp for this request is outside of the recvWindow.",
                Timestamp,
                Rejected,
            ),
            (
                -1022,
                "Signature for this request is not valid.",
                Unauthorized,
                Rejected,
            ),
            (
                -2015,
                "Invalid API-key, IP, or permissions for action.",
                Unauthorized,
                Rejected,
            ),
            (
                -1102,
                "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.",
                InvalidParameter,
                Rejected,
            ),
            (
                -1007,
                "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
                Unavailable,
                Unknown,
            ),
            (
                -1001,
                "Internal error; unable to process your request. Please try again.",
                Unavailable,
                Unknown,
            ),
            (-9999, "Something new", Other, Rejected),
        ];
        for (code, msg, kind, outcome) in cases {
            let error = BinanceError::new(*code, *msg);
            assert_eq!((&error.kind, error.outcome()), (kind, *outcome), "{code} {msg}");
        }
    }
}
