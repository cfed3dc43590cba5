//! The host's Prometheus metrics: one registry, the names of DESIGN.md §8, label values from
//! closed sets, and per-strategy handles resolved once so the hot path never hashes labels.

mod follower;

use std::sync::Arc;

use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec,
    Opts, Registry, TextEncoder,
};

pub use follower::MetricsFollower;

/// Call-duration buckets: 1 µs ~ 10 ms. A typed call into a component costs about a
/// microsecond; the default deadline is 10 ms.
const CALL_DURATION_BUCKETS: [f64; 13] = [
    1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2,
];

/// Every `kind` of `strategy_host_strategy_traps_total`: the runtime's trap kinds, and
/// `refused` for a call the guest answered with an error while being recovered.
pub const TRAP_KINDS: [&str; 7] = [
    "deadline",
    "fuel",
    "stack_overflow",
    "memory",
    "unreachable",
    "other",
    "refused",
];

/// Lifecycle states counted by `strategy_host_strategies`.
pub const STRATEGY_STATES: [&str; 3] = ["running", "failed", "quarantined"];

pub struct Metrics {
    registry: Registry,
    strategy_info: IntGaugeVec,
    strategies: IntGaugeVec,
    events_total: IntCounterVec,
    events_shed_total: IntCounterVec,
    log_lines_dropped_total: IntCounterVec,
    call_duration: HistogramVec,
    traps_total: IntCounterVec,
    reloads_total: IntCounterVec,
    orders_total: IntCounterVec,
    risk_rejections_total: IntCounterVec,
    risk_state_changes_total: IntCounterVec,
    risk_state: IntGaugeVec,
    broker_connected: IntGaugeVec,
    broker_reconnects_total: IntCounterVec,
    market_data_age_seconds: GaugeVec,
    venue_messages_total: IntCounterVec,
    venue_parse_errors_total: IntCounterVec,
    book_resyncs_total: IntCounterVec,
    reconciliations_total: IntCounterVec,
    reconciliation_differences_total: IntCounterVec,
    venue_request_duration: HistogramVec,
    venue_rate_limit_used: IntGaugeVec,
    venue_rate_limit_max: IntGaugeVec,
    position: GaugeVec,
    pnl: GaugeVec,
    host_events_total: IntCounterVec,
    host_events_skipped_total: IntCounterVec,
    event_subscribers: IntGaugeVec,
    control_actions_total: IntCounterVec,
    dashboard_clients: IntGauge,
    dashboard_dropped_total: IntCounterVec,
    notifications_total: IntCounterVec,
    notification_queue_depth: IntGaugeVec,
}

/// Why the dashboard dropped a client (`strategy_host_dashboard_dropped_total{reason}`).
pub const DASHBOARD_DROP_REASONS: [&str; 2] = ["slow", "silent"];

/// A strategy's work as counted since it loaded: what the dashboard turns into rates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrategyLoad {
    pub events: u64,
    pub calls: u64,
    /// The call-duration histogram: each bucket's upper bound (seconds) and cumulative count.
    pub call_buckets: Vec<(f64, u64)>,
}

/// Every `outcome` of `strategy_host_notifications_total`: a notification `delivered`, an
/// attempt `retried`, a notification `failed` (refused, or out of attempts) or `dropped`
/// (its queue full, or left unsent when the host stopped).
pub const NOTIFICATION_OUTCOMES: [&str; 4] = ["delivered", "retried", "failed", "dropped"];

/// The states a loss limit can move a scope to, or back to.
const RISK_STATES: [trading::risk::TradingState; 3] = [
    trading::risk::TradingState::Active,
    trading::risk::TradingState::Reducing,
    trading::risk::TradingState::Halted,
];

/// Venue request-duration buckets: 100 µs ~ 10 s (a loopback round trip to a slow venue).
const REQUEST_DURATION_BUCKETS: [f64; 12] = [1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 5e-2, 0.1, 0.5, 1.0, 10.0];

fn opts(name: &str, help: &str) -> Opts {
    Opts::new(name, help)
}

impl Metrics {
    pub fn new() -> Arc<Self> {
        let registry = Registry::new();
        let build_info = IntGaugeVec::new(
            opts("strategy_host_build_info", "Always 1; labels name the build."),
            &["version"],
        )
        .expect("valid metric definition");
        build_info.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        let metrics = Self {
            strategy_info: IntGaugeVec::new(
                opts(
                    "strategy_host_strategy_info",
                    "Always 1 per loaded strategy; labels name its version and hash.",
                ),
                &["strategy", "version", "hash"],
            )
            .expect("valid metric definition"),
            strategies: IntGaugeVec::new(
                opts("strategy_host_strategies", "Strategies by lifecycle state."),
                &["state"],
            )
            .expect("valid metric definition"),
            events_total: IntCounterVec::new(
                opts(
                    "strategy_host_strategy_events_total",
                    "Market events handled by each strategy.",
                ),
                &["strategy"],
            )
            .expect("valid metric definition"),
            events_shed_total: IntCounterVec::new(
                opts(
                    "strategy_host_strategy_events_shed_total",
                    "Market events a strategy subscribed to but did not handle: coalesced into a \
                     newer state of the same stream or dropped as the oldest by its full queue, or \
                     missed while it was down (recovering from a trap, or quarantined).",
                ),
                &["strategy", "reason"],
            )
            .expect("valid metric definition"),
            log_lines_dropped_total: IntCounterVec::new(
                opts(
                    "strategy_host_strategy_log_lines_dropped_total",
                    "Lines a strategy logged (log import, stdout, stderr) that its rate limit dropped.",
                ),
                &["strategy"],
            )
            .expect("valid metric definition"),
            call_duration: HistogramVec::new(
                HistogramOpts::new(
                    "strategy_host_strategy_call_duration_seconds",
                    "Duration of each call into a strategy component.",
                )
                .buckets(CALL_DURATION_BUCKETS.to_vec()),
                &["strategy"],
            )
            .expect("valid metric definition"),
            traps_total: IntCounterVec::new(
                opts("strategy_host_strategy_traps_total", "Traps by strategy and kind."),
                &["strategy", "kind"],
            )
            .expect("valid metric definition"),
            reloads_total: IntCounterVec::new(
                opts(
                    "strategy_host_strategy_reloads_total",
                    "Hot reloads by strategy and result.",
                ),
                &["strategy", "result"],
            )
            .expect("valid metric definition"),
            orders_total: IntCounterVec::new(
                opts("strategy_host_orders_total", "Orders by strategy, broker and outcome."),
                &["strategy", "broker", "outcome"],
            )
            .expect("valid metric definition"),
            risk_rejections_total: IntCounterVec::new(
                opts(
                    "strategy_host_risk_rejections_total",
                    "Orders refused by a pre-trade risk check.",
                ),
                &["strategy", "check"],
            )
            .expect("valid metric definition"),
            risk_state_changes_total: IntCounterVec::new(
                opts(
                    "strategy_host_risk_state_changes_total",
                    "Loss limit state changes, by kind of scope (strategy, account) and the state entered.",
                ),
                &["scope", "state"],
            )
            .expect("valid metric definition"),
            risk_state: IntGaugeVec::new(
                opts(
                    "strategy_host_risk_state",
                    "The loss limit state of a strategy or venue account: 0 active, 1 reducing, 2 halted.",
                ),
                &["scope", "name"],
            )
            .expect("valid metric definition"),
            broker_connected: IntGaugeVec::new(
                opts(
                    "strategy_host_broker_connected",
                    "1 while the broker's venue connection is up.",
                ),
                &["broker"],
            )
            .expect("valid metric definition"),
            broker_reconnects_total: IntCounterVec::new(
                opts("strategy_host_broker_reconnects_total", "Reconnections of each broker."),
                &["broker"],
            )
            .expect("valid metric definition"),
            market_data_age_seconds: GaugeVec::new(
                opts(
                    "strategy_host_market_data_age_seconds",
                    "Seconds since the last market event of a stream.",
                ),
                &["broker", "stream"],
            )
            .expect("valid metric definition"),
            venue_messages_total: IntCounterVec::new(
                opts(
                    "strategy_host_venue_messages_total",
                    "Messages received from a venue, by channel.",
                ),
                &["broker", "channel"],
            )
            .expect("valid metric definition"),
            venue_parse_errors_total: IntCounterVec::new(
                opts(
                    "strategy_host_venue_parse_errors_total",
                    "Venue messages that could not be parsed (logged and skipped).",
                ),
                &["broker"],
            )
            .expect("valid metric definition"),
            book_resyncs_total: IntCounterVec::new(
                opts(
                    "strategy_host_book_resyncs_total",
                    "Order books resubscribed because they fell out of sync.",
                ),
                &["broker", "reason"],
            )
            .expect("valid metric definition"),
            reconciliations_total: IntCounterVec::new(
                opts(
                    "strategy_host_reconciliations_total",
                    "Reconciliations with a venue completed, on start and after reconnects.",
                ),
                &["broker", "trigger"],
            )
            .expect("valid metric definition"),
            reconciliation_differences_total: IntCounterVec::new(
                opts(
                    "strategy_host_reconciliation_differences_total",
                    "Differences reconciliations found between a venue and the books, by kind.",
                ),
                &["broker", "kind"],
            )
            .expect("valid metric definition"),
            venue_request_duration: HistogramVec::new(
                HistogramOpts::new(
                    "strategy_host_venue_request_duration_seconds",
                    "Time from sending a request to a venue to its answer.",
                )
                .buckets(REQUEST_DURATION_BUCKETS.to_vec()),
                &["broker", "method"],
            )
            .expect("valid metric definition"),
            venue_rate_limit_used: IntGaugeVec::new(
                opts(
                    "strategy_host_venue_rate_limit_used",
                    "A venue limit's use as the venue last counted it (Binance: request weight, orders).",
                ),
                &["broker", "limit"],
            )
            .expect("valid metric definition"),
            venue_rate_limit_max: IntGaugeVec::new(
                opts(
                    "strategy_host_venue_rate_limit_max",
                    "A venue limit's maximum, as the venue lists it.",
                ),
                &["broker", "limit"],
            )
            .expect("valid metric definition"),
            position: GaugeVec::new(
                opts("strategy_host_position", "Signed position of a strategy in a symbol."),
                &["strategy", "symbol"],
            )
            .expect("valid metric definition"),
            pnl: GaugeVec::new(
                opts("strategy_host_pnl", "Profit and loss of a strategy."),
                &["strategy", "kind"],
            )
            .expect("valid metric definition"),
            host_events_total: IntCounterVec::new(
                opts(
                    "strategy_host_events_total",
                    "Events published on the host's event stream, by kind.",
                ),
                &["kind"],
            )
            .expect("valid metric definition"),
            host_events_skipped_total: IntCounterVec::new(
                opts(
                    "strategy_host_events_skipped_total",
                    "Events a subscriber of the event stream fell too far behind to read: it skipped \
                     ahead to the oldest event kept.",
                ),
                &["subscriber"],
            )
            .expect("valid metric definition"),
            event_subscribers: IntGaugeVec::new(
                opts(
                    "strategy_host_event_subscribers",
                    "Subscribers of the event stream (`metrics`, one `http` per /events client, the `log` of run --event-log, \
                 the `webhooks` of [notifications]).",
                ),
                &["subscriber"],
            )
            .expect("valid metric definition"),
            control_actions_total: IntCounterVec::new(
                opts(
                    "strategy_host_control_actions_total",
                    "Operators' actions through the control API, by action.",
                ),
                &["action"],
            )
            .expect("valid metric definition"),
            dashboard_clients: IntGauge::with_opts(opts(
                "strategy_host_dashboard_clients",
                "Clients connected to the dashboard's WebSocket.",
            ))
            .expect("valid metric definition"),
            dashboard_dropped_total: IntCounterVec::new(
                opts(
                    "strategy_host_dashboard_dropped_total",
                    "Dashboard clients dropped: `slow` fell a full buffer behind, `silent` sent nothing \
                     (not even a pong) within the timeout.",
                ),
                &["reason"],
            )
            .expect("valid metric definition"),
            notifications_total: IntCounterVec::new(
                opts(
                    "strategy_host_notifications_total",
                    "Webhook notifications by webhook and outcome: delivered, retried (an attempt \
                     that failed and was tried again), failed (refused, or out of attempts) or \
                     dropped (the queue full, or unsent when the host stopped).",
                ),
                &["webhook", "outcome"],
            )
            .expect("valid metric definition"),
            notification_queue_depth: IntGaugeVec::new(
                opts(
                    "strategy_host_notification_queue_depth",
                    "Notifications waiting in a webhook's queue (the one being sent not included).",
                ),
                &["webhook"],
            )
            .expect("valid metric definition"),
            registry,
        };
        let collectors: [Box<dyn prometheus::core::Collector>; 34] = [
            Box::new(build_info),
            Box::new(metrics.strategy_info.clone()),
            Box::new(metrics.strategies.clone()),
            Box::new(metrics.events_total.clone()),
            Box::new(metrics.events_shed_total.clone()),
            Box::new(metrics.log_lines_dropped_total.clone()),
            Box::new(metrics.call_duration.clone()),
            Box::new(metrics.traps_total.clone()),
            Box::new(metrics.reloads_total.clone()),
            Box::new(metrics.orders_total.clone()),
            Box::new(metrics.risk_rejections_total.clone()),
            Box::new(metrics.risk_state_changes_total.clone()),
            Box::new(metrics.risk_state.clone()),
            Box::new(metrics.broker_connected.clone()),
            Box::new(metrics.broker_reconnects_total.clone()),
            Box::new(metrics.market_data_age_seconds.clone()),
            Box::new(metrics.venue_messages_total.clone()),
            Box::new(metrics.venue_parse_errors_total.clone()),
            Box::new(metrics.book_resyncs_total.clone()),
            Box::new(metrics.reconciliations_total.clone()),
            Box::new(metrics.reconciliation_differences_total.clone()),
            Box::new(metrics.venue_request_duration.clone()),
            Box::new(metrics.venue_rate_limit_used.clone()),
            Box::new(metrics.venue_rate_limit_max.clone()),
            Box::new(metrics.position.clone()),
            Box::new(metrics.pnl.clone()),
            Box::new(metrics.host_events_total.clone()),
            Box::new(metrics.host_events_skipped_total.clone()),
            Box::new(metrics.event_subscribers.clone()),
            Box::new(metrics.control_actions_total.clone()),
            Box::new(metrics.dashboard_clients.clone()),
            Box::new(metrics.dashboard_dropped_total.clone()),
            Box::new(metrics.notifications_total.clone()),
            Box::new(metrics.notification_queue_depth.clone()),
        ];
        for collector in collectors {
            metrics.registry.register(collector).expect("metric names are unique");
        }
        for state in STRATEGY_STATES {
            metrics.strategies.with_label_values(&[state]).set(0);
        }
        for kind in crate::events::KINDS {
            metrics.host_events_total.with_label_values(&[kind]);
        }
        for action in crate::events::CONTROL_ACTIONS {
            metrics.control_actions_total.with_label_values(&[action]);
        }
        for reason in DASHBOARD_DROP_REASONS {
            metrics.dashboard_dropped_total.with_label_values(&[reason]);
        }
        for subscriber in crate::events::subscriber::ALL {
            metrics.host_events_skipped_total.with_label_values(&[subscriber]);
        }
        for scope in trading::risk::ScopeKind::ALL {
            for state in RISK_STATES {
                metrics
                    .risk_state_changes_total
                    .with_label_values(&[scope.as_str(), state.as_str()]);
            }
        }
        Arc::new(metrics)
    }

    /// Brings each loss limit scope's state gauge up to the desk's (a scope restored halted
    /// after a restart shows it before any change). Called when `/metrics` is scraped, so the
    /// desk's order path does no metric work.
    pub fn observe_risk(&self, desk: &trading::desk::Desk) {
        for (scope, guard) in desk.risk_states() {
            let state = guard.state() as i64;
            self.risk_state
                .with_label_values(&[scope.kind().as_str(), scope.name()])
                .set(state);
        }
    }

    /// Brings the event stream's subscriber metrics up to `bus`: who subscribes, and what each
    /// subscriber name has skipped in all.
    pub fn observe_events(&self, bus: &crate::events::EventBus) {
        self.event_subscribers.reset();
        for subscriber in bus.subscribers() {
            self.event_subscribers.with_label_values(&[subscriber.name]).inc();
        }
        for (name, skipped) in bus.skipped_by_name() {
            let counter = self.host_events_skipped_total.with_label_values(&[name]);
            counter.inc_by(skipped.saturating_sub(counter.get()));
        }
    }

    /// One event of `kind` published on the event stream.
    fn event_published(&self, kind: &str) {
        self.host_events_total.with_label_values(&[kind]).inc();
    }

    /// An operator's `action` through the control API.
    fn control_action(&self, action: &str) {
        self.control_actions_total.with_label_values(&[action]).inc();
    }

    /// A loss limit moved a scope of `kind` to `to`.
    fn risk_state_changed(&self, kind: trading::risk::ScopeKind, to: trading::risk::TradingState) {
        self.risk_state_changes_total
            .with_label_values(&[kind.as_str(), to.as_str()])
            .inc();
    }

    /// The Prometheus text exposition of every metric.
    pub fn encode(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail on I/O; a failure would be a bug in a metric family.
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::error!("cannot encode metrics: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }

    /// Handles for one strategy trading through `broker`, resolved once.
    pub fn strategy(self: &Arc<Self>, strategy: &str, broker: &str) -> StrategyMetrics {
        let outcome = |o: &str| self.orders_total.with_label_values(&[strategy, broker, o]);
        // Every series a strategy can have exists from its load on, at zero: a scrape shows the
        // whole family, and `rate()` sees the first increment.
        for result in ["ok", "failed"] {
            self.reloads_total.with_label_values(&[strategy, result]);
        }
        for kind in TRAP_KINDS {
            self.traps_total.with_label_values(&[strategy, kind]);
        }
        for check in trading::risk::RiskCheck::ALL {
            self.risk_rejections_total.with_label_values(&[strategy, check.code()]);
        }
        StrategyMetrics {
            strategy: Arc::from(strategy),
            events: self.events_total.with_label_values(&[strategy]),
            coalesced: self.events_shed_total.with_label_values(&[strategy, "coalesced"]),
            dropped: self.events_shed_total.with_label_values(&[strategy, "dropped"]),
            missed: self.events_shed_total.with_label_values(&[strategy, "down"]),
            log_lines_dropped: self.log_lines_dropped_total.with_label_values(&[strategy]),
            call_duration: self.call_duration.with_label_values(&[strategy]),
            submitted: outcome("submitted"),
            rejected: outcome("rejected"),
            filled: outcome("filled"),
            cancelled: outcome("cancelled"),
            realized_pnl: self.pnl.with_label_values(&[strategy, "realized"]),
            unrealized_pnl: self.pnl.with_label_values(&[strategy, "unrealized"]),
            parent: self.clone(),
        }
    }

    /// `strategy`'s events handled and call durations since it loaded.
    pub fn strategy_load(&self, strategy: &str) -> StrategyLoad {
        use prometheus::core::Metric as _;
        let histogram = self.call_duration.with_label_values(&[strategy]).metric();
        StrategyLoad {
            events: self.events_total.with_label_values(&[strategy]).get(),
            calls: histogram.get_histogram().get_sample_count(),
            call_buckets: histogram
                .get_histogram()
                .get_bucket()
                .iter()
                .map(|b| (b.upper_bound(), b.cumulative_count()))
                .collect(),
        }
    }

    /// The dashboard's connected clients.
    pub fn dashboard_clients(&self) -> &IntGauge {
        &self.dashboard_clients
    }

    /// A dashboard client dropped, for `reason` (one of [`DASHBOARD_DROP_REASONS`]).
    pub fn dashboard_dropped(&self, reason: &str) {
        self.dashboard_dropped_total.with_label_values(&[reason]).inc();
    }

    pub fn set_strategy_info(&self, strategy: &str, version: &str, hash: &str) {
        self.strategy_info.with_label_values(&[strategy, version, hash]).set(1);
    }

    /// Drops a strategy version's info series (on unload or when a new version replaces it).
    pub fn remove_strategy_info(&self, strategy: &str, version: &str, hash: &str) {
        let _ = self.strategy_info.remove_label_values(&[strategy, version, hash]);
    }

    pub fn set_strategy_counts(&self, running: usize, failed: usize, quarantined: usize) {
        for (state, count) in STRATEGY_STATES.iter().zip([running, failed, quarantined]) {
            self.strategies.with_label_values(&[state]).set(count as i64);
        }
    }

    pub fn reload(&self, strategy: &str, ok: bool) {
        self.reloads_total
            .with_label_values(&[strategy, if ok { "ok" } else { "failed" }])
            .inc();
    }

    /// The handles of webhook `name`, every series at zero from now on.
    pub fn webhook(&self, name: &str) -> WebhookMetrics {
        let outcome = |o: &str| self.notifications_total.with_label_values(&[name, o]);
        let depth = self.notification_queue_depth.with_label_values(&[name]);
        depth.set(0);
        WebhookMetrics {
            delivered: outcome(NOTIFICATION_OUTCOMES[0]),
            retried: outcome(NOTIFICATION_OUTCOMES[1]),
            failed: outcome(NOTIFICATION_OUTCOMES[2]),
            dropped: outcome(NOTIFICATION_OUTCOMES[3]),
            queue_depth: depth,
        }
    }

    pub fn broker(&self, broker: &str) -> BrokerMetrics {
        BrokerMetrics {
            connected: self.broker_connected.with_label_values(&[broker]),
            reconnects: self.broker_reconnects_total.with_label_values(&[broker]),
        }
    }

    pub fn market_data_age(&self, broker: &str, stream: &str) -> Gauge {
        self.market_data_age_seconds.with_label_values(&[broker, stream])
    }

    /// Forgets a stream's data-age gauge (its last strategy unsubscribed).
    pub fn forget_market_data_age(&self, broker: &str, stream: &str) {
        let _ = self.market_data_age_seconds.remove_label_values(&[broker, stream]);
    }

    /// One of a venue's limits (`limit` like `request_weight_1m`): `used` as the venue last
    /// counted it, against `max` when the venue lists one.
    pub fn venue_rate_limit(&self, broker: &str, limit: &str, used: u64, max: Option<u64>) {
        let gauge = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
        self.venue_rate_limit_used
            .with_label_values(&[broker, limit])
            .set(gauge(used));
        if let Some(max) = max {
            self.venue_rate_limit_max
                .with_label_values(&[broker, limit])
                .set(gauge(max));
        }
    }

    /// A reconciliation of `broker` completed (`trigger`: `start` or `reconnect`).
    fn reconciled(&self, broker: &str, trigger: &str) {
        self.reconciliations_total.with_label_values(&[broker, trigger]).inc();
    }

    /// A difference of `kind` (a closed set: `filled`, `balance`, …) a reconciliation found.
    fn reconciliation_difference(&self, broker: &str, kind: &str) {
        self.reconciliation_differences_total
            .with_label_values(&[broker, kind])
            .inc();
    }

    /// A venue's protocol counters. The parse-error counter exists from the start, so a zero is
    /// visible before the first error.
    pub fn venue(&self, broker: &str) -> VenueMetrics {
        VenueMetrics {
            broker: Arc::from(broker),
            messages: self.venue_messages_total.clone(),
            parse_errors: self.venue_parse_errors_total.with_label_values(&[broker]),
            book_resyncs: self.book_resyncs_total.clone(),
            request_duration: self.venue_request_duration.clone(),
            connection: self.broker(broker),
        }
    }
}

/// One venue's metric handles. Channel, reason and method labels come from the adapter's
/// closed sets (Kraken's channel names, `checksum`/`sequence`, request methods).
#[derive(Clone)]
pub struct VenueMetrics {
    broker: Arc<str>,
    messages: IntCounterVec,
    pub parse_errors: IntCounter,
    book_resyncs: IntCounterVec,
    request_duration: HistogramVec,
    pub connection: BrokerMetrics,
}

impl VenueMetrics {
    pub fn message(&self, channel: &str) {
        self.messages.with_label_values(&[&self.broker, channel]).inc();
    }

    pub fn book_resync(&self, reason: &str) {
        self.book_resyncs.with_label_values(&[&self.broker, reason]).inc();
    }

    pub fn request_duration(&self, method: &str, seconds: f64) {
        self.request_duration
            .with_label_values(&[&self.broker, method])
            .observe(seconds);
    }
}

/// One strategy's metric handles; cheap to clone.
#[derive(Clone)]
pub struct StrategyMetrics {
    strategy: Arc<str>,
    events: IntCounter,
    coalesced: IntCounter,
    dropped: IntCounter,
    missed: IntCounter,
    log_lines_dropped: IntCounter,
    call_duration: Histogram,
    submitted: IntCounter,
    rejected: IntCounter,
    filled: IntCounter,
    cancelled: IntCounter,
    realized_pnl: Gauge,
    unrealized_pnl: Gauge,
    parent: Arc<Metrics>,
}

impl StrategyMetrics {
    pub fn event_handled(&self) {
        self.events.inc();
    }

    /// `count` events handled in one call (`on-events`).
    pub fn events_handled(&self, count: u64) {
        self.events.inc_by(count);
    }

    pub fn log_lines_dropped(&self) -> &IntCounter {
        &self.log_lines_dropped
    }

    pub fn call_duration(&self) -> &Histogram {
        &self.call_duration
    }

    pub fn order_submitted(&self) {
        self.submitted.inc();
    }

    /// An order refused by a risk check (or found invalid before risk could look at it).
    pub fn order_refused(&self, check: &str) {
        self.rejected.inc();
        self.parent
            .risk_rejections_total
            .with_label_values(&[&*self.strategy, check])
            .inc();
    }

    /// An order the broker rejected after risk approved it.
    fn order_rejected_by_broker(&self) {
        self.rejected.inc();
    }

    fn order_filled(&self) {
        self.filled.inc();
    }

    fn order_cancelled(&self) {
        self.cancelled.inc();
    }

    /// Counts what an order update says happened to an order.
    pub fn order_update(&self, status: trading::orders::OrderStatus) {
        use trading::orders::OrderStatus;
        match status {
            OrderStatus::Filled => self.order_filled(),
            OrderStatus::Cancelled => self.order_cancelled(),
            OrderStatus::Rejected => self.order_rejected_by_broker(),
            OrderStatus::Open | OrderStatus::PartiallyFilled => {}
        }
    }

    /// A market event that replaced an older one of the same stream in a full queue.
    pub fn event_coalesced(&self) {
        self.coalesced.inc();
    }

    /// A market event dropped from a full queue.
    pub fn event_dropped(&self) {
        self.dropped.inc();
    }

    /// A market event that arrived while the strategy was down.
    pub fn event_missed(&self) {
        self.missed.inc();
    }

    pub fn trap(&self, kind: &str) {
        self.parent
            .traps_total
            .with_label_values(&[&*self.strategy, kind])
            .inc();
    }

    pub fn set_pnl(&self, realized: f64, unrealized: f64) {
        self.realized_pnl.set(realized);
        self.unrealized_pnl.set(unrealized);
    }

    pub fn set_position(&self, symbol: &str, qty: f64) {
        self.parent
            .position
            .with_label_values(&[&*self.strategy, symbol])
            .set(qty);
    }
}

/// One webhook's metric handles (`strategy_host_notifications_total` by outcome, and its
/// queue's depth).
#[derive(Clone)]
pub struct WebhookMetrics {
    pub delivered: IntCounter,
    pub retried: IntCounter,
    pub failed: IntCounter,
    pub dropped: IntCounter,
    pub queue_depth: IntGauge,
}

/// One broker's connection metrics.
#[derive(Clone)]
pub struct BrokerMetrics {
    pub connected: IntGauge,
    pub reconnects: IntCounter,
}
