//! Exports of a real book of record, written through the journaled store the host runs.

use super::*;
use crate::ledger::store::test_support::{alice, write_a_trading_day};
use crate::ledger::store::{BookStore, DecisionRecord};

/// A book of record holding [`write_a_trading_day`], in a directory of its own.
fn a_trading_day() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("book.db");
    let mut store = JournaledStore::open(&db).unwrap();
    write_a_trading_day(&mut store);
    drop(store);
    (dir, db)
}

fn exported(db: &Path, kind: ExportKind, format: ExportFormat, filter: &ExportFilter) -> (u64, String) {
    let mut out = Vec::new();
    let count = export(db, kind, format, filter, &mut out).unwrap();
    (count, String::from_utf8(out).unwrap())
}

#[test]
fn orders_as_csv_carry_every_column_and_each_time_as_rfc_3339_beside_it() {
    let (_dir, db) = a_trading_day();
    let (count, text) = exported(&db, ExportKind::Orders, ExportFormat::Csv, &ExportFilter::default());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(header[0], "client_order_id");
    assert!(header.ends_with(&[
        "created_ms".to_owned(),
        "created_at".to_owned(),
        "updated_ms".to_owned(),
        "updated_at".to_owned()
    ]));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!((count, rows.len()), (4, 4));
    let field = |row: &csv::StringRecord, name: &str| row[header.iter().position(|h| h == name).unwrap()].to_owned();
    let resting = &rows[3];
    assert_eq!(field(resting, "client_order_id"), "h1-4");
    assert_eq!(field(resting, "state"), "pending_cancel");
    assert_eq!(field(resting, "limit_price"), "60.5");
    assert_eq!(field(resting, "created_at"), "1970-01-01T00:00:00.009Z");
    assert_eq!(field(&rows[0], "limit_price"), "", "a market order has no limit price");
    assert_eq!(field(&rows[0], "filled_qty"), "3");
    // The order terms: a good-till-cancelled limit without flags, the flags as words.
    assert_eq!(
        [
            field(resting, "order_type"),
            field(resting, "time_in_force"),
            field(resting, "post_only"),
            field(resting, "reduce_only"),
            field(resting, "trigger_price")
        ],
        ["limit", "gtc", "false", "false", ""]
    );
    let (_, lines) = exported(&db, ExportKind::Orders, ExportFormat::Jsonl, &ExportFilter::default());
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(
        (&first["post_only"], &first["reduce_only"]),
        (&false.into(), &false.into())
    );
}

#[test]
fn fills_as_json_lines_since_a_time_keep_decimals_exact() {
    let (_dir, db) = a_trading_day();
    let filter = ExportFilter {
        since_ms: Some(6),
        strategy: Some(alice()),
        ..ExportFilter::default()
    };
    let (count, text) = exported(&db, ExportKind::Fills, ExportFormat::Jsonl, &filter);
    let fills: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((count, fills.len()), (2, 2));
    assert_eq!(fills[0]["client_order_id"], "h1-2");
    assert_eq!(fills[0]["price"], "120");
    assert_eq!(fills[0]["fee"], "0.36");
    assert_eq!(fills[0]["time_ms"], 6);
    assert_eq!(fills[0]["time"], "1970-01-01T00:00:00.006Z");
    assert_eq!(fills[0]["trade_id"], serde_json::Value::Null);
    assert_eq!(fills[1]["client_order_id"], "h1-3");
}

#[test]
fn a_strategy_with_no_rows_exports_only_the_header() {
    let (_dir, db) = a_trading_day();
    let filter = ExportFilter {
        strategy: Some(StrategyId::new("nobody")),
        ..ExportFilter::default()
    };
    let (count, text) = exported(&db, ExportKind::Positions, ExportFormat::Csv, &filter);
    assert_eq!(count, 0);
    assert_eq!(
        text,
        "strategy,symbol,qty,cost,realized_pnl,fees,updated_ms,updated_at\n"
    );
    let (count, _) = exported(&db, ExportKind::Positions, ExportFormat::Csv, &ExportFilter::default());
    assert_eq!(count, 1);
}

#[test]
fn a_missing_book_or_one_of_another_schema_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.db");
    let err = export(
        &missing,
        ExportKind::Orders,
        ExportFormat::Csv,
        &ExportFilter::default(),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(matches!(err, ExportError::Missing(_)), "{err}");
    assert!(!missing.exists(), "an export creates no book");

    let (_dir, db) = a_trading_day();
    let newer = i64::try_from(MIGRATIONS.len()).unwrap() + 1;
    Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", newer)
        .unwrap();
    let err = export(
        &db,
        ExportKind::Orders,
        ExportFormat::Csv,
        &ExportFilter::default(),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("book.db"), "{err}");
    assert!(err.to_string().contains("newer"), "{err}");
}

#[test]
fn decisions_keep_their_indicators_as_json_in_both_formats() {
    let (_dir, db) = a_trading_day();
    let mut store = JournaledStore::open(&db).unwrap();
    let indicators = [("rsi", crate::ledger::store::test_support::dec("71.25"))];
    store
        .record_decision(DecisionRecord {
            strategy: &alice(),
            version_hash: "ab12",
            time_ms: 12,
            symbol: "BTC/USD",
            action: "sell",
            confidence: 0.75,
            reasoning: "overbought, \"twice\"",
            indicators: &indicators,
        })
        .unwrap();
    drop(store);
    let (count, text) = exported(
        &db,
        ExportKind::Decisions,
        ExportFormat::Jsonl,
        &ExportFilter::default(),
    );
    assert_eq!(count, 1);
    let decision: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(
        decision["indicators"],
        serde_json::json!([{ "name": "rsi", "value": "71.25" }])
    );
    assert_eq!(decision["confidence"], "0.75");
    assert_eq!(decision["reasoning"], "overbought, \"twice\"");
    assert_eq!(decision["time"], "1970-01-01T00:00:00.012Z");
    let (_, text) = exported(&db, ExportKind::Decisions, ExportFormat::Csv, &ExportFilter::default());
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[6], r#"[{"name":"rsi","value":"71.25"}]"#);
    assert_eq!(&row[5], "overbought, \"twice\"");
}

#[test]
fn a_page_of_the_newest_rows_skips_and_limits_in_reverse_order() {
    let (_dir, db) = a_trading_day();
    let (_, all) = exported(&db, ExportKind::Fills, ExportFormat::Jsonl, &ExportFilter::default());
    let all: Vec<&str> = all.lines().collect();
    assert!(all.len() >= 3, "{all:?}");
    let filter = ExportFilter {
        page: Page {
            newest_first: true,
            offset: 1,
            limit: Some(2),
        },
        ..ExportFilter::default()
    };
    let (count, page) = exported(&db, ExportKind::Fills, ExportFormat::Jsonl, &filter);
    let page: Vec<&str> = page.lines().collect();
    let expected: Vec<&str> = all.iter().rev().skip(1).take(2).copied().collect();
    assert_eq!((count, page), (2, expected));
}
