//! The host's live venues. Each enabled venue has one feed for the whole host (a venue sees
//! one connection set however many strategies trade on it), the strategies' subscriptions
//! reference-counted onto it, the bars of every timeframe they want built from its 1-minute
//! bars, and its health: data age per stream for `/status` and metrics, and staleness for risk
//! (a stale symbol takes no new orders). A feed's events go from its connection task straight
//! to the session ([`delivery`]); the venue's account side is [`VenueAccounts`].

mod accounts;
mod bars;
mod delivery;
mod instruments;
mod observer;
mod reconciliation;
mod wants;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::Serialize;
use trading::desk::Desk;
use trading::market::{FeedStream, MarketFeed, MarketSink, Symbol};
use trading::orders::{StrategyId, VenueId};
use venues::binance::feed::BinanceFeedConfig;
use venues::kit::{Delivery, OrderPath, SubscriptionTable, VenueObserver};
use venues::kraken::feed::{KrakenFeed, KrakenFeedConfig};

use self::accounts::VenueAccount;
pub use self::accounts::{LivePortsError, VenueAccounts};
use self::delivery::{lock_market, SharedVenueMarket, VenueDelivery};
use self::instruments::{Instruments, RulesSource};
pub use self::reconciliation::{DifferenceStatus, ReconciliationStatus};
pub use self::wants::{wants, Wants, BASE_TIMEFRAME};
use crate::config::{ExecutionMode, VenueKind};
use crate::metrics::Metrics;
use crate::runtime::{SharedDesk, Subscription};

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
    /// The venue's limits as it last counted them, for a live port that keeps them (Binance).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rate_limits: Vec<RateLimitStatus>,
    /// Whether a reconciliation with the venue is under way (live execution).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reconciling: bool,
    /// The latest reconciliation with the venue (on start, then after every reconnect), for
    /// live execution; absent until the first one is done.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconciliation: Option<ReconciliationStatus>,
}

/// One of a venue's limits as `/status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RateLimitStatus {
    /// `request_weight_1m`, `orders_10s`, …
    pub limit: String,
    pub used: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<u64>,
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
    account: VenueAccount,
    feed: Box<dyn MarketFeed>,
    streams: SubscriptionTable<FeedStream, StrategyId>,
    /// Shared with the feed's delivery.
    market: SharedVenueMarket,
    /// Stream gauges published, to forget the ones no longer subscribed.
    gauges: BTreeSet<String>,
    instruments: Instruments,
}

/// Every live venue of the host.
pub struct LiveVenues {
    venues: Vec<LiveVenue>,
    execution: ExecutionMode,
    metrics: Arc<Metrics>,
}

impl LiveVenues {
    /// Starts each venue's feed on `runtime`, delivering to `desk` and then to the session's
    /// sink for that venue (`session(venue)`) on the feed's connection task; feeds connect once
    /// something is subscribed.
    pub fn start(
        accounts: VenueAccounts,
        runtime: &tokio::runtime::Handle,
        metrics: &Arc<Metrics>,
        desk: &SharedDesk,
        session: impl Fn(&VenueId) -> Arc<dyn MarketSink>,
    ) -> Self {
        let venues = accounts
            .accounts
            .into_iter()
            .map(|account| {
                let config = &account.config;
                let feed_observer: Arc<dyn VenueObserver> = account.observer.clone();
                let market = SharedVenueMarket::default();
                let delivery = Delivery::Pushed(Arc::new(VenueDelivery {
                    venue: config.name.clone(),
                    market: market.clone(),
                    desk: desk.clone(),
                    session: session(&config.name),
                }));
                let rules_observer: Arc<dyn VenueObserver> = account.observer.clone();
                let (rules, feed): (RulesSource, Box<dyn MarketFeed>) = match &config.kind {
                    VenueKind::Kraken(kraken) => (
                        RulesSource::kraken(&kraken.rest_url, rules_observer),
                        Box::new(KrakenFeed::start(
                            KrakenFeedConfig {
                                venue: config.name.to_string(),
                                ws_public_url: kraken.ws_public_url.clone(),
                                stale_after: config.stale_after,
                                backoff: kraken.reconnect.backoff(),
                                ..KrakenFeedConfig::default()
                            },
                            runtime,
                            delivery,
                            feed_observer,
                        )),
                    ),
                    VenueKind::Binance(binance) => (
                        RulesSource::binance(&binance.rest_url, rules_observer),
                        Box::new(venues::binance::feed::start(
                            BinanceFeedConfig {
                                venue: config.name.to_string(),
                                rest_url: binance.rest_url.clone(),
                                ws_stream_url: binance.ws_stream_url.clone(),
                                stale_after: config.stale_after,
                                backoff: binance.reconnect.backoff(),
                                ..BinanceFeedConfig::default()
                            },
                            runtime,
                            delivery,
                            feed_observer,
                        )),
                    ),
                };
                let instruments = Instruments::start(config.name.clone(), rules, config.rules_refresh, runtime);
                LiveVenue {
                    account,
                    feed,
                    streams: SubscriptionTable::default(),
                    market,
                    gauges: BTreeSet::new(),
                    instruments,
                }
            })
            .collect();
        Self {
            venues,
            execution: accounts.execution,
            metrics: metrics.clone(),
        }
    }

    /// Makes `subscriptions` what `strategy` receives from `venue`: new streams are subscribed,
    /// streams no strategy holds any more unsubscribed.
    pub fn set_wants(&mut self, strategy: &StrategyId, venue: &VenueId, subscriptions: &[Subscription]) {
        for live in &mut self.venues {
            let wanted = if live.account.config.name == *venue {
                let wanted = wants(subscriptions, &live.account.config.symbols);
                for problem in &wanted.refused {
                    tracing::warn!(%strategy, venue = %venue, "{problem}");
                }
                wanted
            } else {
                Wants::default()
            };
            lock_market(&live.market).bars.set(strategy, wanted.built);
            let changes = live.streams.set(strategy, wanted.feed);
            for stream in changes.subscribe {
                tracing::info!(venue = %live.account.config.name, %stream, "subscribing");
                live.feed.subscribe(stream);
            }
            for stream in changes.unsubscribe {
                tracing::info!(venue = %live.account.config.name, %stream, "unsubscribing: no strategy holds it");
                live.feed.unsubscribe(&stream);
            }
        }
    }

    /// Drops everything `strategy` held.
    pub fn remove(&mut self, strategy: &StrategyId) {
        for live in &mut self.venues {
            lock_market(&live.market).bars.set(strategy, []);
            for stream in live.streams.remove(strategy).unsubscribe {
                live.feed.unsubscribe(&stream);
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
                let venue = live.account.config.name.as_str();
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
                    desk.set_market_data_stale(&live.account.config.name, symbol, *stale);
                }
                let now_stale: BTreeSet<Symbol> = stale_now
                    .into_iter()
                    .filter(|(_, stale)| *stale)
                    .map(|(s, _)| s)
                    .collect();
                // A symbol no longer subscribed is not stale any more: nothing is expected of it.
                let mut market = lock_market(&live.market);
                for symbol in market.stale.difference(&now_stale) {
                    desk.set_market_data_stale(&live.account.config.name, symbol, false);
                }
                market.stale = now_stale;
                drop(market);
                let orders = live.account.orders.as_ref().map(|monitor| {
                    let status = monitor.status();
                    OrderConnection {
                        state: status.path,
                        reconnects: status.reconnects,
                        last_error: status.last_error,
                        last_error_ms: status.last_error_ms,
                    }
                });
                let rate_limits: Vec<RateLimitStatus> = live
                    .account
                    .rate_limits
                    .as_ref()
                    .map(|limits| limits.usage())
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(limit, used, max)| {
                        metrics.venue_rate_limit(venue, &limit, used, max);
                        RateLimitStatus { limit, used, max }
                    })
                    .collect();
                let reconciliation = desk
                    .reconciliation(&live.account.config.name)
                    .map(ReconciliationStatus::from);
                let balances = desk
                    .venue_balances(&live.account.config.name)
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
                    rate_limits,
                    reconciling: desk.is_reconciling(&live.account.config.name),
                    reconciliation,
                }
            })
            .collect()
    }
}
