//! [`Period`]: the length of an indicator's window, valid by construction.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The longest window an indicator accepts. It bounds the memory a parameter can ask for, and
/// keeps running sums of host prices (each below 2^63) far from `Decimal`'s limit.
pub const MAX_PERIOD: usize = 100_000;

/// A window length in 1 ..= [`MAX_PERIOD`]. Get one from
/// [`Params::period`](crate::Params::period) or [`Period::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "usize", into = "usize")]
pub struct Period(usize);

impl Period {
    /// `length` as a period, or an error when it is 0 or above [`MAX_PERIOD`].
    ///
    /// # Errors
    ///
    /// [`PeriodError`] naming the length.
    pub const fn new(length: usize) -> Result<Period, PeriodError> {
        if length >= 1 && length <= MAX_PERIOD {
            Ok(Period(length))
        } else {
            Err(PeriodError { length })
        }
    }

    /// The length.
    pub const fn get(self) -> usize {
        self.0
    }
}

impl TryFrom<usize> for Period {
    type Error = PeriodError;

    fn try_from(length: usize) -> Result<Self, Self::Error> {
        Period::new(length)
    }
}

impl From<Period> for usize {
    fn from(period: Period) -> usize {
        period.0
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A window length outside 1 ..= [`MAX_PERIOD`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodError {
    /// The length asked for.
    pub length: usize,
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&out_of_range(self.length))
    }
}

/// The message for a length outside 1 ..= [`MAX_PERIOD`], whatever its integer type.
pub(crate) fn out_of_range(length: impl fmt::Display) -> String {
    format!("must be between 1 and {MAX_PERIOD}, got {length}")
}

impl std::error::Error for PeriodError {}
