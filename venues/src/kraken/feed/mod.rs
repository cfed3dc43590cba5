//! [`KrakenFeed`]: Kraken's public WebSocket v2 as a [`MarketFeed`]: trades, closed 1-minute
//! (or any Kraken interval) bars, best bid and ask, and checksum-verified books, on one
//! supervised connection for the whole host.
//!
//! The connection task (`session.rs`) runs on the host's tokio runtime and owns the socket.
//! It reconnects with backoff and full jitter, within Kraken's connect budget, subscribes
//! everything wanted again, and rebuilds books from new snapshots. Kraken closes a socket with
//! no subscriptions, so with nothing wanted it holds no socket at all. Events reach the
//! session through a queue and the doorbell; each stream's data age is kept for `/status`,
//! metrics and risk.

mod session;
mod state;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use trading::brokers::Doorbell;
use trading::market::{FeedState, FeedStatus, FeedStream, MarketEvent, MarketFeed, StreamHealth, TimeMs};

use crate::kit::{BackoffConfig, Freshness, VenueObserver};

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
#[derive(Debug)]
struct Shared {
    queue: VecDeque<MarketEvent>,
    freshness: Freshness<FeedStream>,
    connected: bool,
    reconnects: u64,
    last_error: Option<(String, TimeMs)>,
}

type SharedState = Arc<Mutex<Shared>>;

fn lock(shared: &SharedState) -> MutexGuard<'_, Shared> {
    crate::kit::lock(shared)
}

#[derive(Debug)]
enum Command {
    Subscribe(FeedStream),
    Unsubscribe(FeedStream),
}

/// Kraken's public market data for the whole host.
pub struct KrakenFeed {
    name: String,
    commands: mpsc::UnboundedSender<Command>,
    shared: SharedState,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for KrakenFeed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KrakenFeed")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl KrakenFeed {
    /// Starts the connection task on `runtime`. It connects once something is subscribed;
    /// every event rings `doorbell`.
    pub fn start(
        config: KrakenFeedConfig,
        runtime: &tokio::runtime::Handle,
        doorbell: Doorbell,
        observer: Arc<dyn VenueObserver>,
    ) -> Self {
        let shared = Arc::new(Mutex::new(Shared {
            queue: VecDeque::new(),
            freshness: Freshness::new(config.stale_after),
            connected: false,
            reconnects: 0,
            last_error: None,
        }));
        let (commands, receiver) = mpsc::unbounded_channel();
        let name = config.venue.clone();
        let task = runtime.spawn(session::run(config, shared.clone(), doorbell, observer, receiver));
        Self {
            name,
            commands,
            shared,
            task,
        }
    }
}

impl Drop for KrakenFeed {
    fn drop(&mut self) {
        // The task owns the socket: ending it closes the connection.
        self.task.abort();
    }
}

impl MarketFeed for KrakenFeed {
    fn name(&self) -> &str {
        &self.name
    }

    fn subscribe(&mut self, stream: FeedStream) {
        lock(&self.shared).freshness.watch(stream.clone(), Instant::now());
        // A closed channel means the task ended with the runtime: nothing can be subscribed.
        let _ = self.commands.send(Command::Subscribe(stream));
    }

    fn unsubscribe(&mut self, stream: &FeedStream) {
        lock(&self.shared).freshness.unwatch(stream);
        let _ = self.commands.send(Command::Unsubscribe(stream.clone()));
    }

    fn poll(&mut self, out: &mut Vec<MarketEvent>) -> FeedState {
        out.extend(lock(&self.shared).queue.drain(..));
        FeedState::Open
    }

    fn status(&self) -> FeedStatus {
        let shared = lock(&self.shared);
        let now = Instant::now();
        FeedStatus {
            connected: shared.connected,
            reconnects: shared.reconnects,
            last_error: shared.last_error.as_ref().map(|(text, _)| text.clone()),
            last_error_ms: shared.last_error.as_ref().map(|(_, at)| *at),
            streams: shared
                .freshness
                .ages(now)
                .into_iter()
                .map(|age| StreamHealth {
                    stream: age.stream,
                    age_ms: age.age.map(|a| i64::try_from(a.as_millis()).unwrap_or(i64::MAX)),
                    stale: age.stale,
                })
                .collect(),
        }
    }
}

/// Now as UTC milliseconds, for error timestamps.
fn wall_ms() -> TimeMs {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
