//! The ledger: cash, positions, fills and PnL per strategy (the single source of truth), and
//! the book of record they are persisted in.
//!
//! Entry points: [`Ledger`] (every strategy's [`Book`] and the [`Marks`] they are valued at),
//! [`Book::preview_fill`] / [`Book::commit`] (booking a fill in two steps, so it can be
//! persisted in between), and the [`BookStore`] seam with its [`SqliteStore`].
//!
//! Invariants:
//! 1. Money is exact: [`rust_decimal::Decimal`] everywhere, checked arithmetic when booking.
//! 2. `cash + Σ cost basis = initial cash + realized PnL − fees` for every book.
//! 3. Realized PnL is by average cost and gross of fees; fees are kept apart; round trips
//!    report PnL net of their fees.
//! 4. Nothing here reads a clock or knows about brokers, risk or wasm; the store is the only I/O.

mod book;
mod holding;
#[cfg(test)]
mod proptests;
mod store;

pub use book::{Book, BookSummary, FillEffect, Ledger, Marks, PositionSummary, Valuation};
pub use holding::{Holding, HoldingParts, LedgerError, OpenTrade, OpenTrip, RoundTrip, TradeSide, PRO_RATA_DECIMALS};
pub use store::{
    export, export_tables, BackendError, BookStore, DecisionRecord, ExportError, ExportFilter, ExportFormat,
    ExportKind, FillOnRecord, FillRecord, JournalError, JournalOptions, JournaledStore, Page, RiskStateRecord,
    SqliteStore, StoreError, StrategySnapshot,
};
