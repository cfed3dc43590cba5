//! What the book of record costs the desk: orders placed and cancelled, and fills booked, per
//! second through a real `Desk` and the simulated broker, with no store, with SQLite written
//! directly (one transaction per write) and with the journaled store the host runs (a journal
//! line per write, SQLite behind it in batches).
//!
//! `cargo bench -p trading --bench book_store`. The files live in a temporary directory on the
//! target's disk (`BENCH_DIR` puts them elsewhere, e.g. on tmpfs).

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rust_decimal::Decimal;
use trading::market::Side;
use trading::orders::{OrderStatus, OrderType, StrategyId};

mod support;

use support::{desk, request, stores, trade, STRATEGY};

fn book_store(c: &mut Criterion) {
    let dir = std::env::var_os("BENCH_DIR").map_or_else(
        || tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap(),
        |d| tempfile::tempdir_in(d).unwrap(),
    );
    let strategy = StrategyId::new(STRATEGY);
    let mut group = c.benchmark_group("book_store");
    for (name, open) in stores(dir.path()) {
        // Four writes an order: its intent, accepted, cancel requested, cancelled.
        group.bench_function(format!("place and cancel a limit order, {name}"), |b| {
            let mut desk = desk(open());
            let mut now = 1;
            desk.on_market_event(&trade(now));
            let mut updates = Vec::new();
            let mut cancelled = false;
            b.iter(|| {
                now += 1;
                let id = desk
                    .place_order(&strategy, request(Side::Buy, OrderType::Limit(Decimal::ONE)), now)
                    .expect("placed");
                desk.poll();
                desk.cancel_order(&strategy, &id, now).expect("cancelled");
                desk.poll();
                // As the fleet does: the strategy hears of each.
                desk.drain_updates(&mut updates);
                cancelled |= updates.iter().any(|u| u.status == OrderStatus::Cancelled);
                updates.clear();
            });
            assert!(cancelled, "the orders were cancelled");
        });
        // A market order and its fill at the next trade: intent, accepted, the fill's rows.
        group.bench_function(format!("fill a market order, {name}"), |b| {
            let mut desk = desk(open());
            let mut now = 1;
            desk.on_market_event(&trade(now));
            let mut side = Side::Buy;
            let mut updates = Vec::new();
            let mut filled = false;
            b.iter_batched(
                || (),
                |()| {
                    now += 2;
                    if let Err(reject) = desk.place_order(&strategy, request(side, OrderType::Market), now) {
                        panic!("refused: {reject}");
                    }
                    // It fills at the next trade.
                    desk.on_market_event(&trade(now + 1));
                    desk.drain_updates(&mut updates);
                    filled |= updates.iter().any(|u| u.fill.is_some());
                    updates.clear();
                    side = match side {
                        Side::Buy => Side::Sell,
                        Side::Sell => Side::Buy,
                    };
                },
                BatchSize::SmallInput,
            );
            assert!(filled, "the market orders filled");
        });
    }
    group.finish();
}

criterion_group!(benches, book_store);
criterion_main!(benches);
