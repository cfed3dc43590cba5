//! [`Harness`]: runs a strategy natively against a sequence of events, fills its orders on the
//! bars that follow them, and keeps its position and cash, so a test checks what a strategy
//! does over a scenario without building a component.

use rust_decimal::Decimal;

use super::MockHost;
use crate::{
    instantiate, Account, Book, Candle, Fill, OpenOrder, OrderId, OrderRequest, OrderStatus, OrderType, OrderUpdate,
    Position, PositionValue, Quote, Side, Strategy, TimeInForce, Trade,
};

/// One input of a scenario for [`Harness::run`].
#[derive(Debug, Clone)]
pub enum Event {
    /// A closed bar: fills what it trades through, then goes to `on_candle`.
    Candle(Candle),
    /// A public trade, to `on_trade`.
    Trade(Trade),
    /// A best bid and ask, to `on_quote`.
    Quote(Quote),
    /// An order book's top, to `on_book`.
    Book(Book),
    /// An order update made by the test (a venue's rejection, say), to `on_order_update`. A
    /// final one takes its order off the venue; a fill it carries is not booked to the account.
    OrderUpdate(OrderUpdate),
}

/// A strategy, the [`MockHost`] it talks to, and a simulated venue and account around them.
///
/// Fills follow the host's rule for bars (README, "How orders fill in backtests and paper"),
/// whole and with no fee: a bar first fills the working orders placed before it, a market
/// order at its open, a limit order the bar trades strictly through at the limit or the better
/// open; the strategy hears of those fills, in the order the orders were placed, before it gets the bar.
/// Stops, stop-limits, time in force and post-only follow the host's rules too: a stop triggers
/// on a bar reaching its trigger and fills at the trigger (at the open on a gap); a stop-limit
/// triggered inside a bar works from the next bar; an immediate order the open does not fill,
/// and a post-only order the open would fill, are cancelled at the open.
/// A cancel or an amend in answer to a fill applies to the rest of the bar. Unlike the host, an
/// order placed in answer to a fill always waits for the next bar (the host lets one answering
/// a fill at a bar's open meet that same bar), trades, quotes and
/// books fill nothing, and reduce-only is not enforced. Nothing is refused but what [`MockHost`] refuses (`host_mut()
/// .refuse_orders(code)` plays a risk refusal). For fills that are exactly the host's, backtest
/// the component.
///
/// The account [`Host::account`](crate::Host::account) answers follows the fills: cash,
/// positions valued at the last close of their symbol, equity, and the working orders, with
/// buying power the cash less what working buys hold back (their remaining quantity at their
/// limit or trigger price, or the mark for a market buy). There are no fees.
///
/// ```
/// use strategy_sdk::testing::{candle, Harness};
/// # use strategy_sdk::{Candle, Decimal, Host, Manifest, OrderRequest, Params, Side, Strategy};
/// # #[derive(serde::Serialize, serde::Deserialize)]
/// # struct BuyOnce;
/// # impl Strategy for BuyOnce {
/// #     fn manifest() -> Manifest { Manifest::new("buy-once", "0.1.0", "") }
/// #     fn init(_: &Params) -> Result<Self, String> { Ok(BuyOnce) }
/// #     fn on_candle(&mut self, host: &mut dyn Host, bar: &Candle) {
/// #         if host.position(&bar.symbol).is_flat() {
/// #             let _ = host.place_order(OrderRequest::market(&bar.symbol, Side::Buy, Decimal::ONE));
/// #         }
/// #     }
/// # }
///
/// let mut harness = Harness::<BuyOnce>::new("{}").unwrap().with_cash(Decimal::from(1000));
/// let placed = harness.candle(candle("BTC/USD", "1d", 0, Decimal::from(100)));
/// assert_eq!(placed.len(), 1, "a market buy");
/// // The next bar fills it at its open, 101, and the strategy, long now, buys no more.
/// assert!(harness.candle(candle("BTC/USD", "1d", 86_400_000, Decimal::from(101))).is_empty());
/// assert_eq!(harness.position("BTC/USD").qty, Decimal::ONE);
/// assert_eq!(harness.cash(), Decimal::from(899));
/// ```
#[derive(Debug)]
pub struct Harness<S> {
    strategy: S,
    host: MockHost,
    /// The orders the venue holds, in the order they were placed.
    working: Vec<Working>,
    /// How many of `host.orders` the venue has taken in.
    orders_seen: usize,
    /// How many of `host.cancels` and `host.amends` it has applied.
    cancels_seen: usize,
    amends_seen: usize,
    initial_cash: Decimal,
    cash: Decimal,
    /// The last close of each symbol, the account's marks.
    marks: Vec<(String, Decimal)>,
    updates: Vec<OrderUpdate>,
}

/// An order the simulated venue holds, as amended.
#[derive(Debug)]
struct Working {
    id: OrderId,
    order: OrderRequest,
    filled: Decimal,
    arrived: Arrival,
    stage: Stage,
}

/// When the venue took an order in, relative to the bar it is filling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arrival {
    /// Before the bar: the bar may fill it.
    BeforeBar,
    /// In answer to one of the bar's fills, or already met by the bar: it waits for the next bar.
    DuringBar,
}

/// How far an order has come: a stop waits for its trigger; an order that has not met the
/// market yet is where time in force and post-only decide; then it rests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    AwaitingTrigger,
    Unmet,
    Resting,
}

/// What one bar did to a working order.
enum Outcome {
    Works,
    Fill(Decimal),
    Cancel(&'static str),
}

impl<S: Strategy> Harness<S> {
    /// Builds the strategy from a params JSON text as the host does ([`instantiate`]), with no
    /// cash and no positions.
    ///
    /// # Errors
    ///
    /// The params' or `init`'s error, as the host would receive it.
    pub fn new(params_json: &str) -> Result<Self, String> {
        Ok(Harness {
            strategy: instantiate::<S>(params_json)?,
            host: MockHost::new(),
            working: Vec::new(),
            orders_seen: 0,
            cancels_seen: 0,
            amends_seen: 0,
            initial_cash: Decimal::ZERO,
            cash: Decimal::ZERO,
            marks: Vec::new(),
            updates: Vec::new(),
        })
    }

    /// Starts the account with `cash` in the quote asset (zero by default).
    pub fn with_cash(mut self, cash: Decimal) -> Self {
        self.initial_cash = cash;
        self.cash = cash;
        self.sync_account();
        self
    }

    /// Plays every event in turn; the orders placed meanwhile.
    pub fn run(&mut self, events: impl IntoIterator<Item = Event>) -> &[(OrderId, OrderRequest)] {
        let before = self.host.orders.len();
        for event in events {
            self.event(event);
        }
        &self.host.orders[before..]
    }

    /// Plays one closed bar: its fills first, then the bar. The orders placed meanwhile.
    pub fn candle(&mut self, candle: Candle) -> &[(OrderId, OrderRequest)] {
        self.run([Event::Candle(candle)])
    }

    /// Plays a trade, a quote, a book or a test's order update; the orders placed meanwhile.
    pub fn event(&mut self, event: Event) -> &[(OrderId, OrderRequest)] {
        let before = self.host.orders.len();
        match event {
            Event::Candle(candle) => {
                self.host.now_ms = candle.open_time_ms;
                self.fill_on(&candle);
                self.mark(&candle.symbol, candle.close);
                self.strategy.on_candle(&mut self.host, &candle);
            }
            Event::Trade(trade) => {
                self.host.now_ms = trade.time_ms;
                self.strategy.on_trade(&mut self.host, &trade);
            }
            Event::Quote(quote) => {
                self.host.now_ms = quote.time_ms;
                self.strategy.on_quote(&mut self.host, &quote);
            }
            Event::Book(book) => {
                self.host.now_ms = book.time_ms;
                self.strategy.on_book(&mut self.host, &book);
            }
            Event::OrderUpdate(update) => {
                self.host.now_ms = update.time_ms;
                self.working
                    .retain(|working| !(working.id == update.order_id && update.status.is_final()));
                self.deliver(update);
            }
        }
        self.take_requests();
        &self.host.orders[before..]
    }

    /// The strategy under test.
    pub fn strategy(&self) -> &S {
        &self.strategy
    }

    /// The host, with every call the strategy made.
    pub fn host(&self) -> &MockHost {
        &self.host
    }

    /// The host, to refuse orders or set a position by hand.
    pub fn host_mut(&mut self) -> &mut MockHost {
        &mut self.host
    }

    /// The account's cash, in the quote asset: the start, less buys, plus sells.
    pub fn cash(&self) -> Decimal {
        self.cash
    }

    /// The strategy's position in `symbol`, as the host answers it.
    pub fn position(&mut self, symbol: &str) -> Position {
        crate::Host::position(&mut self.host, symbol)
    }

    /// Every order update the strategy received, in order.
    pub fn updates(&self) -> &[OrderUpdate] {
        &self.updates
    }

    /// Every fill, with its order's id and side, in order.
    pub fn fills(&self) -> impl Iterator<Item = (&OrderId, Side, &Fill)> {
        self.updates
            .iter()
            .filter_map(|update| Some((&update.order_id, update.side, update.fill.as_ref()?)))
    }

    /// The ids of the orders still working, in the order they were placed.
    pub fn working(&self) -> impl Iterator<Item = &OrderId> {
        self.working.iter().map(|working| &working.id)
    }

    /// Takes in what the strategy asked of the venue since the last call: new orders, cancels
    /// (answered with a `cancelled` update) and amends.
    fn take_requests(&mut self) {
        loop {
            for (id, order) in &self.host.orders[self.orders_seen..] {
                let stage = match order.order_type {
                    OrderType::Stop(_) | OrderType::StopLimit { .. } => Stage::AwaitingTrigger,
                    OrderType::Market | OrderType::Limit(_) => Stage::Unmet,
                };
                self.working.push(Working {
                    id: id.clone(),
                    order: order.clone(),
                    filled: Decimal::ZERO,
                    arrived: Arrival::DuringBar,
                    stage,
                });
            }
            self.orders_seen = self.host.orders.len();
            for amend in &self.host.amends[self.amends_seen..] {
                if let Some(working) = self.working.iter_mut().find(|working| working.id == amend.order_id) {
                    working.order.qty = amend.qty;
                    working.order.order_type = match (amend.limit_price, working.order.order_type) {
                        (Some(price), OrderType::Limit(_)) => OrderType::Limit(price),
                        (Some(limit), OrderType::StopLimit { trigger, .. }) => OrderType::StopLimit { trigger, limit },
                        (_, order_type) => order_type,
                    };
                }
            }
            self.amends_seen = self.host.amends.len();
            let cancels: Vec<OrderId> = self.host.cancels[self.cancels_seen..].to_vec();
            self.cancels_seen = self.host.cancels.len();
            let mut answered = false;
            for id in cancels {
                let Some(index) = self.working.iter().position(|working| working.id == id) else {
                    continue;
                };
                let working = self.working.remove(index);
                let update = self.host.update(&id, OrderStatus::Cancelled, working.filled);
                self.deliver(OrderUpdate { fill: None, ..update });
                answered = true;
            }
            // An answer to a cancellation may place, amend or cancel again.
            if !answered {
                self.sync_account();
                return;
            }
        }
    }

    /// Fills the working orders of the bar's symbol that it trades through, in the order they
    /// were placed. What the strategy asks in answer to each fill is taken in at once: a cancel
    /// or an amend applies to the rest of the bar, a new order waits for the next one.
    fn fill_on(&mut self, candle: &Candle) {
        for working in &mut self.working {
            working.arrived = Arrival::BeforeBar;
        }
        // Each pass meets the first order the bar has not met yet, and marks it met: an order
        // the bar leaves working it does not meet again.
        while let Some(index) = self
            .working
            .iter()
            .position(|working| working.arrived == Arrival::BeforeBar && working.order.symbol == candle.symbol)
        {
            let working = &mut self.working[index];
            working.arrived = Arrival::DuringBar;
            let price = match meet(working, candle) {
                Outcome::Works => continue,
                Outcome::Fill(price) => price,
                Outcome::Cancel(reason) => {
                    let working = self.working.remove(index);
                    let update = self.host.update(&working.id, OrderStatus::Cancelled, working.filled);
                    self.deliver(OrderUpdate {
                        fill: None,
                        reason: Some(reason.to_owned()),
                        ..update
                    });
                    self.take_requests();
                    continue;
                }
            };
            let working = self.working.remove(index);
            let qty = working.order.qty - working.filled;
            self.book_fill(&working.order, price, qty);
            let update = OrderUpdate {
                filled_qty: working.order.qty,
                remaining_qty: Decimal::ZERO,
                fill: Some(Fill {
                    price,
                    qty,
                    fee: Decimal::ZERO,
                    time_ms: candle.open_time_ms,
                }),
                ..self.host.update(&working.id, OrderStatus::Filled, working.order.qty)
            };
            self.deliver(update);
            self.take_requests();
        }
    }

    fn mark(&mut self, symbol: &str, price: Decimal) {
        match self.marks.iter_mut().find(|(known, _)| known == symbol) {
            Some((_, mark)) => *mark = price,
            None => self.marks.push((symbol.to_owned(), price)),
        }
        self.sync_account();
    }

    fn mark_of(&self, symbol: &str) -> Option<Decimal> {
        self.marks
            .iter()
            .find(|(known, _)| known == symbol)
            .map(|(_, mark)| *mark)
    }

    /// Sets what [`Host::account`](crate::Host::account) answers from the harness's books.
    fn sync_account(&mut self) {
        let mut positions: Vec<PositionValue> = Vec::new();
        let mut equity = self.cash;
        for (symbol, _) in &self.marks {
            let position = crate::Host::position(&mut self.host, symbol);
            let mark = self.mark_of(symbol);
            let unrealized = mark.map_or(Decimal::ZERO, |mark| (mark - position.avg_price) * position.qty);
            equity += position.qty * mark.unwrap_or(position.avg_price);
            positions.push(PositionValue {
                symbol: symbol.clone(),
                qty: position.qty,
                avg_price: position.avg_price,
                mark,
                unrealized_pnl: unrealized,
                realized_pnl: position.realized_pnl,
                fees: Decimal::ZERO,
            });
        }
        let held_back: Decimal = self
            .working
            .iter()
            .filter(|working| working.order.side == Side::Buy)
            .map(|working| {
                let price = working
                    .order
                    .limit_price()
                    .or(working.order.trigger_price())
                    .or(self.mark_of(&working.order.symbol))
                    .unwrap_or(Decimal::ZERO);
                (working.order.qty - working.filled) * price
            })
            .sum();
        let open_orders = self
            .working
            .iter()
            .map(|working| OpenOrder {
                order_id: working.id.clone(),
                tag: working.order.tag.clone(),
                symbol: working.order.symbol.clone(),
                side: working.order.side,
                order_type: working.order.order_type,
                time_in_force: working.order.time_in_force,
                post_only: working.order.post_only,
                reduce_only: working.order.reduce_only,
                qty: working.order.qty,
                filled_qty: working.filled,
                remaining_qty: working.order.qty - working.filled,
                status: if working.filled.is_zero() {
                    OrderStatus::Open
                } else {
                    OrderStatus::PartiallyFilled
                },
            })
            .collect();
        self.host.account = Account {
            initial_cash: self.initial_cash,
            cash: self.cash,
            equity,
            fees: Decimal::ZERO,
            buying_power: (self.cash - held_back).max(Decimal::ZERO),
            fee_rate: Decimal::ZERO,
            positions,
            open_orders,
        };
    }

    /// Moves cash and the position by one fill.
    fn book_fill(&mut self, order: &OrderRequest, price: Decimal, qty: Decimal) {
        let mut position = self.position(&order.symbol);
        let signed = match order.side {
            Side::Buy => qty,
            Side::Sell => -qty,
        };
        self.cash -= signed * price;
        let held = position.qty;
        if held.is_zero() || held.is_sign_positive() == signed.is_sign_positive() {
            position.avg_price = (held.abs() * position.avg_price + qty * price) / (held.abs() + qty);
        } else {
            let closed = held.abs().min(qty);
            let direction = if held.is_sign_positive() {
                Decimal::ONE
            } else {
                -Decimal::ONE
            };
            position.realized_pnl += closed * (price - position.avg_price) * direction;
            if qty > held.abs() {
                // Through flat: what is left opens the other way at this price.
                position.avg_price = price;
            } else if qty == held.abs() {
                position.avg_price = Decimal::ZERO;
            }
        }
        position.qty = held + signed;
        if self.mark_of(&order.symbol).is_none() {
            self.marks.push((order.symbol.clone(), price));
        }
        self.host.put_position(position);
        self.sync_account();
    }

    fn deliver(&mut self, update: OrderUpdate) {
        self.strategy.on_order_update(&mut self.host, &update);
        self.updates.push(update);
    }
}

/// What `candle` does to `working`, an order of its symbol placed before it (the host's rules,
/// as the type's doc says): a stop may trigger, an order meeting the market for the first time
/// may be cancelled by its time in force or post-only flag, and a fill is at the open or, for a
/// limit the bar trades strictly through, at the limit (a stop's trigger).
fn meet(working: &mut Working, candle: &Candle) -> Outcome {
    let order = &mut working.order;
    let reaches = |side, price: Decimal, level: Decimal| match side {
        Side::Buy => price >= level,
        Side::Sell => price <= level,
    };
    let through = |side, price: Decimal, limit: Decimal| match side {
        Side::Buy => price < limit,
        Side::Sell => price > limit,
    };
    let (toward, away) = match order.side {
        Side::Buy => (candle.high, candle.low),
        Side::Sell => (candle.low, candle.high),
    };
    if working.stage == Stage::AwaitingTrigger {
        let Some(trigger) = order.trigger_price() else {
            return Outcome::Works;
        };
        if !reaches(order.side, toward, trigger) {
            return Outcome::Works;
        }
        let at_open = reaches(order.side, candle.open, trigger);
        match order.order_type {
            OrderType::Stop(_) => return Outcome::Fill(if at_open { candle.open } else { trigger }),
            OrderType::StopLimit { limit, .. } => {
                order.order_type = OrderType::Limit(limit);
                working.stage = Stage::Unmet;
                if !at_open {
                    return Outcome::Works;
                }
            }
            OrderType::Market | OrderType::Limit(_) => {}
        }
    }
    let OrderType::Limit(limit) = order.order_type else {
        return Outcome::Fill(candle.open);
    };
    let first = working.stage == Stage::Unmet;
    working.stage = Stage::Resting;
    if through(order.side, candle.open, limit) {
        if first && order.post_only {
            return Outcome::Cancel("post-only: the order would have taken liquidity, so it is cancelled");
        }
        return Outcome::Fill(candle.open);
    }
    match order.time_in_force {
        _ if !first => {}
        TimeInForce::Gtc => {}
        TimeInForce::Ioc => {
            return Outcome::Cancel("ioc: nothing filled the moment the order met the market, so it is cancelled")
        }
        TimeInForce::Fok => {
            return Outcome::Cancel("fok: nothing filled the moment the order met the market, so it is cancelled")
        }
    }
    if through(order.side, away, limit) {
        Outcome::Fill(limit)
    } else {
        Outcome::Works
    }
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::{Host, Manifest, Params};

    /// Rests a buy at 95 and a sell at 110 on its first bar, and cancels the sell once the buy
    /// fills.
    #[derive(Debug, Default, Serialize, Deserialize)]
    struct Bracket {
        sell: Option<String>,
    }

    impl Strategy for Bracket {
        fn manifest() -> Manifest {
            Manifest::new("bracket", "0.1.0", "")
        }

        fn init(_: &Params) -> Result<Self, String> {
            Ok(Bracket::default())
        }

        fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
            if self.sell.is_none() {
                let buy = OrderRequest::limit(&candle.symbol, Side::Buy, Decimal::TWO, Decimal::from(95));
                host.place_order(buy).unwrap();
                let sell = OrderRequest::limit(&candle.symbol, Side::Sell, Decimal::TWO, Decimal::from(110));
                self.sell = Some(host.place_order(sell).unwrap().as_str().to_owned());
            }
        }

        fn on_order_update(&mut self, host: &mut dyn Host, update: &OrderUpdate) {
            if update.side == Side::Buy && update.status == OrderStatus::Filled {
                if let Some(sell) = &self.sell {
                    host.cancel_order(&OrderId::new(sell.clone())).unwrap();
                }
            }
        }
    }

    fn bar(minute: i64, open: i64, high: i64, low: i64, close: i64) -> Candle {
        Candle {
            open: Decimal::from(open),
            high: Decimal::from(high),
            low: Decimal::from(low),
            ..crate::testing::candle("BTC/USD", "1m", minute * 60_000, Decimal::from(close))
        }
    }

    #[test]
    fn a_limit_fills_on_a_later_bar_that_trades_through_it_and_a_cancel_is_answered() {
        let mut harness = Harness::<Bracket>::new("").unwrap().with_cash(Decimal::from(1000));
        assert_eq!(
            harness.candle(bar(0, 100, 101, 94, 100)).len(),
            2,
            "the bar they were placed on fills nothing"
        );
        assert_eq!(harness.working().count(), 2);
        // Touching 95 is not trading through it.
        harness.candle(bar(1, 100, 101, 95, 100));
        assert_eq!(harness.fills().count(), 0);
        // Opening below the limit fills at the better open.
        harness.candle(bar(2, 93, 99, 92, 98));
        let fills: Vec<_> = harness
            .fills()
            .map(|(_, side, fill)| (side, fill.price, fill.qty))
            .collect();
        assert_eq!(fills, [(Side::Buy, Decimal::from(93), Decimal::TWO)]);
        assert_eq!(harness.position("BTC/USD").qty, Decimal::TWO);
        assert_eq!(harness.cash(), Decimal::from(1000 - 186));
        // The answer to the fill cancelled the sell: the venue says so, and holds nothing more.
        let last = harness.updates().last().unwrap();
        assert_eq!((last.side, last.status), (Side::Sell, OrderStatus::Cancelled));
        assert_eq!(harness.working().count(), 0);
        harness.candle(bar(3, 100, 120, 99, 115));
        assert_eq!(harness.fills().count(), 1);
    }

    #[test]
    fn a_cancel_in_answer_to_a_fill_applies_to_the_rest_of_the_bar() {
        let mut harness = Harness::<Bracket>::new("").unwrap();
        harness.candle(bar(0, 100, 100, 100, 100));
        // A bar through both limits: the buy, placed first, fills first, and its answer
        // cancels the sell before the bar reaches it.
        harness.candle(bar(1, 100, 111, 94, 100));
        let sides: Vec<(Side, OrderStatus)> = harness.updates().iter().map(|u| (u.side, u.status)).collect();
        assert_eq!(
            sides,
            [(Side::Buy, OrderStatus::Filled), (Side::Sell, OrderStatus::Cancelled)]
        );
        assert_eq!(harness.position("BTC/USD").qty, Decimal::TWO);
    }

    /// Places a buy stop at 105 and an immediate-or-cancel buy at 90 on its first bar.
    #[derive(Debug, Default, Serialize, Deserialize)]
    struct Breakout {
        placed: bool,
    }

    impl Strategy for Breakout {
        fn manifest() -> Manifest {
            Manifest::new("breakout", "0.1.0", "")
        }

        fn init(_: &Params) -> Result<Self, String> {
            Ok(Breakout::default())
        }

        fn on_candle(&mut self, host: &mut dyn Host, candle: &Candle) {
            if !self.placed {
                self.placed = true;
                let stop = OrderRequest::stop(&candle.symbol, Side::Buy, Decimal::ONE, Decimal::from(105));
                host.place_order(stop.with_tag("stop")).unwrap();
                let ioc = OrderRequest::limit(&candle.symbol, Side::Buy, Decimal::ONE, Decimal::from(90))
                    .with_time_in_force(TimeInForce::Ioc);
                host.place_order(ioc.with_tag("ioc")).unwrap();
            }
        }
    }

    #[test]
    fn stops_and_immediate_orders_fill_as_the_host_does_and_the_account_follows() {
        let mut harness = Harness::<Breakout>::new("").unwrap().with_cash(Decimal::from(1000));
        harness.candle(bar(0, 100, 101, 99, 100));
        let account = crate::Host::account(harness.host_mut());
        assert_eq!(account.open_orders.len(), 2);
        // Buying power holds back the stop at its trigger and the limit at its price.
        assert_eq!(account.buying_power, Decimal::from(1000 - 105 - 90));
        // Up through 105 inside the bar: the stop fills at its trigger; the ioc, which the open
        // (100) does not fill, is cancelled there although the bar later trades below 90.
        harness.candle(bar(1, 100, 106, 89, 104));
        let outcomes: Vec<(&str, OrderStatus)> = harness.updates().iter().map(|u| (u.tag.as_str(), u.status)).collect();
        assert_eq!(
            outcomes,
            [("stop", OrderStatus::Filled), ("ioc", OrderStatus::Cancelled)]
        );
        assert_eq!(
            harness.fills().next().map(|(_, _, f)| f.price),
            Some(Decimal::from(105))
        );
        let account = crate::Host::account(harness.host_mut());
        assert_eq!(
            (account.cash, account.equity, account.buying_power),
            (Decimal::from(895), Decimal::from(895 + 104), Decimal::from(895))
        );
        let [position] = account.positions.as_slice() else {
            panic!("{:?}", account.positions);
        };
        assert_eq!(
            (position.qty, position.mark, position.unrealized_pnl),
            (Decimal::ONE, Some(Decimal::from(104)), -Decimal::ONE)
        );
        assert!(account.open_orders.is_empty());
    }

    #[test]
    fn a_fill_through_flat_realizes_the_closed_part_and_opens_the_rest() {
        let mut harness = Harness::<Bracket>::new("").unwrap();
        let order = |side, qty| OrderRequest::market("BTC/USD", side, Decimal::from(qty));
        harness.book_fill(&order(Side::Buy, 2), Decimal::from(100), Decimal::TWO);
        harness.book_fill(&order(Side::Buy, 2), Decimal::from(110), Decimal::TWO);
        assert_eq!(harness.position("BTC/USD").avg_price, Decimal::from(105));
        harness.book_fill(&order(Side::Sell, 5), Decimal::from(120), Decimal::from(5));
        let position = harness.position("BTC/USD");
        assert_eq!(
            (position.qty, position.avg_price, position.realized_pnl),
            (-Decimal::ONE, Decimal::from(120), Decimal::from(60))
        );
        harness.book_fill(&order(Side::Buy, 1), Decimal::from(100), Decimal::ONE);
        let position = harness.position("BTC/USD");
        assert_eq!(
            (position.qty, position.realized_pnl),
            (Decimal::ZERO, Decimal::from(80))
        );
        assert_eq!(harness.cash(), Decimal::from(-200 - 220 + 600 - 100));
    }
}
