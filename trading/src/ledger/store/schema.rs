//! The SQLite schema, as an ordered list of migrations.
//!
//! `PRAGMA user_version` counts the migrations applied: opening a store applies the missing
//! ones in one transaction, and refuses a store from a newer build. Append, never edit.
//!
//! Decimals are TEXT (exact); times are INTEGER UTC milliseconds; tables are STRICT.

/// `MIGRATIONS[i]` takes a store from version `i` to `i + 1`.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "
    CREATE TABLE strategies (
        strategy      TEXT PRIMARY KEY,
        initial_cash  TEXT NOT NULL,
        cash          TEXT NOT NULL,
        created_ms    INTEGER NOT NULL,
        updated_ms    INTEGER NOT NULL
    ) STRICT;

    -- One row per symbol a strategy ever traded; the trade_* columns are the round trip in
    -- progress and are all NULL while the position is flat.
    CREATE TABLE positions (
        strategy            TEXT NOT NULL REFERENCES strategies (strategy),
        symbol              TEXT NOT NULL,
        qty                 TEXT NOT NULL,
        cost                TEXT NOT NULL,
        realized_pnl        TEXT NOT NULL,
        fees                TEXT NOT NULL,
        trade_side          TEXT CHECK (trade_side IN ('long', 'short')),
        trade_entry_ms      INTEGER,
        trade_entry_qty     TEXT,
        trade_entry_value   TEXT,
        trade_exit_qty      TEXT,
        trade_exit_value    TEXT,
        trade_realized_pnl  TEXT,
        trade_fees          TEXT,
        updated_ms          INTEGER NOT NULL,
        PRIMARY KEY (strategy, symbol)
    ) STRICT;

    CREATE TABLE orders (
        client_order_id  TEXT PRIMARY KEY,
        strategy         TEXT NOT NULL REFERENCES strategies (strategy),
        symbol           TEXT NOT NULL,
        side             TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        order_type       TEXT NOT NULL CHECK (order_type IN ('market', 'limit')),
        limit_price      TEXT,
        qty              TEXT NOT NULL,
        tag              TEXT NOT NULL,
        state            TEXT NOT NULL CHECK (state IN ('pending_new', 'open', 'partially_filled',
                             'pending_cancel', 'filled', 'cancelled', 'rejected')),
        -- pending_cancel: when the cancel was requested.
        state_time_ms    INTEGER,
        reason           TEXT,
        filled_qty       TEXT NOT NULL,
        avg_fill_price   TEXT NOT NULL,
        fill_count       INTEGER NOT NULL,
        created_ms       INTEGER NOT NULL,
        updated_ms       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX orders_working ON orders (created_ms)
        WHERE state IN ('pending_new', 'open', 'partially_filled', 'pending_cancel');

    CREATE TABLE fills (
        client_order_id  TEXT NOT NULL REFERENCES orders (client_order_id),
        seq              INTEGER NOT NULL,
        strategy         TEXT NOT NULL,
        symbol           TEXT NOT NULL,
        side             TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        price            TEXT NOT NULL,
        qty              TEXT NOT NULL,
        fee              TEXT NOT NULL,
        time_ms          INTEGER NOT NULL,
        PRIMARY KEY (client_order_id, seq)
    ) STRICT;

    CREATE TABLE round_trips (
        id               INTEGER PRIMARY KEY,
        strategy         TEXT NOT NULL REFERENCES strategies (strategy),
        symbol           TEXT NOT NULL,
        side             TEXT NOT NULL CHECK (side IN ('long', 'short')),
        qty              TEXT NOT NULL,
        entry_ms         INTEGER NOT NULL,
        exit_ms          INTEGER NOT NULL,
        avg_entry_price  TEXT NOT NULL,
        avg_exit_price   TEXT NOT NULL,
        fees             TEXT NOT NULL,
        pnl              TEXT NOT NULL
    ) STRICT;
    CREATE INDEX round_trips_strategy ON round_trips (strategy, id);

    CREATE TABLE strategy_snapshots (
        id            INTEGER PRIMARY KEY,
        strategy      TEXT NOT NULL,
        version_hash  TEXT NOT NULL,
        state         BLOB NOT NULL,
        time_ms       INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX strategy_snapshots_latest ON strategy_snapshots (strategy, id);
    ",
    // 2: live venues. Each order records the venue it went to and the venue's id for it; each
    // fill the venue's trade id (unique per venue and symbol: what makes a repeated fill
    // recognizable across restarts) and, when the fee was charged in another asset than the
    // quote currency, the fee as charged (`fee` stays its value in the quote currency).
    "
    ALTER TABLE orders ADD COLUMN venue TEXT NOT NULL DEFAULT 'paper';
    ALTER TABLE orders ADD COLUMN venue_order_id TEXT;
    CREATE INDEX orders_venue_order_id ON orders (venue, venue_order_id) WHERE venue_order_id IS NOT NULL;

    ALTER TABLE fills ADD COLUMN venue TEXT NOT NULL DEFAULT 'paper';
    ALTER TABLE fills ADD COLUMN trade_id TEXT;
    ALTER TABLE fills ADD COLUMN fee_asset TEXT;
    ALTER TABLE fills ADD COLUMN venue_fee TEXT;
    CREATE UNIQUE INDEX fills_venue_trade ON fills (venue, symbol, trade_id) WHERE trade_id IS NOT NULL;
    ",
    // 3: the write-ahead journal (`journal.rs`). Its records reach the tables in batches; this
    // row is the last one applied, written in the same transaction as the batch, so a journal
    // replayed after a crash applies each record exactly once.
    "
    CREATE TABLE journal_applied (
        id   INTEGER PRIMARY KEY CHECK (id = 1),
        seq  INTEGER NOT NULL
    ) STRICT;
    ",
    // 4: the strategies' decisions (what each did and why), the audit trail `export
    // decisions` writes out. Indicators are a JSON array of {"name", "value"} with exact
    // decimal text.
    "
    CREATE TABLE decisions (
        id            INTEGER PRIMARY KEY,
        strategy      TEXT NOT NULL,
        version_hash  TEXT NOT NULL,
        time_ms       INTEGER NOT NULL,
        symbol        TEXT NOT NULL,
        action        TEXT NOT NULL,
        confidence    TEXT NOT NULL,
        reasoning     TEXT NOT NULL,
        indicators    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX decisions_time ON decisions (time_ms);
    ",
    // 5: the loss limits' state of each strategy and venue account (`risk/loss.rs`), one row
    // per scope, replaced on every change: a breach survives a restart, and so do the day's
    // opening equity and the peak as of the last change or day. The breach_* columns are all
    // NULL while the scope is active.
    "
    CREATE TABLE risk_states (
        scope_kind        TEXT NOT NULL CHECK (scope_kind IN ('strategy', 'account')),
        scope             TEXT NOT NULL,
        state             TEXT NOT NULL CHECK (state IN ('active', 'reducing', 'halted')),
        breach_kind       TEXT CHECK (breach_kind IN ('daily_loss_limit', 'max_drawdown')),
        breach_loss       TEXT,
        breach_limit      TEXT,
        breach_since_ms   INTEGER,
        day               INTEGER NOT NULL,
        day_open_equity   TEXT NOT NULL,
        peak_equity       TEXT NOT NULL,
        updated_ms        INTEGER NOT NULL,
        PRIMARY KEY (scope_kind, scope)
    ) STRICT;
    ",
    // 6: order terms. Stops and stop-limits (`trigger_price`; `limit_price` is a stop-limit's
    // limit), time in force, post-only and reduce-only. SQLite cannot change a CHECK, so the
    // table is rebuilt: rows keep their rowid (the order they were placed in, which loading
    // working orders sorts by) and every earlier order reads as good-till-cancelled without
    // flags, which is what it was.
    "
    CREATE TABLE orders_v6 (
        client_order_id  TEXT PRIMARY KEY,
        strategy         TEXT NOT NULL REFERENCES strategies (strategy),
        symbol           TEXT NOT NULL,
        side             TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
        order_type       TEXT NOT NULL CHECK (order_type IN ('market', 'limit', 'stop', 'stop_limit')),
        limit_price      TEXT,
        trigger_price    TEXT,
        time_in_force    TEXT NOT NULL DEFAULT 'gtc' CHECK (time_in_force IN ('gtc', 'ioc', 'fok')),
        post_only        INTEGER NOT NULL DEFAULT 0 CHECK (post_only IN (0, 1)),
        reduce_only      INTEGER NOT NULL DEFAULT 0 CHECK (reduce_only IN (0, 1)),
        qty              TEXT NOT NULL,
        tag              TEXT NOT NULL,
        state            TEXT NOT NULL CHECK (state IN ('pending_new', 'open', 'partially_filled',
                             'pending_cancel', 'filled', 'cancelled', 'rejected')),
        state_time_ms    INTEGER,
        reason           TEXT,
        filled_qty       TEXT NOT NULL,
        avg_fill_price   TEXT NOT NULL,
        fill_count       INTEGER NOT NULL,
        created_ms       INTEGER NOT NULL,
        updated_ms       INTEGER NOT NULL,
        venue            TEXT NOT NULL DEFAULT 'paper',
        venue_order_id   TEXT
    ) STRICT;
    INSERT INTO orders_v6 (rowid, client_order_id, strategy, symbol, side, order_type, limit_price, qty, tag,
                           state, state_time_ms, reason, filled_qty, avg_fill_price, fill_count, created_ms,
                           updated_ms, venue, venue_order_id)
        SELECT rowid, client_order_id, strategy, symbol, side, order_type, limit_price, qty, tag,
               state, state_time_ms, reason, filled_qty, avg_fill_price, fill_count, created_ms,
               updated_ms, venue, venue_order_id
        FROM orders;
    DROP INDEX orders_working;
    DROP INDEX orders_venue_order_id;
    DROP TABLE orders;
    ALTER TABLE orders_v6 RENAME TO orders;
    CREATE INDEX orders_working ON orders (created_ms)
        WHERE state IN ('pending_new', 'open', 'partially_filled', 'pending_cancel');
    CREATE INDEX orders_venue_order_id ON orders (venue, venue_order_id) WHERE venue_order_id IS NOT NULL;
    ",
];
