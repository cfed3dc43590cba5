//! What the task asks Binance beside the order flow, as jobs of their own: one order's status
//! with its trades (how an unknown outcome is settled), the open orders and the trades since a
//! time (the mass status), and the server's clock. Each goes over the WebSocket API while it
//! is up (through the task, which owns the socket: [`Internal::Ask`]) and over signed REST
//! otherwise, or when the socket drops the question; each is asked until it is answered, and
//! its answer goes back to the task to translate ([`Internal`]).

use std::sync::{Arc, Mutex};

use serde::Deserialize;
use tokio::sync::{mpsc, oneshot};
use trading::brokers::AmendOrder;
use trading::brokers::NewOrder;
use trading::market::TimeMs;
use trading::orders::{OrderId, VenueId};

use super::{lock, wall_ms, SharedLimits};
use crate::binance::clock::ClockOffset;
use crate::binance::requests::{self, Auth, TradesPage, MY_TRADES_PAGE};
use crate::binance::rest::{BinanceRest, RestCallError};
use crate::binance::signing::Credentials;
use crate::binance::wire::{
    parse_account, parse_account_trades, parse_order, parse_orders, AccountStatus, AccountTrade, AssetBalance,
    BinanceError, ErrorKind, OrderResult, VenueSymbol, WireError, WsApiResponse,
};
use crate::kit::retry_until_answered;

/// Pages of one symbol's trades read for one answer at most: 50,000 trades, more than a
/// reconnect's gap holds.
const MAX_TRADE_PAGES: usize = 50;

/// Builds a request's text from its id and authentication.
pub(super) type Build = Box<dyn for<'a> FnOnce(u64, Auth<'a>) -> String + Send>;

/// A request a job wants sent on the socket.
pub(super) struct Ask {
    pub(super) method: &'static str,
    pub(super) build: Build,
    /// Answered with Binance's response; dropped when the socket cannot carry it.
    pub(super) reply: oneshot::Sender<WsApiResponse>,
}

/// A request Binance refused with `-1021`, to send once more after the clock is measured.
#[derive(Debug)]
pub(super) enum Retry {
    Place(NewOrder),
    Cancel(OrderId),
    Replace(AmendOrder),
}

/// What a reconciliation asks Binance for. Balances first: after a reconnect nothing is
/// replayed, and the books are compared with what the account holds.
pub(super) struct Fetched {
    pub(super) balances: Vec<AssetBalance>,
    pub(super) open: Vec<OrderResult>,
    pub(super) trades: Vec<AccountTrade>,
}

/// What the task knew when it asked for a mass status.
#[derive(Debug, Clone, Copy)]
pub(super) struct Asked {
    /// How many resumes (working orders of an earlier run) the task had received.
    pub(super) resumes: u64,
    /// Asked again because of a resume: its trades go to the desk even where they went in
    /// the mass status it replaces, which the port dropped unread.
    pub(super) again: bool,
}

/// What the jobs tell the task.
pub(super) enum Internal {
    Ask(Ask),
    /// Where the host's order `id` stands: `None` when Binance never had it.
    Settled {
        id: OrderId,
        result: Option<Box<OrderResult>>,
        trades: Vec<AccountTrade>,
    },
    /// The mass status since `since_ms`; for connection `generation`, orders go once it is out.
    Fetched {
        generation: Option<u64>,
        since_ms: TimeMs,
        asked: Asked,
        fetched: Fetched,
    },
    /// The clock offset was measured again: `retry` goes once more.
    Resynced(Retry),
}

/// Why a query has no answer yet. Each is worth asking again.
#[derive(Debug, thiserror::Error)]
pub(super) enum QueryError {
    #[error(transparent)]
    Rest(#[from] RestCallError),
    #[error("{method}: Binance refused: {error}")]
    Refused { method: &'static str, error: BinanceError },
    #[error("{method}: not sent: {refused}")]
    Waiting {
        method: &'static str,
        refused: crate::binance::rate_limit::Refused,
    },
    #[error("{method}: {source}")]
    Answer {
        method: &'static str,
        #[source]
        source: WireError,
    },
}

/// The jobs' access to Binance.
#[derive(Clone)]
pub(super) struct Asker {
    pub(super) venue: VenueId,
    pub(super) rest: Arc<BinanceRest>,
    pub(super) credentials: Arc<Credentials>,
    pub(super) clock: Arc<Mutex<ClockOffset>>,
    pub(super) recv_window_ms: Option<u64>,
    /// Binance's limits: a 429/418 wait holds REST too (weight is per IP, shared by both).
    pub(super) limits: SharedLimits,
    pub(super) internal: mpsc::UnboundedSender<Internal>,
}

impl Asker {
    /// Asks over the WebSocket API; `None` when the socket is down or dropped the question.
    async fn over_ws(&self, method: &'static str, build: Build) -> Option<WsApiResponse> {
        let (reply, answer) = oneshot::channel();
        self.internal.send(Internal::Ask(Ask { method, build, reply })).ok()?;
        answer.await.ok()
    }

    /// A signed REST GET, timestamped by the server's clock; not sent during a 429/418 wait
    /// (the REST client starts one from a 429/418 answer itself).
    async fn rest(&self, method: &'static str, path: &str, params: &[(&str, &str)]) -> Result<String, QueryError> {
        if let Err(refused) = lock(&self.limits).may_send(std::time::Instant::now()) {
            return Err(QueryError::Waiting { method, refused });
        }
        let timestamp = lock(&self.clock).server_now(wall_ms());
        Ok(self
            .rest
            .signed_get(method, path, params, &self.credentials, timestamp, self.recv_window_ms)
            .await?)
    }

    /// Reads a WebSocket API answer as `T`; `Ok(None)` for an unknown order.
    fn ws_answer<T: for<'a> Deserialize<'a>>(
        method: &'static str,
        response: &WsApiResponse,
    ) -> Result<Option<T>, QueryError> {
        match &response.outcome {
            Ok(_) => response
                .result(method)
                .map(Some)
                .map_err(|source| QueryError::Answer { method, source }),
            Err(e) if e.error.kind == ErrorKind::UnknownOrder => Ok(None),
            Err(e) => Err(QueryError::Refused {
                method,
                error: e.error.clone(),
            }),
        }
    }

    /// Reads a REST answer with `parse`; `Ok(None)` for an unknown order.
    fn rest_answer<T>(
        method: &'static str,
        answer: Result<String, QueryError>,
        parse: impl FnOnce(&str) -> Result<T, WireError>,
    ) -> Result<Option<T>, QueryError> {
        match answer {
            Ok(body) => parse(&body)
                .map(Some)
                .map_err(|source| QueryError::Answer { method, source }),
            Err(QueryError::Rest(RestCallError::Status { error: Some(e), .. }))
                if e.kind == ErrorKind::UnknownOrder =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// The host's order `id` on `symbol`; `None` when Binance never had it (`-2013`).
    async fn order_status(&self, symbol: VenueSymbol, id: &OrderId) -> Result<Option<OrderResult>, QueryError> {
        let client = id.as_str().to_owned();
        let build: Build = Box::new(move |req, auth| requests::order_status(req, symbol, &client, auth));
        if let Some(response) = self.over_ws("order.status", build).await {
            return Self::ws_answer("order.status", &response);
        }
        let params = [("symbol", symbol.as_str()), ("origClientOrderId", id.as_str())];
        Self::rest_answer("order", self.rest("order", "/api/v3/order", &params).await, parse_order)
    }

    /// `symbol`'s trades: of Binance's order `order_id`, or every one from `start_ms`, page
    /// after page (each next page from the trade id after the last one's).
    async fn trades(
        &self,
        symbol: VenueSymbol,
        order_id: Option<u64>,
        start_ms: Option<TimeMs>,
    ) -> Result<Vec<AccountTrade>, QueryError> {
        let mut page = TradesPage {
            order_id,
            start_ms,
            from_id: None,
        };
        let mut trades = Vec::new();
        for _ in 0..MAX_TRADE_PAGES {
            let got = self.trades_page(symbol, page).await?;
            let full = got.len() >= MY_TRADES_PAGE;
            let next = got.iter().map(|t| t.id).max().map(|id| id.saturating_add(1));
            trades.extend(got);
            match next {
                Some(from) if full => {
                    page = TradesPage {
                        order_id,
                        start_ms: None,
                        from_id: Some(from),
                    }
                }
                _ => return Ok(trades),
            }
        }
        tracing::warn!(venue = %self.venue, %symbol, pages = MAX_TRADE_PAGES, "more trades than the pages read: the rest are left to the next reconciliation");
        Ok(trades)
    }

    async fn trades_page(&self, symbol: VenueSymbol, page: TradesPage) -> Result<Vec<AccountTrade>, QueryError> {
        let build: Build = Box::new(move |req, auth| requests::my_trades(req, symbol, &page, auth));
        if let Some(response) = self.over_ws("myTrades", build).await {
            return Self::ws_answer("myTrades", &response).map(Option::unwrap_or_default);
        }
        let order = page.order_id.map(|id| id.to_string());
        let start = page.start_ms.map(|t| t.to_string());
        let from = page.from_id.map(|id| id.to_string());
        let limit = MY_TRADES_PAGE.to_string();
        let mut params = vec![("symbol", symbol.as_str()), ("limit", limit.as_str())];
        for (name, value) in [("orderId", &order), ("startTime", &start), ("fromId", &from)] {
            if let Some(value) = value {
                params.push((name, value));
            }
        }
        let answer = self.rest("myTrades", "/api/v3/myTrades", &params).await;
        Self::rest_answer("myTrades", answer, parse_account_trades).map(Option::unwrap_or_default)
    }

    /// Every asset's balance (those with nothing left out).
    async fn balances(&self) -> Result<Vec<AssetBalance>, QueryError> {
        let build: Build = Box::new(requests::account_status);
        let account: Option<AccountStatus> = match self.over_ws("account.status", build).await {
            Some(response) => Self::ws_answer("account.status", &response)?,
            None => {
                let answer = self
                    .rest("account", "/api/v3/account", &[("omitZeroBalances", "true")])
                    .await;
                Self::rest_answer("account", answer, parse_account)?
            }
        };
        Ok(account.map(|a| a.balances).unwrap_or_default())
    }

    /// Every open order of the account.
    async fn open_orders(&self) -> Result<Vec<OrderResult>, QueryError> {
        let build: Build = Box::new(move |req, auth| requests::open_orders_status(req, None, auth));
        if let Some(response) = self.over_ws("openOrders.status", build).await {
            return Self::ws_answer("openOrders.status", &response).map(Option::unwrap_or_default);
        }
        let answer = self.rest("openOrders", "/api/v3/openOrders", &[]).await;
        Self::rest_answer("openOrders", answer, parse_orders).map(Option::unwrap_or_default)
    }

    async fn status_with_trades(
        &self,
        symbol: VenueSymbol,
        id: &OrderId,
    ) -> Result<(Option<OrderResult>, Vec<AccountTrade>), QueryError> {
        let result = self.order_status(symbol, id).await?;
        let trades = match &result {
            Some(r) if r.executed_qty.is_some_and(|q| !q.is_zero()) => {
                self.trades(symbol, Some(r.order_id), None).await?
            }
            _ => Vec::new(),
        };
        Ok((result, trades))
    }

    /// Settles the host's order `id` on `symbol`: asks until Binance answers.
    pub(super) async fn settle(self, id: OrderId, symbol: VenueSymbol) {
        let (result, trades) = retry_until_answered(self.venue.as_str(), "order.status", || {
            self.status_with_trades(symbol, &id)
        })
        .await;
        let _ = self.internal.send(Internal::Settled {
            id,
            result: result.map(Box::new),
            trades,
        });
    }

    /// The host's order `id` when this process does not know its symbol (it was placed
    /// before a restart): `order.status` needs one, so it is looked for among the open orders.
    async fn open_status_with_trades(
        &self,
        id: &OrderId,
    ) -> Result<(Option<OrderResult>, Vec<AccountTrade>), QueryError> {
        let Some(result) = self
            .open_orders()
            .await?
            .into_iter()
            .find(|o| o.client_order_id == id.as_str())
        else {
            return Ok((None, Vec::new()));
        };
        let trades = match result.executed_qty {
            Some(q) if !q.is_zero() => self.trades(result.symbol, Some(result.order_id), None).await?,
            _ => Vec::new(),
        };
        Ok((Some(result), trades))
    }

    /// Settles the host's order `id` whose symbol this process does not know: Binance's open
    /// orders are searched for it; one not among them is reported as not found, since its
    /// symbol is needed to ask further.
    pub(super) async fn settle_unplaced(self, id: OrderId) {
        let (result, trades) = retry_until_answered(self.venue.as_str(), "openOrders.status", || {
            self.open_status_with_trades(&id)
        })
        .await;
        if result.is_none() {
            tracing::warn!(venue = %self.venue, order_id = %id, "an order this process did not place is not open on Binance; without its symbol it cannot be asked further: reported as not found");
        }
        let _ = self.internal.send(Internal::Settled {
            id,
            result: result.map(Box::new),
            trades,
        });
    }

    async fn fetch_mass(&self, since_ms: TimeMs, symbols: &[VenueSymbol]) -> Result<Fetched, QueryError> {
        let balances = self.balances().await?;
        let open = self.open_orders().await?;
        let mut all: Vec<VenueSymbol> = symbols.to_vec();
        all.extend(open.iter().map(|o| o.symbol));
        all.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        all.dedup();
        let mut trades = Vec::new();
        for symbol in all {
            trades.extend(self.trades(symbol, None, Some(since_ms)).await?);
        }
        Ok(Fetched { open, trades, balances })
    }

    /// The mass status: the balances, the open orders, and the trades since `since_ms` of
    /// `symbols` and of every symbol with an open order.
    pub(super) async fn mass_status(
        self,
        since_ms: TimeMs,
        symbols: Vec<VenueSymbol>,
        generation: Option<u64>,
        asked: Asked,
    ) {
        let fetched = retry_until_answered(self.venue.as_str(), "mass status", || {
            self.fetch_mass(since_ms, &symbols)
        })
        .await;
        let _ = self.internal.send(Internal::Fetched {
            generation,
            since_ms,
            asked,
            fetched,
        });
    }

    /// Measures the clock offset with REST `time` and keeps it.
    pub(super) async fn measure_clock(&self) -> Result<ClockOffset, QueryError> {
        let sent = wall_ms();
        let server = self.rest.server_time().await?;
        let offset = ClockOffset::measure(sent, server.server_time, wall_ms());
        *lock(&self.clock) = offset;
        Ok(offset)
    }

    /// After a `-1021`: measures the clock again, then has `retry` sent once more.
    pub(super) async fn resync_then(self, retry: Retry) {
        let offset = retry_until_answered(self.venue.as_str(), "time", || self.measure_clock()).await;
        tracing::info!(venue = %self.venue, offset_ms = offset.offset_ms(), "clock offset measured again after -1021");
        let _ = self.internal.send(Internal::Resynced(retry));
    }
}
