//! What every test against a local exchange needs: the `[venues.NAME]` table that points the
//! host at it, and the book of record's venue side (venue order ids, trade ids) as it stands.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};
use rust_decimal::Decimal;

use super::{wait_until, RunningHost};

/// `[venues.NAME]` enabled for `symbol` on `urls` (key, URL), reconnecting within
/// milliseconds (a test drops connections on purpose); `extra` lines join the table.
pub fn venue_table(name: &str, symbol: &str, urls: &[(&str, String)], extra: &str) -> String {
    let mut table = format!("[venues.{name}]\nenabled = true\nsymbols = [\"{symbol}\"]\n");
    for (key, url) in urls {
        table.push_str(&format!("{key} = \"{url}\"\n"));
    }
    table.push_str("reconnect_initial_ms = 20\nreconnect_max_ms = 200\n");
    table.push_str(extra);
    table.push('\n');
    table
}

/// One fill of the book of record, with the venue's trade id.
#[derive(Debug, Clone)]
pub struct VenueFill {
    pub order_id: String,
    pub trade_id: Option<String>,
    pub qty: Decimal,
    pub price: Decimal,
    /// In the quote currency.
    pub fee: Decimal,
}

fn open(db: &Path) -> Connection {
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap_or_else(|e| panic!("open the book of record {}: {e}", db.display()))
}

fn decimal(text: String) -> Decimal {
    text.parse()
        .unwrap_or_else(|e| panic!("{text:?} in the book of record: {e}"))
}

/// Every fill of `strategy`, oldest first.
pub fn venue_fills(db: &Path, strategy: &str) -> Vec<VenueFill> {
    let db = open(db);
    let mut query = db
        .prepare(
            "SELECT client_order_id, trade_id, qty, price, fee FROM fills WHERE strategy = ?1 ORDER BY time_ms, seq",
        )
        .unwrap();
    query
        .query_map([strategy], |row| {
            Ok(VenueFill {
                order_id: row.get(0)?,
                trade_id: row.get(1)?,
                qty: decimal(row.get(2)?),
                price: decimal(row.get(3)?),
                fee: decimal(row.get(4)?),
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// One order of the book of record, on the venue it went to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueOrder {
    pub strategy: String,
    pub symbol: String,
    pub state: String,
    pub venue_order_id: Option<String>,
    pub qty: Decimal,
    pub filled_qty: Decimal,
}

/// Each order sent to `venue`, by client order id.
pub fn venue_orders(db: &Path, venue: &str) -> BTreeMap<String, VenueOrder> {
    let db = open(db);
    let mut query = db
        .prepare("SELECT client_order_id, strategy, symbol, state, venue_order_id, qty, filled_qty FROM orders WHERE venue = ?1")
        .unwrap();
    query
        .query_map([venue], |row| {
            Ok((
                row.get(0)?,
                VenueOrder {
                    strategy: row.get(1)?,
                    symbol: row.get(2)?,
                    state: row.get(3)?,
                    venue_order_id: row.get(4)?,
                    qty: decimal(row.get(5)?),
                    filled_qty: decimal(row.get(6)?),
                },
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// `strategy`'s position in `symbol`, zero before its first fill.
pub fn position(db: &Path, strategy: &str, symbol: &str) -> Decimal {
    let qty = open(db).query_row(
        "SELECT qty FROM positions WHERE strategy = ?1 AND symbol = ?2",
        [strategy, symbol],
        |row| row.get::<_, String>(0),
    );
    match qty {
        Ok(qty) => decimal(qty),
        Err(rusqlite::Error::QueryReturnedNoRows) => Decimal::ZERO,
        Err(e) => panic!("{strategy}'s position in {symbol}: {e}"),
    }
}

/// `strategy`'s cash and the cash its book was created with, once it has a book.
pub fn cash(db: &Path, strategy: &str) -> Option<(Decimal, Decimal)> {
    open(db)
        .query_row(
            "SELECT cash, initial_cash FROM strategies WHERE strategy = ?1",
            [strategy],
            |row| Ok((decimal(row.get(0)?), decimal(row.get(1)?))),
        )
        .ok()
}

/// The state `strategy` kept in its latest snapshot, if it has one.
pub fn latest_snapshot(db: &Path, strategy: &str) -> Option<Vec<u8>> {
    open(db)
        .query_row(
            "SELECT state FROM strategy_snapshots WHERE strategy = ?1 ORDER BY id DESC LIMIT 1",
            [strategy],
            |row| row.get(0),
        )
        .ok()
}

/// The venue `name` as `/status` shows it.
pub fn venue_status(host: &RunningHost, name: &str) -> Option<serde_json::Value> {
    let status = host.status()?;
    status["venues"].as_array()?.iter().find(|v| v["name"] == name).cloned()
}

/// Waits for the order connection of `venue` to be open (connected and reconciled).
pub fn wait_orders_open(host: &RunningHost, venue: &str, what: &str) {
    wait_until(what, Duration::from_secs(60), || {
        (venue_status(host, venue)?["orders"]["state"] == "open").then_some(())
    });
}

/// What the account holds by the venue's word, as `/status` shows it.
pub fn venue_balances(host: &RunningHost, venue: &str) -> Option<BTreeMap<String, Decimal>> {
    venue_status(host, venue)?["balances"]
        .as_object()?
        .iter()
        .map(|(asset, v)| Some((asset.clone(), v.as_str()?.parse().ok()?)))
        .collect()
}
