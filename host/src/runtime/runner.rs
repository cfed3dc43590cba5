//! A supervised strategy: one instance at a time, recovered from its last good snapshot when it
//! traps, quarantined after too many consecutive failures, and swapped for a new version (or the
//! same code with new params) between two calls. Events it does not subscribe to never reach it;
//! order updates for it are never dropped while it lives.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trading::market::MarketEvent;
use trading::orders::OrderUpdate;

use super::bindings::wit;
use super::component::StrategyComponent;
use super::convert::{market_event_to_wit, order_update_to_wit};
use super::engine::Runtime;
use super::event_pull::{EventSource, Next, RunEnd};
use super::host_state::{lock_desk, StrategyContext};
use super::instance::{CallError, StrategyInstance};
use super::manifest::Manifest;
use crate::events::{Decision, HostEvent, Lifecycle, StrategyEvent};

/// Consecutive failures after which a strategy is quarantined.
pub const DEFAULT_MAX_CONSECUTIVE_FAILURES: u32 = 5;
/// First wait before re-instantiating a trapped strategy; doubles per consecutive failure.
pub const DEFAULT_BACKOFF_INITIAL: Duration = Duration::from_millis(100);
pub const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(10);

/// How a runner recovers from faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecoveryPolicy {
    pub max_consecutive_failures: u32,
    /// `None` re-instantiates at once (backtests: no wall clock may influence the outcome).
    pub backoff: Option<(Duration, Duration)>,
    /// Take a snapshot after this many handled events (1 = after every event).
    pub snapshot_every_events: u64,
}

impl RecoveryPolicy {
    pub fn live() -> Self {
        Self {
            max_consecutive_failures: DEFAULT_MAX_CONSECUTIVE_FAILURES,
            backoff: Some((DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX)),
            snapshot_every_events: 1,
        }
    }

    pub fn deterministic() -> Self {
        Self {
            max_consecutive_failures: DEFAULT_MAX_CONSECUTIVE_FAILURES,
            backoff: None,
            snapshot_every_events: 1_000,
        }
    }
}

/// Where a runner is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    Running,
    /// Trapped; a fresh instance will be built (at `retry_at`, if set).
    Failed {
        consecutive_failures: u32,
        last_error: String,
        retry_at: Option<Instant>,
    },
    /// Gave up after too many consecutive failures; its orders were cancelled.
    Quarantined {
        last_error: String,
    },
}

impl Health {
    pub fn label(&self) -> &'static str {
        match self {
            Health::Running => "running",
            Health::Failed { .. } => "failed",
            Health::Quarantined { .. } => "quarantined",
        }
    }
}

/// Why a version did not start. Its message holds the guest's whole reason, which is also
/// why the reason is not a `source` as well: a report of the error chain would say it twice.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {stage} failed: {cause}")]
pub struct StartError {
    pub path: String,
    pub stage: &'static str,
    pub cause: CallError,
}

/// Why a prepared version did not take over. The version that was running keeps running.
#[derive(Debug, thiserror::Error)]
pub enum SwapError {
    #[error("restore of the running version's state failed: {0}")]
    Restore(#[source] CallError),
}

/// A strategy version built off the event path: compiled, instantiated, described and
/// initialized with its params, ready to take over a [`Runner`] (or to start one).
pub struct PreparedVersion {
    component: Arc<StrategyComponent>,
    manifest: Manifest,
    params: String,
    ctx: StrategyContext,
    instance: StrategyInstance,
}

impl PreparedVersion {
    /// Instantiates `component` for the strategy of `ctx`, asks its manifest, and initializes
    /// it with `params` (JSON).
    pub fn prepare(
        runtime: &Runtime,
        component: Arc<StrategyComponent>,
        params: String,
        ctx: StrategyContext,
    ) -> Result<Self, StartError> {
        let path = component.path().display().to_string();
        let fail = |stage| {
            let path = path.clone();
            move |cause| StartError { path, stage, cause }
        };
        let mut instance =
            StrategyInstance::instantiate(runtime, &component, ctx.clone()).map_err(fail("instantiate"))?;
        let manifest = instance.describe().map_err(fail("describe"))?;
        manifest
            .check_params(&params)
            .map_err(|error| fail("params check")(CallError::Params(error)))?;
        instance.init(&params).map_err(fail("init"))?;
        Ok(Self {
            component,
            manifest,
            params,
            ctx,
            instance,
        })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn component(&self) -> &Arc<StrategyComponent> {
        &self.component
    }

    /// Hands the version a state kept from before (the book of record's snapshot of the
    /// strategy), before it takes any event.
    ///
    /// # Errors
    ///
    /// [`CallError`] when the version refuses the state or traps on it: the instance may then
    /// hold part of it, so it must not run.
    pub fn restore(&mut self, state: &[u8]) -> Result<(), CallError> {
        self.instance.restore(state)
    }
}

pub struct Runner {
    runtime: Arc<Runtime>,
    component: Arc<StrategyComponent>,
    manifest: Manifest,
    params: String,
    ctx: StrategyContext,
    policy: RecoveryPolicy,
    instance: Option<StrategyInstance>,
    health: Health,
    last_snapshot: Option<Vec<u8>>,
    events_since_snapshot: u64,
    /// Order updates that arrived while no instance was up; delivered first after recovery.
    pending_updates: VecDeque<OrderUpdate>,
    decisions: Vec<Decision>,
    time_calls: bool,
}

impl Runner {
    /// Instantiates the component, asks its manifest, and initializes it with `params` (JSON).
    pub fn start(
        runtime: Arc<Runtime>,
        component: Arc<StrategyComponent>,
        params: String,
        ctx: StrategyContext,
        policy: RecoveryPolicy,
    ) -> Result<Self, StartError> {
        let version = PreparedVersion::prepare(&runtime, component, params, ctx)?;
        Ok(Self::from_prepared(runtime, version, policy))
    }

    /// Starts a runner with a version prepared beforehand (off the event path).
    pub fn from_prepared(runtime: Arc<Runtime>, version: PreparedVersion, policy: RecoveryPolicy) -> Self {
        let mut runner = Self {
            runtime,
            component: version.component,
            manifest: version.manifest,
            params: version.params,
            ctx: version.ctx,
            policy,
            instance: Some(version.instance),
            health: Health::Running,
            last_snapshot: None,
            events_since_snapshot: 0,
            pending_updates: VecDeque::new(),
            decisions: Vec::new(),
            time_calls: true,
        };
        runner.collect_decisions();
        runner
    }

    /// Hands the strategy to `next`: the running version's state (a fresh snapshot, or the last
    /// good one if it cannot give one) is restored into `next`, which then takes every later
    /// event and order update, including pending ones. Called between two events, so each event
    /// is handled by exactly one version.
    ///
    /// A new version starts with a clean slate: a failing or quarantined strategy runs again.
    ///
    /// # Errors
    ///
    /// [`SwapError`] when `next` refuses or traps on the state; the running version stays.
    pub fn swap(&mut self, mut next: PreparedVersion) -> Result<(), SwapError> {
        if self.instance.is_some() {
            self.take_snapshot();
        }
        let state = self.last_snapshot.clone();
        if let Some(state) = &state {
            let restored = next.instance.restore(state);
            // Whatever it emitted while restoring is dropped with it on failure.
            let emitted = next.instance.take_decisions();
            restored.map_err(SwapError::Restore)?;
            self.decisions.extend(emitted);
        }
        self.component = next.component;
        self.manifest = next.manifest;
        self.params = next.params;
        self.ctx = next.ctx;
        self.instance = Some(next.instance);
        self.health = Health::Running;
        self.last_snapshot = state;
        self.events_since_snapshot = 0;
        self.deliver_pending_updates();
        Ok(())
    }

    /// The strategy's state to keep in the book of record: a fresh snapshot when an instance
    /// is up (one that fails is a fault like any other call's), else the last good one.
    pub fn snapshot_now(&mut self) -> Option<&[u8]> {
        if self.instance.is_some() {
            self.take_snapshot();
        }
        self.last_snapshot.as_deref()
    }

    /// The params (JSON) the running version was initialized with.
    pub fn params(&self) -> &str {
        &self.params
    }

    /// Whether each call's duration feeds the call-duration histogram (on by default; a
    /// backtest chasing throughput turns it off).
    pub fn set_time_calls(&mut self, on: bool) {
        self.time_calls = on;
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    pub fn component(&self) -> &StrategyComponent {
        &self.component
    }

    pub fn health(&self) -> &Health {
        &self.health
    }

    pub fn context(&self) -> &StrategyContext {
        &self.ctx
    }

    /// Decisions the strategy emitted since the last call, oldest first.
    pub fn take_decisions(&mut self) -> Vec<Decision> {
        std::mem::take(&mut self.decisions)
    }

    /// Delivers a market event, numbered `stream` by the session's [`StreamRegistry`], if the
    /// strategy subscribes to it. Returns whether it was handled.
    ///
    /// [`StreamRegistry`]: super::StreamRegistry
    pub fn on_market_event(&mut self, event: &MarketEvent, stream: u32) -> bool {
        if !self.manifest.wants(event) {
            return false;
        }
        if !self.ensure_instance() {
            self.ctx.metrics.event_missed();
            return false;
        }
        self.handle_lowered(market_event_to_wit(event, stream))
    }

    /// Calls `on-event` with an event the strategy subscribes to; returns whether it was handled.
    fn handle_lowered(&mut self, event: wit::MarketEvent) -> bool {
        match self.call(|instance| instance.on_event(event)) {
            Ok(()) => {
                self.ctx.metrics.event_handled();
                self.events_since_snapshot += 1;
                if self.events_since_snapshot >= self.policy.snapshot_every_events {
                    self.take_snapshot();
                }
                true
            }
            Err(error) => {
                self.fault("on-event", error);
                false
            }
        }
    }

    /// Hands the strategy a run of events and order updates from `source` in one `on-events`
    /// call, up to its next snapshot, as one `on-event` or `on-order-update` call each would:
    /// the same budgets, snapshots and recovery, and an update it traps on is delivered again.
    /// The source must hand out only events the strategy subscribes to, and its own updates.
    ///
    /// Always moves the source on when it has something: a strategy that cannot take events
    /// now misses the next event (an update waits for it, as ever), and one that returns from
    /// `on-events` without asking gets the next one by `on-event` or `on-order-update`.
    pub fn on_events<S: EventSource>(&mut self, mut source: Box<S>) -> Box<S> {
        if !self.ensure_instance() {
            self.deliver_one(source.next_event(), false);
            return source;
        }
        let limit = self
            .policy
            .snapshot_every_events
            .saturating_sub(self.events_since_snapshot)
            .max(1);
        let Some(instance) = self.instance.as_mut() else {
            return source;
        };
        let pulled = instance.on_events(source, limit);
        self.decisions.extend(instance.take_decisions());
        self.ctx.metrics.events_handled(pulled.run.handled);
        self.events_since_snapshot += pulled.run.handled;
        if pulled.run.handled_any {
            // As after a successful call: a trap now is the first of a new series.
            self.health = Health::Running;
        }
        let mut source = pulled.source;
        if let Err(error) = pulled.result {
            if pulled.run.unfinished_update {
                source.redeliver_update();
            }
            self.fault("on-events", error);
            return source;
        }
        self.health = Health::Running;
        if self.events_since_snapshot >= self.policy.snapshot_every_events {
            self.take_snapshot();
        }
        if pulled.run.end == RunEnd::Strategy {
            // It stopped asking: what it did not ask for comes by the one-at-a-time calls.
            self.deliver_one(source.next_event(), true);
        }
        source
    }

    /// Delivers one thing from a source outside `on-events`: an event by `on-event` (when
    /// `running`, else it is missed), an update as every update is delivered.
    fn deliver_one(&mut self, next: Option<Next<'_>>, running: bool) {
        match next {
            Some(Next::Market(event, stream)) if running => {
                self.handle_lowered(market_event_to_wit(event, stream));
            }
            Some(Next::Market(..)) => self.ctx.metrics.event_missed(),
            Some(Next::Update(update)) => {
                self.ctx.metrics.order_update(update.status);
                self.on_order_update(update);
            }
            None => {}
        }
    }

    /// Delivers an order update. Never dropped while the strategy lives: if no instance is up,
    /// it waits for the next one.
    pub fn on_order_update(&mut self, update: &OrderUpdate) {
        if matches!(self.health, Health::Quarantined { .. }) {
            return;
        }
        self.pending_updates.push_back(update.clone());
        self.deliver_pending_updates();
    }

    fn deliver_pending_updates(&mut self) {
        while self.instance.is_some() {
            let Some(update) = self.pending_updates.pop_front() else {
                return;
            };
            let lowered = order_update_to_wit(&update);
            if let Err(error) = self.call(|instance| instance.on_order_update(&lowered)) {
                // The update reached a poisoned instance: the next instance gets it again.
                self.pending_updates.push_front(update);
                self.fault("on-order-update", error);
            }
        }
    }

    /// When a trapped strategy may be recovered next, if it is waiting for that.
    pub fn retry_at(&self) -> Option<Instant> {
        match &self.health {
            Health::Failed { retry_at, .. } if self.instance.is_none() => *retry_at,
            _ => None,
        }
    }

    /// Recovers a trapped strategy whose backoff has ended, and hands it the order updates that
    /// waited.
    pub fn recover_if_due(&mut self) {
        if self.instance.is_none() {
            self.ensure_instance();
        }
    }

    /// Makes sure an instance is up, recovering one if the backoff allows. Returns false when
    /// the strategy cannot take events now.
    fn ensure_instance(&mut self) -> bool {
        if self.instance.is_some() {
            return true;
        }
        match &self.health {
            Health::Quarantined { .. } => false,
            Health::Failed { retry_at: Some(at), .. } if Instant::now() < *at => false,
            _ => self.recover(),
        }
    }

    /// Builds a fresh instance: init with the same params, then restore the last good snapshot.
    fn recover(&mut self) -> bool {
        let attempt =
            StrategyInstance::instantiate(&self.runtime, &self.component, self.ctx.clone()).and_then(|mut instance| {
                instance.init(&self.params)?;
                if let Some(snapshot) = &self.last_snapshot {
                    instance.restore(snapshot)?;
                }
                Ok(instance)
            });
        match attempt {
            Ok(instance) => {
                tracing::info!(strategy = %self.ctx.strategy, "strategy re-instantiated from its last snapshot");
                self.instance = Some(instance);
                self.publish(Lifecycle::Recovered);
                self.deliver_pending_updates();
                self.instance.is_some()
            }
            Err(error) => {
                self.fault("recover", error);
                false
            }
        }
    }

    fn call<T>(&mut self, f: impl FnOnce(&mut StrategyInstance) -> Result<T, CallError>) -> Result<T, CallError> {
        let Some(instance) = self.instance.as_mut() else {
            return Err(CallError::Refused("no instance".into()));
        };
        let started = self.time_calls.then(Instant::now);
        let result = f(instance);
        if let Some(started) = started {
            self.ctx
                .metrics
                .call_duration()
                .observe(started.elapsed().as_secs_f64());
        }
        self.decisions.extend(instance.take_decisions());
        if result.is_ok() && !matches!(self.health, Health::Running) {
            self.health = Health::Running;
        }
        result
    }

    fn collect_decisions(&mut self) {
        if let Some(instance) = self.instance.as_mut() {
            self.decisions.extend(instance.take_decisions());
        }
    }

    fn take_snapshot(&mut self) {
        match self.call(|instance| instance.snapshot()) {
            Ok(bytes) => {
                self.last_snapshot = Some(bytes);
                self.events_since_snapshot = 0;
            }
            Err(error) => self.fault("snapshot", error),
        }
    }

    /// Handles a failed call: the instance is dropped (a trap poisons it), the fault is logged
    /// and counted, and the strategy is either scheduled for recovery or quarantined.
    fn fault(&mut self, stage: &'static str, error: CallError) {
        self.instance = None;
        let strategy = self.ctx.strategy.clone();
        let kind = match &error {
            CallError::Trap { kind, .. } => kind.label(),
            CallError::Refused(_) | CallError::Manifest(_) | CallError::Params(_) => "refused",
        };
        self.ctx.metrics.trap(kind);
        tracing::error!(
            strategy = %strategy,
            version = %self.manifest.version,
            hash = %self.component.hash().short(),
            stage,
            "strategy failed: {error}"
        );
        let failures = match &self.health {
            Health::Failed {
                consecutive_failures, ..
            } => consecutive_failures + 1,
            _ => 1,
        };
        let last_error = format!("{stage}: {}", first_line(&error.to_string()));
        if failures >= self.policy.max_consecutive_failures {
            let cancelled = lock_desk(&self.ctx.desk).cancel_all(&strategy, self.ctx.clock.now_ms());
            tracing::error!(strategy = %strategy, failures, cancelled, "strategy quarantined: its open orders were cancelled");
            self.pending_updates.clear();
            self.health = Health::Quarantined { last_error };
            self.publish(Lifecycle::Trapped { kind, failures });
            self.publish(Lifecycle::Quarantined { failures });
            return;
        }
        self.publish(Lifecycle::Trapped { kind, failures });
        let retry_at = self.policy.backoff.map(|(initial, max)| {
            let wait = initial.saturating_mul(1 << (failures - 1).min(16)).min(max);
            Instant::now() + wait
        });
        self.health = Health::Failed {
            consecutive_failures: failures,
            last_error,
            retry_at,
        };
    }
}

impl Runner {
    fn publish(&self, lifecycle: Lifecycle) {
        self.ctx.events.publish(HostEvent::Strategy(StrategyEvent {
            strategy: self.ctx.strategy.clone(),
            lifecycle,
        }));
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}
