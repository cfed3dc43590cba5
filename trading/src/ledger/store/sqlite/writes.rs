//! The statements of each [`Write`]: the only place the book of record's rows meet SQL.

use std::path::Path;

use rusqlite::{params, Connection};

use crate::ledger::store::rows::{BookRow, DecisionRow, FillRows, OrderRow, RiskStateRow, Write};
use crate::ledger::store::StoreError;

/// Why a write did not happen.
#[derive(Debug)]
pub(super) enum WriteFailure {
    Sql(rusqlite::Error),
    /// An update or fill for an order that was never inserted.
    UnknownOrder(String),
}

impl From<rusqlite::Error> for WriteFailure {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sql(e)
    }
}

impl WriteFailure {
    pub(super) fn into_store_error(self, path: &Path) -> StoreError {
        match self {
            Self::Sql(e) => super::backend(path, e),
            Self::UnknownOrder(id) => StoreError::UnknownOrder {
                path: path.to_path_buf(),
                id,
            },
        }
    }
}

/// Runs one write's statements on `conn` (a transaction the caller commits).
pub(super) fn execute(conn: &Connection, write: &Write) -> Result<(), WriteFailure> {
    match write {
        Write::CreateBook(book) => create_book(conn, book),
        Write::InsertOrder(order) => insert_order(conn, order),
        Write::UpdateOrder(order) => update_order(conn, order),
        Write::RecordFill(fill) => record_fill(conn, fill),
        Write::RecordDecision(decision) => record_decision(conn, decision),
        Write::SaveRiskState(state) => save_risk_state(conn, state),
    }
}

fn save_risk_state(conn: &Connection, r: &RiskStateRow) -> Result<(), WriteFailure> {
    let (kind, loss, limit, since) = match &r.breach {
        Some((kind, loss, limit, since)) => (Some(kind), Some(loss), Some(limit), Some(since)),
        None => (None, None, None, None),
    };
    conn.prepare_cached(
        "INSERT OR REPLACE INTO risk_states (scope_kind, scope, state, breach_kind, breach_loss, breach_limit,
             breach_since_ms, day, day_open_equity, peak_equity, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        r.scope_kind,
        r.scope,
        r.state,
        kind,
        loss,
        limit,
        since,
        r.day,
        r.day_open_equity,
        r.peak_equity,
        r.updated_ms
    ])?;
    Ok(())
}

fn record_decision(conn: &Connection, d: &DecisionRow) -> Result<(), WriteFailure> {
    conn.prepare_cached(
        "INSERT INTO decisions (strategy, version_hash, time_ms, symbol, action, confidence, reasoning, indicators)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        d.strategy,
        d.version_hash,
        d.time_ms,
        d.symbol,
        d.action,
        d.confidence,
        d.reasoning,
        d.indicators
    ])?;
    Ok(())
}

fn create_book(conn: &Connection, book: &BookRow) -> Result<(), WriteFailure> {
    conn.prepare_cached(
        "INSERT INTO strategies (strategy, initial_cash, cash, created_ms, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (strategy) DO NOTHING",
    )?
    .execute(params![book.strategy, book.initial_cash, book.cash, book.time_ms])?;
    Ok(())
}

fn insert_order(conn: &Connection, o: &OrderRow) -> Result<(), WriteFailure> {
    conn.prepare_cached(
        "INSERT INTO orders (client_order_id, strategy, symbol, side, order_type, limit_price, trigger_price,
                             time_in_force, post_only, reduce_only, qty, tag, state, state_time_ms, reason,
                             filled_qty, avg_fill_price, fill_count, created_ms, updated_ms, venue, venue_order_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                 ?21, ?22)",
    )?
    .execute(params![
        o.client_order_id,
        o.strategy,
        o.symbol,
        o.side,
        o.order_type,
        o.limit_price,
        o.trigger_price,
        o.time_in_force,
        o.post_only,
        o.reduce_only,
        o.qty,
        o.tag,
        o.state,
        o.state_time_ms,
        o.reason,
        o.filled_qty,
        o.avg_fill_price,
        o.fill_count,
        o.created_ms,
        o.updated_ms,
        o.venue,
        o.venue_order_id,
    ])?;
    Ok(())
}

/// An order's state, fills so far and, since an amend changes them in place, its quantity and price.
fn update_order(conn: &Connection, o: &OrderRow) -> Result<(), WriteFailure> {
    let changed = conn
        .prepare_cached(
            "UPDATE orders SET state = ?2, state_time_ms = ?3, reason = ?4, filled_qty = ?5, avg_fill_price = ?6,
                    fill_count = ?7, updated_ms = ?8, qty = ?9, limit_price = ?10, venue_order_id = ?11
             WHERE client_order_id = ?1",
        )?
        .execute(params![
            o.client_order_id,
            o.state,
            o.state_time_ms,
            o.reason,
            o.filled_qty,
            o.avg_fill_price,
            o.fill_count,
            o.updated_ms,
            o.qty,
            o.limit_price,
            o.venue_order_id,
        ])?;
    if changed == 0 {
        return Err(WriteFailure::UnknownOrder(o.client_order_id.clone()));
    }
    Ok(())
}

fn record_fill(conn: &Connection, rows: &FillRows) -> Result<(), WriteFailure> {
    let FillRows {
        fill: f,
        order,
        position: p,
        cash,
        round_trip,
    } = rows;
    conn.prepare_cached(
        "INSERT INTO fills (client_order_id, seq, strategy, symbol, side, price, qty, fee, time_ms,
                            venue, trade_id, fee_asset, venue_fee)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        f.client_order_id,
        f.seq,
        f.strategy,
        f.symbol,
        f.side,
        f.price,
        f.qty,
        f.fee,
        f.time_ms,
        f.venue,
        f.trade_id,
        f.fee_asset,
        f.venue_fee,
    ])?;
    update_order(conn, order)?;
    conn.prepare_cached(
        "INSERT INTO positions (strategy, symbol, qty, cost, realized_pnl, fees, trade_side, trade_entry_ms,
                                trade_entry_qty, trade_entry_value, trade_exit_qty, trade_exit_value,
                                trade_realized_pnl, trade_fees, updated_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT (strategy, symbol) DO UPDATE SET
            qty = excluded.qty, cost = excluded.cost, realized_pnl = excluded.realized_pnl,
            fees = excluded.fees, trade_side = excluded.trade_side,
            trade_entry_ms = excluded.trade_entry_ms, trade_entry_qty = excluded.trade_entry_qty,
            trade_entry_value = excluded.trade_entry_value, trade_exit_qty = excluded.trade_exit_qty,
            trade_exit_value = excluded.trade_exit_value,
            trade_realized_pnl = excluded.trade_realized_pnl, trade_fees = excluded.trade_fees,
            updated_ms = excluded.updated_ms",
    )?
    .execute(params![
        p.strategy,
        p.symbol,
        p.qty,
        p.cost,
        p.realized_pnl,
        p.fees,
        p.trade_side,
        p.trade_entry_ms,
        p.trade_entry_qty,
        p.trade_entry_value,
        p.trade_exit_qty,
        p.trade_exit_value,
        p.trade_realized_pnl,
        p.trade_fees,
        p.updated_ms,
    ])?;
    conn.prepare_cached("UPDATE strategies SET cash = ?2, updated_ms = ?3 WHERE strategy = ?1")?
        .execute(params![f.strategy, cash, f.time_ms])?;
    if let Some(t) = round_trip {
        conn.prepare_cached(
            "INSERT INTO round_trips (strategy, symbol, side, qty, entry_ms, exit_ms, avg_entry_price,
                                      avg_exit_price, fees, pnl)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            t.strategy,
            t.symbol,
            t.side,
            t.qty,
            t.entry_ms,
            t.exit_ms,
            t.avg_entry_price,
            t.avg_exit_price,
            t.fees,
            t.pnl,
        ])?;
    }
    Ok(())
}
