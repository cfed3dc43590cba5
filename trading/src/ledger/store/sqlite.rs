//! [`SqliteStore`]: the book of record in one SQLite file (bundled SQLite, WAL journal).
//!
//! `synchronous=NORMAL` with WAL means a committed transaction survives a crash of the process
//! and, at worst, the last transactions are lost on a power cut; the file never corrupts.
//! Every write is a prepared statement from the connection's cache. A file's WAL is
//! checkpointed by a thread of its own (`checkpointer.rs`), never on a writer's thread.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use rusqlite::{params, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;

use crate::ledger::store::checkpointer::Checkpointer;
use crate::ledger::store::rows::{BookRow, DecisionRow, FillRows, OrderRow, RiskStateRow, Write};
use crate::ledger::store::schema::MIGRATIONS;
use crate::ledger::store::{
    BookStore, DecisionRecord, FillOnRecord, FillRecord, RiskStateRecord, StoreError, StrategySnapshot,
};
use crate::ledger::{Book, Holding, HoldingParts, OpenTrade, RoundTrip, TradeSide};
use crate::market::{Side, Symbol, TimeMs};
use crate::orders::{
    Order, OrderId, OrderParts, OrderRequest, OrderState, OrderType, StrategyId, TimeInForce, TradeId, VenueId,
    VenueOrderId,
};
use crate::risk::{Breach, LossGuard, LossKind, RiskScope, TradingState};

/// A `risk_states` row as read: kinds and decimals still text.
struct RawRiskState {
    scope_kind: String,
    scope: String,
    state: String,
    breach_kind: Option<String>,
    breach_loss: Option<String>,
    breach_limit: Option<String>,
    breach_since_ms: Option<TimeMs>,
    day: i64,
    day_open_equity: String,
    peak_equity: String,
    updated_ms: TimeMs,
}

/// The book of record in SQLite.
#[derive(Debug)]
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    /// `None` in memory, or when the thread could not start (SQLite then checkpoints itself).
    checkpointer: Option<Checkpointer>,
}

const WORKING_STATES: &str = "('pending_new', 'open', 'partially_filled', 'pending_cancel')";

impl SqliteStore {
    /// Opens (or creates) the store at `path`, switches it to WAL and brings its schema up to date.
    ///
    /// # Errors
    ///
    /// [`StoreError::Open`] naming the file when it cannot be opened or migrated,
    /// [`StoreError::TooNew`] when a newer build wrote it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open(&path).map_err(|e| StoreError::Open {
            path: path.clone(),
            source: e.into(),
        })?;
        let mut store = Self::init(conn, path)?;
        match Checkpointer::start(&store.path) {
            Ok(checkpointer) => {
                store
                    .conn
                    .pragma_update(None, "wal_autocheckpoint", 0)
                    .map_err(|e| store.backend(e))?;
                store.checkpointer = Some(checkpointer);
            }
            Err(e) => {
                tracing::warn!(path = %store.path.display(), error = %e, "no checkpointing thread: SQLite checkpoints on the writer's thread")
            }
        }
        Ok(store)
    }

    /// A store that lives in memory only: a real SQLite database, for tests.
    ///
    /// # Errors
    ///
    /// [`StoreError::Open`] if SQLite cannot allocate it.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        let path = PathBuf::from(":memory:");
        let conn = Connection::open_in_memory().map_err(|e| StoreError::Open {
            path: path.clone(),
            source: e.into(),
        })?;
        Self::init(conn, path)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn init(mut conn: Connection, path: PathBuf) -> Result<Self, StoreError> {
        let open_err = |e: rusqlite::Error| StoreError::Open {
            path: path.clone(),
            source: e.into(),
        };
        // journal_mode answers with the mode it switched to; an in-memory database stays "memory".
        let _mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(open_err)?;
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(open_err)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(open_err)?;
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StoreError::TooNew {
                path,
                found: version,
                supported,
            });
        }
        if version < supported {
            let tx = conn.transaction().map_err(open_err)?;
            for migration in &MIGRATIONS[version.max(0) as usize..] {
                tx.execute_batch(migration).map_err(open_err)?;
            }
            tx.pragma_update(None, "user_version", supported).map_err(open_err)?;
            tx.commit().map_err(open_err)?;
        }
        Ok(Self {
            conn,
            path,
            checkpointer: None,
        })
    }

    fn backend(&self, e: rusqlite::Error) -> StoreError {
        backend(&self.path, e)
    }

    fn corrupt(&self, table: &'static str, column: &'static str, value: &str, expected: &'static str) -> StoreError {
        StoreError::Corrupt {
            path: self.path.clone(),
            table,
            column,
            value: value.to_owned(),
            expected,
        }
    }

    fn risk_state(&self, raw: RawRiskState) -> Result<RiskStateRecord, StoreError> {
        const T: &str = "risk_states";
        let scope = match raw.scope_kind.as_str() {
            "strategy" => RiskScope::Strategy(StrategyId::new(&raw.scope)),
            "account" => RiskScope::Account(VenueId::new(&raw.scope)),
            other => return Err(self.corrupt(T, "scope_kind", other, "strategy or account")),
        };
        let state = match raw.state.as_str() {
            "active" => TradingState::Active,
            "reducing" => TradingState::Reducing,
            "halted" => TradingState::Halted,
            other => return Err(self.corrupt(T, "state", other, "active, reducing or halted")),
        };
        let breach = match (
            raw.breach_kind,
            raw.breach_loss,
            raw.breach_limit,
            raw.breach_since_ms,
            state,
        ) {
            (None, None, None, None, TradingState::Active) => None,
            (Some(kind), Some(loss), Some(limit), Some(since_ms), TradingState::Reducing | TradingState::Halted) => {
                let kind = match kind.as_str() {
                    "daily_loss_limit" => LossKind::DailyLoss,
                    "max_drawdown" => LossKind::Drawdown,
                    other => return Err(self.corrupt(T, "breach_kind", other, "daily_loss_limit or max_drawdown")),
                };
                Some(Breach {
                    kind,
                    loss: self.decimal(T, "breach_loss", &loss)?,
                    limit: self.decimal(T, "breach_limit", &limit)?,
                    state,
                    since_ms,
                })
            }
            _ => {
                return Err(self.corrupt(
                    T,
                    "breach_kind",
                    &raw.state,
                    "every breach column set while reducing or halted, none while active",
                ))
            }
        };
        Ok(RiskStateRecord {
            scope,
            guard: LossGuard {
                day: raw.day,
                day_open_equity: self.decimal(T, "day_open_equity", &raw.day_open_equity)?,
                peak_equity: self.decimal(T, "peak_equity", &raw.peak_equity)?,
                breach,
            },
            time_ms: raw.updated_ms,
        })
    }

    fn decimal(&self, table: &'static str, column: &'static str, text: &str) -> Result<Decimal, StoreError> {
        Decimal::from_str(text).map_err(|_| self.corrupt(table, column, text, "a decimal"))
    }

    fn symbol(&self, table: &'static str, text: &str) -> Result<Symbol, StoreError> {
        Symbol::new(text).map_err(|_| self.corrupt(table, "symbol", text, "a BASE/QUOTE symbol"))
    }

    fn side(&self, table: &'static str, text: &str) -> Result<Side, StoreError> {
        match text {
            "buy" => Ok(Side::Buy),
            "sell" => Ok(Side::Sell),
            _ => Err(self.corrupt(table, "side", text, "buy or sell")),
        }
    }

    fn trade_side(&self, table: &'static str, column: &'static str, text: &str) -> Result<TradeSide, StoreError> {
        match text {
            "long" => Ok(TradeSide::Long),
            "short" => Ok(TradeSide::Short),
            _ => Err(self.corrupt(table, column, text, "long or short")),
        }
    }

    fn holdings(&self, strategy: &StrategyId) -> Result<Vec<(Symbol, Holding)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT symbol, qty, cost, realized_pnl, fees, trade_side, trade_entry_ms, trade_entry_qty,
                        trade_entry_value, trade_exit_qty, trade_exit_value, trade_realized_pnl, trade_fees
                 FROM positions WHERE strategy = ?1 ORDER BY symbol",
            )
            .map_err(|e| self.backend(e))?;
        let rows = stmt
            .query_map([strategy.as_str()], RawHolding::read)
            .and_then(Iterator::collect::<Result<Vec<_>, _>>)
            .map_err(|e| self.backend(e))?;
        rows.into_iter().map(|raw| self.holding(raw)).collect()
    }

    fn holding(&self, raw: RawHolding) -> Result<(Symbol, Holding), StoreError> {
        const T: &str = "positions";
        let d = |column, text: &str| self.decimal(T, column, text);
        let trade = match (raw.trade_side, raw.trade_entry_ms) {
            (Some(side), Some(entry_ms)) => {
                let text = |column, value: Option<String>| {
                    value.ok_or_else(|| self.corrupt(T, column, "NULL", "a decimal while a trade is open"))
                };
                Some(OpenTrade {
                    side: self.trade_side(T, "trade_side", &side)?,
                    entry_ms,
                    entry_qty: d("trade_entry_qty", &text("trade_entry_qty", raw.trade_entry_qty)?)?,
                    entry_value: d("trade_entry_value", &text("trade_entry_value", raw.trade_entry_value)?)?,
                    exit_qty: d("trade_exit_qty", &text("trade_exit_qty", raw.trade_exit_qty)?)?,
                    exit_value: d("trade_exit_value", &text("trade_exit_value", raw.trade_exit_value)?)?,
                    realized_pnl: d(
                        "trade_realized_pnl",
                        &text("trade_realized_pnl", raw.trade_realized_pnl)?,
                    )?,
                    fees: d("trade_fees", &text("trade_fees", raw.trade_fees)?)?,
                })
            }
            _ => None,
        };
        let parts = HoldingParts {
            qty: d("qty", &raw.qty)?,
            cost: d("cost", &raw.cost)?,
            realized_pnl: d("realized_pnl", &raw.realized_pnl)?,
            fees: d("fees", &raw.fees)?,
            trade,
        };
        let holding = Holding::restore(parts)
            .ok_or_else(|| self.corrupt(T, "qty", &raw.qty, "qty, cost and the open trade to agree on flatness"))?;
        Ok((self.symbol(T, &raw.symbol)?, holding))
    }

    fn book(&self, strategy: String, initial_cash: String, cash: String) -> Result<Book, StoreError> {
        let strategy = StrategyId::new(&strategy);
        let holdings = self.holdings(&strategy)?;
        Ok(Book::restore(
            strategy,
            self.decimal("strategies", "initial_cash", &initial_cash)?,
            self.decimal("strategies", "cash", &cash)?,
            holdings,
        ))
    }

    fn order(&self, raw: RawOrder) -> Result<Order, StoreError> {
        const T: &str = "orders";
        let limit = |price: &str| self.decimal(T, "limit_price", price);
        let trigger = |price: &str| self.decimal(T, "trigger_price", price);
        let order_type = match (
            raw.order_type.as_str(),
            raw.limit_price.as_deref(),
            raw.trigger_price.as_deref(),
        ) {
            ("market", None, None) => OrderType::Market,
            ("limit", Some(price), None) => OrderType::Limit(limit(price)?),
            ("stop", None, Some(price)) => OrderType::Stop(trigger(price)?),
            ("stop_limit", Some(limit_price), Some(trigger_price)) => OrderType::StopLimit {
                trigger: trigger(trigger_price)?,
                limit: limit(limit_price)?,
            },
            (other, _, _) => {
                return Err(self.corrupt(
                    T,
                    "order_type",
                    other,
                    "market, limit (a limit price), stop (a trigger price) or stop_limit (both)",
                ))
            }
        };
        let time_in_force = match raw.time_in_force.as_str() {
            "gtc" => TimeInForce::Gtc,
            "ioc" => TimeInForce::Ioc,
            "fok" => TimeInForce::Fok,
            other => return Err(self.corrupt(T, "time_in_force", other, "gtc, ioc or fok")),
        };
        let state = match (raw.state.as_str(), raw.state_time_ms) {
            ("pending_new", _) => OrderState::PendingNew,
            ("open", _) => OrderState::Open,
            ("partially_filled", _) => OrderState::PartiallyFilled,
            ("pending_cancel", Some(requested_ms)) => OrderState::PendingCancel { requested_ms },
            ("filled", _) => OrderState::Filled,
            ("cancelled", _) => OrderState::Cancelled { reason: raw.reason },
            ("rejected", _) => OrderState::Rejected {
                reason: raw.reason.unwrap_or_default(),
            },
            (other, _) => return Err(self.corrupt(T, "state", other, "an order state (pending_cancel with its time)")),
        };
        let parts = OrderParts {
            id: OrderId::new(&raw.id),
            strategy: StrategyId::new(&raw.strategy),
            venue: VenueId::new(&raw.venue),
            venue_order_id: raw.venue_order_id.as_deref().map(VenueOrderId::new),
            request: OrderRequest {
                symbol: self.symbol(T, &raw.symbol)?,
                side: self.side(T, &raw.side)?,
                qty: self.decimal(T, "qty", &raw.qty)?,
                order_type,
                time_in_force,
                post_only: raw.post_only,
                reduce_only: raw.reduce_only,
                tag: raw.tag,
            },
            state,
            filled_qty: self.decimal(T, "filled_qty", &raw.filled_qty)?,
            avg_fill_price: self.decimal(T, "avg_fill_price", &raw.avg_fill_price)?,
            fill_count: u32::try_from(raw.fill_count)
                .map_err(|_| self.corrupt(T, "fill_count", &raw.fill_count.to_string(), "a count"))?,
            created_ms: raw.created_ms,
            updated_ms: raw.updated_ms,
        };
        Order::restore(parts).ok_or_else(|| self.corrupt(T, "filled_qty", &raw.filled_qty, "0 ≤ filled_qty ≤ qty"))
    }

    /// Runs one write in a transaction of its own.
    pub(crate) fn write(&mut self, write: &Write) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(|e| backend(&self.path, e))?;
        execute(&tx, write).map_err(|e| e.into_store_error(&self.path))?;
        tx.commit().map_err(|e| backend(&self.path, e))
    }

    /// Runs a journal's writes, in order, in one transaction that also records `through`, the
    /// sequence number of the last record they stand for, as applied: a batch is in the tables
    /// entirely or not at all.
    pub(crate) fn apply_journaled(&mut self, writes: &[Write], through: u64) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(|e| backend(&self.path, e))?;
        for write in writes {
            execute(&tx, write).map_err(|e| e.into_store_error(&self.path))?;
        }
        tx.prepare_cached(
            "INSERT INTO journal_applied (id, seq) VALUES (1, ?1) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq",
        )
        .and_then(|mut s| s.execute([through]))
        .map_err(|e| backend(&self.path, e))?;
        tx.commit().map_err(|e| backend(&self.path, e))
    }

    /// The sequence number of the last journal record in the tables (0 for none).
    pub(crate) fn journal_applied(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT seq FROM journal_applied WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.backend(e))
    }
}

impl BookStore for SqliteStore {
    fn create_book(&mut self, book: &Book, time_ms: TimeMs) -> Result<(), StoreError> {
        self.write(&Write::CreateBook(BookRow::new(book, time_ms)))
    }

    fn insert_order(&mut self, order: &Order) -> Result<(), StoreError> {
        self.write(&Write::InsertOrder(OrderRow::new(order)))
    }

    fn update_order(&mut self, order: &Order) -> Result<(), StoreError> {
        self.write(&Write::UpdateOrder(OrderRow::new(order)))
    }

    fn record_fill(&mut self, record: FillRecord<'_>) -> Result<(), StoreError> {
        self.write(&Write::RecordFill(Box::new(FillRows::new(&record))))
    }

    fn record_decision(&mut self, decision: DecisionRecord<'_>) -> Result<(), StoreError> {
        self.write(&Write::RecordDecision(Box::new(DecisionRow::new(&decision))))
    }

    fn save_risk_state(&mut self, record: &RiskStateRecord) -> Result<(), StoreError> {
        self.write(&Write::SaveRiskState(Box::new(RiskStateRow::new(record))))
    }

    fn load_risk_states(&self) -> Result<Vec<RiskStateRecord>, StoreError> {
        let rows: Vec<RawRiskState> = self
            .conn
            .prepare_cached(
                "SELECT scope_kind, scope, state, breach_kind, breach_loss, breach_limit, breach_since_ms, day,
                        day_open_equity, peak_equity, updated_ms
                 FROM risk_states ORDER BY scope_kind DESC, scope",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(RawRiskState {
                        scope_kind: r.get(0)?,
                        scope: r.get(1)?,
                        state: r.get(2)?,
                        breach_kind: r.get(3)?,
                        breach_loss: r.get(4)?,
                        breach_limit: r.get(5)?,
                        breach_since_ms: r.get(6)?,
                        day: r.get(7)?,
                        day_open_equity: r.get(8)?,
                        peak_equity: r.get(9)?,
                        updated_ms: r.get(10)?,
                    })
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| self.backend(e))?;
        rows.into_iter().map(|raw| self.risk_state(raw)).collect()
    }

    fn save_snapshot(&mut self, snapshot: &StrategySnapshot) -> Result<(), StoreError> {
        self.conn
            .prepare_cached(
                "INSERT INTO strategy_snapshots (strategy, version_hash, state, time_ms) VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    snapshot.strategy.as_str(),
                    snapshot.version_hash,
                    snapshot.state,
                    snapshot.time_ms
                ])
            })
            .map_err(|e| self.backend(e))?;
        Ok(())
    }

    fn forget_snapshots(&mut self, strategy: &StrategyId) -> Result<(), StoreError> {
        self.conn
            .prepare_cached("DELETE FROM strategy_snapshots WHERE strategy = ?1")
            .and_then(|mut s| s.execute(params![strategy.as_str()]))
            .map_err(|e| self.backend(e))?;
        Ok(())
    }

    fn load_book(&self, strategy: &StrategyId) -> Result<Option<Book>, StoreError> {
        let row = self
            .conn
            .prepare_cached("SELECT strategy, initial_cash, cash FROM strategies WHERE strategy = ?1")
            .and_then(|mut s| {
                s.query_row([strategy.as_str()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    .optional()
            })
            .map_err(|e| self.backend(e))?;
        row.map(|(strategy, initial, cash)| self.book(strategy, initial, cash))
            .transpose()
    }

    fn load_books(&self) -> Result<Vec<Book>, StoreError> {
        let rows: Vec<(String, String, String)> = self
            .conn
            .prepare_cached("SELECT strategy, initial_cash, cash FROM strategies ORDER BY strategy")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| self.backend(e))?;
        rows.into_iter()
            .map(|(strategy, initial, cash)| self.book(strategy, initial, cash))
            .collect()
    }

    fn load_working_orders(&self) -> Result<Vec<Order>, StoreError> {
        let sql = format!(
            "SELECT client_order_id, strategy, symbol, side, order_type, limit_price, qty, tag, state, state_time_ms,
                    reason, filled_qty, avg_fill_price, fill_count, created_ms, updated_ms, venue, venue_order_id,
                    trigger_price, time_in_force, post_only, reduce_only
             FROM orders WHERE state IN {WORKING_STATES} ORDER BY created_ms, rowid"
        );
        let rows = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_map([], RawOrder::read)?.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.backend(e))?;
        rows.into_iter().map(|raw| self.order(raw)).collect()
    }

    fn load_round_trips(&self, strategy: &StrategyId) -> Result<Vec<RoundTrip>, StoreError> {
        type Raw = (String, String, String, i64, i64, String, String, String, String);
        let rows: Vec<Raw> = self
            .conn
            .prepare_cached(
                "SELECT symbol, side, qty, entry_ms, exit_ms, avg_entry_price, avg_exit_price, fees, pnl
                 FROM round_trips WHERE strategy = ?1 ORDER BY id",
            )
            .and_then(|mut s| {
                s.query_map([strategy.as_str()], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                        r.get(7)?,
                        r.get(8)?,
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()
            })
            .map_err(|e| self.backend(e))?;
        const T: &str = "round_trips";
        rows.into_iter()
            .map(|(symbol, side, qty, entry_ms, exit_ms, entry, exit, fees, pnl)| {
                Ok(RoundTrip {
                    strategy: strategy.clone(),
                    symbol: self.symbol(T, &symbol)?,
                    side: self.trade_side(T, "side", &side)?,
                    qty: self.decimal(T, "qty", &qty)?,
                    entry_ms,
                    exit_ms,
                    avg_entry_price: self.decimal(T, "avg_entry_price", &entry)?,
                    avg_exit_price: self.decimal(T, "avg_exit_price", &exit)?,
                    fees: self.decimal(T, "fees", &fees)?,
                    pnl: self.decimal(T, "pnl", &pnl)?,
                })
            })
            .collect()
    }

    fn has_trade(&self, venue: &VenueId, symbol: &Symbol, trade_id: &TradeId) -> Result<bool, StoreError> {
        self.conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM fills WHERE venue = ?1 AND symbol = ?2 AND trade_id = ?3)")
            .and_then(|mut s| {
                s.query_row(params![venue.as_str(), symbol.as_str(), trade_id.as_str()], |r| {
                    r.get(0)
                })
            })
            .map_err(|e| self.backend(e))
    }

    fn fill_on_record(&self, order: &OrderId, trade_id: &TradeId) -> Result<FillOnRecord, StoreError> {
        let (order_known, fill_known): (bool, bool) = self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM orders WHERE client_order_id = ?1),
                        EXISTS (SELECT 1 FROM fills WHERE client_order_id = ?1 AND trade_id = ?2)",
            )
            .and_then(|mut s| {
                s.query_row(params![order.as_str(), trade_id.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
            })
            .map_err(|e| self.backend(e))?;
        Ok(match (order_known, fill_known) {
            (_, true) => FillOnRecord::Booked,
            (true, false) => FillOnRecord::OrderOnly,
            (false, false) => FillOnRecord::UnknownOrder,
        })
    }

    fn latest_snapshot(&self, strategy: &StrategyId) -> Result<Option<StrategySnapshot>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT version_hash, state, time_ms FROM strategy_snapshots WHERE strategy = ?1
                 ORDER BY id DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([strategy.as_str()], |r| {
                    Ok(StrategySnapshot {
                        strategy: strategy.clone(),
                        version_hash: r.get(0)?,
                        state: r.get(1)?,
                        time_ms: r.get(2)?,
                    })
                })
                .optional()
            })
            .map_err(|e| self.backend(e))
    }
}

/// A `positions` row as SQLite returns it, before validation.
struct RawHolding {
    symbol: String,
    qty: String,
    cost: String,
    realized_pnl: String,
    fees: String,
    trade_side: Option<String>,
    trade_entry_ms: Option<i64>,
    trade_entry_qty: Option<String>,
    trade_entry_value: Option<String>,
    trade_exit_qty: Option<String>,
    trade_exit_value: Option<String>,
    trade_realized_pnl: Option<String>,
    trade_fees: Option<String>,
}

impl RawHolding {
    fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            symbol: r.get(0)?,
            qty: r.get(1)?,
            cost: r.get(2)?,
            realized_pnl: r.get(3)?,
            fees: r.get(4)?,
            trade_side: r.get(5)?,
            trade_entry_ms: r.get(6)?,
            trade_entry_qty: r.get(7)?,
            trade_entry_value: r.get(8)?,
            trade_exit_qty: r.get(9)?,
            trade_exit_value: r.get(10)?,
            trade_realized_pnl: r.get(11)?,
            trade_fees: r.get(12)?,
        })
    }
}

/// An `orders` row as SQLite returns it, before validation.
struct RawOrder {
    id: String,
    strategy: String,
    symbol: String,
    side: String,
    order_type: String,
    limit_price: Option<String>,
    qty: String,
    tag: String,
    state: String,
    state_time_ms: Option<i64>,
    reason: Option<String>,
    filled_qty: String,
    avg_fill_price: String,
    fill_count: i64,
    created_ms: i64,
    updated_ms: i64,
    venue: String,
    venue_order_id: Option<String>,
    trigger_price: Option<String>,
    time_in_force: String,
    post_only: bool,
    reduce_only: bool,
}

impl RawOrder {
    fn read(r: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: r.get(0)?,
            strategy: r.get(1)?,
            symbol: r.get(2)?,
            side: r.get(3)?,
            order_type: r.get(4)?,
            limit_price: r.get(5)?,
            qty: r.get(6)?,
            tag: r.get(7)?,
            state: r.get(8)?,
            state_time_ms: r.get(9)?,
            reason: r.get(10)?,
            filled_qty: r.get(11)?,
            avg_fill_price: r.get(12)?,
            fill_count: r.get(13)?,
            created_ms: r.get(14)?,
            updated_ms: r.get(15)?,
            venue: r.get(16)?,
            venue_order_id: r.get(17)?,
            trigger_price: r.get(18)?,
            time_in_force: r.get(19)?,
            post_only: r.get(20)?,
            reduce_only: r.get(21)?,
        })
    }
}

fn backend(path: &Path, e: rusqlite::Error) -> StoreError {
    StoreError::Backend {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

mod writes;
use writes::execute;

#[cfg(test)]
mod tests;
