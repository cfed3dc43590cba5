//! The WebSocket API (`/ws-api/v3`): one connection's requests, its session, its user data
//! subscription, the server's pings and the connection's lifetime.
//!
//! Requests are `{"id","method","params"}`, one per text frame; answers are
//! `{"id","status","result"|"error":{"code","msg"[,"data"]},"rateLimits"}`. Methods:
//! `ping`, `time`, `session.logon` (Ed25519 keys), `session.status`, `session.logout`,
//! `userDataStream.subscribe` (after logon), `userDataStream.subscribe.signature` (any key),
//! `userDataStream.unsubscribe`, `order.place` (LIMIT, LIMIT_MAKER, MARKET, STOP_LOSS,
//! STOP_LOSS_LIMIT), `order.cancel`, `order.cancelReplace`, `order.amend.keepPriority`,
//! `order.status`, `openOrders.status`, `myTrades`. Trading and account methods are signed
//! (`apiKey`, `timestamp`, `signature`) or carry only `timestamp` on a logged-on session.
//!
//! Nothing a client sends can panic the loop: every frame ends in an answer, a close, or
//! nothing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::ws::{Message, WebSocket};
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use tokio::sync::{mpsc, Notify};

use crate::account::{OrderKind, OrderSide, Tif};
use crate::auth::{self, ApiKey};
use crate::config::LocalBinanceConfig;
use crate::exchange::{Exchange, Shared};
use crate::faults::Fault;
use crate::orders::{NewOrder, OrderRef, Refusal, RespType, TradesFilter};

/// `myTrades` answers at most this many trades (Binance's default limit is 500, its maximum
/// 1,000).
const MY_TRADES_MAX: usize = 1_000;

/// One WebSocket API connection as the exchange sees it.
#[derive(Debug)]
pub(crate) struct ApiConn {
    pub(crate) outbox: mpsc::Sender<String>,
    pub(crate) kill: Arc<Notify>,
    /// The API key `session.logon` authenticated, if any.
    session_key: Option<String>,
    /// The user data subscription, if any.
    pub(crate) subscription: Option<u64>,
    /// The next subscription id (per connection, from 0).
    next_subscription: u64,
}

/// A fixed counting window.
#[derive(Debug, Clone, Copy)]
struct Window {
    length: Duration,
    started: Instant,
    count: u64,
}

impl Window {
    fn new(length: Duration) -> Self {
        Self {
            length,
            started: Instant::now(),
            count: 0,
        }
    }

    fn roll(&mut self, now: Instant) {
        if now.duration_since(self.started) >= self.length {
            self.started = now;
            self.count = 0;
        }
    }

    fn left(&self, now: Instant) -> Duration {
        self.length.saturating_sub(now.duration_since(self.started))
    }
}

/// Request weight per minute and new orders per 10 s and per day, counted as Binance counts
/// them (weight per IP, orders per account: here both are the exchange's).
#[derive(Debug)]
pub(crate) struct Limits {
    weight: Window,
    weight_limit: u64,
    orders_10s: Window,
    orders_10s_limit: u64,
    orders_day: Window,
    orders_day_limit: u64,
}

impl Limits {
    pub(crate) fn new(config: &LocalBinanceConfig) -> Self {
        Self {
            weight: Window::new(Duration::from_secs(60)),
            weight_limit: config.weight_per_minute,
            orders_10s: Window::new(Duration::from_secs(10)),
            orders_10s_limit: config.orders_per_10s,
            orders_day: Window::new(Duration::from_secs(86_400)),
            orders_day_limit: config.orders_per_day,
        }
    }

    fn roll(&mut self, now: Instant) {
        self.weight.roll(now);
        self.orders_10s.roll(now);
        self.orders_day.roll(now);
    }

    /// Counts `weight`; past the limit, 429 with the time the window ends.
    fn spend(&mut self, weight: u64, now: Instant, clock_ms: i64) -> Result<(), Refusal> {
        self.roll(now);
        self.weight.count += weight;
        if self.weight.count > self.weight_limit {
            let retry_after = clock_ms + i64::try_from(self.weight.left(now).as_millis()).unwrap_or(0);
            return Err(Refusal {
                data: Some(json!({"serverTime": clock_ms, "retryAfter": retry_after})),
                ..Refusal::new(
                    429,
                    -1003,
                    format!(
                        "Too much request weight used; current limit is {} request weight per 1 MINUTE.",
                        self.weight_limit
                    ),
                )
            });
        }
        Ok(())
    }

    /// Counts a new order; past a limit, -1015.
    fn place(&mut self, now: Instant) -> Result<(), Refusal> {
        self.roll(now);
        for (window, limit, unit) in [
            (&mut self.orders_10s, self.orders_10s_limit, "10 SECOND"),
            (&mut self.orders_day, self.orders_day_limit, "1 DAY"),
        ] {
            if window.count >= limit {
                return Err(Refusal::new(
                    429,
                    -1015,
                    format!("Too many new orders; current limit is {limit} orders per {unit}."),
                ));
            }
        }
        self.orders_10s.count += 1;
        self.orders_day.count += 1;
        Ok(())
    }

    /// `rateLimits` as every answer carries it.
    fn usage(&self) -> Value {
        json!([
            {"rateLimitType": "REQUEST_WEIGHT", "interval": "MINUTE", "intervalNum": 1,
             "limit": self.weight_limit, "count": self.weight.count},
            {"rateLimitType": "ORDERS", "interval": "SECOND", "intervalNum": 10,
             "limit": self.orders_10s_limit, "count": self.orders_10s.count},
            {"rateLimitType": "ORDERS", "interval": "DAY", "intervalNum": 1,
             "limit": self.orders_day_limit, "count": self.orders_day.count}
        ])
    }
}

/// What becomes of one request frame.
enum Reply {
    Send(String),
    /// Drop the connection without answering.
    Drop,
    /// Answer nothing.
    Silent,
}

/// Runs one WebSocket API connection until it closes.
pub(crate) async fn run(mut socket: WebSocket, shared: Arc<Shared>) {
    let (id, mut outbox, kill, config) = {
        let mut ex = shared.lock();
        let config = ex.config.clone();
        let (tx, rx) = mpsc::channel(config.outbox_capacity);
        let kill = Arc::new(Notify::new());
        let id = ex.next_conn_id();
        ex.api_opened += 1;
        ex.api_conns.insert(
            id,
            ApiConn {
                outbox: tx,
                kill: kill.clone(),
                session_key: None,
                subscription: None,
                next_subscription: 0,
            },
        );
        (id, rx, kill, config)
    };
    let end_of_life = tokio::time::Instant::now() + config.ws_api_lifetime;
    let mut ping = tokio::time::interval(config.ping_interval);
    ping.tick().await;
    let mut pinger = crate::ping::Pinger::new(config.pong_timeout);
    loop {
        tokio::select! {
            () = kill.notified() => break,
            () = tokio::time::sleep_until(end_of_life) => {
                let _ = socket.send(Message::Close(None)).await;
                break;
            }
            frame = socket.recv() => {
                let Some(Ok(frame)) = frame else { break };
                match frame {
                    Message::Text(text) => {
                        let reply = {
                            let mut ex = shared.lock();
                            handle(&mut ex, id, text.as_str())
                        };
                        match reply {
                            Reply::Send(answer) => shared.lock().send_api(id, answer),
                            Reply::Silent => {}
                            Reply::Drop => break,
                        }
                    }
                    Message::Pong(_) => pinger.ponged(),
                    Message::Close(_) => break,
                    Message::Ping(_) | Message::Binary(_) => {}
                }
            }
            out = outbox.recv() => {
                let Some(text) = out else { break };
                if socket.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
            _ = ping.tick() => {
                if !pinger.ping(&mut socket).await {
                    break;
                }
            }
        }
    }
    shared.lock().api_conns.remove(&id);
}

/// A request's params, each as the text it signs as.
struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    fn new(params: Option<&Map<String, Value>>) -> Self {
        let pairs = params
            .map(|map| {
                map.iter()
                    .map(|(k, v)| {
                        let text = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        (k.clone(), text)
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self { pairs }
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    fn required(&self, name: &str) -> Result<&str, Refusal> {
        self.get(name).filter(|v| !v.is_empty()).ok_or_else(|| missing(name))
    }

    /// A decimal as Binance takes it: digits and one point, nothing else (no sign, no
    /// exponent).
    fn decimal(&self, name: &str) -> Result<Option<Decimal>, Refusal> {
        let illegal = || Refusal::new(400, -1100, format!("Illegal characters found in parameter '{name}'."));
        match self.get(name) {
            None => Ok(None),
            Some(text) if !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') => Err(illegal()),
            Some(text) => text.parse::<Decimal>().map(Some).map_err(|_| illegal()),
        }
    }

    fn integer(&self, name: &str) -> Result<Option<i64>, Refusal> {
        match self.get(name) {
            None => Ok(None),
            Some(text) => text
                .parse::<i64>()
                .map(Some)
                .map_err(|_| Refusal::new(400, -1100, format!("Illegal characters found in parameter '{name}'."))),
        }
    }
}

fn missing(name: &str) -> Refusal {
    Refusal::new(
        400,
        -1102,
        format!("Mandatory parameter '{name}' was not sent, was empty/null, or malformed."),
    )
}

/// The weight Binance charges a method (web-socket-api.md).
fn weight(method: &str, params: &Params) -> u64 {
    match method {
        "session.logon" | "userDataStream.subscribe" | "userDataStream.subscribe.signature" => 2,
        "order.status" | "order.amend.keepPriority" => 4,
        "openOrders.status" if params.get("symbol").is_some() => 6,
        "openOrders.status" => 80,
        "myTrades" | "account.status" => 20,
        _ => 1,
    }
}

/// Answers one request frame.
fn handle(ex: &mut Exchange, conn: u64, text: &str) -> Reply {
    let request: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            return Reply::Send(
                json!({"id": null, "status": 400, "error": {"code": -1100, "msg": format!("Invalid JSON: {e}")}})
                    .to_string(),
            )
        }
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let id = if id.is_null() || id.is_u64() || id.as_str().is_some_and(|s| s.len() <= 36) {
        id
    } else {
        Value::Null
    };
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let params = Params::new(request.get("params").and_then(Value::as_object));
    let now = Instant::now();
    let clock = ex.clock_ms();
    let fault = ex.faults.front().copied().filter(|f| f.applies_to(&method));
    if let Some(Fault::RateLimit { status, retry_after_ms }) = fault {
        ex.faults.pop_front();
        let refusal = Refusal {
            data: Some(json!({"serverTime": clock, "retryAfter": clock + retry_after_ms})),
            ..Refusal::new(
                status,
                -1003,
                format!(
                    "Way too much request weight used; IP banned until {}.",
                    clock + retry_after_ms
                ),
            )
        };
        return Reply::Send(answer(ex, &id, Err(refusal)));
    }
    if let Err(refusal) = ex.limits.spend(weight(&method, &params), now, clock) {
        return Reply::Send(answer(ex, &id, Err(refusal)));
    }
    let placing = matches!(method.as_str(), "order.place" | "order.cancelReplace");
    if placing {
        ex.order_places += 1;
        ex.last_order_place_at = Some(now);
    }
    // What the execution faults act on: a request that changes an order.
    let executing = placing || method == "order.amend.keepPriority";
    let outcome = dispatch(ex, conn, &method, &params, now);
    match fault {
        Some(Fault::ExecuteThenDrop) if executing => {
            ex.faults.pop_front();
            // Whatever the request caused is lost with the socket, its answer first.
            if let Some(c) = ex.api_conns.remove(&conn) {
                c.kill.notify_one();
            }
            Reply::Drop
        }
        Some(Fault::ExecuteSilently) if executing => {
            ex.faults.pop_front();
            Reply::Silent
        }
        Some(Fault::ExecuteThenTimeout { status }) if executing => {
            ex.faults.pop_front();
            let refusal = Refusal::new(
                status,
                -1007,
                "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
            );
            Reply::Send(answer(ex, &id, Err(refusal)))
        }
        _ => Reply::Send(answer(ex, &id, outcome)),
    }
}

fn answer(ex: &Exchange, id: &Value, outcome: Result<Value, Refusal>) -> String {
    let limits = ex.limits.usage();
    match outcome {
        Ok(result) => json!({"id": id, "status": 200, "result": result, "rateLimits": limits}).to_string(),
        Err(refusal) => {
            let mut error = json!({"code": refusal.code, "msg": refusal.msg});
            if let (Some(data), Some(object)) = (refusal.data, error.as_object_mut()) {
                object.insert("data".into(), data);
            }
            json!({"id": id, "status": refusal.status, "error": error, "rateLimits": limits}).to_string()
        }
    }
}

/// The key a signed request's params name, verified, with its timestamp checked.
fn signed<'a>(ex: &'a Exchange, params: &Params) -> Result<&'a ApiKey, Refusal> {
    let api_key = params.required("apiKey")?;
    let signature = params.required("signature")?;
    let key = auth::find_key(&ex.config.api_keys, api_key)?;
    auth::check_timestamp(params.get("timestamp"), params.get("recvWindow"), ex.clock_ms())?;
    if !key.verifies(&auth::ws_api_payload(&params.pairs), signature) {
        return Err(auth::bad_signature());
    }
    Ok(key)
}

/// A trading or account request's authentication: signed, or on a logged-on session with a
/// timestamp.
fn authorized(ex: &Exchange, conn: u64, params: &Params) -> Result<(), Refusal> {
    if params.get("signature").is_some() {
        return signed(ex, params).map(|_| ());
    }
    let logged_on = ex.api_conns.get(&conn).is_some_and(|c| c.session_key.is_some());
    if !logged_on {
        return Err(missing("apiKey"));
    }
    auth::check_timestamp(params.get("timestamp"), params.get("recvWindow"), ex.clock_ms())
}

fn subscribe(ex: &mut Exchange, conn: u64) -> Result<Value, Refusal> {
    let Some(c) = ex.api_conns.get_mut(&conn) else {
        return Err(Refusal::new(400, -1000, "The connection is closing."));
    };
    if c.subscription.is_some() {
        return Err(Refusal::new(
            400,
            -2035,
            "User Data Stream subscription already active.",
        ));
    }
    let subscription = c.next_subscription;
    c.next_subscription += 1;
    c.subscription = Some(subscription);
    Ok(json!({"subscriptionId": subscription}))
}

fn order_ref(params: &Params, id_name: &str, client_name: &str) -> Result<OrderRef, Refusal> {
    let symbol = params.required("symbol")?.to_owned();
    let order_id = params.integer(id_name)?.and_then(|n| u64::try_from(n).ok());
    let client_id = params.get(client_name).map(str::to_owned);
    if order_id.is_none() && client_id.is_none() {
        return Err(Refusal::new(
            400,
            -1102,
            format!("Param '{client_name}' or '{id_name}' must be sent, but both were empty/null!"),
        ));
    }
    Ok(OrderRef {
        symbol,
        order_id,
        client_id,
    })
}

fn new_order(params: &Params, client_name: &str) -> Result<NewOrder, Refusal> {
    let symbol = params.required("symbol")?.to_owned();
    let side = match params.required("side")? {
        "BUY" => OrderSide::Buy,
        "SELL" => OrderSide::Sell,
        _ => {
            return Err(Refusal::new(
                400,
                -1100,
                "Illegal characters found in parameter 'side'.",
            ))
        }
    };
    let kind = match params.required("type")? {
        "LIMIT" => OrderKind::Limit,
        "LIMIT_MAKER" => OrderKind::LimitMaker,
        "MARKET" => OrderKind::Market,
        "STOP_LOSS" => OrderKind::StopLoss,
        "STOP_LOSS_LIMIT" => OrderKind::StopLossLimit,
        _ => return Err(Refusal::new(400, -1116, "Invalid orderType.")),
    };
    // A stop-loss triggers into a market order: a price or a time in force would mean
    // nothing, so they are refused (-1106) rather than ignored.
    let not_required = |name: &str| Refusal::new(400, -1106, format!("Parameter '{name}' sent when not required."));
    if kind == OrderKind::StopLoss {
        for name in ["price", "timeInForce"] {
            if params.get(name).is_some() {
                return Err(not_required(name));
            }
        }
    }
    let stop_price = params.decimal("stopPrice")?;
    match (kind.is_stop(), stop_price) {
        (true, None) => return Err(missing("stopPrice")),
        (false, Some(_)) => return Err(not_required("stopPrice")),
        _ => {}
    }
    let tif = match (kind, params.get("timeInForce")) {
        (OrderKind::Limit | OrderKind::StopLossLimit, None) => return Err(missing("timeInForce")),
        (_, None) => Tif::Gtc,
        (_, Some("GTC")) => Tif::Gtc,
        (_, Some("IOC")) => Tif::Ioc,
        (_, Some("FOK")) => Tif::Fok,
        (_, Some(_)) => return Err(Refusal::new(400, -1115, "Invalid timeInForce.")),
    };
    let price = params.decimal("price")?;
    let priced = !matches!(kind, OrderKind::Market | OrderKind::StopLoss);
    if priced && price.is_none() {
        return Err(missing("price"));
    }
    let qty = params.decimal("quantity")?.ok_or_else(|| missing("quantity"))?;
    let resp_type = match params.get("newOrderRespType") {
        Some("ACK") => RespType::Ack,
        Some("RESULT") => RespType::Result,
        Some("FULL") => RespType::Full,
        // FULL for MARKET and LIMIT (and, here, LIMIT_MAKER); other types answer ACK.
        None if kind.is_stop() => RespType::Ack,
        None => RespType::Full,
        Some(_) => {
            return Err(Refusal::new(
                400,
                -1100,
                "Illegal characters found in parameter 'newOrderRespType'.",
            ))
        }
    };
    Ok(NewOrder {
        symbol,
        side,
        kind,
        tif,
        price: if priced { price } else { None },
        stop_price,
        qty,
        client_id: params.get(client_name).map(str::to_owned),
        resp_type,
    })
}

fn dispatch(ex: &mut Exchange, conn: u64, method: &str, params: &Params, now: Instant) -> Result<Value, Refusal> {
    let clock = ex.clock_ms();
    match method {
        "ping" => Ok(json!({})),
        "time" => Ok(json!({"serverTime": clock})),
        "session.logon" => {
            let key = signed(ex, params)?;
            if !key.is_ed25519() {
                return Err(Refusal::new(400, -4056, "HMAC_SHA256 API key is not supported."));
            }
            let api_key = key.api_key.clone();
            ex.logons += 1;
            if let Some(c) = ex.api_conns.get_mut(&conn) {
                c.session_key = Some(api_key.clone());
            }
            Ok(
                json!({"apiKey": api_key, "authorizedSince": clock, "connectedSince": clock,
                      "returnRateLimits": true, "serverTime": clock, "userDataStream": false}),
            )
        }
        "session.status" => {
            let key = ex.api_conns.get(&conn).and_then(|c| c.session_key.clone());
            Ok(json!({"apiKey": key, "serverTime": clock}))
        }
        "session.logout" => {
            let ended = ex.api_conns.get_mut(&conn).and_then(|c| {
                c.session_key = None;
                c.subscription.take()
            });
            if let Some(subscription) = ended {
                let text = json!({"subscriptionId": subscription,
                                  "event": {"e": "eventStreamTerminated", "E": clock}})
                .to_string();
                ex.send_api(conn, text);
            }
            Ok(json!({"apiKey": null, "serverTime": clock}))
        }
        "userDataStream.subscribe" => {
            let logged_on = ex.api_conns.get(&conn).is_some_and(|c| c.session_key.is_some());
            if !logged_on {
                return Err(Refusal::new(
                    401,
                    -1002,
                    "You are not authorized to execute this request.",
                ));
            }
            subscribe(ex, conn)
        }
        "userDataStream.subscribe.signature" => {
            signed(ex, params)?;
            subscribe(ex, conn)
        }
        "userDataStream.unsubscribe" => {
            if let Some(c) = ex.api_conns.get_mut(&conn) {
                c.subscription = None;
            }
            Ok(json!({}))
        }
        "order.place" => {
            authorized(ex, conn, params)?;
            let order = new_order(params, "newClientOrderId")?;
            ex.limits.place(now)?;
            ex.place(order)
        }
        "order.cancel" => {
            authorized(ex, conn, params)?;
            let target = order_ref(params, "orderId", "origClientOrderId")?;
            ex.cancel(&target, params.get("newClientOrderId").map(str::to_owned))
        }
        "order.cancelReplace" => {
            authorized(ex, conn, params)?;
            let target = order_ref(params, "cancelOrderId", "cancelOrigClientOrderId")?;
            let allow_failure = match params.required("cancelReplaceMode")? {
                "STOP_ON_FAILURE" => false,
                "ALLOW_FAILURE" => true,
                _ => {
                    return Err(Refusal::new(
                        400,
                        -1100,
                        "Illegal characters found in parameter 'cancelReplaceMode'.",
                    ))
                }
            };
            let order = new_order(params, "newClientOrderId")?;
            ex.limits.place(now)?;
            ex.cancel_replace(&target, order, allow_failure)
        }
        "order.amend.keepPriority" => {
            authorized(ex, conn, params)?;
            let target = order_ref(params, "orderId", "origClientOrderId")?;
            let new_qty = params.decimal("newQty")?.ok_or_else(|| missing("newQty"))?;
            ex.amend_keep_priority(&target, new_qty, params.get("newClientOrderId"))
        }
        "order.status" => {
            authorized(ex, conn, params)?;
            ex.order_status(&order_ref(params, "orderId", "origClientOrderId")?)
        }
        "openOrders.status" => {
            authorized(ex, conn, params)?;
            ex.open_orders(params.get("symbol"))
        }
        "account.status" => {
            authorized(ex, conn, params)?;
            ex.account_status(params.get("omitZeroBalances"))
        }
        "myTrades" => {
            authorized(ex, conn, params)?;
            let symbol = params.required("symbol")?.to_owned();
            let filter = TradesFilter {
                order_id: params.integer("orderId")?.and_then(|n| u64::try_from(n).ok()),
                start_ms: params.integer("startTime")?,
                from_id: params.integer("fromId")?.and_then(|n| u64::try_from(n).ok()),
                limit: params
                    .integer("limit")?
                    .and_then(|n| usize::try_from(n).ok())
                    .unwrap_or(500)
                    .min(MY_TRADES_MAX),
            };
            ex.my_trades(&symbol, &filter)
        }
        other => Err(Refusal::new(
            400,
            -1020,
            format!("Unsupported method: {}", other.chars().take(40).collect::<String>()),
        )),
    }
}

impl Exchange {
    /// Sends `serverShutdown` to every WebSocket API connection.
    pub(crate) fn api_server_shutdown(&mut self) {
        let text = json!({"event": {"e": "serverShutdown", "E": self.clock_ms()}}).to_string();
        let ids: Vec<u64> = self.api_conns.keys().copied().collect();
        for id in ids {
            self.send_api(id, text.clone());
        }
    }

    /// Ends every user data subscription with `eventStreamTerminated`.
    pub(crate) fn terminate_user_streams(&mut self) {
        let now = self.clock_ms();
        let ended: Vec<(u64, u64)> = self
            .api_conns
            .iter_mut()
            .filter_map(|(id, c)| c.subscription.take().map(|s| (*id, s)))
            .collect();
        for (id, subscription) in ended {
            let text =
                json!({"subscriptionId": subscription, "event": {"e": "eventStreamTerminated", "E": now}}).to_string();
            self.send_api(id, text);
        }
    }

    /// Closes every WebSocket API connection abruptly.
    pub(crate) fn drop_api_connections(&mut self) {
        for (_, conn) in self.api_conns.drain() {
            conn.kill.notify_one();
        }
    }
}

impl Exchange {
    /// Counts a REST request's weight, as the WebSocket API's is counted (one budget per IP).
    pub(crate) fn spend_rest_weight(&mut self, weight: u64) -> Result<(), Refusal> {
        let clock = self.clock_ms();
        self.limits.spend(weight, Instant::now(), clock)
    }

    /// The request weight used in the current minute.
    pub(crate) fn used_weight(&self) -> u64 {
        self.limits.weight.count
    }
}
