//! counter: a test guest that counts the market events it receives.
//!
//! On every event it emits a decision (action `hold`) whose reasoning is
//! `seq=<count> label=<label>` and whose indicators are `seq` (the count, from 1) and `time`
//! (the event's time in ms). The count is its whole snapshot and the `label` param is not, so
//! host tests can check that a hot reload neither drops nor repeats an event, and which version
//! (`label`) handled each one.
//!
//! It also subscribes to the 5-level book and to bars in progress of every symbol, and says
//! what it got after the label: `book bids=<price>@<qty>,… asks=…` (best first, as received)
//! for a book, `candle-update open=<open time> close=<close>` for a bar in progress.

use serde::{Deserialize, Serialize};
use strategy_sdk::snapshot::{self, Snapshot};
use strategy_sdk::{
    export_strategy, Action, Book, BookLevel, Candle, Decimal, Decision, Host, Manifest, ParamSpec, Params, Quote,
    Strategy, Subscription, Trade, ANY,
};

/// The book depth it subscribes to.
pub const BOOK_DEPTH: u16 = 5;

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
        self.count_with(host, symbol, time_ms, String::new());
    }

    /// Counts an event, with `what` (if not empty) after the label.
    fn count_with(&mut self, host: &mut dyn Host, symbol: &str, time_ms: i64, what: String) {
        self.state.count += 1;
        let seq = self.state.count;
        let mut reasoning = format!("seq={seq} label={}", self.label);
        if !what.is_empty() {
            reasoning.push(' ');
            reasoning.push_str(&what);
        }
        let decision = Decision::new(symbol, Action::Hold)
            .with_confidence(1.0)
            .with_reasoning(reasoning)
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
        .subscribe(Subscription::book(ANY, BOOK_DEPTH))
        .subscribe(Subscription::candle_updates(ANY, ANY))
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

    fn on_book(&mut self, host: &mut dyn Host, book: &Book) {
        let side = |levels: &[BookLevel]| {
            let shown: Vec<String> = levels.iter().map(|l| format!("{}@{}", l.price, l.qty)).collect();
            shown.join(",")
        };
        let what = format!("book bids={} asks={}", side(&book.bids), side(&book.asks));
        self.count_with(host, &book.symbol, book.time_ms, what);
    }

    fn on_candle_update(&mut self, host: &mut dyn Host, candle: &Candle) {
        let what = format!("candle-update open={} close={}", candle.open_time_ms, candle.close);
        let now = host.now_ms();
        self.count_with(host, &candle.symbol, now, what);
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
    fn says_which_levels_of_a_book_and_which_bar_in_progress_it_got() {
        let (mut counter, mut host) = (instantiate::<Counter>("").unwrap(), MockHost::new());
        let level = |price, qty| BookLevel {
            price: Decimal::from(price),
            qty: Decimal::from(qty),
        };
        let book = Book {
            symbol: "BTC/USD".into(),
            time_ms: 5,
            bids: vec![level(99, 1), level(98, 2)],
            asks: vec![],
        };
        counter.on_book(&mut host, &book);
        host.now_ms = 61_500;
        counter.on_candle_update(&mut host, &candle("BTC/USD", "1m", 60_000, Decimal::TWO));
        assert_eq!(
            reasonings(&host),
            [
                "seq=1 label=v1 book bids=99@1,98@2 asks=",
                "seq=2 label=v1 candle-update open=60000 close=2"
            ]
        );
        assert_eq!(host.decisions[1].indicators[1].value, Decimal::from(61_500));
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
