//! The SQLite store against real files: what is written is what a reopened store reads back.

use rust_decimal::Decimal;

use super::*;
use crate::ledger::Book;
use crate::orders::{Fill, OrderEvent};
use crate::risk::RiskApproved;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn alice() -> StrategyId {
    StrategyId::new("alice")
}

fn new_order(id: &str, side: Side, qty: &str, order_type: OrderType, now_ms: TimeMs) -> Order {
    let request = OrderRequest {
        symbol: Symbol::new("BTC/USD").unwrap(),
        side,
        qty: dec(qty),
        order_type,
        tag: format!("tag of {id}"),
    };
    Order::new(OrderId::new(id), alice(), RiskApproved::for_test(request), now_ms)
}

/// Books a fill the way the desk does: plan, preview, write, commit.
fn fill(store: &mut SqliteStore, book: &mut Book, order: &mut Order, qty: &str, price: &str, fee: &str, t: TimeMs) {
    let plan = order.plan_fill(dec(qty), dec(price)).unwrap();
    let fill = Fill {
        order_id: order.id().clone(),
        strategy: order.strategy().clone(),
        symbol: order.request().symbol.clone(),
        side: order.request().side,
        price: dec(price),
        qty: dec(qty),
        fee: dec(fee),
        time_ms: t,
    };
    let effect = book.preview_fill(&fill).unwrap();
    order.commit_fill(plan, t);
    store
        .record_fill(FillRecord {
            fill: &fill,
            seq: order.fill_count(),
            order,
            effect: &effect,
        })
        .unwrap();
    book.commit(effect);
}

#[test]
fn a_reopened_store_returns_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.sqlite");
    let mut book = Book::new(alice(), dec("10000"));
    let (open_limit, closed_trip) = {
        let mut store = SqliteStore::open(&path).unwrap();
        store.create_book(&book, 1).unwrap();

        // A round trip: buy 2 @ 100 then 1 @ 130, sell 3 @ 120.
        let mut buy = new_order("h1-1", Side::Buy, "3", OrderType::Market, 1);
        store.insert_order(&buy).unwrap();
        buy.apply(OrderEvent::Accepted, 2).unwrap();
        store.update_order(&buy).unwrap();
        fill(&mut store, &mut book, &mut buy, "2", "100", "0.2", 3);
        fill(&mut store, &mut book, &mut buy, "1", "130", "0.13", 4);
        let mut sell = new_order("h1-2", Side::Sell, "3", OrderType::Market, 5);
        store.insert_order(&sell).unwrap();
        fill(&mut store, &mut book, &mut sell, "3", "120", "0.36", 6);

        // An open long of 1 @ 50 (a trade in progress), and a limit order pending cancel.
        let mut buy = new_order("h1-3", Side::Buy, "1", OrderType::Market, 7);
        store.insert_order(&buy).unwrap();
        fill(&mut store, &mut book, &mut buy, "1", "50", "0", 8);
        let mut resting = new_order("h1-4", Side::Sell, "2", OrderType::Limit(dec("60.5")), 9);
        store.insert_order(&resting).unwrap();
        resting.apply(OrderEvent::Accepted, 10).unwrap();
        resting.apply(OrderEvent::CancelRequested { time_ms: 11 }, 11).unwrap();
        store.update_order(&resting).unwrap();

        store
            .save_snapshot(&StrategySnapshot {
                strategy: alice(),
                version_hash: "v1".into(),
                state: vec![1],
                time_ms: 12,
            })
            .unwrap();
        store
            .save_snapshot(&StrategySnapshot {
                strategy: alice(),
                version_hash: "v2".into(),
                state: vec![2, 3],
                time_ms: 13,
            })
            .unwrap();
        (resting, book.round_trips()[0].clone())
    };

    let store = SqliteStore::open(&path).unwrap();
    // The book: cash, the flat-but-traded holding and the open one with its trade in progress.
    let loaded = store.load_book(&alice()).unwrap().unwrap();
    assert_eq!(loaded.cash(), dec("9979.31"));
    assert_eq!(loaded.cash(), book.cash());
    assert_eq!(
        loaded.holdings().collect::<Vec<_>>(),
        book.holdings().collect::<Vec<_>>()
    );
    assert_eq!(store.load_books().unwrap().len(), 1);
    assert_eq!(store.load_book(&StrategyId::new("nobody")).unwrap(), None);
    // Only the working order comes back, exactly as it was.
    assert_eq!(store.load_working_orders().unwrap(), vec![open_limit]);
    // The closed round trip, and the latest snapshot.
    assert_eq!(store.load_round_trips(&alice()).unwrap(), vec![closed_trip]);
    let snapshot = store.latest_snapshot(&alice()).unwrap().unwrap();
    assert_eq!((snapshot.version_hash.as_str(), snapshot.state), ("v2", vec![2, 3]));
    // WAL mode is on the file.
    let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn creating_a_book_twice_keeps_the_first() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    store.create_book(&Book::new(alice(), dec("100")), 1).unwrap();
    store.create_book(&Book::new(alice(), dec("999")), 2).unwrap();
    assert_eq!(store.load_book(&alice()).unwrap().unwrap().cash(), dec("100"));
}

#[test]
fn updating_an_unknown_order_is_an_error() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let order = new_order("x-1", Side::Buy, "1", OrderType::Market, 1);
    assert!(matches!(
        store.update_order(&order),
        Err(StoreError::UnknownOrder { .. })
    ));
}

#[test]
fn open_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-dir").join("books.sqlite");
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(err.to_string().contains("no-such-dir/books.sqlite"), "{err}");
}

#[test]
fn a_store_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.sqlite");
    Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let err = SqliteStore::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::TooNew {
                found: 99,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn corrupt_rows_are_named() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    store.create_book(&Book::new(alice(), dec("100")), 1).unwrap();
    store.conn.execute("UPDATE strategies SET cash = 'lots'", []).unwrap();
    let err = store.load_book(&alice()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "book store :memory:: strategies.cash holds \"lots\", expected a decimal"
    );
}
