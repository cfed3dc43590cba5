//! The Kraken public feed against the local Kraken (`local-venues/kraken`), over real sockets on
//! 127.0.0.1: bars, trades and books arrive normalized; a dropped connection is reconnected and
//! resubscribed; a corrupted checksum resubscribes the book; garbage is counted and skipped.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use local_kraken::{Bar, BookCapture, ConnKind, LocalKraken, LocalKrakenConfig, Target, BAR_TRADE_OFFSETS_MS};
use rust_decimal::Decimal;
use trading::brokers::Doorbell;
use trading::market::{FeedStream, MarketEvent, MarketFeed, Symbol, Timeframe};
use venues::kit::{BackoffConfig, Connection, Delivery, VenueObserver};
use venues::kraken::feed::{KrakenFeed, KrakenFeedConfig};

#[derive(Default)]
struct Counts {
    reconnects: AtomicU64,
    parse_errors: AtomicU64,
    resyncs: AtomicU64,
}

impl VenueObserver for Counts {
    fn connected(&self, _: Connection, _: bool) {}
    fn reconnected(&self, _: Connection) {
        self.reconnects.fetch_add(1, Ordering::Relaxed);
    }
    fn message(&self, _: &str) {}
    fn parse_error(&self) {
        self.parse_errors.fetch_add(1, Ordering::Relaxed);
    }
    fn book_resync(&self, _: &str) {
        self.resyncs.fetch_add(1, Ordering::Relaxed);
    }
    fn request_duration(&self, _: &str, _: f64) {}
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn btc() -> Symbol {
    Symbol::new("BTC/USD").unwrap()
}

/// Bars on the minute from 2024-01-01 00:00 UTC, with one-decimal prices (BTC/USD's precision).
fn bars(count: i64) -> Vec<Bar> {
    (0..count)
        .map(|i| {
            let base = Decimal::new(300_000 + i * 10, 1);
            Bar {
                time_ms: 1_704_067_200_000 + i * 60_000,
                open: base,
                high: base + Decimal::new(25, 1),
                low: base - Decimal::new(15, 1),
                close: base + Decimal::new(5, 1),
                volume: Decimal::new(12_500, 4),
            }
        })
        .collect()
}

struct Rig {
    kraken: LocalKraken,
    _runtime: tokio::runtime::Runtime,
    doorbell: Doorbell,
    feed: KrakenFeed,
    counts: Arc<Counts>,
    events: Vec<MarketEvent>,
}

impl Rig {
    fn start() -> Self {
        let kraken = LocalKraken::start(LocalKrakenConfig {
            start_time_ms: Some(1_704_067_200_000),
            ..LocalKrakenConfig::default()
        })
        .unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let doorbell = Doorbell::new();
        let counts = Arc::new(Counts::default());
        let config = KrakenFeedConfig {
            ws_public_url: kraken.ws_public_url(),
            backoff: BackoffConfig {
                initial: Duration::from_millis(20),
                max: Duration::from_millis(100),
                ..BackoffConfig::default()
            },
            ..KrakenFeedConfig::default()
        };
        let feed = KrakenFeed::start(
            config,
            runtime.handle(),
            Delivery::Polled(doorbell.clone()),
            counts.clone(),
        );
        Rig {
            kraken,
            _runtime: runtime,
            doorbell,
            feed,
            counts,
            events: Vec::new(),
        }
    }

    fn collect_until(&mut self, what: &str, mut done: impl FnMut(&[MarketEvent]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let seen = self.doorbell.rings();
            self.feed.poll(&mut self.events);
            if done(&self.events) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; got {} events",
                self.events.len()
            );
            self.doorbell.wait_after(seen, Duration::from_millis(50));
        }
    }

    fn subscribed(&self, channel: &str) -> usize {
        self.kraken.subscriptions(channel, Some("BTC/USD"))
    }
}

fn closed_bars(events: &[MarketEvent]) -> Vec<&trading::market::Candle> {
    events
        .iter()
        .filter_map(|e| match e {
            MarketEvent::Candle(c) => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn bars_and_trades_arrive_normalized_and_equal_the_exchanges() {
    let mut rig = Rig::start();
    rig.feed.subscribe(FeedStream::Trades(btc()));
    rig.feed.subscribe(FeedStream::Bars(btc(), Timeframe::MINUTE));
    wait_until("both subscriptions", || {
        rig.subscribed("trade") == 1 && rig.subscribed("ohlc") == 1
    });
    let played = bars(6);
    rig.kraken.play_bars("BTC/USD", &played).unwrap();
    // The exchange clock is at the last bar's close trade: bars 0..=4 are closed.
    let all_trades = played.len() * BAR_TRADE_OFFSETS_MS.len();
    rig.collect_until("five closed bars and every trade", |events| {
        let trades = events.iter().filter(|e| matches!(e, MarketEvent::Trade(_))).count();
        closed_bars(events).len() >= 5 && trades >= all_trades
    });
    let published = rig.kraken.candles("BTC/USD", 1).unwrap();
    let got = closed_bars(&rig.events);
    assert_eq!(got.len(), 5);
    for (candle, expected) in got.iter().zip(&published) {
        assert_eq!(
            (
                candle.open_time_ms,
                candle.open,
                candle.high,
                candle.low,
                candle.close,
                candle.volume
            ),
            (
                expected.interval_begin_ms,
                expected.open,
                expected.high,
                expected.low,
                expected.close,
                expected.volume
            )
        );
        assert_eq!(
            (candle.symbol.as_str(), candle.timeframe),
            ("BTC/USD", Timeframe::MINUTE)
        );
    }
    let trades = rig.events.iter().filter(|e| matches!(e, MarketEvent::Trade(_))).count();
    assert_eq!(trades, all_trades, "every trade of every bar, once");
    assert_eq!(rig.counts.parse_errors.load(Ordering::Relaxed), 0);
}

#[test]
fn a_dropped_connection_is_reconnected_resubscribed_and_the_open_bar_closed_once() {
    let mut rig = Rig::start();
    rig.feed.subscribe(FeedStream::Bars(btc(), Timeframe::MINUTE));
    wait_until("the subscription", || rig.subscribed("ohlc") == 1);
    let played = bars(4);
    rig.kraken.play_bars("BTC/USD", &played[..2]).unwrap();
    rig.collect_until("the first closed bar", |events| closed_bars(events).len() == 1);
    // Mid-stream: the socket goes; bar 1 is still open on our side.
    assert_eq!(rig.kraken.drop_connections(Target::Public), 1);
    wait_until("a reconnect", || rig.counts.reconnects.load(Ordering::Relaxed) == 1);
    wait_until("the resubscription", || rig.subscribed("ohlc") == 1);
    assert_eq!(rig.kraken.connections(ConnKind::Public).open, 1);
    rig.kraken.play_bars("BTC/USD", &played[2..]).unwrap();
    rig.collect_until("three closed bars", |events| closed_bars(events).len() >= 3);
    let opens: Vec<i64> = closed_bars(&rig.events).iter().map(|c| c.open_time_ms).collect();
    assert_eq!(
        opens,
        [played[0].time_ms, played[1].time_ms, played[2].time_ms],
        "each bar once, in order"
    );
    let status = rig.feed.status();
    assert!(status.connected && status.reconnects == 1, "{status:?}");
}

#[test]
fn books_verify_every_checksum_and_a_corrupted_one_resubscribes() {
    let mut rig = Rig::start();
    let capture = BookCapture::btc_usd_fixture();
    rig.kraken.seed_book(&capture).unwrap();
    rig.feed.subscribe(FeedStream::Book(btc(), 10));
    wait_until("the book subscription", || rig.subscribed("book") == 1);
    let replayed = rig
        .kraken
        .replay_book_updates(&capture, 0..capture.updates.len())
        .unwrap();
    assert_eq!(replayed, capture.updates.len());
    wait_until("the book to be heard", || {
        rig.feed.status().streams.iter().any(|s| s.age_ms.is_some())
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(
        rig.counts.resyncs.load(Ordering::Relaxed),
        0,
        "all captured checksums verify"
    );
    let before = rig.kraken.subscription_messages(ConnKind::Public).subscribe;
    rig.kraken.corrupt_next_book_checksum();
    rig.kraken.replay_book_updates(&capture, 0..1).unwrap();
    wait_until("a resync", || rig.counts.resyncs.load(Ordering::Relaxed) == 1);
    wait_until("a new book subscription", || {
        rig.kraken.subscription_messages(ConnKind::Public).subscribe > before && rig.subscribed("book") == 1
    });
    rig.kraken.send_garbage(Target::Public);
    wait_until("the garbage to be counted", || {
        rig.counts.parse_errors.load(Ordering::Relaxed) >= 1
    });
    assert!(rig.feed.status().connected, "garbage does not cost the connection");
}
