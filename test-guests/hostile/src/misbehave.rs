//! The misbehaviours themselves. Each either never returns (the host must cut it off) or
//! reports what the sandbox let it see (`alloc` does both), through the host's `log` at warn level with the
//! [`OBSERVED`] prefix, for host tests to assert on.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use strategy_sdk::{Candle, Decimal, Host, OrderId, OrderRequest, Side};

/// Starts every report line: `hostile observed: <mode> -> <outcome> [<what was tried>]`.
pub const OBSERVED: &str = "hostile observed: ";

/// Lines written per event in `log-flood` unless the `lines` param says otherwise, through each
/// of the host log, stdout and stderr.
pub const FLOOD_LINES: usize = 2_000;

/// Where `open-socket` tries to connect unless the `address` param says otherwise: the host's
/// default HTTP address.
pub const SOCKET_ADDRESS: &str = "127.0.0.1:9898";

/// Loops forever.
pub fn spin() -> ! {
    let mut turns = 0_u64;
    loop {
        turns = black_box(turns.wrapping_add(1));
    }
}

/// Allocates 1 MiB blocks, each written to, until an allocation is refused; then reports how
/// many it held and aborts the way a failed allocation does (which traps).
pub fn hoard_memory(host: &mut dyn Host) -> ! {
    const BLOCK: usize = 1 << 20;
    // Room for 4 GiB of blocks up front, so only the blocks themselves can be refused.
    let mut hoard: Vec<Vec<u8>> = Vec::with_capacity(4096);
    loop {
        let mut block: Vec<u8> = Vec::new();
        if let Err(refused) = block.try_reserve_exact(BLOCK) {
            let held = hoard.len();
            // Freed first, so that reporting has memory to format its line in.
            drop(hoard);
            report(
                host,
                "alloc",
                &format!("Err({refused}) holding {held} MiB"),
                "Vec::try_reserve_exact(1 MiB)",
            );
            std::alloc::handle_alloc_error(std::alloc::Layout::new::<[u8; BLOCK]>());
        }
        // `resize` writes every byte, so the pages are really used.
        block.resize(BLOCK, 1);
        hoard.push(block);
        black_box(&hoard);
    }
}

/// Recurses until a stack gives out; each frame keeps half a KiB alive on the stack.
pub fn recurse(depth: u64) -> u64 {
    let frame = black_box([depth; 64]);
    // Opaque to the compiler, never true: keeps the recursion from being proven endless.
    if black_box(depth) == u64::MAX {
        return frame[0];
    }
    recurse(depth + 1).wrapping_add(frame[63])
}

/// The depth at which [`recurse_native`] would stop: never reached, but an atomic load the
/// compiler cannot see through (`black_box` would put the depth in linear memory).
static NATIVE_DEPTH_LIMIT: AtomicU64 = AtomicU64::new(u64::MAX);

/// Recurses until wasm's own call stack gives out, keeping nothing in linear memory: no local
/// has its address taken, so every frame lives on the stack the engine bounds.
#[inline(never)]
pub fn recurse_native(depth: u64) -> u64 {
    if depth == NATIVE_DEPTH_LIMIT.load(Ordering::Relaxed) {
        return depth;
    }
    // Work after the call (a rotation, which no accumulator rewrite undoes) keeps it from
    // becoming a loop.
    recurse_native(depth + 1).rotate_left(1) ^ depth
}

/// Writes `lines` lines to each of the host log, stdout and stderr.
pub fn flood(host: &mut dyn Host, lines: usize) {
    for line in 0..lines {
        host.info(&format!("hostile log-flood: host log line {line}"));
        println!("hostile log-flood: stdout line {line}");
        eprintln!("hostile log-flood: stderr line {line}");
    }
}

/// Tries the file system; reports sizes and counts, never contents.
pub fn read_files(host: &mut dyn Host) {
    let passwd = std::fs::read("/etc/passwd").map(|bytes| format!("{} bytes", bytes.len()));
    report(
        host,
        "read-file",
        &format!("{passwd:?}"),
        r#"std::fs::read("/etc/passwd")"#,
    );
    let listing = std::fs::read_dir(".").map(|entries| format!("{} entries", entries.count()));
    report(host, "read-file", &format!("{listing:?}"), r#"std::fs::read_dir(".")"#);
}

/// Tries the environment; reports counts and lengths, never values.
pub fn read_env(host: &mut dyn Host) {
    let count = std::env::vars_os().count();
    report(host, "read-env", &format!("{count} variables"), "std::env::vars()");
    let home = std::env::var("HOME").map(|home| format!("{} bytes", home.len()));
    report(host, "read-env", &format!("{home:?}"), r#"std::env::var("HOME")"#);
}

/// Tries to open a TCP connection to `address`.
pub fn open_socket(host: &mut dyn Host, address: &str) {
    let connection =
        std::net::TcpStream::connect(address).map(|stream| format!("connected from {:?}", stream.local_addr()));
    let attempt = format!("std::net::TcpStream::connect({address:?})");
    report(host, "open-socket", &format!("{connection:?}"), &attempt);
}

/// Reads both clocks and reports them beside the host's time. `first_instant` is the first
/// monotonic reading of this instance, for an elapsed time.
pub fn read_clocks(host: &mut dyn Host, first_instant: &mut Option<Instant>) {
    let system_time_ms = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since_epoch) => since_epoch.as_millis().to_string(),
        Err(_) => "before-epoch".to_owned(),
    };
    let now = Instant::now();
    let elapsed = now.duration_since(*first_instant.get_or_insert(now));
    let outcome = format!(
        "system_time_ms={system_time_ms} instant_elapsed_ns={} host_now_ms={}",
        elapsed.as_nanos(),
        host.now_ms()
    );
    report(host, "clock", &outcome, "SystemTime::now(), Instant::now()");
}

/// Sleeps for an hour and reports how long the monotonic clock says it slept.
pub fn sleep_an_hour(host: &mut dyn Host) {
    let before = Instant::now();
    std::thread::sleep(std::time::Duration::from_secs(3_600));
    let outcome = format!("slept_ns={}", before.elapsed().as_nanos());
    report(host, "sleep", &outcome, "std::thread::sleep(1 h)");
}

/// For `amend`: rests a limit buy of 0.01 at half of `close` on the first bar, once per
/// instance; `None` when it is already resting (or refused, which is reported).
pub fn rest_limit_buy(host: &mut dyn Host, candle: &Candle) -> Option<(OrderId, Decimal)> {
    let price = (candle.close / Decimal::TWO).round_dp(2);
    let order = OrderRequest::limit(&candle.symbol, Side::Buy, Decimal::new(1, 2), price).with_tag("hostile-amend");
    match host.place_order(order) {
        Ok(id) => Some((id, price)),
        Err(reject) => {
            report(host, "amend", &format!("Err({reject})"), "place_order(limit buy)");
            None
        }
    }
}

/// For `amend`: triples the resting order's quantity and lowers its price by a tenth, then
/// amends an order id the host never gave out. Reports both answers.
pub fn amend(host: &mut dyn Host, id: &OrderId, price: Decimal) {
    let lower = (price * Decimal::new(9, 1)).round_dp(2);
    let answer = host.amend_order(id, Decimal::new(3, 2), Some(lower));
    report(
        host,
        "amend",
        &format!("{answer:?}"),
        &format!("amend_order({id}, 0.03, {lower})"),
    );
    let unknown = OrderId::new("no-such-order");
    let answer = host.amend_order(&unknown, Decimal::ONE, None);
    report(host, "amend", &format!("{answer:?}"), "amend_order(no-such-order, 1)");
}

fn report(host: &mut dyn Host, mode: &str, outcome: &str, attempt: &str) {
    host.warn(&format!("{OBSERVED}{mode} -> {outcome} [{attempt}]"));
}
