//! `strategy-host run`: paper trading on replayed bars, or trading on live venues
//! (`--venue NAME`, with `--paper` for simulated fills on their live data), with the HTTP
//! surface, until Ctrl-C.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use trading::orders::VenueId;

use crate::api::control::{ControlToken, TOKEN_ENV};
use crate::api::dashboard::Hub;
use crate::api::{self, ApiState, Condition, EventLog, Readiness};
use crate::config::RawConfig;
use crate::events::subscriber;
use crate::notifications::{Notifier, Webhooks};
use crate::session::live::LiveHost;
use crate::session::paper::PaperHost;

/// The sample the binary carries: real BTC/USD daily bars (see data/README.md).
const SAMPLE_DATA: &str = include_str!("../../../data/Bitcoin.csv");
const SAMPLE_NAME: &str = "built-in sample: data/Bitcoin.csv (BTC/USD daily, 2017-08-16..2021-01-12)";

#[derive(Debug, Args)]
pub struct RunArgs {
    /// TOML configuration; every key has a default, so none is needed.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Folder of strategy components (*.wasm) [default: strategies.d]
    #[arg(long)]
    strategies_dir: Option<PathBuf>,
    /// Address of the HTTP API [default: 127.0.0.1:9898]
    #[arg(long)]
    listen: Option<String>,
    /// OHLCV CSV to replay [default: the built-in BTC/USD sample]
    #[arg(long)]
    data: Option<PathBuf>,
    /// Symbol of the bars in --data [default: BTC/USD]
    #[arg(long)]
    symbol: Option<String>,
    /// Bar duration of --data, like 1m or 1d [default: inferred]
    #[arg(long)]
    timeframe: Option<String>,
    /// Replay pace [default: 5]
    #[arg(long)]
    bars_per_second: Option<f64>,
    /// SQLite book of record [default: strategy-host.db]
    #[arg(long)]
    db: Option<PathBuf>,
    /// Trade on this venue: its live market data, orders sent to it unless --paper (repeatable;
    /// see [venues.NAME] in the config)
    #[arg(long = "venue", value_name = "NAME")]
    venues: Vec<String>,
    /// Simulate the orders on the venues' live data instead of sending them
    #[arg(long)]
    paper: bool,
    /// Journal every market event the strategies receive to FILE (`backtest --data FILE` replays it)
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Append every event of the event stream to FILE as JSON lines (the lines of GET /events)
    #[arg(long, value_name = "FILE")]
    event_log: Option<PathBuf>,
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let (mut raw, source_name) = match &args.config {
        Some(path) => (RawConfig::from_file(path)?, path.display().to_string()),
        None => (RawConfig::default(), "defaults".to_owned()),
    };
    apply_flags(&mut raw, args)?;
    let config = raw.resolve(&source_name)?;
    // Each webhook's URL is a secret in the environment: a missing one stops the start here,
    // before any venue is connected or anything trades.
    let webhooks = Webhooks::from_env(&config.notifications)?;
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;

    let mut host = if config.venues.is_empty() {
        Host::Replay(replay_host(&config)?)
    } else {
        Host::Live(LiveHost::new(&config, tokio.handle())?)
    };
    let readiness = Readiness::new();
    let loading = format!("loading the strategies in {}", config.strategies_dir.display());
    let strategies_loaded = readiness.wait_for("strategies", loading.clone());
    let reconciling = host.reconciling(&readiness);
    if !reconciling.is_empty() {
        strategies_loaded.update(format!("{loading}, once every live venue is reconciled"));
    }
    let state = host.api_state(&config, readiness);
    let event_log = config
        .event_log
        .as_deref()
        .map(|path| EventLog::start(&state.events, path))
        .transpose()?;
    let notifier = Notifier::start(webhooks, &state.events, &state.metrics, tokio.handle())?;
    for webhook in &config.notifications.webhooks {
        let topics: Vec<&str> = webhook.topics.iter().map(|t| t.code()).collect();
        tracing::info!(
            webhook = webhook.name,
            format = webhook.format.code(),
            "notifying of {}",
            topics.join(", ")
        );
    }

    // Serve before loading: compiling many components takes a while, and meanwhile `/health`
    // says the process is alive and `/ready` says what it waits for.
    let server = tokio.block_on(async {
        tokio::spawn(
            state
                .dashboard
                .clone()
                .run(state.events.subscribe(subscriber::DASHBOARD)),
        );
        let listener = api::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        tracing::info!("serving the dashboard at http://{addr}/ and /metrics, /health, /ready, /status; Ctrl-C stops");
        // The bound address on stdout: with `--listen 127.0.0.1:0` this is how a caller learns the port.
        println!("listening on http://{addr}");
        anyhow::Ok(tokio::spawn(api::serve(listener, state, shutdown_signal())))
    })?;
    // No strategy starts before every live venue is reconciled: none hears a market event or
    // places an order on books the venue has not confirmed. A shutdown meanwhile starts none.
    if host.reconcile(reconciling, || server.is_finished()) {
        strategies_loaded.update(loading);
        host.load_strategies()?;
        strategies_loaded.met();
    }

    let stop = Arc::new(AtomicBool::new(false));
    let session = std::thread::Builder::new()
        .name("session".into())
        .spawn({
            let stop = stop.clone();
            move || host.run(stop)
        })
        .context("cannot start the session thread")?;
    let served = tokio.block_on(server).context("the HTTP server task failed")?;
    // A graceful stop waits for the venues (bounded); a second signal is the operator saying
    // not to wait. The journal already holds every write, so nothing is lost by leaving now.
    tokio.spawn(async {
        shutdown_signal().await;
        tracing::warn!("a second signal: exiting at once");
        std::process::exit(130);
    });
    stop.store(true, Ordering::Relaxed);
    let _ = session.join();
    if let Some(log) = &event_log {
        log.finish();
    }
    if let Some(notifier) = notifier {
        notifier.finish(tokio.handle());
    }
    served?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

/// The control API's token from the environment, saying whether control is on.
fn control_token() -> Option<Arc<ControlToken>> {
    let token = ControlToken::from_env();
    match &token {
        Some(token) => tracing::info!(token_id = token.id(), "the control API is on"),
        None => tracing::info!("the control API is off: {TOKEN_ENV} is not set"),
    }
    token.map(Arc::new)
}

/// The session `run` drives: a paced replay of bars, or live venues.
enum Host {
    Replay(PaperHost),
    Live(LiveHost),
}

impl Host {
    fn api_state(&self, config: &crate::config::Config, readiness: Readiness) -> ApiState {
        let (metrics, board, desk, hosted) = match self {
            Host::Replay(host) => (&host.metrics, &host.board, &host.desk, host.hosted()),
            Host::Live(host) => (&host.metrics, &host.board, &host.desk, host.hosted()),
        };
        ApiState {
            dashboard: Hub::new(config.dashboard.clone(), desk.clone(), board.clone(), metrics.clone()),
            book: config.db.clone(),
            strategies: hosted.strategy_control().clone(),
            metrics: metrics.clone(),
            board: board.clone(),
            desk: desk.clone(),
            events: hosted.events().clone(),
            metrics_follower: hosted.metrics_follower().clone(),
            control: control_token(),
            started: Instant::now(),
            readiness,
        }
    }

    /// The `/ready` conditions of the venues to reconcile before the strategies start.
    fn reconciling(&self, readiness: &Readiness) -> Vec<(VenueId, Condition)> {
        match self {
            Host::Replay(_) => Vec::new(),
            Host::Live(host) => host.reconciling(readiness),
        }
    }

    /// Waits until each of `pending` is reconciled; `false` when `stopped` first.
    fn reconcile(&mut self, pending: Vec<(VenueId, Condition)>, stopped: impl Fn() -> bool) -> bool {
        match self {
            Host::Replay(_) => true,
            Host::Live(host) => host.reconcile(pending, stopped),
        }
    }

    fn load_strategies(&mut self) -> anyhow::Result<()> {
        match self {
            Host::Replay(host) => host.load_strategies()?,
            Host::Live(host) => host.load_strategies()?,
        }
        Ok(())
    }

    fn run(self, stop: Arc<AtomicBool>) {
        match self {
            Host::Replay(host) => host.run(stop),
            Host::Live(host) => host.run(stop),
        }
    }
}

/// The paper session on the CSV (or the built-in sample) the config names.
fn replay_host(config: &crate::config::Config) -> anyhow::Result<PaperHost> {
    let (candles, source) = match &config.feed.data {
        Some(path) => (
            trading::market::read_candles_csv(path, &config.feed.symbol, config.feed.timeframe)?,
            path.display().to_string(),
        ),
        None => (
            trading::market::parse_candles_csv(
                SAMPLE_DATA.as_bytes(),
                "data/Bitcoin.csv",
                &config.feed.symbol,
                config.feed.timeframe,
            )?,
            SAMPLE_NAME.to_owned(),
        ),
    };
    Ok(PaperHost::new(config, candles, source)?)
}

fn apply_flags(raw: &mut RawConfig, args: RunArgs) -> anyhow::Result<()> {
    if let Some(dir) = args.strategies_dir {
        raw.strategies_dir = dir;
    }
    if let Some(listen) = args.listen {
        raw.listen = listen;
    }
    if let Some(data) = args.data {
        raw.feed.data = Some(data);
    }
    if let Some(symbol) = args.symbol {
        raw.feed.symbol = symbol;
    }
    if let Some(timeframe) = args.timeframe {
        raw.feed.timeframe = Some(timeframe);
    }
    if let Some(pace) = args.bars_per_second {
        raw.feed.bars_per_second = pace;
    }
    if let Some(db) = args.db {
        raw.db = db;
    }
    if let Some(record) = args.record {
        raw.record = Some(record);
    }
    if let Some(log) = args.event_log {
        raw.event_log = Some(log);
    }
    for venue in &args.venues {
        raw.venues.enable(venue).map_err(anyhow::Error::msg)?;
    }
    if args.paper {
        raw.execution = "paper".into();
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` and Kubernetes send).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
