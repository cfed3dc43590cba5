//! The host's one stream of typed events: what happened to orders, books, venues and
//! strategies, published once, in one order, for whoever subscribes (metrics, the `/events`
//! feed, the event log, the webhooks). A slow subscriber skips ahead, counted; it never slows a publisher.
//!
//! The desk's events ([`DeskEvent`]: order transitions and fills, positions, balances, venue
//! connections, loss-limit states, reconciliations) are published where the fleet drains the
//! desk's order updates, under the desk lock, so they keep the desk's order. Strategy lifecycle
//! and decisions are published by the reloader, the runner and the decision sink, operators'
//! actions by the control API. Only the API layer turns events into JSON.
//!
//! Invariants:
//! 1. An event is published after what it reports is in the book of record.
//! 2. Publishing never blocks and never fails: a subscriber that falls more than the bus's
//!    capacity behind loses the oldest events it had not read, and knows how many.

mod bus;
mod progress;

use std::sync::Arc;

use rust_decimal::Decimal;
use trading::desk::DeskEvent;
use trading::market::Candle;
use trading::orders::{StrategyId, VenueId};

pub use bus::{EventBus, Received, SubscriberStats, Subscription, DEFAULT_CAPACITY};
pub use progress::Progress;

/// One event of the stream.
#[derive(Debug, Clone)]
pub enum HostEvent {
    Desk(DeskEvent),
    Strategy(StrategyEvent),
    /// A decision a strategy explained, with the hash of the version that made it.
    Decision {
        decision: Arc<Decision>,
        version_hash: String,
    },
    /// An operator's action through the control API.
    Control(ControlEvent),
    /// A bar of market data the host handed its strategies: a closed one, or the one in
    /// progress as it changed. `venue` is `None` for a replay.
    Candle {
        venue: Option<VenueId>,
        candle: Candle,
        closed: bool,
    },
}

/// Every [`ControlEvent::action`].
pub const CONTROL_ACTIONS: [&str; 6] = ["halt", "reduce", "resume", "cancel_orders", "stop", "start"];

/// What an operator did, and who: the id of the token (never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlEvent {
    /// `halt`, `reduce`, `resume`, `cancel_orders`, `stop`, `start`.
    pub action: &'static str,
    /// The strategy acted on; `None`: the whole host.
    pub strategy: Option<StrategyId>,
    pub token_id: String,
    /// Cancels sent, or breaches lifted (`resume` of a strategy).
    pub affected: usize,
}

impl HostEvent {
    /// Market data the host handed its strategies rather than something the host did: left
    /// out of the audit trail (the event log, `/events` unless asked for), which the market
    /// journal (`run --record`) keeps instead.
    pub fn is_market_data(&self) -> bool {
        matches!(self, HostEvent::Candle { .. })
    }

    /// The event's kind, a closed set of labels (metrics, filters).
    pub fn kind(&self) -> &'static str {
        match self {
            HostEvent::Desk(DeskEvent::Order(_)) => "order",
            HostEvent::Desk(DeskEvent::Position { .. }) => "position",
            HostEvent::Desk(DeskEvent::Balances(_)) => "balances",
            HostEvent::Desk(DeskEvent::Venue { .. }) => "venue",
            HostEvent::Desk(DeskEvent::RiskState { .. }) => "risk",
            HostEvent::Desk(DeskEvent::Reconciled(_)) => "reconciliation",
            HostEvent::Strategy(_) => "strategy",
            HostEvent::Decision { .. } => "decision",
            HostEvent::Control(_) => "control",
            HostEvent::Candle { .. } => "candle",
        }
    }
}

/// Every [`HostEvent::kind`].
pub const KINDS: [&str; 10] = [
    "order",
    "position",
    "balances",
    "venue",
    "risk",
    "reconciliation",
    "strategy",
    "decision",
    "control",
    "candle",
];

/// The names subscribers go by in `strategy_host_events_skipped_total` and
/// `strategy_host_event_subscribers`: a closed set.
pub mod subscriber {
    /// The metrics follower.
    pub const METRICS: &str = "metrics";
    /// Each client of `GET /events`.
    pub const HTTP: &str = "http";
    /// The event log of `run --event-log`.
    pub const LOG: &str = "log";
    /// The dashboard's hub, which serves every `/ws` client.
    pub const DASHBOARD: &str = "dashboard";
    /// The webhooks of `[notifications]`.
    pub const WEBHOOKS: &str = "webhooks";
    pub const ALL: [&str; 5] = [METRICS, HTTP, LOG, DASHBOARD, WEBHOOKS];
}

/// A strategy's lifecycle changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrategyEvent {
    pub strategy: StrategyId,
    pub lifecycle: Lifecycle,
}

/// What happened to a strategy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lifecycle {
    /// Its first version started.
    Loaded { version: String, hash: String },
    /// Another version (or the same code with other params) took over, with its state.
    Swapped { version: String, hash: String },
    /// A file of it could not be loaded; what runs (if anything) goes on.
    LoadFailed { error: String },
    /// A call trapped (`kind` as in `strategy_host_strategy_traps_total`).
    Trapped { kind: &'static str, failures: u32 },
    /// It runs again after trapping, from its latest snapshot.
    Recovered,
    /// Too many consecutive failures: it runs no more until a new version comes.
    Quarantined { failures: u32 },
    /// Its files are gone: it stopped, per its `on_delete`.
    Retired,
}

impl Lifecycle {
    pub fn code(&self) -> &'static str {
        match self {
            Lifecycle::Loaded { .. } => "loaded",
            Lifecycle::Swapped { .. } => "swapped",
            Lifecycle::LoadFailed { .. } => "load_failed",
            Lifecycle::Trapped { .. } => "trapped",
            Lifecycle::Recovered => "recovered",
            Lifecycle::Quarantined { .. } => "quarantined",
            Lifecycle::Retired => "retired",
        }
    }
}

/// An event as the bus hands it out: numbered from 1 in the order published, and stamped with
/// the wall clock's UTC milliseconds when it was.
#[derive(Debug)]
pub struct Published {
    pub seq: u64,
    pub wall_ms: i64,
    pub event: HostEvent,
}

/// A strategy's explanation of what it did, for the dashboard and `/status`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Decision {
    pub strategy: StrategyId,
    pub time_ms: i64,
    pub symbol: String,
    pub action: &'static str,
    pub confidence: f32,
    pub reasoning: String,
    pub indicators: Vec<Indicator>,
}

/// One named value a decision was based on. The value serializes as a string (the workspace
/// builds `rust_decimal` with `serde-str`): exact.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Indicator {
    pub name: String,
    pub value: Decimal,
}
