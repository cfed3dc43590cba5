//! counter: a test guest that counts the market events it receives.
//!
//! On every event it emits a decision (action `hold`) whose reasoning is
//! `seq=<count> label=<label>` and whose indicators are `seq` (the count, from 1) and `time`
//! (the event's time in ms). The count is its whole snapshot and the `label` param is not, so
//! host tests can check that a hot reload neither drops nor repeats an event, and which version
//! (`label`) handled each one.

use serde::{Deserialize, Serialize};
use strategy_sdk::snapshot::{self, Snapshot};
use strategy_sdk::{
    export_strategy, Action, Candle, Decimal, Decision, Host, Manifest, ParamSpec, Params, Quote, Strategy,
    Subscription, Trade, ANY,
};

/// Counts events; see the crate docs.
#[derive(Debug)]
pub struct Counter {
    label: String,
    state: CounterState,
}

/// What survives a reload: the count alone.
#[derive(Debug, Default, Serialize, Deserialize)]
struct CounterState {
    count: u64,
}

impl Counter {
    fn count(&mut self, host: &mut dyn Host, symbol: &str, time_ms: i64) {
        self.state.count += 1;
        let seq = self.state.count;
        let decision = Decision::new(symbol, Action::Hold)
            .with_confidence(1.0)
            .with_reasoning(format!("seq={seq} label={}", self.label))
            .with_indicator("seq", Decimal::from(seq))
            .with_indicator("time", Decimal::from(time_ms));
        host.emit_decision(decision);
    }
}

impl Strategy for Counter {
    fn manifest() -> Manifest {
        Manifest::new(
            "counter",
            env!("CARGO_PKG_VERSION"),
            "Test guest: emits a decision numbering every event it receives",
        )
        .subscribe(Subscription::candles(ANY, ANY))
        .subscribe(Subscription::trades(ANY))
        .subscribe(Subscription::quotes(ANY))
        .param(ParamSpec::text(
            "label",
            "v1",
            "Included in every decision, to tell versions apart",
        ))
    }

    fn init(params: &Params) -> Result<Self, String> {
        Ok(Counter {
            label: params.text("label")?.to_owned(),
            state: CounterState::default(),
        })
    }

    fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        self.count(host, &candle.symbol, candle.open_time_ms);
    }

    fn on_trade(&mut self, host: &mut dyn Host, trade: &Trade) {
        self.count(host, &trade.symbol, trade.time_ms);
    }

    fn on_quote(&mut self, host: &mut dyn Host, quote: &Quote) {
        self.count(host, &quote.symbol, quote.time_ms);
    }
}

impl Snapshot for Counter {
    fn snapshot(&self) -> Vec<u8> {
        snapshot::encode(&self.state)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.state = snapshot::decode(bytes)?;
        Ok(())
    }
}

export_strategy!(Counter);

#[cfg(test)]
mod tests {
    use strategy_sdk::testing::{candle, MockHost};
    use strategy_sdk::{instantiate, Side};

    use super::*;

    fn reasonings(host: &MockHost) -> Vec<&str> {
        host.decisions.iter().map(|d| d.reasoning.as_str()).collect()
    }

    #[test]
    fn numbers_every_event_with_its_time() {
        let (mut counter, mut host) = (instantiate::<Counter>("").unwrap(), MockHost::new());
        counter.on_candle(&mut host, &candle("BTC/USD", "1m", 60_000, Decimal::ONE));
        let trade = Trade {
            symbol: "ETH/USD".into(),
            time_ms: 61_000,
            price: Decimal::ONE,
            qty: Decimal::ONE,
            aggressor: Side::Buy,
        };
        counter.on_trade(&mut host, &trade);
        assert_eq!(reasonings(&host), ["seq=1 label=v1", "seq=2 label=v1"]);
        let last = &host.decisions[1];
        assert_eq!(last.symbol, "ETH/USD");
        let indicators: Vec<(&str, Decimal)> = last.indicators.iter().map(|i| (i.name.as_str(), i.value)).collect();
        assert_eq!(indicators, [("seq", Decimal::from(2)), ("time", Decimal::from(61_000))]);
    }

    #[test]
    fn a_new_version_continues_the_count_under_its_own_label() {
        let mut host = MockHost::new();
        let mut v1 = instantiate::<Counter>(r#"{"label": "v1"}"#).unwrap();
        for time in [1, 2] {
            v1.on_candle(&mut host, &candle("BTC/USD", "1m", time, Decimal::ONE));
        }
        let mut v2 = instantiate::<Counter>(r#"{"label": "v2"}"#).unwrap();
        v2.restore(&v1.snapshot()).unwrap();
        v2.on_candle(&mut host, &candle("BTC/USD", "1m", 3, Decimal::ONE));
        assert_eq!(
            reasonings(&host),
            ["seq=1 label=v1", "seq=2 label=v1", "seq=3 label=v2"]
        );
        assert!(v2.restore(b"{\"count\": -1}").is_err());
    }
}
