//! The Binance market stream feed against the local Binance (`local-venues/binance`), over real
//! sockets on 127.0.0.1: trades, bars and quotes arrive normalized; the book equals the
//! exchange's after every change; a depth sequence gap resyncs the book from a new snapshot; a
//! dropped connection is reconnected, resubscribed, and its book rebuilt.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use local_binance::{LocalBinance, LocalBinanceConfig};
use rust_decimal::Decimal;
use trading::brokers::Doorbell;
use trading::market::{BookLevel, FeedStream, MarketEvent, MarketFeed, Side, Symbol, Timeframe};
use venues::binance::feed::{self, BinanceFeedConfig};
use venues::kit::{BackoffConfig, Connection, Delivery, FeedHandle, VenueObserver};

#[derive(Default)]
struct Counts {
    reconnects: AtomicU64,
    resyncs: Mutex<Vec<String>>,
}

impl VenueObserver for Counts {
    fn connected(&self, _: Connection, _: bool) {}
    fn reconnected(&self, _: Connection) {
        self.reconnects.fetch_add(1, Ordering::Relaxed);
    }
    fn message(&self, _: &str) {}
    fn parse_error(&self) {}
    fn book_resync(&self, reason: &str) {
        self.resyncs.lock().unwrap().push(reason.to_owned());
    }
    fn request_duration(&self, _: &str, _: f64) {}
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn btc() -> Symbol {
    Symbol::new("BTC/USDT").unwrap()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

struct Rig {
    binance: LocalBinance,
    _runtime: tokio::runtime::Runtime,
    doorbell: Doorbell,
    feed: FeedHandle,
    counts: Arc<Counts>,
    events: Vec<MarketEvent>,
}

impl Rig {
    fn start() -> Self {
        let binance = LocalBinance::start(LocalBinanceConfig::default()).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let doorbell = Doorbell::new();
        let counts = Arc::new(Counts::default());
        let config = BinanceFeedConfig {
            rest_url: binance.rest_url(),
            ws_stream_url: binance.ws_stream_url(),
            backoff: BackoffConfig {
                initial: Duration::from_millis(20),
                max: Duration::from_millis(100),
                ..BackoffConfig::default()
            },
            ..BinanceFeedConfig::default()
        };
        let feed = feed::start(
            config,
            runtime.handle(),
            Delivery::Polled(doorbell.clone()),
            counts.clone(),
        );
        Rig {
            binance,
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
                "timed out waiting for {what}; got {:?}",
                self.events.last()
            );
            self.doorbell.wait_after(seen, Duration::from_millis(50));
        }
    }

    /// The exchange's top ten levels a side, as the host's levels.
    fn exchange_top(&self) -> (Vec<BookLevel>, Vec<BookLevel>) {
        let (_, bids, asks) = self.binance.book("BTCUSDT", 10).unwrap();
        let levels = |side: Vec<(Decimal, Decimal)>| -> Vec<BookLevel> {
            side.into_iter().map(|(price, qty)| BookLevel { price, qty }).collect()
        };
        (levels(bids), levels(asks))
    }

    /// Waits until the last book the feed delivered equals the exchange's top ten.
    fn book_equals_the_exchanges(&mut self, what: &str) {
        let expected = self.exchange_top();
        self.collect_until(what, |events| {
            events.iter().rev().find_map(|e| match e {
                MarketEvent::Book(book) => Some((book.bids.clone(), book.asks.clone()) == expected),
                _ => None,
            }) == Some(true)
        });
    }

    fn change(&self, bids: &[(&str, &str)], asks: &[(&str, &str)]) {
        let levels =
            |side: &[(&str, &str)]| -> Vec<(Decimal, Decimal)> { side.iter().map(|(p, q)| (d(p), d(q))).collect() };
        self.binance
            .set_levels("BTCUSDT", &levels(bids), &levels(asks))
            .unwrap();
    }
}

#[test]
fn trades_bars_quotes_and_the_book_equal_the_exchanges_through_a_gap_and_a_reconnect() {
    let mut rig = Rig::start();
    rig.change(&[("100", "1"), ("99", "2")], &[("101", "1"), ("102", "2")]);
    for stream in [
        FeedStream::Trades(btc()),
        FeedStream::Book(btc(), 10),
        FeedStream::Quotes(btc()),
        FeedStream::Bars(btc(), Timeframe::MINUTE),
    ] {
        rig.feed.subscribe(stream);
    }
    wait_until("the subscriptions", || {
        rig.binance.subscribers("btcusdt@depth@100ms") == 1 && rig.binance.subscribers("btcusdt@kline_1m") == 1
    });
    assert_eq!(rig.binance.subscribe_requests(), 1, "one SUBSCRIBE for every stream");

    // The first diff starts the book: buffered, then the snapshot.
    rig.change(&[("100", "1.5")], &[]);
    rig.book_equals_the_exchanges("the first book");
    for (bid, ask) in [("99.5", "103"), ("98", "101.5"), ("100.25", "104")] {
        rig.change(&[(bid, "1")], &[(ask, "0.5")]);
        rig.book_equals_the_exchanges("a book after a change");
    }
    assert!(rig
        .events
        .iter()
        .any(|e| matches!(e, MarketEvent::Quote(q) if q.symbol == btc())));

    rig.binance.trade("BTCUSDT", d("100.5"), d("0.25"), true).unwrap();
    rig.collect_until("the trade", |events| {
        events.iter().any(|e| {
            matches!(e, MarketEvent::Trade(t) if t.symbol == btc() && t.price == d("100.5") && t.qty == d("0.25") && t.aggressor == Side::Sell)
        })
    });
    rig.binance.advance_to(rig.binance.now_ms() + 60_000).unwrap();
    rig.collect_until("the closed bar", |events| {
        events
            .iter()
            .any(|e| matches!(e, MarketEvent::Candle(c) if c.close == d("100.5") && c.timeframe == Timeframe::MINUTE))
    });

    // Diffs lost: the book resyncs from a new snapshot and equals the exchange's again.
    rig.binance.skip_depth_updates("BTCUSDT", 5).unwrap();
    rig.change(&[("97", "4")], &[]);
    rig.book_equals_the_exchanges("the book after the gap");
    assert_eq!(rig.counts.resyncs.lock().unwrap().as_slice(), ["sequence_gap"]);
    rig.change(&[("97", "0")], &[("104", "1")]);
    rig.book_equals_the_exchanges("a book after the resync");

    // A dropped connection: reconnected, resubscribed, the book rebuilt.
    rig.binance.drop_connections();
    wait_until("the reconnect", || {
        rig.counts.reconnects.load(Ordering::Relaxed) == 1 && rig.binance.subscribers("btcusdt@depth@100ms") == 1
    });
    rig.change(&[("96", "2")], &[]);
    rig.book_equals_the_exchanges("the book after the reconnect");
    let status = rig.feed.status();
    assert!(status.connected && status.reconnects == 1, "{status:?}");
}
