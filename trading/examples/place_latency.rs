//! What persistence adds to tick-to-order: the time of `Desk::place_order` (risk, the book of
//! record's write of the order before it is sent, and the hand-off to the port), one call at a
//! time, with no store and with each store, at p50, p99 and p99.9. `place_order` is the only
//! step of tick-to-order the book of record sits on (it is written before the order goes), so
//! the difference between the stores is persistence's share of the host's path.
//!
//! `cargo run --release -p trading --example place_latency -- 20000` (calls per store; each
//! order is cancelled after it is timed, so the desk's working orders stay few). The files live
//! in a temporary directory in the working directory (the disk); `BENCH_DIR=/dev/shm` puts them
//! on tmpfs.

#[path = "../benches/support/mod.rs"]
mod support;

use std::time::Instant;

use rust_decimal::Decimal;
use trading::market::Side;
use trading::orders::{OrderType, StrategyId};

use support::{desk, request, stores, trade, STRATEGY};

/// Calls before timing, so the store's files, caches and the journal are warm.
const WARMUP: usize = 1_000;

fn main() {
    let calls: usize = std::env::args().nth(1).and_then(|n| n.parse().ok()).unwrap_or(20_000);
    let dir = std::env::var_os("BENCH_DIR").map_or_else(
        || tempfile::tempdir_in(".").expect("a temporary directory in the working directory"),
        |d| tempfile::tempdir_in(d).expect("a temporary directory in BENCH_DIR"),
    );
    let strategy = StrategyId::new(STRATEGY);
    println!("| store | p50 (µs) | p99 (µs) | p99.9 (µs) | max (µs) |");
    println!("| --- | ---: | ---: | ---: | ---: |");
    for (name, open) in stores(dir.path()) {
        let mut desk = desk(open());
        let mut now = 1;
        desk.on_market_event(&trade(now));
        let mut updates = Vec::new();
        let mut took = Vec::with_capacity(calls);
        for call in 0..WARMUP + calls {
            now += 1;
            let order = request(Side::Buy, OrderType::Limit(Decimal::ONE));
            let started = Instant::now();
            let id = desk.place_order(&strategy, order, now).expect("placed");
            let elapsed = started.elapsed();
            if call >= WARMUP {
                took.push(elapsed.as_nanos());
            }
            desk.poll();
            desk.cancel_order(&strategy, &id, now).expect("cancelled");
            desk.poll();
            desk.drain_updates(&mut updates);
            updates.clear();
        }
        took.sort_unstable();
        let at = |q: f64| {
            let index = ((took.len() as f64 * q) as usize).min(took.len() - 1);
            took[index] as f64 / 1_000.0
        };
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {:.1} |",
            at(0.50),
            at(0.99),
            at(0.999),
            at(1.0)
        );
    }
}
