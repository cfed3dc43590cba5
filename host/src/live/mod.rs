//! The host's live venues. Each enabled venue has one feed for the whole host (a venue sees
//! one connection set however many strategies trade on it), the strategies' subscriptions
//! reference-counted onto it, the bars of every timeframe they want built from its 1-minute
//! bars, and its health: data age per stream for `/status` and metrics, and staleness for risk
//! (a stale symbol takes no new orders).

mod bars;
mod instruments;
mod observer;
mod wants;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;
use trading::brokers::{Doorbell, ExecutionPort, InvalidSimConfig, SimBroker, SimConfig, RECENT_EVENTS};
use trading::desk::Desk;
use trading::market::{FeedStream, MarketEvent, MarketFeed, Symbol};
use trading::orders::{StrategyId, VenueId};
use venues::kit::{BackoffConfig, SubscriptionTable, VenueObserver};
use venues::kraken::execution::{
    Credentials, CredentialsError, KrakenExecution, KrakenExecutionConfig, OrderConnectionMonitor, OrderPath,
};
use venues::kraken::feed::{KrakenFeed, KrakenFeedConfig};

use self::bars::BarBuilders;
use self::instruments::Instruments;
use self::observer::MetricsObserver;
pub use self::wants::{wants, Wants, BASE_TIMEFRAME};
use crate::config::{ExecutionMode, VenueConfig, VenueKind};
use crate::metrics::Metrics;
use crate::runtime::Subscription;

/// One venue as `/status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct VenueStatus {
    pub name: String,
    /// `paper` (simulated fills on live data) or `live`.
    pub execution: &'static str,
    pub connected: bool,
    pub reconnects: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error_ms: Option<i64>,
    pub streams: Vec<StreamStatus>,
    /// The order connection, for live execution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders: Option<OrderConnection>,
    /// What the account holds by the venue's word, for live execution.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub balances: BTreeMap<String, Decimal>,
}

/// A live venue's order connection as `/status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct OrderConnection {
    /// `open` (orders go), `reconciling` (after a reconnect, until the mass status is in) or
    /// `down`.
    pub state: OrderPath,
    pub reconnects: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error_ms: Option<i64>,
}

/// Why the live execution ports could not start.
#[derive(Debug, thiserror::Error)]
pub enum LivePortsError {
    #[error("venue {venue}: {source}")]
    Credentials {
        venue: VenueId,
        #[source]
        source: CredentialsError,
    },
}

#[derive(Debug, Clone, Serialize)]
pub struct StreamStatus {
    pub stream: String,
    /// Milliseconds since its last message; absent before the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age_ms: Option<i64>,
    pub stale: bool,
    /// Strategies holding it.
    pub holders: usize,
}

struct LiveVenue {
    config: VenueConfig,
    feed: Box<dyn MarketFeed>,
    streams: SubscriptionTable<FeedStream, StrategyId>,
    bars: BarBuilders,
    /// Stream gauges published, to forget the ones no longer subscribed.
    gauges: BTreeSet<String>,
    /// Symbols marked stale at the desk.
    stale: BTreeSet<Symbol>,
    /// Shared by the venue's connections: the broker counts as connected when all it needs are up.
    observer: Arc<MetricsObserver>,
    /// The order connection, once live ports are started.
    orders: Option<OrderConnectionMonitor>,
    instruments: Instruments,
}

/// Every live venue of the host.
pub struct LiveVenues {
    venues: Vec<LiveVenue>,
    execution: ExecutionMode,
    metrics: Arc<Metrics>,
    /// Reused by every poll, so a quiet turn of the loop allocates nothing.
    received: Vec<MarketEvent>,
}

impl LiveVenues {
    /// Starts each venue's feed on `runtime`; feeds connect once something is subscribed.
    pub fn start(
        configs: &[VenueConfig],
        execution: ExecutionMode,
        runtime: &tokio::runtime::Handle,
        doorbell: &Doorbell,
        metrics: &Arc<Metrics>,
    ) -> Self {
        let venues = configs
            .iter()
            .map(|config| {
                let observer = Arc::new(MetricsObserver::new(
                    metrics.venue(config.name.as_str()),
                    execution == ExecutionMode::Live,
                ));
                let feed_observer: Arc<dyn VenueObserver> = observer.clone();
                let instruments = match &config.kind {
                    VenueKind::Kraken(kraken) => {
                        Instruments::kraken(config.name.clone(), &kraken.rest_url, runtime, observer.clone())
                    }
                };
                let feed: Box<dyn MarketFeed> = match &config.kind {
                    VenueKind::Kraken(kraken) => Box::new(KrakenFeed::start(
                        KrakenFeedConfig {
                            venue: config.name.to_string(),
                            ws_public_url: kraken.ws_public_url.clone(),
                            stale_after: config.stale_after,
                            backoff: BackoffConfig {
                                initial: kraken.reconnect_initial,
                                max: kraken.reconnect_max,
                                ..BackoffConfig::default()
                            },
                            ..KrakenFeedConfig::default()
                        },
                        runtime,
                        doorbell.clone(),
                        feed_observer,
                    )),
                };
                LiveVenue {
                    config: config.clone(),
                    feed,
                    streams: SubscriptionTable::default(),
                    bars: BarBuilders::default(),
                    gauges: BTreeSet::new(),
                    stale: BTreeSet::new(),
                    observer,
                    orders: None,
                    instruments,
                }
            })
            .collect();
        Self {
            venues,
            execution,
            metrics: metrics.clone(),
            received: Vec::new(),
        }
    }

    /// The execution port of each venue, for the desk. In paper mode, the simulator under the
    /// venue's name: it fills orders on the venue's live data.
    ///
    /// # Errors
    ///
    /// [`InvalidSimConfig`] for bad paper settings.
    pub fn paper_ports(&self, sim: &SimConfig) -> Result<Vec<Box<dyn ExecutionPort>>, InvalidSimConfig> {
        self.venues
            .iter()
            .map(|venue| {
                let port = SimBroker::new(sim.clone())?
                    .remembering(RECENT_EVENTS)
                    .named(venue.config.name.clone());
                Ok(Box::new(port) as Box<dyn ExecutionPort>)
            })
            .collect()
    }

    /// The execution port of each venue, for the desk, sending orders to the venue: each
    /// venue's credentials are read from the environment variables its config names.
    ///
    /// # Errors
    ///
    /// [`LivePortsError`] naming the venue and the variable that is missing or unusable.
    pub fn live_ports(
        &mut self,
        runtime: &tokio::runtime::Handle,
        doorbell: &Doorbell,
    ) -> Result<Vec<Box<dyn ExecutionPort>>, LivePortsError> {
        let mut ports: Vec<Box<dyn ExecutionPort>> = Vec::new();
        for live in &mut self.venues {
            let config = &live.config;
            let port = match &config.kind {
                VenueKind::Kraken(kraken) => {
                    let credentials =
                        Credentials::from_env(&kraken.api_key_env, &kraken.api_secret_env).map_err(|source| {
                            LivePortsError::Credentials {
                                venue: config.name.clone(),
                                source,
                            }
                        })?;
                    let observer: Arc<dyn VenueObserver> = live.observer.clone();
                    KrakenExecution::start(
                        KrakenExecutionConfig {
                            venue: config.name.clone(),
                            rest_url: kraken.rest_url.clone(),
                            ws_private_url: kraken.ws_private_url.clone(),
                            tier: kraken.tier,
                            request_timeout: kraken.request_timeout,
                            dead_man: kraken.dead_man,
                            rest_orders_when_down: kraken.rest_orders_when_down,
                            backoff: BackoffConfig {
                                initial: kraken.reconnect_initial,
                                max: kraken.reconnect_max,
                                ..BackoffConfig::default()
                            },
                            ..KrakenExecutionConfig::default()
                        },
                        credentials,
                        runtime,
                        doorbell.clone(),
                        observer,
                    )
                }
            };
            live.orders = Some(port.monitor());
            ports.push(Box::new(port));
        }
        Ok(ports)
    }

    /// Makes `subscriptions` what `strategy` receives from `venue`: new streams are subscribed,
    /// streams no strategy holds any more unsubscribed.
    pub fn set_wants(&mut self, strategy: &StrategyId, venue: &VenueId, subscriptions: &[Subscription]) {
        for live in &mut self.venues {
            let wanted = if live.config.name == *venue {
                let wanted = wants(subscriptions, &live.config.symbols);
                for problem in &wanted.refused {
                    tracing::warn!(%strategy, venue = %venue, "{problem}");
                }
                wanted
            } else {
                Wants::default()
            };
            live.bars.set(strategy, wanted.built);
            let changes = live.streams.set(strategy, wanted.feed);
            for stream in changes.subscribe {
                tracing::info!(venue = %live.config.name, %stream, "subscribing");
                live.feed.subscribe(stream);
            }
            for stream in changes.unsubscribe {
                tracing::info!(venue = %live.config.name, %stream, "unsubscribing: no strategy holds it");
                live.feed.unsubscribe(&stream);
            }
        }
    }

    /// Drops everything `strategy` held.
    pub fn remove(&mut self, strategy: &StrategyId) {
        for live in &mut self.venues {
            live.bars.set(strategy, []);
            for stream in live.streams.remove(strategy).unsubscribe {
                live.feed.unsubscribe(&stream);
            }
        }
    }

    /// The events every venue received since the last call, with the bars built from them.
    /// A stale symbol that has data again is told to `desk` at once (not at the next refresh),
    /// so the strategy answering that data is not refused as stale.
    pub fn poll(&mut self, out: &mut Vec<MarketEvent>, desk: &crate::runtime::SharedDesk) {
        let received = &mut self.received;
        for live in &mut self.venues {
            live.feed.poll(received);
            if !live.stale.is_empty() {
                let flowing: Vec<Symbol> = received
                    .iter()
                    .map(|event| event.symbol().clone())
                    .filter(|symbol| live.stale.contains(symbol))
                    .collect();
                if !flowing.is_empty() {
                    let mut desk = crate::runtime::lock_desk(desk);
                    for symbol in flowing {
                        if live.stale.remove(&symbol) {
                            desk.set_market_data_stale(&live.config.name, &symbol, false);
                        }
                    }
                }
            }
            for event in received.drain(..) {
                let bar = match &event {
                    MarketEvent::Candle(bar) => Some(bar.clone()),
                    _ => None,
                };
                out.push(event);
                if let Some(bar) = bar {
                    live.bars.on_bar(&bar, out);
                }
            }
        }
    }

    /// Publishes each venue's data ages, tells the desk which symbols are stale, and returns
    /// what `/status` shows.
    pub fn refresh(&mut self, desk: &mut Desk) -> Vec<VenueStatus> {
        let execution = self.execution.as_str();
        let metrics = self.metrics.clone();
        self.venues
            .iter_mut()
            .map(|live| {
                live.instruments.apply(desk);
                let status = live.feed.status();
                let venue = live.config.name.as_str();
                let mut gauges = BTreeSet::new();
                let mut stale_now: BTreeMap<Symbol, bool> = BTreeMap::new();
                let streams = status
                    .streams
                    .iter()
                    .map(|health| {
                        let label = health.stream.to_string();
                        let age_s = health.age_ms.map_or(f64::INFINITY, |ms| ms as f64 / 1000.0);
                        metrics.market_data_age(venue, &label).set(age_s);
                        gauges.insert(label.clone());
                        *stale_now.entry(health.stream.symbol().clone()).or_default() |= health.stale;
                        StreamStatus {
                            stream: label,
                            age_ms: health.age_ms,
                            stale: health.stale,
                            holders: live.streams.holders(&health.stream),
                        }
                    })
                    .collect();
                for gone in live.gauges.difference(&gauges) {
                    metrics.forget_market_data_age(venue, gone);
                }
                live.gauges = gauges;
                for (symbol, stale) in &stale_now {
                    desk.set_market_data_stale(&live.config.name, symbol, *stale);
                }
                let now_stale: BTreeSet<Symbol> = stale_now
                    .into_iter()
                    .filter(|(_, stale)| *stale)
                    .map(|(s, _)| s)
                    .collect();
                // A symbol no longer subscribed is not stale any more: nothing is expected of it.
                for symbol in live.stale.difference(&now_stale) {
                    desk.set_market_data_stale(&live.config.name, symbol, false);
                }
                live.stale = now_stale;
                let orders = live.orders.as_ref().map(|monitor| {
                    let status = monitor.status();
                    OrderConnection {
                        state: status.path,
                        reconnects: status.reconnects,
                        last_error: status.last_error,
                        last_error_ms: status.last_error_ms,
                    }
                });
                let balances = desk
                    .venue_balances(&live.config.name)
                    .map(|balances| balances.assets.clone())
                    .unwrap_or_default();
                VenueStatus {
                    name: venue.to_owned(),
                    execution,
                    connected: status.connected && orders.as_ref().is_none_or(|o| o.state != OrderPath::Down),
                    reconnects: status.reconnects,
                    last_error: status.last_error,
                    last_error_ms: status.last_error_ms,
                    streams,
                    orders,
                    balances,
                }
            })
            .collect()
    }
}
