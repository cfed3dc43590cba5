//! Metrics as a subscriber of the event stream: each event counted by kind, each loss-limit
//! state change, each reconciliation with its differences, and each operator's action, on a thread of their own, so
//! the desk's order path does no metric work for them. A scrape first lets the follower catch
//! up with every event published before it, so what `/metrics` shows includes them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use trading::desk::{DeskEvent, ReconciliationReport};
use trading::market::TimeMs;
use trading::orders::VenueId;

use super::Metrics;
use crate::events::{subscriber, EventBus, HostEvent, Progress, Received, Subscription};

/// The longest a scrape waits for the follower to catch up: a follower that far behind is
/// better shown late than the scrape timed out.
const CATCH_UP_WITHIN: Duration = Duration::from_millis(250);

/// The thread that keeps the event-driven metrics.
pub struct MetricsFollower {
    bus: EventBus,
    progress: Arc<Progress>,
}

impl MetricsFollower {
    /// Subscribes to `bus` and starts following it. The thread ends when every publisher of
    /// the bus is gone.
    ///
    /// # Errors
    ///
    /// When the thread cannot be started.
    pub fn start(metrics: Arc<Metrics>, bus: &EventBus) -> std::io::Result<Self> {
        let subscription = bus.subscribe(subscriber::METRICS);
        let progress = Arc::new(Progress::default());
        let thread_progress = progress.clone();
        std::thread::Builder::new()
            .name("metrics-events".into())
            .spawn(move || follow(subscription, &metrics, &thread_progress))?;
        Ok(Self {
            bus: bus.clone(),
            progress,
        })
    }

    /// Waits (a bounded time) until every event published before this call is counted.
    pub fn catch_up(&self) {
        self.progress.wait_for(self.bus.published(), CATCH_UP_WITHIN);
    }
}

fn follow(mut subscription: Subscription, metrics: &Metrics, progress: &Progress) {
    let mut tallies = Tallies::default();
    while let Some(received) = subscription.next_blocking() {
        let Received::Event(published) = received else {
            continue;
        };
        metrics.event_published(published.event.kind());
        match &published.event {
            HostEvent::Desk(DeskEvent::RiskState { scope, to, .. }) => metrics.risk_state_changed(scope.kind(), *to),
            HostEvent::Desk(DeskEvent::Reconciled(report)) => tallies.count(report, metrics),
            HostEvent::Control(control) => metrics.control_action(control.action),
            _ => {}
        }
        progress.advance(published.seq);
    }
}

/// What of each venue's latest report has been counted: the report (by its start) and how
/// many of its differences, since balances compared late add to a report already counted.
#[derive(Default)]
struct Tallies {
    counted: HashMap<VenueId, (TimeMs, usize)>,
}

impl Tallies {
    fn count(&mut self, report: &ReconciliationReport, metrics: &Metrics) {
        let broker = report.venue.as_str();
        let seen = match self.counted.get(&report.venue) {
            Some(&(started_ms, seen)) if started_ms == report.started_ms => seen,
            _ => {
                metrics.reconciled(broker, report.trigger.code());
                0
            }
        };
        for difference in report.differences.iter().skip(seen) {
            metrics.reconciliation_difference(broker, difference.kind());
        }
        self.counted
            .insert(report.venue.clone(), (report.started_ms, report.differences.len()));
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use trading::desk::{BalanceCheck, Difference, ReconciliationCounts, Trigger, UnknownOrderAction};
    use trading::orders::{OrderId, StrategyId};
    use trading::risk::{RiskScope, TradingState};

    use super::*;

    fn report(started_ms: i64, differences: Vec<Difference>) -> HostEvent {
        HostEvent::Desk(DeskEvent::Reconciled(ReconciliationReport {
            venue: VenueId::new("kraken"),
            trigger: Trigger::Start,
            started_ms,
            completed_ms: started_ms + 1,
            counts: ReconciliationCounts::default(),
            differences,
            balances: BalanceCheck::NotReported,
        }))
    }

    fn unknown() -> Difference {
        Difference::UnknownOrder {
            id: OrderId::new("x-1"),
            venue_order_id: None,
            filled_qty: Decimal::ZERO,
            action: UnknownOrderAction::Reported,
        }
    }

    fn balance() -> Difference {
        Difference::Balance {
            asset: "BTC".into(),
            venue: Decimal::ONE,
            books: Decimal::ZERO,
        }
    }

    fn assert_lines(text: &str, lines: &[(&str, &str)]) {
        for (line, expected) in lines {
            assert!(
                text.contains(&format!("{line} {expected}\n")),
                "{line} {expected} in:\n{text}"
            );
        }
    }

    #[test]
    fn published_events_are_in_the_metrics_after_catching_up() {
        let metrics = Metrics::new();
        let bus = EventBus::new(64);
        let follower = MetricsFollower::start(metrics.clone(), &bus).unwrap();
        // The same report again, then with late balances, then a new one: each report and
        // each difference counted once.
        bus.publish(report(10, vec![unknown()]));
        bus.publish(report(10, vec![unknown()]));
        bus.publish(report(10, vec![unknown(), balance()]));
        bus.publish(report(20, vec![unknown()]));
        bus.publish(HostEvent::Desk(DeskEvent::RiskState {
            scope: RiskScope::Strategy(StrategyId::new("alice")),
            from: TradingState::Active,
            to: TradingState::Halted,
            breach: None,
            time_ms: 5,
        }));
        follower.catch_up();
        assert_lines(
            &metrics.encode(),
            &[
                (
                    "strategy_host_reconciliations_total{broker=\"kraken\",trigger=\"start\"}",
                    "2",
                ),
                (
                    "strategy_host_reconciliation_differences_total{broker=\"kraken\",kind=\"unknown_order\"}",
                    "2",
                ),
                (
                    "strategy_host_reconciliation_differences_total{broker=\"kraken\",kind=\"balance\"}",
                    "1",
                ),
                (
                    "strategy_host_risk_state_changes_total{scope=\"strategy\",state=\"halted\"}",
                    "1",
                ),
                ("strategy_host_events_total{kind=\"reconciliation\"}", "4"),
                ("strategy_host_events_total{kind=\"risk\"}", "1"),
                ("strategy_host_events_total{kind=\"order\"}", "0"),
            ],
        );
        metrics.observe_events(&bus);
        assert_lines(
            &metrics.encode(),
            &[
                ("strategy_host_event_subscribers{subscriber=\"metrics\"}", "1"),
                ("strategy_host_events_skipped_total{subscriber=\"metrics\"}", "0"),
            ],
        );
    }
}
