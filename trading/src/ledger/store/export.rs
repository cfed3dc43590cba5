//! The audit export: the book of record's orders, fills, positions and the strategies'
//! decisions as CSV or JSON lines.
//! An export is a copy for people and other tools; the tables stay the one source of truth
//! and nothing reads an export back.
//!
//! The tables are read as they are stored: decimals as their exact text, times as UTC
//! milliseconds, each time also written as RFC 3339 beside it (`created_ms` and `created_at`).
//! When no host holds the book, its journal is replayed into the tables first (as a start
//! would), so an export after a crash misses nothing; a running host's tables lag its journal
//! by one batch at most.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::journal::JournalError;
use super::schema::MIGRATIONS;
use super::{JournaledStore, StoreError};
use crate::market::{Rfc3339, TimeMs};
use crate::orders::StrategyId;

/// What is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    Orders,
    Fills,
    Positions,
    Decisions,
}

/// How each row is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// A header line, then one line per row; an absent value is an empty field.
    Csv,
    /// One JSON object per line; decimals are strings (exact), an absent value is `null`.
    Jsonl,
}

/// Which rows.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    /// Rows whose time (an order's last change, a fill's time, a position's last change, a
    /// decision's time) is at or after this.
    pub since_ms: Option<TimeMs>,
    pub strategy: Option<StrategyId>,
    /// Which rows of the ones that pass, in the table's order (or its reverse).
    pub page: Page,
}

/// A window onto the rows: `offset` rows skipped, then at most `limit` (`None`: all of them),
/// oldest first unless `newest_first`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Page {
    pub newest_first: bool,
    pub offset: u64,
    pub limit: Option<u64>,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{}: no such book of record", .0.display())]
    Missing(PathBuf),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{}: {source}", .path.display())]
    Read { path: PathBuf, source: rusqlite::Error },
    #[error("{}: schema version {found}, this build reads {supported}: export it with the strategy-host that wrote it, or start this one on it once to migrate it", .path.display())]
    Schema {
        path: PathBuf,
        found: i64,
        supported: usize,
    },
    #[error("writing the export: {0}")]
    Write(#[from] std::io::Error),
}

/// One table's export: its columns in order, the time the `since` filter compares.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    time_column: &'static str,
    order_by: &'static str,
    /// Columns holding JSON text: JSON lines carry them as JSON, not as a string of it.
    json_columns: &'static [&'static str],
    /// Columns holding a flag (0 or 1): written `true` / `false`.
    flag_columns: &'static [&'static str],
}

impl ExportKind {
    fn table(self) -> Table {
        match self {
            ExportKind::Orders => Table {
                name: "orders",
                columns: &[
                    "client_order_id",
                    "venue",
                    "venue_order_id",
                    "strategy",
                    "symbol",
                    "side",
                    "order_type",
                    "limit_price",
                    "trigger_price",
                    "time_in_force",
                    "post_only",
                    "reduce_only",
                    "qty",
                    "tag",
                    "state",
                    "reason",
                    "filled_qty",
                    "avg_fill_price",
                    "fill_count",
                    "created_ms",
                    "updated_ms",
                ],
                time_column: "updated_ms",
                order_by: "created_ms, client_order_id",
                json_columns: &[],
                flag_columns: &["post_only", "reduce_only"],
            },
            ExportKind::Fills => Table {
                name: "fills",
                columns: &[
                    "client_order_id",
                    "seq",
                    "venue",
                    "trade_id",
                    "strategy",
                    "symbol",
                    "side",
                    "price",
                    "qty",
                    "fee",
                    "fee_asset",
                    "venue_fee",
                    "time_ms",
                ],
                time_column: "time_ms",
                order_by: "time_ms, client_order_id, seq",
                json_columns: &[],
                flag_columns: &[],
            },
            ExportKind::Positions => Table {
                name: "positions",
                columns: &[
                    "strategy",
                    "symbol",
                    "qty",
                    "cost",
                    "realized_pnl",
                    "fees",
                    "updated_ms",
                ],
                time_column: "updated_ms",
                order_by: "strategy, symbol",
                json_columns: &[],
                flag_columns: &[],
            },
            ExportKind::Decisions => Table {
                name: "decisions",
                columns: &[
                    "strategy",
                    "version_hash",
                    "symbol",
                    "action",
                    "confidence",
                    "reasoning",
                    "indicators",
                    "time_ms",
                ],
                time_column: "time_ms",
                order_by: "time_ms, id",
                json_columns: &["indicators"],
                flag_columns: &[],
            },
        }
    }
}

/// The name of the RFC 3339 column written beside a milliseconds column.
fn instant_column(column: &str) -> Option<String> {
    column.strip_suffix("_ms").map(|stem| match stem {
        "time" => "time".to_owned(),
        stem => format!("{stem}_at"),
    })
}

/// Writes the `kind` rows of the book of record at `db` that pass `filter` to `out`; returns
/// how many.
///
/// # Errors
///
/// [`ExportError`] naming the file when the book is missing, from another schema version, or
/// unreadable, and when `out` cannot be written.
pub fn export(
    db: &Path,
    kind: ExportKind,
    format: ExportFormat,
    filter: &ExportFilter,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    if !db.is_file() {
        return Err(ExportError::Missing(db.to_path_buf()));
    }
    replay_unless_running(db)?;
    export_tables(db, kind, format, filter, out)
}

/// [`export`] of the tables as they are, for the host that holds the book: its journal is
/// not replayed (the host keeps the tables at most one batch behind it), so a read opens no
/// store and takes no lock.
///
/// # Errors
///
/// As [`export`].
pub fn export_tables(
    db: &Path,
    kind: ExportKind,
    format: ExportFormat,
    filter: &ExportFilter,
    out: &mut dyn Write,
) -> Result<u64, ExportError> {
    if !db.is_file() {
        return Err(ExportError::Missing(db.to_path_buf()));
    }
    let read = |source| ExportError::Read {
        path: db.to_path_buf(),
        source,
    };
    let conn = Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(read)?;
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(read)?;
    if usize::try_from(version).ok() != Some(MIGRATIONS.len()) {
        return Err(ExportError::Schema {
            path: db.to_path_buf(),
            found: version,
            supported: MIGRATIONS.len(),
        });
    }
    let table = kind.table();
    let order_by = if filter.page.newest_first {
        table
            .order_by
            .split(", ")
            .map(|column| format!("{column} DESC"))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        table.order_by.to_owned()
    };
    let sql = format!(
        "SELECT {} FROM {} WHERE (?1 IS NULL OR {} >= ?1) AND (?2 IS NULL OR strategy = ?2) ORDER BY {order_by} LIMIT ?3 OFFSET ?4",
        table.columns.join(", "),
        table.name,
        table.time_column,
    );
    // SQLite takes a negative limit for none; a page beyond i64 rows is all of them.
    let limit = filter.page.limit.map_or(-1, |limit| i64::try_from(limit).unwrap_or(-1));
    let offset = i64::try_from(filter.page.offset).unwrap_or(i64::MAX);
    let mut statement = conn.prepare(&sql).map_err(read)?;
    let mut rows = statement
        .query(rusqlite::params![
            filter.since_ms,
            filter.strategy.as_ref().map(StrategyId::as_str),
            limit,
            offset
        ])
        .map_err(read)?;
    let mut writer = RowWriter::new(format, &table, out)?;
    let mut count = 0;
    while let Some(row) = rows.next().map_err(read)? {
        let values: Vec<ValueRef<'_>> = (0..table.columns.len())
            .map(|i| row.get_ref(i))
            .collect::<Result<_, _>>()
            .map_err(read)?;
        writer.row(&values)?;
        count += 1;
    }
    writer.finish()?;
    Ok(count)
}

/// Replays the journal into the tables when no host holds the book (opening the journaled
/// store does that, and dropping it applies the rest). A host holding it keeps its tables at
/// most one batch behind, so the tables are read as they are.
fn replay_unless_running(db: &Path) -> Result<(), ExportError> {
    match JournaledStore::open(db) {
        Ok(store) => {
            drop(store);
            Ok(())
        }
        Err(StoreError::Journal {
            source: JournalError::Locked { .. },
            ..
        }) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// How one column is written.
struct Column {
    name: &'static str,
    /// For a milliseconds column, the name of its RFC 3339 column.
    instant: Option<String>,
    kind: ColumnKind,
}

/// What a column's values are, beyond SQLite's types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnKind {
    Plain,
    /// JSON text.
    Json,
    /// 0 or 1.
    Flag,
}

/// One format's rows, with the RFC 3339 columns added.
struct RowWriter<'a> {
    format: ExportFormat,
    columns: Vec<Column>,
    csv: Option<csv::Writer<&'a mut dyn Write>>,
    out: Option<&'a mut dyn Write>,
}

impl<'a> RowWriter<'a> {
    fn new(format: ExportFormat, table: &Table, out: &'a mut dyn Write) -> Result<Self, ExportError> {
        let columns: Vec<Column> = table
            .columns
            .iter()
            .map(|name| Column {
                name,
                instant: instant_column(name),
                kind: if table.json_columns.contains(name) {
                    ColumnKind::Json
                } else if table.flag_columns.contains(name) {
                    ColumnKind::Flag
                } else {
                    ColumnKind::Plain
                },
            })
            .collect();
        match format {
            ExportFormat::Csv => {
                let mut csv = csv::Writer::from_writer(out);
                let header: Vec<&str> = columns
                    .iter()
                    .flat_map(|column| std::iter::once(column.name).chain(column.instant.as_deref()))
                    .collect();
                csv.write_record(&header).map_err(csv_error)?;
                Ok(Self {
                    format,
                    columns,
                    csv: Some(csv),
                    out: None,
                })
            }
            ExportFormat::Jsonl => Ok(Self {
                format,
                columns,
                csv: None,
                out: Some(out),
            }),
        }
    }

    fn row(&mut self, values: &[ValueRef<'_>]) -> Result<(), ExportError> {
        match self.format {
            ExportFormat::Csv => {
                let mut record: Vec<String> = Vec::with_capacity(values.len() * 2);
                for (column, value) in self.columns.iter().zip(values) {
                    record.push(text_of(*value, column.kind));
                    if column.instant.is_some() {
                        record.push(instant_of(*value).unwrap_or_default());
                    }
                }
                if let Some(csv) = &mut self.csv {
                    csv.write_record(&record).map_err(csv_error)?;
                }
            }
            ExportFormat::Jsonl => {
                let mut object = serde_json::Map::new();
                for (column, value) in self.columns.iter().zip(values) {
                    object.insert(column.name.to_owned(), json_of(*value, column.kind));
                    if let Some(instant) = &column.instant {
                        let at = instant_of(*value).map_or(serde_json::Value::Null, serde_json::Value::String);
                        object.insert(instant.clone(), at);
                    }
                }
                if let Some(out) = &mut self.out {
                    serde_json::to_writer(&mut **out, &object).map_err(std::io::Error::other)?;
                    out.write_all(b"\n")?;
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<(), ExportError> {
        if let Some(mut csv) = self.csv {
            csv.flush()?;
        }
        if let Some(out) = self.out {
            out.flush()?;
        }
        Ok(())
    }
}

fn csv_error(e: csv::Error) -> ExportError {
    ExportError::Write(std::io::Error::other(e))
}

fn text_of(value: ValueRef<'_>, kind: ColumnKind) -> String {
    match value {
        ValueRef::Null => String::new(),
        ValueRef::Integer(n) if kind == ColumnKind::Flag => (n != 0).to_string(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(x) => x.to_string(),
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// `value` as JSON; a JSON column's text as the JSON it holds (or as its text, should it not
/// be JSON), a flag as a boolean.
fn json_of(value: ValueRef<'_>, kind: ColumnKind) -> serde_json::Value {
    match value {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(n) if kind == ColumnKind::Flag => (n != 0).into(),
        ValueRef::Integer(n) => n.into(),
        ValueRef::Real(x) => x.into(),
        ValueRef::Text(bytes) if kind == ColumnKind::Json => {
            serde_json::from_slice(bytes).unwrap_or_else(|_| String::from_utf8_lossy(bytes).into_owned().into())
        }
        ValueRef::Text(bytes) | ValueRef::Blob(bytes) => String::from_utf8_lossy(bytes).into_owned().into(),
    }
}

fn instant_of(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Integer(ms) => Some(Rfc3339(ms).to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
