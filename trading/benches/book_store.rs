//! What the book of record costs the desk: orders placed and cancelled, and fills booked, per
//! second through a real `Desk` and the simulated broker, with no store, with SQLite written
//! directly (one transaction per write) and with the journaled store the host runs (a journal
//! line per write, SQLite behind it in batches).
//!
//! `cargo bench -p trading --bench book_store`. The files live in a temporary directory on the
//! target's disk (`BENCH_DIR` puts them elsewhere, e.g. on tmpfs).

use std::path::Path;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use rust_decimal::Decimal;
use trading::brokers::{SimBroker, SimConfig};
use trading::desk::{Desk, DeskConfig};
use trading::ledger::{BookStore, JournaledStore, SqliteStore};
use trading::market::{MarketEvent, Side, Symbol, Trade};
use trading::orders::{OrderRequest, OrderStatus, OrderType, StrategyId};
use trading::risk::RiskLimits;

const STRATEGY: &str = "bench";

fn desk(store: Option<Box<dyn BookStore>>) -> Desk {
    let port = SimBroker::new(SimConfig::default()).expect("the default simulator");
    let mut desk = Desk::new(
        DeskConfig {
            order_id_prefix: "bench".into(),
            // The benchmark places orders as fast as the desk takes them: the order rate's
            // refusal is not what it measures.
            limits: RiskLimits {
                max_orders_per_second: u32::MAX,
                ..RiskLimits::default()
            },
            ..DeskConfig::default()
        },
        Box::new(port),
        store,
    )
    .expect("a desk");
    desk.register_strategy(&StrategyId::new(STRATEGY), Decimal::from(1_000_000_000u64))
        .expect("a strategy");
    desk
}

/// Opens a fresh store of one kind (or none) for each benchmark.
type OpenStore<'a> = Box<dyn Fn() -> Option<Box<dyn BookStore>> + 'a>;

fn stores(dir: &Path) -> Vec<(&'static str, OpenStore<'_>)> {
    vec![
        ("no store", Box::new(|| None)),
        (
            "sqlite",
            Box::new(move || {
                let path = tempfile::Builder::new()
                    .suffix(".db")
                    .tempfile_in(dir)
                    .unwrap()
                    .into_temp_path();
                Some(Box::new(SqliteStore::open(&path).unwrap()) as Box<dyn BookStore>)
            }),
        ),
        (
            "journaled",
            Box::new(move || {
                let path = tempfile::Builder::new()
                    .suffix(".db")
                    .tempfile_in(dir)
                    .unwrap()
                    .into_temp_path();
                Some(Box::new(JournaledStore::open(&path).unwrap()) as Box<dyn BookStore>)
            }),
        ),
    ]
}

fn trade(time_ms: i64) -> MarketEvent {
    MarketEvent::Trade(Trade {
        symbol: Symbol::new("BTC/USD").unwrap(),
        time_ms,
        price: Decimal::from(100),
        qty: Decimal::ONE,
        aggressor: Side::Buy,
    })
}

fn request(side: Side, order_type: OrderType) -> OrderRequest {
    OrderRequest {
        symbol: Symbol::new("BTC/USD").unwrap(),
        side,
        qty: Decimal::new(1, 3),
        order_type,
        time_in_force: trading::orders::TimeInForce::Gtc,
        post_only: false,
        reduce_only: false,
        tag: String::new(),
    }
}

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
