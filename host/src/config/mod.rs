//! The configuration of `strategy-host run`: TOML in which every key has a default, so no file
//! is needed, and unknown keys are refused by name.
//!
//! Two stages: [`RawConfig`] is what serde reads from the file (and flags override); it
//! resolves through [`RawConfig::resolve`] into a [`Config`] of checked, typed values, and only
//! the resolved form reaches the run code.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rust_decimal::Decimal;
use serde::Deserialize;
use trading::brokers::{FillPrice, SimConfig};
use trading::market::{Symbol, Timeframe};
use trading::orders::VenueId;
use trading::risk::{LossAction, LossLimits, RiskLimits, ScopeLimits, TradingState};

use crate::fleet::OnDelete;
use crate::runtime::{CpuBudget, SandboxLimits};

mod dashboard;
mod notifications;
mod venues;

pub use dashboard::{DashboardConfig, RawDashboard};
pub use notifications::{
    NotificationsConfig, RawNotifications, RawTemplates, RawWebhook, WebhookConfig, DEFAULT_SHUTDOWN_FLUSH_MS,
    DEFAULT_WEBHOOK_BACKOFF_INITIAL_MS, DEFAULT_WEBHOOK_BACKOFF_MAX_MS, DEFAULT_WEBHOOK_MAX_ATTEMPTS,
    DEFAULT_WEBHOOK_QUEUE_CAPACITY, DEFAULT_WEBHOOK_TIMEOUT_MS,
};
pub use venues::{
    BinanceSettings, ExecutionMode, KrakenSettings, RawBinance, RawKraken, RawVenues, Reconnect, VenueConfig,
    VenueKind, DEFAULT_BINANCE_STALE_AFTER_MS, DEFAULT_STALE_AFTER_MS, KRAKEN_REST_URL, KRAKEN_WS_PRIVATE_URL,
    KRAKEN_WS_PUBLIC_URL,
};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:9898";
pub const DEFAULT_STRATEGIES_DIR: &str = "strategies.d";
pub const DEFAULT_DB: &str = "strategy-host.db";
pub const DEFAULT_SYMBOL: &str = "BTC/USD";
/// Bars replayed per second in paper mode: the 1,246 daily bars of the sample last about four
/// minutes, slow enough to watch the metrics move.
pub const DEFAULT_BARS_PER_SECOND: f64 = 5.0;
/// Market events one strategy's queue holds: at 1,000 events a second, a second of backlog.
pub const DEFAULT_QUEUE_CAPACITY: usize = 1_024;
pub const DEFAULT_INITIAL_CASH: Decimal = Decimal::from_parts(100_000, 0, 0, false, 0);

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawConfig {
    /// HTTP address for /metrics, /health and /status.
    pub listen: String,
    /// Folder of strategy components (`*.wasm`).
    pub strategies_dir: PathBuf,
    /// The SQLite book of record.
    pub db: PathBuf,
    /// A market journal of every event the strategies receive (`run --record`); none by default.
    pub record: Option<PathBuf>,
    /// Events a subscriber of the event stream (`/events`, metrics) may fall behind by before
    /// it skips ahead to the oldest one kept.
    pub event_capacity: usize,
    /// Append every event of the stream to this file as JSON lines (`run --event-log`); none
    /// by default.
    pub event_log: Option<PathBuf>,
    /// The live dashboard's WebSocket (`[dashboard]`).
    pub dashboard: RawDashboard,
    pub feed: RawFeed,
    pub paper: RawPaper,
    pub risk: RawRisk,
    pub sandbox: RawSandbox,
    /// Live venues (`[venues.kraken]`, `[venues.binance]`).
    pub venues: RawVenues,
    /// How orders on live venues are executed: `live` (default: sent to the venue) or `paper`
    /// (simulated fills on the venue's live data; also `run --paper`).
    pub execution: String,
    /// Per-strategy settings, keyed by the strategy's manifest name.
    pub strategies: BTreeMap<String, RawStrategy>,
    /// Webhooks told of fills, risk state changes, quarantines and venue disconnects.
    pub notifications: RawNotifications,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawFeed {
    /// OHLCV CSV to replay; absent means the sample data built into the binary.
    pub data: Option<PathBuf>,
    pub symbol: String,
    /// Bar duration (`1m`, `1d`); absent means inferred from the data.
    pub timeframe: Option<String>,
    pub bars_per_second: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawPaper {
    pub initial_cash: Decimal,
    /// `next_open` (default) or `close`.
    pub fill_price: String,
    pub fee_rate: Decimal,
    pub slippage_bps: Decimal,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawRisk {
    pub max_order_notional: Decimal,
    pub max_position: Decimal,
    pub max_open_orders: usize,
    pub allow_short: bool,
    /// `active`, `reducing` or `halted`.
    pub trading_state: String,
    /// Absolute position per symbol per venue account, every strategy on it together.
    pub max_account_position: Decimal,
    /// Orders (new ones and amends) per strategy in any second.
    pub max_orders_per_second: u32,
    /// How far a limit price may be from the last price, in basis points; absent: no band.
    pub price_band_bps: Option<Decimal>,
    /// Largest loss of a strategy within a day (quote currency); absent: none.
    pub daily_loss_limit: Option<Decimal>,
    /// Largest fall of a strategy's equity from its peak; absent: none.
    pub max_drawdown: Option<Decimal>,
    /// The daily loss limit of a venue account, every strategy on it together.
    pub account_daily_loss_limit: Option<Decimal>,
    /// The drawdown limit of a venue account.
    pub account_max_drawdown: Option<Decimal>,
    /// `halted` (default) or `reducing`: what a crossed loss limit does to its scope.
    pub loss_action: String,
    /// When the day of the daily loss limits starts, `HH:MM` in UTC.
    pub daily_reset_utc: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawSandbox {
    pub call_deadline_ms: u64,
    pub init_deadline_ms: u64,
    pub memory_limit_mib: u64,
    pub max_consecutive_failures: u32,
    /// Market events a strategy's queue holds before they are coalesced or the oldest dropped.
    pub queue_capacity: usize,
    /// Where compiled components are kept between runs; `""` turns the cache off.
    /// Default: `$XDG_CACHE_HOME/strategy-host/components` or `~/.cache/strategy-host/components`.
    pub cache_dir: Option<PathBuf>,
    /// A running strategy's state is written to the book of record this often, besides at
    /// every swap and when the host shuts down; 0: only then.
    pub snapshot_every_s: u64,
    /// A strategy's thread with nothing to do polls its queue this long before it sleeps:
    /// an event then reaches it without a thread wake-up, for a core kept busy meanwhile.
    /// 0 (the default): it sleeps at once.
    pub idle_spin_us: u64,
}

/// One strategy's settings: a `[strategies.NAME]` section of the config, or the whole of a
/// `NAME.toml` beside `NAME.wasm` (which, when present, replaces the section).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawStrategy {
    /// Given to the strategy's `init` as a JSON object.
    pub params: toml::Table,
    /// Cash of the strategy's book when it is first created (a book keeps its cash after).
    pub initial_cash: Option<Decimal>,
    /// What deleting the strategy's file does: `cancel-orders` (default), `keep` or `flatten`.
    pub on_delete: Option<String>,
    /// Overrides `sandbox.call_deadline_ms` for this strategy.
    pub call_deadline_ms: Option<u64>,
    /// Overrides `sandbox.memory_limit_mib` for this strategy.
    pub memory_limit_mib: Option<u64>,
    /// The venue the strategy trades on; absent means the host's only (or first) one.
    pub venue: Option<String>,
    /// Overrides `risk.daily_loss_limit` for this strategy.
    pub daily_loss_limit: Option<Decimal>,
    /// Overrides `risk.max_drawdown` for this strategy.
    pub max_drawdown: Option<Decimal>,
}

impl RawStrategy {
    /// Reads a `NAME.toml` strategy file. Unknown keys and ill-typed values are errors naming
    /// the key and line.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        read_toml(path)
    }

    /// Checks the values against the host-wide `sandbox`, naming each bad key after `key_prefix`
    /// (`strategies.grid.` in the config, empty in a strategy file).
    pub fn resolve(&self, key_prefix: &str, sandbox: SandboxLimits) -> Result<StrategyConfig, Vec<String>> {
        let mut problems = Vec::new();
        if let Some(cash) = self.initial_cash {
            if cash <= Decimal::ZERO {
                problems.push(format!("{key_prefix}initial_cash = {cash}: expected a positive amount"));
            }
        }
        let on_delete = match self.on_delete.as_deref() {
            None => Some(OnDelete::default()),
            Some(text) => OnDelete::parse(text),
        };
        if on_delete.is_none() {
            problems.push(format!(
                "{key_prefix}on_delete = {:?}: expected \"cancel-orders\", \"keep\" or \"flatten\"",
                self.on_delete.as_deref().unwrap_or_default()
            ));
        }
        let mut limits = sandbox;
        if let Some(ms) = self.call_deadline_ms {
            match &mut limits.cpu {
                _ if ms == 0 => problems.push(format!("{key_prefix}call_deadline_ms = 0: expected at least 1")),
                CpuBudget::Deadline { call_ms, .. } => *call_ms = ms,
                CpuBudget::Fuel { .. } => {}
            }
        }
        if let Some(mib) = self.memory_limit_mib {
            match memory_limit_bytes(mib) {
                Some(bytes) => limits.memory_limit_bytes = bytes,
                None => problems.push(format!(
                    "{key_prefix}memory_limit_mib = {mib}: expected {MEMORY_LIMIT_MIB_RANGE:?}"
                )),
            }
        }
        for (key, limit) in [
            ("daily_loss_limit", self.daily_loss_limit),
            ("max_drawdown", self.max_drawdown),
        ] {
            if let Some(limit) = limit.filter(|l| *l <= Decimal::ZERO) {
                problems.push(format!(
                    "{key_prefix}{key} = {limit}: expected a positive amount of the quote currency"
                ));
            }
        }
        let (Some(on_delete), true) = (on_delete, problems.is_empty()) else {
            return Err(problems);
        };
        Ok(StrategyConfig {
            params_json: serde_json::to_string(&self.params).unwrap_or_else(|_| "{}".into()),
            initial_cash: self.initial_cash,
            on_delete,
            limits,
            venue: self.venue.as_deref().map(VenueId::new),
            loss: ScopeLimits {
                daily_loss_limit: self.daily_loss_limit,
                max_drawdown: self.max_drawdown,
            },
        })
    }
}

/// Reads and parses a TOML file, with errors naming the file (and the key and line).
fn read_toml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_toml(&text).map_err(|message| ConfigError::Parse {
        path: path.to_owned(),
        message,
    })
}

fn parse_toml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, String> {
    toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())
}

/// What `memory_limit_mib` may be.
const MEMORY_LIMIT_MIB_RANGE: std::ops::RangeInclusive<u64> = 1..=4096;
/// Past a second of polling after each event, a strategy's core is simply never idle.
const MAX_IDLE_SPIN_US: u64 = 1_000_000;

fn memory_limit_bytes(mib: u64) -> Option<usize> {
    MEMORY_LIMIT_MIB_RANGE
        .contains(&mib)
        .then(|| usize::try_from(mib * 1024 * 1024).ok())
        .flatten()
}

impl Default for RawConfig {
    fn default() -> Self {
        Self {
            listen: DEFAULT_LISTEN.into(),
            strategies_dir: DEFAULT_STRATEGIES_DIR.into(),
            db: DEFAULT_DB.into(),
            record: None,
            event_capacity: crate::events::DEFAULT_CAPACITY,
            event_log: None,
            dashboard: RawDashboard::default(),
            feed: RawFeed::default(),
            paper: RawPaper::default(),
            risk: RawRisk::default(),
            sandbox: RawSandbox::default(),
            venues: RawVenues::default(),
            execution: "live".into(),
            strategies: BTreeMap::new(),
            notifications: RawNotifications::default(),
        }
    }
}

impl Default for RawFeed {
    fn default() -> Self {
        Self {
            data: None,
            symbol: DEFAULT_SYMBOL.into(),
            timeframe: None,
            bars_per_second: DEFAULT_BARS_PER_SECOND,
        }
    }
}

impl Default for RawPaper {
    fn default() -> Self {
        let sim = SimConfig::default();
        Self {
            initial_cash: DEFAULT_INITIAL_CASH,
            fill_price: "next_open".into(),
            fee_rate: sim.fee_rate,
            slippage_bps: sim.slippage_bps,
        }
    }
}

impl Default for RawRisk {
    fn default() -> Self {
        let limits = RiskLimits::default();
        Self {
            max_order_notional: limits.max_order_notional,
            max_position: limits.max_position,
            max_open_orders: limits.max_open_orders,
            allow_short: limits.allow_short,
            trading_state: "active".into(),
            max_account_position: limits.max_account_position,
            max_orders_per_second: limits.max_orders_per_second,
            price_band_bps: limits.price_band_bps,
            daily_loss_limit: limits.loss.daily_loss_limit,
            max_drawdown: limits.loss.max_drawdown,
            account_daily_loss_limit: limits.loss.account_daily_loss_limit,
            account_max_drawdown: limits.loss.account_max_drawdown,
            loss_action: "halted".into(),
            daily_reset_utc: "00:00".into(),
        }
    }
}

impl Default for RawSandbox {
    fn default() -> Self {
        Self {
            call_deadline_ms: crate::runtime::DEFAULT_CALL_DEADLINE_MS,
            init_deadline_ms: crate::runtime::DEFAULT_INIT_DEADLINE_MS,
            memory_limit_mib: crate::runtime::DEFAULT_MEMORY_LIMIT_MIB,
            max_consecutive_failures: crate::runtime::RecoveryPolicy::live().max_consecutive_failures,
            queue_capacity: DEFAULT_QUEUE_CAPACITY,
            cache_dir: default_cache_dir(),
            snapshot_every_s: 60,
            idle_spin_us: 0,
        }
    }
}

/// `HH:MM` (00:00 to 23:59) as milliseconds after midnight.
fn time_of_day_ms(text: &str) -> Option<i64> {
    let (hours, minutes) = text.split_once(':')?;
    let two_digits =
        |t: &str| (t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse::<i64>().ok())?;
    let (hours, minutes) = (two_digits(hours)?, two_digits(minutes)?);
    (hours < 24 && minutes < 60).then_some((hours * 60 + minutes) * 60_000)
}

/// The conventional per-user cache folder, if the environment names one.
pub fn default_cache_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })?;
    Some(base.join("strategy-host/components"))
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{source_name}: invalid settings:\n{}", .problems.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
    Invalid { source_name: String, problems: Vec<String> },
}

/// The checked configuration the run code uses.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub strategies_dir: PathBuf,
    pub db: PathBuf,
    pub record: Option<PathBuf>,
    /// How far an event subscriber may fall behind before it skips ahead.
    pub event_capacity: usize,
    /// Where the event stream is appended as JSON lines, if anywhere.
    pub event_log: Option<PathBuf>,
    pub dashboard: DashboardConfig,
    pub feed: FeedConfig,
    pub sim: SimConfig,
    pub initial_cash: Decimal,
    pub limits: RiskLimits,
    pub trading_state: TradingState,
    pub sandbox: SandboxLimits,
    pub max_consecutive_failures: u32,
    pub queue_capacity: usize,
    /// Compiled-component cache folder; `None` compiles on every start.
    pub cache_dir: Option<PathBuf>,
    /// How often running strategies' states are kept besides at swaps and on stopping.
    pub snapshot_every: Option<Duration>,
    /// How long an idle strategy's thread polls for its next event before it sleeps.
    pub idle_spin: Duration,
    /// The enabled live venues; none means the CSV replay.
    pub venues: Vec<VenueConfig>,
    /// How orders on live venues are executed.
    pub execution: ExecutionMode,
    pub strategies: BTreeMap<String, StrategyConfig>,
    /// The webhooks (their URLs are read from the environment when the host starts).
    pub notifications: NotificationsConfig,
}

#[derive(Debug, Clone)]
pub struct FeedConfig {
    pub data: Option<PathBuf>,
    pub symbol: Symbol,
    pub timeframe: Option<Timeframe>,
    pub bars_per_second: f64,
}

/// One strategy's checked settings.
#[derive(Debug, Clone, PartialEq)]
pub struct StrategyConfig {
    /// JSON text for `init`.
    pub params_json: String,
    pub initial_cash: Option<Decimal>,
    pub on_delete: OnDelete,
    /// The host's sandbox limits with this strategy's overrides applied.
    pub limits: SandboxLimits,
    /// The venue it trades on; `None`: the host's first.
    pub venue: Option<VenueId>,
    /// Its own loss limits, each in place of the host's `[risk]` one when set.
    pub loss: ScopeLimits,
}

impl StrategyConfig {
    /// The settings of a strategy the config does not mention.
    pub fn defaults(sandbox: SandboxLimits) -> Self {
        Self {
            params_json: "{}".into(),
            initial_cash: None,
            on_delete: OnDelete::default(),
            limits: sandbox,
            venue: None,
            loss: ScopeLimits::default(),
        }
    }
}

impl Config {
    /// The settings of strategy `name` from the config alone (a `NAME.toml` may override them).
    pub fn strategy(&self, name: &str) -> StrategyConfig {
        self.strategies
            .get(name)
            .cloned()
            .unwrap_or_else(|| StrategyConfig::defaults(self.sandbox))
    }
}

impl RawConfig {
    /// Reads a TOML file. Unknown keys and ill-typed values are errors naming the key and line.
    pub fn from_file(path: &Path) -> Result<Self, ConfigError> {
        read_toml(path)
    }

    pub fn from_toml(text: &str) -> Result<Self, String> {
        parse_toml(text)
    }

    /// Checks every value, collecting all problems (each naming its key) rather than the first.
    pub fn resolve(&self, source_name: &str) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        let mut check = |ok: bool, problem: String| {
            if !ok {
                problems.push(problem);
            }
        };
        let listen = self.listen.parse::<SocketAddr>();
        check(
            listen.is_ok(),
            format!("listen = {:?}: expected an address like 127.0.0.1:9898", self.listen),
        );
        let symbol = Symbol::new(&self.feed.symbol);
        check(
            symbol.is_ok(),
            format!("feed.symbol = {:?}: expected BASE/QUOTE like BTC/USD", self.feed.symbol),
        );
        let timeframe = self.feed.timeframe.as_deref().map(Timeframe::parse).transpose();
        check(
            timeframe.is_ok(),
            format!(
                "feed.timeframe = {:?}: expected a duration like 1m or 1d",
                self.feed.timeframe
            ),
        );
        let pace_ok = self.feed.bars_per_second.is_finite() && self.feed.bars_per_second > 0.0;
        check(
            pace_ok,
            format!(
                "feed.bars_per_second = {}: expected a number above 0",
                self.feed.bars_per_second
            ),
        );
        let fill_price = match self.paper.fill_price.as_str() {
            "next_open" => Some(FillPrice::NextOpen),
            "close" => Some(FillPrice::CurrentClose),
            _ => None,
        };
        check(
            fill_price.is_some(),
            format!(
                "paper.fill_price = {:?}: expected \"next_open\" or \"close\"",
                self.paper.fill_price
            ),
        );
        check(
            self.paper.initial_cash > Decimal::ZERO,
            format!(
                "paper.initial_cash = {}: expected a positive amount",
                self.paper.initial_cash
            ),
        );
        check(
            self.paper.fee_rate >= Decimal::ZERO && self.paper.fee_rate < Decimal::ONE,
            format!(
                "paper.fee_rate = {}: expected a fraction in [0, 1), like 0.001",
                self.paper.fee_rate
            ),
        );
        check(
            self.paper.slippage_bps >= Decimal::ZERO,
            format!("paper.slippage_bps = {}: expected 0 or more", self.paper.slippage_bps),
        );
        let trading_state = match self.risk.trading_state.as_str() {
            "active" => Some(TradingState::Active),
            "reducing" => Some(TradingState::Reducing),
            "halted" => Some(TradingState::Halted),
            _ => None,
        };
        check(
            trading_state.is_some(),
            format!(
                "risk.trading_state = {:?}: expected \"active\", \"reducing\" or \"halted\"",
                self.risk.trading_state
            ),
        );
        check(
            self.risk.max_order_notional > Decimal::ZERO,
            format!(
                "risk.max_order_notional = {}: expected a positive amount",
                self.risk.max_order_notional
            ),
        );
        check(
            self.risk.max_position > Decimal::ZERO,
            format!(
                "risk.max_position = {}: expected a positive quantity",
                self.risk.max_position
            ),
        );
        check(
            self.risk.max_account_position > Decimal::ZERO,
            format!(
                "risk.max_account_position = {}: expected a positive quantity",
                self.risk.max_account_position
            ),
        );
        check(
            self.risk.max_orders_per_second > 0,
            "risk.max_orders_per_second = 0: expected at least 1".into(),
        );
        let loss_limits = [
            ("risk.daily_loss_limit", self.risk.daily_loss_limit),
            ("risk.max_drawdown", self.risk.max_drawdown),
            ("risk.account_daily_loss_limit", self.risk.account_daily_loss_limit),
            ("risk.account_max_drawdown", self.risk.account_max_drawdown),
        ];
        for (key, limit) in loss_limits {
            if let Some(limit) = limit {
                check(
                    limit > Decimal::ZERO,
                    format!("{key} = {limit}: expected a positive amount of the quote currency"),
                );
            }
        }
        let loss_action = match self.risk.loss_action.as_str() {
            "halted" => Some(LossAction::Halted),
            "reducing" => Some(LossAction::Reducing),
            _ => None,
        };
        check(
            loss_action.is_some(),
            format!(
                "risk.loss_action = {:?}: expected \"halted\" or \"reducing\"",
                self.risk.loss_action
            ),
        );
        let daily_reset_ms = time_of_day_ms(&self.risk.daily_reset_utc);
        check(
            daily_reset_ms.is_some(),
            format!(
                "risk.daily_reset_utc = {:?}: expected a UTC time of day as HH:MM, like \"00:00\" or \"22:00\"",
                self.risk.daily_reset_utc
            ),
        );
        if let Some(band) = self.risk.price_band_bps {
            check(
                band > Decimal::ZERO,
                format!("risk.price_band_bps = {band}: expected a positive number of basis points, like 500 (5 %)"),
            );
        }
        check(
            self.sandbox.call_deadline_ms > 0,
            "sandbox.call_deadline_ms = 0: expected at least 1".into(),
        );
        check(
            self.sandbox.init_deadline_ms > 0,
            "sandbox.init_deadline_ms = 0: expected at least 1".into(),
        );
        check(
            self.sandbox.idle_spin_us <= MAX_IDLE_SPIN_US,
            format!(
                "sandbox.idle_spin_us = {}: expected at most {MAX_IDLE_SPIN_US} (a second of polling after each event)",
                self.sandbox.idle_spin_us
            ),
        );
        let memory_limit = memory_limit_bytes(self.sandbox.memory_limit_mib);
        check(
            memory_limit.is_some(),
            format!(
                "sandbox.memory_limit_mib = {}: expected {MEMORY_LIMIT_MIB_RANGE:?}",
                self.sandbox.memory_limit_mib
            ),
        );
        check(
            self.event_capacity > 0,
            "event_capacity = 0: expected at least 1".into(),
        );
        check(
            self.sandbox.queue_capacity > 0,
            "sandbox.queue_capacity = 0: expected at least 1".into(),
        );
        check(
            self.sandbox.max_consecutive_failures > 0,
            "sandbox.max_consecutive_failures = 0: expected at least 1".into(),
        );
        let sandbox = SandboxLimits {
            cpu: CpuBudget::Deadline {
                call_ms: self.sandbox.call_deadline_ms,
                init_ms: self.sandbox.init_deadline_ms,
            },
            memory_limit_bytes: memory_limit.unwrap_or_default(),
        };
        let execution = match self.execution.as_str() {
            "live" => ExecutionMode::Live,
            "paper" => ExecutionMode::Paper,
            other => {
                problems.push(format!("execution = {other:?}: expected \"live\" or \"paper\""));
                ExecutionMode::Paper
            }
        };
        let venues = self.venues.resolve(&mut problems);
        let dashboard = self.dashboard.resolve(&mut problems);
        let notifications = self.notifications.resolve(&mut problems);
        let mut strategies = BTreeMap::new();
        for (name, raw) in &self.strategies {
            match raw.resolve(&format!("strategies.{name}."), sandbox) {
                Ok(strategy) => {
                    strategies.insert(name.clone(), strategy);
                }
                Err(found) => problems.extend(found),
            }
        }
        for (name, strategy) in &strategies {
            if let Some(venue) = &strategy.venue {
                if !venues.is_empty() && !venues.iter().any(|v| v.name == *venue) {
                    let enabled: Vec<&str> = venues.iter().map(|v| v.name.as_str()).collect();
                    problems.push(format!(
                        "strategies.{name}.venue = {:?}: expected one of the enabled venues {enabled:?}",
                        venue.as_str()
                    ));
                }
            }
        }

        let (Ok(listen), Ok(symbol), Ok(timeframe), Some(fill_price), Some(trading_state), Some(dashboard), true) = (
            listen,
            symbol,
            timeframe,
            fill_price,
            trading_state,
            dashboard,
            problems.is_empty(),
        ) else {
            return Err(ConfigError::Invalid {
                source_name: source_name.to_owned(),
                problems,
            });
        };
        Ok(Config {
            listen,
            strategies_dir: self.strategies_dir.clone(),
            db: self.db.clone(),
            record: self.record.clone(),
            event_capacity: self.event_capacity,
            event_log: self.event_log.clone(),
            dashboard,
            feed: FeedConfig {
                data: self.feed.data.clone(),
                symbol,
                timeframe,
                bars_per_second: self.feed.bars_per_second,
            },
            sim: SimConfig {
                fill_price,
                fee_rate: self.paper.fee_rate,
                slippage_bps: self.paper.slippage_bps,
            },
            initial_cash: self.paper.initial_cash,
            limits: RiskLimits {
                max_order_notional: self.risk.max_order_notional,
                max_position: self.risk.max_position,
                max_open_orders: self.risk.max_open_orders,
                allow_short: self.risk.allow_short,
                max_account_position: self.risk.max_account_position,
                max_orders_per_second: self.risk.max_orders_per_second,
                price_band_bps: self.risk.price_band_bps,
                loss: LossLimits {
                    daily_loss_limit: self.risk.daily_loss_limit,
                    max_drawdown: self.risk.max_drawdown,
                    account_daily_loss_limit: self.risk.account_daily_loss_limit,
                    account_max_drawdown: self.risk.account_max_drawdown,
                    action: loss_action.unwrap_or(LossAction::Halted),
                    daily_reset_ms: daily_reset_ms.unwrap_or_default(),
                },
                // Cash reserved for a working buy includes the fee the paper broker will charge.
                fee_rate: self.paper.fee_rate,
            },
            trading_state,
            sandbox,
            max_consecutive_failures: self.sandbox.max_consecutive_failures,
            queue_capacity: self.sandbox.queue_capacity,
            cache_dir: self.sandbox.cache_dir.clone().filter(|dir| !dir.as_os_str().is_empty()),
            snapshot_every: (self.sandbox.snapshot_every_s > 0)
                .then(|| Duration::from_secs(self.sandbox.snapshot_every_s)),
            idle_spin: Duration::from_micros(self.sandbox.idle_spin_us),
            venues,
            execution,
            strategies,
            notifications,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_is_valid() {
        let config = RawConfig::default().resolve("defaults").unwrap();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.feed.symbol.as_str(), DEFAULT_SYMBOL);
    }

    #[test]
    fn an_empty_file_means_all_defaults() {
        let raw = RawConfig::from_toml("").unwrap();
        assert!(raw.resolve("empty").is_ok());
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        let err = RawConfig::from_toml("[risk]\nmax_notional = 5\n").unwrap_err();
        assert!(err.contains("max_notional"), "{err}");
        let err = RawConfig::from_toml("lisen = \"x\"\n").unwrap_err();
        assert!(err.contains("lisen"), "{err}");
    }

    #[test]
    fn every_bad_value_is_reported_with_its_key() {
        let raw = RawConfig::from_toml(
            "listen = \"nowhere\"\n[feed]\nsymbol = \"BTCUSD\"\n[paper]\nfill_price = \"mid\"\n[sandbox]\ncall_deadline_ms = 0\n",
        )
        .unwrap();
        let err = raw.resolve("host.toml").unwrap_err().to_string();
        for key in ["listen", "feed.symbol", "paper.fill_price", "sandbox.call_deadline_ms"] {
            assert!(err.contains(key), "{key} missing from: {err}");
        }
    }

    #[test]
    fn bad_risk_limits_are_reported_with_their_keys_and_what_was_expected() {
        let raw =
            RawConfig::from_toml("[risk]\nmax_account_position = 0\nmax_orders_per_second = 0\nprice_band_bps = -5\n")
                .unwrap();
        let err = raw.resolve("host.toml").unwrap_err().to_string();
        for expected in [
            "risk.max_account_position = 0: expected a positive quantity",
            "risk.max_orders_per_second = 0: expected at least 1",
            "risk.price_band_bps = -5: expected a positive number of basis points",
        ] {
            assert!(err.contains(expected), "{expected} missing from: {err}");
        }
        let losses = RawConfig::from_toml(
            "[risk]\ndaily_loss_limit = 0\naccount_max_drawdown = -1\nloss_action = \"stop\"\ndaily_reset_utc = \"24:00\"\n",
        )
        .unwrap()
        .resolve("host.toml")
        .unwrap_err()
        .to_string();
        for expected in [
            "risk.daily_loss_limit = 0: expected a positive amount",
            "risk.account_max_drawdown = -1: expected a positive amount",
            "risk.loss_action = \"stop\": expected \"halted\" or \"reducing\"",
            "risk.daily_reset_utc = \"24:00\": expected a UTC time of day as HH:MM",
        ] {
            assert!(losses.contains(expected), "{expected} missing from: {losses}");
        }
        let own =
            RawConfig::from_toml("[strategies.grid]\nmax_drawdown = 0\n[strategies.sma]\ndaily_loss_limit = 250\n")
                .unwrap()
                .resolve("host.toml")
                .unwrap_err()
                .to_string();
        assert!(
            own.contains("strategies.grid.max_drawdown = 0: expected a positive amount"),
            "{own}"
        );
        let sma = RawConfig::from_toml("[strategies.sma]\ndaily_loss_limit = 250\n")
            .unwrap()
            .resolve("host.toml")
            .unwrap()
            .strategy("sma");
        assert_eq!(sma.loss.daily_loss_limit, Some(Decimal::from(250)));
        let reset = RawConfig::from_toml(
            "[risk]\nmax_drawdown = 500\nloss_action = \"reducing\"\ndaily_reset_utc = \"22:30\"\n",
        )
        .unwrap()
        .resolve("host.toml")
        .unwrap();
        assert_eq!(
            reset.limits.loss,
            LossLimits {
                max_drawdown: Some(Decimal::from(500)),
                action: LossAction::Reducing,
                daily_reset_ms: (22 * 60 + 30) * 60_000,
                ..LossLimits::default()
            }
        );
        let banded = RawConfig::from_toml("[risk]\nprice_band_bps = 250\n")
            .unwrap()
            .resolve("host.toml")
            .unwrap();
        assert_eq!(banded.limits.price_band_bps, Some(Decimal::from(250)));
    }

    #[test]
    fn the_shipped_example_resolves_to_the_defaults() {
        let text = include_str!("../../../host.example.toml");
        let example = RawConfig::from_toml(text)
            .unwrap()
            .resolve("host.example.toml")
            .unwrap();
        let defaults = RawConfig::default().resolve("defaults").unwrap();
        assert_eq!(format!("{:?}", example.sim), format!("{:?}", defaults.sim));
        assert_eq!(example.limits, defaults.limits);
        assert_eq!(example.sandbox, defaults.sandbox);
        assert_eq!(example.listen, defaults.listen);
        assert_eq!(example.dashboard, defaults.dashboard);
        assert_eq!(
            (&example.venues, example.execution, &example.record),
            (&defaults.venues, defaults.execution, &defaults.record)
        );
        assert_eq!(example.strategies.len(), 2);
    }

    #[test]
    fn the_example_s_commented_binance_table_is_binance_s_defaults() {
        let text = include_str!("../../../host.example.toml");
        let table: String = text
            .lines()
            .skip_while(|line| *line != "# [venues.binance]")
            .take_while(|line| line.starts_with('#'))
            .map(|line| line.trim_start_matches('#').trim_start())
            .filter(|line| !line.starts_with("recv_window_ms"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            table.starts_with("[venues.binance]") && table.contains("private_key_path_env"),
            "{table}"
        );
        let mut with_it = RawConfig::from_toml(&table).unwrap();
        let mut without = RawConfig::default();
        for raw in [&mut with_it, &mut without] {
            raw.venues.enable("binance").unwrap();
        }
        let (with_it, without) = (
            with_it.resolve("example").unwrap(),
            without.resolve("defaults").unwrap(),
        );
        assert_eq!(with_it.venues, without.venues);
        assert_eq!(with_it.venues.len(), 1);
    }

    #[test]
    fn the_example_s_commented_webhook_is_a_webhook_s_defaults() {
        let text = include_str!("../../../host.example.toml");
        let table: String = text
            .lines()
            .skip_while(|line| *line != "# [[notifications.webhooks]]")
            .take_while(|line| line.starts_with('#'))
            .map(|line| line.trim_start_matches('#').trim_start())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(table.contains("templates = {"), "{table}");
        let example = RawConfig::from_toml(&table).unwrap().resolve("example").unwrap();
        let bare = RawConfig::from_toml("[[notifications.webhooks]]\nname = \"ops\"\nurl_env = \"OPS_WEBHOOK_URL\"\n")
            .unwrap()
            .resolve("defaults")
            .unwrap();
        assert_eq!(example.notifications, bare.notifications);
        let shipped = RawConfig::from_toml(text).unwrap().resolve("example").unwrap();
        assert_eq!(
            shipped.notifications,
            RawConfig::default().resolve("defaults").unwrap().notifications
        );
    }

    #[test]
    fn a_strategy_section_overrides_the_sandbox_and_names_its_bad_keys() {
        let raw = RawConfig::from_toml(
            "[strategies.fast]\ncall_deadline_ms = 3\nmemory_limit_mib = 8\non_delete = \"flatten\"\n",
        )
        .unwrap();
        let config = raw.resolve("x").unwrap();
        let fast = config.strategy("fast");
        assert_eq!(fast.on_delete, OnDelete::Flatten);
        assert_eq!(fast.limits.memory_limit_bytes, 8 * 1024 * 1024);
        assert!(matches!(fast.limits.cpu, CpuBudget::Deadline { call_ms: 3, .. }));
        assert_eq!(config.strategy("other"), StrategyConfig::defaults(config.sandbox));

        let raw = RawConfig::from_toml(
            "[strategies.bad]\non_delete = \"sell\"\nmemory_limit_mib = 0\ncall_deadline_ms = 0\n",
        )
        .unwrap();
        let err = raw.resolve("host.toml").unwrap_err().to_string();
        for key in [
            "strategies.bad.on_delete",
            "strategies.bad.memory_limit_mib",
            "strategies.bad.call_deadline_ms",
        ] {
            assert!(err.contains(key), "{key} missing from: {err}");
        }
    }

    #[test]
    fn a_strategy_file_names_its_path_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("grid.toml");
        std::fs::write(&path, "initial_cash = 5\n\non_delet = \"keep\"\n[params]\nlevels = 3\n").unwrap();
        let err = RawStrategy::from_file(&path).unwrap_err().to_string();
        assert!(
            err.contains("grid.toml") && err.contains("on_delet") && err.contains("line 3"),
            "{err}"
        );
    }

    #[test]
    fn strategy_params_become_json() {
        let raw =
            RawConfig::from_toml("[strategies.sma-cross]\nparams = { fast = 5, slow = 30, size = \"0.5\" }\n").unwrap();
        let config = raw.resolve("x").unwrap();
        let json: serde_json::Value = serde_json::from_str(&config.strategies["sma-cross"].params_json).unwrap();
        assert_eq!(json["fast"], 5);
        assert_eq!(json["size"], "0.5");
    }
}
