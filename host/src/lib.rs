//! strategy-host: runs trading strategies as sandboxed WebAssembly components against the
//! trading core (`trading` crate), and serves the operator's surface.
//!
//! - [`runtime`]: wasmtime engine, component loading and checking, sandbox limits, supervised
//!   strategy runners.
//! - [`session`]: backtests (the lockstep loop that feeds market data through the desk to the
//!   strategies) and paper trading.
//! - [`fleet`]: the live side: each strategy on its own thread with its own queue, and hot
//!   reload of the strategies folder.
//! - [`live`]: the host's live venues: one feed per venue, subscriptions reference-counted
//!   across strategies, bars built from 1-minute bars, data age and staleness.
//! - [`api`]: HTTP: `/metrics`, `/health`, `/ready`, `/status`, `/events`, `/control/...`, and the
//!   live dashboard (`/`, `/ws`, `/api/...`).
//! - [`events`]: the one stream of typed host events and its bus.
//! - [`metrics`]: the Prometheus registry and metric handles.
//! - [`notifications`]: webhook notifications of fills, risk state changes, quarantines and venue
//!   disconnects.
//! - [`config`]: the TOML configuration of `strategy-host run`.
//! - [`cli`]: the `strategy-host` subcommands.
//!
//! Dependencies point one way: `cli -> api/session -> fleet -> runtime -> trading`.

#![deny(unsafe_code)]

pub mod api;
pub mod cli;
pub mod config;
pub mod events;
pub mod fleet;
pub mod live;
pub mod metrics;
pub mod notifications;
pub mod runtime;
pub mod session;
