//! The dashboard's hub: the one subscriber of the event stream that serves every WebSocket
//! client. It turns each event into messages once, keeps what a new client is shown first
//! (recent candles, fills and decisions), and hands each message to every client that wants
//! it through that client's bounded queue. A client whose queue is full is dropped and
//! counted: the hub never waits for one, and the hub itself, like every subscriber, never
//! slows the host (it skips ahead when it falls behind, and then re-sends every client a
//! snapshot).
//!
//! Once a second it also sends what is sampled rather than evented: the strategies' rows (state,
//! events per second, call p99, PnL), each strategy's equity, and the venues' data age.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::extract::ws::Utf8Bytes;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use tokio::sync::mpsc;
use trading::desk::OrderNotice;
use trading::market::{Candle, Symbol, Timeframe};
use trading::orders::{StrategyId, VenueId};

use super::filter::ClientFilter;
use super::load::LoadRates;
use super::messages::{self, Marks, Outgoing, Stamp};
use crate::config::DashboardConfig;
use crate::events::{HostEvent, Received, Subscription};
use crate::metrics::Metrics;
use crate::runtime::{lock_desk, SharedDesk};
use crate::session::StatusBoard;

/// How often the sampled messages go out.
const TICK: Duration = Duration::from_secs(1);

/// A candle series: a symbol's bars of one timeframe on one venue (`None`: the replay).
type SeriesKey = (Option<VenueId>, Symbol, Timeframe);

pub struct Hub {
    config: DashboardConfig,
    desk: SharedDesk,
    board: Arc<Mutex<StatusBoard>>,
    metrics: Arc<Metrics>,
    state: Mutex<HubState>,
    /// Set once the event stream ends: clients let go then are told the host is stopping.
    stopping: AtomicBool,
}

#[derive(Default)]
struct HubState {
    next_client: u64,
    clients: Vec<ClientSlot>,
    candles: BTreeMap<SeriesKey, VecDeque<Candle>>,
    last_price: BTreeMap<(Option<VenueId>, Symbol), Decimal>,
    fills: VecDeque<Outgoing>,
    decisions: VecDeque<Outgoing>,
    rates: LoadRates,
    /// The last equity sent per strategy: an unchanged one is not sent again.
    equity: BTreeMap<StrategyId, Decimal>,
}

struct ClientSlot {
    id: u64,
    filter: ClientFilter,
    queue: mpsc::Sender<Utf8Bytes>,
}

/// A client just connected: what it is shown first, then its queue of everything after.
pub struct Connected {
    pub id: u64,
    pub snapshot: Vec<Utf8Bytes>,
    pub queue: mpsc::Receiver<Utf8Bytes>,
}

impl Marks for HubState {
    fn last_price(&self, venue: &VenueId, symbol: &Symbol) -> Option<Decimal> {
        // A replay's bars carry no venue; a paper or live position names one.
        self.last_price
            .get(&(Some(venue.clone()), symbol.clone()))
            .or_else(|| self.last_price.get(&(None, symbol.clone())))
            .copied()
    }
}

impl Hub {
    pub fn new(
        config: DashboardConfig,
        desk: SharedDesk,
        board: Arc<Mutex<StatusBoard>>,
        metrics: Arc<Metrics>,
    ) -> Arc<Self> {
        Arc::new(Self {
            config,
            desk,
            board,
            metrics,
            state: Mutex::default(),
            stopping: AtomicBool::new(false),
        })
    }

    pub fn config(&self) -> &DashboardConfig {
        &self.config
    }

    fn lock(&self) -> MutexGuard<'_, HubState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Follows the event stream until the host shuts it down, then lets every client go.
    pub async fn run(self: Arc<Self>, mut subscription: Subscription) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                received = subscription.next() => match received {
                    Some(received) => self.receive(received),
                    None => break,
                },
                _ = tick.tick() => self.tick(),
            }
        }
        self.stopping.store(true, Ordering::Release);
        let mut state = self.lock();
        state.clients.clear();
        self.metrics.dashboard_clients().set(0);
    }

    pub fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::Acquire)
    }

    fn receive(&self, received: Received) {
        let mut state = self.lock();
        match received {
            Received::Event(published) => {
                let stamp = Stamp {
                    seq: published.seq,
                    published_ms: published.wall_ms,
                };
                let out = messages::of_event(&published.event, Some(stamp), &*state);
                state.remember(&published.event, &out, &self.config);
                self.send(&mut state, &out);
            }
            Received::Skipped(count) => {
                tracing::warn!(
                    count,
                    "the dashboard fell behind the event stream: its clients get a new snapshot"
                );
                let skipped = Outgoing::new("skipped", json!({"count": count}));
                let clients: Vec<(u64, ClientFilter)> =
                    state.clients.iter().map(|c| (c.id, c.filter.clone())).collect();
                for (id, filter) in clients {
                    let snapshot = self.snapshot(&state, &filter);
                    let texts = std::iter::once(skipped.text.clone()).chain(snapshot);
                    self.send_to(&mut state, id, texts);
                }
            }
        }
    }

    /// Hands `out` to every client whose filter admits it; drops the clients that cannot take it.
    fn send(&self, state: &mut HubState, out: &[Outgoing]) {
        if out.is_empty() {
            return;
        }
        let before = state.clients.len();
        state.clients.retain(|client| {
            out.iter()
                .filter(|message| client.filter.admits(message))
                .all(|message| self.offer(client, message.text.clone()))
        });
        if state.clients.len() != before {
            self.metrics.dashboard_clients().set(gauge(state.clients.len()));
        }
    }

    fn send_to(&self, state: &mut HubState, id: u64, texts: impl IntoIterator<Item = Utf8Bytes>) {
        let Some(index) = state.clients.iter().position(|c| c.id == id) else {
            return;
        };
        let kept = state
            .clients
            .get(index)
            .is_some_and(|client| texts.into_iter().all(|text| self.offer(client, text)));
        if !kept {
            state.clients.remove(index);
            self.metrics.dashboard_clients().set(gauge(state.clients.len()));
        }
    }

    /// Queues `text` for `client`; `false` when the client is to be let go (its queue is full,
    /// or it is gone).
    fn offer(&self, client: &ClientSlot, text: Utf8Bytes) -> bool {
        match client.queue.try_send(text) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(
                    client = client.id,
                    buffer = self.config.client_buffer,
                    "a dashboard client fell behind: dropped"
                );
                self.metrics.dashboard_dropped("slow");
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    /// Registers a client: its snapshot, then every message after it, in order.
    ///
    /// The snapshot's recent candles, fills and decisions are the hub's, as of the last event
    /// it handled, and the client gets every event after that one. Its orders, positions and
    /// books are read from the desk, which may already include some of those events: they
    /// then arrive once more, and since each says the whole state of its order or position,
    /// applying them in order ends where the desk is.
    pub fn connect(&self, filter: ClientFilter) -> Connected {
        let mut state = self.lock();
        let snapshot = self.snapshot(&state, &filter);
        let (queue, receiver) = mpsc::channel(self.config.client_buffer);
        state.next_client += 1;
        let id = state.next_client;
        state.clients.push(ClientSlot { id, filter, queue });
        self.metrics.dashboard_clients().set(gauge(state.clients.len()));
        Connected {
            id,
            snapshot,
            queue: receiver,
        }
    }

    /// Forgets a client that left (or was dropped for silence).
    pub fn disconnect(&self, id: u64) {
        let mut state = self.lock();
        state.clients.retain(|c| c.id != id);
        self.metrics.dashboard_clients().set(gauge(state.clients.len()));
    }

    /// What a client is shown on connect: the strategies and venues, each series' recent
    /// candles (`history`), the books (`account`, `position`), open orders, recent fills
    /// and decisions.
    fn snapshot(&self, state: &HubState, filter: &ClientFilter) -> Vec<Utf8Bytes> {
        let mut out = Vec::new();
        out.push(self.strategies_message(&state.rates));
        out.push(self.venues_message());
        for ((venue, symbol, timeframe), candles) in &state.candles {
            out.push(messages::history(venue.as_ref(), symbol, *timeframe, candles.iter()));
        }
        {
            let desk = lock_desk(&self.desk);
            let now_ms = desk.now_ms();
            for strategy in desk.strategies() {
                let venue = desk.venue_of(strategy).clone();
                for position in desk.book(strategy).into_iter().flat_map(|b| b.positions) {
                    let event = HostEvent::Desk(trading::desk::DeskEvent::Position {
                        strategy: strategy.clone(),
                        venue: venue.clone(),
                        position: trading::orders::Position {
                            symbol: position.symbol.clone(),
                            qty: position.qty,
                            avg_price: position.avg_price,
                            realized_pnl: position.realized_pnl,
                        },
                        time_ms: now_ms,
                    });
                    out.extend(messages::of_event(&event, None, state));
                }
                for order in desk.open_orders(strategy) {
                    out.push(messages::orders(
                        &OrderNotice::of(order, None, order.updated_ms()),
                        None,
                    ));
                }
            }
            out.extend(equity_messages(&desk, &mut BTreeMap::new()));
        }
        out.extend(state.fills.iter().cloned());
        out.extend(state.decisions.iter().cloned());
        out.into_iter()
            .filter(|message| filter.admits(message))
            .map(|message| message.text)
            .collect()
    }

    /// Samples the strategies' rates, and sends the sampled messages to every client.
    fn tick(&self) {
        let now = Instant::now();
        let mut state = self.lock();
        let names: Vec<String> = self
            .board
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .strategies
            .iter()
            .map(|s| s.strategy.clone())
            .collect();
        state.rates.update(
            names.iter().map(String::as_str),
            |name| self.metrics.strategy_load(name),
            now,
        );
        // The rates are sampled whoever listens (`/api/strategies` reads them); the messages
        // are made only for clients.
        if state.clients.is_empty() {
            return;
        }
        let mut out = vec![self.strategies_message(&state.rates), self.venues_message()];
        {
            let desk = lock_desk(&self.desk);
            out.extend(equity_messages(&desk, &mut state.equity));
        }
        self.send(&mut state, &out);
    }

    /// `strategies`: one row per strategy, as the page's table shows it.
    fn strategies_message(&self, rates: &LoadRates) -> Outgoing {
        Outgoing::new("strategies", Value::Array(self.rows(rates)))
    }

    /// The strategies' rows as of the latest sample (`GET /api/strategies`).
    pub fn strategy_rows(&self) -> Vec<Value> {
        let state = self.lock();
        self.rows(&state.rates)
    }

    /// The recent candles of `symbol`, a series per venue and timeframe (only `timeframe`'s
    /// when given), oldest first.
    pub fn candles(&self, symbol: &Symbol, timeframe: Option<Timeframe>) -> Vec<Value> {
        let state = self.lock();
        state
            .candles
            .iter()
            .filter(|((_, s, t), _)| s == symbol && timeframe.is_none_or(|wanted| wanted == *t))
            .map(|((venue, symbol, timeframe), candles)| {
                json!({
                    "venue": venue.as_ref().map(VenueId::as_str),
                    "symbol": symbol.as_str(),
                    "timeframe": timeframe.to_string(),
                    "candles": candles.iter().map(messages::candle_data).collect::<Vec<_>>(),
                })
            })
            .collect()
    }

    fn rows(&self, rates: &LoadRates) -> Vec<Value> {
        let statuses = self.board.lock().unwrap_or_else(|p| p.into_inner()).strategies.clone();
        let desk = lock_desk(&self.desk);
        statuses
            .iter()
            .map(|status| {
                let id = StrategyId::new(&status.strategy);
                let book = desk.book(&id);
                let rate = rates.rate(&status.strategy);
                json!({
                    "strategy": status.strategy,
                    "name": status.name,
                    "version": status.version,
                    "hash": status.hash,
                    "venue": desk.venue_of(&id).as_str(),
                    "state": status.state,
                    "trading_state": desk.trading_state_of(&id).as_str(),
                    "error": status.error,
                    "events_per_second": rate.events_per_second,
                    "call_p99_us": rate.call_p99_us,
                    "call_p99_beyond": rate.call_p99_beyond,
                    "equity": book.as_ref().map(|b| b.equity),
                    "realized_pnl": book.as_ref().map(|b| b.realized_pnl),
                    "unrealized_pnl": book.as_ref().map(|b| b.unrealized_pnl),
                    "pnl": book.as_ref().map(|b| b.realized_pnl + b.unrealized_pnl),
                    "open_orders": desk.open_orders(&id).count(),
                })
            })
            .collect()
    }

    /// `venues`: each venue's connection and how old its latest market data is.
    fn venues_message(&self) -> Outgoing {
        let board = self.board.lock().unwrap_or_else(|p| p.into_inner());
        let mut rows: Vec<Value> = board
            .venues
            .iter()
            .map(|venue| serde_json::to_value(venue).unwrap_or(Value::Null))
            .collect();
        if let Some(feed) = &board.feed {
            // A replay's bars are of another time: their age says nothing.
            rows.push(json!({
                "venue": "replay",
                "connected": !feed.finished,
                "source": feed.source,
                "bars_replayed": feed.bars_replayed,
                "bars_total": feed.bars_total,
                "last_event_time_ms": feed.last_event_time_ms,
                "data_age_ms": Value::Null,
            }));
        }
        Outgoing::new("venues", Value::Array(rows))
    }
}

impl HubState {
    /// Keeps what a new client is shown of `event`.
    fn remember(&mut self, event: &HostEvent, out: &[Outgoing], config: &DashboardConfig) {
        match event {
            HostEvent::Candle { venue, candle, .. } => {
                self.last_price
                    .insert((venue.clone(), candle.symbol.clone()), candle.close);
                let series = self
                    .candles
                    .entry((venue.clone(), candle.symbol.clone(), candle.timeframe))
                    .or_default();
                // The bar in progress replaces itself until it closes.
                if series
                    .back()
                    .is_some_and(|last| last.open_time_ms == candle.open_time_ms)
                {
                    series.pop_back();
                }
                push_bounded(series, candle.clone(), config.history_candles);
            }
            HostEvent::Desk(trading::desk::DeskEvent::Order(order)) if order.update.fill.is_some() => {
                for message in out.iter().filter(|m| m.kind == "trade_event") {
                    push_bounded(&mut self.fills, message.clone(), config.recent_fills);
                }
            }
            HostEvent::Decision { .. } => {
                for message in out {
                    push_bounded(&mut self.decisions, message.clone(), config.recent_decisions);
                }
            }
            _ => {}
        }
    }
}

/// `equity` of every strategy whose equity is not the one last sent (all of them with an
/// empty `last`): the points of the page's equity curves.
fn equity_messages(desk: &trading::desk::Desk, last: &mut BTreeMap<StrategyId, Decimal>) -> Vec<Outgoing> {
    let now_ms = desk.now_ms();
    desk.strategies()
        .filter_map(|strategy| {
            let book = desk.book(strategy)?;
            if last.get(strategy) == Some(&book.equity) {
                return None;
            }
            last.insert(strategy.clone(), book.equity);
            let data = json!({
                "strategy": strategy.as_str(),
                "time": now_ms.div_euclid(1000),
                "time_ms": now_ms,
                "equity": book.equity,
                "cash": book.cash,
                "realized_pnl": book.realized_pnl,
                "unrealized_pnl": book.unrealized_pnl,
            });
            let mut message = Outgoing::new("equity", data);
            message.strategy = Some(strategy.clone());
            Some(message)
        })
        .collect()
}

fn push_bounded<T>(items: &mut VecDeque<T>, item: T, bound: usize) {
    if bound == 0 {
        return;
    }
    while items.len() >= bound {
        items.pop_front();
    }
    items.push_back(item);
}

fn gauge(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}
