//! [`FeedHandle`]: the host's half of a venue's market data connection, whatever the venue.
//!
//! A venue's connection task runs on the host's runtime and owns the socket; it shares a
//! [`FeedState`] with the handle (the queue of normalized events, each stream's data age, the
//! connection's state) and takes [`FeedCommand`]s from it. The handle is the venue's
//! [`MarketFeed`]: it never blocks, and dropping it ends the task, which closes the socket.
//! Where the task's events go is the [`Delivery`] the feed was started with.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use trading::brokers::Doorbell;
use trading::market::{
    FeedState as ReplayState, FeedStatus, FeedStream, MarketEvent, MarketFeed, MarketSink, StreamHealth, TimeMs,
};

use super::Freshness;

/// Where a feed's connection task hands the events it parses.
#[derive(Clone)]
pub enum Delivery {
    /// Into the queue [`MarketFeed::poll`] drains, ringing the doorbell.
    Polled(Doorbell),
    /// To the sink, on the connection task, as they are parsed: the path a live session takes,
    /// since every thread between the socket and the strategies adds a wake-up to the latency
    /// of the orders that answer the data.
    Pushed(Arc<dyn MarketSink>),
}

impl std::fmt::Debug for Delivery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Delivery::Polled(_) => f.write_str("Delivery::Polled"),
            Delivery::Pushed(_) => f.write_str("Delivery::Pushed"),
        }
    }
}

impl Delivery {
    /// Hands every event of `events` on (leaving it empty), in order.
    pub fn deliver(&self, shared: &SharedFeedState, events: &mut Vec<MarketEvent>) {
        if events.is_empty() {
            return;
        }
        match self {
            Delivery::Polled(doorbell) => {
                lock_feed(shared).queue.extend(events.drain(..));
                doorbell.ring();
            }
            Delivery::Pushed(sink) => sink.deliver(events),
        }
    }
}

/// What a connection task and its handle share.
#[derive(Debug)]
pub struct FeedState {
    /// Normalized events not yet polled, in arrival order.
    pub queue: VecDeque<MarketEvent>,
    /// Each subscribed stream's last message.
    pub freshness: Freshness<FeedStream>,
    /// Whether the socket is up.
    pub connected: bool,
    /// Reconnects since the feed started.
    pub reconnects: u64,
    /// The last failure and when (UTC ms).
    pub last_error: Option<(String, TimeMs)>,
}

/// The shared state, behind its lock.
pub type SharedFeedState = Arc<Mutex<FeedState>>;

/// Takes the shared state's lock (see [`super::lock`]).
pub fn lock_feed(shared: &SharedFeedState) -> MutexGuard<'_, FeedState> {
    super::lock(shared)
}

/// A change of what the host wants from the venue.
#[derive(Debug)]
pub enum FeedCommand {
    /// Start receiving a stream.
    Subscribe(FeedStream),
    /// Stop receiving it.
    Unsubscribe(FeedStream),
}

impl FeedCommand {
    /// The stream the command is about.
    pub fn stream(&self) -> &FeedStream {
        match self {
            FeedCommand::Subscribe(stream) | FeedCommand::Unsubscribe(stream) => stream,
        }
    }
}

/// A venue's market data as a [`MarketFeed`], backed by its connection task.
pub struct FeedHandle {
    name: String,
    commands: mpsc::UnboundedSender<FeedCommand>,
    shared: SharedFeedState,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for FeedHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedHandle")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl FeedHandle {
    /// Starts the connection task `task(shared, commands)` on `runtime`; streams with no message
    /// for `stale_after` are reported stale.
    pub fn start<F, Fut>(name: String, stale_after: Duration, runtime: &tokio::runtime::Handle, task: F) -> Self
    where
        F: FnOnce(SharedFeedState, mpsc::UnboundedReceiver<FeedCommand>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let shared = Arc::new(Mutex::new(FeedState {
            queue: VecDeque::new(),
            freshness: Freshness::new(stale_after),
            connected: false,
            reconnects: 0,
            last_error: None,
        }));
        let (commands, receiver) = mpsc::unbounded_channel();
        let task = runtime.spawn(task(shared.clone(), receiver));
        Self {
            name,
            commands,
            shared,
            task,
        }
    }
}

impl Drop for FeedHandle {
    fn drop(&mut self) {
        // The task owns the socket: ending it closes the connection.
        self.task.abort();
    }
}

impl MarketFeed for FeedHandle {
    fn name(&self) -> &str {
        &self.name
    }

    fn subscribe(&mut self, stream: FeedStream) {
        lock_feed(&self.shared).freshness.watch(stream.clone(), Instant::now());
        // A closed channel means the task ended with the runtime: nothing can be subscribed.
        let _ = self.commands.send(FeedCommand::Subscribe(stream));
    }

    fn unsubscribe(&mut self, stream: &FeedStream) {
        lock_feed(&self.shared).freshness.unwatch(stream);
        let _ = self.commands.send(FeedCommand::Unsubscribe(stream.clone()));
    }

    fn poll(&mut self, out: &mut Vec<MarketEvent>) -> ReplayState {
        out.extend(lock_feed(&self.shared).queue.drain(..));
        ReplayState::Open
    }

    fn status(&self) -> FeedStatus {
        let shared = lock_feed(&self.shared);
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
pub fn wall_ms() -> TimeMs {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}
