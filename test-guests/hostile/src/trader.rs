//! [`Trader`]: the guest's well-behaved side, a tiny moving-average crossover on every candle,
//! so a misbehaving instance also has orders and state for the host to protect.

use serde::{Deserialize, Serialize};
use strategy_sdk::indicators::{Cross, Crossover, Period, Sma};
use strategy_sdk::{Action, Candle, Decimal, Decision, Host, OrderRequest, Side, StrMap};

/// Bars in the fast and slow averages, checked at compile time.
const FAST: Period = period(2);
const SLOW: Period = period(4);

const fn period(length: usize) -> Period {
    match Period::new(length) {
        Ok(period) => period,
        Err(_) => panic!("period out of range"),
    }
}

/// A fast and a slow average per symbol; buys on a golden cross when flat, sells what the
/// ledger holds on a death cross.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Trader {
    averages: StrMap<Averages>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Averages {
    fast: Sma,
    slow: Sma,
    crossover: Crossover,
}

impl Averages {
    fn new() -> Self {
        Averages {
            fast: Sma::new(FAST),
            slow: Sma::new(SLOW),
            crossover: Crossover::default(),
        }
    }
}

impl Trader {
    /// Updates the candle's averages and trades a cross.
    pub fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        let averages = self.averages.get_or_insert_with(&candle.symbol, Averages::new);
        averages.fast.update(candle.close);
        averages.slow.update(candle.close);
        let Some(ordering) = averages.fast.compare(&averages.slow) else {
            return;
        };
        let Some(cross) = averages.crossover.update(ordering) else {
            return;
        };
        let held = host.position(&candle.symbol).qty;
        let order = match cross {
            Cross::Up if held.is_zero() => OrderRequest::market(&candle.symbol, Side::Buy, Decimal::new(1, 2)),
            Cross::Down if held > Decimal::ZERO => OrderRequest::market(&candle.symbol, Side::Sell, held),
            _ => return,
        };
        let action = Action::from(order.side);
        let action = match host.place_order(order) {
            Ok(_) => action,
            Err(reject) => {
                host.warn(&format!("hostile: order refused: {reject}"));
                Action::Hold
            }
        };
        let decision = Decision::new(&candle.symbol, action).with_reasoning("hostile: crossover");
        host.emit_decision(decision);
    }
}
