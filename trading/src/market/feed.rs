//! [`MarketFeed`]: the one interface every source of market data implements, a replay of
//! history and a live venue alike. Backtest, paper and live trading differ only in their feed
//! and their execution port; everything downstream of a feed is the same code.
//!
//! A feed never blocks: its producer (a replay clock, a venue's connection task) queues
//! normalized events, and the session drains them with [`MarketFeed::poll`], woken by the
//! doorbell the feed was built with ([`crate::brokers::Doorbell`]). A live venue's feed may
//! instead hand its events to a [`MarketSink`] on its connection's own task as they are parsed,
//! so no thread stands between the socket and the strategies.

use std::fmt;

use super::{MarketEvent, Symbol, TimeMs, Timeframe};

/// One stream a feed can subscribe to at its venue. Reference counting across strategies is
/// the caller's: a feed subscribes what it is told, once.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FeedStream {
    /// Public trades.
    Trades(Symbol),
    /// Closed bars of the venue's base timeframe (longer ones are built from them).
    Bars(Symbol, Timeframe),
    /// The venue's bar in progress, each time it changes.
    BarUpdates(Symbol, Timeframe),
    /// Best bid and ask.
    Quotes(Symbol),
    /// The order book, this many levels deep.
    Book(Symbol, u16),
}

impl FeedStream {
    pub fn symbol(&self) -> &Symbol {
        match self {
            FeedStream::Trades(s)
            | FeedStream::Bars(s, _)
            | FeedStream::BarUpdates(s, _)
            | FeedStream::Quotes(s)
            | FeedStream::Book(s, _) => s,
        }
    }
}

impl fmt::Display for FeedStream {
    /// The stream's label in metrics and `/status`: `BTC/USD trades`, `BTC/USD 1m`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FeedStream::Trades(s) => write!(f, "{s} trades"),
            FeedStream::Bars(s, tf) => write!(f, "{s} {tf}"),
            FeedStream::BarUpdates(s, tf) => write!(f, "{s} {tf} updates"),
            FeedStream::Quotes(s) => write!(f, "{s} quotes"),
            FeedStream::Book(s, depth) => write!(f, "{s} book {depth}"),
        }
    }
}

/// How one subscribed stream is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamHealth {
    pub stream: FeedStream,
    /// Milliseconds since its last message; `None` before the first.
    pub age_ms: Option<i64>,
    /// Past its threshold: risk refuses new orders on the symbol until data flows again.
    pub stale: bool,
}

/// Where a feed's connection stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedStatus {
    pub connected: bool,
    /// Reconnects since the feed started.
    pub reconnects: u64,
    pub last_error: Option<String>,
    /// When the last error happened (UTC ms).
    pub last_error_ms: Option<TimeMs>,
    pub streams: Vec<StreamHealth>,
}

/// Whether more events may come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedState {
    Open,
    /// A replay that has handed out its last event.
    Ended,
}

/// Takes a live feed's events on the feed's connection task, as they are parsed.
pub trait MarketSink: Send + Sync {
    /// Takes every event of `events` (leaving it empty), in arrival order. It runs on the
    /// venue's connection task and holds up the venue's socket while it runs: what it does
    /// must be short and never wait on the network.
    fn deliver(&self, events: &mut Vec<MarketEvent>);
}

/// A source of normalized market events.
pub trait MarketFeed: Send {
    /// The feed's name in `/status` and metrics (a venue's name, or the replayed file's).
    fn name(&self) -> &str;
    /// Starts receiving `stream` (and again after every reconnect).
    fn subscribe(&mut self, stream: FeedStream);
    /// Stops receiving `stream`.
    fn unsubscribe(&mut self, stream: &FeedStream);
    /// Moves the events received since the last call into `out`, in arrival order. Never blocks.
    fn poll(&mut self, out: &mut Vec<MarketEvent>) -> FeedState;
    /// The connection and every subscribed stream's data age.
    fn status(&self) -> FeedStatus;
}
