//! Helpers shared by the tests: where the built components are, temp folders, the binary, and
//! polling waits (never fixed sleeps).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

mod binance;
mod book;
mod components;
mod custom_section;
mod decisions;
pub mod deploy;
mod harness;
mod host;
mod kraken;
mod stop;
mod venue;
mod webhook;
pub use binance::{binance_venue, start_binance, start_binance_with};
pub use book::{book_of, Book};
pub use components::bad_components;
pub use custom_section::with_custom_section;
pub use decisions::{decisions, wait_for_decision, wait_for_update};
pub use harness::{walk, Harness};
pub use host::RunningHost;
pub use kraken::{kraken_venue, kraken_with_book, orders_on_kraken, start_on_kraken};
pub use stop::{kill, terminate};
pub use venue::{
    cash, latest_snapshot, position, venue_balances, venue_fills, venue_orders, venue_status, venue_table,
    wait_orders_open, VenueFill, VenueOrder,
};
pub use webhook::{Answer, WebhookReceiver};

/// The folder of built components: `$STRATEGY_HOST_WASM_DIR`, or the target folder this test
/// binary was built into.
pub fn wasm_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("STRATEGY_HOST_WASM_DIR") {
        return PathBuf::from(dir);
    }
    let bin = Path::new(env!("CARGO_BIN_EXE_strategy-host"));
    // target/<profile>/strategy-host -> target/wasm32-wasip2/wasm
    bin.parent()
        .and_then(Path::parent)
        .map(|t| t.join("wasm32-wasip2/wasm"))
        .unwrap_or_default()
}

/// A built component by crate name (`sma_cross`, `grid`, `hostile`, `counter`, `timeframes`).
pub fn wasm(crate_name: &str) -> PathBuf {
    let path = wasm_dir().join(format!("{crate_name}.wasm"));
    assert!(
        path.is_file(),
        "{} is missing: run ./test.sh (it builds the components first)",
        path.display()
    );
    path
}

/// The real binary, with its default compiled-component cache in a folder of the tests' own
/// (the user's `~/.cache` stays untouched).
pub fn bin() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strategy-host"));
    command.env("XDG_CACHE_HOME", std::env::temp_dir().join("strategy-host-tests"));
    command
}

/// Runs the binary to completion with `args`.
pub fn run_bin(args: &[&str]) -> Output {
    bin()
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("the strategy-host binary runs")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Polls `probe` until it returns `Some`, or panics after `timeout` naming `what`.
pub fn wait_until<T>(what: &str, timeout: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(value) = probe() {
            return value;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A minimal HTTP/1.1 GET over a plain TCP socket: the tests talk to the real listener.
pub fn http_get(addr: &str, path: &str) -> Option<(u16, String)> {
    http_request(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n"))
}

/// POSTs an empty body to `path` with `headers` (`Name: value` lines) and returns the status
/// and the body.
pub fn http_post(addr: &str, path: &str, headers: &[&str]) -> Option<(u16, String)> {
    let extra: String = headers.iter().map(|h| format!("{h}\r\n")).collect();
    http_request(
        addr,
        &format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\n{extra}"),
    )
}

/// Sends `head` (the request line and headers, each ending in CRLF) with `Connection: close`,
/// and returns the response's status and its body, de-chunked.
fn http_request(addr: &str, head: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(stream, "{head}Connection: close\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response.split_once("\r\n\r\n").map(|(_, b)| b.to_owned())?;
    Some((status, dechunk(&body)))
}

/// Undoes `Transfer-Encoding: chunked` if the body uses it.
fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    loop {
        let Some((size_line, after)) = rest.split_once("\r\n") else {
            return body.to_owned();
        };
        let Ok(size) = usize::from_str_radix(size_line.trim(), 16) else {
            return body.to_owned();
        };
        if size == 0 {
            return out;
        }
        if after.len() < size {
            return body.to_owned();
        }
        out.push_str(&after[..size]);
        rest = after[size..].trim_start_matches("\r\n");
    }
}

/// The value of the first sample of `metric` whose labels contain every `labels` pair.
pub fn metric_value(exposition: &str, metric: &str, labels: &[(&str, &str)]) -> Option<f64> {
    exposition.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (name, label_text) = series.split_once('{').unwrap_or((series, ""));
        if name != metric {
            return None;
        }
        let all = labels.iter().all(|(k, v)| label_text.contains(&format!("{k}=\"{v}\"")));
        all.then(|| value.parse().ok()).flatten()
    })
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write test file");
    path
}

/// A strategies folder holding the `counter` guest and a config replaying the first `bars` bars
/// of the shipped sample (`data/Default.csv`), with `sandbox` (TOML lines) added to its
/// `[sandbox]` table; returns the config's path.
pub fn counter_on_sample_bars(dir: &Path, bars: usize, sandbox: &str) -> PathBuf {
    let strategies = dir.join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(wasm("counter"), strategies.join("counter.wasm")).unwrap();
    let sample = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/Default.csv")).unwrap();
    let lines: Vec<&str> = sample.lines().take(1 + bars).collect();
    let data = write_file(dir, "bars.csv", &(lines.join("\n") + "\n"));
    write_file(
        dir,
        "host.toml",
        &format!(
            "[feed]\ndata = {:?}\n\n[sandbox]\ncall_deadline_ms = 2000\n{sandbox}\n",
            data.display().to_string()
        ),
    )
}
