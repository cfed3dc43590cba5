//! What the book-of-record benchmarks share: a real `Desk` over the simulated broker, and
//! the stores to compare (none, SQLite written directly, the journaled store the host runs).
// Each of the bench and the example uses part of it.
#![allow(dead_code)]

use std::path::Path;

use rust_decimal::Decimal;
use trading::brokers::{SimBroker, SimConfig};
use trading::desk::{Desk, DeskConfig};
use trading::ledger::{BookStore, JournaledStore, SqliteStore};
use trading::market::{MarketEvent, Side, Symbol, Trade};
use trading::orders::{OrderRequest, OrderType, StrategyId};
use trading::risk::RiskLimits;

pub const STRATEGY: &str = "bench";

pub fn desk(store: Option<Box<dyn BookStore>>) -> Desk {
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
pub type OpenStore<'a> = Box<dyn Fn() -> Option<Box<dyn BookStore>> + 'a>;

pub fn stores(dir: &Path) -> Vec<(&'static str, OpenStore<'_>)> {
    vec![
        ("no store", Box::new(|| None)),
        (
            "sqlite",
            Box::new(move || Some(Box::new(SqliteStore::open(fresh_db(dir)).unwrap()) as Box<dyn BookStore>)),
        ),
        (
            "journaled",
            Box::new(move || Some(Box::new(JournaledStore::open(fresh_db(dir)).unwrap()) as Box<dyn BookStore>)),
        ),
    ]
}

/// A database file name in `dir` no store has used, removed when the path is dropped.
fn fresh_db(dir: &Path) -> tempfile::TempPath {
    tempfile::Builder::new()
        .suffix(".db")
        .tempfile_in(dir)
        .unwrap()
        .into_temp_path()
}

pub fn trade(time_ms: i64) -> MarketEvent {
    MarketEvent::Trade(Trade {
        symbol: Symbol::new("BTC/USD").unwrap(),
        time_ms,
        price: Decimal::from(100),
        qty: Decimal::ONE,
        aggressor: Side::Buy,
    })
}

pub fn request(side: Side, order_type: OrderType) -> OrderRequest {
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
