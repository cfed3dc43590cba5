//! The wasm runtime: one wasmtime engine per host, strategy components loaded and checked
//! against the WIT world, one `Store` per strategy instance, CPU and memory limits on every
//! call, and supervision (recovery from the last snapshot, quarantine).
//!
//! Entry points: [`Runtime`] (engine + linker + limits), [`StrategyComponent`] (a compiled,
//! validated component), [`Runner`] (a supervised strategy that takes market events and order
//! updates).
//!
//! Architecture invariants:
//! 1. No venue wire format is known here; strategies see only the trading core's normalized
//!    types, converted in `convert.rs`.
//! 2. A guest can reach nothing but the `host` interface and an empty WASI context: no files,
//!    no environment, no network; its clocks and randomness are the host's.
//! 3. Nothing a guest does panics the host: traps become [`CallError`]s, bad values become
//!    rejects or errors.

mod account;
mod bindings;
mod cache;
mod call_budget;
mod clock;
mod component;
mod convert;
mod engine;
mod event_pull;
mod guest_log;
mod host_state;
mod instance;
mod manifest;
mod replay_sleep;
mod runner;
mod streams;
mod trap;

pub use crate::events::{Decision, Indicator};
pub use bindings::{WIT_PACKAGE, WIT_VERSION};
pub use cache::{CacheOutcome, ComponentCache};
pub use clock::Clock;
pub use component::{ContentHash, LoadError, StrategyComponent};
pub use engine::{
    CpuBudget, EngineError, Runtime, SandboxLimits, DEFAULT_CALL_DEADLINE_MS, DEFAULT_FUEL_PER_CALL,
    DEFAULT_INIT_DEADLINE_MS, DEFAULT_MEMORY_LIMIT_MIB,
};
pub use event_pull::{EventSource, Next, RunEnd, RunSummary};
pub use guest_log::GuestLog;
pub use host_state::{lock_desk, SessionShared, SharedDesk, StrategyContext};
pub use instance::{CallError, PullResult, StrategyInstance};
pub use manifest::{Manifest, ManifestError, ParamSpec, Stream, Subscription};
pub use runner::{Health, PreparedVersion, RecoveryPolicy, Runner, StartError, SwapError};
pub use streams::{StreamKey, StreamRegistry};
pub use trap::TrapKind;
