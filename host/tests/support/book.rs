//! A strategy's book of record as the real binary left it in its SQLite file: its orders and
//! fills, without the client order ids (they embed the run's start time), so that the trades of
//! two runs can be compared for equality.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

/// One order, as the `orders` table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookOrder {
    pub created_ms: i64,
    pub side: String,
    pub order_type: String,
    pub limit_price: Option<String>,
    pub qty: String,
    pub state: String,
    pub filled_qty: String,
}

/// One fill, as the `fills` table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookFill {
    pub time_ms: i64,
    pub side: String,
    pub qty: String,
    pub price: String,
    pub fee: String,
}

/// Everything a strategy traded, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    pub orders: Vec<BookOrder>,
    pub fills: Vec<BookFill>,
}

/// Reads `strategy`'s orders and fills from the book of record at `db`. Rows are ordered by time
/// and then by every compared column, so equal trades compare equal whatever ids they got.
pub fn book_of(db: &Path, strategy: &str) -> Book {
    let db = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("open the book of record {}: {e}", db.display()));
    let orders = rows(
        &db,
        "SELECT created_ms, side, order_type, limit_price, qty, state, filled_qty FROM orders
         WHERE strategy = ?1 ORDER BY created_ms, side, order_type, limit_price, qty, state, filled_qty",
        strategy,
        |row| {
            Ok(BookOrder {
                created_ms: row.get(0)?,
                side: row.get(1)?,
                order_type: row.get(2)?,
                limit_price: row.get(3)?,
                qty: row.get(4)?,
                state: row.get(5)?,
                filled_qty: row.get(6)?,
            })
        },
    );
    let fills = rows(
        &db,
        "SELECT time_ms, side, qty, price, fee FROM fills
         WHERE strategy = ?1 ORDER BY time_ms, side, qty, price, fee",
        strategy,
        |row| {
            Ok(BookFill {
                time_ms: row.get(0)?,
                side: row.get(1)?,
                qty: row.get(2)?,
                price: row.get(3)?,
                fee: row.get(4)?,
            })
        },
    );
    Book { orders, fills }
}

fn rows<T>(
    db: &Connection,
    sql: &str,
    strategy: &str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Vec<T> {
    let mut statement = db.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    statement
        .query_map([strategy], row)
        .and_then(|rows| rows.collect())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

impl Book {
    /// Where `self` and `other` first part ways, for a failure message that fits on a screen.
    pub fn first_difference(&self, other: &Book) -> Option<String> {
        fn first<T: PartialEq + std::fmt::Debug>(what: &str, a: &[T], b: &[T]) -> Option<String> {
            let i = a
                .iter()
                .zip(b)
                .position(|(x, y)| x != y)
                .or_else(|| (a.len() != b.len()).then(|| a.len().min(b.len())))?;
            Some(format!(
                "{what} #{i} of {}/{}: {:?} vs {:?}",
                a.len(),
                b.len(),
                a.get(i),
                b.get(i)
            ))
        }
        first("order", &self.orders, &other.orders).or_else(|| first("fill", &self.fills, &other.fills))
    }
}
