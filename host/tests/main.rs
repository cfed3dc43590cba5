//! The host's integration and end-to-end tests, as one test binary so wasmtime links once.
//!
//! They load real components built by `scripts/build-wasm.sh` (which `./test.sh` runs first)
//! and start the real `strategy-host` binary.

mod support;

mod amend;
mod backtest_cli;
mod bad_input;
mod check_cli;
mod fleet;
mod market_data;
mod new_cli;
mod reload;
mod replay;
mod run_e2e;
mod runtime;
mod sandbox;
mod tidy;
