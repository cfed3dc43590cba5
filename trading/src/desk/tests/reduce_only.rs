//! The reduce-only rule at the desk with the simulated venue: risk at placement, the cap at a
//! simulated fill, and the trim or cancel of the other reduce-only orders after a fill
//! (`desk/reduce_only.rs`).

use super::*;

fn bar(open_time_ms: TimeMs, [open, high, low, close]: [&str; 4]) -> MarketEvent {
    MarketEvent::Candle(Candle {
        symbol: btc(),
        timeframe: Timeframe::parse("1m").unwrap(),
        open_time_ms,
        open: dec(open),
        high: dec(high),
        low: dec(low),
        close: dec(close),
        volume: Decimal::ONE,
    })
}

/// A paper desk without fees, alice long `qty` bought at 100 by the bar opening at 60,000.
fn long(qty: &str) -> Desk {
    let sim = SimBroker::new(SimConfig {
        fee_rate: Decimal::ZERO,
        slippage_bps: Decimal::ZERO,
        ..SimConfig::default()
    })
    .unwrap();
    let mut desk = Desk::new(DeskConfig::default(), Box::new(sim), None).unwrap();
    desk.register_strategy(&alice(), dec("100000")).unwrap();
    desk.on_market_event(&bar(0, ["100", "100", "100", "100"]));
    desk.place_order(&alice(), order(Side::Buy, qty, OrderType::Market), 60_000)
        .unwrap();
    desk.on_market_event(&bar(60_000, ["100", "100", "100", "100"]));
    assert_eq!(position(&desk), dec(qty));
    desk
}

fn position(desk: &Desk) -> Decimal {
    desk.position(&alice(), &btc()).qty
}

fn reduce_only(side: Side, qty: &str, order_type: OrderType) -> OrderRequest {
    OrderRequest {
        reduce_only: true,
        ..order(side, qty, order_type)
    }
}

#[test]
fn a_reduce_only_order_that_would_not_reduce_is_refused_with_the_numbers() {
    let mut desk = long("1");
    for (side, qty) in [(Side::Sell, "2"), (Side::Buy, "1")] {
        let reject = desk
            .place_order(&alice(), reduce_only(side, qty, OrderType::Market), 120_000)
            .unwrap_err();
        assert_eq!(reject.check, RiskCheck::ReduceOnly, "{side:?} {qty}");
        assert!(
            reject.message.contains("the order is reduce-only"),
            "{}",
            reject.message
        );
    }
    // Each on its own within the position: a bracket's two exits of the whole position pass.
    desk.place_order(&alice(), reduce_only(Side::Sell, "1", limit("110")), 120_000)
        .unwrap();
    desk.place_order(
        &alice(),
        reduce_only(Side::Sell, "1", OrderType::Stop(dec("90"))),
        120_000,
    )
    .unwrap();
}

#[test]
fn when_one_exit_fills_the_other_reduce_only_exit_is_cancelled() {
    let mut desk = long("1");
    let take_profit = desk
        .place_order(&alice(), reduce_only(Side::Sell, "1", limit("110")), 120_000)
        .unwrap();
    let stop_loss = desk
        .place_order(
            &alice(),
            reduce_only(Side::Sell, "1", OrderType::Stop(dec("90"))),
            120_000,
        )
        .unwrap();
    // Trades through 110 but never down to 90: the take-profit fills, the stop is cancelled.
    desk.on_market_event(&bar(120_000, ["105", "111", "104", "108"]));
    assert_eq!(desk.order(&take_profit).unwrap().status(), OrderStatus::Filled);
    assert_eq!(desk.order(&stop_loss).unwrap().status(), OrderStatus::Cancelled);
    assert_eq!(position(&desk), Decimal::ZERO);
    // A later fall through 90 sells nothing: no short was opened.
    desk.on_market_event(&bar(180_000, ["95", "95", "80", "85"]));
    assert_eq!(position(&desk), Decimal::ZERO);
}

#[test]
fn a_partial_exit_trims_the_other_reduce_only_order_to_the_rest_of_the_position() {
    let mut desk = long("2");
    let stop_loss = desk
        .place_order(
            &alice(),
            reduce_only(Side::Sell, "2", OrderType::Stop(dec("90"))),
            120_000,
        )
        .unwrap();
    desk.place_order(&alice(), reduce_only(Side::Sell, "1", limit("110")), 120_000)
        .unwrap();
    desk.on_market_event(&bar(120_000, ["105", "111", "104", "108"]));
    assert_eq!(position(&desk), Decimal::ONE);
    let stop = desk.order(&stop_loss).unwrap();
    assert_eq!((stop.status(), stop.request().qty), (OrderStatus::Open, Decimal::ONE));
    // The stop then closes exactly what is left.
    desk.on_market_event(&bar(180_000, ["95", "95", "80", "85"]));
    assert_eq!(desk.order(&stop_loss).unwrap().status(), OrderStatus::Filled);
    assert_eq!(position(&desk), Decimal::ZERO);
}

#[test]
fn two_reduce_only_exits_filled_by_one_bar_close_the_position_and_no_more() {
    let mut desk = long("1");
    let first = desk
        .place_order(&alice(), reduce_only(Side::Sell, "1", limit("101")), 120_000)
        .unwrap();
    let second = desk
        .place_order(&alice(), reduce_only(Side::Sell, "1", limit("102")), 120_000)
        .unwrap();
    // One bar trades through both: the simulator fills both, and the desk books the first and
    // cancels the second at its fill, with the reason.
    desk.on_market_event(&bar(120_000, ["100", "103", "99", "102"]));
    assert_eq!(desk.order(&first).unwrap().status(), OrderStatus::Filled);
    let second = desk.order(&second).unwrap();
    assert_eq!(second.status(), OrderStatus::Cancelled);
    assert!(
        second.state().reason().is_some_and(|r| r.starts_with("reduce_only: ")),
        "{:?}",
        second.state()
    );
    assert_eq!(position(&desk), Decimal::ZERO);
    assert_eq!(desk.counts(&alice()).fills, 2, "the opening buy and the first exit");
}
