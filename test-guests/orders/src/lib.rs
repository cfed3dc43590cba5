//! orders: a test guest that exercises the order lifecycle, for tests against live venues.
//!
//! The `mode` param picks what it does:
//!
//! | mode | what it does |
//! | --- | --- |
//! | `lifecycle` | one step per closed 1m candle of a symbol (see [`STEPS`]): rests a limit buy at half the close, amends it, cancels it, buys `size` at market, sells 40 % of it at market, sells 20 % more by a marketable limit at 90 % of the close |
//! | `echo` | answers every trade with a limit buy of `size` at half its price (far from the market: it rests), then cancels the one before it, so one or two rest at a time |
//! | `ladder` | answers every trade with a limit buy of `size` at half its price, and keeps every one resting (working orders for restart tests) |
//! | `account` | reports the account view on every closed 1m candle (`account ...`, see [`Orders::report`]), after resting a limit buy of `size` at half the close on the first, buying `size` at market on the second, and cancelling all its orders on the third (the report then ends with ` cancel-all=<count>`) |
//! | `churn` | answers every trade with a limit buy of `size` at half its price, then amends the one before it to twice `size` (on an even trade) or cancels it (on an odd one), and says `trade <n>`, counting the trades it has seen (the crash test) |
//! | `terms` | order terms, on closed 1m candles: buys `size` at market on the first; on the second places a bracket's reduce-only exits (`sl`: a sell stop at half the close, `tp`: a sell limit at half the close, which the next open fills), an immediate-or-cancel buy at half the close (`ioc`), a post-only buy at twice the close (`post`, which would take), a reduce-only buy (`ro`, which adds to the long) and a buy stop-limit triggered at twice the close (`stop-limit`); says `terms <tag> -> <answer>` for each, `terms <tag> <status> reason=<reason>` for each update, and `terms open=[<tag> <type> <time in force>, ...]` on every later candle |
//!
//! Every answer and every order update becomes a `hold` decision, so tests can read what the
//! strategy saw: `step <n> <what> -> <answer>`, `trade <n>` and
//! `update <order id> <status> filled=<qty> remaining=<qty> fill=<qty>@<price>`.
//!
//! Its snapshot is the trade count and the order it answered the last trade with, so a
//! restarted host shows whether the strategy went on from its kept state (`trade <n>` goes on
//! counting) or started fresh (it says `trade 1` again).

use strategy_sdk::snapshot::Snapshot;
use strategy_sdk::{
    export_strategy, Action, Candle, Decimal, Decision, Host, Manifest, OrderId, OrderRequest, OrderUpdate, ParamSpec,
    Params, Side, Strategy, Subscription, TimeInForce, Trade, ANY,
};

/// What `lifecycle` does at each step, by the number of the candle (from 1).
pub const STEPS: [&str; 6] = ["rest", "amend", "cancel", "buy", "sell", "sell-limit"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Lifecycle,
    Echo,
    Ladder,
    Account,
    Churn,
    Terms,
}

/// The guest; see the crate docs.
#[derive(Debug)]
pub struct Orders {
    mode: Mode,
    size: Decimal,
    candles: u64,
    /// Trades seen, kept in the snapshot.
    trades: u64,
    resting: Option<OrderId>,
}

impl Orders {
    fn say(host: &mut dyn Host, symbol: &str, reasoning: String) {
        host.emit_decision(Decision::new(symbol, Action::Hold).with_reasoning(reasoning));
    }

    /// `account cash=<> equity=<> fees=<> bp=<> fee_rate=<> initial=<> positions=[<symbol> <qty>
    /// avg=<> mark=<> upnl=<> fees=<>, ...] orders=[<tag> <side> <type> remaining=<>, ...]`,
    /// and ` cancel-all=<count>` on the third candle.
    fn report(&mut self, host: &mut dyn Host, candle: &Candle) {
        self.candles += 1;
        let symbol = candle.symbol.as_str();
        match self.candles {
            1 => {
                let price = (candle.close / Decimal::TWO).round_dp(1);
                let order = OrderRequest::limit(symbol, Side::Buy, self.size, price).with_tag("rest");
                if let Err(reject) = host.place_order(order) {
                    host.warn(&format!("account rest refused: {reject}"));
                }
            }
            2 => {
                let order = OrderRequest::market(symbol, Side::Buy, self.size).with_tag("buy");
                if let Err(reject) = host.place_order(order) {
                    host.warn(&format!("account buy refused: {reject}"));
                }
            }
            _ => {}
        }
        let cancelled = if self.candles == 3 {
            format!(" cancel-all={}", host.cancel_all_orders())
        } else {
            String::new()
        };
        let account = host.account();
        let positions: Vec<String> = account
            .positions
            .iter()
            .map(|p| {
                let mark = p.mark.map_or_else(|| "-".to_owned(), |m| m.to_string());
                format!(
                    "{} {} avg={} mark={mark} upnl={} fees={}",
                    p.symbol, p.qty, p.avg_price, p.unrealized_pnl, p.fees
                )
            })
            .collect();
        let orders: Vec<String> = account
            .open_orders
            .iter()
            .map(|o| {
                format!(
                    "{} {:?} {:?} remaining={}",
                    o.tag, o.side, o.order_type, o.remaining_qty
                )
            })
            .collect();
        let reasoning = format!(
            "account cash={} equity={} fees={} bp={} fee_rate={} initial={} positions=[{}] orders=[{}]{cancelled}",
            account.cash,
            account.equity,
            account.fees,
            account.buying_power,
            account.fee_rate,
            account.initial_cash,
            positions.join(", "),
            orders.join(", ")
        );
        Self::say(host, symbol, reasoning);
    }

    fn step(&mut self, host: &mut dyn Host, candle: &Candle) {
        self.candles += 1;
        let symbol = &candle.symbol;
        let close = candle.close;
        let Some(step) = usize::try_from(self.candles - 1).ok().and_then(|i| STEPS.get(i)) else {
            return;
        };
        let answer = match *step {
            "rest" => {
                let price = (close / Decimal::TWO).round_dp(1);
                let placed = host.place_order(OrderRequest::limit(symbol.as_str(), Side::Buy, self.size, price));
                self.resting = placed.as_ref().ok().cloned();
                format!("{placed:?}")
            }
            "amend" => match &self.resting {
                Some(id) => {
                    let price = (close * Decimal::new(6, 1)).round_dp(1);
                    format!("{:?}", host.amend_order(id, self.size * Decimal::TWO, Some(price)))
                }
                None => "nothing resting".into(),
            },
            "cancel" => match self.resting.take() {
                Some(id) => format!("{:?}", host.cancel_order(&id)),
                None => "nothing resting".into(),
            },
            "buy" => format!(
                "{:?}",
                host.place_order(OrderRequest::market(symbol.as_str(), Side::Buy, self.size))
            ),
            "sell" => {
                let qty = self.size * Decimal::new(4, 1);
                format!(
                    "{:?}",
                    host.place_order(OrderRequest::market(symbol.as_str(), Side::Sell, qty))
                )
            }
            _ => {
                let qty = self.size * Decimal::new(2, 1);
                let price = (close * Decimal::new(9, 1)).round_dp(1);
                format!(
                    "{:?}",
                    host.place_order(OrderRequest::limit(symbol.as_str(), Side::Sell, qty, price))
                )
            }
        };
        Self::say(host, symbol, format!("step {} {step} -> {answer}", self.candles));
    }

    fn terms(&mut self, host: &mut dyn Host, candle: &Candle) {
        self.candles += 1;
        let (symbol, close, size) = (candle.symbol.as_str(), candle.close, self.size);
        let half = (close / Decimal::TWO).round_dp(1);
        let twice = close * Decimal::TWO;
        let orders = match self.candles {
            1 => vec![OrderRequest::market(symbol, Side::Buy, size).with_tag("buy")],
            2 => vec![
                OrderRequest::stop(symbol, Side::Sell, size, half)
                    .reduce_only()
                    .with_tag("sl"),
                OrderRequest::limit(symbol, Side::Sell, size, half)
                    .reduce_only()
                    .with_tag("tp"),
                OrderRequest::limit(symbol, Side::Buy, size, half)
                    .with_time_in_force(TimeInForce::Ioc)
                    .with_tag("ioc"),
                OrderRequest::limit(symbol, Side::Buy, size, twice)
                    .post_only()
                    .with_tag("post"),
                OrderRequest::market(symbol, Side::Buy, size)
                    .reduce_only()
                    .with_tag("ro"),
                OrderRequest::stop_limit(symbol, Side::Buy, size, twice, twice * Decimal::new(11, 1))
                    .with_tag("stop-limit"),
            ],
            _ => {
                let open: Vec<String> = host
                    .account()
                    .open_orders
                    .iter()
                    .map(|o| format!("{} {:?} {:?}", o.tag, o.order_type, o.time_in_force))
                    .collect();
                Self::say(host, symbol, format!("terms open=[{}]", open.join(", ")));
                return;
            }
        };
        for order in orders {
            let tag = order.tag.clone();
            let answer = match host.place_order(order) {
                Ok(_) => "placed".to_owned(),
                Err(reject) => format!("refused {}", reject.code),
            };
            Self::say(host, symbol, format!("terms {tag} -> {answer}"));
        }
    }

    fn on_trade_churn(&mut self, host: &mut dyn Host, trade: &Trade) {
        self.trades += 1;
        let price = (trade.price / Decimal::TWO).round_dp(1);
        let placed = host.place_order(OrderRequest::limit(trade.symbol.as_str(), Side::Buy, self.size, price));
        if let Some(previous) = self.resting.take() {
            // The order before may be filled or settled by now (or, after a restart, be one the
            // kept state remembers from before the crash): the host's refusal is the answer.
            let answer = if self.trades.is_multiple_of(2) {
                host.amend_order(&previous, self.size * Decimal::TWO, None)
            } else {
                host.cancel_order(&previous)
            };
            if let Err(e) = answer {
                host.warn(&format!("churn amend or cancel refused: {e}"));
            }
        }
        match placed {
            Ok(id) => self.resting = Some(id),
            Err(reject) => host.warn(&format!("churn order refused: {reject}")),
        }
        Self::say(host, &trade.symbol, format!("trade {}", self.trades));
    }
}

impl Strategy for Orders {
    fn manifest() -> Manifest {
        Manifest::new(
            "orders",
            env!("CARGO_PKG_VERSION"),
            "Test guest: walks an order through its lifecycle, or answers trades with orders",
        )
        .subscribe(Subscription::candles(ANY, "1m"))
        .subscribe(Subscription::trades(ANY))
        .param(ParamSpec::text(
            "mode",
            "lifecycle",
            "lifecycle, echo, ladder, account, churn or terms",
        ))
        .param(ParamSpec::decimal("size", Decimal::new(1, 2), "Quantity of the orders"))
    }

    fn init(params: &Params) -> Result<Self, String> {
        let mode = match params.text("mode")? {
            "lifecycle" => Mode::Lifecycle,
            "echo" => Mode::Echo,
            "ladder" => Mode::Ladder,
            "account" => Mode::Account,
            "churn" => Mode::Churn,
            "terms" => Mode::Terms,
            other => {
                return Err(format!(
                    "mode {other:?}: expected lifecycle, echo, ladder, account, churn or terms"
                ))
            }
        };
        Ok(Orders {
            mode,
            size: params.decimal("size")?,
            candles: 0,
            trades: 0,
            resting: None,
        })
    }

    fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
        match self.mode {
            Mode::Lifecycle => self.step(host, candle),
            Mode::Account => self.report(host, candle),
            Mode::Terms => self.terms(host, candle),
            Mode::Echo | Mode::Ladder | Mode::Churn => {}
        }
    }

    fn on_trade(&mut self, host: &mut dyn Host, trade: &Trade) {
        if self.mode == Mode::Ladder {
            let price = (trade.price / Decimal::TWO).round_dp(1);
            if let Err(reject) =
                host.place_order(OrderRequest::limit(trade.symbol.as_str(), Side::Buy, self.size, price))
            {
                host.warn(&format!("ladder order refused: {reject}"));
            }
        }
        if self.mode == Mode::Churn {
            self.on_trade_churn(host, trade);
        }
        if self.mode == Mode::Echo {
            let price = (trade.price / Decimal::TWO).round_dp(1);
            // The order first: the answer to the trade is what latency is measured on.
            let placed = host.place_order(OrderRequest::limit(trade.symbol.as_str(), Side::Buy, self.size, price));
            if let Some(previous) = self.resting.take() {
                if let Err(e) = host.cancel_order(&previous) {
                    host.warn(&format!("echo cancel refused: {e}"));
                }
            }
            match placed {
                Ok(id) => self.resting = Some(id),
                Err(reject) => host.warn(&format!("echo order refused: {reject}")),
            }
        }
    }

    fn on_order_update(&mut self, host: &mut dyn Host, update: &OrderUpdate) {
        if self.mode == Mode::Terms {
            let reason = update.reason.as_deref().unwrap_or("-");
            let reasoning = format!("terms {} {:?} reason={reason}", update.tag, update.status);
            return Self::say(host, &update.symbol, reasoning);
        }
        let fill = update
            .fill
            .as_ref()
            .map_or_else(|| "-".to_owned(), |f| format!("{}@{}", f.qty, f.price));
        let reasoning = format!(
            "update {} {:?} filled={} remaining={} fill={fill}",
            update.order_id, update.status, update.filled_qty, update.remaining_qty
        );
        Self::say(host, &update.symbol, reasoning);
    }
}

/// Only `churn`'s state is carried (`<trades> <order id>`, the id left out when none rests):
/// the lifecycle's steps start over in a swapped-in version, as its tests expect. An empty
/// snapshot (of a version that kept nothing) starts fresh.
impl Snapshot for Orders {
    fn snapshot(&self) -> Vec<u8> {
        match &self.resting {
            Some(id) if self.mode == Mode::Churn => format!("{} {id}", self.trades).into_bytes(),
            _ => self.trades.to_string().into_bytes(),
        }
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), String> {
        if bytes.is_empty() {
            return Ok(());
        }
        let text = std::str::from_utf8(bytes).map_err(|e| format!("a snapshot that is not text: {e}"))?;
        let mut words = text.split(' ');
        let trades = words.next().unwrap_or_default();
        self.trades = trades
            .parse()
            .map_err(|e| format!("a snapshot whose trade count {trades:?} is not a number: {e}"))?;
        if self.mode == Mode::Churn {
            self.resting = words.next().map(OrderId::new);
        }
        Ok(())
    }
}

export_strategy!(Orders);

#[cfg(test)]
mod tests {
    use strategy_sdk::instantiate;
    use strategy_sdk::testing::{candle, MockHost};

    use super::*;

    #[test]
    fn lifecycle_rests_amends_cancels_then_trades() {
        let (mut guest, mut host) = (instantiate::<Orders>("").unwrap(), MockHost::new());
        for i in 0..7 {
            guest.on_candle(&mut host, &candle("BTC/USD", "1m", i * 60_000, Decimal::from(30_000)));
        }
        let steps: Vec<&str> = host.decisions.iter().map(|d| d.reasoning.as_str()).collect();
        assert_eq!(steps.len(), STEPS.len(), "{steps:?}");
        assert!(steps[0].starts_with("step 1 rest -> Ok("), "{steps:?}");
        assert_eq!(steps[1], "step 2 amend -> Ok(())");
        assert_eq!(steps[2], "step 3 cancel -> Ok(())");
        assert!(steps[5].starts_with("step 6 sell-limit -> "), "{steps:?}");
    }

    #[test]
    fn echo_answers_each_trade_and_cancels_the_order_before() {
        let (mut guest, mut host) = (instantiate::<Orders>(r#"{"mode":"echo"}"#).unwrap(), MockHost::new());
        let trade = Trade {
            symbol: "BTC/USD".into(),
            time_ms: 1,
            price: Decimal::from(30_000),
            qty: Decimal::ONE,
            aggressor: Side::Buy,
        };
        guest.on_trade(&mut host, &trade);
        guest.on_trade(&mut host, &trade);
        assert_eq!(host.orders.len(), 2);
        assert_eq!(host.orders[0].1.limit_price(), Some(Decimal::from(15_000)));
        assert_eq!(host.cancels, [host.orders[0].0.clone()]);
    }

    #[test]
    fn ladder_answers_each_trade_and_keeps_every_order() {
        let (mut guest, mut host) = (instantiate::<Orders>(r#"{"mode":"ladder"}"#).unwrap(), MockHost::new());
        for price in [30_000, 29_000] {
            let trade = Trade {
                symbol: "BTC/USD".into(),
                time_ms: 1,
                price: Decimal::from(price),
                qty: Decimal::ONE,
                aggressor: Side::Buy,
            };
            guest.on_trade(&mut host, &trade);
        }
        assert_eq!(
            host.orders.iter().map(|(_, o)| o.limit_price()).collect::<Vec<_>>(),
            [Some(Decimal::from(15_000)), Some(Decimal::from(14_500))]
        );
        assert!(host.cancels.is_empty());
    }

    #[test]
    fn account_rests_then_buys_and_reports_what_the_host_answers() {
        let (mut guest, mut host) = (instantiate::<Orders>(r#"{"mode":"account"}"#).unwrap(), MockHost::new());
        host.account.cash = Decimal::from(1_000);
        for i in 0..3 {
            guest.on_candle(&mut host, &candle("BTC/USD", "1m", i * 60_000, Decimal::from(100)));
        }
        assert_eq!(host.orders.len(), 2);
        assert_eq!(host.orders[0].1.limit_price(), Some(Decimal::from(50)));
        assert_eq!(host.orders[1].1.tag, "buy");
        assert!(
            host.decisions[2].reasoning.starts_with("account cash=1000 "),
            "{:?}",
            host.decisions
        );
        assert!(
            host.decisions[2].reasoning.ends_with(" cancel-all=2"),
            "{:?}",
            host.decisions
        );
    }

    #[test]
    fn churn_counts_trades_and_goes_on_from_its_snapshot() {
        let params = r#"{"mode":"churn"}"#;
        let (mut guest, mut host) = (instantiate::<Orders>(params).unwrap(), MockHost::new());
        let trade = Trade {
            symbol: "BTC/USD".into(),
            time_ms: 1,
            price: Decimal::from(30_000),
            qty: Decimal::ONE,
            aggressor: Side::Buy,
        };
        for _ in 0..3 {
            guest.on_trade(&mut host, &trade);
        }
        assert_eq!(host.orders.len(), 3);
        assert_eq!(host.amends.len(), 1, "the second trade amends the first order");
        assert_eq!(host.cancels, [host.orders[1].0.clone()], "the third cancels the second");
        let kept = guest.snapshot();
        let mut restarted = instantiate::<Orders>(params).unwrap();
        restarted.restore(&kept).unwrap();
        let mut host = MockHost::new();
        restarted.on_trade(&mut host, &trade);
        assert_eq!(host.decisions[0].reasoning, "trade 4");
        assert!(restarted.restore(b"many").is_err());
    }

    #[test]
    fn an_unknown_mode_is_refused_by_name() {
        let error = instantiate::<Orders>(r#"{"mode":"chaos"}"#).unwrap_err();
        assert!(error.contains("chaos"), "{error}");
    }
}
