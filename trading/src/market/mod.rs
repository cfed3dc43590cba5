//! The normalized market data model and the historical feeds that produce it.
//!
//! Invariants: times are UTC milliseconds, symbols are `BASE/QUOTE`, prices and quantities are
//! exact [`rust_decimal::Decimal`]s. Nothing venue-specific lives here.

mod model;

pub use model::{
    Candle, InvalidSymbol, InvalidTimeframe, MarketEvent, Quote, Side, Symbol, TimeMs, Timeframe, Trade,
};
