//! [`KrakenFeed`]: Kraken's public WebSocket v2 as a [`MarketFeed`]: trades, closed 1-minute
//! (or any Kraken interval) bars, best bid and ask, and checksum-verified books, on one
//! supervised connection for the whole host.
//!
//! The connection task (`session.rs`) runs on the host's tokio runtime and owns the socket.
//! It reconnects with backoff and full jitter, within Kraken's connect budget, subscribes
//! everything wanted again, and rebuilds books from new snapshots. Kraken closes a socket with
//! no subscriptions, so with nothing wanted it holds no socket at all. Events reach the
//! session by the feed's [`Delivery`]; each stream's data age is kept for `/status`, metrics
//! and risk.

mod session;
mod state;

use std::sync::Arc;
use std::time::Duration;

use trading::market::{FeedState, FeedStatus, FeedStream, MarketEvent, MarketFeed};

use crate::kit::wall_ms;
use crate::kit::{lock_feed, BackoffConfig, Delivery, FeedHandle, SharedFeedState, VenueObserver};

/// How the public connection behaves. Defaults suit Kraken's production endpoint.
#[derive(Debug, Clone)]
pub struct KrakenFeedConfig {
    /// The venue's name in metrics and `/status`.
    pub venue: String,
    pub ws_public_url: String,
    /// A stream with no message for this long is stale (Kraken's heartbeat comes about once a
    /// second on a healthy connection, so quiet markets do not look stale).
    pub stale_after: Duration,
    /// A connection with no message at all for this long is dead: reconnect.
    pub idle_reconnect_after: Duration,
    pub connect_timeout: Duration,
    pub backoff: BackoffConfig,
    /// Connects allowed per window (Kraken: about 150 per 10 minutes per IP).
    pub connect_budget: (usize, Duration),
}

/// Kraken's production public endpoint.
pub const KRAKEN_WS_PUBLIC_URL: &str = "wss://ws.kraken.com/v2";

impl Default for KrakenFeedConfig {
    fn default() -> Self {
        Self {
            venue: "kraken".into(),
            ws_public_url: KRAKEN_WS_PUBLIC_URL.into(),
            stale_after: Duration::from_secs(5),
            idle_reconnect_after: Duration::from_secs(15),
            connect_timeout: Duration::from_secs(10),
            backoff: BackoffConfig::default(),
            connect_budget: (150, Duration::from_secs(600)),
        }
    }
}

/// What the session and the connection task share.
type SharedState = SharedFeedState;

use crate::kit::FeedCommand as Command;

fn lock(shared: &SharedState) -> std::sync::MutexGuard<'_, crate::kit::FeedState> {
    lock_feed(shared)
}

/// Kraken's public market data for the whole host.
#[derive(Debug)]
pub struct KrakenFeed {
    handle: FeedHandle,
}

impl KrakenFeed {
    /// Starts the connection task on `runtime`. It connects once something is subscribed;
    /// its events go where `delivery` says.
    pub fn start(
        config: KrakenFeedConfig,
        runtime: &tokio::runtime::Handle,
        delivery: Delivery,
        observer: Arc<dyn VenueObserver>,
    ) -> Self {
        let (name, stale_after) = (config.venue.clone(), config.stale_after);
        let handle = FeedHandle::start(name, stale_after, runtime, move |shared, commands| {
            session::run(config, shared, delivery, observer, commands)
        });
        Self { handle }
    }
}

impl MarketFeed for KrakenFeed {
    fn name(&self) -> &str {
        self.handle.name()
    }

    fn subscribe(&mut self, stream: FeedStream) {
        self.handle.subscribe(stream);
    }

    fn unsubscribe(&mut self, stream: &FeedStream) {
        self.handle.unsubscribe(stream);
    }

    fn poll(&mut self, out: &mut Vec<MarketEvent>) -> FeedState {
        self.handle.poll(out)
    }

    fn status(&self) -> FeedStatus {
        self.handle.status()
    }
}
