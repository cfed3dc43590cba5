//! `strategy-host backtest`: one strategy over historical bars, to completion, with a report.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use clap::{Args, ValueEnum};
use rust_decimal::Decimal;
use trading::brokers::{FillPrice, SimConfig};
use trading::market::{MarketEvent, Symbol, Timeframe};
use trading::report::{write_equity_csv, write_trades_csv};
use trading::risk::RiskLimits;

use super::cache::CacheArgs;
use crate::runtime::Decision;
use crate::session::backtest::{self, BacktestSettings};

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// The strategy component (.wasm).
    #[arg(long)]
    strategy: PathBuf,
    /// OHLCV bars (CSV with a header), or a market journal written by `run --record`.
    #[arg(long)]
    data: PathBuf,
    /// Symbol of the bars.
    #[arg(long, default_value = "BTC/USD")]
    symbol: String,
    /// Bar duration, like 1m or 1d [default: inferred from the data]
    #[arg(long)]
    timeframe: Option<String>,
    /// Strategy parameters, a JSON object.
    #[arg(long, default_value = "{}")]
    params: String,
    /// Starting cash.
    #[arg(long, default_value_t = crate::config::DEFAULT_INITIAL_CASH)]
    cash: Decimal,
    /// Fee as a fraction of notional.
    #[arg(long, default_value_t = SimConfig::default().fee_rate)]
    fee_rate: Decimal,
    /// Slippage of market orders, in basis points.
    #[arg(long, default_value_t = Decimal::ZERO)]
    slippage_bps: Decimal,
    /// Price market orders fill at.
    #[arg(long, value_enum, default_value_t = FillAt::NextOpen)]
    fill_at: FillAt,
    /// Let the strategy sell more than it holds (go short); without it a backtest is long-only,
    /// as paper trading is without `risk.allow_short`.
    #[arg(long)]
    allow_short: bool,
    /// At the end, cancel the strategy's working orders and close each position at the last
    /// bar's close (a market order filled at that price, stamped at the close's instant), so
    /// the report counts the last trade as closed; without it the trade still open is
    /// reported as open (in --trades-csv, with status `open`, marked at the last close).
    #[arg(long)]
    close_at_end: bool,
    /// Print the report as one JSON object on stdout.
    #[arg(long)]
    json: bool,
    /// Write the round-trip trades to this CSV file, the one still open last (times RFC 3339
    /// UTC: a fill on a bar at the bar's open instant).
    #[arg(long)]
    trades_csv: Option<PathBuf>,
    /// Write the equity curve (one row per bar, at the bar's close instant, RFC 3339 UTC) to
    /// this CSV file.
    #[arg(long)]
    equity_csv: Option<PathBuf>,
    /// Keep the strategy's decisions and write them to this file, one JSON object per line.
    #[arg(long)]
    decisions: Option<PathBuf>,
    /// Keep the backtest's orders and fills in this SQLite book of record, the format `run
    /// --db` writes (a new file: a backtest starts from fresh cash).
    #[arg(long)]
    db: Option<PathBuf>,
    #[command(flatten)]
    cache: CacheArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FillAt {
    /// The open of the bar after the order.
    NextOpen,
    /// The close of the bar the strategy acted on.
    Close,
}

pub fn run(args: BacktestArgs) -> anyhow::Result<ExitCode> {
    let symbol = Symbol::new(&args.symbol).with_context(|| "--symbol")?;
    let timeframe = args
        .timeframe
        .as_deref()
        .map(Timeframe::parse)
        .transpose()
        .with_context(|| "--timeframe")?;
    serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&args.params).with_context(|| {
        format!(
            "--params {:?}: expected a JSON object like '{{\"fast\": 10}}'",
            args.params
        )
    })?;

    let parse_started = Instant::now();
    // A recorded session (`run --record`) replays as it was delivered; anything else is bars.
    let events: Vec<MarketEvent> = if trading::market::is_journal(&args.data) {
        trading::market::read_journal(&args.data)?
    } else {
        trading::market::read_candles_csv(&args.data, &symbol, timeframe)?
            .into_iter()
            .map(MarketEvent::Candle)
            .collect()
    };
    let parse_ms = parse_started.elapsed().as_millis();

    let settings = BacktestSettings {
        params: args.params.clone(),
        initial_cash: args.cash,
        sim: SimConfig {
            fill_price: match args.fill_at {
                FillAt::NextOpen => FillPrice::NextOpen,
                FillAt::Close => FillPrice::CurrentClose,
            },
            fee_rate: args.fee_rate,
            slippage_bps: args.slippage_bps,
        },
        limits: RiskLimits {
            allow_short: args.allow_short,
            ..RiskLimits::default()
        },
        keep_equity_curve: args.equity_csv.is_some(),
        keep_decisions: args.decisions.is_some(),
        cache_dir: args.cache.dir(),
        close_at_end: args.close_at_end,
        db: args.db.clone(),
    };
    let outcome = backtest::run(&args.strategy, events, &settings)?;

    if let Some(path) = &args.trades_csv {
        let file = File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
        write_trades_csv(BufWriter::new(file), &outcome.trades, &outcome.open_trades)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    if let Some(path) = &args.equity_csv {
        let file = File::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
        write_equity_csv(BufWriter::new(file), &outcome.equity_curve)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }

    if let Some(path) = &args.decisions {
        write_decisions(path, &outcome.decisions).with_context(|| format!("{}: cannot write", path.display()))?;
    }

    let r = &outcome.report;
    if args.json {
        let mut value = serde_json::to_value(r)?;
        if let Some(object) = value.as_object_mut() {
            object.insert("strategy".into(), outcome.strategy.clone().into());
            object.insert("version".into(), outcome.version.clone().into());
            object.insert(
                "parse_ms".into(),
                serde_json::Value::from(u64::try_from(parse_ms).unwrap_or(u64::MAX)),
            );
            object.insert("setup_ms".into(), outcome.setup_ms.into());
            object.insert("compiled_from_cache".into(), outcome.compiled_from_cache.into());
        }
        println!("{value}");
    } else {
        println!("strategy        {} {}", outcome.strategy, outcome.version);
        println!(
            "data            {} ({} bars of {})",
            args.data.display(),
            r.bars,
            symbol
        );
        println!("orders          {} ({} rejected)", r.orders, r.rejected);
        println!("fills           {}", r.fills);
        println!("trades          {} (win rate {}%)", r.trades, r.win_rate_pct);
        println!("fees            {}", r.fees);
        println!("initial cash    {}", r.initial_cash);
        println!("final equity    {}", r.final_equity);
        println!("return          {}%", r.return_pct);
        println!("max drawdown    {}%", r.max_drawdown_pct);
        println!("exposure        {}%", r.exposure_pct);
        println!("csv parse       {parse_ms} ms");
        let compiled = if outcome.compiled_from_cache {
            "cached compile"
        } else {
            "compile"
        };
        println!("setup           {} ms ({compiled} + start)", outcome.setup_ms);
        println!("event loop      {} ms, {} bars/s", r.elapsed_ms, r.bars_per_second);
    }
    Ok(ExitCode::SUCCESS)
}

/// One JSON object per decision and line, in the order the strategy emitted them: the shape of
/// `/status`'s `last_decision`.
fn write_decisions(path: &Path, decisions: &[Decision]) -> anyhow::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    for decision in decisions {
        serde_json::to_writer(&mut out, decision)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
