//! A venue's instrument at the desk: what is stored, sent and told to the strategy is the
//! order rounded onto it, and what rounding cannot fix is refused as `below_minimum`.

use super::*;
use crate::market::Instrument;

/// Kraken's BTC/USD rules: tick 0.1, lot 1e-8, at least 0.0001 BTC and 0.5 USD.
fn btc_usd() -> Instrument {
    Instrument::new(dec("0.1"), dec("0.00000001"))
        .and_then(|i| i.with_min_qty(dec("0.0001")))
        .and_then(|i| i.with_min_notional(dec("0.5")))
        .unwrap()
}

fn scripted() -> VenueId {
    VenueId::new("scripted")
}

/// A desk over `broker` whose BTC/USD has [`btc_usd`]'s rules, shorting allowed so sells
/// need no position.
fn desk_with_instrument(broker: &ScriptedBroker) -> Desk {
    let limits = RiskLimits {
        allow_short: true,
        ..RiskLimits::default()
    };
    let mut desk = desk_with(limits, None, broker);
    desk.set_instrument(&scripted(), &btc(), btc_usd());
    desk
}

#[test]
fn an_order_is_stored_sent_and_reported_as_rounded() {
    let broker = ScriptedBroker::default();
    let mut desk = desk_with_instrument(&broker);
    assert_eq!(desk.instrument(&scripted(), &btc()), Some(&btc_usd()));

    // 1. A buy off the lot and the tick: its quantity rounds down, its price down.
    let buy = desk
        .place_order(&alice(), order(Side::Buy, "0.123456789", limit("90.07")), 1)
        .unwrap();
    let request = desk.order(&buy).unwrap().request().clone();
    assert_eq!(
        (request.qty.to_string(), request.order_type),
        ("0.12345678".to_owned(), limit("90.0"))
    );
    let sent = broker.script().submitted[0].clone();
    assert_eq!(
        (sent.qty.to_string(), sent.order_type),
        ("0.12345678".to_owned(), limit("90.0"))
    );

    // 2. A sell's price rounds up: never cheaper than asked.
    let sell = desk
        .place_order(&alice(), order(Side::Sell, "1", limit("110.01")), 2)
        .unwrap();
    assert_eq!(desk.order(&sell).unwrap().request().order_type, limit("110.1"));
    assert_eq!(broker.script().submitted[1].order_type, limit("110.1"));

    // 3. The strategy's updates count from the rounded quantity.
    broker.push(accepted(&buy, 3));
    broker.push(filled(&buy, "0.1", "90", "0", 4));
    desk.poll();
    let updates = drain(&mut desk);
    assert_eq!(
        updates.iter().map(|u| (u.status, u.remaining_qty)).collect::<Vec<_>>(),
        [(OrderStatus::PartiallyFilled, dec("0.02345678"))]
    );
}

#[test]
fn an_order_below_the_minimums_is_refused_and_counted() {
    let broker = ScriptedBroker::default();
    let mut desk = desk_with_instrument(&broker);
    let refusals = [
        // Below the minimum quantity.
        order(Side::Buy, "0.00009999", limit("90")),
        // Rounds down to nothing.
        order(Side::Buy, "0.000000009", limit("90")),
        // 0.0001 × 4,999.9 is below the 0.5 minimum notional.
        order(Side::Buy, "0.0001", limit("4999.9")),
        // A market order is valued at the last price: 0.001 × 100.
        order(Side::Sell, "0.001", OrderType::Market),
    ];
    for request in refusals {
        let refused = desk.place_order(&alice(), request.clone(), 1).unwrap_err();
        assert_eq!(refused.code(), "below_minimum", "{request:?}: {}", refused.message);
    }
    assert_eq!(desk.counts(&alice()).refused(RiskCheck::BelowMinimum), 4);
    assert_eq!(desk.counts(&alice()).refused_total(), 4);
    assert!(broker.script().submitted.is_empty());
    // At the minimums it goes.
    desk.place_order(&alice(), order(Side::Buy, "0.005", limit("100")), 2)
        .unwrap();
    assert_eq!(broker.script().submitted.len(), 1);
}

#[test]
fn an_amend_is_rounded_and_refused_like_a_new_order() {
    let broker = ScriptedBroker::default();
    let mut desk = desk_with_instrument(&broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "0.5", limit("90")), 1)
        .unwrap();
    broker.push(accepted(&id, 2));
    broker.push(filled(&id, "0.2", "90", "0", 3));
    desk.poll();

    // 1. The whole quantity rounds down to the lot and a new price down to the tick.
    desk.amend_order(&alice(), &id, dec("0.700000009"), Some(dec("91.05")), 4)
        .unwrap();
    let sent = broker.script().amended[0].clone();
    assert_eq!(
        (sent.qty.to_string(), sent.limit_price),
        ("0.70000000".to_owned(), Some(dec("91.0")))
    );

    // 2. A kept price is sent as kept.
    desk.amend_order(&alice(), &id, dec("0.3"), None, 5).unwrap();
    assert_eq!(broker.script().amended[1].limit_price, None);

    // 3. The minimums are the whole order's: 0.20005 in all is above 0.0001, though only
    //    0.00005 is left to trade.
    desk.amend_order(&alice(), &id, dec("0.20005"), None, 6).unwrap();
    assert_eq!(broker.script().amended[2].qty, dec("0.20005"));

    // 4. An amend that rounds down to what already filled, or below the minimum notional,
    //    is refused and counted; nothing is sent.
    let nothing_left = desk
        .amend_order(&alice(), &id, dec("0.2000000001"), None, 7)
        .unwrap_err();
    let too_cheap = desk
        .amend_order(&alice(), &id, dec("0.3"), Some(dec("0.5")), 7)
        .unwrap_err();
    for refused in [nothing_left, too_cheap] {
        assert!(
            matches!(refused, AmendError::Refused(ref r) if r.check == RiskCheck::BelowMinimum),
            "{refused:?}"
        );
    }
    assert_eq!(desk.counts(&alice()).refused(RiskCheck::BelowMinimum), 2);
    assert_eq!(broker.script().amended.len(), 3);
}

#[test]
fn without_an_instrument_for_the_venue_and_symbol_orders_go_as_asked() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    // Rules for another venue, and for another symbol on this one, are not BTC/USD's here.
    desk.set_instrument(&VenueId::new("elsewhere"), &btc(), btc_usd());
    desk.set_instrument(&scripted(), &Symbol::new("ETH/USD").unwrap(), btc_usd());
    assert_eq!(desk.instrument(&scripted(), &btc()), None);

    let id = desk
        .place_order(&alice(), order(Side::Buy, "0.000000009", limit("90.07")), 1)
        .unwrap();
    let sent = broker.script().submitted[0].clone();
    assert_eq!((sent.qty, sent.order_type), (dec("0.000000009"), limit("90.07")));
    desk.amend_order(&alice(), &id, dec("0.123456789"), Some(dec("90.03")), 2)
        .unwrap();
    let amended = broker.script().amended[0].clone();
    assert_eq!(
        (amended.qty, amended.limit_price),
        (dec("0.123456789"), Some(dec("90.03")))
    );
}
