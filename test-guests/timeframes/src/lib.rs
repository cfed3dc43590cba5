//! timeframes: a test guest that names two timeframes built by the host, `5m` and `1h` bars of
//! every symbol (and no others), and reports each bar it receives.
//!
//! Per closed bar it emits a decision (action `hold`) on the bar's symbol whose reasoning is
//! `<timeframe> <open time ms> o=<open> h=<high> l=<low> c=<close> v=<volume>`, the decimals as
//! received (their text keeps their scale), so host tests can compare the bars one session built
//! with another's, digit for digit and in delivery order.

use serde::{Deserialize, Serialize};
use strategy_sdk::{export_strategy, Action, Candle, Decision, Host, Manifest, Params, Strategy, Subscription, ANY};

/// The timeframes it subscribes to.
pub const TIMEFRAMES: [&str; 2] = ["5m", "1h"];

/// Reports bars; see the crate docs. It keeps no state, so its snapshot is empty.
#[derive(Debug, Serialize, Deserialize)]
pub struct Timeframes;

/// The reasoning of the decision about `candle`.
pub fn describe(candle: &Candle) -> String {
    format!(
        "{} {} o={} h={} l={} c={} v={}",
        candle.timeframe, candle.open_time_ms, candle.open, candle.high, candle.low, candle.close, candle.volume
    )
}

impl Strategy for Timeframes {
    fn manifest() -> Manifest {
        TIMEFRAMES.iter().fold(
            Manifest::new(
                "timeframes",
                env!("CARGO_PKG_VERSION"),
                "Test guest: emits a decision describing every 5m and 1h bar it receives",
            ),
            |manifest, timeframe| manifest.subscribe(Subscription::candles(ANY, *timeframe)),
        )
    }

    fn init(_params: &Params) -> Result<Self, String> {
        Ok(Timeframes)
    }

    fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        let decision = Decision::new(&candle.symbol, Action::Hold)
            .with_confidence(1.0)
            .with_reasoning(describe(candle));
        host.emit_decision(decision);
    }
}

export_strategy!(Timeframes);

#[cfg(test)]
mod tests {
    use strategy_sdk::testing::{candle, MockHost};
    use strategy_sdk::{instantiate, Decimal};

    use super::*;

    #[test]
    fn names_only_the_two_timeframes() {
        assert_eq!(
            Timeframes::manifest().subscriptions,
            [Subscription::candles(ANY, "5m"), Subscription::candles(ANY, "1h")]
        );
    }

    #[test]
    fn reports_the_bar_with_its_decimals_as_received() {
        let (mut strategy, mut host) = (instantiate::<Timeframes>("").unwrap(), MockHost::new());
        let mut bar = candle("ETH/USD", "1h", 3_600_000, Decimal::new(20_050, 2));
        bar.volume = Decimal::new(12_500, 4);
        strategy.on_candle(&mut host, &bar);
        assert_eq!(host.decisions.len(), 1);
        assert_eq!(host.decisions[0].symbol, "ETH/USD");
        assert_eq!(
            host.decisions[0].reasoning,
            format!(
                "1h 3600000 o={} h={} l={} c=200.50 v=1.2500",
                bar.open, bar.high, bar.low
            )
        );
    }
}
