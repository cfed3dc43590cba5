//! The book of record's journal through a real crash: `run` killed with SIGKILL while the grid
//! trades, then started again on the same book. Every fill the host had counted before it
//! died is in the SQLite tables afterwards, once.

use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::support::{self, metric_value, terminate, wait_until, write_file, RunningHost};

fn fills_in_tables(db: &std::path::Path) -> i64 {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .query_row("SELECT count(*) FROM fills WHERE strategy = 'grid'", [], |r| r.get(0))
        .unwrap()
}

fn journal_segments(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("book.db.log.") && !name.ends_with(".lock"))
        .collect()
}

#[test]
fn a_host_killed_mid_trading_loses_no_fill_it_counted_and_books_none_twice() {
    let dir = tempfile::tempdir().unwrap();
    let strategies = dir.path().join("strategies");
    std::fs::create_dir(&strategies).unwrap();
    std::fs::copy(support::wasm("grid"), strategies.join("grid.wasm")).unwrap();
    let config = write_file(dir.path(), "host.toml", "[sandbox]\ncall_deadline_ms = 2000\n");
    let db = dir.path().join("book.db");

    let mut host = RunningHost::start(dir.path(), &config, 200, "warn", &[]);
    let filled = |host: &RunningHost| {
        metric_value(
            &host.metrics(),
            "strategy_host_orders_total",
            &[("strategy", "grid"), ("outcome", "filled")],
        )
    };
    let counted = wait_until("the grid to fill 30 orders", Duration::from_secs(60), || {
        filled(&host).filter(|n| *n >= 30.0)
    });
    host.child.kill().unwrap();
    host.child.wait().unwrap();
    let before_restart = fills_in_tables(&db);
    assert!(
        !journal_segments(dir.path()).is_empty(),
        "the journal is beside the book"
    );

    // Started again with no strategy, so nothing trades: the tables get what the journal held.
    std::fs::remove_file(strategies.join("grid.wasm")).unwrap();
    let mut host = RunningHost::start(dir.path(), &config, 200, "warn", &[]);
    host.wait_ready(Duration::from_secs(30));
    assert!(terminate(&mut host, Duration::from_secs(30)).success());
    let after_restart = fills_in_tables(&db);
    eprintln!(
        "journal: {counted} fills counted before SIGKILL, {before_restart} in the tables after it, {after_restart} after the restart replayed the journal"
    );
    assert!(
        after_restart as f64 >= counted,
        "{counted} fills were counted, {after_restart} are in the book"
    );
    assert!(after_restart >= before_restart);
    // Each fill once: one row per (order, fill number), and their quantities are the orders'.
    let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let overfilled: i64 = conn
        .query_row(
            "SELECT count(*) FROM orders o
             WHERE o.strategy = 'grid'
               AND CAST(o.filled_qty AS REAL) <> (SELECT COALESCE(SUM(CAST(f.qty AS REAL)), 0) FROM fills f
                                                  WHERE f.client_order_id = o.client_order_id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(overfilled, 0, "every order's filled quantity is the sum of its fills");
    assert_eq!(journal_segments(dir.path()).len(), 1, "replayed segments are deleted");
}
