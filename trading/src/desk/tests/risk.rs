//! The desk's risk wiring: the order rate counted in the desk's time, the price band
//! against the last mark, and the position of a venue account across its strategies.

use super::*;

fn bob() -> StrategyId {
    StrategyId::new("bob")
}

#[test]
fn the_order_rate_counts_orders_in_the_last_second_of_the_desk_s_time() {
    let broker = ScriptedBroker::default();
    let limits = RiskLimits {
        max_orders_per_second: 2,
        ..RiskLimits::default()
    };
    let mut desk = desk_with(limits, None, &broker);
    let buy = || order(Side::Buy, "1", limit("90"));

    // 1. Two orders at 61,000 and 61,500 (after the bar that marked the desk, known at its
    // close at 60,000) fill the window; the third at 61,999 is refused.
    desk.place_order(&alice(), buy(), 61_000).unwrap();
    desk.place_order(&alice(), buy(), 61_500).unwrap();
    let reject = desk.place_order(&alice(), buy(), 61_999).unwrap_err();
    assert_eq!(reject.check, RiskCheck::OrderRate);
    assert_eq!(
        reject.message,
        "2 orders were sent in the last 1000 ms, the limit is 2 per second"
    );
    assert_eq!(desk.counts(&alice()).refused(RiskCheck::OrderRate), 1);

    // 2. A refused order is not counted: at 62,000 the order of 61,000 has left the window.
    desk.place_order(&alice(), buy(), 62_000).unwrap();
    assert_eq!(broker.script().submitted.len(), 3);
}

#[test]
fn a_limit_price_outside_the_band_around_the_mark_is_refused() {
    let broker = ScriptedBroker::default();
    let limits = RiskLimits {
        price_band_bps: Some(dec("500")),
        ..RiskLimits::default()
    };
    // Marked at 100 by `desk_with`.
    let mut desk = desk_with(limits, None, &broker);
    desk.place_order(&alice(), order(Side::Buy, "1", limit("95")), 1)
        .unwrap();
    let reject = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("1000")), 1)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::PriceBand);
    assert_eq!(
        reject.message,
        "limit price 1000 is 90000 bps from the last price 100, beyond the band of 500 bps"
    );
    // A market order has no price to be wrong.
    desk.place_order(&alice(), order(Side::Buy, "1", OrderType::Market), 1)
        .unwrap();

    // The band follows the mark: at 200, 1000 is still out and 195 is in.
    desk.on_market_event(&candle(60_000, "200", "200"));
    assert!(desk
        .place_order(&alice(), order(Side::Buy, "1", limit("195")), 60_001)
        .is_ok());
}

#[test]
fn the_account_position_counts_every_strategy_on_the_venue() {
    let paper = ScriptedBroker::named("paper");
    let kraken = ScriptedBroker::named("kraken");
    let config = DeskConfig {
        limits: RiskLimits {
            max_account_position: dec("3"),
            ..RiskLimits::default()
        },
        ..DeskConfig::default()
    };
    let mut desk = Desk::new(config, Box::new(paper.clone()), None).unwrap();
    desk.add_venue(Box::new(kraken.clone())).unwrap();
    let carol = StrategyId::new("carol");
    desk.register_strategy(&alice(), dec("10000")).unwrap();
    desk.register_strategy(&bob(), dec("10000")).unwrap();
    desk.register_strategy_on(&carol, Some(&VenueId::new("kraken")), dec("10000"))
        .unwrap();
    desk.on_market_event(&candle(0, "100", "100"));

    // 1. Alice holds 2 on paper and bob works a buy of 1 there: the account's worst case is 3.
    let held = desk
        .place_order(&alice(), order(Side::Buy, "2", limit("100")), 1)
        .unwrap();
    paper.push(filled(&held, "2", "100", "0", 2));
    desk.poll();
    desk.place_order(&bob(), order(Side::Buy, "1", limit("90")), 3).unwrap();

    // 2. One more on paper, by either strategy, takes the account past 3.
    let reject = desk
        .place_order(&bob(), order(Side::Buy, "0.5", limit("90")), 4)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::MaxAccountPosition);
    assert!(
        reject.message.contains("3.5") && reject.message.contains("limit of 3"),
        "{}",
        reject.message
    );

    // 3. Kraken is another account: carol's buy of 3 there passes.
    desk.place_order(&carol, order(Side::Buy, "3", limit("90")), 5).unwrap();

    // 4. A sell that shrinks the paper account's position passes.
    desk.place_order(&alice(), order(Side::Sell, "1", limit("110")), 6)
        .unwrap();
}
