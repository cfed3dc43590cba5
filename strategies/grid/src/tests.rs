//! grid's behaviour against the SDK's `MockHost`: placing, re-arming, refusals, snapshots; and
//! the neutral mode over bars in the SDK's `Harness`.

use strategy_sdk::testing::{candle, Harness, MockHost};
use strategy_sdk::{instantiate, Action, Candle, Decimal, LogLevel, OrderId, OrderStatus, Side, Snapshot, Strategy};

use super::Grid;

fn dec(text: &str) -> Decimal {
    Decimal::from_str_exact(text).unwrap()
}

fn grid(params: &str) -> Grid {
    instantiate::<Grid>(params).unwrap()
}

/// A default grid (5 levels, 0.5%, size 0.01) opened on BTC/USD at 100.
fn opened() -> (Grid, MockHost) {
    let (mut grid, mut host) = (grid(""), MockHost::new());
    grid.on_candle(&mut host, &candle("BTC/USD", "1m", 0, dec("100")));
    (grid, host)
}

fn limit_orders(host: &MockHost) -> Vec<(Side, String, String, &str)> {
    host.orders
        .iter()
        .map(|(_, order)| {
            let price = order.limit_price().expect("grid orders are limit orders");
            (order.side, price.to_string(), order.qty.to_string(), order.tag.as_str())
        })
        .collect()
}

fn id(n: usize) -> OrderId {
    OrderId::new(format!("order-{n}"))
}

#[test]
fn the_first_candle_lays_the_ladder_of_buys() {
    let (mut grid, mut host) = opened();
    let orders = limit_orders(&host);
    let prices: Vec<&str> = orders.iter().map(|(_, price, _, _)| price.as_str()).collect();
    assert_eq!(prices, ["99.50", "99.00", "98.50", "98.00", "97.50"]);
    assert!(orders
        .iter()
        .all(|(side, _, qty, _)| *side == Side::Buy && qty == "0.01"));
    assert_eq!(orders[0].3, "grid-buy@99.50");
    assert_eq!(host.decisions[0].action, Action::Buy);
    assert_eq!(
        host.decisions[0].reasoning,
        "grid opened around 100: 5 of 5 limit buys placed"
    );

    // Later candles of the symbol do not move the grid.
    grid.on_candle(&mut host, &candle("BTC/USD", "1m", 60_000, dec("90")));
    assert_eq!(host.orders.len(), 5);
}

#[test]
fn each_symbol_gets_its_own_ladder() {
    let (mut grid, mut host) = opened();
    grid.on_candle(&mut host, &candle("ETH/USD", "1m", 0, dec("2000.5")));
    let eth: Vec<String> = limit_orders(&host)[5..]
        .iter()
        .map(|(_, price, _, _)| price.clone())
        .collect();
    // 2000.5 × 0.995 = 1990.4975 → 1990.50
    assert_eq!(eth[0], "1990.50");
    assert_eq!(eth.len(), 5);
}

#[test]
fn a_filled_buy_is_rearmed_as_a_sell_one_step_up_and_back_again() {
    let (mut grid, mut host) = opened();
    let fill = host.filled(&id(1));
    grid.on_order_update(&mut host, &fill);
    let (side, price, qty, tag) = limit_orders(&host)[5].clone();
    // 99.50 × 1.005 = 99.9975 → 100.00
    assert_eq!(
        (side, price.as_str(), qty.as_str(), tag),
        (Side::Sell, "100.00", "0.01", "grid-sell@100.00")
    );
    let decision = host.decisions.last().unwrap();
    assert_eq!(decision.action, Action::Sell);
    assert_eq!(decision.reasoning, "buy 0.01 at 99.50 traded: sell 0.01 at 100.00");

    let fill = host.filled(&id(6));
    grid.on_order_update(&mut host, &fill);
    let (side, price, qty, _) = limit_orders(&host)[6].clone();
    // 100.00 / 1.005 = 99.5024… → 99.50
    assert_eq!((side, price.as_str(), qty.as_str()), (Side::Buy, "99.50", "0.01"));
    assert_eq!(host.decisions.last().unwrap().action, Action::Buy);
}

#[test]
fn refused_orders_are_logged_and_not_retried() {
    let (mut grid, mut host) = (grid(""), MockHost::new());
    host.refuse_orders("max_open_orders");
    grid.on_candle(&mut host, &candle("BTC/USD", "1m", 0, dec("100")));
    grid.on_candle(&mut host, &candle("BTC/USD", "1m", 60_000, dec("100")));
    assert_eq!(host.rejected.len(), 5, "one attempt per level, none on the next candle");
    assert!(host.logged(LogLevel::Warn, "buy 0.01 at 99.50 on BTC/USD refused: max_open_orders"));
    assert_eq!(
        host.decisions[0].reasoning,
        "grid opened around 100: 0 of 5 limit buys placed"
    );
}

#[test]
fn a_refused_rearm_is_reported_as_hold() {
    let (mut grid, mut host) = opened();
    host.refuse_orders("max_position");
    let fill = host.filled(&id(1));
    grid.on_order_update(&mut host, &fill);
    let decision = host.decisions.last().unwrap();
    assert_eq!(decision.action, Action::Hold);
    assert!(decision.reasoning.ends_with("sell 0.01 at 100.00 refused"));
}

#[test]
fn venue_rejections_are_logged_and_the_level_is_dropped() {
    let (mut grid, mut host) = opened();
    let mut rejected = host.update(&id(2), OrderStatus::Rejected, Decimal::ZERO);
    rejected.reason = Some("insufficient balance".into());
    grid.on_order_update(&mut host, &rejected);
    assert!(host.logged(LogLevel::Warn, "rejected by the venue: insufficient balance"));
    assert_eq!(host.orders.len(), 5, "nothing re-placed");
    // A second update for it is no longer tracked.
    grid.on_order_update(&mut host, &rejected);
    assert!(host.logged(LogLevel::Warn, "does not track: order-2"));
}

#[test]
fn snapshot_and_restore_keep_tracking_the_working_orders() {
    let (old, mut host) = opened();
    let mut new = grid(r#"{"spacing_pct": 1}"#);
    new.restore(&old.snapshot()).unwrap();
    // The new version knows order-1, and re-arms it with its own spacing: 99.50 × 1.01.
    let fill = host.filled(&id(1));
    new.on_order_update(&mut host, &fill);
    assert_eq!(limit_orders(&host)[5].1, "100.50");
    // And it does not lay a second ladder for BTC/USD.
    new.on_candle(&mut host, &candle("BTC/USD", "1m", 60_000, dec("100")));
    assert_eq!(host.orders.len(), 6);
    let ladder = new.ladders.get("BTC/USD").unwrap();
    assert_eq!(ladder.inventory(), dec("0.01"));
}

#[test]
fn bad_snapshots_are_refused() {
    let mut grid = grid("");
    assert!(grid.restore(b"").is_err());
    assert!(grid.restore(b"[1, 2]").is_err());
    let error = grid
        .restore(br#"[["BTC/USD",{"reference":"1","price_dp":40,"inventory":"0","working":[]}]]"#)
        .unwrap_err();
    assert!(error.contains("cannot have 40 decimal places"), "{error}");
}

#[test]
fn params_default_and_are_checked() {
    let grid = grid("");
    assert_eq!(grid.shape.levels, 5);
    assert_eq!(grid.shape.spacing, dec("0.005"));
    assert_eq!(grid.shape.size, dec("0.01"));

    let error = |json| instantiate::<Grid>(json).unwrap_err();
    assert_eq!(error(r#"{"levels": 0}"#), "param `levels`: must be at least 1, got 0");
    assert_eq!(
        error(r#"{"levels": 101}"#),
        "param `levels`: must be at most 100, got 101"
    );
    assert_eq!(
        error(r#"{"levels": 4, "spacing_pct": "25"}"#),
        "param `spacing_pct`: 4 levels 25% apart reach 100% below the reference: the deepest \
         level must stay above 0"
    );
    assert_eq!(error(r#"{"size": -1}"#), "param `size`: must be greater than 0, got -1");
    assert_eq!(
        error(r#"{"mode": "both"}"#),
        "param `mode`: expected long or neutral, got \"both\""
    );
    assert_eq!(
        error(r#"{"mode": "neutral", "size": "1", "max_inventory": "0.5"}"#),
        "param `max_inventory`: must be at least `size` (1), got 0.5"
    );
    assert_eq!(Grid::manifest().params.len(), 6);
}

/// A daily bar of BTC/USD that opens at `open`, trades from `low` to `high` and closes at `close`.
fn bar(day: i64, open: &str, high: &str, low: &str, close: &str) -> Candle {
    Candle {
        open: dec(open),
        high: dec(high),
        low: dec(low),
        ..candle("BTC/USD", "1d", day * 86_400_000, dec(close))
    }
}

const NEUTRAL: &str =
    r#"{"mode": "neutral", "levels": 2, "spacing_pct": "1", "size": "1", "max_inventory": "2", "allow_short": true}"#;

#[test]
fn a_neutral_grid_makes_a_market_around_the_first_close_and_rearms_on_fills() {
    let mut harness = Harness::<Grid>::new(NEUTRAL).unwrap();
    let opening = limit_orders(harness.host());
    assert!(opening.is_empty());
    harness.candle(bar(0, "100", "100", "100", "100"));
    let prices: Vec<(Side, String)> = limit_orders(harness.host())
        .into_iter()
        .map(|(side, price, _, _)| (side, price))
        .collect();
    assert_eq!(
        prices,
        [
            (Side::Buy, "99.00".into()),
            (Side::Buy, "98.00".into()),
            (Side::Sell, "101.00".into()),
            (Side::Sell, "102.00".into())
        ]
    );
    assert_eq!(
        harness.host().decisions[0].reasoning,
        "grid opened around 100: 4 of 4 limit buys and sells placed"
    );

    // Up through both sells: short 2, the band's floor, each re-armed as a buy one step below.
    harness.candle(bar(1, "100", "103", "100", "102.5"));
    assert_eq!(harness.position("BTC/USD").qty, dec("-2"));
    let rearmed: Vec<(Side, String)> = limit_orders(harness.host())[4..]
        .iter()
        .map(|(side, price, _, _)| (*side, price.clone()))
        .collect();
    // 101 / 1.01 = 100.00, 102 / 1.01 = 100.99…: 100.99.
    assert_eq!(rearmed, [(Side::Buy, "100.00".into()), (Side::Buy, "100.99".into())]);

    // Down through every buy: 4 bought, long 2, the band's ceiling; each re-armed as a sell.
    harness.candle(bar(2, "101", "101", "97", "97.5"));
    assert_eq!(harness.position("BTC/USD").qty, dec("2"));
    assert_eq!(harness.fills().count(), 6);
    let sells_working = harness
        .working()
        .filter(|id| harness.host().order(id).is_some_and(|order| order.side == Side::Sell))
        .count();
    assert_eq!(sells_working, 4, "every buy re-armed, and nothing else working");
    assert_eq!(harness.working().count(), 4);
}

#[test]
fn a_neutral_grid_without_shorting_opens_only_its_buys() {
    let params = NEUTRAL.replace(r#""allow_short": true"#, r#""allow_short": false"#);
    let mut harness = Harness::<Grid>::new(&params).unwrap();
    harness.candle(bar(0, "100", "100", "100", "100"));
    let sides: Vec<Side> = limit_orders(harness.host()).iter().map(|(side, ..)| *side).collect();
    assert_eq!(sides, [Side::Buy, Side::Buy]);
    // Up through where the sells would be: nothing trades, nothing goes short.
    harness.candle(bar(1, "100", "103", "100", "102"));
    assert_eq!(harness.fills().count(), 0);
    assert!(harness.position("BTC/USD").is_flat());
}
