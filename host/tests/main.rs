//! The host's integration and end-to-end tests, as one test binary so wasmtime links once.
//!
//! They load real components built by `scripts/build-wasm.sh` (which `./test.sh` runs first)
//! and start the real `strategy-host` binary. The `deploy_*` modules test deploy/ with the
//! real tools (promtool, Prometheus, podman), which `./test.sh` installs when missing.

mod support;

mod account;
mod agreement;
mod amend;
mod backtest_cli;
mod bad_input;
mod check_cli;
mod control;
mod crash;
mod dashboard;
mod dashboard_browser;
mod deploy_dashboard;
mod deploy_image;
mod deploy_manifests;
mod deploy_metrics;
mod deploy_prometheus;
mod events;
mod export_cli;
mod fleet;
mod guests;
mod journal;
mod live_bars;
mod live_binance;
mod live_e2e;
mod live_trading;
mod market_data;
mod new_cli;
mod notifications;
mod order_terms;
mod ready;
mod reconcile;
mod refusals;
mod reload;
mod replay;
mod risk_state;
mod run_e2e;
mod runtime;
mod sandbox;
mod shutdown;
mod snapshots;
mod tidy;
