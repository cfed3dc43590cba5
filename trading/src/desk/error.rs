//! The desk's errors, one type per thing a caller asks of it.

use rust_decimal::Decimal;

use crate::brokers::PortError;
use crate::ledger::StoreError;
use crate::orders::{InvalidOrderIdPrefix, OrderId, OrderStatus, StrategyId, VenueId};
use crate::risk::{InvalidRiskLimits, RiskCheck, RiskRefusal};

/// Why the desk refused to create an order. No order exists when a strategy gets one of these;
/// once an order exists, everything that happens to it (a venue reject too) arrives as an
/// [`crate::orders::OrderUpdate`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{check}: {message}")]
pub struct Reject {
    pub check: RiskCheck,
    /// For people; the stable part is [`Reject::code`].
    pub message: String,
}

impl Reject {
    /// The stable reject code strategies receive (the check's snake_case name).
    pub fn code(&self) -> &'static str {
        self.check.code()
    }
}

impl From<RiskRefusal> for Reject {
    fn from(refusal: RiskRefusal) -> Self {
        Self {
            check: refusal.check(),
            message: refusal.to_string(),
        }
    }
}

/// Why a cancel was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CancelError {
    /// No such order, or it belongs to another strategy (the two are not told apart, so a
    /// strategy learns nothing about other strategies' orders).
    #[error("no order {id} for this strategy")]
    UnknownOrder { id: OrderId },
    #[error("order {id} is already {status:?}")]
    AlreadyTerminal { id: OrderId, status: OrderStatus },
    /// The port did not send the cancel; the order is as it was.
    #[error("the cancel of {id} was not sent: {source}")]
    Port { id: OrderId, source: PortError },
}

/// Why an amend was not sent. The order is as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmendError {
    /// No such order, or it belongs to another strategy.
    #[error("no order {id} for this strategy")]
    UnknownOrder { id: OrderId },
    #[error("order {id} is {status:?}: only a working order can be amended")]
    NotWorking { id: OrderId, status: OrderStatus },
    /// Risk refused the order as amended.
    #[error(transparent)]
    Refused(Reject),
    #[error("the amend of {id} was not sent: {source}")]
    Port { id: OrderId, source: PortError },
}

/// Why the desk could not be built or a strategy registered.
#[derive(Debug, thiserror::Error)]
pub enum DeskError {
    #[error("desk config order_id_prefix: {0}")]
    InvalidPrefix(#[from] InvalidOrderIdPrefix),
    #[error("desk config limits: {0}")]
    InvalidLimits(#[from] InvalidRiskLimits),
    #[error("a venue named {venue} is already set up")]
    DuplicateVenue { venue: VenueId },
    #[error("no venue named {venue}: the desk has {known:?}")]
    UnknownVenue { venue: VenueId, known: Vec<VenueId> },
    #[error("initial cash of strategy {strategy} must not be negative, got {cash}")]
    InvalidInitialCash { strategy: StrategyId, cash: Decimal },
    #[error(transparent)]
    Store(#[from] StoreError),
}
