//! [`IndicatorError`], why an update was refused, and [`StateError`], why a snapshot was; plus
//! the checked arithmetic that turns `Decimal` overflow into the former instead of a panic.

use std::fmt;

use rust_decimal::Decimal;

/// Why an indicator refused an update.
///
/// A refused update changes nothing: the indicator is exactly as it was before, so the caller
/// can skip the value (and log it) and carry on with the next one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IndicatorError {
    /// The exact arithmetic would leave `Decimal`'s range (about ±7.9 × 10^28). Prices and
    /// quantities from the host (below 9.3 × 10^18) never get there in the indicators' windows;
    /// only values of arbitrary size passed in by hand do.
    Overflow,
    /// A bar whose numbers contradict each other: high below low, a close outside
    /// low ..= high, or a negative volume.
    InvalidBar,
}

impl fmt::Display for IndicatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IndicatorError::Overflow => "the update's arithmetic leaves the decimal range",
            IndicatorError::InvalidBar => {
                "the bar is inconsistent (high below low, close outside them, or negative volume)"
            }
        })
    }
}

impl std::error::Error for IndicatorError {}

/// A snapshot of an indicator that cannot be continued, with what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateError(pub(crate) String);

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StateError {}

impl From<IndicatorError> for StateError {
    fn from(error: IndicatorError) -> Self {
        StateError(format!("the snapshot's values cannot be continued: {error}"))
    }
}

pub(crate) fn add(a: Decimal, b: Decimal) -> Result<Decimal, IndicatorError> {
    a.checked_add(b).ok_or(IndicatorError::Overflow)
}

pub(crate) fn sub(a: Decimal, b: Decimal) -> Result<Decimal, IndicatorError> {
    a.checked_sub(b).ok_or(IndicatorError::Overflow)
}

pub(crate) fn mul(a: Decimal, b: Decimal) -> Result<Decimal, IndicatorError> {
    a.checked_mul(b).ok_or(IndicatorError::Overflow)
}

/// `a / b`; callers pass a `b` that is never zero, so `None` only means overflow.
pub(crate) fn div(a: Decimal, b: Decimal) -> Result<Decimal, IndicatorError> {
    a.checked_div(b).ok_or(IndicatorError::Overflow)
}

/// Refuses a bar whose high is below its low or whose close lies outside them.
pub(crate) fn check_bar(high: Decimal, low: Decimal, close: Decimal) -> Result<(), IndicatorError> {
    if low <= close && close <= high {
        Ok(())
    } else {
        Err(IndicatorError::InvalidBar)
    }
}
