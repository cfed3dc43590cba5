//! Property tests of the order lifecycle (issue 10): random event sequences, valid and not,
//! applied to one [`Order`] the way the desk applies a venue's events (fills planned then
//! committed, amends and the rest through their methods).
//!
//! Invariants held after every event:
//! 1. `0 <= filled_qty <= qty`, so the open quantity is never negative.
//! 2. An event the order refuses leaves it exactly as it was.
//! 3. An accepted event moves the state by the row of [`transition`] for that pair.
//! 4. Only a complete fill (or an amend down to the filled quantity) makes it `Filled`, and a
//!    `Filled` order has its whole quantity filled.

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::market::{Side, Symbol};
use crate::risk::RiskApproved;

/// One thing that can happen to an order, with quantities in whole units of 0.1.
#[derive(Debug, Clone)]
enum Step {
    Accept,
    Reject,
    Fill { tenths: i64, price: i64 },
    RequestCancel,
    Cancel,
    RefuseCancel,
    Amend { tenths: i64 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        1 => Just(Step::Accept),
        1 => Just(Step::Reject),
        // Fills weigh more, so sequences reach partial and complete fills often; a quantity of
        // 0 or one past the order's tests the refusals.
        3 => (0i64..12, 1i64..200).prop_map(|(tenths, price)| Step::Fill { tenths, price }),
        1 => Just(Step::RequestCancel),
        1 => Just(Step::Cancel),
        1 => Just(Step::RefuseCancel),
        1 => (0i64..15).prop_map(|tenths| Step::Amend { tenths }),
    ]
}

fn new_order(tenths: i64) -> Order {
    let request = OrderRequest {
        symbol: Symbol::new("BTC/USD").unwrap(),
        side: Side::Buy,
        qty: Decimal::new(tenths, 1),
        order_type: OrderType::Limit(Decimal::from(100)),
        time_in_force: TimeInForce::Gtc,
        post_only: false,
        reduce_only: false,
        tag: String::new(),
    };
    Order::new(
        OrderId::new("p-1"),
        StrategyId::new("s"),
        VenueId::new("v"),
        RiskApproved::for_test(request),
        0,
    )
}

/// Applies `step` as the desk would; the event it stands for, and whether the order took it.
fn apply(order: &mut Order, step: &Step, now_ms: i64) -> (Option<OrderEvent>, bool) {
    let simple = |event: OrderEvent, order: &mut Order| {
        let taken = order.apply(event.clone(), now_ms).is_ok();
        (Some(event), taken)
    };
    match *step {
        Step::Accept => simple(OrderEvent::Accepted, order),
        Step::Reject => simple(OrderEvent::Rejected { reason: "no".into() }, order),
        Step::RequestCancel => simple(OrderEvent::CancelRequested { time_ms: now_ms }, order),
        Step::Cancel => simple(OrderEvent::Cancelled { reason: None }, order),
        Step::RefuseCancel => simple(OrderEvent::CancelRefused, order),
        Step::Fill { tenths, price } => {
            let qty = Decimal::new(tenths, 1);
            let progress = if order.filled_qty() + qty == order.request().qty {
                FillProgress::Complete
            } else {
                FillProgress::Partial
            };
            match order.plan_fill(qty, Decimal::from(price)) {
                Ok(plan) => {
                    order.commit_fill(plan, now_ms);
                    (Some(OrderEvent::Fill(progress)), true)
                }
                Err(_) => (None, false),
            }
        }
        Step::Amend { tenths } => (None, order.amend(Decimal::new(tenths, 1), None, now_ms).is_ok()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_event_sequences_keep_the_order_invariants(
        qty_tenths in 1i64..20,
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let mut order = new_order(qty_tenths);
        for (i, step) in steps.iter().enumerate() {
            let before = order.clone();
            let (event, taken) = apply(&mut order, step, i as i64 + 1);
            // 1. Filled within bounds, never a negative open quantity.
            prop_assert!(order.filled_qty() >= Decimal::ZERO);
            prop_assert!(order.filled_qty() <= order.request().qty, "{order:?}");
            prop_assert!(order.remaining_qty() >= Decimal::ZERO, "{order:?}");
            if !taken {
                // 2. A refusal changes nothing.
                prop_assert_eq!(&order, &before, "{:?} refused", step);
                continue;
            }
            // 3. The state moved by the table's row.
            if let Some(event) = event {
                prop_assert_eq!(Ok(order.state().clone()), transition(before.state(), event));
            }
            // 4. Filled means all of it.
            if order.state() == &OrderState::Filled {
                prop_assert_eq!(order.filled_qty(), order.request().qty);
            }
        }
    }

    #[test]
    fn a_pair_outside_the_table_is_refused_and_changes_nothing(
        steps in proptest::collection::vec(step(), 1..30),
    ) {
        // Wherever a random sequence leaves the order, each event without a quantity is taken
        // exactly when the table has its row, and a refused one leaves the order as it was.
        let mut order = new_order(10);
        for (i, step) in steps.iter().enumerate() {
            apply(&mut order, step, i as i64 + 1);
        }
        for event in [
            OrderEvent::Accepted,
            OrderEvent::Rejected { reason: "again".into() },
            OrderEvent::CancelRequested { time_ms: 99 },
            OrderEvent::Cancelled { reason: None },
            OrderEvent::CancelRefused,
            OrderEvent::Amended,
        ] {
            let before = order.clone();
            let table = transition(order.state(), event.clone());
            let applied = order.apply(event.clone(), 100);
            prop_assert_eq!(applied.is_ok(), table.is_ok(), "{:?} on {:?}", event, before.state());
            match table {
                Ok(next) => prop_assert_eq!(order.state(), &next),
                Err(_) => prop_assert_eq!(&order, &before),
            }
            order = before;
        }
    }
}
