//! strategy-host's trading core: everything between a market event and the books of record,
//! with no WebAssembly, no async runtime and no wall clock inside.
//!
//! - [`market`]: the normalized market data model (UTC ms, `BASE/QUOTE`, exact decimals) and
//!   the historical feeds (CSV bars, a deterministic random walk).
//! - [`brokers`]: the [`brokers::ExecutionPort`] seam every venue adapter implements, the venue
//!   events that come back, and the simulated broker that paper trading and backtests share.
//! - [`risk`]: pre-trade checks a strategy cannot bypass, and the trading state.
//! - [`orders`]: the order vocabulary and the order lifecycle state machine.
//! - [`ledger`]: positions, cash, fills and PnL per strategy, and their persistence.
//! - [`desk`]: the one place where a strategy's proposal becomes an order: risk, then orders,
//!   then the broker; executions come back through the ledger.
//! - [`report`]: backtest statistics from the ledger's fills and equity curve.
//!
//! Architecture invariant: this crate knows nothing of wasm, HTTP, metrics or any venue's wire
//! format. It is driven synchronously (`event in, consequences out`), so a backtest that feeds it
//! the same events gets the same trades, bit for bit.

#![deny(unsafe_code)]

pub mod brokers;
pub mod desk;
pub mod ledger;
pub mod market;
pub mod orders;
pub mod report;
pub mod risk;
