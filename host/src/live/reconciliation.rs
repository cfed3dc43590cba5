//! A venue's latest reconciliation as `/status` shows it: the desk's typed
//! [`ReconciliationReport`] in plain serializable fields, each difference with its kind and
//! the code of the rule that resolved it.

use rust_decimal::Decimal;
use serde::Serialize;
use trading::desk::{BalanceCheck, Difference, ReconciliationCounts, ReconciliationReport};

/// `/status` `venues[].reconciliation`.
#[derive(Debug, Clone, Serialize)]
pub struct ReconciliationStatus {
    /// `start` (the first connection of this process) or `reconnect`.
    pub trigger: &'static str,
    pub started_ms: i64,
    pub completed_ms: i64,
    pub working_before: usize,
    pub open_at_venue: usize,
    pub matched: usize,
    pub fills_booked: usize,
    pub queried: usize,
    /// When the venue's balances were compared with the books; absent until it reports them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub balances_compared_ms: Option<i64>,
    pub differences: Vec<DifferenceStatus>,
}

/// One difference: `kind` (`filled`, `partially_filled`, `cancelled`, `never_reached`,
/// `unknown_order`, `balance`), `rule` (`fills_booked`, `settled_by_venue`, `reported`,
/// `cancel_requested`, `books_kept`) and the fields of its kind.
#[derive(Debug, Clone, Serialize)]
pub struct DifferenceStatus {
    pub kind: &'static str,
    pub rule: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strategy: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venue_order_id: Option<String>,
    /// The quantity filled during the reconciliation (for an unknown order: filled at the venue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qty: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub venue_balance: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub books_balance: Option<Decimal>,
}

impl From<&ReconciliationReport> for ReconciliationStatus {
    fn from(report: &ReconciliationReport) -> Self {
        let ReconciliationCounts {
            working_before,
            open_at_venue,
            matched,
            fills_booked,
            queried,
        } = report.counts;
        Self {
            trigger: report.trigger.code(),
            started_ms: report.started_ms,
            completed_ms: report.completed_ms,
            working_before,
            open_at_venue,
            matched,
            fills_booked,
            queried,
            balances_compared_ms: match report.balances {
                BalanceCheck::NotReported => None,
                BalanceCheck::Compared { time_ms } => Some(time_ms),
            },
            differences: report.differences.iter().map(DifferenceStatus::from).collect(),
        }
    }
}

impl From<&Difference> for DifferenceStatus {
    fn from(difference: &Difference) -> Self {
        let mut status = DifferenceStatus {
            kind: difference.kind(),
            rule: difference.rule().code(),
            order_id: None,
            strategy: None,
            venue_order_id: None,
            qty: None,
            asset: None,
            venue_balance: None,
            books_balance: None,
        };
        match difference {
            Difference::Filled { id, strategy, qty } | Difference::PartiallyFilled { id, strategy, qty } => {
                status.order_id = Some(id.to_string());
                status.strategy = Some(strategy.to_string());
                status.qty = Some(*qty);
            }
            Difference::Cancelled {
                id,
                strategy,
                filled_qty,
            } => {
                status.order_id = Some(id.to_string());
                status.strategy = Some(strategy.to_string());
                status.qty = Some(*filled_qty);
            }
            Difference::NeverReached { id, strategy } => {
                status.order_id = Some(id.to_string());
                status.strategy = Some(strategy.to_string());
            }
            Difference::UnknownOrder {
                id,
                venue_order_id,
                filled_qty,
                ..
            } => {
                status.order_id = Some(id.to_string());
                status.venue_order_id = venue_order_id.as_ref().map(ToString::to_string);
                status.qty = Some(*filled_qty);
            }
            Difference::Balance { asset, venue, books } => {
                status.asset = Some(asset.clone());
                status.venue_balance = Some(*venue);
                status.books_balance = Some(*books);
            }
        }
        status
    }
}

#[cfg(test)]
mod tests {
    use trading::desk::Trigger;
    use trading::orders::VenueId;

    use super::*;

    fn report(started_ms: i64, differences: Vec<Difference>) -> ReconciliationReport {
        ReconciliationReport {
            venue: VenueId::new("kraken"),
            trigger: Trigger::Start,
            started_ms,
            completed_ms: started_ms + 1,
            counts: ReconciliationCounts::default(),
            differences,
            balances: BalanceCheck::NotReported,
        }
    }

    fn balance() -> Difference {
        Difference::Balance {
            asset: "BTC".into(),
            venue: Decimal::ONE,
            books: Decimal::ZERO,
        }
    }

    #[test]
    fn a_difference_shows_its_kind_rule_and_fields() {
        let status = ReconciliationStatus::from(&report(10, vec![balance()]));
        let json = serde_json::to_value(&status).unwrap();
        assert_eq!(json["trigger"], "start");
        assert!(json.get("balances_compared_ms").is_none());
        let difference = &json["differences"][0];
        assert_eq!(
            (&difference["kind"], &difference["rule"], &difference["asset"]),
            (&"balance".into(), &"books_kept".into(), &"BTC".into())
        );
        assert_eq!(difference["venue_balance"], "1");
        assert!(difference.get("order_id").is_none());
    }
}
