//! `strategy-host export orders|fills|positions|decisions`: the book of record as CSV or JSON
//! lines, for audit (see [`trading::ledger::export`]). Written to stdout, or to `--out`.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use trading::ledger::{export, ExportFilter, ExportFormat, ExportKind};
use trading::market::{parse_time_text, TimeMs};
use trading::orders::StrategyId;

use crate::config::DEFAULT_DB;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum What {
    Orders,
    Fills,
    Positions,
    Decisions,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to export.
    what: What,
    /// The SQLite book of record.
    #[arg(long, default_value = DEFAULT_DB)]
    db: PathBuf,
    #[arg(long, value_enum, default_value = "csv")]
    format: Format,
    /// Only rows from this time on (an order's last change, a fill's time, a position's last
    /// change, a decision's time): RFC 3339 (`2026-12-01T00:00:00Z`), a date, or epoch seconds or milliseconds.
    #[arg(long, value_parser = since)]
    since: Option<TimeMs>,
    /// Only this strategy's rows.
    #[arg(long)]
    strategy: Option<String>,
    /// Write to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

fn since(text: &str) -> Result<TimeMs, String> {
    parse_time_text(text).map_err(|expected| format!("expected {expected}"))
}

pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let kind = match args.what {
        What::Orders => ExportKind::Orders,
        What::Fills => ExportKind::Fills,
        What::Positions => ExportKind::Positions,
        What::Decisions => ExportKind::Decisions,
    };
    let format = match args.format {
        Format::Csv => ExportFormat::Csv,
        Format::Jsonl => ExportFormat::Jsonl,
    };
    let filter = ExportFilter {
        since_ms: args.since,
        strategy: args.strategy.as_deref().map(StrategyId::new),
        ..ExportFilter::default()
    };
    let mut out: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("{}: cannot create", path.display()))?,
        )),
        None => Box::new(std::io::stdout().lock()),
    };
    let rows = export(&args.db, kind, format, &filter, &mut out)?;
    tracing::info!(rows, db = %args.db.display(), "exported");
    Ok(ExitCode::SUCCESS)
}
