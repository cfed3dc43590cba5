//! Each live venue's account side: its connection reports and the execution port the desk
//! sends its orders through. Set up before the desk (which is opened over these ports) and
//! before the venues' feeds (which deliver to the desk).

use std::sync::Arc;

use trading::brokers::{Doorbell, ExecutionPort, InvalidSimConfig, SimBroker, SimConfig, RECENT_EVENTS};
use trading::orders::VenueId;
use venues::binance::execution::{
    BinanceExecution, BinanceExecutionConfig, Credentials as BinanceCredentials, KeyError, RateLimitMonitor,
};
use venues::kit::{OrderConnectionMonitor, VenueObserver};
use venues::kraken::execution::{
    Credentials as KrakenCredentials, CredentialsError, KrakenExecution, KrakenExecutionConfig,
};

use super::observer::MetricsObserver;
use crate::config::{ExecutionMode, VenueConfig, VenueKind};
use crate::metrics::Metrics;

/// Why the live execution ports could not start.
#[derive(Debug, thiserror::Error)]
pub enum LivePortsError {
    #[error("venue {venue}: {source}")]
    KrakenCredentials {
        venue: VenueId,
        #[source]
        source: CredentialsError,
    },
    #[error("venue {venue}: {source}")]
    BinanceCredentials {
        venue: VenueId,
        #[source]
        source: KeyError,
    },
}

/// One venue's account.
pub(super) struct VenueAccount {
    pub config: VenueConfig,
    /// Shared by the venue's connections: the broker counts as connected when all it needs are up.
    pub observer: Arc<MetricsObserver>,
    /// The order connection, once live ports are started.
    pub orders: Option<OrderConnectionMonitor>,
    /// The venue's rate limits as its port counts them, for a port that keeps them (Binance).
    pub rate_limits: Option<RateLimitMonitor>,
}

/// The accounts of every live venue of the host.
pub struct VenueAccounts {
    pub(super) accounts: Vec<VenueAccount>,
    pub(super) execution: ExecutionMode,
}

impl VenueAccounts {
    pub fn new(configs: &[VenueConfig], execution: ExecutionMode, metrics: &Metrics) -> Self {
        let accounts = configs
            .iter()
            .map(|config| VenueAccount {
                config: config.clone(),
                observer: Arc::new(MetricsObserver::new(
                    metrics.venue(config.name.as_str()),
                    execution == ExecutionMode::Live,
                )),
                orders: None,
                rate_limits: None,
            })
            .collect();
        Self { accounts, execution }
    }

    /// The execution port of each venue, for the desk. In paper mode, the simulator under the
    /// venue's name: it fills orders on the venue's live data.
    ///
    /// # Errors
    ///
    /// [`InvalidSimConfig`] for bad paper settings.
    pub fn paper_ports(&self, sim: &SimConfig) -> Result<Vec<Box<dyn ExecutionPort>>, InvalidSimConfig> {
        self.accounts
            .iter()
            .map(|account| {
                let port = SimBroker::new(sim.clone())?
                    .remembering(RECENT_EVENTS)
                    .named(account.config.name.clone());
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
        for account in &mut self.accounts {
            let config = &account.config;
            let venue = config.name.clone();
            let observer: Arc<dyn VenueObserver> = account.observer.clone();
            let port: Box<dyn ExecutionPort> = match &config.kind {
                VenueKind::Kraken(kraken) => {
                    let credentials = KrakenCredentials::from_env(&kraken.api_key_env, &kraken.api_secret_env)
                        .map_err(|source| LivePortsError::KrakenCredentials {
                            venue: venue.clone(),
                            source,
                        })?;
                    let port = KrakenExecution::start(
                        KrakenExecutionConfig {
                            venue,
                            rest_url: kraken.rest_url.clone(),
                            ws_private_url: kraken.ws_private_url.clone(),
                            tier: kraken.tier,
                            request_timeout: kraken.request_timeout,
                            dead_man: kraken.dead_man,
                            rest_orders_when_down: kraken.rest_orders_when_down,
                            backoff: kraken.reconnect.backoff(),
                            ..KrakenExecutionConfig::default()
                        },
                        credentials,
                        runtime,
                        doorbell.clone(),
                        observer,
                    );
                    account.orders = Some(port.monitor());
                    Box::new(port)
                }
                VenueKind::Binance(binance) => {
                    let credentials = BinanceCredentials::from_env(
                        &binance.api_key_env,
                        &binance.api_secret_env,
                        &binance.private_key_path_env,
                    )
                    .map_err(|source| LivePortsError::BinanceCredentials {
                        venue: venue.clone(),
                        source,
                    })?;
                    let port = BinanceExecution::start(
                        BinanceExecutionConfig {
                            venue,
                            rest_url: binance.rest_url.clone(),
                            ws_api_url: binance.ws_api_url.clone(),
                            recv_window_ms: binance.recv_window_ms,
                            request_timeout: binance.request_timeout,
                            backoff: binance.reconnect.backoff(),
                            ..BinanceExecutionConfig::default()
                        },
                        credentials,
                        runtime,
                        doorbell.clone(),
                        observer,
                    );
                    account.orders = Some(port.monitor());
                    // Taken before the desk owns the port: the metrics read them from here.
                    account.rate_limits = Some(port.rate_limits());
                    Box::new(port)
                }
            };
            ports.push(port);
        }
        Ok(ports)
    }
}
