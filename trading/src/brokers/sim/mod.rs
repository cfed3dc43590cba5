//! The simulated venue (`paper`): matches orders against the market data it is shown. Paper
//! trading and backtests both use it, so a strategy's backtested fills are its paper fills.
//! The rules are documented on [`SimBroker`]; the matching itself is in `matching.rs`.

mod config;
mod matching;

#[cfg(test)]
mod tests;

use std::collections::VecDeque;

use foldhash::HashMap;

use rust_decimal::Decimal;

use self::matching::{step, Match, Resting, Stage, Step};
use super::{
    AmendOrder, Execution, ExecutionPort, FillReport, MassStatus, NewOrder, OrderReport, PortError, RejectKind,
    RejectReason, ReportedQty, VenueEvent, VenueOrderState, PAPER_VENUE,
};
use crate::market::{MarketEvent, Side, Symbol, TimeMs};
use crate::orders::{OrderId, OrderType, VenueId};

pub use config::{FillPrice, InvalidSimConfig, SimConfig, DEFAULT_FEE_RATE, DEFAULT_SLIPPAGE_BPS};

/// The simulated broker, named `paper` unless told otherwise ([`SimBroker::named`]).
///
/// What it does with an order:
/// 1. [`ExecutionPort::submit`] refuses an id that is already working (`Err`); queues `Rejected` for a
///    quantity or limit price that is not above zero; otherwise queues `Accepted` and keeps
///    the order working. With [`FillPrice::CurrentClose`] a market order instead fills at once
///    at the last close of its symbol (fill time: the order's time), or is rejected if no bar
///    of the symbol was seen yet.
/// 2. [`ExecutionPort::on_market_event`] fills the working orders of the event's symbol, in
///    submission order:
///    - **Bars.** Only a bar that opens at or after the order's time can fill it: an order
///      placed on bar k's close (stamped with bar k's close time) first meets bar k+1, and
///      bar k never fills it, whichever order events and orders arrive in. A market order
///      fills at the open. A limit buy fills when the bar trades *through* the limit
///      (`low < limit`) at `min(limit, open)`, so a gap below the limit fills at the better
///      open; a limit sell mirrors it (`high > limit`, at `max(limit, open)`). A bar that only
///      touches the limit does not fill it: the order's place in the queue is unknown. The
///      fill time is the bar's open time. A fill at the open (a market order, or a limit the
///      open is already through) is known at the open, so an order placed in answer to it may
///      still meet this bar; a fill further inside the bar is known only at its close
///      ([`FillReport::known_ms`]), so an answer to it first meets the next bar: the bar does
///      not say whether the price came back after the fill.
///    - **Trades, quotes and books** act as one-price bars (the trade price; the ask for a buy,
///      the bid for a sell; a book's best ask or best bid) for orders placed strictly before
///      them. A market order fills at that price, a limit order when the price is strictly
///      through its limit, at that price. The fill time is the tick's. A side quoted at zero,
///      or a book side without levels, fills nothing. The levels behind the best are not
///      walked (see the next rule).
///    - **Bar updates fill nothing:** the bar in progress has not traded through anything for
///      sure yet, and its closed bar, which fills, follows.
///    - **Stops** wait, outside the book, for the first event after them that reaches the
///      trigger (a touch triggers): a buy stop a bar whose high is at or above it, or a tick at
///      or above it; a sell stop the mirror. A stop then fills as a market order (with its
///      slippage): at the open when the bar opened through the trigger, else at the trigger
///      (known at the bar's close); at the tick's price. A stop-limit becomes a limit order
///      placed at the instant it triggered: at the open, it works in that bar; inside the bar,
///      it first meets the next bar (the bar does not say whether the price came back to the
///      limit after the trigger); at a tick, the ticks after it.
///    - **Time in force and post-only** decide at an order's first meeting with the market
///      (the first bar it may fill in, the first tick after it; for a stop-limit, once
///      triggered). Immediate or cancel, and fill or kill, fill there if they fill at all
///      (a bar's open, a tick's price) and are cancelled otherwise, at that instant: the rest
///      of a bar is an instant later. With full fills only, fill or kill acts as immediate or
///      cancel. A post-only limit that would fill there, as a taker, is cancelled instead; one
///      that rests fills later like any limit. Post-only is for limit orders only (rejected
///      otherwise).
///    - **Full fills only:** there is no volume or depth model, so any size fills at one price.
///    - **Late orders fill as of their time.** An order stamped before market events the venue
///      has already seen (a strategy on its own thread, handling bar k while the feed is at bar
///      k+3) is matched against those events first, at [`ExecutionPort::submit`]: it fills where it
///      would have filled had it arrived on time. So a paper strategy's fills do not depend on
///      how busy the machine was. For this the venue remembers the latest market events of each
///      symbol ([`SimBroker::remembering`]), in backtests too: there an answer to a fill at a
///      bar's open arrives after the venue has seen the bar, and still meets it.
/// 3. Market fills get `slippage_bps` against the trader (a buy × (1 + bps/10,000), a sell
///    × (1 − bps/10,000)); limit fills none. The fee is `fee_rate × price × qty`, in decimals.
/// 4. [`ExecutionPort::cancel`] removes a working order and queues `Cancelled`; an unknown, filled or
///    cancelled id is refused with [`PortError::Refused`] (`unknown_order`).
/// 5. [`ExecutionPort::amend`] changes a working order's quantity and limit price (a limit's or
///    a stop-limit's) and restamps it with the amend's time (so it meets only later events, and
///    the market anew, as a new order would; a stop still waits for its trigger), then queues
///    `Amended`; it may fill at once against remembered events like a late order.
/// 6. [`ExecutionPort::query_order`] answers `Open` for a working order and `NotFound` for any
///    other (the simulator forgets finished orders: the desk has them);
///    [`ExecutionPort::mass_status`] lists the working orders. Simulated fills carry no trade id.
///
/// Guarantees: the executions of one order are reported in the order they happened
/// (`on_market_event` hands over the queued ones first, so `Accepted` precedes `Filled`);
/// nothing depends on hash-map iteration order, so the same calls give the same executions;
/// a market event costs one map lookup, a copy into the recent events, and a pass over the
/// working orders of its symbol, and
/// allocates nothing when nothing fills.
#[derive(Debug)]
pub struct SimBroker {
    venue: VenueId,
    config: SimConfig,
    /// Market fills are priced at the reference price times these: `(buy, sell)`.
    slippage: (Decimal, Decimal),
    books: HashMap<Symbol, Book>,
    /// Which book each working order is in, for `cancel`.
    working: HashMap<OrderId, Symbol>,
    /// Venue events not yet handed over by `poll` or `on_market_event`, in order.
    queued: Vec<VenueEvent>,
    /// Market events kept per symbol to fill late orders; 0 keeps none.
    recent_events: usize,
}

/// Market events of a symbol a paper venue remembers, to fill late orders as of their time. A
/// strategy further behind than this has lost events from its own queue anyway.
pub const RECENT_EVENTS: usize = 1_024;

/// One symbol's state at the venue.
#[derive(Debug, Default)]
struct Book {
    /// The last bar's close, for [`FillPrice::CurrentClose`].
    last_close: Option<Decimal>,
    /// In submission order, which is the order they fill in.
    orders: Vec<Resting>,
    /// The latest market events, oldest first, as many as the venue remembers.
    recent: VecDeque<MarketEvent>,
}

impl Book {
    fn remember(&mut self, event: &MarketEvent, capacity: usize) {
        if capacity == 0 {
            return;
        }
        let kept = match event {
            // Never fills anything, so never fills a late order either.
            MarketEvent::CandleUpdate(_) => return,
            // Only the best levels fill: a thousand levels a side, a thousand times, would be
            // megabytes per symbol for nothing.
            MarketEvent::Book(book) => MarketEvent::Book(book.top()),
            _ => event.clone(),
        };
        if self.recent.len() >= capacity {
            self.recent.pop_front();
        }
        self.recent.push_back(kept);
    }

    /// What the remembered events later than the order did to it, up to the first that ends
    /// it (a fill or an expiry); `Works` with the order moved on (triggered, resting) when
    /// none did. Only the events after the order's time are looked at (a scan from the newest
    /// back), so an order that arrives on time costs one comparison.
    fn catch_up(&self, resting: &mut Resting) -> Step {
        let later = self
            .recent
            .iter()
            .rev()
            .take_while(|event| event.time_ms() > resting.order.time_ms)
            .count();
        self.recent
            .range(self.recent.len() - later..)
            .map(|event| step(resting, event))
            .find(|outcome| *outcome != Step::Works)
            .unwrap_or(Step::Works)
    }
}

impl SimBroker {
    /// # Errors
    ///
    /// [`InvalidSimConfig`] when a configuration value is out of range.
    pub fn new(config: SimConfig) -> Result<Self, InvalidSimConfig> {
        config.validate()?;
        Ok(Self {
            venue: VenueId::new(PAPER_VENUE),
            slippage: config.slippage_factors(),
            config,
            books: HashMap::default(),
            working: HashMap::default(),
            queued: Vec::new(),
            recent_events: 0,
        })
    }

    /// The same venue, remembering the last `events` market events of each symbol to fill an
    /// order that arrives after them as of its own time (see the rules above). Paper trading
    /// and backtests use [`RECENT_EVENTS`]; without it a late order waits for the next event.
    pub fn remembering(mut self, events: usize) -> Self {
        self.recent_events = events;
        self
    }

    /// The same venue under another name: paper trading on a live venue's data calls it after
    /// that venue, so strategies, metrics and `/status` name the venue they trade on.
    pub fn named(mut self, venue: VenueId) -> Self {
        self.venue = venue;
        self
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The working orders of `symbol`, in submission order (a triggered stop-limit as the
    /// limit order it became).
    pub fn working_orders(&self, symbol: &Symbol) -> impl Iterator<Item = &NewOrder> {
        self.books
            .get(symbol)
            .into_iter()
            .flat_map(|book| book.orders.iter().map(|resting| &resting.order))
    }

    fn reject(&mut self, order: &NewOrder, reason: String) {
        self.queue(Execution::Rejected {
            id: order.id.clone(),
            reason: RejectReason::new(RejectKind::InvalidOrder, reason),
            time_ms: order.time_ms,
        });
    }

    fn accepted(order: &NewOrder) -> Execution {
        Execution::Accepted {
            id: order.id.clone(),
            venue_order_id: None,
            time_ms: order.time_ms,
        }
    }

    fn report(order: &NewOrder, time_ms: TimeMs) -> OrderReport {
        OrderReport {
            id: order.id.clone(),
            venue_order_id: None,
            state: VenueOrderState::Open,
            filled_qty: Decimal::ZERO,
            qty: ReportedQty::Unknown,
            fills: Vec::new(),
            time_ms,
        }
    }

    fn working_order(&self, id: &OrderId) -> Option<&NewOrder> {
        let symbol = self.working.get(id)?;
        self.books
            .get(symbol)?
            .orders
            .iter()
            .map(|resting| &resting.order)
            .find(|order| order.id == *id)
    }

    fn queue(&mut self, execution: Execution) {
        self.queued.push(VenueEvent::Execution(execution));
    }

    /// Submits a market order in [`FillPrice::CurrentClose`] mode: it fills now or never.
    fn fill_at_close(&mut self, order: NewOrder) {
        let Some(close) = self.books.get(&order.symbol).and_then(|book| book.last_close) else {
            let reason = format!(
                "no bar of {} seen yet: in current_close mode a market order fills at the last close",
                order.symbol
            );
            return self.reject(&order, reason);
        };
        self.queue(Self::accepted(&order));
        let matched = Match {
            price: close,
            time_ms: order.time_ms,
            known_ms: order.time_ms,
        };
        let execution = execute(&order, matched, self.slippage, self.config.fee_rate);
        self.queue(execution);
    }
}

impl ExecutionPort for SimBroker {
    fn venue(&self) -> &VenueId {
        &self.venue
    }

    fn submit(&mut self, order: NewOrder) -> Result<(), PortError> {
        if self.working.contains_key(&order.id) {
            return Err(PortError::Refused(RejectReason::new(
                RejectKind::InvalidOrder,
                format!("order id {} is already working", order.id),
            )));
        }
        if order.qty <= Decimal::ZERO {
            let reason = format!("quantity {} must be above zero", order.qty);
            self.reject(&order, reason);
            return Ok(());
        }
        let prices = [
            ("limit", order.order_type.limit_price()),
            ("trigger", order.order_type.trigger_price()),
        ];
        let nonpositive = prices
            .into_iter()
            .find_map(|(name, price)| Some((name, price?)).filter(|(_, p)| *p <= Decimal::ZERO));
        if let Some((name, price)) = nonpositive {
            self.reject(&order, format!("{name} price {price} must be above zero"));
            return Ok(());
        }
        if order.post_only && !matches!(order.order_type, OrderType::Limit(_)) {
            self.reject(&order, "post-only is for limit orders".to_owned());
            return Ok(());
        }
        if self.config.fill_price == FillPrice::CurrentClose && order.order_type == OrderType::Market {
            self.fill_at_close(order);
            return Ok(());
        }
        self.queue(Self::accepted(&order));
        let book = self.books.entry(order.symbol.clone()).or_default();
        let mut resting = Resting::new(order);
        match book.catch_up(&mut resting) {
            Step::Works => {
                self.working
                    .insert(resting.order.id.clone(), resting.order.symbol.clone());
                book.orders.push(resting);
            }
            outcome => {
                let execution = conclude(&resting.order, outcome, self.slippage, self.config.fee_rate);
                self.queued.extend(execution.map(VenueEvent::Execution));
            }
        }
        Ok(())
    }

    fn cancel(&mut self, id: &OrderId, time_ms: TimeMs) -> Result<(), PortError> {
        let unknown = || unknown_order(id);
        let symbol = self.working.remove(id).ok_or_else(unknown)?;
        let book = self.books.get_mut(&symbol).ok_or_else(unknown)?;
        let at = book
            .orders
            .iter()
            .position(|resting| resting.order.id == *id)
            .ok_or_else(unknown)?;
        book.orders.remove(at);
        self.queue(Execution::Cancelled {
            id: id.clone(),
            reason: None,
            time_ms,
        });
        Ok(())
    }

    fn amend(&mut self, amend: AmendOrder) -> Result<(), PortError> {
        let symbol = self.working.get(&amend.id).ok_or_else(|| unknown_order(&amend.id))?;
        let book = self.books.get_mut(symbol).ok_or_else(|| unknown_order(&amend.id))?;
        let at = book
            .orders
            .iter()
            .position(|resting| resting.order.id == amend.id)
            .ok_or_else(|| unknown_order(&amend.id))?;
        let resting = &mut book.orders[at];
        let order_type = match (resting.order.order_type, amend.limit_price) {
            (order_type, None) => Some(order_type),
            (order_type, Some(price)) if price > Decimal::ZERO => order_type.with_limit_price(price),
            _ => None,
        };
        let Some(order_type) = order_type else {
            return Err(PortError::Refused(RejectReason::new(
                RejectKind::InvalidOrder,
                "only a limit or stop-limit order's limit price can be amended, to a price above zero",
            )));
        };
        if amend.qty <= Decimal::ZERO {
            return Err(PortError::Refused(RejectReason::new(
                RejectKind::InvalidOrder,
                format!("quantity {} must be above zero", amend.qty),
            )));
        }
        resting.order.qty = amend.qty;
        resting.order.order_type = order_type;
        resting.order.time_ms = amend.time_ms;
        // Amended, it meets the market anew, as a new order would (a stop still waits).
        if resting.stage != Stage::AwaitingTrigger {
            resting.stage = Stage::Unmet;
        }
        let amended = Execution::Amended {
            id: amend.id.clone(),
            qty: amend.qty,
            limit_price: amend.limit_price,
            venue_order_id: None,
            time_ms: amend.time_ms,
        };
        let mut moved = book.orders[at].clone();
        let outcome = book.catch_up(&mut moved);
        self.queued.push(VenueEvent::Execution(amended));
        if outcome == Step::Works {
            book.orders[at] = moved;
            return Ok(());
        }
        book.orders.remove(at);
        self.working.remove(&amend.id);
        let execution = conclude(&moved.order, outcome, self.slippage, self.config.fee_rate);
        self.queued.extend(execution.map(VenueEvent::Execution));
        Ok(())
    }

    fn query_order(&mut self, id: &OrderId, _symbol: &Symbol, time_ms: TimeMs) -> Result<(), PortError> {
        let report = match self.working_order(id) {
            Some(order) => Self::report(order, time_ms),
            None => OrderReport {
                id: id.clone(),
                venue_order_id: None,
                state: VenueOrderState::NotFound,
                filled_qty: Decimal::ZERO,
                qty: ReportedQty::Unknown,
                fills: Vec::new(),
                time_ms,
            },
        };
        self.queue(Execution::Status(report));
        Ok(())
    }

    fn mass_status(&mut self, since_ms: TimeMs) -> Result<(), PortError> {
        let time_ms = self
            .books
            .values()
            .filter_map(|b| b.recent.back())
            .map(MarketEvent::time_ms)
            .max();
        let time_ms = time_ms.unwrap_or(since_ms);
        let mut open: Vec<OrderReport> = self
            .books
            .values()
            .flat_map(|book| book.orders.iter())
            .map(|resting| Self::report(&resting.order, time_ms))
            .collect();
        open.sort_by(|a, b| a.id.cmp(&b.id));
        self.queued.push(VenueEvent::MassStatus(MassStatus {
            venue: self.venue.clone(),
            since_ms,
            open,
            fills: Vec::new(),
            time_ms,
        }));
        Ok(())
    }

    fn on_market_event(&mut self, event: &MarketEvent, out: &mut Vec<VenueEvent>) {
        out.append(&mut self.queued);
        let book = match self.books.get_mut(event.symbol()) {
            Some(book) => book,
            None => self.books.entry(event.symbol().clone()).or_default(),
        };
        book.remember(event, self.recent_events);
        if let MarketEvent::Candle(bar) = event {
            book.last_close = Some(bar.close);
        }
        if book.orders.is_empty() {
            return;
        }
        let (slippage, fee_rate, working) = (self.slippage, self.config.fee_rate, &mut self.working);
        book.orders.retain_mut(|resting| match step(resting, event) {
            Step::Works => true,
            outcome => {
                out.extend(conclude(&resting.order, outcome, slippage, fee_rate).map(VenueEvent::Execution));
                working.remove(&resting.order.id);
                false
            }
        });
    }

    fn poll(&mut self, out: &mut Vec<VenueEvent>) {
        out.append(&mut self.queued);
    }

    fn is_simulated(&self) -> bool {
        true
    }
}

fn unknown_order(id: &OrderId) -> PortError {
    PortError::Refused(RejectReason::new(
        RejectKind::UnknownOrder,
        format!("unknown order {id}: it is not working here (never submitted, or already filled or cancelled)"),
    ))
}

/// The execution that ends an order: its fill or its expiry; nothing while it works.
fn conclude(order: &NewOrder, outcome: Step, slippage: (Decimal, Decimal), fee_rate: Decimal) -> Option<Execution> {
    match outcome {
        Step::Works => None,
        Step::Fill(matched) => Some(execute(order, matched, slippage, fee_rate)),
        Step::Expire { expiry, time_ms } => Some(Execution::Cancelled {
            id: order.id.clone(),
            reason: Some(expiry.reason()),
            time_ms,
        }),
    }
}

/// The execution of a matched order: the fill with slippage (market and stop orders) and fee. Should
/// the numbers not fit a `Decimal` (absurd sizes), the order is cancelled with the reason
/// rather than filled at a wrong price.
fn execute(order: &NewOrder, matched: Match, (buy, sell): (Decimal, Decimal), fee_rate: Decimal) -> Execution {
    let price = match (order.order_type, order.side) {
        (OrderType::Market | OrderType::Stop(_), Side::Buy) => matched.price.checked_mul(buy),
        (OrderType::Market | OrderType::Stop(_), Side::Sell) => matched.price.checked_mul(sell),
        (OrderType::Limit(_) | OrderType::StopLimit { .. }, _) => Some(matched.price),
    };
    let fee = price
        .and_then(|p| p.checked_mul(order.qty))
        .and_then(|notional| notional.checked_mul(fee_rate));
    match (price, fee) {
        (Some(price), Some(fee)) => Execution::Filled(FillReport {
            id: order.id.clone(),
            trade_id: None,
            price,
            qty: order.qty,
            fee,
            fee_asset: None,
            time_ms: matched.time_ms,
            known_ms: matched.known_ms,
        }),
        _ => Execution::Cancelled {
            id: order.id.clone(),
            reason: Some(format!(
                "a fill of {} at {} does not fit in a decimal: order cancelled",
                order.qty, matched.price
            )),
            time_ms: matched.time_ms,
        },
    }
}
