//! The exchange's state behind one lock: the markets, the clock, and every stream connection
//! with its subscriptions and outbox. Publishing turns a market's [`Change`]s into frames for
//! the connections subscribed to their streams.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{json, Value};
use tokio::sync::{mpsc, Notify};

use crate::config::LocalBinanceConfig;
use crate::error::Error;
use crate::market::{Change, Market};
use crate::wire;

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
                conns: HashMap::new(),
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
    pub(crate) now_ms: i64,
    pub(crate) conns: HashMap<u64, Conn>,
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
        let id = self.next_conn;
        self.next_conn += 1;
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
        let now = self.now_ms;
        let changes = self.market(symbol)?.trade(price, qty, buyer_is_maker, now);
        self.publish_changes(symbol, changes);
        Ok(())
    }

    pub(crate) fn skip_depth_updates(&mut self, symbol: &str, n: u64) -> Result<(), Error> {
        self.market(symbol)?;
        *self.pending_gaps.entry(symbol.to_owned()).or_insert(0) += n;
        Ok(())
    }

    pub(crate) fn advance_to(&mut self, to_ms: i64) -> Result<(), Error> {
        if to_ms < self.now_ms {
            return Err(Error::ClockBackwards {
                now_ms: self.now_ms,
                to_ms,
            });
        }
        self.now_ms = to_ms;
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
        let text = json!({"e": "serverShutdown", "E": self.now_ms}).to_string();
        let ids: Vec<u64> = self.conns.keys().copied().collect();
        for id in ids {
            self.send(id, text.clone());
        }
    }
}
