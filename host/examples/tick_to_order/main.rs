//! Tick-to-order latency: a local exchange (Kraken, or Binance) publishes a trade, a strategy
//! answers it with an order, and the time until that order is read by the local exchange's
//! order socket, over N trades one at a time; beside it the bare loopback: a plain client that
//! answers the same trade with an order straight from its socket task. The difference is the
//! host's share (the feed, the fleet, the sandboxed strategy, risk, the book of record's write
//! before the send, and the order port).
//!
//! Both times are taken in this process (the local exchange runs here), so they share a clock:
//! from just before the trade is handed to the exchange to the moment its socket task read the
//! order (Kraken's `add_order`; Binance's `order.place` on the WebSocket API, once its frame is
//! parsed).
//!
//! Needs the release binary and the `orders` component:
//! `cargo build --release -p strategy-host && scripts/build-wasm.sh`, then
//! `cargo run --release -p strategy-host --example tick_to_order -- 10000` (Kraken) or
//! `... -- 10000 binance`. `BENCH_DB=PATH` puts
//! the host's book of record there (`/dev/shm/...`: on tmpfs, to tell the disk's share apart).
//! `BENCH_SPIN_US=N` sets the host's `sandbox.idle_spin_us` (the strategy's thread polls for its
//! next event that long before it sleeps).
//! `BENCH_GAP_US=N` waits N microseconds after each order arrives before the next trade (by
//! default the next trade follows at once, while the venue's acknowledgements of the order
//! before are still being handled on both sides).

mod binance;
mod kraken;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Trades sent before measuring, so connections, caches and the strategy are warm.
const WARMUP: usize = 200;

/// What the benchmark needs of a local exchange.
trait Exchange {
    /// Prints one public trade, which the strategy (and the bare client) answer.
    fn print_trade(&self);
    /// Order requests read so far, and when the latest was read.
    fn orders_received(&self) -> (u64, Option<Instant>);
    /// What the exchange's sockets and orders look like, for a failure's message.
    fn describe(&self) -> String;
    /// Starts the bare loopback client on `runtime`.
    fn spawn_bare_client(&self, runtime: &tokio::runtime::Runtime);
    /// The host's `[venues.NAME]` table for this exchange, and the environment it reads.
    fn host_venue(&self) -> (String, Vec<(&'static str, String)>);
}

fn main() {
    let events: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(10_000);
    let venue = std::env::args().nth(2).unwrap_or_else(|| "kraken".to_owned());
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
    match venue.as_str() {
        "kraken" => run(kraken::exchange, events, &binary, &component),
        "binance" => run(binance::exchange, events, &binary, &component),
        other => panic!("venue {other:?}: expected kraken or binance"),
    }
}

/// The bare client's latencies, then the host's, each against a fresh exchange; printed.
fn run<E: Exchange>(exchange: fn() -> E, events: usize, binary: &Path, component: &Path) {
    let bare = {
        let venue = exchange();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        venue.spawn_bare_client(&runtime);
        measure(&venue, events).unwrap_or_else(|problem| panic!("{problem}"))
    };
    let hosted = {
        let venue = exchange();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut host = start_host(binary, component, dir.path(), &venue);
        let latencies = measure(&venue, events);
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

/// Sends `WARMUP + events` trades one at a time, each once the order answering the one before
/// has arrived; returns the latencies of the last `events`.
fn measure(venue: &impl Exchange, events: usize) -> Result<Vec<Duration>, String> {
    let gap = Duration::from_micros(
        std::env::var("BENCH_GAP_US")
            .ok()
            .and_then(|us| us.parse().ok())
            .unwrap_or(0),
    );
    let mut latencies = Vec::with_capacity(events);
    // The first trades may find the answering side still connecting: wait for it to answer.
    let deadline = Instant::now() + Duration::from_secs(60);
    while venue.orders_received().0 == 0 {
        if Instant::now() > deadline {
            return Err("no order answered the first trades".into());
        }
        venue.print_trade();
        std::thread::sleep(Duration::from_millis(50));
    }
    for i in 0..WARMUP + events {
        let (before, _) = venue.orders_received();
        let sent = Instant::now();
        venue.print_trade();
        let deadline = sent + Duration::from_secs(5);
        let arrived = loop {
            if let (count, Some(at)) = venue.orders_received() {
                if count > before {
                    break at;
                }
            }
            if Instant::now() > deadline {
                return Err(format!("trade {i} was not answered within 5 s ({})", venue.describe()));
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

/// p50, p99, p99.9 and the maximum, in microseconds.
fn percentiles(latencies: &[Duration]) -> [f64; 4] {
    let mut sorted: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1e6).collect();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    [at(0.5), at(0.99), at(0.999), at(1.0)]
}

/// The real binary on the local exchange, trading live with the `orders` guest in echo mode.
fn start_host(binary: &Path, component: &Path, dir: &Path, venue: &impl Exchange) -> std::process::Child {
    let strategies = dir.join("strategies");
    std::fs::create_dir_all(&strategies).expect("the strategies folder");
    std::fs::copy(component, strategies.join("orders.wasm")).expect("the component");
    let config = dir.join("host.toml");
    let (table, env) = venue.host_venue();
    std::fs::write(
        &config,
        format!(
            r#"
{table}

# The benchmark answers trades as fast as they come: the order rate's refusal is not what it
# measures.
[risk]
max_orders_per_second = 1000000

[sandbox]
idle_spin_us = {spin_us}

[strategies.orders]
params = {{ mode = "echo", size = "0.001" }}
"#,
            spin_us = std::env::var("BENCH_SPIN_US")
                .ok()
                .and_then(|us| us.parse::<u64>().ok())
                .unwrap_or(0),
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
        .envs(env)
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
