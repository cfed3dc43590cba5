//! Misbehaviour of the WebSocket API on request: each [`Fault`] is armed on the handle
//! ([`crate::Control::arm_fault`]) and consumed, in order, by the request it applies to.

/// One scripted misbehaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// The next `order.place`, `order.cancelReplace` or `order.amend.keepPriority` is executed,
    /// then its connection is dropped before the answer (or any event it caused) is sent: the
    /// reply never comes.
    ExecuteThenDrop,
    /// The next `order.place`, `order.cancelReplace` or `order.amend.keepPriority` is executed
    /// and never answered; the connection stays up (its events still arrive).
    ExecuteSilently,
    /// The next `order.place`, `order.cancelReplace` or `order.amend.keepPriority` is
    /// executed, and answered with
    /// `status` and `-1007` ("Timeout waiting for response from backend server. Send status
    /// unknown; execution status unknown."), as when the engine is slow.
    ExecuteThenTimeout {
        /// The answer's status (408 or a 5xx).
        status: u16,
    },
    /// The next request of any kind is answered `status` (429, or 418 for a ban) with `-1003`
    /// and `retryAfter` `retry_after_ms` from now.
    RateLimit {
        /// 429 or 418.
        status: u16,
        /// How long the client must wait.
        retry_after_ms: i64,
    },
}

impl Fault {
    /// Whether the fault applies to a request of `method`.
    pub(crate) fn applies_to(self, method: &str) -> bool {
        match self {
            Fault::RateLimit { .. } => true,
            _ => matches!(
                method,
                "order.place" | "order.cancelReplace" | "order.amend.keepPriority"
            ),
        }
    }
}
