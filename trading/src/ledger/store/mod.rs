//! The book of record: the [`BookStore`] seam and its SQLite implementation.
//!
//! Invariants (the desk keeps them, the store makes them cheap):
//! 1. Persist before acknowledge: an order is inserted before it reaches the broker, and a
//!    fill (with the order, position and cash it changes, in one transaction) is written
//!    before the ledger or the strategy hears of it.
//! 2. Decimals are stored as text, so what is read back is exactly what was written.
//! 3. The trait speaks the ledger's and orders' types, not SQL, so PostgreSQL can implement it
//!    too. Errors carry the backend's error as a boxed source.
//!
//! [`JournaledStore`] is what the host runs: each write is appended to a write-ahead journal
//! (one `write(2)`, microseconds) and reaches the SQLite tables in batches from a thread of
//! its own; [`SqliteStore`] writes the tables directly, one transaction per write.
//!
//! Backtests run without a store (the desk takes an `Option<Box<dyn BookStore>>`): there is no
//! pretend in-memory store, and no I/O at all on the hot path. Tests that want a real store on
//! no file use [`SqliteStore::open_in_memory`].

mod background;
mod checkpointer;
mod coalesce;
mod export;
mod journal;
mod journaled;
mod rows;
mod schema;
mod sqlite;
#[cfg(test)]
mod test_support;

use std::path::PathBuf;

use crate::ledger::{Book, FillEffect, RoundTrip};
use crate::market::{Symbol, TimeMs};
use crate::orders::{Fill, Order, OrderId, StrategyId, TradeId, VenueId};
use crate::risk::{LossGuard, RiskScope};

pub use export::{export, export_tables, ExportError, ExportFilter, ExportFormat, ExportKind, Page};
pub use journal::JournalError;
pub use journaled::{JournalOptions, JournaledStore};
pub use sqlite::SqliteStore;

/// The boxed error of the storage backend.
pub type BackendError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// A failure of the book of record. Each names the store it happened in.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the book store {}: {source}", .path.display())]
    Open { path: PathBuf, source: BackendError },
    #[error("the book store {} has schema version {found}, newer than this build's {supported}: run a newer strategy-host", .path.display())]
    TooNew { path: PathBuf, found: i64, supported: i64 },
    #[error("book store {}: {source}", .path.display())]
    Backend { path: PathBuf, source: BackendError },
    #[error("book store {}: {table}.{column} holds {value:?}, expected {expected}", .path.display())]
    Corrupt {
        path: PathBuf,
        table: &'static str,
        column: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("book store {}: order {id} is not in the store", .path.display())]
    UnknownOrder { path: PathBuf, id: String },
    #[error("book store {}: {source}", .path.display())]
    Journal { path: PathBuf, source: JournalError },
    #[error("book store {}: its tables stopped following the journal ({reason}); restart to replay it", .path.display())]
    Behind { path: PathBuf, reason: String },
}

/// Everything one fill changes, written in one transaction.
/// What the book of record holds of a reported fill ([`BookStore::fill_on_record`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FillOnRecord {
    /// Not the order: it was never the host's (or not in this book).
    UnknownOrder,
    /// The order, but no fill with that trade id.
    OrderOnly,
    /// The fill itself.
    Booked,
}

#[derive(Debug, Clone, Copy)]
pub struct FillRecord<'a> {
    pub fill: &'a Fill,
    /// The fill's number within its order: 1 for the first.
    pub seq: u32,
    /// The order after the fill.
    pub order: &'a Order,
    /// The holding and cash after the fill, and the round trip it closed.
    pub effect: &'a FillEffect,
    /// The fee as the venue charged it, when in another asset than the quote currency
    /// (`fill.fee` is its value in the quote currency).
    pub venue_fee: Option<(&'a str, rust_decimal::Decimal)>,
}

/// A strategy's state as it handed it over (on hot reload, or for recovery after a trap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategySnapshot {
    pub strategy: StrategyId,
    /// The content hash of the component that produced it.
    pub version_hash: String,
    pub state: Vec<u8>,
    pub time_ms: TimeMs,
}

/// A decision a strategy explained (what it did and why), kept for the audit trail.
#[derive(Debug, Clone, Copy)]
pub struct DecisionRecord<'a> {
    pub strategy: &'a StrategyId,
    /// The content hash of the component that made it.
    pub version_hash: &'a str,
    pub time_ms: TimeMs,
    pub symbol: &'a str,
    pub action: &'a str,
    pub confidence: f32,
    pub reasoning: &'a str,
    /// The values it was based on, by name.
    pub indicators: &'a [(&'a str, rust_decimal::Decimal)],
}

/// The loss limits' state of one scope ([`crate::risk::LossGuard`]), as the book of record
/// keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskStateRecord {
    pub scope: RiskScope,
    pub guard: LossGuard,
    /// When it was written.
    pub time_ms: TimeMs,
}

/// The book of record. Writes take `&mut self`; reads do not change anything.
pub trait BookStore: Send {
    /// Writes a new book. A book already stored for the strategy is kept as it is.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the write fails.
    fn create_book(&mut self, book: &Book, time_ms: TimeMs) -> Result<(), StoreError>;
    /// Inserts a new order (its intent, before the broker sees it).
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the write fails.
    fn insert_order(&mut self, order: &Order) -> Result<(), StoreError>;
    /// Writes an order's new state (no fill involved).
    ///
    /// # Errors
    ///
    /// [`StoreError::UnknownOrder`] if it was never inserted; [`StoreError`] when the write fails.
    fn update_order(&mut self, order: &Order) -> Result<(), StoreError>;
    /// Writes a fill and everything it changes, atomically.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the write fails; nothing of it is stored then.
    fn record_fill(&mut self, record: FillRecord<'_>) -> Result<(), StoreError>;
    /// Stores a strategy snapshot; older ones are kept as history.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the write fails.
    fn save_snapshot(&mut self, snapshot: &StrategySnapshot) -> Result<(), StoreError>;
    /// Drops every snapshot of a strategy: what it ended with no longer describes anything (its
    /// orders were cancelled, or it was closed out), so a strategy of that name starts fresh.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the write fails.
    fn forget_snapshots(&mut self, strategy: &StrategyId) -> Result<(), StoreError>;
    /// Appends a strategy's decision to the audit trail.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the write fails.
    fn record_decision(&mut self, decision: DecisionRecord<'_>) -> Result<(), StoreError>;
    /// Writes a scope's loss limit state, replacing the one stored before.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the write fails.
    fn save_risk_state(&mut self, record: &RiskStateRecord) -> Result<(), StoreError>;

    /// The stored book of one strategy, with its holdings and open round trips.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the read fails or a row is corrupt.
    fn load_book(&self, strategy: &StrategyId) -> Result<Option<Book>, StoreError>;
    /// Every stored book, by strategy.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the read fails or a row is corrupt.
    fn load_books(&self) -> Result<Vec<Book>, StoreError>;
    /// Every order not in a final state, oldest first: what a restart must reconcile with venues.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the read fails or a row is corrupt.
    fn load_working_orders(&self) -> Result<Vec<Order>, StoreError>;
    /// A strategy's closed round trips, oldest first.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the read fails or a row is corrupt.
    fn load_round_trips(&self, strategy: &StrategyId) -> Result<Vec<RoundTrip>, StoreError>;
    /// Whether a fill with this venue trade id is stored: how a fill the venue repeats after a
    /// restart is recognized.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the read fails.
    fn has_trade(&self, venue: &VenueId, symbol: &Symbol, trade_id: &TradeId) -> Result<bool, StoreError>;
    /// What the book of record holds of a fill a venue reports for `order` with this trade id:
    /// how a fill of an order that finished before this run (so it is not in memory) is told
    /// from a fill the books lack.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the read fails.
    fn fill_on_record(&self, order: &OrderId, trade_id: &TradeId) -> Result<FillOnRecord, StoreError>;
    /// The latest snapshot of a strategy.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the read fails.
    fn latest_snapshot(&self, strategy: &StrategyId) -> Result<Option<StrategySnapshot>, StoreError>;
    /// Every scope's stored loss limit state, strategies first, by name.
    ///
    /// # Errors
    ///
    /// [`StoreError`] when the read fails or a row is corrupt.
    fn load_risk_states(&self) -> Result<Vec<RiskStateRecord>, StoreError>;
}
