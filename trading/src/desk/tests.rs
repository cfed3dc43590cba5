//! Scenario tests: the desk driven through scripted tapes of requests and executions, a
//! comment per step, state asserted after each.

use std::sync::{Arc, Mutex, MutexGuard};

use rust_decimal::Decimal;

use super::*;
use crate::brokers::{
    AmendOrder, Execution, ExecutionPort, FillPrice, FillReport, MassStatus, NewOrder, OrderReport, PortError,
    RejectKind, RejectReason, ReportedQty, ResumedOrder, SimBroker, SimConfig, VenueEvent, VenueOrderState,
};
use crate::ledger::{Book, BookStore, DecisionRecord, FillRecord, SqliteStore, StoreError, StrategySnapshot};
use crate::market::{Candle, MarketEvent, Side, Symbol, TimeMs, Timeframe};
use crate::orders::{
    Order, OrderId, OrderRequest, OrderState, OrderStatus, OrderType, OrderUpdate, StrategyId, TradeId, VenueId,
    VenueOrderId,
};
use crate::risk::{RiskCheck, RiskLimits, TradingState};

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn btc() -> Symbol {
    Symbol::new("BTC/USD").unwrap()
}

fn alice() -> StrategyId {
    StrategyId::new("alice")
}

fn candle(open_time_ms: TimeMs, open: &str, close: &str) -> MarketEvent {
    let (o, c) = (dec(open), dec(close));
    MarketEvent::Candle(Candle {
        symbol: btc(),
        timeframe: Timeframe::parse("1m").unwrap(),
        open_time_ms,
        open: o,
        high: o.max(c),
        low: o.min(c),
        close: c,
        volume: Decimal::ONE,
    })
}

fn order(side: Side, qty: &str, order_type: OrderType) -> OrderRequest {
    OrderRequest {
        symbol: btc(),
        side,
        qty: dec(qty),
        order_type,
        time_in_force: crate::orders::TimeInForce::Gtc,
        post_only: false,
        reduce_only: false,
        tag: "t".into(),
    }
}

fn limit(price: &str) -> OrderType {
    OrderType::Limit(dec(price))
}

/// What the scripted broker and the journaling store saw, in one timeline.
type Journal = Arc<Mutex<Vec<String>>>;

/// A test double of the broker seam: records requests, refuses them when told, and hands over
/// the executions the test scripts.
#[derive(Default)]
struct Script {
    submitted: Vec<NewOrder>,
    cancelled: Vec<OrderId>,
    amended: Vec<AmendOrder>,
    queried: Vec<OrderId>,
    mass_status_since: Vec<TimeMs>,
    resumed: Vec<ResumedOrder>,
    refuse_submit: Option<PortError>,
    refuse_cancel: Option<PortError>,
    events: Vec<VenueEvent>,
}

#[derive(Clone)]
struct ScriptedBroker {
    venue: VenueId,
    script: Arc<Mutex<Script>>,
    journal: Journal,
}

impl Default for ScriptedBroker {
    fn default() -> Self {
        Self::named("scripted")
    }
}

impl ScriptedBroker {
    fn script(&self) -> MutexGuard<'_, Script> {
        self.script.lock().unwrap()
    }
    fn named(venue: &str) -> Self {
        Self {
            venue: VenueId::new(venue),
            script: Arc::default(),
            journal: Journal::default(),
        }
    }
    fn push(&self, execution: Execution) {
        self.script().events.push(VenueEvent::Execution(execution));
    }
    fn push_event(&self, event: VenueEvent) {
        self.script().events.push(event);
    }
}

impl ExecutionPort for ScriptedBroker {
    fn venue(&self) -> &VenueId {
        &self.venue
    }
    fn submit(&mut self, order: NewOrder) -> Result<(), PortError> {
        self.journal.lock().unwrap().push(format!("broker submit {}", order.id));
        let mut script = self.script();
        script.submitted.push(order);
        script.refuse_submit.take().map_or(Ok(()), Err)
    }
    fn cancel(&mut self, id: &OrderId, _time_ms: TimeMs) -> Result<(), PortError> {
        let mut script = self.script();
        script.cancelled.push(id.clone());
        script.refuse_cancel.take().map_or(Ok(()), Err)
    }
    fn amend(&mut self, amend: AmendOrder) -> Result<(), PortError> {
        self.script().amended.push(amend);
        Ok(())
    }
    fn query_order(&mut self, id: &OrderId, _symbol: &Symbol, _time_ms: TimeMs) -> Result<(), PortError> {
        self.script().queried.push(id.clone());
        Ok(())
    }
    fn mass_status(&mut self, since_ms: TimeMs) -> Result<(), PortError> {
        self.script().mass_status_since.push(since_ms);
        Ok(())
    }
    fn resume(&mut self, orders: &[ResumedOrder]) {
        self.script().resumed.extend_from_slice(orders);
    }
    fn on_market_event(&mut self, _event: &MarketEvent, out: &mut Vec<VenueEvent>) {
        out.append(&mut self.script().events);
    }
    fn poll(&mut self, out: &mut Vec<VenueEvent>) {
        out.append(&mut self.script().events);
    }
}

/// A real SQLite store (in memory) that also writes what it is asked to the journal, or fails
/// every write when told to.
struct JournalStore {
    inner: SqliteStore,
    journal: Journal,
    fail_writes: Arc<Mutex<bool>>,
}

impl JournalStore {
    fn write(&self, entry: String) -> Result<(), StoreError> {
        if *self.fail_writes.lock().unwrap() {
            return Err(StoreError::Backend {
                path: "test".into(),
                source: "disk full".into(),
            });
        }
        self.journal.lock().unwrap().push(entry);
        Ok(())
    }
}

impl BookStore for JournalStore {
    fn create_book(&mut self, book: &Book, time_ms: TimeMs) -> Result<(), StoreError> {
        self.write(format!("store book {}", book.strategy()))?;
        self.inner.create_book(book, time_ms)
    }
    fn insert_order(&mut self, order: &Order) -> Result<(), StoreError> {
        self.write(format!("store order {}", order.id()))?;
        self.inner.insert_order(order)
    }
    fn update_order(&mut self, order: &Order) -> Result<(), StoreError> {
        self.write(format!("store {} {}", order.id(), order.state().code()))?;
        self.inner.update_order(order)
    }
    fn record_fill(&mut self, record: FillRecord<'_>) -> Result<(), StoreError> {
        self.write(format!("store fill {}#{}", record.order.id(), record.seq))?;
        self.inner.record_fill(record)
    }
    fn save_snapshot(&mut self, snapshot: &StrategySnapshot) -> Result<(), StoreError> {
        self.inner.save_snapshot(snapshot)
    }
    fn forget_snapshots(&mut self, strategy: &StrategyId) -> Result<(), StoreError> {
        self.inner.forget_snapshots(strategy)
    }
    fn record_decision(&mut self, decision: DecisionRecord<'_>) -> Result<(), StoreError> {
        self.inner.record_decision(decision)
    }
    fn load_book(&self, strategy: &StrategyId) -> Result<Option<Book>, StoreError> {
        self.inner.load_book(strategy)
    }
    fn load_books(&self) -> Result<Vec<Book>, StoreError> {
        self.inner.load_books()
    }
    fn load_working_orders(&self) -> Result<Vec<Order>, StoreError> {
        self.inner.load_working_orders()
    }
    fn load_round_trips(&self, strategy: &StrategyId) -> Result<Vec<crate::ledger::RoundTrip>, StoreError> {
        self.inner.load_round_trips(strategy)
    }
    fn has_trade(&self, venue: &VenueId, symbol: &Symbol, trade_id: &TradeId) -> Result<bool, StoreError> {
        self.inner.has_trade(venue, symbol, trade_id)
    }
    fn fill_on_record(&self, order: &OrderId, trade_id: &TradeId) -> Result<crate::ledger::FillOnRecord, StoreError> {
        self.inner.fill_on_record(order, trade_id)
    }
    fn latest_snapshot(&self, strategy: &StrategyId) -> Result<Option<StrategySnapshot>, StoreError> {
        self.inner.latest_snapshot(strategy)
    }
    fn save_risk_state(&mut self, record: &crate::ledger::RiskStateRecord) -> Result<(), StoreError> {
        self.write(format!("store risk {} {}", record.scope, record.guard.state().as_str()))?;
        self.inner.save_risk_state(record)
    }
    fn load_risk_states(&self) -> Result<Vec<crate::ledger::RiskStateRecord>, StoreError> {
        self.inner.load_risk_states()
    }
}

/// A desk over a scripted broker, with `alice` registered with 10,000 and BTC/USD marked at 100.
fn desk_with(limits: RiskLimits, store: Option<Box<dyn BookStore>>, broker: &ScriptedBroker) -> Desk {
    let config = DeskConfig {
        order_id_prefix: "bt".into(),
        limits,
        trading_state: TradingState::Active,
    };
    let mut desk = Desk::new(config, Box::new(broker.clone()), store).unwrap();
    desk.register_strategy(&alice(), dec("10000")).unwrap();
    desk.on_market_event(&candle(0, "100", "100"));
    desk
}

fn desk(broker: &ScriptedBroker) -> Desk {
    desk_with(RiskLimits::default(), None, broker)
}

fn drain(desk: &mut Desk) -> Vec<OrderUpdate> {
    let mut out = Vec::new();
    desk.drain_updates(&mut out);
    out
}

fn filled(id: &OrderId, qty: &str, price: &str, fee: &str, time_ms: TimeMs) -> Execution {
    Execution::Filled(fill_report(id, None, qty, price, fee, time_ms))
}

fn fill_report(id: &OrderId, trade_id: Option<&str>, qty: &str, price: &str, fee: &str, time_ms: TimeMs) -> FillReport {
    FillReport {
        id: id.clone(),
        trade_id: trade_id.map(TradeId::new),
        price: dec(price),
        qty: dec(qty),
        fee: dec(fee),
        fee_asset: None,
        time_ms,
        known_ms: time_ms,
    }
}

fn accepted(id: &OrderId, time_ms: TimeMs) -> Execution {
    Execution::Accepted {
        id: id.clone(),
        venue_order_id: None,
        time_ms,
    }
}

#[test]
fn place_accept_fill_position_and_updates() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);

    // 1. Alice buys 2 at market: risk passes, the broker gets the order with the desk's id.
    let id = desk
        .place_order(&alice(), order(Side::Buy, "2", OrderType::Market), 60_000)
        .unwrap();
    assert_eq!(id.as_str(), "bt-1");
    assert_eq!(broker.script().submitted[0].qty, dec("2"));
    assert_eq!(desk.order(&id).unwrap().state(), &OrderState::PendingNew);
    assert!(
        drain(&mut desk).is_empty(),
        "placing is acknowledged by the returned id, not an update"
    );

    // 2. The venue acknowledges: the order is open; the strategy's view (open) did not change.
    broker.push(accepted(&id, 60_001));
    desk.poll();
    assert_eq!(desk.order(&id).unwrap().state(), &OrderState::Open);
    assert!(drain(&mut desk).is_empty());

    // 3. Half fills at 101 (fee 0.101): one update carrying the fill; long 1 at 101.
    broker.push(filled(&id, "1", "101", "0.101", 60_002));
    desk.on_market_event(&candle(60_000, "101", "101"));
    let updates = drain(&mut desk);
    assert_eq!(updates.len(), 1);
    let u = &updates[0];
    assert_eq!(
        (u.status, u.filled_qty, u.remaining_qty, u.time_ms),
        (OrderStatus::PartiallyFilled, dec("1"), dec("1"), 60_002)
    );
    assert_eq!(
        u.fill.as_ref().map(|f| (f.qty, f.price, f.fee)),
        Some((dec("1"), dec("101"), dec("0.101")))
    );
    assert_eq!(
        (u.tag.as_str(), u.strategy.as_str(), u.order_id.as_str()),
        ("t", "alice", "bt-1")
    );
    assert_eq!(desk.position(&alice(), &btc()).qty, dec("1"));

    // 4. The rest fills at 103: filled; long 2 at 102; cash 10000 − 101 − 0.101 − 103 − 0.103.
    broker.push(filled(&id, "1", "103", "0.103", 60_003));
    desk.poll();
    let updates = drain(&mut desk);
    assert_eq!(
        updates.iter().map(|u| (u.status, u.remaining_qty)).collect::<Vec<_>>(),
        [(OrderStatus::Filled, dec("0"))]
    );
    let position = desk.position(&alice(), &btc());
    assert_eq!((position.qty, position.avg_price), (dec("2"), dec("102")));
    let book = desk.book(&alice()).unwrap();
    assert_eq!((book.cash, book.fees), (dec("9795.796"), dec("0.204")));
    // Marked at the last close (101): equity is cash + 2 × 101.
    assert_eq!(book.equity, dec("9997.796"));
    assert_eq!(desk.open_orders(&alice()).count(), 0);
    let counts = desk.counts(&alice());
    assert_eq!(
        (counts.placed, counts.fills, counts.filled, counts.cancelled),
        (1, 2, 1, 0)
    );
}

#[test]
fn cancel_paths() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let bob = StrategyId::new("bob");
    desk.register_strategy(&bob, dec("10000")).unwrap();

    // 1. A resting limit buy, acknowledged.
    let id = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 1)
        .unwrap();
    broker.push(accepted(&id, 2));
    desk.poll();

    // 2. Bob cannot cancel it, nor can anyone cancel an id that does not exist.
    assert_eq!(
        desk.cancel_order(&bob, &id, 3),
        Err(CancelError::UnknownOrder { id: id.clone() })
    );
    let ghost = OrderId::new("bt-99");
    assert_eq!(
        desk.cancel_order(&alice(), &ghost, 3),
        Err(CancelError::UnknownOrder { id: ghost })
    );

    // 3. The broker refuses the first cancel: the error says so and the order is untouched.
    broker.script().refuse_cancel = Some(PortError::NotSent("disconnected".into()));
    assert!(matches!(
        desk.cancel_order(&alice(), &id, 4),
        Err(CancelError::Port { .. })
    ));
    assert_eq!(desk.order(&id).unwrap().state(), &OrderState::Open);

    // 4. Alice cancels: pending, no update yet; asking again sends nothing more.
    desk.cancel_order(&alice(), &id, 5).unwrap();
    assert_eq!(
        desk.order(&id).unwrap().state(),
        &OrderState::PendingCancel { requested_ms: 5 }
    );
    desk.cancel_order(&alice(), &id, 6).unwrap();
    assert_eq!(broker.script().cancelled.len(), 2, "one refused, one sent");
    assert!(drain(&mut desk).is_empty());

    // 5. The venue confirms: one update, cancelled, nothing left working.
    broker.push(Execution::Cancelled {
        id: id.clone(),
        reason: Some("by user".into()),
        time_ms: 7,
    });
    desk.poll();
    let updates = drain(&mut desk);
    assert_eq!(updates.len(), 1);
    assert_eq!(
        (updates[0].status, updates[0].reason.as_deref()),
        (OrderStatus::Cancelled, Some("by user"))
    );
    assert_eq!(desk.open_orders(&alice()).count(), 0);

    // 6. Cancelling it again is an error that names its status.
    assert_eq!(
        desk.cancel_order(&alice(), &id, 8),
        Err(CancelError::AlreadyTerminal {
            id: id.clone(),
            status: OrderStatus::Cancelled
        })
    );
    assert_eq!(desk.counts(&alice()).cancelled, 1);
}

#[test]
fn cancel_all_cancels_only_that_strategys_working_orders() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let bob = StrategyId::new("bob");
    desk.register_strategy(&bob, dec("10000")).unwrap();
    let a1 = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 1)
        .unwrap();
    let a2 = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("80")), 1)
        .unwrap();
    let b1 = desk.place_order(&bob, order(Side::Buy, "1", limit("90")), 1).unwrap();

    assert_eq!(desk.cancel_all(&alice(), 2), 2);
    assert_eq!(broker.script().cancelled, [a1, a2]);
    assert_eq!(desk.open_orders(&bob).map(|o| o.id().clone()).collect::<Vec<_>>(), [b1]);
}

#[test]
fn reject_paths() {
    let broker = ScriptedBroker::default();
    let limits = RiskLimits {
        max_open_orders: 2,
        ..RiskLimits::default()
    };
    let mut desk = desk_with(limits, None, &broker);

    // 1. Risk refuses: no order, nothing sent, the code is stable, the refusal counted.
    let reject = desk
        .place_order(&alice(), order(Side::Sell, "1", OrderType::Market), 1)
        .unwrap_err();
    assert_eq!(
        (reject.check, reject.code()),
        (RiskCheck::InsufficientPosition, "insufficient_position")
    );
    assert!(broker.script().submitted.is_empty());
    let unknown = desk.place_order(&StrategyId::new("nobody"), order(Side::Buy, "1", OrderType::Market), 1);
    assert_eq!(unknown.unwrap_err().code(), "unknown_strategy");

    // 2. The broker refuses during submit: the order exists, becomes rejected, one update says why.
    broker.script().refuse_submit = Some(PortError::Refused(RejectReason::new(
        RejectKind::QtyIncrement,
        "lot size",
    )));
    let id = desk
        .place_order(&alice(), order(Side::Buy, "1", OrderType::Market), 2)
        .unwrap();
    let updates = drain(&mut desk);
    assert_eq!(updates.len(), 1);
    assert_eq!(
        (
            updates[0].order_id.clone(),
            updates[0].status,
            updates[0].reason.as_deref()
        ),
        (id, OrderStatus::Rejected, Some("qty_increment: lot size"))
    );

    // 3. The port could not send it (nothing left the host): rejected too, saying so.
    broker.script().refuse_submit = Some(PortError::NotSent("disconnected".into()));
    desk.place_order(&alice(), order(Side::Buy, "1", OrderType::Market), 3)
        .unwrap();
    let reason = drain(&mut desk)[0].reason.clone().unwrap();
    assert_eq!(reason, "not sent: disconnected");

    // 4. The venue rejects later: an update then.
    let id = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 4)
        .unwrap();
    broker.push(Execution::Rejected {
        id: id.clone(),
        reason: RejectReason::new(RejectKind::PostOnlyWouldTake, "EOrder:Post only order"),
        time_ms: 5,
    });
    desk.poll();
    assert_eq!(drain(&mut desk)[0].status, OrderStatus::Rejected);

    // 5. Rejected orders do not count against the open-order limit: two more fit, the third does not.
    desk.place_order(&alice(), order(Side::Buy, "1", limit("90")), 6)
        .unwrap();
    desk.place_order(&alice(), order(Side::Buy, "1", limit("90")), 6)
        .unwrap();
    let reject = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 6)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::MaxOpenOrders);

    // 6. Halted: everything is refused as trading_halted.
    desk.set_trading_state(TradingState::Halted);
    let reject = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 7)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::TradingHalted);

    let counts = desk.counts(&alice());
    assert_eq!((counts.placed, counts.rejected, counts.refused_total()), (5, 3, 3));
    assert_eq!(counts.refused(RiskCheck::MaxOpenOrders), 1);
}

#[test]
fn working_orders_commit_cash_and_position() {
    let broker = ScriptedBroker::default();
    let limits = RiskLimits {
        fee_rate: Decimal::ZERO,
        ..RiskLimits::default()
    };
    let mut desk = desk_with(limits, None, &broker);

    // 1. A limit buy of 60 at 100 commits 6,000 of the 10,000: another 40 fits, 41 does not.
    desk.place_order(&alice(), order(Side::Buy, "60", limit("100")), 1)
        .unwrap();
    let reject = desk
        .place_order(&alice(), order(Side::Buy, "41", OrderType::Market), 1)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::InsufficientCash);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "40", OrderType::Market), 1)
        .unwrap();

    // 2. The market buy fills: long 40. A working sell of 30 leaves only 10 to sell.
    broker.push(filled(&id, "40", "100", "0", 2));
    desk.poll();
    desk.place_order(&alice(), order(Side::Sell, "30", limit("110")), 3)
        .unwrap();
    let reject = desk
        .place_order(&alice(), order(Side::Sell, "11", limit("110")), 3)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::InsufficientPosition);
    desk.place_order(&alice(), order(Side::Sell, "10", limit("110")), 3)
        .unwrap();

    // 3. Reducing: a buy is refused; a sell that the working sells already cover is refused too.
    desk.set_trading_state(TradingState::Reducing);
    let reject = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 4)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::ReduceOnly);
    let reject = desk
        .place_order(&alice(), order(Side::Sell, "1", limit("110")), 4)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::ReduceOnly);
}

#[test]
fn odd_executions_are_ignored_without_panic() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("100")), 1)
        .unwrap();
    broker.push(accepted(&id, 2));
    desk.poll();
    let before = desk.book(&alice());

    // An execution for an order nobody placed, a duplicate ack, an overfill, a fill with a
    // negative fee, and a fill at a price of zero: all logged and ignored.
    broker.push(filled(&OrderId::new("other-1"), "1", "100", "0", 3));
    broker.push(accepted(&id, 3));
    broker.push(filled(&id, "2", "100", "0", 3));
    broker.push(filled(&id, "1", "100", "-1", 3));
    broker.push(filled(&id, "1", "0", "0", 3));
    desk.poll();
    assert!(drain(&mut desk).is_empty());
    assert_eq!(desk.book(&alice()), before);
    assert_eq!(desk.order(&id).unwrap().state(), &OrderState::Open);

    // The order still works normally afterwards.
    broker.push(filled(&id, "1", "100", "0", 4));
    desk.poll();
    assert_eq!(drain(&mut desk)[0].status, OrderStatus::Filled);

    // A fill for a filled order is refused by the table.
    broker.push(filled(&id, "1", "100", "0", 5));
    desk.poll();
    assert!(drain(&mut desk).is_empty());
    assert_eq!(desk.position(&alice(), &btc()).qty, dec("1"));
}

#[test]
fn a_fill_racing_a_cancel_is_booked() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "3", limit("100")), 1)
        .unwrap();
    desk.cancel_order(&alice(), &id, 2).unwrap();

    // 1. A fill arrives while the cancel is pending: booked, status partially filled.
    broker.push(filled(&id, "1", "100", "0", 3));
    desk.poll();
    assert_eq!(drain(&mut desk)[0].status, OrderStatus::PartiallyFilled);

    // 2. The cancel is confirmed, then a late fill that happened before it: booked, still cancelled.
    broker.push(Execution::Cancelled {
        id: id.clone(),
        reason: None,
        time_ms: 4,
    });
    broker.push(filled(&id, "1", "100", "0", 3));
    desk.poll();
    let updates = drain(&mut desk);
    assert_eq!(
        updates.iter().map(|u| (u.status, u.fill.is_some())).collect::<Vec<_>>(),
        [(OrderStatus::Cancelled, false), (OrderStatus::Cancelled, true)]
    );
    assert_eq!(desk.position(&alice(), &btc()).qty, dec("2"));
    assert_eq!(desk.counts(&alice()).fills, 2);
}

#[test]
fn persist_before_acknowledge() {
    let broker = ScriptedBroker::default();
    let journal = broker.journal.clone();
    let fail_writes = Arc::new(Mutex::new(false));
    let store = JournalStore {
        inner: SqliteStore::open_in_memory().unwrap(),
        journal: journal.clone(),
        fail_writes: fail_writes.clone(),
    };
    let mut desk = desk_with(RiskLimits::default(), Some(Box::new(store)), &broker);

    // 1. The intent is stored before the broker sees it; the fill before anyone hears of it.
    let id = desk
        .place_order(&alice(), order(Side::Buy, "1", OrderType::Market), 1)
        .unwrap();
    broker.push(accepted(&id, 2));
    broker.push(filled(&id, "1", "100", "0.1", 3));
    desk.poll();
    assert_eq!(
        journal.lock().unwrap().clone(),
        [
            "store book alice",
            "store order bt-1",
            "broker submit bt-1",
            "store bt-1 open",
            "store fill bt-1#1"
        ]
    );
    assert_eq!(drain(&mut desk).len(), 1);

    // 2. The store fails: the next order is refused as trading_halted and never reaches the broker.
    *fail_writes.lock().unwrap() = true;
    let reject = desk
        .place_order(&alice(), order(Side::Sell, "1", OrderType::Market), 4)
        .unwrap_err();
    assert_eq!(reject.check, RiskCheck::TradingHalted);
    assert!(reject.message.contains("disk full"), "{}", reject.message);
    assert_eq!(desk.trading_state(), TradingState::Halted);
    assert_eq!(broker.script().submitted.len(), 1);
}

#[test]
fn a_registered_strategy_reloads_its_book_from_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("books.sqlite");
    let broker = ScriptedBroker::default();
    {
        let store = SqliteStore::open(&path).unwrap();
        let mut desk = desk_with(RiskLimits::default(), Some(Box::new(store)), &broker);
        let id = desk
            .place_order(&alice(), order(Side::Buy, "2", OrderType::Market), 1)
            .unwrap();
        broker.push(filled(&id, "2", "100", "0.2", 2));
        desk.poll();
        // Registering again changes nothing.
        desk.register_strategy(&alice(), dec("1")).unwrap();
        assert_eq!(desk.book(&alice()).unwrap().cash, dec("9799.8"));
    }
    // A restart: the same strategy registers with other cash and gets its stored book back.
    let store = SqliteStore::open(&path).unwrap();
    let mut desk = Desk::new(DeskConfig::default(), Box::new(broker.clone()), Some(Box::new(store))).unwrap();
    desk.register_strategy(&alice(), dec("5")).unwrap();
    let position = desk.position(&alice(), &btc());
    assert_eq!((position.qty, position.avg_price), (dec("2"), dec("100")));
    assert_eq!(desk.book(&alice()).unwrap().cash, dec("9799.8"));

    assert!(matches!(
        desk.register_strategy(&StrategyId::new("neg"), dec("-1")),
        Err(DeskError::InvalidInitialCash { .. })
    ));
}

#[test]
fn bad_configs_are_refused() {
    let bad_prefix = DeskConfig {
        order_id_prefix: "has space".into(),
        ..DeskConfig::default()
    };
    assert!(matches!(
        Desk::new(bad_prefix, Box::new(ScriptedBroker::default()), None),
        Err(DeskError::InvalidPrefix(_))
    ));
    let bad_limits = DeskConfig {
        limits: RiskLimits {
            max_open_orders: 0,
            ..RiskLimits::default()
        },
        ..DeskConfig::default()
    };
    let err = Desk::new(bad_limits, Box::new(ScriptedBroker::default()), None).unwrap_err();
    assert!(err.to_string().contains("max_open_orders"), "{err}");
}

#[test]
fn with_the_sim_broker_a_market_order_fills_at_the_next_open() {
    let sim = SimBroker::new(SimConfig {
        fill_price: FillPrice::NextOpen,
        ..SimConfig::default()
    })
    .unwrap();
    let mut desk = Desk::new(DeskConfig::default(), Box::new(sim), None).unwrap();
    desk.register_strategy(&alice(), dec("10000")).unwrap();

    // 1. A bar closes at 100; alice buys 10 at market.
    desk.on_market_event(&candle(0, "100", "100"));
    let id = desk
        .place_order(&alice(), order(Side::Buy, "10", OrderType::Market), 60_000)
        .unwrap();
    assert_eq!(desk.venue_of(&alice()).as_str(), "paper");

    // 2. The next bar opens at 101: filled there, fee 0.1 % of 1,010.
    desk.on_market_event(&candle(60_000, "101", "105"));
    let updates = drain(&mut desk);
    assert_eq!(
        updates.last().map(|u| (u.order_id.clone(), u.status)),
        Some((id, OrderStatus::Filled))
    );
    let fill = updates.last().unwrap().fill.clone().unwrap();
    assert_eq!((fill.price, fill.fee), (dec("101"), dec("1.010")));
    let book = desk.book(&alice()).unwrap();
    assert_eq!((book.cash, book.equity), (dec("8988.990"), dec("10038.990")));

    // 3. A limit sell above the market works until a bar trades through it.
    let sell = desk
        .place_order(&alice(), order(Side::Sell, "10", limit("110")), 120_000)
        .unwrap();
    desk.on_market_event(&candle(120_000, "105", "108"));
    assert_eq!(desk.order(&sell).unwrap().status(), OrderStatus::Open);
    desk.on_market_event(&candle(180_000, "108", "112"));
    assert_eq!(desk.order(&sell).unwrap().status(), OrderStatus::Filled);
    let trips = desk.round_trips(&alice());
    assert_eq!(trips.len(), 1);
    // (110 − 101) × 10 − fees 1.01 − 1.1
    assert_eq!(trips[0].pnl, dec("87.89"));
}

#[test]
fn a_simulated_buy_the_cash_cannot_pay_at_its_fill_is_cancelled_not_filled() {
    // Issue 12, defect 3: risk checks a market buy at the last close, and it fills at the
    // next open. An all-in buy before a gap up must not take the cash below zero.
    let sim = SimBroker::new(SimConfig {
        fee_rate: dec("0.001"),
        ..SimConfig::default()
    })
    .unwrap();
    let limits = RiskLimits {
        fee_rate: dec("0.001"),
        ..RiskLimits::default()
    };
    let config = DeskConfig {
        limits,
        ..DeskConfig::default()
    };
    let mut desk = Desk::new(config, Box::new(sim), None).unwrap();
    desk.register_strategy(&alice(), dec("1001")).unwrap();

    // 1. A bar closes at 100: all in, 10 × 100 plus the 1 of fee is exactly the cash.
    desk.on_market_event(&candle(0, "100", "100"));
    let id = desk
        .place_order(&alice(), order(Side::Buy, "10", OrderType::Market), 60_000)
        .unwrap();

    // 2. The next bar gaps up to 110: 1,100 plus 1.1 of fee is more than 1,001. The order is
    //    cancelled, with the reason the strategy sees; no fill, the cash untouched.
    desk.on_market_event(&candle(60_000, "110", "111"));
    let updates = drain(&mut desk);
    let last = updates.last().unwrap();
    assert_eq!(
        (last.order_id.clone(), last.status),
        (id.clone(), OrderStatus::Cancelled)
    );
    assert!(last.fill.is_none());
    assert_eq!(
        last.reason.as_deref(),
        Some("insufficient_cash: a buy of 10 at 110 costs 1101.100 with its fee of 1.100, more than the cash of 1001")
    );
    assert_eq!(desk.order(&id).unwrap().status(), OrderStatus::Cancelled);
    let book = desk.book(&alice()).unwrap();
    assert_eq!((book.cash, book.equity), (dec("1001"), dec("1001")));
    assert_eq!(desk.counts(&alice()).fills, 0);

    // 3. A buy the cash covers at its fill still fills: 9 at the next open of 110, 990.99.
    desk.place_order(&alice(), order(Side::Buy, "9", OrderType::Market), 120_000)
        .unwrap();
    desk.on_market_event(&candle(120_000, "110", "110"));
    let book = desk.book(&alice()).unwrap();
    assert_eq!(book.cash, dec("10.010"));
    assert_eq!(desk.counts(&alice()).fills, 1);
}

#[test]
fn a_fill_inside_a_bar_is_told_as_of_the_bar_close_and_one_at_the_open_as_of_the_open() {
    // Issue 12, defect 1: the strategy answers a fill as of when it is known, so what it does
    // about a fill inside bar T cannot meet bar T again, while what it does about a fill at
    // T's open may.
    let sim = SimBroker::new(SimConfig::default()).unwrap();
    let mut desk = Desk::new(DeskConfig::default(), Box::new(sim), None).unwrap();
    desk.register_strategy(&alice(), dec("10000")).unwrap();
    desk.on_market_event(&candle(0, "100", "100"));
    let inside = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("99")), 60_000)
        .unwrap();
    let at_open = desk
        .place_order(&alice(), order(Side::Buy, "1", OrderType::Market), 60_000)
        .unwrap();
    // The bar opening at 1:00 (100 down to 98): the market buy at its open, the limit at 99
    // somewhere later within it.
    desk.on_market_event(&candle(60_000, "100", "98"));
    let fills: Vec<_> = drain(&mut desk)
        .into_iter()
        .filter_map(|u| u.fill.clone().map(|f| (u.order_id, f.time_ms, u.time_ms)))
        .collect();
    assert_eq!(fills, vec![(inside, 60_000, 120_000), (at_open, 60_000, 60_000)]);
}

fn fill_with_trade(id: &OrderId, trade_id: &str, qty: &str, price: &str, time_ms: TimeMs) -> Execution {
    Execution::Filled(fill_report(id, Some(trade_id), qty, price, "0", time_ms))
}

#[test]
fn a_fill_the_venue_repeats_is_booked_once_even_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.sqlite");
    let broker = ScriptedBroker::default();
    let id = {
        let store = SqliteStore::open(&path).unwrap();
        let mut desk = desk_with(RiskLimits::default(), Some(Box::new(store)), &broker);
        // 1. A buy of 2 fills 1 by trade T1; the venue repeats T1 (a reconnect's snapshot).
        let id = desk
            .place_order(&alice(), order(Side::Buy, "2", limit("100")), 1)
            .unwrap();
        broker.push(accepted(&id, 2));
        broker.push(fill_with_trade(&id, "T1", "1", "100", 3));
        broker.push(fill_with_trade(&id, "T1", "1", "100", 3));
        desk.poll();
        let fills: Vec<_> = drain(&mut desk).into_iter().filter_map(|u| u.fill).collect();
        assert_eq!(fills.len(), 1, "the repeat is not booked");
        assert_eq!(fills[0].trade_id, Some(TradeId::new("T1")));
        assert_eq!(desk.position(&alice(), &btc()).qty, dec("1"));
        id
    };
    // 2. After a restart (a new desk on the same file) the venue repeats T1 again and reports T2.
    let store = SqliteStore::open(&path).unwrap();
    let working = store.load_working_orders().unwrap();
    let mut desk = desk_with(RiskLimits::default(), Some(Box::new(store)), &broker);
    for order in working {
        desk.blotter.insert(order);
    }
    broker.push(fill_with_trade(&id, "T1", "1", "100", 3));
    broker.push(fill_with_trade(&id, "T2", "1", "101", 4));
    desk.poll();
    let updates = drain(&mut desk);
    assert_eq!(
        updates
            .iter()
            .map(|u| (u.status, u.fill.as_ref().and_then(|f| f.trade_id.clone())))
            .collect::<Vec<_>>(),
        [(OrderStatus::Filled, Some(TradeId::new("T2")))]
    );
    assert_eq!(desk.position(&alice(), &btc()).qty, dec("2"));
}

#[test]
fn a_cancel_whose_answer_never_came_is_asked_again_once_a_query_finds_the_order_open() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 1)
        .unwrap();
    broker.push(Execution::Accepted {
        id: id.clone(),
        venue_order_id: None,
        time_ms: 1,
    });
    desk.poll();
    desk.cancel_order(&alice(), &id, 2).unwrap();
    // No answer to the cancel: the port settles it by a query, and the venue still has it.
    let open = |time_ms| {
        Execution::Status(OrderReport {
            id: id.clone(),
            venue_order_id: None,
            state: VenueOrderState::Open,
            filled_qty: Decimal::ZERO,
            qty: ReportedQty::Unknown,
            fills: Vec::new(),
            time_ms,
        })
    };
    broker.push(open(3));
    desk.poll();
    assert_eq!(broker.script().cancelled, [id.clone(), id.clone()], "asked again");
    assert!(matches!(
        desk.order(&id).unwrap().state(),
        OrderState::PendingCancel { .. }
    ));
    // Once cancelled, a late report of it open asks nothing more.
    broker.push(Execution::Cancelled {
        id: id.clone(),
        reason: None,
        time_ms: 4,
    });
    broker.push(open(5));
    desk.poll();
    assert_eq!(broker.script().cancelled.len(), 2);
    assert_eq!(desk.order(&id).unwrap().status(), OrderStatus::Cancelled);
}

#[test]
fn an_unknown_outcome_stays_in_flight_until_the_venue_says() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    // 1. Two orders are sent; no answer comes for either (the connection dropped mid-request).
    let lost = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 1)
        .unwrap();
    let arrived = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("80")), 1)
        .unwrap();
    assert_eq!(desk.order(&lost).unwrap().state(), &OrderState::PendingNew);
    assert!(drain(&mut desk).is_empty(), "no answer is not a rejection");

    // 2. Queries settle them: the venue never had the first, has the second (with its fill).
    desk.query_order(&lost, 2).unwrap();
    assert_eq!(broker.script().queried, std::slice::from_ref(&lost));
    for (id, state, fills) in [
        (&lost, VenueOrderState::NotFound, vec![]),
        (
            &arrived,
            VenueOrderState::Open,
            vec![fill_report(&arrived, Some("T9"), "0.5", "80", "0", 2)],
        ),
    ] {
        broker.push(Execution::Status(OrderReport {
            id: id.clone(),
            venue_order_id: Some(VenueOrderId::new(&format!("O-{id}"))),
            state,
            filled_qty: dec("0.5"),
            qty: ReportedQty::Unknown,
            fills,
            time_ms: 3,
        }));
    }
    desk.poll();
    let updates = drain(&mut desk);
    assert_eq!(
        updates
            .iter()
            .map(|u| (u.order_id.clone(), u.status))
            .collect::<Vec<_>>(),
        [
            (lost.clone(), OrderStatus::Rejected),
            (arrived.clone(), OrderStatus::PartiallyFilled)
        ]
    );
    assert!(updates[0].reason.as_deref().unwrap().starts_with("not_found"));
    assert_eq!(desk.order(&arrived).unwrap().state(), &OrderState::PartiallyFilled);
    assert_eq!(
        desk.order(&arrived).unwrap().venue_order_id(),
        Some(&VenueOrderId::new(&format!("O-{arrived}")))
    );
    // Nothing was sent twice.
    assert_eq!(broker.script().submitted.len(), 2);
}

#[test]
fn a_mass_status_books_missed_fills_once_and_queries_orders_the_venue_did_not_list() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let ids: Vec<OrderId> = ["90", "80", "70"]
        .iter()
        .map(|price| {
            let id = desk
                .place_order(&alice(), order(Side::Buy, "1", limit(price)), 1)
                .unwrap();
            broker.push(accepted(&id, 1));
            id
        })
        .collect();
    desk.poll();
    // The first filled while the host was away (reported twice: in the fills and in its
    // report); the second is open; the third is not listed.
    broker.push_event(VenueEvent::MassStatus(MassStatus {
        venue: VenueId::new("scripted"),
        since_ms: 0,
        open: vec![OrderReport {
            id: ids[1].clone(),
            venue_order_id: None,
            state: VenueOrderState::Open,
            filled_qty: Decimal::ZERO,
            qty: ReportedQty::Unknown,
            fills: vec![],
            time_ms: 5,
        }],
        fills: vec![
            fill_report(&ids[0], Some("T1"), "1", "90", "0", 4),
            fill_report(&ids[0], Some("T1"), "1", "90", "0", 4),
            fill_report(&OrderId::new("someone-else-1"), Some("T2"), "1", "90", "0", 4),
        ],
        time_ms: 5,
    }));
    desk.poll();
    let updates = drain(&mut desk);
    assert_eq!(
        updates
            .iter()
            .map(|u| (u.order_id.clone(), u.status))
            .collect::<Vec<_>>(),
        [(ids[0].clone(), OrderStatus::Filled)]
    );
    assert_eq!(
        broker.script().queried,
        [ids[2].clone()],
        "only the unlisted one is asked about"
    );
    assert_eq!(desk.position(&alice(), &btc()).qty, dec("1"));
}

#[test]
fn an_amend_is_checked_by_risk_and_applied_when_the_venue_confirms() {
    let broker = ScriptedBroker::default();
    let limits = RiskLimits {
        max_position: dec("3"),
        ..RiskLimits::default()
    };
    let mut desk = desk_with(limits, None, &broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "2", limit("90")), 1)
        .unwrap();
    broker.push(accepted(&id, 1));
    desk.poll();
    // 1. Risk refuses an amend past the position limit; nothing is sent.
    let refused = desk.amend_order(&alice(), &id, dec("4"), None, 2).unwrap_err();
    assert!(
        matches!(refused, AmendError::Refused(ref r) if r.check == RiskCheck::MaxPosition),
        "{refused:?}"
    );
    assert!(broker.script().amended.is_empty());
    // 2. An amend within limits is sent; the order changes only when the venue confirms.
    desk.amend_order(&alice(), &id, dec("3"), Some(dec("95")), 3).unwrap();
    assert_eq!(broker.script().amended[0].qty, dec("3"));
    assert_eq!(desk.order(&id).unwrap().request().qty, dec("2"));
    // The venue made a new order of it (Binance's cancel-replace): the books know it by that.
    broker.push(Execution::Amended {
        id: id.clone(),
        qty: dec("3"),
        limit_price: Some(dec("95")),
        venue_order_id: Some(VenueOrderId::new("replaced-by-2")),
        time_ms: 4,
    });
    desk.poll();
    let updates = drain(&mut desk);
    assert_eq!(
        updates.iter().map(|u| (u.status, u.remaining_qty)).collect::<Vec<_>>(),
        [(OrderStatus::Open, dec("3"))]
    );
    let amended = desk.order(&id).unwrap();
    assert_eq!(amended.request().order_type, limit("95"));
    assert_eq!(
        amended.venue_order_id().map(VenueOrderId::as_str),
        Some("replaced-by-2")
    );
    // 3. A refused amend leaves the order as it was and says so.
    broker.push(Execution::AmendRejected {
        id: id.clone(),
        reason: RejectReason::new(RejectKind::UnknownOrder, "EOrder:Unknown order"),
        time_ms: 5,
    });
    desk.poll();
    let updates = drain(&mut desk);
    assert_eq!(
        updates[0].reason.as_deref(),
        Some("amend refused: unknown_order: EOrder:Unknown order")
    );
    assert_eq!(desk.order(&id).unwrap().request().qty, dec("3"));
}

#[test]
fn each_strategy_trades_on_its_own_venue() {
    let paper = ScriptedBroker::named("paper");
    let kraken = ScriptedBroker::named("kraken");
    let mut desk = Desk::new(DeskConfig::default(), Box::new(paper.clone()), None).unwrap();
    desk.add_venue(Box::new(kraken.clone())).unwrap();
    assert!(matches!(
        desk.add_venue(Box::new(ScriptedBroker::named("kraken"))),
        Err(DeskError::DuplicateVenue { .. })
    ));
    let bob = StrategyId::new("bob");
    desk.register_strategy(&alice(), dec("10000")).unwrap();
    desk.register_strategy_on(&bob, Some(&VenueId::new("kraken")), dec("10000"))
        .unwrap();
    let unknown = desk.register_strategy_on(&StrategyId::new("carol"), Some(&VenueId::new("binance")), dec("1"));
    assert!(
        matches!(&unknown, Err(DeskError::UnknownVenue { known, .. }) if known.len() == 2),
        "{unknown:?}"
    );
    desk.on_market_event(&candle(0, "100", "100"));
    let a = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 1)
        .unwrap();
    let b = desk.place_order(&bob, order(Side::Buy, "1", limit("90")), 1).unwrap();
    desk.cancel_order(&bob, &b, 2).unwrap();
    assert_eq!(
        paper
            .script()
            .submitted
            .iter()
            .map(|o| o.id.clone())
            .collect::<Vec<_>>(),
        std::slice::from_ref(&a)
    );
    assert_eq!(
        kraken
            .script()
            .submitted
            .iter()
            .map(|o| o.id.clone())
            .collect::<Vec<_>>(),
        std::slice::from_ref(&b)
    );
    assert_eq!(kraken.script().cancelled, std::slice::from_ref(&b));
    assert!(paper.script().cancelled.is_empty());
    assert_eq!(desk.order(&b).unwrap().venue().as_str(), "kraken");
}

#[test]
fn a_venue_s_market_event_reaches_only_that_venue_s_simulator() {
    let (kraken, binance) = (VenueId::new("kraken"), VenueId::new("binance"));
    let sim = |venue: &VenueId| Box::new(SimBroker::new(SimConfig::default()).unwrap().named(venue.clone()));
    let mut desk = Desk::new(DeskConfig::default(), sim(&kraken), None).unwrap();
    desk.add_venue(sim(&binance)).unwrap();
    let bob = StrategyId::new("bob");
    desk.register_strategy_on(&bob, Some(&binance), dec("10000")).unwrap();
    desk.on_market_event_from(Some(&binance), &candle(0, "100", "100"));
    let id = desk.place_order(&bob, order(Side::Buy, "1", limit("90")), 1).unwrap();
    // Kraken trades the same symbol through the buy's price: Binance's simulator never sees it.
    desk.on_market_event_from(Some(&kraken), &candle(60_000, "100", "80"));
    assert_eq!(desk.order(&id).unwrap().filled_qty(), Decimal::ZERO);
    desk.on_market_event_from(Some(&binance), &candle(120_000, "100", "80"));
    assert_eq!(desk.order(&id).unwrap().filled_qty(), dec("1"));
    // Each venue's prices are its own: Kraken's 200 does not value bob's Binance position.
    desk.on_market_event_from(Some(&kraken), &candle(180_000, "200", "200"));
    assert_eq!(
        (desk.last_price(&binance, &btc()), desk.last_price(&kraken, &btc())),
        (Some(dec("80")), Some(dec("200")))
    );
    let book = desk.book(&bob).unwrap();
    assert_eq!(book.equity, book.cash + dec("80"));
    assert_eq!(book.unrealized_pnl, dec("-10"), "bought at 90, marked at Binance's 80");
}

#[test]
fn a_fee_in_the_base_asset_is_valued_at_the_fill_price() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "2", OrderType::Market), 1)
        .unwrap();
    let mut fill = fill_report(&id, Some("T1"), "2", "100", "0.002", 2);
    fill.fee_asset = Some("BTC".into());
    broker.push(Execution::Filled(fill));
    desk.poll();
    let fee = drain(&mut desk)[0].fill.as_ref().unwrap().fee;
    assert_eq!(fee, dec("0.2"));
}

#[test]
fn stale_market_data_refuses_new_orders_but_not_cancels() {
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let id = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 1)
        .unwrap();
    let venue = VenueId::new("scripted");
    desk.set_market_data_stale(&venue, &btc(), true);
    let refused = desk
        .place_order(&alice(), order(Side::Buy, "1", limit("90")), 2)
        .unwrap_err();
    assert_eq!(refused.code(), "stale_market_data");
    assert_eq!(desk.counts(&alice()).refused(RiskCheck::StaleMarketData), 1);
    assert!(matches!(
        desk.amend_order(&alice(), &id, dec("2"), None, 2),
        Err(AmendError::Refused(ref r)) if r.check == RiskCheck::StaleMarketData
    ));
    desk.cancel_order(&alice(), &id, 3).unwrap();
    // Another venue's staleness is not this strategy's.
    desk.set_market_data_stale(&venue, &btc(), false);
    desk.set_market_data_stale(&VenueId::new("elsewhere"), &btc(), true);
    desk.place_order(&alice(), order(Side::Buy, "1", limit("90")), 4)
        .unwrap();
}

#[test]
fn a_book_marks_at_its_mid_and_an_empty_book_marks_nothing() {
    use crate::market::{BookLevel, BookSnapshot};
    let broker = ScriptedBroker::default();
    let mut desk = desk(&broker);
    let book = |bids: &[&str], asks: &[&str]| {
        let levels = |prices: &[&str]| {
            prices
                .iter()
                .map(|p| BookLevel {
                    price: dec(p),
                    qty: dec("1"),
                })
                .collect()
        };
        MarketEvent::Book(BookSnapshot {
            symbol: btc(),
            time_ms: 120_000,
            depth: 10,
            bids: levels(bids),
            asks: levels(asks),
        })
    };
    // A bar marks at its close; a book at its mid.
    desk.on_market_event(&candle(0, "100", "101"));
    assert_eq!(desk.last_price(&VenueId::new("scripted"), &btc()), Some(dec("101")));
    desk.on_market_event(&book(&["99", "98"], &["102"]));
    assert_eq!(desk.last_price(&VenueId::new("scripted"), &btc()), Some(dec("100.5")));
    // Both sides empty: no price, so the mark stays where it was.
    desk.on_market_event(&book(&[], &[]));
    assert_eq!(desk.last_price(&VenueId::new("scripted"), &btc()), Some(dec("100.5")));
}

mod events;
mod instruments;
mod properties;
mod reconcile;
mod reduce_only;
mod risk;
