//! The desk's part of the host's event stream: nothing is kept until asked, then every update
//! is an event too, a fill is followed by the position it made, and venue connections, balances
//! and reconciliations are told in the order they happened.

use std::collections::BTreeMap;

use super::*;
use crate::brokers::Balances;
use crate::desk::{Connection, DeskEvent};

fn events(desk: &mut Desk) -> Vec<DeskEvent> {
    let mut out = Vec::new();
    desk.drain_events(&mut out);
    out
}

#[test]
fn no_events_are_kept_until_the_host_asks() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "1", OrderType::Market), 60_000)
        .unwrap();
    broker.push(filled(&id, "1", "101", "0", 60_001));
    desk.poll();
    assert_eq!(drain(&mut desk).len(), 1, "the strategy hears of its fill");
    assert!(events(&mut desk).is_empty());
}

#[test]
fn a_placed_order_is_an_event_and_so_is_its_fill_then_the_position_it_made() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    desk.keep_events();
    let id = desk
        .place_order(&alice(), order(Side::Buy, "2", OrderType::Market), 60_000)
        .unwrap();
    broker.push(accepted(&id, 60_001));
    broker.push(filled(&id, "2", "101", "0.5", 60_002));
    desk.poll();

    let updates = drain(&mut desk);
    let events = events(&mut desk);
    assert_eq!(events.len(), 3, "{events:?}");
    // The placement: an event for watchers, not an update (the strategy has the call's answer).
    let DeskEvent::Order(placed) = &events[0] else {
        panic!("the placed order first: {events:?}");
    };
    assert_eq!(
        (
            placed.update.status,
            placed.update.order_id.clone(),
            placed.update.time_ms
        ),
        (OrderStatus::Open, id.clone(), 60_000)
    );
    assert_eq!(updates.len(), 1, "the strategy hears of the fill only: {updates:?}");
    let DeskEvent::Order(order_event) = &events[1] else {
        panic!("the fill's order event next: {events:?}");
    };
    assert_eq!(order_event.update, updates[0]);
    assert_eq!(
        (order_event.order_type, order_event.qty, order_event.venue.as_str()),
        (OrderType::Market, dec("2"), "scripted")
    );
    let DeskEvent::Position {
        strategy,
        venue,
        position,
        time_ms,
    } = &events[2]
    else {
        panic!("a position after the fill, not {:?}", events[2]);
    };
    assert_eq!(
        (
            strategy.as_str(),
            venue.as_str(),
            position.qty,
            position.avg_price,
            *time_ms
        ),
        ("alice", "scripted", dec("2"), dec("101"), 60_002)
    );
}

#[test]
fn connections_balances_and_the_reconciliation_are_told_in_order() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    desk.keep_events();
    let venue = VenueId::new("scripted");
    broker.push_event(VenueEvent::Connected {
        venue: venue.clone(),
        time_ms: 1_000,
    });
    broker.push_event(VenueEvent::Balances(Balances {
        venue: venue.clone(),
        assets: BTreeMap::from([("USD".to_owned(), dec("10000"))]),
        time_ms: 1_001,
    }));
    broker.push_event(VenueEvent::MassStatus(MassStatus {
        venue: venue.clone(),
        since_ms: 0,
        open: Vec::new(),
        fills: Vec::new(),
        time_ms: 1_002,
    }));
    broker.push_event(VenueEvent::Disconnected {
        venue: venue.clone(),
        reason: "socket closed".into(),
        time_ms: 2_000,
    });
    desk.poll();

    let events = events(&mut desk);
    assert_eq!(events.len(), 4, "{events:?}");
    assert_eq!(
        events[0],
        DeskEvent::Venue {
            venue: venue.clone(),
            connection: Connection::Connected,
            time_ms: 1_000
        }
    );
    assert!(
        matches!(&events[1], DeskEvent::Balances(b) if b.assets["USD"] == dec("10000")),
        "{:?}",
        events[1]
    );
    match &events[2] {
        DeskEvent::Reconciled(report) => {
            assert_eq!((report.venue.as_str(), report.completed_ms), ("scripted", 1_002));
            assert_eq!(Some(report), desk.reconciliation(&venue));
        }
        other => panic!("the reconciliation's report, not {other:?}"),
    }
    assert_eq!(
        events[3],
        DeskEvent::Venue {
            venue,
            connection: Connection::Disconnected {
                reason: "socket closed".into()
            },
            time_ms: 2_000
        }
    );
}

#[test]
fn a_loss_limit_crossed_is_a_risk_state_event_with_its_breach() {
    use crate::risk::{LossKind, LossLimits, RiskScope};

    let broker = ScriptedBroker::default();
    let limits = RiskLimits {
        loss: LossLimits {
            daily_loss_limit: Some(dec("100")),
            ..LossLimits::default()
        },
        ..RiskLimits::default()
    };
    let mut desk = desk_with(limits, None, &broker);
    desk.keep_events();
    let id = desk
        .place_order(&alice(), order(Side::Buy, "10", limit("100")), 61_000)
        .unwrap();
    broker.push(filled(&id, "10", "100", "0", 61_001));
    desk.poll();
    events(&mut desk);

    // Marked at 89 the day's loss is 110, beyond 100: halted.
    desk.on_market_event(&candle(120_000, "89", "89"));
    let risk: Vec<_> = events(&mut desk)
        .into_iter()
        .filter_map(|event| match event {
            DeskEvent::RiskState {
                scope,
                from,
                to,
                breach,
                ..
            } => Some((scope, from, to, breach.map(|b| (b.kind, b.loss, b.limit)))),
            _ => None,
        })
        .collect();
    assert_eq!(
        risk,
        [(
            RiskScope::Strategy(alice()),
            TradingState::Active,
            TradingState::Halted,
            Some((LossKind::DailyLoss, dec("110"), dec("100")))
        )]
    );
}
