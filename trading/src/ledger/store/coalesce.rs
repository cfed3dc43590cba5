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
            write @ (Write::CreateBook(_) | Write::RecordDecision(_) | Write::SaveRiskState(_)) => out.push(write),
        }
    }
    out
}

fn replace_row(write: &mut Write, row: OrderRow) {
    match write {
        Write::InsertOrder(kept) | Write::UpdateOrder(kept) => *kept = row,
        Write::RecordFill(rows) => rows.order = row,
        Write::CreateBook(_) | Write::RecordDecision(_) | Write::SaveRiskState(_) => {
            unreachable!("only order writes are indexed by order id")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::store::test_support::{assert_reads_back, write_a_trading_day, RecordedWrites};
    use crate::ledger::store::SqliteStore;

    #[test]
    fn a_folded_batch_leaves_the_tables_as_every_write_in_turn_would() {
        let mut writes = RecordedWrites::default();
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
