//! Property test of the desk's fill dedupe (issue 10): a venue repeats fills (a reconnect's
//! snapshot, a mass status after a restart, the same execution on two channels), and a fill
//! applied twice changes nothing. Random fills of one order, each delivered once or more at
//! random points after its first delivery, leave the same order, position and cash as the
//! fills delivered once each.

use proptest::prelude::*;

use super::*;

/// The order's quantity, in tenths: the fills below can never overfill it.
const ORDER_TENTHS: i64 = 100;

/// Places a buy of 10 and has it accepted; then delivers `sequence` (indexes into `fills`,
/// given as (trade id, tenths, price)) and returns what the desk holds.
fn run(fills: &[(String, i64, i64)], sequence: &[usize]) -> (OrderStatus, Decimal, Decimal, Decimal, usize) {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "10", limit("100")), 1)
        .unwrap();
    broker.push(accepted(&id, 2));
    desk.poll();
    for (time, &i) in sequence.iter().enumerate() {
        let (trade_id, tenths, price) = &fills[i];
        let qty = Decimal::new(*tenths, 1).to_string();
        broker.push(fill_with_trade(
            &id,
            trade_id,
            &qty,
            &price.to_string(),
            3 + time as i64,
        ));
        desk.poll();
    }
    let booked = drain(&mut desk).into_iter().filter(|u| u.fill.is_some()).count();
    let order = desk.order(&id).unwrap();
    let book = desk.book(&alice()).unwrap();
    (
        order.status(),
        order.filled_qty(),
        desk.position(&alice(), &btc()).qty,
        book.cash,
        booked,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn a_fill_delivered_again_changes_nothing(
        sizes in proptest::collection::vec((1i64..=ORDER_TENTHS / 10, 90i64..110), 1..10),
        repeats in proptest::collection::vec((any::<prop::sample::Index>(), any::<prop::sample::Index>()), 0..15),
    ) {
        let fills: Vec<(String, i64, i64)> = sizes
            .iter()
            .enumerate()
            .map(|(i, (tenths, price))| (format!("T{i}"), *tenths, *price))
            .collect();
        let once: Vec<usize> = (0..fills.len()).collect();
        // Each repeat of fill `f` goes in at a random point after its first delivery.
        let mut repeated = once.clone();
        for (which, at) in &repeats {
            let f = which.index(fills.len());
            let first = repeated.iter().position(|&i| i == f).unwrap();
            let at = first + 1 + at.index(repeated.len() - first);
            repeated.insert(at, f);
        }
        let expected = run(&fills, &once);
        prop_assert_eq!(expected.4, fills.len(), "each fill booked once");
        prop_assert_eq!(run(&fills, &repeated), expected, "{:?}", repeated);
    }
}
