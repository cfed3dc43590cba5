//! The desk's risk wiring: the order rate counted in the desk's time, the price band
//! against the last mark, and the position of a venue account across its strategies.

use super::*;
use crate::risk::{LossAction, LossLimits, RiskScope, ScopeKind, ScopeLimits, DAY_MS};

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

fn with_losses(loss: LossLimits) -> RiskLimits {
    RiskLimits {
        loss,
        ..RiskLimits::default()
    }
}

/// Alice buys 10 at 100 (no fee): her equity stays 10,000 at a mark of 100 and moves 10 per
/// point of the mark from there.
fn long_ten(desk: &mut Desk, broker: &ScriptedBroker) {
    let id = desk
        .place_order(&alice(), order(Side::Buy, "10", limit("100")), 61_000)
        .unwrap();
    broker.push(filled(&id, "10", "100", "0", 61_001));
    desk.poll();
}

fn strategy_state(desk: &Desk, strategy: &StrategyId) -> TradingState {
    desk.risk_states()
        .find(|(scope, _)| **scope == RiskScope::Strategy(strategy.clone()))
        .map_or(TradingState::Active, |(_, guard)| guard.state())
}

#[test]
fn a_daily_loss_beyond_the_limit_halts_the_strategy_cancels_its_orders_and_lifts_at_the_reset() {
    let broker = ScriptedBroker::default();
    let loss = LossLimits {
        daily_loss_limit: Some(dec("100")),
        ..LossLimits::default()
    };
    let mut desk = desk_with(with_losses(loss), None, &broker);
    long_ten(&mut desk, &broker);
    let resting = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("50")), 61_002)
        .unwrap();

    // 1. At 90 the day's loss is 100: at the limit, still active.
    desk.on_market_event(&candle(60_000, "90", "90"));
    assert_eq!(strategy_state(&desk, &alice()), TradingState::Active);

    // 2. At 89.99 it is 100.1: halted, the resting buy cancelled, a new order refused by name.
    desk.on_market_event(&candle(120_000, "89.99", "89.99"));
    assert_eq!(strategy_state(&desk, &alice()), TradingState::Halted);
    assert_eq!(broker.script().cancelled, std::slice::from_ref(&resting));
    let reject = desk
        .place_order(&alice(), order(Side::Sell, "1", OrderType::Market), 180_001)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::DailyLossLimit);
    assert_eq!(
        reject.message,
        "strategy alice: daily_loss_limit 100.10 is beyond the limit of 100 (since 180000 ms), so it is halted: no new orders, cancels only"
    );
    assert_eq!(
        desk.risk_state_changes().collect::<Vec<_>>(),
        [(ScopeKind::Strategy, TradingState::Halted, 1)]
    );

    // 3. The next UTC day opens at the equity then, and the strategy trades again.
    desk.on_market_event(&candle(DAY_MS, "89.99", "89.99"));
    assert_eq!(strategy_state(&desk, &alice()), TradingState::Active);
    desk.place_order(&alice(), order(Side::Sell, "1", OrderType::Market), DAY_MS + 60_001)
        .unwrap();
}

#[test]
fn a_drawdown_from_the_peak_moves_the_strategy_to_reducing() {
    let broker = ScriptedBroker::default();
    let loss = LossLimits {
        max_drawdown: Some(dec("150")),
        action: LossAction::Reducing,
        ..LossLimits::default()
    };
    let mut desk = desk_with(with_losses(loss), None, &broker);
    long_ten(&mut desk, &broker);
    let adding = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("50")), 61_002)
        .unwrap();
    let reducing = desk
        .place_order(&alice(), order(Side::Sell, "5", limit("200")), 61_003)
        .unwrap();

    // 1. Up to 120 (equity 10,200, the peak), then down to 104.99: 150.1 below the peak. The
    // working buy would add to the long: cancelled; the working sell reduces it: kept.
    desk.on_market_event(&candle(60_000, "120", "120"));
    desk.on_market_event(&candle(120_000, "104.99", "104.99"));
    assert_eq!(strategy_state(&desk, &alice()), TradingState::Reducing);
    assert_eq!(broker.script().cancelled, std::slice::from_ref(&adding));
    assert!(desk.order(&reducing).unwrap().is_working());

    // 2. A buy adds to the long: refused with the numbers.
    let reject = desk
        .place_order(&alice(), order(Side::Buy, "1", OrderType::Market), 180_001)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::MaxDrawdown);
    assert!(
        reject
            .message
            .contains("max_drawdown 150.10 is beyond the limit of 150")
            && reject.message.contains("does not bring the position of 10 toward zero"),
        "{}",
        reject.message
    );
    // A sell of the 5 not yet offered reduces the long; one more would take it past zero.
    desk.place_order(&alice(), order(Side::Sell, "5", OrderType::Market), 180_002)
        .unwrap();
    let past_zero = desk
        .place_order(&alice(), order(Side::Sell, "0.1", OrderType::Market), 180_003)
        .unwrap_err();
    assert_eq!(past_zero.check, RiskCheck::MaxDrawdown);

    // 3. Days pass; a drawdown holds until it is cleared.
    desk.on_market_event(&candle(2 * DAY_MS, "104.99", "104.99"));
    assert_eq!(strategy_state(&desk, &alice()), TradingState::Reducing);
    assert!(desk.clear_loss_breach(&RiskScope::Strategy(alice()), 2 * DAY_MS + 60_000));
    assert_eq!(strategy_state(&desk, &alice()), TradingState::Active);
}

#[test]
fn an_account_loss_halts_every_strategy_on_the_venue() {
    let broker = ScriptedBroker::default();
    let loss = LossLimits {
        account_daily_loss_limit: Some(dec("50")),
        ..LossLimits::default()
    };
    let mut desk = desk_with(with_losses(loss), None, &broker);
    desk.register_strategy(&bob(), dec("1000")).unwrap();
    long_ten(&mut desk, &broker);
    let bobs = desk
        .place_order(&bob(), order(Side::Buy, "1", limit("50")), 61_002)
        .unwrap();

    // Alice alone loses 60 at 94: bob, flat on the same account, is halted with her.
    desk.on_market_event(&candle(60_000, "94", "94"));
    assert_eq!(broker.script().cancelled, std::slice::from_ref(&bobs));
    let reject = desk
        .place_order(&bob(), order(Side::Buy, "1", limit("50")), 120_001)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::DailyLossLimit);
    assert!(
        reject
            .message
            .starts_with("account scripted: daily_loss_limit 60 is beyond the limit of 50"),
        "{}",
        reject.message
    );
    let account = desk
        .risk_states()
        .find(|(scope, _)| scope.kind() == ScopeKind::Account)
        .unwrap();
    assert_eq!(account.1.state(), TradingState::Halted);
}

#[test]
fn a_halt_survives_a_restart_in_the_book_of_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.db");
    let broker = ScriptedBroker::default();
    let loss = LossLimits {
        daily_loss_limit: Some(dec("100")),
        ..LossLimits::default()
    };
    {
        let store = crate::ledger::JournaledStore::open(&path).unwrap();
        let mut desk = desk_with(with_losses(loss.clone()), Some(Box::new(store)), &broker);
        long_ten(&mut desk, &broker);
        desk.on_market_event(&candle(60_000, "80", "80"));
        assert_eq!(strategy_state(&desk, &alice()), TradingState::Halted);
    }
    // A restart on the same file, the same day: still halted, with the numbers of the crossing.
    let store = crate::ledger::JournaledStore::open(&path).unwrap();
    let config = DeskConfig {
        limits: with_losses(loss),
        ..DeskConfig::default()
    };
    let mut desk = Desk::new(config, Box::new(broker.clone()), Some(Box::new(store))).unwrap();
    desk.register_strategy(&alice(), dec("10000")).unwrap();
    desk.on_market_event(&candle(120_000, "80", "80"));
    assert_eq!(strategy_state(&desk, &alice()), TradingState::Halted);
    let reject = desk
        .place_order(&alice(), order(Side::Sell, "1", OrderType::Market), 180_001)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::DailyLossLimit);
    assert!(
        reject
            .message
            .contains("daily_loss_limit 200 is beyond the limit of 100 (since 120000 ms)"),
        "{}",
        reject.message
    );
}

#[test]
fn a_strategy_s_own_loss_limit_replaces_the_desk_s_for_it_alone() {
    let broker = ScriptedBroker::default();
    let mut desk = desk_with(RiskLimits::default(), None, &broker);
    desk.register_strategy(&bob(), dec("10000")).unwrap();
    let own = ScopeLimits {
        daily_loss_limit: Some(dec("100")),
        max_drawdown: None,
    };
    desk.set_loss_limits(&alice(), own).unwrap();
    let bad = ScopeLimits {
        max_drawdown: Some(Decimal::ZERO),
        ..own
    };
    let err = desk.set_loss_limits(&bob(), bad).unwrap_err();
    assert!(
        err.to_string()
            .contains("max_drawdown: expected a positive amount, got 0"),
        "{err}"
    );

    long_ten(&mut desk, &broker);
    let bobs = desk
        .place_order(&bob(), order(Side::Buy, "10", limit("100")), 61_002)
        .unwrap();
    broker.push(filled(&bobs, "10", "100", "0", 61_003));
    desk.poll();
    // Both lose 200 at 80: alice, with her limit of 100, is halted; bob has none.
    desk.on_market_event(&candle(60_000, "80", "80"));
    assert_eq!(strategy_state(&desk, &alice()), TradingState::Halted);
    assert!(desk
        .risk_states()
        .all(|(scope, _)| *scope != RiskScope::Strategy(bob())));
    desk.place_order(&bob(), order(Side::Sell, "1", OrderType::Market), 120_001)
        .unwrap();
}

#[test]
fn the_operator_halts_reduces_and_resumes_the_whole_desk() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    long_ten(&mut desk, &broker);
    let adding = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 61_010)
        .unwrap();
    let reducing = desk
        .place_order(&alice(), order(Side::Sell, "1", limit("110")), 61_011)
        .unwrap();

    // Reducing: the buy that adds to the long is cancelled, the sell stays; a new buy is refused.
    assert_eq!(desk.set_operator_state(TradingState::Reducing), 1);
    assert_eq!(broker.script().cancelled, std::slice::from_ref(&adding));
    let reject = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 61_012)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::ReduceOnly);

    broker.push(Execution::Cancelled {
        id: adding.clone(),
        reason: None,
        time_ms: 61_012,
    });
    desk.poll();

    // Halted: every working order is cancelled, nothing new goes.
    assert_eq!(desk.set_operator_state(TradingState::Halted), 1);
    assert_eq!(broker.script().cancelled, [adding, reducing]);
    let reject = desk
        .place_order(&alice(), order(Side::Sell, "1", limit("110")), 61_013)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::TradingHalted);

    // Active: it trades again.
    assert_eq!(desk.set_operator_state(TradingState::Active), 0);
    desk.place_order(&alice(), order(Side::Buy, "1", limit("90")), 61_014)
        .unwrap();
}

#[test]
fn the_operator_halts_one_strategy_and_the_stricter_of_its_state_and_the_desks_holds() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    desk.register_strategy(&bob(), dec("10000")).unwrap();
    let alices = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 61_010)
        .unwrap();
    desk.place_order(&bob(), order(Side::Buy, "1", limit("90")), 61_011)
        .unwrap();

    // Alice halted: her order is cancelled and new ones refused; bob trades on.
    assert_eq!(desk.set_strategy_operator_state(&alice(), TradingState::Halted), 1);
    assert_eq!(broker.script().cancelled, std::slice::from_ref(&alices));
    assert_eq!(desk.trading_state_of(&alice()), TradingState::Halted);
    assert_eq!(desk.trading_state_of(&bob()), TradingState::Active);
    let reject = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("80")), 61_012)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::TradingHalted);
    desk.place_order(&bob(), order(Side::Buy, "1", limit("80")), 61_012)
        .unwrap();

    // The desk reducing is stricter than bob's own active, looser than alice's halt.
    desk.set_operator_state(TradingState::Reducing);
    assert_eq!(desk.trading_state_of(&alice()), TradingState::Halted);
    assert_eq!(desk.trading_state_of(&bob()), TradingState::Reducing);

    // Alice resumed: the desk's state is hers again.
    assert_eq!(desk.set_strategy_operator_state(&alice(), TradingState::Active), 0);
    assert_eq!(desk.trading_state_of(&alice()), TradingState::Reducing);
    assert_eq!(
        desk.strategy_operator_states().count(),
        0,
        "an active strategy keeps no state of its own"
    );
}
