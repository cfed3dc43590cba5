//! sma-cross's decision logic, driven natively through the SDK's `MockHost`.

use strategy_sdk::testing::{candle, MockHost};
use strategy_sdk::{instantiate, Action, Decimal, LogLevel, OrderType, Side, Snapshot, Strategy, StreamKind};

use super::SmaCross;

/// fast 2, slow 3: crosses after a handful of bars.
const SMALL: &str = r#"{"fast": 2, "slow": 3, "size": "0.5"}"#;
/// Below after 8, golden cross on 12.
const TO_GOLDEN: [i64; 4] = [10, 9, 8, 12];
/// After `TO_GOLDEN`: still above on 13, death cross on 5.
const TO_DEATH: [i64; 2] = [13, 5];

fn strategy(params: &str) -> SmaCross {
    instantiate::<SmaCross>(params).unwrap()
}

fn feed(strategy: &mut SmaCross, host: &mut MockHost, symbol: &str, timeframe: &str, closes: &[i64]) {
    for close in closes {
        host.now_ms += 60_000;
        let bar = candle(symbol, timeframe, host.now_ms, Decimal::from(*close));
        strategy.on_candle(host, &bar);
    }
}

#[test]
fn golden_cross_when_flat_buys_size_at_market() {
    let (mut sma, mut host) = (strategy(SMALL), MockHost::new());
    // The account view the decision reports.
    host.account.cash = Decimal::from(1000);
    host.account.equity = Decimal::from(1012);
    feed(&mut sma, &mut host, "BTC/USD", "1m", &TO_GOLDEN[..3]);
    assert!(host.orders.is_empty() && host.decisions.is_empty());

    feed(&mut sma, &mut host, "BTC/USD", "1m", &TO_GOLDEN[3..]);
    let [(_, order)] = host.orders.as_slice() else {
        panic!("expected one order, got {:?}", host.orders)
    };
    assert_eq!((order.symbol.as_str(), order.side), ("BTC/USD", Side::Buy));
    assert_eq!((order.qty, order.order_type), (Decimal::new(5, 1), OrderType::Market));

    let [decision] = host.decisions.as_slice() else {
        panic!("expected one decision, got {:?}", host.decisions)
    };
    assert_eq!(decision.action, Action::Buy);
    assert_eq!(decision.reasoning, "golden cross on 1m: buying 0.5");
    let indicators: Vec<(&str, String)> = decision
        .indicators
        .iter()
        .map(|indicator| (indicator.name.as_str(), indicator.value.round_dp(4).to_string()))
        .collect();
    assert_eq!(
        indicators,
        [
            ("fast", "10".into()),
            ("slow", "9.6667".into()),
            ("cash", "1000".into()),
            ("equity", "1012".into())
        ]
    );
    // A 3.4% gap between the averages: full confidence.
    assert_eq!(decision.confidence, 1.0);
}

#[test]
fn crosses_trade_without_decisions_where_the_host_keeps_none() {
    let (mut sma, mut host) = (strategy(SMALL), MockHost::new());
    host.drops_decisions = true;
    feed(&mut sma, &mut host, "BTC/USD", "1m", &TO_GOLDEN);
    assert_eq!(host.orders.len(), 1, "the golden cross still buys");
    assert!(host.decisions.is_empty(), "{:?}", host.decisions);
}

#[test]
fn golden_cross_when_already_long_holds() {
    let (mut sma, mut host) = (strategy(SMALL), MockHost::new());
    host.set_position("BTC/USD", Decimal::ONE);
    feed(&mut sma, &mut host, "BTC/USD", "1m", &TO_GOLDEN);
    assert!(host.orders.is_empty());
    assert_eq!(host.decisions[0].action, Action::Hold);
    assert_eq!(
        host.decisions[0].reasoning,
        "golden cross on 1m, but the position is already 1"
    );
}

#[test]
fn death_cross_when_long_sells_the_whole_ledger_position() {
    let (mut sma, mut host) = (strategy(SMALL), MockHost::new());
    feed(&mut sma, &mut host, "BTC/USD", "1m", &TO_GOLDEN);
    // The ledger, not the strategy's own count, says what is held.
    host.set_position("BTC/USD", Decimal::new(35, 2));
    feed(&mut sma, &mut host, "BTC/USD", "1m", &TO_DEATH);

    let (_, sell) = &host.orders[1];
    assert_eq!((sell.side, sell.qty), (Side::Sell, Decimal::new(35, 2)));
    assert_eq!(sell.order_type, OrderType::Market);
    let decision = &host.decisions[1];
    assert_eq!(decision.action, Action::Sell);
    assert_eq!(decision.reasoning, "death cross on 1m: selling the position of 0.35");
}

#[test]
fn death_cross_when_flat_holds() {
    let (mut sma, mut host) = (strategy(SMALL), MockHost::new());
    feed(&mut sma, &mut host, "BTC/USD", "1m", &TO_GOLDEN);
    host.set_position("BTC/USD", Decimal::ZERO);
    feed(&mut sma, &mut host, "BTC/USD", "1m", &TO_DEATH);
    assert_eq!(host.orders.len(), 1, "only the golden-cross buy");
    assert_eq!(host.decisions[1].action, Action::Hold);
}

#[test]
fn a_refused_order_is_logged_and_reported_as_hold_without_retrying() {
    let (mut sma, mut host) = (strategy(SMALL), MockHost::new());
    host.refuse_orders("max_position");
    feed(&mut sma, &mut host, "BTC/USD", "1m", &TO_GOLDEN);
    feed(&mut sma, &mut host, "BTC/USD", "1m", &[14, 15]);
    assert_eq!(host.rejected.len(), 1, "one attempt per cross");
    assert!(host.logged(LogLevel::Warn, "refused: max_position"));
    assert_eq!(host.decisions[0].action, Action::Hold);
    assert!(host.decisions[0].reasoning.contains("refused: max_position"));
}

#[test]
fn each_symbol_and_timeframe_has_its_own_averages() {
    let (mut sma, mut host) = (strategy(SMALL), MockHost::new());
    // Interleaved, each series alone would cross on its fourth bar.
    for (btc, eth) in TO_GOLDEN.iter().zip(TO_GOLDEN.iter().map(|close| close * 100)) {
        feed(&mut sma, &mut host, "BTC/USD", "1m", &[*btc]);
        feed(&mut sma, &mut host, "ETH/USD", "1m", &[eth]);
        feed(&mut sma, &mut host, "BTC/USD", "1h", &[50]);
    }
    let symbols: Vec<&str> = host.orders.iter().map(|(_, o)| o.symbol.as_str()).collect();
    assert_eq!(symbols, ["BTC/USD", "ETH/USD"]);
}

#[test]
fn snapshot_and_restore_continue_exactly_where_the_old_instance_stopped() {
    let closes = [10, 9, 8, 12, 13, 5, 7, 11, 4, 9, 12];
    let (mut whole, mut reference) = (strategy(SMALL), MockHost::new());
    feed(&mut whole, &mut reference, "BTC/USD", "1m", &closes);

    let (mut old, mut host) = (strategy(SMALL), MockHost::new());
    feed(&mut old, &mut host, "BTC/USD", "1m", &closes[..5]);
    let mut new = strategy(SMALL);
    new.restore(&old.snapshot()).unwrap();
    feed(&mut new, &mut host, "BTC/USD", "1m", &closes[5..]);

    assert_eq!(host.decisions, reference.decisions);
    assert_eq!(new.snapshot(), whole.snapshot());
}

#[test]
fn restore_under_new_params_resizes_the_windows() {
    let (mut old, mut host) = (strategy(SMALL), MockHost::new());
    feed(&mut old, &mut host, "BTC/USD", "1m", &TO_GOLDEN[..3]);
    let mut new = strategy(r#"{"fast": 1, "slow": 2}"#);
    new.restore(&old.snapshot()).unwrap();
    // SMA1 = 20 against SMA2 = (8 + 20) / 2 = 14, after below: a golden cross of size 0.1.
    feed(&mut new, &mut host, "BTC/USD", "1m", &[20]);
    assert_eq!(host.orders[0].1.qty, Decimal::new(1, 1));
}

#[test]
fn bad_snapshots_are_refused_with_a_reason() {
    let mut sma = strategy(SMALL);
    assert!(sma.restore(b"").unwrap_err().contains("empty"));
    assert!(sma.restore(b"{not json").is_err());
    let overfull = br#"[["BTC/USD",[["1m",{"fast":{"window":{"period":1,"values":["1","2"]},"sum":"3"},"slow":{"window":{"period":2,"values":[]},"sum":"0"},"crossover":{"relation":null}}]]]]"#;
    let error = sma.restore(overfull).unwrap_err();
    assert!(error.contains("cannot hold 2 values"), "{error}");
}

#[test]
fn params_default_and_are_checked() {
    let sma = strategy("");
    assert_eq!((sma.config.fast.get(), sma.config.slow.get()), (10, 20));
    assert_eq!(sma.config.size, Decimal::new(1, 1));

    let error = |json| instantiate::<SmaCross>(json).unwrap_err();
    assert_eq!(
        error(r#"{"fast": 20}"#),
        "param `fast`: must be less than `slow` (20), got 20"
    );
    assert_eq!(
        error(r#"{"fast": "abc"}"#),
        r#"param `fast`: expected an integer, got "abc""#
    );
    assert_eq!(error(r#"{"size": 0}"#), "param `size`: must be greater than 0, got 0");
    assert!(error(r#"{"period": 5}"#).starts_with("param `period`: unknown"));
}

#[test]
fn manifest_subscribes_to_every_candle_and_declares_its_params() {
    let manifest = SmaCross::manifest();
    assert_eq!(manifest.name, "sma-cross");
    assert_eq!(manifest.subscriptions.len(), 1);
    assert_eq!(manifest.subscriptions[0].symbol, "*");
    assert_eq!(manifest.subscriptions[0].stream, StreamKind::Candles("*".into()));
    let defaults: Vec<(&str, String)> = manifest
        .params
        .iter()
        .map(|spec| (spec.name.as_str(), spec.default.to_json()))
        .collect();
    assert_eq!(
        defaults,
        [("fast", "10".into()), ("slow", "20".into()), ("size", "0.1".into())]
    );
}
