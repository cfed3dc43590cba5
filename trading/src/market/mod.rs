//! The normalized market data model and the historical feeds that produce it.
//!
//! Invariants: times are UTC milliseconds, symbols are `BASE/QUOTE`, prices and quantities are
//! exact [`rust_decimal::Decimal`]s. Nothing venue-specific lives here.
//!
//! - [`Candle`], [`BarUpdate`], [`Trade`], [`Quote`], [`BookSnapshot`] and [`MarketEvent`]: the
//!   model every feed produces.
//! - [`read_candles_csv`] / [`parse_candles_csv`]: bars from CSV files (the format is on
//!   [`read_candles_csv`]), and [`write_candles_csv`] back.
//! - [`Instrument`]: a venue's increments and minimums for one symbol, and rounding onto them.
//! - [`BarAggregator`]: bars of any longer timeframe built from a shorter one (UTC buckets).
//! - [`MarketFeed`]: the interface every source of market data implements (replays and venues).
//! - [`JournalWriter`] / [`read_journal`]: the market journal (`run --record`, `backtest --data`).
//! - [`RandomWalk`]: an endless, deterministic synthetic bar feed for tests and benchmarks.

mod bars;
mod book;
mod calendar;
mod csv;
mod feed;
mod instrument;
mod journal;
mod model;
mod random_walk;

pub use self::csv::{parse_candles_csv, read_candles_csv, write_candles_csv, CsvError};
pub use bars::{BarAggregator, BarRefused, Completed, InvalidAggregation, WithBuiltBars};
pub use book::{BookLevel, BookSnapshot, MAX_BOOK_DEPTH};
pub use calendar::{parse_time_text, Rfc3339};
pub use feed::{FeedState, FeedStatus, FeedStream, MarketFeed, MarketSink, StreamHealth};
pub use instrument::{Instrument, InvalidInstrument, MarketStatus};
pub use journal::{is_journal, read_journal, JournalError, JournalWriter, JOURNAL_VERSION};
pub use model::{
    BarUpdate, Candle, InvalidSymbol, InvalidTimeframe, MarketEvent, Quote, Side, Symbol, TimeMs, Timeframe, Trade,
};
pub use random_walk::{
    InvalidRandomWalk, RandomWalk, RandomWalkConfig, DEFAULT_START_PRICE, DEFAULT_START_TIME_MS, DEFAULT_VOLATILITY,
    MAX_START_PRICE, MAX_VOLATILITY, NOISE_TO_VOLATILITY,
};
