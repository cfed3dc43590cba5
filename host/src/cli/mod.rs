//! The `strategy-host` subcommands: `run`, `backtest`, `check`, `new`. Each lives in its own
//! file; this one only parses and dispatches. Library errors become `anyhow` errors here, with
//! the context a user needs.

mod backtest;
mod cache;
mod check;
mod export;
mod new;
mod run;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "strategy-host",
    version,
    about = "Runs trading strategies as sandboxed WebAssembly components"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Paper-trade the strategies of a folder on replayed market data, serving /metrics, /health and /status.
    Run(run::RunArgs),
    /// Run one strategy over historical bars and print a report.
    Backtest(backtest::BacktestArgs),
    /// Validate a strategy component and print its manifest and SHA-256.
    Check(check::CheckArgs),
    /// Scaffold a new strategy crate that builds to a component.
    New(new::NewArgs),
    /// Write the book of record's orders, fills, positions or decisions as CSV or JSON lines (audit).
    Export(export::ExportArgs),
}

pub fn main() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    init_logging();
    match cli.command {
        Command::Run(args) => run::run(args),
        Command::Backtest(args) => backtest::run(args),
        Command::Check(args) => check::run(args),
        Command::New(args) => new::run(args),
        Command::Export(args) => export::run(args),
    }
}

/// Logs go to stderr, so `backtest --json` keeps stdout for the report. `RUST_LOG` overrides
/// the default level.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,wasmtime=warn,cranelift=warn"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}
