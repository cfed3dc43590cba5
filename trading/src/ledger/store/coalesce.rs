//! Folding a batch of journaled writes before it reaches the tables.
//!
//! An order is written several times within milliseconds (its intent, the venue's acceptance,
//! a cancel requested, the cancel confirmed) and every order write carries the whole row, so
//! within one batch only the last row of each order has to reach the table: it is put in the
//! place of the order's first write of the batch (the insert stays an insert, now of the
//! latest row). The tables end the batch as they would have after every write in turn, with a
//! fraction of the statements. Fills are never folded: each is a row of its own.

use std::collections::HashMap;

use crate::ledger::store::rows::{OrderRow, Write};

/// `batch`'s writes with each order's later rows folded into its first write of the batch.
pub(crate) fn fold_order_rows(batch: impl IntoIterator<Item = Write>) -> Vec<Write> {
    let mut out: Vec<Write> = Vec::new();
    // Each order's write in `out` that a later row of it may replace.
    let mut first_write: HashMap<String, usize> = HashMap::new();
    for write in batch {
        match write {
            Write::UpdateOrder(row) => match first_write.get(&row.client_order_id) {
                Some(&at) => replace_row(&mut out[at], row),
                None => {
                    first_write.insert(row.client_order_id.clone(), out.len());
                    out.push(Write::UpdateOrder(row));
                }
            },
            Write::InsertOrder(row) => {
                first_write.insert(row.client_order_id.clone(), out.len());
                out.push(Write::InsertOrder(row));
            }
            Write::RecordFill(rows) => {
                // The fill's own order row is written after its fill: a later row of the
                // order may replace it there, but not move before the fill.
                first_write.insert(rows.order.client_order_id.clone(), out.len());
                out.push(Write::RecordFill(rows));
            }
            Write::CreateBook(book) => out.push(Write::CreateBook(book)),
        }
    }
    out
}

fn replace_row(write: &mut Write, row: OrderRow) {
    match write {
        Write::InsertOrder(kept) | Write::UpdateOrder(kept) => *kept = row,
        Write::RecordFill(rows) => rows.order = row,
        Write::CreateBook(_) => unreachable!("only order writes are indexed by order id"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::store::rows::{BookRow, FillRows};
    use crate::ledger::store::test_support::{assert_reads_back, write_a_trading_day};
    use crate::ledger::store::{BookStore, FillRecord, SqliteStore, StoreError, StrategySnapshot};
    use crate::ledger::{Book, RoundTrip};
    use crate::market::{Symbol, TimeMs};
    use crate::orders::{Order, StrategyId, TradeId, VenueId};

    /// Records the writes a scenario makes, as the journal would.
    #[derive(Default)]
    struct Writes(Vec<Write>);

    impl Writes {
        fn push(&mut self, write: Write) -> Result<(), StoreError> {
            self.0.push(write);
            Ok(())
        }
    }

    impl BookStore for Writes {
        fn create_book(&mut self, book: &Book, time_ms: TimeMs) -> Result<(), StoreError> {
            self.push(Write::CreateBook(BookRow::new(book, time_ms)))
        }
        fn insert_order(&mut self, order: &Order) -> Result<(), StoreError> {
            self.push(Write::InsertOrder(OrderRow::new(order)))
        }
        fn update_order(&mut self, order: &Order) -> Result<(), StoreError> {
            self.push(Write::UpdateOrder(OrderRow::new(order)))
        }
        fn record_fill(&mut self, record: FillRecord<'_>) -> Result<(), StoreError> {
            self.push(Write::RecordFill(Box::new(FillRows::new(&record))))
        }
        fn save_snapshot(&mut self, _: &StrategySnapshot) -> Result<(), StoreError> {
            unreachable!("the scenario takes no snapshot")
        }
        fn load_book(&self, _: &StrategyId) -> Result<Option<Book>, StoreError> {
            unreachable!()
        }
        fn load_books(&self) -> Result<Vec<Book>, StoreError> {
            unreachable!()
        }
        fn load_working_orders(&self) -> Result<Vec<Order>, StoreError> {
            unreachable!()
        }
        fn load_round_trips(&self, _: &StrategyId) -> Result<Vec<RoundTrip>, StoreError> {
            unreachable!()
        }
        fn has_trade(&self, _: &VenueId, _: &Symbol, _: &TradeId) -> Result<bool, StoreError> {
            unreachable!()
        }
        fn latest_snapshot(&self, _: &StrategyId) -> Result<Option<StrategySnapshot>, StoreError> {
            unreachable!()
        }
    }

    #[test]
    fn a_folded_batch_leaves_the_tables_as_every_write_in_turn_would() {
        let mut writes = Writes::default();
        let written = write_a_trading_day(&mut writes);
        let all = writes.0;
        let folded = fold_order_rows(all.clone());
        assert!(
            folded.len() < all.len(),
            "{} writes folded to {}",
            all.len(),
            folded.len()
        );

        for batch in [all, folded] {
            let mut store = SqliteStore::open_in_memory().unwrap();
            store.apply_journaled(&batch, 1).unwrap();
            assert_reads_back(&store, &written);
        }
    }
}
