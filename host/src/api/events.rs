//! `GET /events`: the host's event stream as newline-delimited JSON, one object per event,
//! from the moment of the request on. Each line is `{"seq", "time_ms", "type", "data"}`: the
//! bus's sequence number, when the host published it (UTC ms), the event's kind and its
//! fields. A client that reads too slowly skips ahead: it gets one `{"type": "skipped",
//! "data": {"count"}}` line for the events it missed, and they are counted in
//! `strategy_host_events_skipped_total{subscriber="http"}`. The host never waits for it.
//!
//! Query: `types=order,position,...` keeps only those kinds (without it, every kind but the
//! market data of `candle`); `strategy=NAME` only the events of that strategy (and the
//! venue-wide ones: balances, venue, reconciliation, account risk).
//!
//! This is where the stream's events become JSON, and the only place ([`to_json`] is what the
//! event log writes and the webhooks' `json` bodies embed).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::{json, Value};
use trading::desk::{Connection, DeskEvent};
use trading::orders::{OrderType, StrategyId, VenueId};
use trading::risk::RiskScope;

use super::ApiState;
use crate::events::{subscriber, HostEvent, Lifecycle, Published, Received, Subscription, KINDS};
use crate::live::ReconciliationStatus;

#[derive(Debug, Default, Deserialize)]
pub struct EventsQuery {
    types: Option<String>,
    strategy: Option<String>,
}

/// Which events a client asked for.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// `None`: every kind.
    kinds: Option<Vec<&'static str>>,
    strategy: Option<String>,
}

impl EventFilter {
    /// The filter of a query, or what in it is not a known kind.
    fn parse(query: EventsQuery) -> Result<Self, String> {
        let kinds = match query.types {
            None => None,
            Some(types) => Some(
                types
                    .split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| {
                        KINDS.iter().copied().find(|k| *k == t).ok_or_else(|| {
                            format!("types: unknown event type {t:?}; expected some of {}", KINDS.join(", "))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?,
            ),
        };
        Ok(Self {
            kinds,
            strategy: query.strategy,
        })
    }

    pub fn admits(&self, event: &HostEvent) -> bool {
        let wanted = match &self.kinds {
            Some(kinds) => kinds.contains(&event.kind()),
            None => !event.is_market_data(),
        };
        if !wanted {
            return false;
        }
        match (&self.strategy, strategy_of(event)) {
            (Some(wanted), Some(strategy)) => wanted == strategy,
            _ => true,
        }
    }
}

/// The strategy an event is about, if it is about one.
pub(crate) fn strategy_of(event: &HostEvent) -> Option<&str> {
    match event {
        HostEvent::Desk(DeskEvent::Order(order)) => Some(order.update.strategy.as_str()),
        HostEvent::Desk(DeskEvent::Position { strategy, .. }) => Some(strategy.as_str()),
        HostEvent::Desk(DeskEvent::RiskState {
            scope: RiskScope::Strategy(strategy),
            ..
        }) => Some(strategy.as_str()),
        HostEvent::Strategy(event) => Some(event.strategy.as_str()),
        HostEvent::Decision { decision, .. } => Some(decision.strategy.as_str()),
        HostEvent::Control(control) => control.strategy.as_ref().map(StrategyId::as_str),
        HostEvent::Desk(_) | HostEvent::Candle { .. } => None,
    }
}

pub async fn events(State(state): State<ApiState>, Query(query): Query<EventsQuery>) -> Response {
    let filter = match EventFilter::parse(query) {
        Ok(filter) => filter,
        Err(message) => return (StatusCode::BAD_REQUEST, message).into_response(),
    };
    let subscription = state.events.subscribe(subscriber::HTTP);
    let lines = futures_util::stream::unfold((subscription, filter), |(mut subscription, filter)| async move {
        let line = next_line(&mut subscription, &filter).await?;
        Some((Ok::<_, std::convert::Infallible>(line), (subscription, filter)))
    });
    (
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        Body::from_stream(lines),
    )
        .into_response()
}

/// The next line for the client: an event it wants, or word of the events it skipped; `None`
/// when the host is shutting down.
async fn next_line(subscription: &mut Subscription, filter: &EventFilter) -> Option<String> {
    loop {
        match subscription.next().await? {
            Received::Event(published) if filter.admits(&published.event) => {
                let mut line = to_json(&published).to_string();
                line.push('\n');
                return Some(line);
            }
            Received::Event(_) => {}
            Received::Skipped(count) => {
                return Some(format!("{}\n", json!({"type": "skipped", "data": {"count": count}})));
            }
        }
    }
}

/// One event as JSON: `{"seq", "time_ms", "type", "data"}`.
pub fn to_json(published: &Published) -> Value {
    json!({
        "seq": published.seq,
        "time_ms": published.wall_ms,
        "type": published.event.kind(),
        "data": data(&published.event),
    })
}

/// An event's fields, as `/events` sends them in `data`.
pub(crate) fn data(event: &HostEvent) -> Value {
    match event {
        HostEvent::Desk(event) => desk_data(event),
        HostEvent::Strategy(event) => {
            let mut data = json!({
                "strategy": event.strategy.as_str(),
                "lifecycle": event.lifecycle.code(),
            });
            let extra = match &event.lifecycle {
                Lifecycle::Loaded { version, hash } | Lifecycle::Swapped { version, hash } => {
                    json!({"version": version, "hash": hash})
                }
                Lifecycle::LoadFailed { error } => json!({"error": error}),
                Lifecycle::Trapped { kind, failures } => json!({"kind": kind, "failures": failures}),
                Lifecycle::Quarantined { failures } => json!({"failures": failures}),
                Lifecycle::Recovered | Lifecycle::Retired => json!({}),
            };
            merge(&mut data, extra);
            data
        }
        HostEvent::Control(control) => json!({
            "action": control.action,
            "strategy": control.strategy.as_ref().map(StrategyId::as_str),
            "token_id": control.token_id,
            "affected": control.affected,
        }),
        HostEvent::Decision { decision, version_hash } => {
            let mut data = serde_json::to_value(decision.as_ref()).unwrap_or(Value::Null);
            merge(&mut data, json!({"version_hash": version_hash}));
            data
        }
        HostEvent::Candle { venue, candle, closed } => json!({
            "venue": venue.as_ref().map(VenueId::as_str),
            "symbol": candle.symbol.as_str(),
            "timeframe": candle.timeframe.to_string(),
            "open_time_ms": candle.open_time_ms,
            "open": candle.open,
            "high": candle.high,
            "low": candle.low,
            "close": candle.close,
            "volume": candle.volume,
            "closed": closed,
        }),
    }
}

/// An order type's name in the stream: `market`, `limit`, `stop`, `stop_limit`.
pub fn order_type_code(order_type: OrderType) -> &'static str {
    order_type.code()
}

fn desk_data(event: &DeskEvent) -> Value {
    match event {
        DeskEvent::Order(order) => {
            let mut data = serde_json::to_value(&order.update).unwrap_or(Value::Null);
            merge(
                &mut data,
                json!({
                    "venue": order.venue.as_str(),
                    "order_type": order_type_code(order.order_type),
                    "price": order.order_type.limit_price(),
                    "trigger_price": order.order_type.trigger_price(),
                    "qty": order.qty,
                }),
            );
            data
        }
        DeskEvent::Position {
            strategy,
            venue,
            position,
            time_ms,
        } => json!({
            "strategy": strategy.as_str(),
            "venue": venue.as_str(),
            "symbol": position.symbol.as_str(),
            "qty": position.qty,
            "avg_price": position.avg_price,
            "realized_pnl": position.realized_pnl,
            "time_ms": time_ms,
        }),
        DeskEvent::Balances(balances) => {
            let assets: BTreeMap<&str, Decimal> = balances.assets.iter().map(|(a, q)| (a.as_str(), *q)).collect();
            json!({"venue": balances.venue.as_str(), "assets": assets, "time_ms": balances.time_ms})
        }
        DeskEvent::Venue {
            venue,
            connection,
            time_ms,
        } => match connection {
            Connection::Connected => json!({"venue": venue.as_str(), "connected": true, "time_ms": time_ms}),
            Connection::Disconnected { reason } => {
                json!({"venue": venue.as_str(), "connected": false, "reason": reason, "time_ms": time_ms})
            }
        },
        DeskEvent::RiskState {
            scope,
            from,
            to,
            breach,
            time_ms,
        } => json!({
            "scope": scope.kind().as_str(),
            "name": scope.name(),
            "from": from.as_str(),
            "to": to.as_str(),
            "breach": breach.map(|b| json!({"kind": b.kind.code(), "loss": b.loss, "limit": b.limit})),
            "time_ms": time_ms,
        }),
        DeskEvent::Reconciled(report) => {
            let mut data = json!({"venue": report.venue.as_str()});
            merge(
                &mut data,
                serde_json::to_value(ReconciliationStatus::from(report)).unwrap_or(Value::Null),
            );
            data
        }
    }
}

/// Adds `extra`'s fields to `data` (both objects).
fn merge(data: &mut Value, extra: Value) {
    if let (Value::Object(data), Value::Object(extra)) = (data, extra) {
        data.extend(extra);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EventBus, StrategyEvent};

    fn lifecycle(strategy: &str, lifecycle: Lifecycle) -> HostEvent {
        HostEvent::Strategy(StrategyEvent {
            strategy: StrategyId::new(strategy),
            lifecycle,
        })
    }

    #[test]
    fn a_filter_keeps_the_kinds_and_the_strategy_asked_for() {
        let filter = EventFilter::parse(EventsQuery {
            types: Some("strategy, venue".into()),
            strategy: Some("alice".into()),
        })
        .unwrap();
        assert!(filter.admits(&lifecycle("alice", Lifecycle::Recovered)));
        assert!(!filter.admits(&lifecycle("bob", Lifecycle::Recovered)));
        let venue = HostEvent::Desk(DeskEvent::Venue {
            venue: trading::orders::VenueId::new("kraken"),
            connection: Connection::Connected,
            time_ms: 1,
        });
        assert!(filter.admits(&venue), "a venue's event is everyone's");
        let candle = HostEvent::Candle {
            venue: None,
            candle: trading::market::Candle {
                symbol: trading::market::Symbol::new("BTC/USD").unwrap(),
                timeframe: trading::market::Timeframe::parse("1d").unwrap(),
                open_time_ms: 0,
                open: Decimal::ONE,
                high: Decimal::ONE,
                low: Decimal::ONE,
                close: Decimal::ONE,
                volume: Decimal::ONE,
            },
            closed: true,
        };
        assert!(
            !EventFilter::default().admits(&candle),
            "market data only when asked for"
        );
        let candles = EventFilter::parse(EventsQuery {
            types: Some("candle".into()),
            strategy: None,
        })
        .unwrap();
        assert!(candles.admits(&candle));
        let err = EventFilter::parse(EventsQuery {
            types: Some("order,fills".into()),
            strategy: None,
        })
        .unwrap_err();
        assert!(err.starts_with("types: unknown event type \"fills\""), "{err}");
    }

    #[test]
    fn an_event_becomes_one_json_object_with_its_type_and_data() {
        let bus = EventBus::new(4);
        let mut subscription = bus.subscribe("test");
        bus.publish(lifecycle(
            "alice",
            Lifecycle::Trapped {
                kind: "deadline",
                failures: 2,
            },
        ));
        let Some(Received::Event(published)) = subscription.try_next() else {
            panic!("an event");
        };
        let value = to_json(&published);
        assert_eq!(value["seq"], 1);
        assert_eq!(value["type"], "strategy");
        assert_eq!(
            value["data"],
            json!({"strategy": "alice", "lifecycle": "trapped", "kind": "deadline", "failures": 2})
        );
        assert!(value["time_ms"].as_i64().unwrap() > 1_700_000_000_000);
    }
}
