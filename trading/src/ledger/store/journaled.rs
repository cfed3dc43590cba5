//! [`JournaledStore`]: the book of record with its writes journaled first and applied to
//! SQLite in batches behind them.
//!
//! A write appends its record to the journal (`journal.rs`) on the caller's thread and
//! returns: that is the write the desk makes before an order is sent, with the durability of
//! SQLite's WAL at `synchronous = NORMAL` and a fraction of its cost. A thread of the store's
//! own then applies the records to the tables in one transaction per batch, recording the
//! last sequence number applied in the same transaction. Opening a store replays what the
//! journal holds past that number, so after a crash every journaled write is in the tables
//! exactly once.
//!
//! Reads see every write made before them: a read first applies what is still queued, on the
//! reader's thread. Lock order: the SQLite store, then the queue; the applier and readers both
//! take the store first, so batches reach the tables in journal order.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::ledger::store::journal::{self, JournalWriter, Segment};
use crate::ledger::store::rows::{BookRow, DecisionRow, FillRows, OrderRow, RiskStateRow, Write};
use crate::ledger::store::{background, coalesce};
use crate::ledger::store::{
    BookStore, DecisionRecord, FillOnRecord, FillRecord, RiskStateRecord, SqliteStore, StoreError, StrategySnapshot,
};
use crate::ledger::{Book, RoundTrip};
use crate::market::{Symbol, TimeMs};
use crate::orders::{Order, OrderId, StrategyId, TradeId, VenueId};

/// How a journaled store batches.
#[derive(Debug, Clone, Copy)]
pub struct JournalOptions {
    /// How long the applier gathers records after the first one of a batch arrives: the most
    /// the tables lag the journal by (plus the batch's own commit).
    pub batch_window: Duration,
    /// A journal segment past this size is closed and a new one started.
    pub segment_bytes: u64,
}

impl Default for JournalOptions {
    fn default() -> Self {
        Self {
            batch_window: Duration::from_millis(5),
            segment_bytes: journal::SEGMENT_BYTES,
        }
    }
}

/// The book of record: a write-ahead journal in front of a [`SqliteStore`].
#[derive(Debug)]
pub struct JournaledStore {
    journal: JournalWriter,
    shared: Arc<Shared>,
    applier: Option<JoinHandle<()>>,
    path: PathBuf,
    /// Held while the store is open (`journal::lock`).
    _lock: std::fs::File,
}

#[derive(Debug)]
struct Shared {
    store: Mutex<SqliteStore>,
    queue: Mutex<Queue>,
    /// Rung when a batch's first record is queued, and to stop.
    wake: Condvar,
}

#[derive(Debug, Default)]
struct Queue {
    writes: Vec<(u64, Write)>,
    /// The journal's segments, oldest first; the last is the one being written.
    segments: VecDeque<Segment>,
    /// Why the tables stopped following the journal: every later write is refused.
    failed: Option<String>,
    stop: bool,
    /// The applier waits for the next write with no timeout: that write wakes it. While it
    /// applies batch after batch, writes do not wake it (a wake-up on the thread that is about
    /// to send an order costs that order a context switch).
    parked: bool,
}

impl JournaledStore {
    /// Opens (or creates) the store at `path` with its journal beside it, and replays into the
    /// tables what the journal holds that they do not.
    ///
    /// # Errors
    ///
    /// What [`SqliteStore::open`] returns; [`StoreError::Journal`] naming the journal file
    /// (and line) that cannot be read or replayed.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(path, JournalOptions::default())
    }

    /// [`JournaledStore::open`] with the batching chosen.
    ///
    /// # Errors
    ///
    /// As [`JournaledStore::open`].
    pub fn open_with(path: impl AsRef<Path>, options: JournalOptions) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        // SQLite first: a bad path is named by its error, before any file is made beside it.
        let mut store = SqliteStore::open(&path)?;
        let lock = journal::lock(&path).map_err(|e| journal_error(&path, e))?;
        let next_seq = replay(&mut store, &path)?;
        let journal =
            JournalWriter::create(&path, next_seq, options.segment_bytes).map_err(|e| journal_error(&path, e))?;
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            queue: Mutex::new(Queue {
                segments: VecDeque::from([journal.segment().clone()]),
                ..Queue::default()
            }),
            wake: Condvar::new(),
        });
        let applier = {
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("book-journal".into())
                .spawn(move || apply_until_stopped(&shared, options.batch_window))
                .map_err(|e| StoreError::Open {
                    path: path.clone(),
                    source: e.into(),
                })?
        };
        Ok(Self {
            journal,
            shared,
            applier: Some(applier),
            path,
            _lock: lock,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Journals one write and queues it for the tables.
    fn journal(&mut self, write: Write) -> Result<(), StoreError> {
        if let Some(reason) = &lock(&self.shared.queue).failed {
            return Err(self.behind(reason));
        }
        let (seq, new_segment) = self.journal.append(&write).map_err(|e| journal_error(&self.path, e))?;
        let mut queue = lock(&self.shared.queue);
        queue.writes.push((seq, write));
        if let Some(segment) = new_segment {
            queue.segments.push_back(segment);
        }
        let wake = std::mem::take(&mut queue.parked);
        drop(queue);
        if wake {
            self.shared.wake.notify_one();
        }
        Ok(())
    }

    /// The SQLite store with everything journaled so far in its tables.
    fn synced(&self) -> Result<MutexGuard<'_, SqliteStore>, StoreError> {
        let mut store = lock(&self.shared.store);
        apply_queued(&self.shared, &mut store);
        match &lock(&self.shared.queue).failed {
            Some(reason) => Err(self.behind(reason)),
            None => Ok(store),
        }
    }

    fn behind(&self, reason: &str) -> StoreError {
        StoreError::Behind {
            path: self.path.clone(),
            reason: reason.to_owned(),
        }
    }
}

impl Drop for JournaledStore {
    /// Applies what is queued and stops the applier.
    fn drop(&mut self) {
        lock(&self.shared.queue).stop = true;
        self.shared.wake.notify_one();
        if let Some(applier) = self.applier.take() {
            let _ = applier.join();
        }
    }
}

impl BookStore for JournaledStore {
    fn create_book(&mut self, book: &Book, time_ms: TimeMs) -> Result<(), StoreError> {
        self.journal(Write::CreateBook(BookRow::new(book, time_ms)))
    }

    fn insert_order(&mut self, order: &Order) -> Result<(), StoreError> {
        self.journal(Write::InsertOrder(OrderRow::new(order)))
    }

    fn update_order(&mut self, order: &Order) -> Result<(), StoreError> {
        self.journal(Write::UpdateOrder(OrderRow::new(order)))
    }

    fn record_fill(&mut self, record: FillRecord<'_>) -> Result<(), StoreError> {
        self.journal(Write::RecordFill(Box::new(FillRows::new(&record))))
    }

    fn record_decision(&mut self, decision: DecisionRecord<'_>) -> Result<(), StoreError> {
        self.journal(Write::RecordDecision(Box::new(DecisionRow::new(&decision))))
    }

    fn save_risk_state(&mut self, record: &RiskStateRecord) -> Result<(), StoreError> {
        self.journal(Write::SaveRiskState(Box::new(RiskStateRow::new(record))))
    }

    /// Snapshots go straight to the tables, after the writes before them: they are rare
    /// (a swap, a recovery point) and large, and nothing waits on them.
    fn save_snapshot(&mut self, snapshot: &StrategySnapshot) -> Result<(), StoreError> {
        self.synced()?.save_snapshot(snapshot)
    }

    fn forget_snapshots(&mut self, strategy: &StrategyId) -> Result<(), StoreError> {
        self.synced()?.forget_snapshots(strategy)
    }

    fn load_book(&self, strategy: &StrategyId) -> Result<Option<Book>, StoreError> {
        self.synced()?.load_book(strategy)
    }

    fn load_books(&self) -> Result<Vec<Book>, StoreError> {
        self.synced()?.load_books()
    }

    fn load_working_orders(&self) -> Result<Vec<Order>, StoreError> {
        self.synced()?.load_working_orders()
    }

    fn load_round_trips(&self, strategy: &StrategyId) -> Result<Vec<RoundTrip>, StoreError> {
        self.synced()?.load_round_trips(strategy)
    }

    fn has_trade(&self, venue: &VenueId, symbol: &Symbol, trade_id: &TradeId) -> Result<bool, StoreError> {
        self.synced()?.has_trade(venue, symbol, trade_id)
    }

    fn fill_on_record(&self, order: &OrderId, trade_id: &TradeId) -> Result<FillOnRecord, StoreError> {
        self.synced()?.fill_on_record(order, trade_id)
    }

    fn latest_snapshot(&self, strategy: &StrategyId) -> Result<Option<StrategySnapshot>, StoreError> {
        self.synced()?.latest_snapshot(strategy)
    }

    fn load_risk_states(&self) -> Result<Vec<RiskStateRecord>, StoreError> {
        self.synced()?.load_risk_states()
    }
}

/// Applies every journal record the tables lack, deletes the segments, and returns the
/// sequence number the next record gets.
fn replay(store: &mut SqliteStore, path: &Path) -> Result<u64, StoreError> {
    let applied = store.journal_applied()?;
    let segments = journal::segments(path).map_err(|e| journal_error(path, e))?;
    let mut last = applied;
    let mut missing = Vec::new();
    for segment in &segments {
        let records = journal::read_segment(segment).map_err(|e| journal_error(path, e))?;
        if let Some((seq, _)) = records.last() {
            last = last.max(*seq);
        }
        missing.extend(records.into_iter().filter(|(seq, _)| *seq > applied));
    }
    if let Some((first, _)) = missing.first() {
        if *first != applied + 1 {
            return Err(journal_error(
                path,
                journal::JournalError::Corrupt {
                    path: segments[0].path.clone(),
                    line: 1,
                    problem: format!(
                        "the tables hold records up to {applied} and the journal resumes at {first}: records are missing"
                    ),
                },
            ));
        }
        tracing::info!(path = %path.display(), records = missing.len(), from = first, "replaying the journal into the book of record");
    }
    if let Some((through, _)) = missing.last() {
        let through = *through;
        store.apply_journaled(&coalesce::fold_order_rows(missing.into_iter().map(|(_, w)| w)), through)?;
    }
    segments.iter().for_each(journal::remove_segment);
    Ok(last + 1)
}

/// Windows in a row with nothing to apply before the applier parks until the next write.
const IDLE_WINDOWS_BEFORE_PARKING: u32 = 100;

/// Applies a batch every `batch_window` while writes come, and parks once they stop coming.
fn apply_until_stopped(shared: &Shared, batch_window: Duration) {
    background::run_behind_the_order_path();
    let mut idle_windows = 0;
    loop {
        let (stopping, pending) = {
            let mut queue = lock(&shared.queue);
            if idle_windows >= IDLE_WINDOWS_BEFORE_PARKING {
                queue.parked = true;
                while queue.writes.is_empty() && !queue.stop {
                    queue = shared.wake.wait(queue).unwrap_or_else(PoisonError::into_inner);
                }
                queue.parked = false;
                idle_windows = 0;
            }
            // Gather the batch; a stop cuts the wait short.
            let (queue, _) = shared
                .wake
                .wait_timeout_while(queue, batch_window, |q| !q.stop)
                .unwrap_or_else(PoisonError::into_inner);
            (queue.stop, !queue.writes.is_empty())
        };
        if pending {
            idle_windows = 0;
            apply_queued(shared, &mut lock(&shared.store));
        } else {
            idle_windows += 1;
        }
        if stopping {
            return;
        }
    }
}

/// Applies the queued records in one transaction and deletes the segments that are then
/// entirely in the tables. A failure stops the tables following the journal (the records stay
/// in it, for the replay of the next start) and refuses every later write.
fn apply_queued(shared: &Shared, store: &mut SqliteStore) {
    let batch = {
        let mut queue = lock(&shared.queue);
        if queue.failed.is_some() {
            return;
        }
        std::mem::take(&mut queue.writes)
    };
    let Some((last, _)) = batch.last() else {
        return;
    };
    let last = *last;
    let result = store.apply_journaled(&coalesce::fold_order_rows(batch.into_iter().map(|(_, w)| w)), last);
    let mut queue = lock(&shared.queue);
    match result {
        Ok(()) => {
            while queue.segments.get(1).is_some_and(|next| next.first_seq <= last + 1) {
                if let Some(done) = queue.segments.pop_front() {
                    journal::remove_segment(&done);
                }
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "the book of record's tables stopped following its journal; orders are refused until a restart replays it");
            queue.failed = Some(e.to_string());
        }
    }
}

fn journal_error(path: &Path, source: journal::JournalError) -> StoreError {
    StoreError::Journal {
        path: path.to_path_buf(),
        source,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests;
