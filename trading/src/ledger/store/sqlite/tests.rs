//! The SQLite store against real files: what is written is what a reopened store reads back.

use super::*;
use crate::ledger::Book;
use crate::orders::Fill;

use crate::ledger::store::test_support::{alice, assert_reads_back, dec, new_order, write_a_trading_day};

#[test]
fn a_reopened_store_returns_what_was_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.sqlite");
    let written = {
        let mut store = SqliteStore::open(&path).unwrap();
        let written = write_a_trading_day(&mut store);
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
        written
    };

    let store = SqliteStore::open(&path).unwrap();
    assert_reads_back(&store, &written);
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
                supported,
                ..
            } if usize::try_from(supported).ok() == Some(MIGRATIONS.len())
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

#[test]
fn a_first_version_store_is_migrated_and_its_orders_belong_to_the_paper_venue() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.sqlite");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(crate::ledger::store::schema::MIGRATIONS[0]).unwrap();
        conn.execute_batch(
            "INSERT INTO strategies VALUES ('alice', '100', '100', 0, 0);
             INSERT INTO orders (client_order_id, strategy, symbol, side, order_type, limit_price, qty, tag, state,
                                 state_time_ms, reason, filled_qty, avg_fill_price, fill_count, created_ms, updated_ms)
             VALUES ('v1-1', 'alice', 'BTC/USD', 'buy', 'limit', '90', '1', '', 'open', NULL, NULL, '0', '0', 0, 1, 1);
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    let orders = store.load_working_orders().unwrap();
    assert_eq!(
        orders
            .iter()
            .map(|o| (o.id().as_str(), o.venue().as_str()))
            .collect::<Vec<_>>(),
        [("v1-1", "paper")]
    );
    // Schema 6 reads it as what it was: a good-till-cancelled limit without flags.
    let request = orders[0].request();
    assert_eq!(
        (
            request.order_type,
            request.time_in_force,
            request.post_only,
            request.reduce_only
        ),
        (
            OrderType::Limit(dec("90")),
            crate::orders::TimeInForce::Gtc,
            false,
            false
        )
    );
}

#[test]
fn order_terms_are_stored_and_read_back() {
    use crate::orders::{OrderRequest, TimeInForce};
    use crate::risk::RiskApproved;
    let mut store = SqliteStore::open_in_memory().unwrap();
    store.create_book(&Book::new(alice(), dec("100")), 0).unwrap();
    let terms = [
        (OrderType::Stop(dec("95.5")), TimeInForce::Gtc, false, true),
        (
            OrderType::StopLimit {
                trigger: dec("95.5"),
                limit: dec("95"),
            },
            TimeInForce::Ioc,
            false,
            true,
        ),
        (OrderType::Limit(dec("99")), TimeInForce::Gtc, true, false),
        (OrderType::Limit(dec("99")), TimeInForce::Fok, false, false),
    ];
    for (n, (order_type, time_in_force, post_only, reduce_only)) in terms.into_iter().enumerate() {
        let base = new_order(&format!("t-{n}"), Side::Sell, "1", order_type, 1);
        let request = OrderRequest {
            time_in_force,
            post_only,
            reduce_only,
            ..base.request().clone()
        };
        let order = Order::new(
            base.id().clone(),
            alice(),
            base.venue().clone(),
            RiskApproved::for_test(request.clone()),
            1,
        );
        store.insert_order(&order).unwrap();
        let read = store.load_working_orders().unwrap();
        assert_eq!(read.last().map(|o| o.request().clone()), Some(request));
    }
}

#[test]
fn trade_ids_are_found_per_venue_and_symbol() {
    let mut store = SqliteStore::open_in_memory().unwrap();
    let book = Book::new(alice(), dec("10000"));
    store.create_book(&book, 0).unwrap();
    let mut order = new_order("k-1", Side::Buy, "2", OrderType::Limit(dec("100")), 1);
    store.insert_order(&order).unwrap();
    let plan = order.plan_fill(dec("1"), dec("100")).unwrap();
    let fill = Fill {
        order_id: order.id().clone(),
        strategy: alice(),
        symbol: order.request().symbol.clone(),
        side: Side::Buy,
        price: dec("100"),
        qty: dec("1"),
        fee: dec("0.1"),
        time_ms: 2,
        trade_id: Some(TradeId::new("T1")),
    };
    let effect = book.preview_fill(&fill).unwrap();
    order.commit_fill(plan, 2);
    store
        .record_fill(FillRecord {
            fill: &fill,
            seq: 1,
            order: &order,
            effect: &effect,
            venue_fee: Some(("BTC", dec("0.001"))),
        })
        .unwrap();
    let btc = Symbol::new("BTC/USD").unwrap();
    let eth = Symbol::new("ETH/USD").unwrap();
    let paper = VenueId::new("paper");
    assert!(store.has_trade(&paper, &btc, &TradeId::new("T1")).unwrap());
    assert!(!store.has_trade(&paper, &eth, &TradeId::new("T1")).unwrap());
    assert!(!store
        .has_trade(&VenueId::new("kraken"), &btc, &TradeId::new("T1"))
        .unwrap());
    assert!(!store.has_trade(&paper, &btc, &TradeId::new("T2")).unwrap());
    // What the books hold of a fill reported for an order not in memory.
    use crate::ledger::FillOnRecord;
    let on_record = |order: &str, trade: &str| {
        store
            .fill_on_record(&OrderId::new(order), &TradeId::new(trade))
            .unwrap()
    };
    assert_eq!(on_record("k-1", "T1"), FillOnRecord::Booked);
    assert_eq!(on_record("k-1", "T2"), FillOnRecord::OrderOnly);
    assert_eq!(on_record("never", "T1"), FillOnRecord::UnknownOrder);
}

#[test]
fn the_wal_is_checkpointed_by_its_own_thread_not_by_writers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let mut store = SqliteStore::open(&path).unwrap();
    let automatic: i64 = store
        .conn
        .pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))
        .unwrap();
    assert_eq!(automatic, 0, "writers never checkpoint");
    store.create_book(&Book::new(alice(), dec("1000")), 0).unwrap();
    let before = std::fs::metadata(&path).unwrap().len();
    for n in 0..200 {
        let order = new_order(&format!("cp-{n}"), Side::Buy, "1", OrderType::Market, n);
        store.insert_order(&order).unwrap();
    }
    // The rows are in the WAL; the database file grows only when a checkpoint copies them.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::metadata(&path).unwrap().len() <= before {
        assert!(std::time::Instant::now() < deadline, "no checkpoint within 10 s");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
