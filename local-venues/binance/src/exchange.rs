//! The exchange's state behind one lock: the markets, the clock, every stream connection
//! with its subscriptions and outbox, the account, and every WebSocket API connection with its
//! session and user data subscription. Publishing turns a market's [`Change`]s into frames for
//! the connections subscribed to their streams; [`Exchange::push_user`] sends a user data event
//! to every subscribed session.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use crate::account::Account;
use crate::config::LocalBinanceConfig;
use crate::error::Error;
use crate::faults::Fault;
use crate::market::{Change, Market};
use crate::wire;
use crate::ws_api::{ApiConn, Limits};

/// The state, shared by the server's tasks and the [`crate::Control`].
#[derive(Debug)]
pub(crate) struct Shared {
    exchange: Mutex<Exchange>,
}

impl Shared {
    pub(crate) fn new(config: &LocalBinanceConfig, now_ms: i64) -> Arc<Self> {
        Arc::new(Self {
            exchange: Mutex::new(Exchange {
                markets: config
                    .symbols
                    .iter()
                    .map(|spec| (spec.symbol.clone(), Market::new(spec.clone())))
                    .collect(),
                now_ms,
                clock_set_at: Instant::now(),
                conns: HashMap::new(),
                api_conns: HashMap::new(),
                account: Account::new(&config.balances, config.fee_rate),
                faults: VecDeque::new(),
                limits: Limits::new(config),
                order_places: 0,
                last_order_place_at: None,
                logons: 0,
                api_opened: 0,
                refuse_api: false,
                signed_rest: 0,
                next_conn: 1,
                pending_gaps: BTreeMap::new(),
                config: config.clone(),
                subscribe_requests: 0,
            }),
        })
    }

    /// Takes the lock even if a holder panicked: every change is a single assignment or push.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Exchange> {
        self.exchange.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// One stream connection as the exchange sees it.
#[derive(Debug)]
pub(crate) struct Conn {
    outbox: mpsc::Sender<String>,
    pub(crate) kill: Arc<Notify>,
    pub(crate) streams: BTreeSet<String>,
    /// Whether frames go in the combined wrapper (`/stream`) or bare (`/ws`).
    pub(crate) combined: bool,
}

#[derive(Debug)]
pub(crate) struct Exchange {
    pub(crate) markets: BTreeMap<String, Market>,
    /// The exchange clock as last set; with `running_clock` it runs on from `clock_set_at`.
    now_ms: i64,
    clock_set_at: Instant,
    pub(crate) conns: HashMap<u64, Conn>,
    /// WebSocket API connections, by the same id sequence as `conns`.
    pub(crate) api_conns: HashMap<u64, ApiConn>,
    pub(crate) account: Account,
    /// Faults armed for the WebSocket API, consumed in order.
    pub(crate) faults: VecDeque<Fault>,
    /// Request weight and order counts.
    pub(crate) limits: Limits,
    /// `order.place` (and cancel-replace) requests received, whatever became of them.
    pub(crate) order_places: u64,
    /// When the latest of them was read off its socket (tick-to-order benchmarks time it).
    pub(crate) last_order_place_at: Option<Instant>,
    /// `session.logon` requests that authenticated a session.
    pub(crate) logons: u64,
    /// WebSocket API connections opened, over the exchange's life.
    pub(crate) api_opened: u64,
    /// Fault: the WebSocket API refuses every connection (503) while set.
    pub(crate) refuse_api: bool,
    /// Signed REST requests received.
    pub(crate) signed_rest: u64,
    next_conn: u64,
    /// Update ids to lose before the next depth change of a symbol.
    pending_gaps: BTreeMap<String, u64>,
    pub(crate) config: LocalBinanceConfig,
    /// SUBSCRIBE requests received, over all connections.
    pub(crate) subscribe_requests: u64,
}

/// The stream kinds the exchange serves, by the part of the name after `@`.
const KINDS: &[&str] = &["trade", "kline_1m", "bookTicker", "depth", "depth@100ms"];

impl Exchange {
    /// The exchange clock now, ms.
    pub(crate) fn clock_ms(&self) -> i64 {
        if self.config.running_clock {
            let ran = i64::try_from(self.clock_set_at.elapsed().as_millis()).unwrap_or(i64::MAX);
            self.now_ms.saturating_add(ran)
        } else {
            self.now_ms
        }
    }

    /// A new connection id (stream and WebSocket API connections share the sequence).
    pub(crate) fn next_conn_id(&mut self) -> u64 {
        let id = self.next_conn;
        self.next_conn += 1;
        id
    }

    /// Queues `text` for one WebSocket API connection; one whose outbox is full is dropped.
    pub(crate) fn send_api(&mut self, id: u64, text: String) {
        let full = match self.api_conns.get(&id) {
            Some(conn) => conn.outbox.try_send(text).is_err(),
            None => false,
        };
        if full {
            if let Some(conn) = self.api_conns.remove(&id) {
                conn.kill.notify_one();
            }
        }
    }

    /// Sends a user data event to every session subscribed to the account, in its wrapper.
    pub(crate) fn push_user(&mut self, event: Value) {
        let targets: Vec<(u64, u64)> = self
            .api_conns
            .iter()
            .filter_map(|(id, c)| c.subscription.map(|s| (*id, s)))
            .collect();
        for (id, subscription) in targets {
            let text = json!({"subscriptionId": subscription, "event": event}).to_string();
            self.send_api(id, text);
        }
    }

    pub(crate) fn market(&mut self, symbol: &str) -> Result<&mut Market, Error> {
        self.markets
            .get_mut(symbol)
            .ok_or_else(|| Error::UnknownSymbol(symbol.to_owned()))
    }

    /// Whether `name` is a stream this exchange serves (`btcusdt@depth@100ms`).
    pub(crate) fn is_stream(&self, name: &str) -> bool {
        let Some((symbol, kind)) = name.split_once('@') else {
            return false;
        };
        symbol.bytes().all(|b| !b.is_ascii_uppercase())
            && self.markets.contains_key(&symbol.to_ascii_uppercase())
            && KINDS.contains(&kind)
    }

    pub(crate) fn register(
        &mut self,
        combined: bool,
        streams: BTreeSet<String>,
    ) -> (u64, mpsc::Receiver<String>, Arc<Notify>) {
        let (outbox, rx) = mpsc::channel(self.config.outbox_capacity);
        let kill = Arc::new(Notify::new());
        let id = self.next_conn_id();
        self.conns.insert(
            id,
            Conn {
                outbox,
                kill: kill.clone(),
                streams,
                combined,
            },
        );
        (id, rx, kill)
    }

    pub(crate) fn unregister(&mut self, id: u64) {
        self.conns.remove(&id);
    }

    /// Queues `text` for one connection; a connection whose outbox is full is dropped.
    pub(crate) fn send(&mut self, id: u64, text: String) {
        let full = match self.conns.get(&id) {
            Some(conn) => conn.outbox.try_send(text).is_err(),
            None => false,
        };
        if full {
            if let Some(conn) = self.conns.remove(&id) {
                conn.kill.notify_one();
            }
        }
    }

    /// Sends `data` of stream `name` to every connection subscribed to it.
    fn publish(&mut self, name: &str, data: &Value) {
        let targets: Vec<(u64, bool)> = self
            .conns
            .iter()
            .filter(|(_, c)| c.streams.contains(name))
            .map(|(id, c)| (*id, c.combined))
            .collect();
        if targets.is_empty() {
            return;
        }
        let bare = data.to_string();
        let wrapped = json!({"stream": name, "data": data}).to_string();
        for (id, combined) in targets {
            self.send(id, if combined { wrapped.clone() } else { bare.clone() });
        }
    }

    pub(crate) fn publish_changes(&mut self, symbol: &str, changes: Vec<Change>) {
        let Some(spec) = self.markets.get(symbol).map(|m| m.spec.clone()) else {
            return;
        };
        let prefix = symbol.to_ascii_lowercase();
        let now = self.now_ms;
        for change in changes {
            match change {
                Change::Trade(trade) => self.publish(&format!("{prefix}@trade"), &wire::trade(&spec, now, &trade)),
                Change::Kline { kline, closed } => {
                    self.publish(&format!("{prefix}@kline_1m"), &wire::kline(&spec, now, &kline, closed))
                }
                Change::Depth {
                    first,
                    last,
                    bids,
                    asks,
                } => {
                    let data = wire::depth_update(&spec, now, first, last, &bids, &asks);
                    // Both speeds get every change at once: the local exchange does not batch.
                    self.publish(&format!("{prefix}@depth"), &data);
                    self.publish(&format!("{prefix}@depth@100ms"), &data);
                }
                Change::BookTicker { update_id, bid, ask } => self.publish(
                    &format!("{prefix}@bookTicker"),
                    &wire::book_ticker(&spec, update_id, bid, ask),
                ),
            }
        }
    }

    /// Sets levels of `symbol`'s book and publishes the diff (after any gap asked for).
    pub(crate) fn set_levels(
        &mut self,
        symbol: &str,
        bids: &[crate::Level],
        asks: &[crate::Level],
    ) -> Result<(), Error> {
        for (price, qty) in bids.iter().chain(asks) {
            if *price <= rust_decimal::Decimal::ZERO {
                return Err(Error::NotPositive {
                    what: "price",
                    value: *price,
                });
            }
            if qty.is_sign_negative() && !qty.is_zero() {
                return Err(Error::NotPositive {
                    what: "qty",
                    value: *qty,
                });
            }
        }
        let skip = self.pending_gaps.remove(symbol).unwrap_or(0);
        let changes = self.market(symbol)?.set_levels(bids, asks, skip);
        self.publish_changes(symbol, changes);
        Ok(())
    }

    pub(crate) fn trade(
        &mut self,
        symbol: &str,
        price: rust_decimal::Decimal,
        qty: rust_decimal::Decimal,
        buyer_is_maker: bool,
    ) -> Result<(), Error> {
        for (what, value) in [("price", price), ("qty", qty)] {
            if value <= rust_decimal::Decimal::ZERO {
                return Err(Error::NotPositive { what, value });
            }
        }
        let left = self.trade_through(symbol, price, qty, buyer_is_maker)?;
        if !left.is_zero() {
            let now = self.clock_ms();
            let changes = self.market(symbol)?.trade(price, left, buyer_is_maker, now);
            self.publish_changes(symbol, changes);
        }
        self.run_stops(symbol);
        Ok(())
    }

    pub(crate) fn skip_depth_updates(&mut self, symbol: &str, n: u64) -> Result<(), Error> {
        self.market(symbol)?;
        *self.pending_gaps.entry(symbol.to_owned()).or_insert(0) += n;
        Ok(())
    }

    pub(crate) fn advance_to(&mut self, to_ms: i64) -> Result<(), Error> {
        let now_ms = self.clock_ms();
        if to_ms < now_ms {
            return Err(Error::ClockBackwards { now_ms, to_ms });
        }
        self.now_ms = to_ms;
        self.clock_set_at = Instant::now();
        let symbols: Vec<String> = self.markets.keys().cloned().collect();
        for symbol in symbols {
            let closed = self.market(&symbol).ok().and_then(|m| m.close_kline_before(to_ms));
            if let Some(change) = closed {
                self.publish_changes(&symbol, vec![change]);
            }
        }
        Ok(())
    }

    /// Closes every stream connection abruptly.
    pub(crate) fn drop_connections(&mut self) {
        for (_, conn) in self.conns.drain() {
            conn.kill.notify_one();
        }
    }

    /// Sends `serverShutdown` to every connection.
    pub(crate) fn server_shutdown(&mut self) {
        let text = json!({"e": "serverShutdown", "E": self.clock_ms()}).to_string();
        let ids: Vec<u64> = self.conns.keys().copied().collect();
        for id in ids {
            self.send(id, text.clone());
        }
    }
}
