//! The exchange: one lock around all state, and the fan-out of every change to the sockets.
//!
//! Invariants:
//! 1. All state lives in [`Exchange`] behind one `std::sync::Mutex`, never held across an
//!    `.await`; a message is formatted and queued while the lock is held, so every socket sees
//!    changes in the order they happened (a reply never overtakes its own `executions`).
//! 2. Each socket has a bounded outbox; a socket whose outbox is full is dropped (a slow
//!    consumer), never waited for.
//! 3. Removing a socket's entry disconnects it at once: the entry owns the socket's kill switch.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use rust_decimal::Decimal;
use tokio::sync::{mpsc, oneshot};

use crate::auth::Auth;
use crate::book::{BookSide, BookView, Level};
use crate::clock::Clock;
use crate::config::{LocalKrakenConfig, PairSpec};
use crate::error::{Error, Reject};
use crate::faults::{ConnKind, Faults, Target};
use crate::market::{Market, Side};
use crate::matching::{Account, AccountEvent, Amend, NewOrder, Print};
use crate::num::scale_needed;
use crate::orders::Order;
use crate::rate::{self, RateCounters};
use crate::wire::{self, ExecItem};

/// What a public socket is subscribed to.
#[derive(Debug)]
pub(crate) enum PublicSub {
    Book { symbol: String, view: BookView },
    Trade { symbol: String },
    Ticker { symbol: String, bbo: bool },
    Ohlc { symbol: String, interval: u32 },
    Instrument,
    Heartbeat,
}

impl PublicSub {
    pub(crate) fn key(&self) -> SubscriptionKey {
        let (channel, symbol) = match self {
            PublicSub::Book { symbol, .. } => ("book", Some(symbol)),
            PublicSub::Trade { symbol } => ("trade", Some(symbol)),
            PublicSub::Ticker { symbol, .. } => ("ticker", Some(symbol)),
            PublicSub::Ohlc { symbol, .. } => ("ohlc", Some(symbol)),
            PublicSub::Instrument => ("instrument", None),
            PublicSub::Heartbeat => ("heartbeat", None),
        };
        SubscriptionKey {
            channel: channel.to_string(),
            symbol: symbol.cloned(),
        }
    }
}

/// A subscription as the handle reports it: channel, and symbol for per-pair channels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubscriptionKey {
    /// `book`, `trade`, `ticker`, `ohlc`, `instrument`, `heartbeat`, `executions`, `balances`.
    pub channel: String,
    /// The pair, for per-pair channels.
    pub symbol: Option<String>,
}

impl SubscriptionKey {
    /// `channel` for `symbol`.
    pub fn new(channel: &str, symbol: Option<&str>) -> Self {
        SubscriptionKey {
            channel: channel.to_string(),
            symbol: symbol.map(str::to_string),
        }
    }
}

/// One socket.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) kind: ConnKind,
    tx: mpsc::Sender<String>,
    _kill: oneshot::Sender<()>,
    pub(crate) subs: Vec<PublicSub>,
    pub(crate) executions: bool,
    /// `order_status` of the executions subscription: false leaves out the transitions that
    /// are not an open or a close (`pending_new`, `amended`, a stop's `status`).
    pub(crate) all_statuses: bool,
    pub(crate) balances: bool,
    seq: u64,
}

impl Conn {
    pub(crate) fn subscription_count(&self) -> usize {
        self.subs.len() + usize::from(self.executions) + usize::from(self.balances)
    }
}

/// Per-kind counters for the handle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConnectionCounts {
    /// Sockets open now.
    pub open: usize,
    /// Sockets ever accepted.
    pub accepted: u64,
}

/// Subscription request counts per socket kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageCounts {
    /// `subscribe` requests received (one per message, whatever its symbols).
    pub subscribe: u64,
    /// `unsubscribe` requests received.
    pub unsubscribe: u64,
}

fn kind_index(kind: ConnKind) -> usize {
    match kind {
        ConnKind::Public => 0,
        ConnKind::Private => 1,
    }
}

/// The whole exchange.
#[derive(Debug)]
pub(crate) struct Exchange {
    pub(crate) clock: Clock,
    pub(crate) markets: BTreeMap<String, Market>,
    pub(crate) account: Account,
    pub(crate) auth: Auth,
    pub(crate) rate: RateCounters,
    pub(crate) faults: Faults,
    pub(crate) conns: BTreeMap<u64, Conn>,
    next_conn: u64,
    accepted: [u64; 2],
    pub(crate) messages: [MessageCounts; 2],
    pub(crate) dms_deadline_ms: Option<i64>,
    /// `add_order` requests read so far, and when the last one was (latency benchmarks).
    pub(crate) add_order_arrivals: (u64, Option<std::time::Instant>),
    /// While a private request is handled, its account events wait here so that the request's
    /// reply goes out before them.
    deferred: Option<Vec<AccountEvent>>,
    last_stamp_us: i64,
    outbox_capacity: usize,
}

/// The exchange behind its lock, shared by the server tasks and the handle.
#[derive(Debug)]
pub(crate) struct Shared {
    ex: Mutex<Exchange>,
    pub(crate) idle_close: std::time::Duration,
    pub(crate) heartbeat_interval: std::time::Duration,
}

impl Shared {
    pub(crate) fn new(cfg: &LocalKrakenConfig, api_secret: String) -> Arc<Self> {
        let start = cfg.start_time_ms.unwrap_or_else(crate::clock::wall_ms);
        let ex = Exchange {
            clock: Clock::new(cfg.clock, start),
            markets: cfg
                .pairs
                .iter()
                .map(|p| (p.symbol.clone(), Market::new(p.clone())))
                .collect(),
            account: Account::new(cfg.balances.clone(), cfg.fees),
            auth: Auth::new(cfg.api_key.clone(), api_secret, cfg.token_ttl_s),
            rate: RateCounters::new(cfg.rate_tier),
            faults: Faults::new(),
            conns: BTreeMap::new(),
            next_conn: 0,
            accepted: [0; 2],
            messages: [MessageCounts::default(); 2],
            dms_deadline_ms: None,
            add_order_arrivals: (0, None),
            deferred: None,
            last_stamp_us: 0,
            outbox_capacity: cfg.outbox_capacity,
        };
        Arc::new(Shared {
            ex: Mutex::new(ex),
            idle_close: cfg.idle_close,
            heartbeat_interval: cfg.heartbeat_interval,
        })
    }

    /// The exchange, locked. A panic elsewhere while holding it must not take the exchange
    /// down with it, so a poisoned lock is used as it stands.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Exchange> {
        self.ex.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One batch of account events split into what `executions` and `balances` carry.
fn split_events(events: &[AccountEvent]) -> (Vec<ExecItem<'_>>, Vec<&crate::orders::LedgerEntry>) {
    let mut items = Vec::new();
    let mut ledger = Vec::new();
    for e in events {
        match e {
            AccountEvent::Order { exec_type, order } => items.push(ExecItem::Order { exec_type, order }),
            AccountEvent::Trade { fill, order } => items.push(ExecItem::Trade { fill, order }),
            AccountEvent::Ledger(l) => ledger.push(l),
        }
    }
    (items, ledger)
}

impl Exchange {
    // ---- sockets -------------------------------------------------------------------------

    pub(crate) fn register(&mut self, kind: ConnKind) -> (u64, mpsc::Receiver<String>, oneshot::Receiver<()>) {
        let (tx, rx) = mpsc::channel(self.outbox_capacity);
        let (kill_tx, kill_rx) = oneshot::channel();
        self.next_conn += 1;
        let id = self.next_conn;
        self.accepted[kind_index(kind)] += 1;
        let conn = Conn {
            kind,
            tx,
            _kill: kill_tx,
            subs: Vec::new(),
            executions: false,
            all_statuses: true,
            balances: false,
            seq: 0,
        };
        self.conns.insert(id, conn);
        (id, rx, kill_rx)
    }

    pub(crate) fn unregister(&mut self, id: u64) {
        self.conns.remove(&id);
    }

    /// Queues `text` for socket `id`; a full or closed outbox drops the socket.
    pub(crate) fn send(&mut self, id: u64, text: String) {
        let failed = match self.conns.get(&id) {
            Some(c) => c.tx.try_send(text).is_err(),
            None => false,
        };
        if failed {
            tracing::warn!(conn = id, "outbox full or closed: dropping the socket");
            self.conns.remove(&id);
        }
    }

    pub(crate) fn drop_connections(&mut self, target: Target) -> usize {
        let before = self.conns.len();
        self.conns.retain(|_, c| !target.includes(c.kind));
        before - self.conns.len()
    }

    pub(crate) fn connection_counts(&self, kind: ConnKind) -> ConnectionCounts {
        ConnectionCounts {
            open: self.conns.values().filter(|c| c.kind == kind).count(),
            accepted: self.accepted[kind_index(kind)],
        }
    }

    pub(crate) fn active_subscriptions(&self) -> BTreeMap<SubscriptionKey, usize> {
        let mut out = BTreeMap::new();
        for c in self.conns.values() {
            for s in &c.subs {
                *out.entry(s.key()).or_insert(0) += 1;
            }
            if c.executions {
                *out.entry(SubscriptionKey::new("executions", None)).or_insert(0) += 1;
            }
            if c.balances {
                *out.entry(SubscriptionKey::new("balances", None)).or_insert(0) += 1;
            }
        }
        out
    }

    pub(crate) fn count_message(&mut self, kind: ConnKind, subscribe: bool) {
        let m = &mut self.messages[kind_index(kind)];
        if subscribe {
            m.subscribe += 1;
        } else {
            m.unsubscribe += 1;
        }
    }

    /// Sends to every socket of `target` (faults: garbage frames).
    pub(crate) fn broadcast(&mut self, target: Target, text: &str) {
        let ids: Vec<u64> = self
            .conns
            .iter()
            .filter(|(_, c)| target.includes(c.kind))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.send(id, text.to_string());
        }
    }

    // ---- time ----------------------------------------------------------------------------

    /// A fresh exchange timestamp in µs: the clock's time, strictly increasing per message.
    pub(crate) fn stamp_us(&mut self) -> i64 {
        self.last_stamp_us = (self.last_stamp_us + 1).max(self.clock.now_ms() * 1000);
        self.last_stamp_us
    }

    pub(crate) fn advance_to(&mut self, ms: i64) -> Result<(), Error> {
        self.clock.advance_to(ms).map_err(|now_ms| Error::ClockBackwards {
            requested_ms: ms,
            now_ms,
        })?;
        self.run_timers();
        Ok(())
    }

    /// Fires what is due: the dead-man switch.
    pub(crate) fn run_timers(&mut self) {
        if let Some(deadline) = self.dms_deadline_ms {
            if self.clock.now_ms() >= deadline {
                self.dms_deadline_ms = None;
                let ids: Vec<String> = self.account.open_orders().into_iter().map(|o| o.order_id).collect();
                tracing::info!(orders = ids.len(), "dead-man switch fired");
                let now_us = self.stamp_us();
                let mut events = Vec::new();
                for id in ids {
                    events.extend(self.account.cancel(&id, "Dead man's switch", now_us));
                }
                self.publish_account(&events);
            }
        }
    }

    // ---- market data ---------------------------------------------------------------------

    pub(crate) fn market(&self, symbol: &str) -> Result<&Market, Error> {
        self.markets
            .get(symbol)
            .ok_or_else(|| Error::UnknownSymbol(symbol.to_string()))
    }

    fn check_fits(
        spec: &PairSpec,
        what: &'static str,
        value: Decimal,
        precision: u32,
        allow_zero: bool,
    ) -> Result<(), Error> {
        let bad = value < Decimal::ZERO
            || (!allow_zero && value.is_zero())
            || scale_needed(value) > precision
            || value > Decimal::from(1_000_000_000_000_i64);
        if bad {
            return Err(Error::OffIncrement {
                symbol: spec.symbol.clone(),
                what,
                value,
                precision,
            });
        }
        Ok(())
    }

    /// A scripted public trade: the tape, candles, ticker, then resting orders it reaches.
    pub(crate) fn scripted_trade(
        &mut self,
        symbol: &str,
        side: Side,
        price: Decimal,
        qty: Decimal,
    ) -> Result<(), Error> {
        let spec = self.market(symbol)?.spec.clone();
        Self::check_fits(&spec, "price", price, spec.price_precision, false)?;
        Self::check_fits(&spec, "qty", qty, spec.qty_precision, false)?;
        let now_us = self.stamp_us();
        self.print_trades(
            symbol,
            &[Print {
                side,
                price,
                qty,
                ord_type: "limit",
            }],
            now_us,
        );
        let market = self.markets.get(symbol).expect("checked above");
        let events = self.account.on_public_trade(market, price, qty, now_us);
        self.publish_account(&events);
        self.run_stops(symbol, now_us);
        Ok(())
    }

    /// Fires the stops that the prints of `symbol` since the last look reach, then those that
    /// the fired stops' own prints reach, until a round prints nothing new.
    fn run_stops(&mut self, symbol: &str, now_us: i64) {
        loop {
            let Some(market) = self.markets.get_mut(symbol) else {
                return;
            };
            let Some(prints) = market.take_unseen_prints() else {
                return;
            };
            let (events, taken) = self.account.trigger_stops(market, prints, now_us);
            self.publish_account(&events);
            self.after_taking(symbol, &taken, now_us);
        }
    }

    /// Records public trades and publishes `trade`, `ohlc` and `ticker`.
    fn print_trades(&mut self, symbol: &str, prints: &[Print], now_us: i64) {
        if prints.is_empty() {
            return;
        }
        let market = self.markets.get_mut(symbol).expect("known symbol");
        let trades: Vec<_> = prints
            .iter()
            .map(|p| market.record_trade(p.side, p.price, p.qty, p.ord_type, now_us))
            .collect();
        let spec = market.spec.clone();
        let trade_msg = wire::trades("update", &spec, trades.iter());
        // The 24 h figures walk a day of trades: only worth it when someone listens.
        let ticker_wanted = self
            .conns
            .values()
            .flat_map(|c| &c.subs)
            .any(|s| matches!(s, PublicSub::Ticker { symbol: t, bbo: false } if t == symbol));
        let ticker_msg = if ticker_wanted {
            self.ticker_message(symbol, "update", now_us)
        } else {
            String::new()
        };
        let market = &self.markets[symbol];
        let mut out: Vec<(u64, String)> = Vec::new();
        for (id, c) in &self.conns {
            for s in &c.subs {
                match s {
                    PublicSub::Trade { symbol: s } if s == symbol => out.push((*id, trade_msg.clone())),
                    PublicSub::Ticker { symbol: s, bbo: false } if s == symbol => out.push((*id, ticker_msg.clone())),
                    PublicSub::Ohlc { symbol: s, interval } if s == symbol => {
                        out.push((
                            *id,
                            wire::ohlc("update", &spec, market.open_candle(*interval).into_iter()),
                        ));
                    }
                    _ => {}
                }
            }
        }
        for (id, text) in out {
            self.send(id, text);
        }
    }

    pub(crate) fn ticker_message(&self, symbol: &str, kind: &str, now_us: i64) -> String {
        let m = &self.markets[symbol];
        wire::ticker(
            kind,
            &m.spec,
            m.bbo(),
            m.last_price().unwrap_or_default(),
            &m.day_stats(),
            now_us,
        )
    }

    /// Replaces (`snapshot`) or changes a book, then publishes the change.
    pub(crate) fn apply_book(
        &mut self,
        symbol: &str,
        snapshot: Option<Option<usize>>,
        bids: &[Level],
        asks: &[Level],
    ) -> Result<(), Error> {
        let spec = self.market(symbol)?.spec.clone();
        for l in bids.iter().chain(asks) {
            Self::check_fits(&spec, "price", l.price, spec.price_precision, false)?;
            Self::check_fits(&spec, "qty", l.qty, spec.qty_precision, true)?;
        }
        let market = self.markets.get_mut(symbol).expect("checked above");
        if let Some(max_levels) = snapshot {
            market.book.clear(max_levels);
        }
        for l in bids {
            market.book.set(BookSide::Bid, l.price, l.qty);
        }
        for l in asks {
            market.book.set(BookSide::Ask, l.price, l.qty);
        }
        market.book.truncate();
        self.publish_book(symbol);
        Ok(())
    }

    /// Sends every `book` subscriber of `symbol` what changed for it.
    pub(crate) fn publish_book(&mut self, symbol: &str) {
        let now_us = self.stamp_us();
        let Some(market) = self.markets.get(symbol) else { return };
        let spec = market.spec.clone();
        let mut checksum = market.book.checksum(spec.price_precision, spec.qty_precision);
        let mut out: Vec<(u64, String)> = Vec::new();
        let mut bbo_ids = Vec::new();
        let corrupt = self.faults.corrupt_next_book;
        if corrupt {
            checksum ^= 0x5a5a_5a5a;
        }
        for (id, c) in self.conns.iter_mut() {
            for s in c.subs.iter_mut() {
                match s {
                    PublicSub::Book { symbol: s, view } if s == symbol => {
                        let diff = view.diff(&market.book);
                        if !diff.is_empty() {
                            out.push((*id, wire::book("update", &spec, &diff, checksum, Some(now_us))));
                        }
                    }
                    PublicSub::Ticker { symbol: s, bbo: true } if s == symbol => bbo_ids.push(*id),
                    _ => {}
                }
            }
        }
        if corrupt && !out.is_empty() {
            self.faults.corrupt_next_book = false;
        }
        if !bbo_ids.is_empty() {
            let text = self.ticker_message(symbol, "update", now_us);
            out.extend(bbo_ids.into_iter().map(|id| (id, text.clone())));
        }
        for (id, text) in out {
            self.send(id, text);
        }
    }

    // ---- the account ---------------------------------------------------------------------

    /// Sends a batch of account events to every private subscriber.
    pub(crate) fn publish_account(&mut self, events: &[AccountEvent]) {
        if events.is_empty() {
            return;
        }
        if let Some(deferred) = &mut self.deferred {
            deferred.extend_from_slice(events);
            return;
        }
        let (items, ledger) = split_events(events);
        let specs: Vec<PairSpec> = items
            .iter()
            .map(|i| {
                let symbol = match i {
                    ExecItem::Order { order, .. } => &order.symbol,
                    ExecItem::Trade { order, .. } => &order.symbol,
                };
                self.markets[symbol].spec.clone()
            })
            .collect();
        let mut out: Vec<(u64, String)> = Vec::new();
        for (id, c) in self.conns.iter_mut() {
            let wanted = |i: &ExecItem<'_>| {
                c.all_statuses
                    || !matches!(
                        i,
                        ExecItem::Order {
                            exec_type: "pending_new" | "amended" | "status",
                            ..
                        }
                    )
            };
            if c.executions && items.iter().any(wanted) {
                c.seq += 1;
                let with_specs = items
                    .iter()
                    .zip(&specs)
                    .filter(|(i, _)| wanted(i))
                    .map(|(i, s)| (i.clone_ref(), s));
                out.push((*id, wire::executions("update", with_specs, c.seq)));
            }
            if c.balances && !ledger.is_empty() {
                c.seq += 1;
                out.push((*id, wire::balances_update(ledger.iter().copied(), c.seq)));
            }
        }
        for (id, text) in out {
            self.send(id, text);
        }
    }

    /// Holds account events back until [`Exchange::flush_deferred`].
    pub(crate) fn defer_account_events(&mut self) {
        self.deferred.get_or_insert_with(Vec::new);
    }

    /// Publishes the events held back, as one batch.
    pub(crate) fn flush_deferred(&mut self) {
        if let Some(events) = self.deferred.take() {
            self.publish_account(&events);
        }
    }

    /// The `executions` snapshot: the last `trades` fills (oldest first), then open orders.
    pub(crate) fn executions_snapshot(&mut self, conn: u64, orders: bool, trades: bool) {
        let fills = self.account.fills();
        let start = fills.len().saturating_sub(50);
        let recent: Vec<_> = if trades { fills[start..].to_vec() } else { Vec::new() };
        let open = if orders { self.account.open_orders() } else { Vec::new() };
        let fill_orders: Vec<Order> = recent
            .iter()
            .filter_map(|f| self.account.order(&f.order_id).cloned())
            .collect();
        let mut items: Vec<(ExecItem<'_>, &PairSpec)> = Vec::new();
        for (f, o) in recent.iter().zip(&fill_orders) {
            items.push((ExecItem::Trade { fill: f, order: o }, &self.markets[&f.symbol].spec));
        }
        for o in &open {
            items.push((
                ExecItem::Order {
                    exec_type: "new",
                    order: o,
                },
                &self.markets[&o.symbol].spec,
            ));
        }
        let Some(c) = self.conns.get_mut(&conn) else { return };
        c.seq += 1;
        let text = wire::executions("snapshot", items.into_iter(), c.seq);
        self.send(conn, text);
    }

    pub(crate) fn balances_snapshot(&mut self, conn: u64) {
        let Some(c) = self.conns.get_mut(&conn) else { return };
        c.seq += 1;
        let text = wire::balances_snapshot(self.account.balances().iter(), c.seq);
        self.send(conn, text);
    }

    /// Places an order (after every check, the rate counter last), or only checks it.
    pub(crate) fn add_order(&mut self, req: NewOrder, validate: bool) -> Result<Option<Order>, Reject> {
        let now_ms = self.clock.now_ms();
        let market = self.markets.get(&req.symbol).ok_or(Reject::UnknownPair)?;
        self.account.check(&req, market, None)?;
        if self.rate.value(&req.symbol, now_ms) + Decimal::from(rate::ADD_COST) > self.rate.max() {
            return Err(Reject::RateLimit);
        }
        if validate {
            return Ok(None);
        }
        self.rate.try_charge(&req.symbol, rate::ADD_COST, now_ms);
        let now_us = self.stamp_us();
        let symbol = req.symbol.clone();
        let market = self.markets.get_mut(&symbol).expect("checked above");
        let outcome = self.account.place(req, market, now_ms, now_us);
        self.publish_account(&outcome.events);
        self.after_taking(&symbol, &outcome.prints, now_us);
        self.run_stops(&symbol, now_us);
        Ok(Some(outcome.order))
    }

    fn after_taking(&mut self, symbol: &str, prints: &[Print], now_us: i64) {
        if !prints.is_empty() {
            self.print_trades(symbol, prints, now_us);
            self.publish_book(symbol);
        }
    }

    /// Finds an open order by order id or client id.
    pub(crate) fn find_open(&self, order_id: Option<&str>, cl_ord_id: Option<&str>) -> Option<Order> {
        match (order_id, cl_ord_id) {
            (Some(id), _) => self.account.order(id).filter(|o| o.status.is_open()).cloned(),
            (None, Some(cl)) => self.account.open_by_cl_ord_id(cl).cloned(),
            (None, None) => None,
        }
    }

    pub(crate) fn amend_order(
        &mut self,
        order_id: Option<&str>,
        cl_ord_id: Option<&str>,
        amend: &Amend,
    ) -> Result<Order, Reject> {
        let o = self.find_open(order_id, cl_ord_id).ok_or(Reject::UnknownOrder)?;
        let now_ms = self.clock.now_ms();
        if !self
            .rate
            .try_charge(&o.symbol, rate::amend_cost(now_ms - o.created_ms), now_ms)
        {
            return Err(Reject::RateLimit);
        }
        let now_us = self.stamp_us();
        let market = self.markets.get_mut(&o.symbol).expect("orders are on known pairs");
        let outcome = self.account.amend(&o.order_id, amend, market, now_us)?;
        self.publish_account(&outcome.events);
        self.after_taking(&o.symbol, &outcome.prints, now_us);
        self.run_stops(&o.symbol, now_us);
        Ok(outcome.order)
    }

    pub(crate) fn cancel_order(&mut self, order_id: Option<&str>, cl_ord_id: Option<&str>) -> Result<Order, Reject> {
        let o = self.find_open(order_id, cl_ord_id).ok_or(Reject::UnknownOrder)?;
        let now_ms = self.clock.now_ms();
        self.rate
            .charge(&o.symbol, rate::cancel_cost(now_ms - o.created_ms), now_ms);
        let now_us = self.stamp_us();
        let events = self.account.cancel(&o.order_id, "User requested", now_us);
        self.publish_account(&events);
        Ok(self.account.order(&o.order_id).cloned().unwrap_or(o))
    }

    pub(crate) fn cancel_all(&mut self) -> usize {
        let open = self.account.open_orders();
        for o in &open {
            // `cancel_order` cannot fail for an order that is open under the lock.
            let _ = self.cancel_order(Some(&o.order_id), None);
        }
        open.len()
    }

    /// Arms (timeout > 0) or disarms the dead-man switch; returns (now, trigger) in ms.
    pub(crate) fn cancel_all_after(&mut self, timeout_s: u64) -> (i64, Option<i64>) {
        let now = self.clock.now_ms();
        self.dms_deadline_ms = (timeout_s > 0).then(|| now + (timeout_s as i64) * 1000);
        (now, self.dms_deadline_ms)
    }
}

impl ExecItem<'_> {
    fn clone_ref(&self) -> ExecItem<'_> {
        match self {
            ExecItem::Order { exec_type, order } => ExecItem::Order { exec_type, order },
            ExecItem::Trade { fill, order } => ExecItem::Trade { fill, order },
        }
    }
}
