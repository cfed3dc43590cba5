//! What of the event stream is worth a notification: a [`Topic`] (fills, risk state changes,
//! quarantines, venue disconnects) and the [`Notice`] picked from one event, its fields as the
//! text templates name them.

use trading::desk::{Connection, DeskEvent};
use trading::market::{Rfc3339, Side};
use trading::orders::OrderStatus;

use crate::events::{HostEvent, Lifecycle, Published};

/// The kinds of event a webhook can be sent: the `events` of a `[[notifications.webhooks]]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    /// An order update carrying a fill.
    Fill,
    /// A loss limit moved a strategy or an account to another trading state.
    Risk,
    /// A strategy failed too many times in a row and stopped.
    Quarantine,
    /// A venue's order path was lost.
    VenueDisconnect,
}

impl Topic {
    pub const ALL: [Topic; 4] = [Topic::Fill, Topic::Risk, Topic::Quarantine, Topic::VenueDisconnect];

    /// The word of the config and of the `json` body's `event`.
    pub fn code(self) -> &'static str {
        match self {
            Topic::Fill => "fill",
            Topic::Risk => "risk",
            Topic::Quarantine => "quarantine",
            Topic::VenueDisconnect => "venue_disconnect",
        }
    }

    pub fn parse(word: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|topic| topic.code() == word)
    }

    /// The placeholders a text template of this topic may use, besides [`COMMON_FIELDS`].
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Topic::Fill => &[
                "strategy",
                "symbol",
                "side",
                "qty",
                "price",
                "fee",
                "order_id",
                "status",
                "filled_qty",
                "remaining_qty",
            ],
            Topic::Risk => &["scope", "name", "from", "to", "breach", "loss", "limit"],
            Topic::Quarantine => &["strategy", "failures"],
            Topic::VenueDisconnect => &["venue", "reason"],
        }
    }

    /// The text of a webhook that sets no template for this topic.
    pub fn default_template(self) -> &'static str {
        match self {
            Topic::Fill => "{strategy}: {side} {qty} {symbol} at {price} (fee {fee}, order {order_id}, {status})",
            Topic::Risk => "{scope} {name}: {from} -> {to} ({breach})",
            Topic::Quarantine => "{strategy} quarantined after {failures} consecutive failures",
            Topic::VenueDisconnect => "venue {venue} disconnected: {reason}",
        }
    }
}

/// The placeholders every topic has: `event` (the topic's word) and `time` (RFC 3339, UTC).
pub const COMMON_FIELDS: [&str; 2] = ["event", "time"];

/// One event picked for notification, with the values of its topic's placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub topic: Topic,
    /// `(placeholder, value)`, in the order of [`Topic::fields`], then [`COMMON_FIELDS`].
    fields: Vec<(&'static str, String)>,
}

impl Notice {
    /// The notice of `published`, when its event is of a topic. The `time` is the event's own
    /// (a replay's time in paper trading), or when it was published for an event that has
    /// none (a quarantine).
    pub fn of(published: &Published) -> Option<Notice> {
        let (topic, mut fields, time_ms) = match &published.event {
            HostEvent::Desk(DeskEvent::Order(order)) => {
                let update = &order.update;
                let fill = update.fill.as_ref()?;
                let fields = vec![
                    ("strategy", fill.strategy.to_string()),
                    ("symbol", fill.symbol.as_str().to_owned()),
                    ("side", side(fill.side).to_owned()),
                    ("qty", fill.qty.normalize().to_string()),
                    ("price", fill.price.normalize().to_string()),
                    ("fee", fill.fee.normalize().to_string()),
                    ("order_id", fill.order_id.to_string()),
                    ("status", status(update.status).to_owned()),
                    ("filled_qty", update.filled_qty.normalize().to_string()),
                    ("remaining_qty", update.remaining_qty.normalize().to_string()),
                ];
                (Topic::Fill, fields, fill.time_ms)
            }
            HostEvent::Desk(DeskEvent::RiskState {
                scope,
                from,
                to,
                breach,
                time_ms,
            }) => {
                let (breach_text, loss, limit) = match breach {
                    Some(b) => (
                        format!(
                            "{}: {} against a limit of {}",
                            b.kind.code(),
                            b.loss.normalize(),
                            b.limit.normalize()
                        ),
                        b.loss.normalize().to_string(),
                        b.limit.normalize().to_string(),
                    ),
                    None => ("breach lifted".to_owned(), String::new(), String::new()),
                };
                let fields = vec![
                    ("scope", scope.kind().as_str().to_owned()),
                    ("name", scope.name().to_owned()),
                    ("from", from.as_str().to_owned()),
                    ("to", to.as_str().to_owned()),
                    ("breach", breach_text),
                    ("loss", loss),
                    ("limit", limit),
                ];
                (Topic::Risk, fields, *time_ms)
            }
            HostEvent::Strategy(event) => {
                let Lifecycle::Quarantined { failures } = event.lifecycle else {
                    return None;
                };
                let fields = vec![
                    ("strategy", event.strategy.to_string()),
                    ("failures", failures.to_string()),
                ];
                (Topic::Quarantine, fields, published.wall_ms)
            }
            HostEvent::Desk(DeskEvent::Venue {
                venue,
                connection: Connection::Disconnected { reason },
                time_ms,
            }) => {
                let fields = vec![("venue", venue.to_string()), ("reason", reason.clone())];
                (Topic::VenueDisconnect, fields, *time_ms)
            }
            _ => return None,
        };
        fields.push(("event", topic.code().to_owned()));
        fields.push(("time", Rfc3339(time_ms).to_string()));
        Some(Notice { topic, fields })
    }

    /// The value of placeholder `name`; `None` for one the topic does not have.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

fn side(side: Side) -> &'static str {
    match side {
        Side::Buy => "buy",
        Side::Sell => "sell",
    }
}

fn status(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Open => "open",
        OrderStatus::PartiallyFilled => "partially_filled",
        OrderStatus::Filled => "filled",
        OrderStatus::Cancelled => "cancelled",
        OrderStatus::Rejected => "rejected",
    }
}

#[cfg(test)]
pub(super) mod tests {
    use rust_decimal::Decimal;
    use trading::desk::OrderNotice;
    use trading::market::Symbol;
    use trading::orders::{Fill, OrderId, OrderType, OrderUpdate, StrategyId, VenueId};
    use trading::risk::{Breach, LossKind, RiskScope, TradingState};

    use super::*;
    use crate::events::StrategyEvent;

    /// 2020-01-03T09:30:00Z.
    pub(in crate::notifications) const T: i64 = 18_264 * 86_400_000 + 34_200_000;

    pub(in crate::notifications) fn published(event: HostEvent) -> Published {
        Published {
            seq: 7,
            wall_ms: T + 1,
            event,
        }
    }

    pub(in crate::notifications) fn fill_event() -> HostEvent {
        let strategy = StrategyId::new("grid");
        let symbol = Symbol::new("BTC/USD").unwrap();
        let update = OrderUpdate {
            order_id: OrderId::new("grid-1"),
            strategy: strategy.clone(),
            tag: String::new(),
            symbol: symbol.clone(),
            side: Side::Buy,
            status: OrderStatus::PartiallyFilled,
            filled_qty: Decimal::new(1, 2),
            remaining_qty: Decimal::new(200, 4),
            fill: Some(Fill {
                order_id: OrderId::new("grid-1"),
                strategy,
                symbol,
                side: Side::Buy,
                price: Decimal::new(9_845_050, 2),
                qty: Decimal::new(1, 2),
                fee: Decimal::new(98_450, 5),
                time_ms: T,
                trade_id: None,
            }),
            reason: None,
            time_ms: T,
        };
        HostEvent::Desk(DeskEvent::Order(Box::new(OrderNotice {
            update,
            venue: VenueId::new("paper"),
            order_type: OrderType::Limit(Decimal::new(9_845_050, 2)),
            qty: Decimal::new(3, 2),
        })))
    }

    #[test]
    fn a_fill_is_a_notice_with_its_numbers_exact_and_trimmed() {
        let notice = Notice::of(&published(fill_event())).unwrap();
        assert_eq!(notice.topic, Topic::Fill);
        let fields: Vec<(&str, &str)> = notice.fields.iter().map(|(n, v)| (*n, v.as_str())).collect();
        assert_eq!(
            fields,
            [
                ("strategy", "grid"),
                ("symbol", "BTC/USD"),
                ("side", "buy"),
                ("qty", "0.01"),
                ("price", "98450.5"),
                ("fee", "0.9845"),
                ("order_id", "grid-1"),
                ("status", "partially_filled"),
                ("filled_qty", "0.01"),
                ("remaining_qty", "0.02"),
                ("event", "fill"),
                ("time", "2020-01-03T09:30:00Z"),
            ]
        );
        // The fields are the ones the topic lists for its templates, and only those.
        let listed: Vec<&str> = Topic::Fill.fields().iter().chain(&COMMON_FIELDS).copied().collect();
        assert_eq!(listed, fields.iter().map(|(n, _)| *n).collect::<Vec<_>>());
    }

    #[test]
    fn an_order_update_without_a_fill_is_no_notice_nor_is_another_lifecycle() {
        let HostEvent::Desk(DeskEvent::Order(mut order)) = fill_event() else {
            unreachable!()
        };
        order.update.fill = None;
        assert_eq!(Notice::of(&published(HostEvent::Desk(DeskEvent::Order(order)))), None);
        let recovered = HostEvent::Strategy(StrategyEvent {
            strategy: StrategyId::new("grid"),
            lifecycle: Lifecycle::Recovered,
        });
        assert_eq!(Notice::of(&published(recovered)), None);
        let connected = HostEvent::Desk(DeskEvent::Venue {
            venue: VenueId::new("kraken"),
            connection: Connection::Connected,
            time_ms: T,
        });
        assert_eq!(Notice::of(&published(connected)), None);
    }

    #[test]
    fn risk_quarantine_and_disconnect_notices_carry_their_fields() {
        let halted = HostEvent::Desk(DeskEvent::RiskState {
            scope: RiskScope::Account(VenueId::new("kraken")),
            from: TradingState::Active,
            to: TradingState::Halted,
            breach: Some(Breach {
                kind: LossKind::Drawdown,
                loss: Decimal::new(10_250, 1),
                limit: Decimal::from(1_000),
                state: TradingState::Halted,
                since_ms: T,
            }),
            time_ms: T,
        });
        let notice = Notice::of(&published(halted)).unwrap();
        assert_eq!(notice.topic, Topic::Risk);
        assert_eq!(notice.field("scope"), Some("account"));
        assert_eq!(notice.field("name"), Some("kraken"));
        assert_eq!(notice.field("to"), Some("halted"));
        assert_eq!(
            notice.field("breach"),
            Some("max_drawdown: 1025 against a limit of 1000")
        );
        assert_eq!(notice.field("limit"), Some("1000"));

        let quarantined = HostEvent::Strategy(StrategyEvent {
            strategy: StrategyId::new("hostile"),
            lifecycle: Lifecycle::Quarantined { failures: 5 },
        });
        let notice = Notice::of(&published(quarantined)).unwrap();
        assert_eq!(notice.topic, Topic::Quarantine);
        assert_eq!(notice.field("failures"), Some("5"));
        assert_eq!(
            notice.field("time"),
            Some("2020-01-03T09:30:00.001Z"),
            "a quarantine's time is when it was published"
        );

        let lost = HostEvent::Desk(DeskEvent::Venue {
            venue: VenueId::new("kraken"),
            connection: Connection::Disconnected {
                reason: "socket closed".into(),
            },
            time_ms: T,
        });
        let notice = Notice::of(&published(lost)).unwrap();
        assert_eq!(notice.topic, Topic::VenueDisconnect);
        assert_eq!(notice.field("reason"), Some("socket closed"));
        assert_eq!(notice.field("side"), None);
    }

    #[test]
    fn each_notice_has_exactly_the_placeholders_its_topic_lists() {
        let events = [
            fill_event(),
            HostEvent::Desk(DeskEvent::RiskState {
                scope: RiskScope::Strategy(StrategyId::new("grid")),
                from: TradingState::Halted,
                to: TradingState::Active,
                breach: None,
                time_ms: T,
            }),
            HostEvent::Strategy(StrategyEvent {
                strategy: StrategyId::new("grid"),
                lifecycle: Lifecycle::Quarantined { failures: 5 },
            }),
            HostEvent::Desk(DeskEvent::Venue {
                venue: VenueId::new("kraken"),
                connection: Connection::Disconnected { reason: "eof".into() },
                time_ms: T,
            }),
        ];
        let topics: Vec<Topic> = events
            .into_iter()
            .map(|event| {
                let notice = Notice::of(&published(event)).unwrap();
                let listed: Vec<&str> = notice.topic.fields().iter().chain(&COMMON_FIELDS).copied().collect();
                let names: Vec<&str> = notice.fields.iter().map(|(n, _)| *n).collect();
                assert_eq!(names, listed, "{:?}", notice.topic);
                notice.topic
            })
            .collect();
        assert_eq!(topics, Topic::ALL);
    }

    #[test]
    fn topic_words_round_trip() {
        for topic in Topic::ALL {
            assert_eq!(Topic::parse(topic.code()), Some(topic));
        }
        assert_eq!(Topic::parse("fills"), None);
    }
}
