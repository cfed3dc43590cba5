//! Streaming indicators in exact decimals.
//!
//! Each indicator takes one value per update in O(1) without allocating, and is
//! `Serialize + Deserialize`, so it belongs in a strategy's snapshot. Deserializing checks the
//! invariants (a window never holds more than its period, a running sum equals its window), so
//! a corrupt snapshot is refused at restore rather than producing wrong averages later.

mod crossover;
mod ema;
mod exact_sum;
mod period;
mod sma;
mod window;

pub use crossover::{Cross, Crossover, Relation};
pub use ema::Ema;
pub(crate) use period::out_of_range;
pub use period::{Period, PeriodError, MAX_PERIOD};
pub use sma::Sma;
pub use window::Window;
