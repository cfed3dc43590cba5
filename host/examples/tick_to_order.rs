//! Tick-to-order latency: the local Kraken publishes a trade, a strategy answers it with an
//! order, and the time until that order is read by the local Kraken's private socket, over
//! N trades one at a time; beside it the bare loopback: a plain client that answers the same
//! trade with an order straight from its socket task. The difference is the host's share
//! (the feed, the fleet, the sandboxed strategy, risk, the book of record's write before the
//! send, and the order port).
//!
//! Both times are taken in this process (the local Kraken runs here), so they share a clock:
//! from just before the trade is handed to the exchange to the moment its socket task read
//! the `add_order`.
//!
//! Needs the release binary and the `orders` component:
//! `cargo build --release -p strategy-host && scripts/build-wasm.sh`, then
//! `cargo run --release -p strategy-host --example tick_to_order -- 10000`. `BENCH_DB=PATH` puts
//! the host's book of record there (`/dev/shm/...`: on tmpfs, to tell the disk's share apart).
//! `BENCH_SPIN_US=N` sets the host's `sandbox.idle_spin_us` (the strategy's thread polls for its
//! next event that long before it sleeps).
//! `BENCH_GAP_US=N` waits N microseconds after each order arrives before the next trade (by
//! default the next trade follows at once, while the venue's acknowledgements of the order
//! before are still being handled on both sides).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use local_kraken::{LocalKraken, LocalKrakenConfig, RateTier, Side};
use rust_decimal::Decimal;
use venues::kit::{connect, next_text, send_text, NoObserver};
use venues::kraken::execution::Credentials;
use venues::kraken::rest::KrakenRest;
use venues::kraken::wire::requests::{self, AddOrder, OrderKind, PublicSubscription};
use venues::kraken::wire::{parse_public, rest, PublicMessage};

/// Trades sent before measuring, so connections, caches and the strategy are warm.
const WARMUP: usize = 200;

fn main() {
    let events: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from);
    let binary = target.join("release/strategy-host");
    let component = target.join("wasm32-wasip2/wasm/orders.wasm");
    for needed in [&binary, &component] {
        assert!(
            needed.is_file(),
            "{} is missing: see this file's header",
            needed.display()
        );
    }

    let bare = {
        let kraken = exchange();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.spawn(bare_client(
            kraken.rest_url(),
            kraken.ws_public_url(),
            kraken.ws_private_url(),
            {
                let credentials = Credentials::new(kraken.api_key(), kraken.api_secret()).expect("the local key");
                Arc::new(credentials)
            },
        ));
        measure(&kraken, events).unwrap_or_else(|problem| panic!("{problem}"))
    };
    let hosted = {
        let kraken = exchange();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut host = start_host(&binary, &component, dir.path(), &kraken);
        let latencies = measure(&kraken, events);
        let _ = host.kill();
        let _ = host.wait();
        latencies.unwrap_or_else(|problem| {
            let log = std::fs::read_to_string(dir.path().join("host.log")).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            eprintln!(
                "the host's last log lines:\n{}",
                lines[lines.len().saturating_sub(30)..].join("\n")
            );
            panic!("{problem}")
        })
    };

    println!("tick-to-order over {events} trades (after {WARMUP} to warm up), microseconds:");
    println!("| path | p50 | p99 | p99.9 | max |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, latencies) in [("bare loopback client", &bare), ("strategy-host", &hosted)] {
        let [p50, p99, p999, max] = percentiles(latencies);
        println!("| {name} | {p50:.1} | {p99:.1} | {p999:.1} | {max:.1} |");
    }
    let [b50, b99, b999, _] = percentiles(&bare);
    let [h50, h99, h999, _] = percentiles(&hosted);
    println!(
        "host's share: p50 {:.1} µs, p99 {:.1} µs, p99.9 {:.1} µs",
        h50 - b50,
        h99 - b99,
        h999 - b999
    );
}

/// A local Kraken whose rate counter never refuses (10,000 orders in seconds) and whose book
/// has a market to trade against.
fn exchange() -> LocalKraken {
    let kraken = LocalKraken::start(LocalKrakenConfig {
        rate_tier: RateTier {
            max: Decimal::from(1_000_000_000u64),
            decay_per_s: Decimal::from(1_000),
        },
        ..LocalKrakenConfig::default()
    })
    .expect("the local Kraken starts");
    kraken
        .book_snapshot(
            "BTC/USD",
            &[(Decimal::new(299_900, 1), Decimal::from(5))],
            &[(Decimal::new(300_100, 1), Decimal::from(5))],
        )
        .expect("a book");
    kraken
}

/// Sends `WARMUP + events` trades one at a time, each once the order answering the one before
/// has arrived; returns the latencies of the last `events`.
fn measure(kraken: &LocalKraken, events: usize) -> Result<Vec<Duration>, String> {
    let gap = Duration::from_micros(
        std::env::var("BENCH_GAP_US")
            .ok()
            .and_then(|us| us.parse().ok())
            .unwrap_or(0),
    );
    let mut latencies = Vec::with_capacity(events);
    // The first trades may find the answering side still connecting: wait for it to answer.
    let deadline = Instant::now() + Duration::from_secs(60);
    while kraken.add_orders_received().0 == 0 {
        if Instant::now() > deadline {
            return Err("no order answered the first trades".into());
        }
        trade(kraken);
        std::thread::sleep(Duration::from_millis(50));
    }
    for i in 0..WARMUP + events {
        let (before, _) = kraken.add_orders_received();
        let sent = Instant::now();
        trade(kraken);
        let deadline = sent + Duration::from_secs(5);
        let arrived = loop {
            if let (count, Some(at)) = kraken.add_orders_received() {
                if count > before {
                    break at;
                }
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "trade {i} was not answered within 5 s (sockets open: public {:?}, private {:?}; orders open {})",
                    kraken.connections(local_kraken::ConnKind::Public),
                    kraken.connections(local_kraken::ConnKind::Private),
                    kraken.open_orders().len()
                ));
            }
            std::thread::sleep(Duration::from_micros(50));
        };
        if i >= WARMUP {
            latencies.push(arrived.saturating_duration_since(sent));
        }
        if !gap.is_zero() {
            std::thread::sleep(gap);
        }
    }
    Ok(latencies)
}

fn trade(kraken: &LocalKraken) {
    kraken
        .trade("BTC/USD", Side::Buy, Decimal::new(300_050, 1), Decimal::new(1, 3))
        .expect("a trade");
}

/// p50, p99, p99.9 and the maximum, in microseconds.
fn percentiles(latencies: &[Duration]) -> [f64; 4] {
    let mut sorted: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1e6).collect();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    [at(0.5), at(0.99), at(0.999), at(1.0)]
}

/// Answers every public trade with a far limit buy on the private socket, from the task that
/// read the trade, and cancels the order before it: the loopback path without a host.
async fn bare_client(rest_url: String, public_url: String, private_url: String, credentials: Arc<Credentials>) {
    let rest = KrakenRest::new(
        &rest_url,
        Some(credentials),
        Duration::from_secs(5),
        Arc::new(NoObserver),
    );
    let body = rest
        .private("GetWebSocketsToken", rest::get_websockets_token)
        .await
        .expect("a token");
    let token = rest::parse_websockets_token(&body).expect("a token answer").token;
    let mut public = connect(&public_url, Duration::from_secs(5))
        .await
        .expect("the public socket");
    let mut private = connect(&private_url, Duration::from_secs(5))
        .await
        .expect("the private socket");
    let trades = PublicSubscription::Trade {
        symbols: vec![trading::market::Symbol::new("BTC/USD").expect("a symbol")],
        snapshot: false,
    };
    send_text(&mut public, requests::subscribe(&trades, 1))
        .await
        .expect("subscribed");
    // Kraken closes a socket with no subscriptions.
    let executions = requests::PrivateSubscription::Executions {
        snap_orders: false,
        snap_trades: false,
        ratecounter: false,
    };
    send_text(&mut private, requests::subscribe_private(&executions, &token, 2))
        .await
        .expect("subscribed");
    let mut n = 0u64;
    loop {
        tokio::select! {
            text = next_text(&mut public) => {
                let text = match text {
                    Ok(text) => text,
                    Err(reason) => return eprintln!("bare client: public socket: {reason}"),
                };
                let Ok(PublicMessage::Trade(feed)) = parse_public(text.as_str()) else { continue };
                for trade in feed.data {
                    n += 1;
                    let order = AddOrder {
                        symbol: trade.symbol,
                        side: trading::market::Side::Buy,
                        order_qty: Decimal::new(1, 4),
                        kind: OrderKind::Limit { limit_price: (trade.price / Decimal::TWO).round_dp(1), post_only: false },
                        time_in_force: None,
                        reduce_only: false,
                        cl_ord_id: Some(format!("bare-{n}")),
                        validate: false,
                    };
                    let mut requests = vec![requests::add_order(&order, &token, 2 * n)];
                    // Then the one before is cancelled, as the strategy does: the exchange
                    // holds one or two resting orders either way.
                    if n > 1 {
                        let previous = requests::CancelOrders::ClOrdIds(vec![format!("bare-{}", n - 1)]);
                        requests.push(requests::cancel_order(&previous, &token, 2 * n + 1));
                    }
                    for request in requests {
                        if let Err(reason) = send_text(&mut private, request).await {
                            return eprintln!("bare client: private socket: {reason}");
                        }
                    }
                }
            }
            text = next_text(&mut private) => if let Err(reason) = text {
                return eprintln!("bare client: private socket: {reason}");
            },
        }
    }
}

/// The real binary on the local Kraken, trading live with the `orders` guest in echo mode.
fn start_host(binary: &Path, component: &Path, dir: &Path, kraken: &LocalKraken) -> std::process::Child {
    let strategies = dir.join("strategies");
    std::fs::create_dir_all(&strategies).expect("the strategies folder");
    std::fs::copy(component, strategies.join("orders.wasm")).expect("the component");
    let config = dir.join("host.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[venues.kraken]
enabled = true
symbols = ["BTC/USD"]
rest_url = "{rest}"
ws_public_url = "{public}"
ws_private_url = "{private}"
api_key_env = "BENCH_KRAKEN_KEY"
api_secret_env = "BENCH_KRAKEN_SECRET"
# The local Kraken's counter never refuses; the host's is set to match.
rate_counter_max = 1000000000
rate_counter_decay_per_s = "1000"

[sandbox]
idle_spin_us = {spin_us}

[strategies.orders]
params = {{ mode = "echo", size = "0.0001" }}
"#,
            spin_us = std::env::var("BENCH_SPIN_US")
                .ok()
                .and_then(|us| us.parse::<u64>().ok())
                .unwrap_or(0),
            rest = kraken.rest_url(),
            public = kraken.ws_public_url(),
            private = kraken.ws_private_url(),
        ),
    )
    .expect("the config");
    let mut child = Command::new(binary)
        .args(["run", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .arg("--strategies-dir")
        .arg(&strategies)
        .arg("--db")
        .arg(std::env::var_os("BENCH_DB").map_or_else(|| dir.join("book.db"), PathBuf::from))
        .env("BENCH_KRAKEN_KEY", kraken.api_key())
        .env("BENCH_KRAKEN_SECRET", kraken.api_secret())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(dir.join("host.log")).expect("the host's log file"))
        .spawn()
        .expect("the host starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut reader = BufReader::new(stdout);
    let mut line = String::new();
    reader.read_line(&mut line).expect("the listening line");
    // Kept reading, so the host never writes into a closed pipe.
    std::thread::spawn(move || reader.lines().map_while(Result::ok).for_each(drop));
    child
}
