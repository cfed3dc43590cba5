//! `amend-order` through the real host: a guest amends a resting order, the desk risk-checks
//! it and sends it to the simulated venue, and the venue's confirmation comes back to the guest
//! as an order update. An amend of an order that does not exist is an error value, not a trap.

use rust_decimal::Decimal;
use strategy_host::runtime::{lock_desk, CpuBudget, Health};
use trading::market::MarketEvent;
use trading::orders::{OrderId, OrderStatus, OrderType, StrategyId};

use crate::support::{walk, Harness};

#[test]
fn an_amend_reaches_the_desk_and_its_confirmation_comes_back_as_an_update() {
    let h = Harness::new(CpuBudget::deterministic());
    let bars = walk(3);
    let first_close = bars[0].close;
    // One strategy: the backtest path, where updates are pulled with `next-event`.
    let run = h.replay(
        &[("hostile", "amender", r#"{"mode": "amend"}"#)],
        bars.into_iter().map(MarketEvent::Candle).collect(),
    );
    let updates: Vec<&str> = run
        .reasonings_of("amender")
        .into_iter()
        .map(|(_, reasoning)| reasoning)
        .filter(|reasoning| reasoning.starts_with("update "))
        .collect();
    // Placed as 0.01 on the first bar (its acceptance changes no public status: no update);
    // amended to 0.03 on the second, confirmed by the venue: one update, same order, still open.
    let desk = lock_desk(&h.desk);
    let working: Vec<&OrderId> = desk.open_orders(&StrategyId::new("amender")).map(|o| o.id()).collect();
    let [id] = working.as_slice() else {
        panic!("expected one resting order, got {working:?}");
    };
    assert_eq!(updates, [format!("update {id} Open remaining=0.03")]);
    let order = desk.order(id).unwrap();
    let price = (first_close / Decimal::TWO).round_dp(2);
    assert_eq!(order.request().qty, Decimal::new(3, 2));
    assert_eq!(
        order.request().order_type,
        OrderType::Limit((price * Decimal::new(9, 1)).round_dp(2))
    );
    assert_eq!(order.status(), OrderStatus::Open);
    // The refused amend of `no-such-order` did not trap the guest.
    assert!(matches!(run.session.runners()[0].health(), Health::Running));
    assert_eq!(
        h.metric("strategy_host_strategy_traps_total", &[("strategy", "amender")]),
        0.0
    );
}
