//! Order terms through the real host: a guest (`orders`, mode `terms`) buys, then places a
//! bracket's reduce-only exits (a stop and a limit), an immediate-or-cancel buy, a post-only buy
//! that would take, a reduce-only buy that would add to its long, and a buy stop-limit far
//! above the market, all through the contract, on the simulated venue. What it heard back is the
//! host's rules: the limit exit fills at the next open and the host cancels the stop exit (there
//! is nothing left to reduce); the immediate order the open does not fill and the post-only one
//! the open would fill are cancelled there, with their reasons; the reduce-only buy is refused
//! `reduce_only`; the stop-limit waits, untriggered, with its terms in the account view.

use rust_decimal::Decimal;
use strategy_host::runtime::{lock_desk, CpuBudget};
use trading::market::MarketEvent;
use trading::orders::{OrderStatus, OrderType, StrategyId};

use crate::support::{walk, Harness};

#[test]
fn stops_time_in_force_post_only_and_reduce_only_reach_a_real_component_as_the_host_rules_say() {
    let h = Harness::new(CpuBudget::deterministic());
    let run = h.replay(
        &[("orders", "terms", r#"{"mode": "terms", "size": "0.01"}"#)],
        walk(5).into_iter().map(MarketEvent::Candle).collect(),
    );
    let said: Vec<&str> = run
        .reasonings_of("terms")
        .into_iter()
        .map(|(_, reasoning)| reasoning)
        .collect();
    let has = |text: &str| said.iter().any(|s| s.starts_with(text));
    for expected in [
        "terms buy -> placed",
        "terms sl -> placed",
        "terms tp -> placed",
        "terms ioc -> placed",
        "terms post -> placed",
        "terms ro -> refused reduce_only",
        "terms stop-limit -> placed",
        "terms buy Filled",
        "terms tp Filled",
        "terms sl Cancelled",
        "terms ioc Cancelled reason=ioc: nothing filled the moment the order met the market",
        "terms post Cancelled reason=post-only: the order would have taken liquidity",
    ] {
        assert!(has(expected), "missing {expected:?} in {said:#?}");
    }
    // Nothing else ended: the stop exit never triggered (the take-profit closed first), the
    // stop-limit waits.
    assert!(
        !has("terms sl Filled") && !has("terms stop-limit Cancelled"),
        "{said:#?}"
    );
    let last = said.iter().rev().find(|s| s.starts_with("terms open=")).unwrap();
    assert!(
        last.starts_with("terms open=[stop-limit StopLimit { trigger: "),
        "{last}"
    );
    assert!(last.ends_with(" } Gtc]"), "{last}");

    let desk = lock_desk(&h.desk);
    let strategy = StrategyId::new("terms");
    let book = desk.book(&strategy).unwrap();
    assert!(
        book.positions.iter().all(|p| p.qty.is_zero()),
        "bought and closed: {:?}",
        book.positions
    );
    let open: Vec<_> = desk.open_orders(&strategy).collect();
    let [stop_limit] = open.as_slice() else {
        panic!("expected the stop-limit alone, got {open:?}");
    };
    assert_eq!(stop_limit.status(), OrderStatus::Open);
    let OrderType::StopLimit { trigger, limit } = stop_limit.request().order_type else {
        panic!("{:?}", stop_limit.request());
    };
    assert_eq!(limit, trigger * Decimal::new(11, 1));
}
