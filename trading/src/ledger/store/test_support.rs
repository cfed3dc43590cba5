//! What the stores' tests share: orders, fills booked the way the desk books them, and a
//! trading day written through any [`BookStore`] and checked after reading it back.

use rust_decimal::Decimal;

use crate::ledger::store::rows::{BookRow, DecisionRow, FillRows, OrderRow, RiskStateRow, Write};
use crate::ledger::store::{BookStore, DecisionRecord, FillRecord, RiskStateRecord, StoreError, StrategySnapshot};
use crate::ledger::{Book, RoundTrip};
use crate::market::{Side, Symbol, TimeMs};
use crate::orders::{Fill, Order, OrderEvent, OrderId, OrderRequest, OrderType, StrategyId, TradeId, VenueId};
use crate::risk::RiskApproved;

pub(crate) fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

pub(crate) fn alice() -> StrategyId {
    StrategyId::new("alice")
}

pub(crate) fn new_order(id: &str, side: Side, qty: &str, order_type: OrderType, now_ms: TimeMs) -> Order {
    let request = OrderRequest {
        symbol: Symbol::new("BTC/USD").unwrap(),
        side,
        qty: dec(qty),
        order_type,
        time_in_force: crate::orders::TimeInForce::Gtc,
        post_only: false,
        reduce_only: false,
        tag: format!("tag of {id}"),
    };
    Order::new(
        OrderId::new(id),
        alice(),
        VenueId::new("paper"),
        RiskApproved::for_test(request),
        now_ms,
    )
}

/// Books a fill the way the desk does: plan, preview, write, commit.
pub(crate) fn fill(
    store: &mut dyn BookStore,
    book: &mut Book,
    order: &mut Order,
    qty: &str,
    price: &str,
    fee: &str,
    t: TimeMs,
) {
    let plan = order.plan_fill(dec(qty), dec(price)).unwrap();
    let fill = Fill {
        order_id: order.id().clone(),
        strategy: order.strategy().clone(),
        symbol: order.request().symbol.clone(),
        side: order.request().side,
        price: dec(price),
        qty: dec(qty),
        fee: dec(fee),
        time_ms: t,
        trade_id: None,
    };
    let effect = book.preview_fill(&fill).unwrap();
    order.commit_fill(plan, t);
    store
        .record_fill(FillRecord {
            fill: &fill,
            seq: order.fill_count(),
            order,
            effect: &effect,
            venue_fee: None,
        })
        .unwrap();
    book.commit(effect);
}

/// What [`write_a_trading_day`] wrote, as the desk holds it.
pub(crate) struct Written {
    pub book: Book,
    /// The one order still working.
    pub open_limit: Order,
    pub closed_trip: RoundTrip,
}

/// A closed round trip (buy 2 @ 100 and 1 @ 130, sell 3 @ 120), an open long of 1 @ 50 (a
/// trade in progress) and a limit order pending cancel.
pub(crate) fn write_a_trading_day(store: &mut dyn BookStore) -> Written {
    let mut book = Book::new(alice(), dec("10000"));
    store.create_book(&book, 1).unwrap();
    let mut buy = new_order("h1-1", Side::Buy, "3", OrderType::Market, 1);
    store.insert_order(&buy).unwrap();
    buy.apply(OrderEvent::Accepted, 2).unwrap();
    store.update_order(&buy).unwrap();
    fill(store, &mut book, &mut buy, "2", "100", "0.2", 3);
    fill(store, &mut book, &mut buy, "1", "130", "0.13", 4);
    let mut sell = new_order("h1-2", Side::Sell, "3", OrderType::Market, 5);
    store.insert_order(&sell).unwrap();
    fill(store, &mut book, &mut sell, "3", "120", "0.36", 6);

    let mut buy = new_order("h1-3", Side::Buy, "1", OrderType::Market, 7);
    store.insert_order(&buy).unwrap();
    fill(store, &mut book, &mut buy, "1", "50", "0", 8);
    let mut resting = new_order("h1-4", Side::Sell, "2", OrderType::Limit(dec("60.5")), 9);
    store.insert_order(&resting).unwrap();
    resting.apply(OrderEvent::Accepted, 10).unwrap();
    resting.apply(OrderEvent::CancelRequested { time_ms: 11 }, 11).unwrap();
    store.update_order(&resting).unwrap();
    let closed_trip = book.round_trips()[0].clone();
    Written {
        book,
        open_limit: resting,
        closed_trip,
    }
}

/// The store holds exactly what [`write_a_trading_day`] wrote.
pub(crate) fn assert_reads_back(store: &dyn BookStore, written: &Written) {
    // The book: cash, the flat-but-traded holding and the open one with its trade in progress.
    let loaded = store.load_book(&alice()).unwrap().unwrap();
    assert_eq!(loaded.cash(), dec("9979.31"));
    assert_eq!(loaded.cash(), written.book.cash());
    assert_eq!(
        loaded.holdings().collect::<Vec<_>>(),
        written.book.holdings().collect::<Vec<_>>()
    );
    assert_eq!(store.load_books().unwrap().len(), 1);
    assert_eq!(store.load_book(&StrategyId::new("nobody")).unwrap(), None);
    // Only the working order comes back, exactly as it was.
    assert_eq!(store.load_working_orders().unwrap(), vec![written.open_limit.clone()]);
    assert_eq!(
        store.load_round_trips(&alice()).unwrap(),
        vec![written.closed_trip.clone()]
    );
}

/// A store that records the writes made to it, as the journal would, and reads nothing: for a
/// scenario's own bookkeeping (the book and orders it returns) without a database.
#[derive(Default)]
pub(crate) struct RecordedWrites(pub Vec<Write>);

impl RecordedWrites {
    fn push(&mut self, write: Write) -> Result<(), StoreError> {
        self.0.push(write);
        Ok(())
    }
}

impl BookStore for RecordedWrites {
    fn create_book(&mut self, book: &Book, time_ms: TimeMs) -> Result<(), StoreError> {
        self.push(Write::CreateBook(BookRow::new(book, time_ms)))
    }
    fn insert_order(&mut self, order: &Order) -> Result<(), StoreError> {
        self.push(Write::InsertOrder(OrderRow::new(order)))
    }
    fn update_order(&mut self, order: &Order) -> Result<(), StoreError> {
        self.push(Write::UpdateOrder(OrderRow::new(order)))
    }
    fn record_fill(&mut self, record: FillRecord<'_>) -> Result<(), StoreError> {
        self.push(Write::RecordFill(Box::new(FillRows::new(&record))))
    }
    fn save_snapshot(&mut self, _: &StrategySnapshot) -> Result<(), StoreError> {
        unreachable!("the scenarios take no snapshot")
    }
    fn forget_snapshots(&mut self, _: &StrategyId) -> Result<(), StoreError> {
        unreachable!("the scenarios take no snapshot")
    }
    fn record_decision(&mut self, decision: DecisionRecord<'_>) -> Result<(), StoreError> {
        self.push(Write::RecordDecision(Box::new(DecisionRow::new(&decision))))
    }
    fn load_book(&self, _: &StrategyId) -> Result<Option<Book>, StoreError> {
        unreachable!("a recorder reads nothing")
    }
    fn load_books(&self) -> Result<Vec<Book>, StoreError> {
        unreachable!("a recorder reads nothing")
    }
    fn load_working_orders(&self) -> Result<Vec<Order>, StoreError> {
        unreachable!("a recorder reads nothing")
    }
    fn load_round_trips(&self, _: &StrategyId) -> Result<Vec<RoundTrip>, StoreError> {
        unreachable!("a recorder reads nothing")
    }
    fn has_trade(&self, _: &VenueId, _: &Symbol, _: &TradeId) -> Result<bool, StoreError> {
        unreachable!("a recorder reads nothing")
    }
    fn fill_on_record(&self, _: &OrderId, _: &TradeId) -> Result<super::FillOnRecord, StoreError> {
        unreachable!("a recorder reads nothing")
    }
    fn latest_snapshot(&self, _: &StrategyId) -> Result<Option<StrategySnapshot>, StoreError> {
        unreachable!("a recorder reads nothing")
    }
    fn save_risk_state(&mut self, record: &RiskStateRecord) -> Result<(), StoreError> {
        self.push(Write::SaveRiskState(Box::new(RiskStateRow::new(record))))
    }
    fn load_risk_states(&self) -> Result<Vec<RiskStateRecord>, StoreError> {
        unreachable!("a recorder reads nothing")
    }
}
