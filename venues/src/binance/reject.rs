//! Binance's errors as the reason a strategy is told ([`RejectReason`]), in the kinds the
//! execution seam shares across venues (Kraken's adapter maps onto the same ones).
//!
//! Only errors whose [`Outcome`](super::wire::Outcome) is `Rejected` become rejects: an unknown
//! outcome is settled by a query, never reported as a refusal (see [`super::wire`]).

use trading::brokers::{RejectKind, RejectReason};

use super::wire::{BinanceError, ErrorKind, FilterName};

/// The reject kind of a Binance error.
pub fn reject_kind(error: &BinanceError) -> RejectKind {
    match &error.kind {
        ErrorKind::InsufficientBalance => RejectKind::InsufficientFunds,
        ErrorKind::WouldMatchAndTake => RejectKind::PostOnlyWouldTake,
        ErrorKind::FilterFailure(filter) => match filter {
            // PRICE_FILTER also fails a price outside its bounds; off the tick is what an
            // order that passed the host's own bounds check can still be.
            FilterName::Price => RejectKind::PriceIncrement,
            FilterName::LotSize | FilterName::MarketLotSize => RejectKind::QtyIncrement,
            FilterName::MinNotional | FilterName::Notional => RejectKind::BelowMinimum,
            FilterName::PercentPrice => RejectKind::InvalidOrder,
            FilterName::MaxNumOrders | FilterName::Other(_) => RejectKind::VenueError,
        },
        ErrorKind::UnknownOrder => RejectKind::UnknownOrder,
        ErrorKind::RateLimited => RejectKind::RateLimited,
        ErrorKind::InvalidParameter | ErrorKind::DuplicateOrder => RejectKind::InvalidOrder,
        ErrorKind::MarketClosed
        | ErrorKind::NewOrderRejected
        | ErrorKind::CancelRejected
        | ErrorKind::Timestamp
        | ErrorKind::Unauthorized
        | ErrorKind::Unavailable
        | ErrorKind::Other => RejectKind::VenueError,
    }
}

/// A Binance error as the reason a strategy is told: its kind and Binance's code and text.
pub fn reject_reason(error: &BinanceError) -> RejectReason {
    RejectReason::new(reject_kind(error), error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_become_the_seams_reject_kinds() {
        let cases = [
            (
                -2010,
                "Account has insufficient balance for requested action.",
                RejectKind::InsufficientFunds,
            ),
            (
                -2010,
                "Order would immediately match and take.",
                RejectKind::PostOnlyWouldTake,
            ),
            (-2010, "Market is closed.", RejectKind::VenueError),
            (-2010, "Duplicate order sent.", RejectKind::InvalidOrder),
            (-1013, "Filter failure: PRICE_FILTER", RejectKind::PriceIncrement),
            (-1013, "Filter failure: LOT_SIZE", RejectKind::QtyIncrement),
            (-1013, "Filter failure: MARKET_LOT_SIZE", RejectKind::QtyIncrement),
            (-1013, "Filter failure: MIN_NOTIONAL", RejectKind::BelowMinimum),
            (-1013, "Filter failure: NOTIONAL", RejectKind::BelowMinimum),
            (-1013, "Filter failure: MAX_NUM_ORDERS", RejectKind::VenueError),
            (-2011, "Unknown order sent.", RejectKind::UnknownOrder),
            (-2013, "Order does not exist.", RejectKind::UnknownOrder),
            (-1015, "Too many new orders.", RejectKind::RateLimited),
            (-1003, "Too much request weight used.", RejectKind::RateLimited),
            (
                -1021,
                "Timestamp for this request is outside of the recvWindow.",
                RejectKind::VenueError,
            ),
            (
                -1100,
                "Illegal characters found in parameter 'price'.",
                RejectKind::InvalidOrder,
            ),
        ];
        for (code, msg, kind) in cases {
            let reason = reject_reason(&BinanceError::new(code, msg));
            assert_eq!(reason.kind, kind, "{code} {msg}");
            assert_eq!(reason.detail, format!("{code} {msg}"));
        }
    }
}
