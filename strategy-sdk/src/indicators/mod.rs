//! Streaming indicators in exact decimals.
//!
//! Each indicator takes one value (or one bar) per update and is `Serialize + Deserialize`, so
//! it belongs in a strategy's snapshot. Every type's doc states its formula and its warm-up:
//! how many updates pass before it has a value, which is `None` until then.
//!
//! | Indicator | Input | Warm-up (updates) |
//! |---|---|---|
//! | [`Sma`], [`Wma`] | value | period |
//! | [`Ema`] (SMA-seeded) | value | period |
//! | [`Rsi`] (Wilder) | value | period + 1 |
//! | [`Macd`] (12/26/9 by default) | value | max(fast, slow) for the line; that + signal − 1 for all three |
//! | [`Bollinger`] (population σ) | value | period |
//! | [`Atr`] (Wilder) | high, low, close | period |
//! | [`Stochastic`] | high, low, close | period for %K; period + smoothing − 1 for %D |
//! | [`Vwap`] | high, low, close, volume | the first bar with volume; [`Vwap::reset`] starts a session |
//! | [`RollingHigh`], [`RollingLow`] | value | period |
//! | [`Crossover`] | an `Ordering` | the second strict comparison |
//!
//! Invariants:
//! 1. An update is O(1) (amortized for the rolling extremes) and never allocates: windows are
//!    allocated once, at their period.
//! 2. Arithmetic is exact `Decimal` (sums, weights, differences), rounded only where a quotient
//!    or a square root needs it, at 28 significant digits. The same inputs give the same digits
//!    on every platform, wasm included.
//! 3. Nothing panics on any input. `update` returns `Result<(), IndicatorError>`: an update
//!    whose arithmetic would leave `Decimal`'s range, or an inconsistent bar (high below low, a
//!    close outside them, negative volume), is refused and changes nothing. The exceptions are
//!    [`Sma::update`] and [`Ema::update`], which keep the infallible signatures existing
//!    strategies call and document the panic they reserve for values beyond 10^23 or so;
//!    [`Sma::try_update`] and [`Ema::try_update`] are their checked forms. [`RollingHigh`],
//!    [`RollingLow`] and [`Crossover`] only compare, so their updates cannot fail.
//! 4. Deserializing checks the invariants (a window never holds more than its period, a running
//!    sum equals its window, a seeding count is below its period, a monotonic deque is
//!    monotonic), so a corrupt snapshot is refused at restore rather than producing wrong
//!    values later. Where a sum follows from a window, the snapshot holds only the window.
//!
//! `tests/indicators_reference.rs` compares every indicator here with talipp on daily BTC/USD
//! bars (`tests/fixtures/indicators/README.md` says how the reference was made).
//!
//! They need no component bindings: with `default-features = false` the SDK builds without
//! wit-bindgen, for research code and tests.

mod atr;
mod bollinger;
mod crossover;
mod ema;
mod error;
mod exact_sum;
mod macd;
mod period;
mod rolling;
mod rsi;
mod sma;
mod sqrt;
mod stochastic;
mod vwap;
mod window;
mod wma;

pub use atr::Atr;
pub use bollinger::{Bollinger, BollingerValue};
pub use crossover::{Cross, Crossover, Relation};
pub use ema::Ema;
pub use error::{IndicatorError, StateError};
pub use macd::{Macd, MacdValue, DEFAULT_FAST, DEFAULT_SIGNAL, DEFAULT_SLOW};
pub(crate) use period::out_of_range;
pub use period::{Period, PeriodError, MAX_PERIOD};
pub use rolling::{RollingHigh, RollingLow};
pub use rsi::Rsi;
pub use sma::Sma;
pub use stochastic::{Stochastic, StochasticValue};
pub use vwap::Vwap;
pub use window::Window;
pub use wma::Wma;
