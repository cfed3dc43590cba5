//! The rows the book of record writes, built once from the ledger's and orders' types.
//!
//! A [`Write`] is what SQLite binds and what the journal carries (`journal.rs`), so the two
//! cannot drift apart: replaying a journal record runs exactly the statements the write would
//! have run. Values are the columns' own text (decimals exact, times UTC ms).

use serde::{Deserialize, Serialize};

use crate::ledger::store::{DecisionRecord, RiskStateRecord};
use crate::ledger::{Book, FillEffect, RoundTrip};
use crate::market::{Side, TimeMs};
use crate::orders::{Order, OrderState, TimeInForce, TradeId, VenueOrderId};

/// One change to the book of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Write {
    CreateBook(BookRow),
    InsertOrder(OrderRow),
    UpdateOrder(OrderRow),
    /// Boxed: a fill's rows are several times the size of the other variants.
    RecordFill(Box<FillRows>),
    RecordDecision(Box<DecisionRow>),
    SaveRiskState(Box<RiskStateRow>),
}

/// A `risk_states` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RiskStateRow {
    pub scope_kind: String,
    pub scope: String,
    pub state: String,
    /// Kind, loss, limit and since, all or none.
    pub breach: Option<(String, String, String, TimeMs)>,
    pub day: i64,
    pub day_open_equity: String,
    pub peak_equity: String,
    pub updated_ms: TimeMs,
}

impl RiskStateRow {
    pub(crate) fn new(record: &RiskStateRecord) -> Self {
        let guard = &record.guard;
        Self {
            scope_kind: record.scope.kind().as_str().to_owned(),
            scope: record.scope.name().to_owned(),
            state: guard.state().as_str().to_owned(),
            breach: guard.breach.map(|b| {
                (
                    b.kind.code().to_owned(),
                    b.loss.to_string(),
                    b.limit.to_string(),
                    b.since_ms,
                )
            }),
            day: guard.day,
            day_open_equity: guard.day_open_equity.to_string(),
            peak_equity: guard.peak_equity.to_string(),
            updated_ms: record.time_ms,
        }
    }
}

/// A `decisions` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DecisionRow {
    pub strategy: String,
    pub version_hash: String,
    pub time_ms: TimeMs,
    pub symbol: String,
    pub action: String,
    /// The strategy's number as it gave it (the shortest text that reads back the same).
    pub confidence: String,
    pub reasoning: String,
    /// A JSON array of `{"name", "value"}`, values as exact decimal text.
    pub indicators: String,
}

impl DecisionRow {
    pub(crate) fn new(decision: &DecisionRecord<'_>) -> Self {
        let indicators: Vec<serde_json::Value> = decision
            .indicators
            .iter()
            .map(|(name, value)| serde_json::json!({ "name": name, "value": value.to_string() }))
            .collect();
        Self {
            strategy: decision.strategy.as_str().to_owned(),
            version_hash: decision.version_hash.to_owned(),
            time_ms: decision.time_ms,
            symbol: decision.symbol.to_owned(),
            action: decision.action.to_owned(),
            confidence: decision.confidence.to_string(),
            reasoning: decision.reasoning.to_owned(),
            indicators: serde_json::Value::Array(indicators).to_string(),
        }
    }
}

/// A `strategies` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BookRow {
    pub strategy: String,
    pub initial_cash: String,
    pub cash: String,
    pub time_ms: TimeMs,
}

impl BookRow {
    pub(crate) fn new(book: &Book, time_ms: TimeMs) -> Self {
        Self {
            strategy: book.strategy().as_str().to_owned(),
            initial_cash: book.initial_cash().to_string(),
            cash: book.cash().to_string(),
            time_ms,
        }
    }
}

/// An `orders` row: all of it for an insert; an update writes the columns that change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct OrderRow {
    pub client_order_id: String,
    pub strategy: String,
    pub symbol: String,
    pub side: String,
    pub order_type: String,
    pub limit_price: Option<String>,
    // The order terms of schema 6 default to what an order of a journal written before them
    // was: good-till-cancelled, without a trigger or flags.
    #[serde(default)]
    pub trigger_price: Option<String>,
    #[serde(default = "good_till_cancelled")]
    pub time_in_force: String,
    #[serde(default)]
    pub post_only: bool,
    #[serde(default)]
    pub reduce_only: bool,
    pub qty: String,
    pub tag: String,
    pub state: String,
    /// When a pending cancel was requested.
    pub state_time_ms: Option<TimeMs>,
    pub reason: Option<String>,
    pub filled_qty: String,
    pub avg_fill_price: String,
    pub fill_count: u32,
    pub created_ms: TimeMs,
    pub updated_ms: TimeMs,
    pub venue: String,
    pub venue_order_id: Option<String>,
}

impl OrderRow {
    pub(crate) fn new(order: &Order) -> Self {
        let request = order.request();

        let state_time_ms = match order.state() {
            OrderState::PendingCancel { requested_ms } => Some(*requested_ms),
            _ => None,
        };
        Self {
            client_order_id: order.id().as_str().to_owned(),
            strategy: order.strategy().as_str().to_owned(),
            symbol: request.symbol.as_str().to_owned(),
            side: side_text(request.side).to_owned(),
            order_type: request.order_type.code().to_owned(),
            limit_price: request.order_type.limit_price().map(|price| price.to_string()),
            trigger_price: request.order_type.trigger_price().map(|price| price.to_string()),
            time_in_force: request.time_in_force.code().to_owned(),
            post_only: request.post_only,
            reduce_only: request.reduce_only,
            qty: request.qty.to_string(),
            tag: request.tag.clone(),
            state: order.state().code().to_owned(),
            state_time_ms,
            reason: order.state().reason().map(str::to_owned),
            filled_qty: order.filled_qty().to_string(),
            avg_fill_price: order.avg_fill_price().to_string(),
            fill_count: order.fill_count(),
            created_ms: order.created_ms(),
            updated_ms: order.updated_ms(),
            venue: order.venue().as_str().to_owned(),
            venue_order_id: order.venue_order_id().map(VenueOrderId::as_str).map(str::to_owned),
        }
    }
}

/// Everything one fill changes: its `fills` row, its order, the holding, the cash and the
/// round trip it closed. Written in one transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FillRows {
    pub fill: FillRow,
    pub order: OrderRow,
    pub position: PositionRow,
    /// The strategy's cash after the fill.
    pub cash: String,
    pub round_trip: Option<RoundTripRow>,
}

impl FillRows {
    pub(crate) fn new(record: &super::FillRecord<'_>) -> Self {
        let super::FillRecord {
            fill,
            seq,
            order,
            effect,
            venue_fee,
        } = *record;
        Self {
            fill: FillRow {
                client_order_id: fill.order_id.as_str().to_owned(),
                seq,
                strategy: fill.strategy.as_str().to_owned(),
                symbol: fill.symbol.as_str().to_owned(),
                side: side_text(fill.side).to_owned(),
                price: fill.price.to_string(),
                qty: fill.qty.to_string(),
                fee: fill.fee.to_string(),
                time_ms: fill.time_ms,
                venue: order.venue().as_str().to_owned(),
                trade_id: fill.trade_id.as_ref().map(TradeId::as_str).map(str::to_owned),
                fee_asset: venue_fee.map(|(asset, _)| asset.to_owned()),
                venue_fee: venue_fee.map(|(_, fee)| fee.to_string()),
            },
            order: OrderRow::new(order),
            position: PositionRow::new(fill.strategy.as_str(), effect, fill.time_ms),
            cash: effect.cash.to_string(),
            round_trip: effect.closed.as_ref().map(RoundTripRow::new),
        }
    }
}

/// A `fills` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FillRow {
    pub client_order_id: String,
    pub seq: u32,
    pub strategy: String,
    pub symbol: String,
    pub side: String,
    pub price: String,
    pub qty: String,
    pub fee: String,
    pub time_ms: TimeMs,
    pub venue: String,
    pub trade_id: Option<String>,
    pub fee_asset: Option<String>,
    pub venue_fee: Option<String>,
}

/// A `positions` row; the `trade_*` columns are the round trip in progress, all `None` while flat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PositionRow {
    pub strategy: String,
    pub symbol: String,
    pub qty: String,
    pub cost: String,
    pub realized_pnl: String,
    pub fees: String,
    pub trade_side: Option<String>,
    pub trade_entry_ms: Option<TimeMs>,
    pub trade_entry_qty: Option<String>,
    pub trade_entry_value: Option<String>,
    pub trade_exit_qty: Option<String>,
    pub trade_exit_value: Option<String>,
    pub trade_realized_pnl: Option<String>,
    pub trade_fees: Option<String>,
    pub updated_ms: TimeMs,
}

impl PositionRow {
    fn new(strategy: &str, effect: &FillEffect, time_ms: TimeMs) -> Self {
        let h = &effect.holding;
        let t = h.open_trade();
        Self {
            strategy: strategy.to_owned(),
            symbol: effect.symbol.as_str().to_owned(),
            qty: h.qty().to_string(),
            cost: h.cost().to_string(),
            realized_pnl: h.realized_pnl().to_string(),
            fees: h.fees().to_string(),
            trade_side: t.map(|t| t.side.as_str().to_owned()),
            trade_entry_ms: t.map(|t| t.entry_ms),
            trade_entry_qty: t.map(|t| t.entry_qty.to_string()),
            trade_entry_value: t.map(|t| t.entry_value.to_string()),
            trade_exit_qty: t.map(|t| t.exit_qty.to_string()),
            trade_exit_value: t.map(|t| t.exit_value.to_string()),
            trade_realized_pnl: t.map(|t| t.realized_pnl.to_string()),
            trade_fees: t.map(|t| t.fees.to_string()),
            updated_ms: time_ms,
        }
    }
}

/// A `round_trips` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RoundTripRow {
    pub strategy: String,
    pub symbol: String,
    pub side: String,
    pub qty: String,
    pub entry_ms: TimeMs,
    pub exit_ms: TimeMs,
    pub avg_entry_price: String,
    pub avg_exit_price: String,
    pub fees: String,
    pub pnl: String,
}

impl RoundTripRow {
    fn new(trip: &RoundTrip) -> Self {
        Self {
            strategy: trip.strategy.as_str().to_owned(),
            symbol: trip.symbol.as_str().to_owned(),
            side: trip.side.as_str().to_owned(),
            qty: trip.qty.to_string(),
            entry_ms: trip.entry_ms,
            exit_ms: trip.exit_ms,
            avg_entry_price: trip.avg_entry_price.to_string(),
            avg_exit_price: trip.avg_exit_price.to_string(),
            fees: trip.fees.to_string(),
            pnl: trip.pnl.to_string(),
        }
    }
}

fn good_till_cancelled() -> String {
    TimeInForce::Gtc.code().to_owned()
}

pub(crate) fn side_text(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}
