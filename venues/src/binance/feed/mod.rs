//! Binance's market streams as a [`trading::market::MarketFeed`]: trades, 1-minute (or any
//! Binance interval) bars closed and in progress, best bid and ask, and local books kept from
//! `depth@100ms` and REST snapshots, on one supervised connection for the whole host.
//!
//! The connection task (`session.rs`) runs on the host's runtime and owns the socket. Before
//! it connects it reads `exchangeInfo` (the symbols: `BTCUSDT` ↔ `BTC/USDT`); it reconnects
//! with backoff and full jitter within Binance's connect budget, subscribes everything wanted
//! again, and rebuilds every book from a new snapshot; a book that sees a sequence gap
//! resyncs alone, from a new snapshot, while its diffs are buffered. With nothing wanted it
//! holds no socket. `serverShutdown` reconnects at once.

mod session;
mod streams;

use std::sync::Arc;
use std::time::Duration;

use crate::kit::{BackoffConfig, Delivery, FeedHandle, VenueObserver};

/// Binance's production market stream endpoint.
pub const BINANCE_WS_STREAM_URL: &str = "wss://stream.binance.com:9443";
/// Binance's production REST endpoint.
pub const BINANCE_REST_URL: &str = "https://api.binance.com";
/// Levels a side of the REST snapshot a book starts from: the deepest that costs weight 50 (a
/// 5000-level snapshot costs 250).
pub const DEFAULT_SNAPSHOT_LEVELS: u32 = 1_000;

/// How the market stream connection behaves. Defaults suit Binance's production endpoints.
#[derive(Debug, Clone)]
pub struct BinanceFeedConfig {
    /// The venue's name in metrics and `/status`.
    pub venue: String,
    /// REST, for `exchangeInfo` and depth snapshots.
    pub rest_url: String,
    /// The market stream endpoint (`/stream` is appended).
    pub ws_stream_url: String,
    /// A stream with no message for this long is stale. Binance sends no heartbeat on a quiet
    /// stream (only pings), so this is the longest a healthy market is expected to stay
    /// silent.
    pub stale_after: Duration,
    /// A connection with no text frame for this long is taken for dead: reconnect. The kit's
    /// reader answers Binance's pings (every 20 s) without surfacing them, so they do not count:
    /// on a connection whose every stream is quiet this reconnects needlessly.
    pub idle_reconnect_after: Duration,
    /// Opening the socket, at most.
    pub connect_timeout: Duration,
    /// One REST call, at most.
    pub request_timeout: Duration,
    /// The reconnect backoff.
    pub backoff: BackoffConfig,
    /// Connects allowed per window (Binance: 300 per 5 minutes per IP).
    pub connect_budget: (usize, Duration),
    /// Levels a side of each book's REST snapshot ([`DEFAULT_SNAPSHOT_LEVELS`]).
    pub snapshot_levels: u32,
}

impl Default for BinanceFeedConfig {
    fn default() -> Self {
        Self {
            venue: "binance".into(),
            rest_url: BINANCE_REST_URL.into(),
            ws_stream_url: BINANCE_WS_STREAM_URL.into(),
            stale_after: Duration::from_secs(10),
            idle_reconnect_after: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(10),
            backoff: BackoffConfig::default(),
            connect_budget: (300, Duration::from_secs(300)),
            snapshot_levels: DEFAULT_SNAPSHOT_LEVELS,
        }
    }
}

/// Starts Binance's market data for the host on `runtime`: it connects once something is
/// subscribed; its events go where `delivery` says.
pub fn start(
    config: BinanceFeedConfig,
    runtime: &tokio::runtime::Handle,
    delivery: Delivery,
    observer: Arc<dyn VenueObserver>,
) -> FeedHandle {
    let (name, stale_after) = (config.venue.clone(), config.stale_after);
    FeedHandle::start(name, stale_after, runtime, move |shared, commands| {
        session::run(config, shared, delivery, observer, commands)
    })
}
