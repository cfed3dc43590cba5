//! The public connection task: connect, subscribe, read, and start over when anything fails.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tracing::{debug, info, warn};
use trading::market::{FeedStream, MarketEvent, Symbol};

use super::state::{MarketState, Resync};
use super::{lock, wall_ms, Command, KrakenFeedConfig, SharedState};
use crate::kit::{connect, next_text, Connection, Delivery, Redial, Socket, VenueObserver, Wanted};
use crate::kraken::wire::requests::{self, PublicSubscription};
use crate::kraken::wire::{parse_public, BookDepth, ControlMessage, PublicMessage};

/// Why a connection ended.
enum Ended {
    /// The host is shutting the feed down.
    Shutdown,
    /// Nothing is subscribed any more: Kraken would close the socket anyway.
    Idle,
    /// Anything else: reconnect.
    Failed(String),
}

/// Everything the task keeps across connections.
struct Task {
    config: KrakenFeedConfig,
    shared: SharedState,
    delivery: Delivery,
    observer: Arc<dyn VenueObserver>,
    wanted: Wanted,
    state: MarketState,
    req_id: u64,
}

pub(super) async fn run(
    config: KrakenFeedConfig,
    shared: SharedState,
    delivery: Delivery,
    observer: Arc<dyn VenueObserver>,
    commands: mpsc::UnboundedReceiver<Command>,
) {
    let seed = std::process::id() as u64 ^ wall_ms() as u64;
    let Ok(mut redial) = Redial::new(config.backoff, config.connect_budget, seed) else {
        warn!(venue = %config.venue, "invalid backoff settings: the public feed does not start");
        return;
    };
    let mut task = Task {
        config,
        shared,
        delivery,
        observer,
        wanted: Wanted::new(commands),
        state: MarketState::default(),
        req_id: 0,
    };
    let mut was_up = false;
    loop {
        if !task.wanted.wait_to_connect(&mut redial, &task.config.venue).await {
            return;
        }
        let socket = match connect(&task.config.ws_public_url, task.config.connect_timeout).await {
            Ok(socket) => socket,
            Err(e) => {
                task.failed(e.to_string());
                continue;
            }
        };
        if was_up {
            task.observer.reconnected(Connection::Public);
            lock(&task.shared).reconnects += 1;
        }
        was_up = true;
        task.set_connected(true);
        info!(venue = %task.config.venue, url = %task.config.ws_public_url, "public feed connected");
        let ended = task.serve(socket, &mut redial).await;
        task.set_connected(false);
        task.state.reset_books();
        lock(&task.shared).freshness.restart(Instant::now());
        match ended {
            Ended::Shutdown => return,
            Ended::Idle => {
                info!(venue = %task.config.venue, "nothing subscribed: public feed disconnected");
                redial.reset();
            }
            Ended::Failed(reason) => task.failed(reason),
        }
    }
}

impl Task {
    fn failed(&mut self, reason: String) {
        warn!(venue = %self.config.venue, %reason, "public feed connection failed");
        lock(&self.shared).last_error = Some((reason, wall_ms()));
    }

    fn set_connected(&mut self, up: bool) {
        lock(&self.shared).connected = up;
        self.observer.connected(Connection::Public, up);
    }

    fn next_req_id(&mut self) -> u64 {
        self.req_id += 1;
        self.req_id
    }

    async fn serve(&mut self, mut socket: Socket, redial: &mut Redial) -> Ended {
        let instrument = requests::subscribe(&PublicSubscription::Instrument { snapshot: true }, self.next_req_id());
        if let Err(e) = socket.send(Message::text(instrument)).await {
            return Ended::Failed(format!("sending the instrument subscription: {e}"));
        }
        // Books wait for the pairs' precisions (the checksum needs them).
        let mut books_sent: BTreeMap<Symbol, BookDepth> = BTreeMap::new();
        // One Kraken subscription per channel, symbol and interval, however many streams map to
        // it (closed bars and bars in progress are both `ohlc`).
        let mut keys = BTreeSet::new();
        let others: Vec<FeedStream> = self
            .wanted
            .iter()
            .filter(|s| kraken_key(s).is_some_and(|key| keys.insert(key)))
            .cloned()
            .collect();
        for stream in others {
            if let Err(reason) = self.send_subscription(&mut socket, &stream, true).await {
                return Ended::Failed(reason);
            }
        }
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
                    match self.on_text(text.as_str()) {
                        Handled::Data => {
                            if !got_data {
                                // A connection that delivers data is healthy: the next failure
                                // starts the backoff over.
                                got_data = true;
                                redial.reset();
                            }
                        }
                        Handled::Instrument => {
                            if let Err(reason) = self.sync_books(&mut socket, &mut books_sent).await {
                                return Ended::Failed(reason);
                            }
                        }
                        Handled::Resync(resyncs) => {
                            for Resync::Book { symbol, reason } in resyncs {
                                self.observer.book_resync(reason.label());
                                books_sent.remove(&symbol);
                                if let Err(reason) = self.resubscribe_book(&mut socket, &symbol).await {
                                    return Ended::Failed(reason);
                                }
                            }
                            if let Err(reason) = self.sync_books(&mut socket, &mut books_sent).await {
                                return Ended::Failed(reason);
                            }
                        }
                        Handled::Other => {}
                    }
                }
                command = self.wanted.next_command() => {
                    let Some(command) = command else {
                        let _ = socket.close(None).await;
                        return Ended::Shutdown;
                    };
                    let stream = command_stream(&command);
                    let key_held_before = self.holds_key(&stream);
                    self.wanted.apply(command);
                    if self.wanted.is_empty() {
                        let _ = socket.close(None).await;
                        return Ended::Idle;
                    }
                    let key_held_after = self.holds_key(&stream);
                    let result = match (&stream, key_held_before, key_held_after) {
                        (FeedStream::Book(..), _, _) => self.sync_books(&mut socket, &mut books_sent).await,
                        (_, false, true) => self.send_subscription(&mut socket, &stream, true).await,
                        (_, true, false) => self.send_subscription(&mut socket, &stream, false).await,
                        _ => Ok(()),
                    };
                    if let Err(reason) = result {
                        return Ended::Failed(reason);
                    }
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

    /// Whether any wanted stream needs the Kraken subscription `stream` maps to.
    fn holds_key(&self, stream: &FeedStream) -> bool {
        let Some(key) = kraken_key(stream) else {
            return false;
        };
        self.wanted.iter().any(|s| kraken_key(s).as_ref() == Some(&key))
    }

    /// Sends the subscription (or unsubscription) of one stream that is not a book.
    async fn send_subscription(&mut self, socket: &mut Socket, stream: &FeedStream, on: bool) -> Result<(), String> {
        let Some(subscription) = subscription_of(stream) else {
            warn!(venue = %self.config.venue, %stream, "Kraken has no such stream: not subscribed");
            return Ok(());
        };
        let req_id = self.next_req_id();
        let text = if on {
            requests::subscribe(&subscription, req_id)
        } else {
            requests::unsubscribe(&subscription, req_id)
        };
        socket
            .send(Message::text(text))
            .await
            .map_err(|e| format!("sending a subscription: {e}"))
    }

    /// Makes the books subscribed match the books wanted: one Kraken book per symbol, deep
    /// enough for the deepest book a strategy wants.
    async fn sync_books(&mut self, socket: &mut Socket, sent: &mut BTreeMap<Symbol, BookDepth>) -> Result<(), String> {
        let wanted = book_depths(&self.wanted);
        let stale: Vec<(Symbol, BookDepth)> = sent
            .iter()
            .filter(|(symbol, depth)| wanted.get(*symbol) != Some(*depth))
            .map(|(s, d)| (s.clone(), *d))
            .collect();
        for (symbol, depth) in stale {
            sent.remove(&symbol);
            self.state.forget_book(&symbol);
            let subscription = book_subscription(&symbol, depth);
            let text = requests::unsubscribe(&subscription, self.next_req_id());
            socket
                .send(Message::text(text))
                .await
                .map_err(|e| format!("unsubscribing a book: {e}"))?;
        }
        for (symbol, depth) in wanted {
            if sent.contains_key(&symbol) {
                continue;
            }
            if !self.state.expect_book(&symbol, depth) {
                debug!(%symbol, "book waits for the pair's precisions");
                continue;
            }
            let text = requests::subscribe(&book_subscription(&symbol, depth), self.next_req_id());
            socket
                .send(Message::text(text))
                .await
                .map_err(|e| format!("subscribing a book: {e}"))?;
            sent.insert(symbol, depth);
        }
        Ok(())
    }

    async fn resubscribe_book(&mut self, socket: &mut Socket, symbol: &Symbol) -> Result<(), String> {
        let Some(depth) = book_depths(&self.wanted).get(symbol).copied() else {
            return Ok(());
        };
        let text = requests::unsubscribe(&book_subscription(symbol, depth), self.next_req_id());
        socket
            .send(Message::text(text))
            .await
            .map_err(|e| format!("unsubscribing a book: {e}"))
    }

    fn on_text(&mut self, text: &str) -> Handled {
        let message = match parse_public(text) {
            Ok(message) => message,
            Err(error) => {
                self.observer.parse_error();
                let start: String = text.chars().take(200).collect();
                warn!(venue = %self.config.venue, %error, message = %start, "unparsable message skipped");
                return Handled::Other;
            }
        };
        let now = Instant::now();
        let mut events = Vec::new();
        let mut handled = Handled::Data;
        match message {
            PublicMessage::Trade(feed) => {
                self.observer.message("trade");
                self.state.on_trades(&feed.data, &mut events);
                self.heard(feed.data.iter().map(|t| FeedStream::Trades(t.symbol.clone())), now);
            }
            PublicMessage::Ticker(feed) => {
                self.observer.message("ticker");
                self.state.on_tickers(&feed.data, &mut events);
                self.heard(feed.data.iter().map(|t| FeedStream::Quotes(t.symbol.clone())), now);
            }
            PublicMessage::Ohlc(feed) => {
                self.observer.message("ohlc");
                let updates: BTreeSet<(Symbol, u32)> = self
                    .wanted
                    .iter()
                    .filter_map(|s| match s {
                        FeedStream::BarUpdates(symbol, tf) => {
                            u32::try_from(tf.as_ms() / 60_000).ok().map(|m| (symbol.clone(), m))
                        }
                        _ => None,
                    })
                    .collect();
                self.state.on_ohlc(&feed, &updates, &mut events);
                let streams: Vec<FeedStream> = feed
                    .data
                    .iter()
                    .filter_map(|c| {
                        trading::market::Timeframe::from_ms(i64::from(c.interval) * 60_000).map(|tf| (c, tf))
                    })
                    .flat_map(|(c, tf)| {
                        [
                            FeedStream::Bars(c.symbol.clone(), tf),
                            FeedStream::BarUpdates(c.symbol.clone(), tf),
                        ]
                    })
                    .collect();
                self.heard(streams.into_iter(), now);
            }
            PublicMessage::Book(feed) => {
                self.observer.message("book");
                let resyncs = self.state.on_book(feed.kind, &feed.data);
                let times: BTreeMap<Symbol, Option<trading::market::TimeMs>> =
                    feed.data.iter().map(|b| (b.symbol.clone(), b.timestamp)).collect();
                let streams: Vec<FeedStream> = self
                    .wanted
                    .iter()
                    .filter(|s| matches!(s, FeedStream::Book(symbol, _) if times.contains_key(symbol)))
                    .cloned()
                    .collect();
                // Each depth strategies want is its own stream of the book's top levels.
                for stream in &streams {
                    if let FeedStream::Book(symbol, depth) = stream {
                        let time_ms = times.get(symbol).copied().flatten();
                        if let Some(snapshot) = self.state.book_snapshot(symbol, *depth, time_ms) {
                            events.push(MarketEvent::Book(snapshot));
                        }
                    }
                }
                self.heard(streams.into_iter(), now);
                if !resyncs.is_empty() {
                    handled = Handled::Resync(resyncs);
                }
            }
            PublicMessage::Instrument(feed) => {
                self.observer.message("instrument");
                self.state.on_instrument(&feed.data.pairs);
                handled = Handled::Instrument;
            }
            PublicMessage::Control(control) => {
                handled = Handled::Other;
                match control {
                    ControlMessage::Heartbeat => {
                        self.observer.message("heartbeat");
                        lock(&self.shared).freshness.heard_all(now);
                    }
                    ControlMessage::Subscribed(response) | ControlMessage::Unsubscribed(response) => {
                        self.observer.message("subscription");
                        if let Err(failure) = response.outcome {
                            warn!(venue = %self.config.venue, error = %failure.error, symbol = ?failure.symbol, "Kraken refused a subscription request");
                            lock(&self.shared).last_error = Some((failure.error.to_string(), wall_ms()));
                        }
                    }
                    ControlMessage::Status(_) => self.observer.message("status"),
                    ControlMessage::Pong(_) => self.observer.message("pong"),
                    ControlMessage::Unknown(unknown) => {
                        self.observer.message("unknown");
                        debug!(venue = %self.config.venue, ?unknown, "unexpected message skipped");
                    }
                }
            }
        }
        self.deliver(events);
        handled
    }

    fn heard(&mut self, streams: impl Iterator<Item = FeedStream>, now: Instant) {
        let mut shared = lock(&self.shared);
        for stream in streams {
            shared.freshness.heard(&stream, now);
        }
    }

    fn deliver(&mut self, mut events: Vec<MarketEvent>) {
        self.delivery.deliver(&self.shared, &mut events);
    }
}

/// What one message asks of the connection.
enum Handled {
    Data,
    Instrument,
    Resync(Vec<Resync>),
    Other,
}

fn subscription_of(stream: &FeedStream) -> Option<PublicSubscription> {
    match stream {
        FeedStream::Trades(symbol) => Some(PublicSubscription::Trade {
            symbols: vec![symbol.clone()],
            snapshot: false,
        }),
        FeedStream::Quotes(symbol) => Some(PublicSubscription::Ticker {
            symbols: vec![symbol.clone()],
            snapshot: true,
        }),
        // The snapshot lets a reconnect close the candle that was open at the drop.
        FeedStream::Bars(symbol, timeframe) | FeedStream::BarUpdates(symbol, timeframe) => {
            let minutes = u32::try_from(timeframe.as_ms() / 60_000).ok()?;
            KRAKEN_INTERVALS.contains(&minutes).then(|| PublicSubscription::Ohlc {
                symbols: vec![symbol.clone()],
                interval_minutes: minutes,
                snapshot: true,
            })
        }
        FeedStream::Book(..) => None,
    }
}

/// The Kraken subscription a stream needs: channel, symbol and interval (0 where none).
fn kraken_key(stream: &FeedStream) -> Option<(&'static str, Symbol, u32)> {
    let minutes = |tf: &trading::market::Timeframe| u32::try_from(tf.as_ms() / 60_000).unwrap_or(0);
    match stream {
        FeedStream::Trades(symbol) => Some(("trade", symbol.clone(), 0)),
        FeedStream::Quotes(symbol) => Some(("ticker", symbol.clone(), 0)),
        FeedStream::Bars(symbol, tf) | FeedStream::BarUpdates(symbol, tf) => {
            Some(("ohlc", symbol.clone(), minutes(tf)))
        }
        FeedStream::Book(..) => None,
    }
}

fn command_stream(command: &Command) -> FeedStream {
    match command {
        Command::Subscribe(stream) | Command::Unsubscribe(stream) => stream.clone(),
    }
}

/// The candle intervals Kraken serves, in minutes.
pub(crate) const KRAKEN_INTERVALS: [u32; 9] = [1, 5, 15, 30, 60, 240, 1440, 10080, 21600];

fn book_subscription(symbol: &Symbol, depth: BookDepth) -> PublicSubscription {
    PublicSubscription::Book {
        symbols: vec![symbol.clone()],
        depth,
        snapshot: true,
    }
}

/// Per symbol, the shallowest Kraken depth that covers the deepest book wanted (Kraken's
/// checksum always covers the top 10, so 10 is the least).
fn book_depths(wanted: &BTreeSet<FeedStream>) -> BTreeMap<Symbol, BookDepth> {
    let mut depths: BTreeMap<Symbol, u16> = BTreeMap::new();
    for stream in wanted {
        if let FeedStream::Book(symbol, levels) = stream {
            let deepest = depths.entry(symbol.clone()).or_default();
            *deepest = (*deepest).max(*levels);
        }
    }
    depths
        .into_iter()
        .map(|(symbol, levels)| (symbol, BookDepth::covering(u32::from(levels))))
        .collect()
}
