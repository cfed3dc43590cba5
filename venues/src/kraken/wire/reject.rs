//! Kraken's error text (`EOrder:Insufficient funds`) as a typed reason, and what it says about
//! the request's outcome.
//!
//! **Invariant: an unknown outcome is never a reject.** `EService:Unavailable`,
//! `EService:Busy`, `EGeneral:Internal error` and the like mean Kraken may or may not have
//! acted on the request: an `add_order` answered that way may have placed the order. The adapter
//! must treat [`Outcome::Unknown`] like a lost response (look the order up by `cl_ord_id`, wait
//! for `executions`) and never report it to the strategy as rejected, nor resend it blindly.
//! Every other classified error is [`Outcome::Rejected`]: Kraken refused before acting.
//!
//! Text Kraken has not documented falls into [`OrderErrorKind::Other`], which is classed as
//! a reject only if its category is one whose errors are all refusals (`EOrder`, `EGeneral`,
//! `EAPI`, `EFunding`, `EQuery`, `ESession`); an unknown `EService` error is an unknown outcome.

/// Why Kraken refused a request (or may not have processed it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OrderErrorKind {
    /// `EOrder:Insufficient funds`, `EOrder:Insufficient margin`.
    InsufficientFunds,
    /// `EOrder:Order minimum not met`, `EOrder:Cost minimum not met`.
    BelowMinimum,
    /// `EOrder:Invalid price`, `EGeneral:Invalid arguments:price` (off the tick grid).
    PriceIncrement,
    /// `EGeneral:Invalid arguments:volume` / `…:order_qty` (off the lot grid).
    QtyIncrement,
    /// `EOrder:Post only order`: a post-only order would have taken liquidity.
    PostOnlyWouldTake,
    /// `EOrder:Rate limit exceeded` (the pair's counter), `EOrder:Domain rate limit exceeded`
    /// (the account's), `EAPI:Rate limit exceeded`, `EService:Throttled`, `Exceeded msg rate`.
    RateLimited,
    /// `EOrder:Orders limit exceeded`: too many open orders.
    TooManyOpenOrders,
    /// `EOrder:Unknown order`: nothing to amend or cancel.
    UnknownOrder,
    /// `EOrder:Market in cancel_only mode` and its post-only/limit-only siblings.
    MarketRestricted,
    /// `EAPI:Invalid key`, `EAPI:Invalid signature`, `ESession:Invalid session`,
    /// `EGeneral:Permission denied`, `EAPI:Invalid token`: mint a new token or fix the key.
    InvalidToken,
    /// `EAPI:Invalid nonce`: the REST nonce was not above the key's last one.
    InvalidNonce,
    /// `EGeneral:Invalid arguments…` for anything but price and quantity.
    InvalidArguments,
    /// `EService:Unavailable`, `EService:Busy`, `EGeneral:Internal error`, `EService:Timeout`,
    /// `EService:Deadline elapsed`: **the outcome is unknown** (see the module doc).
    ServiceUnavailable,
    /// Anything else, as written.
    Other(String),
}

/// What an error says about whether Kraken acted on the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Kraken refused the request before acting on it; nothing happened.
    Rejected,
    /// Kraken may or may not have acted on it: look it up before anything else.
    Unknown,
}

/// An error Kraken returned: its text as written and the reason it was classified as.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KrakenError {
    /// The text as Kraken wrote it.
    pub text: String,
    /// The classified reason.
    pub kind: OrderErrorKind,
}

/// `(prefix of the text, reason)`, tried in order; the first match wins, so the more specific
/// prefix comes first.
const KNOWN: &[(&str, OrderErrorKind)] = &[
    ("EOrder:Insufficient funds", OrderErrorKind::InsufficientFunds),
    ("EOrder:Insufficient margin", OrderErrorKind::InsufficientFunds),
    ("EOrder:Order minimum not met", OrderErrorKind::BelowMinimum),
    ("EOrder:Cost minimum not met", OrderErrorKind::BelowMinimum),
    ("EOrder:Invalid price", OrderErrorKind::PriceIncrement),
    ("EGeneral:Invalid arguments:price", OrderErrorKind::PriceIncrement),
    ("EGeneral:Invalid arguments:limit_price", OrderErrorKind::PriceIncrement),
    ("EGeneral:Invalid arguments:volume", OrderErrorKind::QtyIncrement),
    ("EGeneral:Invalid arguments:order_qty", OrderErrorKind::QtyIncrement),
    ("EOrder:Invalid volume", OrderErrorKind::QtyIncrement),
    ("EGeneral:Invalid arguments", OrderErrorKind::InvalidArguments),
    ("EOrder:Post only order", OrderErrorKind::PostOnlyWouldTake),
    ("EOrder:Rate limit exceeded", OrderErrorKind::RateLimited),
    ("EOrder:Domain rate limit exceeded", OrderErrorKind::RateLimited),
    ("EAPI:Rate limit exceeded", OrderErrorKind::RateLimited),
    ("EService:Throttled", OrderErrorKind::RateLimited),
    ("EGeneral:Too many requests", OrderErrorKind::RateLimited),
    ("Exceeded msg rate", OrderErrorKind::RateLimited),
    ("EOrder:Orders limit exceeded", OrderErrorKind::TooManyOpenOrders),
    ("EOrder:Unknown order", OrderErrorKind::UnknownOrder),
    ("EOrder:Market in", OrderErrorKind::MarketRestricted),
    ("EAPI:Invalid key", OrderErrorKind::InvalidToken),
    ("EAPI:Invalid signature", OrderErrorKind::InvalidToken),
    ("EAPI:Invalid token", OrderErrorKind::InvalidToken),
    ("ESession:Invalid session", OrderErrorKind::InvalidToken),
    ("EGeneral:Permission denied", OrderErrorKind::InvalidToken),
    ("EAPI:Invalid nonce", OrderErrorKind::InvalidNonce),
    ("EService:Unavailable", OrderErrorKind::ServiceUnavailable),
    ("EService:Busy", OrderErrorKind::ServiceUnavailable),
    ("EService:Timeout", OrderErrorKind::ServiceUnavailable),
    ("EService:Deadline elapsed", OrderErrorKind::ServiceUnavailable),
    ("EGeneral:Internal error", OrderErrorKind::ServiceUnavailable),
];

/// Categories whose every error is a refusal before Kraken acts.
const REJECTING_CATEGORIES: &[&str] = &["EOrder:", "EGeneral:", "EAPI:", "EFunding:", "EQuery:", "ESession:"];

impl OrderErrorKind {
    /// Classifies Kraken's error text.
    pub fn classify(text: &str) -> Self {
        KNOWN
            .iter()
            .find(|(prefix, _)| text.starts_with(prefix))
            .map_or_else(|| OrderErrorKind::Other(text.to_owned()), |(_, kind)| kind.clone())
    }

    /// Whether Kraken acted on the request: see the module doc.
    pub fn outcome(&self) -> Outcome {
        match self {
            OrderErrorKind::ServiceUnavailable => Outcome::Unknown,
            OrderErrorKind::Other(text) if !REJECTING_CATEGORIES.iter().any(|c| text.starts_with(c)) => {
                Outcome::Unknown
            }
            _ => Outcome::Rejected,
        }
    }

    /// Whether sending the same request again later can succeed without changing it (rate
    /// limits, a busy or unavailable engine, a stale nonce or token). An unknown outcome is
    /// retryable only after the order was looked up.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            OrderErrorKind::RateLimited
                | OrderErrorKind::ServiceUnavailable
                | OrderErrorKind::InvalidNonce
                | OrderErrorKind::InvalidToken
        )
    }
}

impl KrakenError {
    /// Classifies Kraken's error text, keeping it.
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let kind = OrderErrorKind::classify(&text);
        Self { text, kind }
    }

    /// Whether Kraken acted on the request: see the module doc.
    pub fn outcome(&self) -> Outcome {
        self.kind.outcome()
    }
}

impl std::fmt::Display for KrakenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for KrakenError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_kraken_errors() {
        use OrderErrorKind::*;
        use Outcome::*;
        let cases: &[(&str, OrderErrorKind, Outcome)] = &[
            ("EOrder:Insufficient funds", InsufficientFunds, Rejected),
            ("EOrder:Order minimum not met", BelowMinimum, Rejected),
            ("EOrder:Cost minimum not met", BelowMinimum, Rejected),
            ("EOrder:Invalid price", PriceIncrement, Rejected),
            ("EGeneral:Invalid arguments:price", PriceIncrement, Rejected),
            ("EGeneral:Invalid arguments:volume", QtyIncrement, Rejected),
            (
                "EGeneral:Invalid arguments:Invalid cl_ord_id",
                InvalidArguments,
                Rejected,
            ),
            ("EOrder:Post only order", PostOnlyWouldTake, Rejected),
            ("EOrder:Rate limit exceeded", RateLimited, Rejected),
            ("EOrder:Domain rate limit exceeded", RateLimited, Rejected),
            ("EService:Throttled: 1700000000", RateLimited, Rejected),
            ("EOrder:Unknown order", UnknownOrder, Rejected),
            ("EOrder:Market in cancel_only mode", MarketRestricted, Rejected),
            ("EAPI:Invalid key", InvalidToken, Rejected),
            ("ESession:Invalid session", InvalidToken, Rejected),
            ("EAPI:Invalid nonce", InvalidNonce, Rejected),
            ("EService:Unavailable", ServiceUnavailable, Unknown),
            ("EService:Busy", ServiceUnavailable, Unknown),
            ("EGeneral:Internal error", ServiceUnavailable, Unknown),
            (
                "EOrder:Trading agreement required",
                Other("EOrder:Trading agreement required".into()),
                Rejected,
            ),
            (
                "EService:Something new",
                Other("EService:Something new".into()),
                Unknown,
            ),
            (
                "Currency pair not supported XBT/USDT",
                Other("Currency pair not supported XBT/USDT".into()),
                Unknown,
            ),
        ];
        for (text, kind, outcome) in cases {
            let error = KrakenError::new(*text);
            assert_eq!((&error.kind, error.outcome()), (kind, *outcome), "{text}");
        }
    }

    #[test]
    fn unknown_outcomes_are_never_rejects_and_are_retryable() {
        for text in ["EService:Unavailable", "EService:Busy", "EService:Timeout"] {
            let kind = OrderErrorKind::classify(text);
            assert_eq!(kind.outcome(), Outcome::Unknown, "{text}");
            assert!(kind.is_retryable(), "{text}");
        }
    }
}
