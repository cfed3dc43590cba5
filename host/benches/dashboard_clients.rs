//! The dashboard under load: the real binary paper-trades a fast replay with four grid
//! strategies while 0 or 100 WebSocket clients read `/ws`, alternating, several runs of each.
//! Per run it prints the host's CPU (cores, from /proc), the latency from an event's
//! publication to each client (`published_ms` to receipt, wall clock, ms: p50, p99, max), the
//! messages received, and the strategies' call latency from `/metrics` (mean, and the p99
//! bucket).
//!
//! `cargo bench -p strategy-host --bench dashboard_clients` (with `STRATEGY_HOST_WASM_DIR` at the
//! built components, as `./test.sh` sets it; `DASHBOARD_BENCH_RUNS` runs of each, 3 by default).

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const STRATEGIES: usize = 4;
const BARS: usize = 6_000;
const BARS_PER_SECOND: u32 = 300;
const CLIENTS: usize = 100;

fn main() {
    let runs: usize = std::env::var("DASHBOARD_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let wasm =
        PathBuf::from(std::env::var("STRATEGY_HOST_WASM_DIR").expect("STRATEGY_HOST_WASM_DIR: the built components"))
            .join("grid.wasm");
    println!(
        "{STRATEGIES} grid strategies, {BARS} 1m bars at {BARS_PER_SECOND}/s; {runs} runs with 0 and with {CLIENTS} clients, alternating"
    );
    println!("clients  host_cpu_cores  event_to_client_ms(p50 p99 max)  messages  call_mean_us  call_p99_bucket_us");
    let mut results: Vec<(usize, Run)> = Vec::new();
    for _ in 0..runs {
        for clients in [0, CLIENTS] {
            let run = run(&wasm, clients);
            println!("{}", run.line(clients));
            results.push((clients, run));
        }
    }
    for clients in [0, CLIENTS] {
        let of = |f: fn(&Run) -> f64| {
            median(
                results
                    .iter()
                    .filter(|(c, _)| *c == clients)
                    .map(|(_, r)| f(r))
                    .collect(),
            )
        };
        println!(
            "median of {runs}, {clients:>3} clients: host {:.2} cores, event to client p99 {:.0} ms, call mean {:.2} µs, call p99 bucket {:.1} µs",
            of(|r| r.cores),
            of(|r| r.latency_p99),
            of(|r| r.call_mean_us),
            of(|r| r.call_p99_us),
        );
    }
}

struct Run {
    cores: f64,
    latency_p50: f64,
    latency_p99: f64,
    latency_max: f64,
    messages: usize,
    call_mean_us: f64,
    call_p99_us: f64,
}

impl Run {
    fn line(&self, clients: usize) -> String {
        format!(
            "{clients:>7}  {:>14.2}  {:>8.0} {:>5.0} {:>6.0}            {:>8}  {:>12.2}  {:>18.1}",
            self.cores,
            self.latency_p50,
            self.latency_p99,
            self.latency_max,
            self.messages,
            self.call_mean_us,
            self.call_p99_us
        )
    }
}

fn run(wasm: &Path, clients: usize) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    for i in 0..STRATEGIES {
        std::fs::copy(wasm, strategies.join(format!("grid-{i}.wasm"))).unwrap();
    }
    let data = dir.path().join("bars.csv");
    write_walk(&data);
    let config = dir.path().join("host.toml");
    std::fs::write(
        &config,
        "[sandbox]\ncall_deadline_ms = 2000\n[strategies.grid]\nparams = { levels = 5, spacing_pct = \"0.2\", size = \"0.01\" }\n",
    )
    .unwrap();
    let mut host = Host::start(dir.path(), &config, &data);
    wait(|| status(&host.addr).is_some_and(|s| s["strategies"].as_array().map(Vec::len) == Some(STRATEGIES)));

    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..clients)
        .map(|_| {
            let addr = host.addr.clone();
            let stop = stop.clone();
            std::thread::spawn(move || read_client(&addr, &stop))
        })
        .collect();
    let cpu_start = cpu_seconds(host.child.id());
    let wall_start = Instant::now();
    wait(|| status(&host.addr).is_some_and(|s| s["feed"]["finished"] == true));
    let cores = (cpu_seconds(host.child.id()) - cpu_start) / wall_start.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let mut latencies: Vec<i64> = Vec::new();
    let mut messages = 0;
    for reader in readers {
        let (count, mut seen) = reader.join().unwrap();
        messages += count;
        latencies.append(&mut seen);
    }
    latencies.sort_unstable();
    let quantile = |q: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * q).round() as usize)
            .map_or(f64::NAN, |v| *v as f64)
    };
    let (call_mean_us, call_p99_us) = call_latency(&http_get(&host.addr, "/metrics"));
    host.stop();
    Run {
        cores,
        latency_p50: quantile(0.5),
        latency_p99: quantile(0.99),
        latency_max: latencies.last().map_or(f64::NAN, |v| *v as f64),
        messages,
        call_mean_us,
        call_p99_us,
    }
}

/// A random walk of 1-minute bars (a fixed seed: every run trades the same bars).
fn write_walk(path: &Path) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(out, "time,open,high,low,close,volume").unwrap();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut price = 50_000.0_f64;
    for i in 0..BARS {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let step = ((seed >> 33) as f64 / f64::from(u32::MAX) - 0.25) * 0.004;
        let open = price;
        price *= 1.0 + step;
        let (high, low) = (open.max(price) * 1.0008, open.min(price) * 0.9992);
        let time = 1_700_000_000_000_i64 + i as i64 * 60_000;
        writeln!(out, "{time},{open:.2},{high:.2},{low:.2},{price:.2},1.5").unwrap();
    }
}

/// Reads `/ws` until `stop`; returns the messages read and each event's publication-to-receipt ms.
fn read_client(addr: &str, stop: &AtomicBool) -> (usize, Vec<i64>) {
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let (mut socket, _) = tungstenite::client::client(format!("ws://{addr}/ws"), stream).unwrap();
    let mut count = 0;
    let mut latencies = Vec::new();
    while !stop.load(Ordering::Relaxed) {
        match socket.read() {
            Ok(tungstenite::Message::Text(text)) => {
                count += 1;
                let received = wall_ms();
                if let Some(published) = published_ms(&text) {
                    latencies.push(received - published);
                }
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(tungstenite::Error::Io(e)) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => break,
        }
    }
    (count, latencies)
}

/// The `published_ms` of a message, read without parsing all of it.
fn published_ms(text: &str) -> Option<i64> {
    let rest = text.rsplit_once("\"published_ms\":")?.1;
    let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

fn wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The user and system CPU seconds the process has used (Linux).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command (which may hold spaces) in parentheses: utime and stime are the
    // 14th and 15th of the line, the 12th and 13th after it.
    let after = stat.rsplit_once(')').unwrap().1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // USER_HZ is 100 on Linux.
    ticks / 100.0
}

/// The strategies' call latency from `/metrics`: the mean (sum over count) and the upper bound
/// of the bucket holding the 99th percentile, all strategies together (µs).
fn call_latency(metrics: &str) -> (f64, f64) {
    let name = "strategy_host_strategy_call_duration_seconds";
    let value = |line: &str| {
        line.rsplit_once(' ')
            .and_then(|(_, v)| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    let total = |suffix: &str| -> f64 {
        metrics
            .lines()
            .filter(|l| l.starts_with(&format!("{name}{suffix}{{")))
            .map(value)
            .sum()
    };
    let (sum, count) = (total("_sum"), total("_count"));
    let mut buckets: Vec<(f64, f64)> = Vec::new();
    for line in metrics.lines().filter(|l| l.starts_with(&format!("{name}_bucket{{"))) {
        let Some(le) = line.split("le=\"").nth(1).and_then(|r| r.split('"').next()) else {
            continue;
        };
        let bound = if le == "+Inf" {
            f64::INFINITY
        } else {
            le.parse().unwrap_or(f64::INFINITY)
        };
        match buckets.iter_mut().find(|(b, _)| *b == bound) {
            Some((_, n)) => *n += value(line),
            None => buckets.push((bound, value(line))),
        }
    }
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let p99 = buckets
        .iter()
        .find(|(_, n)| *n >= count * 0.99)
        .map_or(f64::NAN, |(bound, _)| bound * 1e6);
    (sum / count * 1e6, p99)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

fn wait(done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(300),
            "the host did not get there in 5 minutes"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

struct Host {
    child: Child,
    addr: String,
}

impl Host {
    fn start(dir: &Path, config: &Path, data: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_strategy-host"))
            .args([
                "run",
                "--listen",
                "127.0.0.1:0",
                "--bars-per-second",
                &BARS_PER_SECOND.to_string(),
            ])
            .arg("--config")
            .arg(config)
            .arg("--data")
            .arg(data)
            .arg("--strategies-dir")
            .arg(dir.join("strategies"))
            .arg("--db")
            .arg(dir.join("book.db"))
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start strategy-host run");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line.trim().strip_prefix("listening on http://").unwrap().to_owned();
        Self { child, addr }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn status(addr: &str) -> Option<serde_json::Value> {
    serde_json::from_str(&http_get(addr, "/status")).ok()
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::Read;
    let Ok(mut stream) = TcpStream::connect(addr) else {
        return String::new();
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    );
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    // axum answers with a length, not chunks, for these bodies.
    body.to_owned()
}
