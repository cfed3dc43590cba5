//! `account` through the real host: a guest (`orders`, mode `account`) rests a limit buy, buys
//! at market, and reports the account view on every bar; what it saw is the desk's books at
//! that moment: cash, equity, fees and buying power (the cash less what the resting buy holds
//! back, fee included), the position with its mark, unrealized PnL and fees, and its working
//! order. On the third bar it cancels all its orders (`cancel-all-orders`): the resting buy goes,
//! and the buying power is the whole cash again.

use rust_decimal::Decimal;
use strategy_host::runtime::{lock_desk, CpuBudget};
use trading::market::MarketEvent;
use trading::orders::StrategyId;

use crate::support::{walk, Harness};

#[test]
fn the_account_view_is_the_desks_books_seen_by_a_real_component() {
    let h = Harness::new(CpuBudget::deterministic());
    let bars = walk(4);
    let first_close = bars[0].close;
    let run = h.replay(
        &[("orders", "accountant", r#"{"mode": "account", "size": "0.01"}"#)],
        bars.into_iter().map(MarketEvent::Candle).collect(),
    );
    let reports: Vec<&str> = run
        .reasonings_of("accountant")
        .into_iter()
        .map(|(_, reasoning)| reasoning)
        .filter(|reasoning| reasoning.starts_with("account "))
        .collect();
    assert_eq!(reports.len(), 4, "{reports:?}");

    let desk = lock_desk(&h.desk);
    let fee_rate = desk.limits().fee_rate;
    let rest_price = (first_close / Decimal::TWO).round_dp(1);
    let held_back = Decimal::new(1, 2) * rest_price * (Decimal::ONE + fee_rate);
    let initial = Decimal::from(100_000);
    // Bar 1: the limit buy rests, nothing has filled: the buying power is the cash less it.
    assert_eq!(
        reports[0],
        format!(
            "account cash={initial} equity={initial} fees=0 bp={} fee_rate={fee_rate} initial={initial} positions=[] \
             orders=[rest Buy Limit({rest_price}) remaining=0.01]",
            initial - held_back
        )
    );
    assert!(reports[2].ends_with(" cancel-all=1"), "{reports:?}");
    assert!(desk.open_orders(&StrategyId::new("accountant")).next().is_none());
    // The last bar: the market buy has filled and the resting buy is cancelled; the report is
    // the desk's book as it is now (nothing happened after the guest's last report).
    let strategy = StrategyId::new("accountant");
    let book = desk.book(&strategy).unwrap();
    let [position] = book.positions.as_slice() else {
        panic!("expected one position, got {:?}", book.positions);
    };
    assert_eq!(position.qty, Decimal::new(1, 2));
    assert!(book.fees > Decimal::ZERO, "the market buy paid a fee");
    let mark = position.mark.map_or_else(|| "-".to_owned(), |m| m.to_string());
    assert_eq!(
        *reports.last().unwrap(),
        format!(
            "account cash={} equity={} fees={} bp={} fee_rate={fee_rate} initial={initial} positions=[BTC/USD {} avg={} \
             mark={mark} upnl={} fees={}] orders=[]",
            book.cash,
            book.equity,
            book.fees,
            desk.buying_power(&strategy),
            position.qty,
            position.avg_price,
            position.unrealized_pnl,
            position.fees
        )
    );
    assert_eq!(desk.buying_power(&strategy), book.cash);
}
