//! The market stream connection task: read the instruments, connect, subscribe, read, keep
//! the books, and start over when anything fails.
//!
//! Books follow the documented procedure ([`BinanceBook`]): a book's snapshot is asked for once
//! its first diff is buffered, and again after a resync; the request runs beside the socket,
//! so diffs keep being buffered while it is in flight.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use tokio::sync::mpsc;
use tracing::{debug, info, warn};
use trading::market::{FeedStream, MarketEvent, Symbol};

use super::streams::binance_stream;
use super::BinanceFeedConfig;
use crate::binance::book::{Applied, BinanceBook};
use crate::binance::rest::{BinanceRest, RestCallError};
use crate::binance::wire::{
    parse_stream, subscription_request, Bar, DepthSnapshot, StreamMessage, SymbolDirectory, VenueSymbol,
};
use crate::kit::{
    connect, lock_feed, next_text, wall_ms, Connection, Delivery, FeedCommand, Redial, SharedFeedState, Socket,
    VenueObserver, Wanted,
};

/// After a failed or stale snapshot, how long before asking again: the procedure says to
/// refetch, and this keeps a lagging REST from being asked in a tight loop.
const SNAPSHOT_RETRY: Duration = Duration::from_millis(250);

/// Why a connection ended.
enum Ended {
    /// The host is shutting the feed down.
    Shutdown,
    /// Nothing is subscribed any more.
    Idle,
    /// `serverShutdown`: reconnect at once.
    ServerShutdown,
    /// Anything else: reconnect after the backoff.
    Failed(String),
}

/// A snapshot that came back for a book.
type SnapshotAnswer = (VenueSymbol, Result<DepthSnapshot, RestCallError>);

/// How long to wait before asking again after `error`: a 429 or 418 names its wait in
/// `Retry-After` (nothing is sent before it); anything else retries after [`SNAPSHOT_RETRY`].
fn retry_delay(error: &RestCallError) -> Duration {
    match error {
        RestCallError::Status {
            status: 418 | 429,
            retry_after_s,
            ..
        } => retry_after_s.map_or(RATE_LIMITED_RETRY, Duration::from_secs),
        _ => SNAPSHOT_RETRY,
    }
}

/// After a 429 or 418 without `Retry-After`: Binance's shortest ban is 2 minutes.
const RATE_LIMITED_RETRY: Duration = Duration::from_secs(120);

/// Everything the task keeps across connections.
struct Task {
    config: BinanceFeedConfig,
    shared: SharedFeedState,
    delivery: Delivery,
    observer: Arc<dyn VenueObserver>,
    wanted: Wanted,
    rest: Arc<BinanceRest>,
    symbols: Option<SymbolDirectory>,
    books: BTreeMap<VenueSymbol, BinanceBook>,
    /// Books whose snapshot is being fetched.
    fetching: BTreeSet<VenueSymbol>,
    request_id: i64,
}

pub(super) async fn run(
    config: BinanceFeedConfig,
    shared: SharedFeedState,
    delivery: Delivery,
    observer: Arc<dyn VenueObserver>,
    commands: mpsc::UnboundedReceiver<FeedCommand>,
) {
    let seed = u64::from(std::process::id()) ^ wall_ms().unsigned_abs();
    let Ok(mut redial) = Redial::new(config.backoff, config.connect_budget, seed) else {
        warn!(venue = %config.venue, "invalid backoff settings: the market stream feed does not start");
        return;
    };
    let rest = Arc::new(BinanceRest::new(
        &config.rest_url,
        config.request_timeout,
        observer.clone(),
    ));
    let mut task = Task {
        config,
        shared,
        delivery,
        observer,
        wanted: Wanted::new(commands),
        rest,
        symbols: None,
        books: BTreeMap::new(),
        fetching: BTreeSet::new(),
        request_id: 0,
    };
    let mut was_up = false;
    loop {
        if !task.wanted.wait_to_connect(&mut redial, &task.config.venue).await {
            return;
        }
        if task.symbols.is_none() {
            match task.rest.exchange_info().await {
                Ok(info) => task.symbols = Some(info.directory()),
                Err(e) => {
                    task.failed(e.to_string());
                    continue;
                }
            }
        }
        let url = format!("{}/stream", task.config.ws_stream_url.trim_end_matches('/'));
        let socket = match connect(&url, task.config.connect_timeout).await {
            Ok(socket) => socket,
            Err(e) => {
                task.failed(e.to_string());
                continue;
            }
        };
        if was_up {
            task.observer.reconnected(Connection::Public);
            lock_feed(&task.shared).reconnects += 1;
        }
        was_up = true;
        task.set_connected(true);
        info!(venue = %task.config.venue, %url, "market stream feed connected");
        let ended = task.serve(socket, &mut redial).await;
        task.set_connected(false);
        task.books.clear();
        task.fetching.clear();
        lock_feed(&task.shared).freshness.restart(Instant::now());
        match ended {
            Ended::Shutdown => return,
            Ended::Idle => {
                info!(venue = %task.config.venue, "nothing subscribed: market stream feed disconnected");
                redial.reset();
            }
            Ended::ServerShutdown => {
                redial.reset();
                task.failed("the server is shutting down (serverShutdown): reconnecting".into());
            }
            Ended::Failed(reason) => task.failed(reason),
        }
    }
}

impl Task {
    fn failed(&mut self, reason: String) {
        warn!(venue = %self.config.venue, %reason, "market stream feed connection failed");
        lock_feed(&self.shared).last_error = Some((reason, wall_ms()));
    }

    fn set_connected(&mut self, up: bool) {
        lock_feed(&self.shared).connected = up;
        self.observer.connected(Connection::Public, up);
    }

    /// The Binance streams the wanted streams need.
    fn binance_streams(&self) -> BTreeSet<String> {
        let Some(symbols) = &self.symbols else {
            return BTreeSet::new();
        };
        self.wanted.iter().filter_map(|s| binance_stream(symbols, s)).collect()
    }

    /// The books wanted: Binance's symbol and the host's.
    fn wanted_books(&self) -> BTreeMap<VenueSymbol, Symbol> {
        let Some(symbols) = &self.symbols else {
            return BTreeMap::new();
        };
        self.wanted
            .iter()
            .filter_map(|s| match s {
                FeedStream::Book(symbol, _) => symbols.venue(symbol).map(|venue| (venue, symbol.clone())),
                _ => None,
            })
            .collect()
    }

    async fn send_subscription(&mut self, socket: &mut Socket, on: bool, names: Vec<String>) -> Result<(), String> {
        if names.is_empty() {
            return Ok(());
        }
        self.request_id += 1;
        socket
            .send(tokio_tungstenite::tungstenite::Message::text(subscription_request(
                on,
                &names,
                self.request_id,
            )))
            .await
            .map_err(|e| format!("sending a subscription: {e}"))
    }

    /// Starts a book for every wanted symbol that has none, drops the ones no longer wanted.
    fn sync_books(&mut self) {
        let wanted = self.wanted_books();
        self.books.retain(|venue, _| wanted.contains_key(venue));
        self.fetching.retain(|venue| wanted.contains_key(venue));
        for (venue, symbol) in wanted {
            self.books
                .entry(venue)
                .or_insert_with(|| BinanceBook::new(venue, symbol));
        }
    }

    async fn serve(&mut self, mut socket: Socket, redial: &mut Redial) -> Ended {
        let (snapshots_tx, mut snapshots) = mpsc::unbounded_channel::<SnapshotAnswer>();
        let mut subscribed = self.binance_streams();
        if let Err(reason) = self
            .send_subscription(&mut socket, true, subscribed.iter().cloned().collect())
            .await
        {
            return Ended::Failed(reason);
        }
        self.sync_books();
        let mut last_message = Instant::now();
        let mut got_data = false;
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        loop {
            tokio::select! {
                text = next_text(&mut socket) => {
                    last_message = Instant::now();
                    let text = match text {
                        Ok(text) => text,
                        Err(reason) => return Ended::Failed(reason),
                    };
                    match self.on_text(text.as_str(), &snapshots_tx) {
                        Handled::Data if !got_data => {
                            // A connection that delivers data is healthy: the next failure
                            // starts the backoff over.
                            got_data = true;
                            redial.reset();
                        }
                        Handled::ServerShutdown => {
                            let _ = socket.close(None).await;
                            return Ended::ServerShutdown;
                        }
                        Handled::Data | Handled::Other => {}
                    }
                }
                Some((venue, answer)) = snapshots.recv() => self.on_snapshot(venue, answer, &snapshots_tx),
                command = self.wanted.next_command() => {
                    let Some(command) = command else {
                        let _ = socket.close(None).await;
                        return Ended::Shutdown;
                    };
                    self.wanted.apply(command);
                    if self.wanted.is_empty() {
                        let _ = socket.close(None).await;
                        return Ended::Idle;
                    }
                    let now_wanted = self.binance_streams();
                    let added: Vec<String> = now_wanted.difference(&subscribed).cloned().collect();
                    let removed: Vec<String> = subscribed.difference(&now_wanted).cloned().collect();
                    subscribed = now_wanted;
                    if let Err(reason) = self.send_subscription(&mut socket, true, added).await {
                        return Ended::Failed(reason);
                    }
                    if let Err(reason) = self.send_subscription(&mut socket, false, removed).await {
                        return Ended::Failed(reason);
                    }
                    self.sync_books();
                }
                _ = tick.tick() => {
                    if last_message.elapsed() > self.config.idle_reconnect_after {
                        return Ended::Failed(format!(
                            "no message for {:?}: the connection is dead",
                            self.config.idle_reconnect_after
                        ));
                    }
                }
            }
        }
    }

    /// Handles one frame.
    fn on_text(&mut self, text: &str, snapshots: &mpsc::UnboundedSender<SnapshotAnswer>) -> Handled {
        let message = match parse_stream(text) {
            Ok(message) => message,
            Err(e) => {
                self.observer.parse_error();
                warn!(venue = %self.config.venue, error = %e, "unreadable market stream frame skipped");
                return Handled::Other;
            }
        };
        let Some(symbols) = &self.symbols else {
            return Handled::Other;
        };
        let now = Instant::now();
        let mut events = Vec::new();
        match message {
            StreamMessage::Trade(trade) => {
                self.observer.message("trade");
                if let Some(trade) = trade.to_trade(symbols) {
                    events.push((FeedStream::Trades(trade.symbol.clone()), MarketEvent::Trade(trade)));
                }
            }
            StreamMessage::Kline(kline) => {
                self.observer.message("kline");
                match kline.to_bar(symbols) {
                    Some(Bar::Closed(candle)) => {
                        let updates = FeedStream::BarUpdates(candle.symbol.clone(), candle.timeframe);
                        lock_feed(&self.shared).freshness.heard(&updates, now);
                        events.push((
                            FeedStream::Bars(candle.symbol.clone(), candle.timeframe),
                            MarketEvent::Candle(candle),
                        ));
                    }
                    Some(Bar::InProgress(update)) => {
                        let closed = FeedStream::Bars(update.candle.symbol.clone(), update.candle.timeframe);
                        lock_feed(&self.shared).freshness.heard(&closed, now);
                        events.push((
                            FeedStream::BarUpdates(update.candle.symbol.clone(), update.candle.timeframe),
                            MarketEvent::CandleUpdate(Box::new(update)),
                        ));
                    }
                    None => {}
                }
            }
            StreamMessage::BookTicker(ticker) => {
                self.observer.message("bookTicker");
                if let Some(quote) = ticker.to_quote(symbols, wall_ms()) {
                    events.push((FeedStream::Quotes(quote.symbol.clone()), MarketEvent::Quote(quote)));
                }
            }
            StreamMessage::Depth(diff) => {
                self.observer.message("depth");
                let venue = diff.symbol;
                let Some(book) = self.books.get_mut(&venue) else {
                    return Handled::Other;
                };
                match book.apply_diff(diff) {
                    Ok(Applied::Updated { .. }) => events = self.book_events(venue),
                    Ok(Applied::Resync(reason)) => {
                        self.observer.book_resync(reason.label());
                        warn!(venue = %self.config.venue, symbol = %venue, %reason, "book resyncs from a new snapshot");
                        self.fetch_snapshot(venue, Duration::ZERO, snapshots);
                    }
                    Ok(Applied::Buffered) => self.fetch_snapshot(venue, Duration::ZERO, snapshots),
                    Ok(Applied::Stale | Applied::Synced { .. }) => {}
                    Err(e) => debug!(venue = %self.config.venue, error = %e, "depth update skipped"),
                }
            }
            StreamMessage::Response(response) => {
                self.observer.message("response");
                if let Err(error) = response.outcome {
                    warn!(venue = %self.config.venue, code = error.code, msg = %error.msg, "Binance refused a subscription request");
                    lock_feed(&self.shared).last_error = Some((format!("{} {}", error.code, error.msg), wall_ms()));
                }
                return Handled::Other;
            }
            StreamMessage::ServerShutdown { .. } => return Handled::ServerShutdown,
            StreamMessage::Unknown { name } => {
                debug!(venue = %self.config.venue, %name, "a stream this feed does not read");
                return Handled::Other;
            }
        }
        self.deliver(events, now);
        Handled::Data
    }

    /// A book's wanted depths, as events.
    fn book_events(&self, venue: VenueSymbol) -> Vec<(FeedStream, MarketEvent)> {
        let Some(book) = self.books.get(&venue) else {
            return Vec::new();
        };
        let now_ms = wall_ms();
        self.wanted
            .iter()
            .filter_map(|stream| match stream {
                FeedStream::Book(symbol, depth) if self.symbols.as_ref()?.venue(symbol) == Some(venue) => book
                    .snapshot(*depth, now_ms)
                    .map(|snapshot| (stream.clone(), MarketEvent::Book(snapshot))),
                _ => None,
            })
            .collect()
    }

    /// Asks REST for `venue`'s snapshot after `delay`, unless a request is in flight.
    fn fetch_snapshot(&mut self, venue: VenueSymbol, delay: Duration, answers: &mpsc::UnboundedSender<SnapshotAnswer>) {
        if !self.fetching.insert(venue) {
            return;
        }
        let (rest, levels, answers) = (self.rest.clone(), self.config.snapshot_levels, answers.clone());
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let answer = rest.depth(venue, levels).await;
            // The connection that asked may be gone; its book went with it.
            let _ = answers.send((venue, answer));
        });
    }

    fn on_snapshot(
        &mut self,
        venue: VenueSymbol,
        answer: Result<DepthSnapshot, RestCallError>,
        answers: &mpsc::UnboundedSender<SnapshotAnswer>,
    ) {
        self.fetching.remove(&venue);
        let Some(book) = self.books.get_mut(&venue) else {
            return;
        };
        let snapshot = match answer {
            Ok(snapshot) => snapshot,
            Err(error) => {
                let delay = retry_delay(&error);
                warn!(venue = %self.config.venue, symbol = %venue, %error, ?delay, "depth snapshot failed: asking again");
                lock_feed(&self.shared).last_error = Some((error.to_string(), wall_ms()));
                self.fetch_snapshot(venue, delay, answers);
                return;
            }
        };
        match book.apply_snapshot(&snapshot) {
            Applied::Synced { .. } => {
                let events = self.book_events(venue);
                self.deliver(events, Instant::now());
            }
            Applied::Resync(reason) => {
                self.observer.book_resync(reason.label());
                self.fetch_snapshot(venue, SNAPSHOT_RETRY, answers);
            }
            Applied::Buffered | Applied::Stale | Applied::Updated { .. } => {}
        }
    }

    /// Marks every stream that spoke as heard, and hands on the events of wanted streams.
    fn deliver(&mut self, events: Vec<(FeedStream, MarketEvent)>, now: Instant) {
        if events.is_empty() {
            return;
        }
        let mut wanted = Vec::with_capacity(events.len());
        {
            let mut shared = lock_feed(&self.shared);
            for (stream, event) in events {
                shared.freshness.heard(&stream, now);
                if self.wanted.contains(&stream) {
                    wanted.push(event);
                }
            }
        }
        self.delivery.deliver(&self.shared, &mut wanted);
    }
}

/// What one frame asks of the connection.
enum Handled {
    Data,
    ServerShutdown,
    Other,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_are_waited_out_as_binance_says() {
        let status = |status, retry_after_s| RestCallError::Status {
            method: "depth",
            status,
            error: None,
            retry_after_s,
        };
        assert_eq!(retry_delay(&status(429, Some(7))), Duration::from_secs(7));
        assert_eq!(retry_delay(&status(418, None)), RATE_LIMITED_RETRY);
        assert_eq!(retry_delay(&status(503, Some(7))), SNAPSHOT_RETRY);
    }
}
