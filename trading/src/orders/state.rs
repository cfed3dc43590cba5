//! The order lifecycle as one table: [`transition`] maps `(state, event)` to the next state.
//!
//! Invariants:
//! 1. Every legal move is one row of the table in [`transition`]; anything else is
//!    [`OrderError::InvalidTransition`] and leaves the order untouched.
//! 2. State-specific data lives in the variant that has it: a reject reason only exists in
//!    [`OrderState::Rejected`], the time a cancel was asked for only in
//!    [`OrderState::PendingCancel`]. There are no `Option` fields paired with flags.
//! 3. The table knows nothing of quantities. Whether a fill completes the order is decided by
//!    [`crate::orders::Order`], which also refuses overfills, and handed in as [`FillProgress`].

use crate::market::TimeMs;
use crate::orders::OrderStatus;

/// Where an order is in its life, as the desk tracks it. Strategies see the coarser
/// [`OrderStatus`] derived from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderState {
    /// Persisted and handed to the broker; the venue has not acknowledged it yet.
    PendingNew,
    /// Acknowledged by the venue, nothing filled.
    Open,
    /// Acknowledged, part of the quantity filled, the rest working.
    PartiallyFilled,
    /// The desk asked the venue to cancel; the venue has not confirmed. Fills may still arrive.
    PendingCancel { requested_ms: TimeMs },
    /// The whole quantity traded.
    Filled,
    /// The venue confirmed the cancel (or cancelled on its own, e.g. on expiry). Fills may
    /// already have happened; the order's filled quantity says how much.
    Cancelled { reason: Option<String> },
    /// Refused by the venue, or never reached it (see the desk's documentation).
    Rejected { reason: String },
}

/// Whether a fill leaves part of the order working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillProgress {
    Partial,
    Complete,
}

/// Something that happens to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEvent {
    /// The venue acknowledged the order.
    Accepted,
    /// The venue refused the order (or the desk could not hand it over).
    Rejected { reason: String },
    /// Part or all of the order traded.
    Fill(FillProgress),
    /// The desk sent a cancel request to the venue.
    CancelRequested { time_ms: TimeMs },
    /// The venue confirmed the order is cancelled (or took it off the book on its own: expiry,
    /// a dead-man switch, self-trade prevention; the reason says which).
    Cancelled { reason: Option<String> },
    /// The venue changed the order's quantity or limit price in place, as the desk asked.
    Amended,
    /// The venue refused a cancel request; the order works on as before.
    CancelRefused,
}

/// Why an event could not be applied to an order. The order is unchanged in every case.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("invalid order transition: {event:?} in state {state:?}")]
    InvalidTransition { state: OrderState, event: OrderEvent },
    #[error("overfill: a fill of {fill_qty} on top of {filled_qty} filled exceeds the order quantity {order_qty}")]
    Overfill {
        order_qty: rust_decimal::Decimal,
        filled_qty: rust_decimal::Decimal,
        fill_qty: rust_decimal::Decimal,
    },
    #[error("invalid amend to quantity {qty} and limit price {limit_price:?}: the quantity must be positive and at least the {filled_qty} filled, the price positive and only for a limit order")]
    InvalidAmend {
        qty: rust_decimal::Decimal,
        limit_price: Option<rust_decimal::Decimal>,
        filled_qty: rust_decimal::Decimal,
    },
    #[error("invalid fill: quantity {qty} and price {price} must both be positive")]
    InvalidFill {
        qty: rust_decimal::Decimal,
        price: rust_decimal::Decimal,
    },
}

impl OrderState {
    /// No event can move a terminal order, with one documented exception: a late fill on a
    /// cancelled order (see [`transition`]).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            OrderState::Filled | OrderState::Cancelled { .. } | OrderState::Rejected { .. }
        )
    }

    /// Still able to trade at the venue (or about to be).
    pub fn is_working(&self) -> bool {
        !self.is_terminal()
    }

    /// The strategy-facing status. `has_fills` tells the states that do not record it
    /// (pending new, pending cancel) apart as open or partially filled.
    pub fn status(&self, has_fills: bool) -> OrderStatus {
        match self {
            OrderState::PendingNew | OrderState::Open | OrderState::PendingCancel { .. } if has_fills => {
                OrderStatus::PartiallyFilled
            }
            OrderState::PendingNew | OrderState::Open | OrderState::PendingCancel { .. } => OrderStatus::Open,
            OrderState::PartiallyFilled => OrderStatus::PartiallyFilled,
            OrderState::Filled => OrderStatus::Filled,
            OrderState::Cancelled { .. } => OrderStatus::Cancelled,
            OrderState::Rejected { .. } => OrderStatus::Rejected,
        }
    }

    /// The reason a venue gave for a cancel or reject, if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            OrderState::Cancelled { reason } => reason.as_deref(),
            OrderState::Rejected { reason } => Some(reason),
            _ => None,
        }
    }

    /// A stable snake_case name, used as the `state` column of the book of record.
    pub fn code(&self) -> &'static str {
        match self {
            OrderState::PendingNew => "pending_new",
            OrderState::Open => "open",
            OrderState::PartiallyFilled => "partially_filled",
            OrderState::PendingCancel { .. } => "pending_cancel",
            OrderState::Filled => "filled",
            OrderState::Cancelled { .. } => "cancelled",
            OrderState::Rejected { .. } => "rejected",
        }
    }
}

/// The order lifecycle. One row per legal `(state, event)` pair; everything else is refused.
///
/// # Errors
///
/// [`OrderError::InvalidTransition`] for any pair not in the table.
#[rustfmt::skip]
pub fn transition(state: &OrderState, event: OrderEvent) -> Result<OrderState, OrderError> {
    use FillProgress::{Complete, Partial};
    use OrderEvent as E;
    use OrderState as S;
    let next = match (state, event) {
        (S::PendingNew,          E::Accepted)                    => S::Open,
        (S::PendingNew,          E::Rejected { reason })         => S::Rejected { reason },
        // A fill overtook the venue's acknowledgement (or the ack was lost): a fill implies it.
        (S::PendingNew,          E::Fill(Partial))               => S::PartiallyFilled,
        (S::PendingNew,          E::Fill(Complete))              => S::Filled,
        // Venues take a cancel for an order they have not acknowledged yet.
        (S::PendingNew,          E::CancelRequested { time_ms }) => S::PendingCancel { requested_ms: time_ms },
        // The venue dropped the order before acknowledging it (expiry, self-trade prevention).
        (S::PendingNew,          E::Cancelled { reason })        => S::Cancelled { reason },
        // Only an order the venue has can be amended: the confirmation implies the ack.
        (S::PendingNew,          E::Amended)                     => S::Open,

        (S::Open,                E::Fill(Partial))               => S::PartiallyFilled,
        (S::Open,                E::Fill(Complete))              => S::Filled,
        (S::Open,                E::CancelRequested { time_ms }) => S::PendingCancel { requested_ms: time_ms },
        (S::Open,                E::Cancelled { reason })        => S::Cancelled { reason },
        (S::Open,                E::Amended)                     => S::Open,

        (S::PartiallyFilled,     E::Fill(Partial))               => S::PartiallyFilled,
        (S::PartiallyFilled,     E::Fill(Complete))              => S::Filled,
        (S::PartiallyFilled,     E::CancelRequested { time_ms }) => S::PendingCancel { requested_ms: time_ms },
        (S::PartiallyFilled,     E::Cancelled { reason })        => S::Cancelled { reason },
        (S::PartiallyFilled,     E::Amended)                     => S::PartiallyFilled,

        // The acknowledgement of an order we already asked to cancel: still waiting for the cancel.
        (S::PendingCancel { requested_ms }, E::Accepted)         => S::PendingCancel { requested_ms: *requested_ms },
        // The venue refused the order itself before our cancel could matter.
        (S::PendingCancel { .. }, E::Rejected { reason })        => S::Rejected { reason },
        // A fill raced the cancel request. It is real and booked; the cancel is still pending.
        (S::PendingCancel { requested_ms }, E::Fill(Partial))    => S::PendingCancel { requested_ms: *requested_ms },
        // The cancel lost the race: everything traded before the venue saw it.
        (S::PendingCancel { .. }, E::Fill(Complete))             => S::Filled,
        (S::PendingCancel { .. }, E::Cancelled { reason })       => S::Cancelled { reason },
        // An amend sent before the cancel, confirmed after it was asked for.
        (S::PendingCancel { requested_ms }, E::Amended)          => S::PendingCancel { requested_ms: *requested_ms },
        // The venue kept the order (it had not seen it yet, or refused): it works on. Its
        // fills, if any, still make its public status partially filled.
        (S::PendingCancel { .. }, E::CancelRefused)              => S::Open,

        // A fill executed before the cancel but reported after its confirmation (venues send
        // them on different channels). The money moved, so the fill is booked, and the order
        // stays cancelled: the cancel did take the rest of it off the book.
        (S::Cancelled { reason }, E::Fill(Partial))              => S::Cancelled { reason: reason.clone() },
        // Same race, but the late fills account for the whole quantity: nothing was cancelled.
        (S::Cancelled { .. },     E::Fill(Complete))             => S::Filled,

        // Filled and Rejected are final. A repeated ack, cancel or reject is a venue duplicate.
        (state, event) => return Err(OrderError::InvalidTransition { state: state.clone(), event }),
    };
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use FillProgress::{Complete, Partial};
    use OrderEvent as E;
    use OrderState as S;

    fn pending_cancel() -> S {
        S::PendingCancel { requested_ms: 7 }
    }
    fn cancelled() -> S {
        S::Cancelled {
            reason: Some("user".into()),
        }
    }
    fn rejected() -> S {
        S::Rejected { reason: "no".into() }
    }
    fn reject() -> E {
        E::Rejected { reason: "no".into() }
    }
    fn cancel_req() -> E {
        E::CancelRequested { time_ms: 7 }
    }
    fn cancel() -> E {
        E::Cancelled {
            reason: Some("user".into()),
        }
    }

    #[test]
    fn every_valid_row() {
        #[rustfmt::skip]
        let rows = [
            (S::PendingNew,      E::Accepted,        S::Open),
            (S::PendingNew,      reject(),           rejected()),
            (S::PendingNew,      E::Fill(Partial),   S::PartiallyFilled),
            (S::PendingNew,      E::Fill(Complete),  S::Filled),
            (S::PendingNew,      cancel_req(),       pending_cancel()),
            (S::PendingNew,      cancel(),           cancelled()),
            (S::PendingNew,      E::Amended,         S::Open),
            (S::Open,            E::Amended,         S::Open),
            (S::PartiallyFilled, E::Amended,         S::PartiallyFilled),
            (pending_cancel(),   E::Amended,         pending_cancel()),
            (pending_cancel(),   E::CancelRefused,   S::Open),
            (S::Open,            E::Fill(Partial),   S::PartiallyFilled),
            (S::Open,            E::Fill(Complete),  S::Filled),
            (S::Open,            cancel_req(),       pending_cancel()),
            (S::Open,            cancel(),           cancelled()),
            (S::PartiallyFilled, E::Fill(Partial),   S::PartiallyFilled),
            (S::PartiallyFilled, E::Fill(Complete),  S::Filled),
            (S::PartiallyFilled, cancel_req(),       pending_cancel()),
            (S::PartiallyFilled, cancel(),           cancelled()),
            (pending_cancel(),   E::Accepted,        pending_cancel()),
            (pending_cancel(),   reject(),           rejected()),
            (pending_cancel(),   E::Fill(Partial),   pending_cancel()),
            (pending_cancel(),   E::Fill(Complete),  S::Filled),
            (pending_cancel(),   cancel(),           cancelled()),
            (cancelled(),        E::Fill(Partial),   cancelled()),
            (cancelled(),        E::Fill(Complete),  S::Filled),
        ];
        for (state, event, expected) in rows {
            let got = transition(&state, event.clone());
            assert_eq!(got, Ok(expected), "{state:?} + {event:?}");
        }
    }

    #[test]
    fn invalid_rows_are_refused_with_the_pair() {
        #[rustfmt::skip]
        let rows = [
            (S::Open,            E::Accepted),
            (S::Open,            reject()),
            (S::PartiallyFilled, E::Accepted),
            (pending_cancel(),   cancel_req()),
            (S::Filled,          E::Fill(Partial)),
            (S::Filled,          cancel()),
            (S::Filled,          cancel_req()),
            (cancelled(),        cancel()),
            (cancelled(),        E::Accepted),
            (cancelled(),        cancel_req()),
            (rejected(),         E::Fill(Complete)),
            (rejected(),         E::Accepted),
            (rejected(),         cancel()),
            (S::Open,            E::CancelRefused),
            (S::Filled,          E::Amended),
            (cancelled(),        E::Amended),
            (rejected(),         E::CancelRefused),
        ];
        for (state, event) in rows {
            let got = transition(&state, event.clone());
            assert_eq!(
                got,
                Err(OrderError::InvalidTransition {
                    state: state.clone(),
                    event: event.clone()
                })
            );
        }
    }

    #[test]
    fn public_status_is_derived_from_state_and_fills() {
        #[rustfmt::skip]
        let rows = [
            (S::PendingNew,      false, OrderStatus::Open),
            (S::PendingNew,      true,  OrderStatus::PartiallyFilled),
            (S::Open,            false, OrderStatus::Open),
            (S::PartiallyFilled, true,  OrderStatus::PartiallyFilled),
            (pending_cancel(),   false, OrderStatus::Open),
            (pending_cancel(),   true,  OrderStatus::PartiallyFilled),
            (S::Filled,          true,  OrderStatus::Filled),
            (cancelled(),        true,  OrderStatus::Cancelled),
            (rejected(),         false, OrderStatus::Rejected),
        ];
        for (state, has_fills, status) in rows {
            assert_eq!(state.status(has_fills), status, "{state:?}");
        }
    }
}
