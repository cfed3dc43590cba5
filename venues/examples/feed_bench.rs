//! Benchmarks of the Kraken feed against the local Kraken on 127.0.0.1:
//!
//! - `reconnect`: from a dropped connection to every stream flowing again (reconnected,
//!   resubscribed, books rebuilt from new snapshots), over many drops.
//! - `rss`: the process's resident memory with N pairs subscribed (trades, 1-minute bars and a
//!   25-deep book each), before and after.
//!
//! `cargo run --release -p venues --example feed_bench -- reconnect 50`
//! `cargo run --release -p venues --example feed_bench -- rss 10`

use std::sync::Arc;
use std::time::{Duration, Instant};

use local_kraken::{BookCapture, LocalKraken, LocalKrakenConfig, PairSpec, Target};
use trading::brokers::Doorbell;
use trading::market::{FeedStream, MarketFeed, Symbol, Timeframe};
use venues::kit::{BackoffConfig, Delivery, NoObserver};
use venues::kraken::feed::{KrakenFeed, KrakenFeedConfig};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(20);
    match args.first().map(String::as_str) {
        Some("reconnect") => reconnect(count),
        Some("rss") => rss(count),
        _ => eprintln!("usage: feed_bench reconnect N | rss PAIRS"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn feed(kraken: &LocalKraken, runtime: &tokio::runtime::Runtime) -> KrakenFeed {
    let config = KrakenFeedConfig {
        ws_public_url: kraken.ws_public_url(),
        // The first retry goes at once, as in production; later ones do not matter here.
        backoff: BackoffConfig::default(),
        ..KrakenFeedConfig::default()
    };
    KrakenFeed::start(
        config,
        runtime.handle(),
        Delivery::Polled(Doorbell::new()),
        Arc::new(NoObserver),
    )
}

fn flowing(feed: &KrakenFeed, streams: usize) -> bool {
    let status = feed.status();
    status.connected && status.streams.len() == streams && status.streams.iter().all(|s| s.age_ms.is_some())
}

fn wait(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_micros(200));
    }
}

fn reconnect(drops: usize) {
    let kraken = LocalKraken::start(LocalKrakenConfig::default()).expect("the local Kraken");
    kraken
        .seed_book(&BookCapture::btc_usd_fixture())
        .expect("a seeded book");
    let runtime = runtime();
    let mut feed = feed(&kraken, &runtime);
    let btc = Symbol::new("BTC/USD").expect("a symbol");
    feed.subscribe(FeedStream::Book(btc.clone(), 10));
    feed.subscribe(FeedStream::Trades(btc.clone()));
    // Trades flow only when there are trades: one per millisecond of the bench keeps them coming.
    let trader = {
        let control = kraken.control();
        std::thread::spawn(move || loop {
            if control
                .trade(
                    "BTC/USD",
                    local_kraken::Side::Buy,
                    "29430.3".parse().unwrap(),
                    "0.001".parse().unwrap(),
                )
                .is_err()
            {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        })
    };
    wait("the first connection", || flowing(&feed, 2));
    let mut times = Vec::with_capacity(drops);
    for _ in 0..drops {
        let reconnects = feed.status().reconnects;
        let started = Instant::now();
        kraken.drop_connections(Target::Public);
        wait("the reconnect", || feed.status().reconnects > reconnects);
        wait("every stream flowing again", || flowing(&feed, 2));
        times.push(started.elapsed());
    }
    drop(trader);
    times.sort();
    let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "reconnect to flowing, {drops} drops: p50 {:?}  p90 {:?}  max {:?}",
        pick(0.5),
        pick(0.9),
        pick(1.0)
    );
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

/// The captured BTC/USD session as if it were `symbol`'s (the checksums do not depend on the name).
fn renamed(capture: &BookCapture, symbol: &str) -> BookCapture {
    let mut capture = capture.clone();
    capture.snapshot.symbol = symbol.to_owned();
    for update in &mut capture.updates {
        update.symbol = symbol.to_owned();
    }
    capture
}

fn rss(pairs: usize) {
    let specs: Vec<PairSpec> = (0..pairs)
        .map(|i| {
            let mut spec = PairSpec::btc_usd();
            let base = format!("C{i:02}");
            spec.symbol = format!("{base}/USD");
            spec.rest_name = format!("{base}USD");
            spec.altname = format!("{base}USD");
            spec.rest_wsname = format!("{base}/USD");
            spec.base = base;
            spec
        })
        .collect();
    let symbols: Vec<String> = specs.iter().map(|s| s.symbol.clone()).collect();
    let kraken = LocalKraken::start(LocalKrakenConfig {
        pairs: specs,
        ..LocalKrakenConfig::default()
    })
    .expect("the local Kraken");
    let capture = BookCapture::btc_usd_fixture();
    let runtime = runtime();
    let before = rss_kib();
    let mut feed = feed(&kraken, &runtime);
    for symbol in &symbols {
        kraken.seed_book(&renamed(&capture, symbol)).expect("a seeded book");
        let symbol = Symbol::new(symbol).expect("a symbol");
        feed.subscribe(FeedStream::Trades(symbol.clone()));
        feed.subscribe(FeedStream::Bars(symbol.clone(), Timeframe::MINUTE));
        feed.subscribe(FeedStream::Book(symbol, 25));
    }
    wait("every book", || {
        feed.status()
            .streams
            .iter()
            .filter(|s| matches!(s.stream, FeedStream::Book(..)))
            .all(|s| s.age_ms.is_some())
    });
    for symbol in &symbols {
        kraken
            .replay_book_updates(&renamed(&capture, symbol), 0..capture.updates.len())
            .expect("book updates");
    }
    std::thread::sleep(Duration::from_secs(1));
    let after = rss_kib();
    println!(
        "{pairs} pairs (trades, 1m bars, book 25): process RSS {before} KiB before the feed, {after} KiB after ({} KiB for the feed, the local exchange included)",
        after.saturating_sub(before)
    );
}
