//! The dashboard's messages: the host's events in the shapes of `../shared/dashboard-messages.md`
//! (`history`, `kline`, `orders`, `trade_event`, `account`, `position`, `decision`), plus
//! `strategy`, `strategies`, `equity`, `venue`, `risk`, `control` and `reconciliation`.
//! Every message is `{"type", "data"}`; decimals are strings, times are UTC milliseconds
//! (`time_ms`) with `time` in Unix seconds beside them where the original has it.
//!
//! A message is serialized once and shared by every client; it carries the strategy and the
//! symbol it is about, which is what a client's filter compares.

use axum::extract::ws::Utf8Bytes;

use rust_decimal::Decimal;
use serde_json::{json, Value};
use trading::desk::{DeskEvent, OrderNotice};
use trading::market::{Candle, Side, Symbol, Timeframe};
use trading::orders::{OrderStatus, OrderType, StrategyId, VenueId};

use crate::api::events;
use crate::events::{Decision, HostEvent};

/// One message for the dashboard's clients.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub kind: &'static str,
    pub text: Utf8Bytes,
    /// The strategy the message is about, if one.
    pub strategy: Option<StrategyId>,
    /// The symbol the message is about, if one.
    pub symbol: Option<Symbol>,
}

impl Outgoing {
    pub fn new(kind: &'static str, data: Value) -> Self {
        Self::stamped(kind, data, None)
    }

    /// A message of an event, with the event's place in the stream beside `type` and `data`:
    /// `seq` and `published_ms` (wall-clock UTC ms when the host published it).
    pub fn stamped(kind: &'static str, data: Value, stamp: Option<Stamp>) -> Self {
        let text = match stamp {
            Some(stamp) => json!({"type": kind, "data": data, "seq": stamp.seq, "published_ms": stamp.published_ms}),
            None => json!({"type": kind, "data": data}),
        }
        .to_string();
        Self {
            kind,
            text: Utf8Bytes::from(text),
            strategy: None,
            symbol: None,
        }
    }

    fn about(mut self, strategy: Option<&StrategyId>, symbol: Option<&Symbol>) -> Self {
        self.strategy = strategy.cloned();
        self.symbol = symbol.cloned();
        self
    }
}

/// Where an event sits in the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub seq: u64,
    pub published_ms: i64,
}

/// What the messages of one event need that the event does not carry.
pub trait Marks {
    /// The last price known of `symbol` on `venue` (for a position's unrealized PnL).
    fn last_price(&self, venue: &VenueId, symbol: &Symbol) -> Option<Decimal>;
}

/// The messages of one event of the stream, in the order a client should apply them;
/// `stamp` is `None` for an event made up for a snapshot.
pub fn of_event(event: &HostEvent, stamp: Option<Stamp>, marks: &dyn Marks) -> Vec<Outgoing> {
    let new = |kind, data| Outgoing::stamped(kind, data, stamp);
    match event {
        HostEvent::Desk(DeskEvent::Order(order)) => {
            let update = &order.update;
            let mut out = vec![orders(order, stamp)];
            if let Some(fill) = &update.fill {
                let data = json!({
                    "side": side_code(update.side).to_ascii_lowercase(),
                    "price": fill.price,
                    "amount": fill.qty,
                    "symbol": fill.symbol.as_str(),
                    "time": fill.time_ms.div_euclid(1000),
                    "time_ms": fill.time_ms,
                    "fee": fill.fee,
                    "strategy": update.strategy.as_str(),
                    "venue": order.venue.as_str(),
                    "order_id": update.order_id.as_str(),
                });
                out.push(new("trade_event", data).about(Some(&update.strategy), Some(&fill.symbol)));
            }
            out
        }
        HostEvent::Desk(DeskEvent::Position {
            strategy,
            venue,
            position,
            time_ms,
        }) => {
            let unrealized = marks
                .last_price(venue, &position.symbol)
                .map(|price| (price - position.avg_price) * position.qty);
            let data = json!({
                "symbol": position.symbol.as_str(),
                "amount": position.qty,
                "entryPrice": position.avg_price,
                "unrealizedPnL": unrealized,
                "realizedPnL": position.realized_pnl,
                "strategy": strategy.as_str(),
                "venue": venue.as_str(),
                "time_ms": time_ms,
            });
            vec![new("position", data).about(Some(strategy), Some(&position.symbol))]
        }
        HostEvent::Desk(DeskEvent::Balances(balances)) => balances
            .assets
            .iter()
            .map(|(asset, qty)| {
                let data = json!({
                    "asset": asset,
                    "free": qty,
                    "balance": qty,
                    "marginBalance": qty,
                    "symbol": Value::Null,
                    "venue": balances.venue.as_str(),
                    "time_ms": balances.time_ms,
                });
                new("account", data)
            })
            .collect(),
        // These are the `/events` feed's shapes, under the same type names.
        HostEvent::Desk(DeskEvent::Venue { .. } | DeskEvent::RiskState { .. } | DeskEvent::Reconciled(_))
        | HostEvent::Strategy(_)
        | HostEvent::Control(_) => {
            let strategy = events::strategy_of(event).map(StrategyId::new);
            vec![new(event.kind(), events::data(event)).about(strategy.as_ref(), None)]
        }
        HostEvent::Decision { decision, version_hash } => vec![self::decision(decision, version_hash, stamp)],
        HostEvent::Candle { venue, candle, closed } => {
            let mut data = candle_data(candle);
            if let Value::Object(fields) = &mut data {
                fields.insert("venue".into(), json!(venue.as_ref().map(VenueId::as_str)));
                fields.insert("closed".into(), json!(closed));
            }
            vec![new("kline", data).about(None, Some(&candle.symbol))]
        }
    }
}

/// An `orders` message: the order as it stands after `order`'s update.
pub fn orders(order: &OrderNotice, stamp: Option<Stamp>) -> Outgoing {
    let update = &order.update;
    // Binance's names, which the page's original spoke.
    let kind = match order.order_type {
        OrderType::Market => "MARKET",
        OrderType::Limit(_) => "LIMIT",
        OrderType::Stop(_) => "STOP_LOSS",
        OrderType::StopLimit { .. } => "STOP_LOSS_LIMIT",
    };
    let data = json!({
        "id": update.order_id.as_str(),
        "price": order.order_type.limit_price(),
        "stop_price": order.order_type.trigger_price(),
        "side": side_code(update.side),
        "status": status_code(update.status),
        "type": kind,
        "symbol": update.symbol.as_str(),
        "qty": order.qty,
        "filled_qty": update.filled_qty,
        "remaining_qty": update.remaining_qty,
        "strategy": update.strategy.as_str(),
        "venue": order.venue.as_str(),
        "tag": update.tag,
        "reason": update.reason,
        "time": update.time_ms.div_euclid(1000),
        "time_ms": update.time_ms,
    });
    Outgoing::stamped("orders", data, stamp).about(Some(&update.strategy), Some(&update.symbol))
}

/// A `decision` message: the original's `decision`, `confidence` (0..100) and `context`, with
/// who decided, on what and when.
pub fn decision(decision: &Decision, version_hash: &str, stamp: Option<Stamp>) -> Outgoing {
    let indicators: serde_json::Map<String, Value> = decision
        .indicators
        .iter()
        .map(|i| (i.name.clone(), json!(i.value)))
        .collect();
    let data = json!({
        "decision": decision.action.to_ascii_uppercase(),
        "confidence": f64::from(decision.confidence) * 100.0,
        "context": {
            "indicators": indicators,
            "reasoning": decision.reasoning,
            "patterns": [],
            "regime": Value::Null,
        },
        "strategy": decision.strategy.as_str(),
        "symbol": decision.symbol,
        "time": decision.time_ms.div_euclid(1000),
        "time_ms": decision.time_ms,
        "version_hash": version_hash,
    });
    let symbol = Symbol::new(&decision.symbol).ok();
    Outgoing::stamped("decision", data, stamp).about(Some(&decision.strategy), symbol.as_ref())
}

/// A `history` message: one series' recent candles, oldest first, with the series named
/// beside `data` (which is the original's list of candles).
pub fn history<'a>(
    venue: Option<&VenueId>,
    symbol: &Symbol,
    timeframe: Timeframe,
    candles: impl Iterator<Item = &'a Candle>,
) -> Outgoing {
    let data: Vec<Value> = candles.map(candle_data).collect();
    let text = json!({
        "type": "history",
        "data": data,
        "symbol": symbol.as_str(),
        "timeframe": timeframe.to_string(),
        "venue": venue.map(VenueId::as_str),
    })
    .to_string();
    Outgoing {
        kind: "history",
        text: Utf8Bytes::from(text),
        strategy: None,
        symbol: Some(symbol.clone()),
    }
}

/// A candle as the original's `kline` and `history` carry it, `time` being its open in Unix
/// seconds (what TradingView's charts take).
pub fn candle_data(candle: &Candle) -> Value {
    json!({
        "time": candle.open_time_ms.div_euclid(1000),
        "time_ms": candle.open_time_ms,
        "open": candle.open,
        "high": candle.high,
        "low": candle.low,
        "close": candle.close,
        "volume": candle.volume,
        "symbol": candle.symbol.as_str(),
        "timeframe": candle.timeframe.to_string(),
    })
}

fn side_code(side: Side) -> &'static str {
    match side {
        Side::Buy => "BUY",
        Side::Sell => "SELL",
    }
}

fn status_code(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Open => "NEW",
        OrderStatus::PartiallyFilled => "PARTIALLY_FILLED",
        OrderStatus::Filled => "FILLED",
        OrderStatus::Cancelled => "CANCELED",
        OrderStatus::Rejected => "REJECTED",
    }
}
