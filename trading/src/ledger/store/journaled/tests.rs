//! The journaled store against real files, and against a real crash of a process.

use std::process::Command;

use super::*;
use crate::ledger::store::test_support::{
    alice, assert_reads_back, dec, new_order, write_a_trading_day, RecordedWrites,
};
use crate::market::Side;
use crate::orders::OrderType;

/// Batches that never come on their own: what is in the tables got there by a read, a drop
/// or a replay.
fn never_batching() -> JournalOptions {
    JournalOptions {
        batch_window: Duration::from_secs(3600),
        ..JournalOptions::default()
    }
}

fn log_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // The numbered segments, not the lock file beside them.
        .filter(|n| n.contains(".log.") && !n.ends_with(".lock"))
        .collect();
    names.sort();
    names
}

#[test]
fn reads_see_every_write_before_them_and_a_reopened_store_has_them_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let written = {
        let mut store = JournaledStore::open_with(&path, never_batching()).unwrap();
        let written = write_a_trading_day(&mut store);
        assert_reads_back(&store, &written);
        written
    };
    // Dropping applied the rest; the tables alone hold it all.
    assert_reads_back(&SqliteStore::open(&path).unwrap(), &written);
    // Reopening replays nothing twice (a fill applied twice would break the primary key).
    let store = JournaledStore::open(&path).unwrap();
    assert_reads_back(&store, &written);
    assert_eq!(log_files(dir.path()).len(), 1, "only the segment being written is left");
}

const CRASH_DIR: &str = "STRATEGY_HOST_JOURNAL_CRASH_DIR";

/// The child: writes a trading day that never reaches the tables, then dies at once (abort
/// runs no destructor, flushes nothing: what a SIGKILL does to the host).
fn crash_after_writing(dir: &Path) -> ! {
    let mut store = JournaledStore::open_with(dir.join("book.db"), never_batching()).unwrap();
    let _ = write_a_trading_day(&mut store);
    std::process::abort();
}

#[test]
fn a_process_killed_before_its_writes_reach_the_tables_loses_none_of_them() {
    if let Some(dir) = std::env::var_os(CRASH_DIR) {
        crash_after_writing(Path::new(&dir));
    }
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "ledger::store::journaled::tests::a_process_killed_before_its_writes_reach_the_tables_loses_none_of_them",
            "--nocapture",
        ])
        .env(CRASH_DIR, dir.path())
        .status()
        .unwrap();
    assert!(!status.success(), "the child was meant to abort");
    let path = dir.path().join("book.db");

    // The tables never saw a row: everything is in the journal only.
    assert_eq!(SqliteStore::open(&path).unwrap().load_books().unwrap(), vec![]);
    // Opening replays it.
    let mut store = JournaledStore::open(&path).unwrap();
    let mut recorded = RecordedWrites::default();
    let written = write_a_trading_day(&mut recorded);
    assert!(!recorded.0.is_empty());
    assert_reads_back(&store, &written);
    // And the store carries on numbering after the replayed records.
    store
        .insert_order(&new_order("h2-1", Side::Buy, "1", OrderType::Market, 20))
        .unwrap();
    drop(store);
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.load_working_orders().unwrap().len(), 2);
}

#[test]
fn a_record_cut_short_is_dropped_and_a_corrupt_one_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    // The journal is written for `src.db` and copied under other books' names to be damaged.
    let source = dir.path().join("src.db");
    {
        let mut store = JournaledStore::open_with(&source, never_batching()).unwrap();
        store.create_book(&Book::new(alice(), dec("100")), 0).unwrap();
        store
            .insert_order(&new_order("c-1", Side::Buy, "1", OrderType::Market, 1))
            .unwrap();
        store
            .insert_order(&new_order("c-2", Side::Buy, "1", OrderType::Market, 2))
            .unwrap();
        // Keep the journal as a crash would leave it: nothing applied, the segment kept.
        std::mem::forget(store);
    }
    let text = std::fs::read_to_string(dir.path().join(format!("src.db.log.{:020}", 1))).unwrap();
    let segment = dir.path().join(format!("cut.db.log.{:020}", 1));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);

    // The third record's write cut short: the first two are replayed, the torn one dropped.
    std::fs::write(
        &segment,
        format!("{}\n{}\n{}", lines[0], lines[1], &lines[2][..lines[2].len() / 2]),
    )
    .unwrap();
    let store = JournaledStore::open(dir.path().join("cut.db")).unwrap();
    let ids: Vec<String> = store
        .load_working_orders()
        .unwrap()
        .iter()
        .map(|o| o.id().to_string())
        .collect();
    assert_eq!(ids, ["c-1"]);
    drop(store);

    // A broken line with a line after it is corruption: named, and nothing is opened.
    let segment = dir.path().join(format!("bad.db.log.{:020}", 1));
    std::fs::write(
        &segment,
        format!("{}\n{}\n{{\"seq\":3,\"wr\n{}\n", lines[0], lines[1], lines[2]),
    )
    .unwrap();
    let err = JournaledStore::open(dir.path().join("bad.db")).unwrap_err().to_string();
    assert!(err.contains(&format!("{} line 3", segment.display())), "{err}");
}

#[test]
fn a_second_writer_of_the_same_book_is_refused_until_the_first_is_gone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let first = JournaledStore::open(&path).unwrap();
    let err = JournaledStore::open(&path).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::Journal {
                source: journal::JournalError::Locked { .. },
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("book.db.log.lock"), "{err}");
    drop(first);
    JournaledStore::open(&path).unwrap();
}

#[test]
fn segments_are_deleted_once_their_records_are_in_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let mut store = JournaledStore::open_with(
        &path,
        JournalOptions {
            // Every record fills its segment.
            segment_bytes: 1,
            ..never_batching()
        },
    )
    .unwrap();
    store.create_book(&Book::new(alice(), dec("100")), 0).unwrap();
    for n in 0..5 {
        store
            .insert_order(&new_order(&format!("s-{n}"), Side::Buy, "1", OrderType::Market, n))
            .unwrap();
    }
    assert_eq!(
        log_files(dir.path()).len(),
        7,
        "six full segments and the one being written"
    );
    assert_eq!(store.load_working_orders().unwrap().len(), 5);
    assert_eq!(log_files(dir.path()), [format!("book.db.log.{:020}", 7)]);
}

#[test]
fn when_the_tables_cannot_follow_the_journal_every_later_write_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let mut store = JournaledStore::open_with(&path, never_batching()).unwrap();
    store.create_book(&Book::new(alice(), dec("100")), 1).unwrap();
    // An update of an order never inserted is journaled; the tables refuse it.
    store
        .update_order(&new_order("ghost-1", Side::Buy, "1", OrderType::Market, 1))
        .unwrap();
    let err = store.load_books().unwrap_err();
    assert!(matches!(err, StoreError::Behind { .. }), "{err}");
    assert!(err.to_string().contains("ghost-1"), "{err}");
    let refused = store.insert_order(&new_order("o-2", Side::Buy, "1", OrderType::Market, 2));
    assert!(matches!(refused, Err(StoreError::Behind { .. })), "{refused:?}");
}

#[test]
fn an_applier_parked_by_a_quiet_spell_is_woken_by_the_next_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let window = Duration::from_millis(1);
    let mut store = JournaledStore::open_with(
        &path,
        JournalOptions {
            batch_window: window,
            ..JournalOptions::default()
        },
    )
    .unwrap();
    // Long enough a quiet spell for the applier to park.
    std::thread::sleep(window * IDLE_WINDOWS_BEFORE_PARKING * 5);
    store.create_book(&Book::new(alice(), dec("100")), 0).unwrap();
    store
        .insert_order(&new_order("s-1", Side::Buy, "1", OrderType::Market, 1))
        .unwrap();
    // Read through a connection of our own, so no read of the store applies the batch for it.
    let tables = rusqlite::Connection::open(&path).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let orders: i64 = tables
            .query_row("SELECT count(*) FROM orders", [], |row| row.get(0))
            .unwrap();
        if orders == 1 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the applier never applied the write"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(target_os = "linux")]
#[test]
fn the_applier_runs_at_a_lower_priority_than_the_order_path() {
    let dir = tempfile::tempdir().unwrap();
    let _store = JournaledStore::open(dir.path().join("book.db")).unwrap();
    // Each thread's nice value is field 19 of its stat line; the name in field 2 may hold
    // spaces, so the fields are counted after its closing parenthesis.
    let nice_of_appliers: Vec<i64> = std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| {
            let task = task.unwrap().path();
            let name = std::fs::read_to_string(task.join("comm")).ok()?;
            (name.trim() == "book-journal").then_some(())?;
            let stat = std::fs::read_to_string(task.join("stat")).ok()?;
            let after_name = &stat[stat.rfind(')')? + 2..];
            after_name.split(' ').nth(16)?.parse().ok()
        })
        .collect();
    assert!(!nice_of_appliers.is_empty(), "no applier thread found");
    assert!(
        nice_of_appliers
            .iter()
            .all(|&nice| nice == i64::from(super::background::NICE)),
        "{nice_of_appliers:?}"
    );
}

#[test]
fn risk_states_are_journaled_replaced_per_scope_and_read_back_after_a_reopen() {
    use crate::risk::{Breach, LossGuard, LossKind, RiskScope, TradingState};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let guard = LossGuard {
        day: 20_000,
        day_open_equity: dec("10000"),
        peak_equity: dec("10250.5"),
        breach: None,
    };
    let halted = LossGuard {
        breach: Some(Breach {
            kind: LossKind::Drawdown,
            loss: dec("300.25"),
            limit: dec("300"),
            state: TradingState::Halted,
            since_ms: 7,
        }),
        ..guard
    };
    let alice = RiskScope::Strategy(alice());
    let kraken = RiskScope::Account(VenueId::new("kraken"));
    {
        let mut store = JournaledStore::open_with(&path, never_batching()).unwrap();
        for (scope, guard, time_ms) in [(&alice, guard, 1), (&kraken, guard, 2), (&alice, halted, 7)] {
            let record = RiskStateRecord {
                scope: scope.clone(),
                guard,
                time_ms,
            };
            store.save_risk_state(&record).unwrap();
        }
    }
    let store = JournaledStore::open(&path).unwrap();
    let states = store.load_risk_states().unwrap();
    assert_eq!(
        states,
        [
            RiskStateRecord {
                scope: alice,
                guard: halted,
                time_ms: 7
            },
            RiskStateRecord {
                scope: kraken,
                guard,
                time_ms: 2
            },
        ]
    );
}
