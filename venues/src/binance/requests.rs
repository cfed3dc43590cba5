//! The JSON text of WebSocket API requests (web-socket-api.md): `session.logon`,
//! `userDataStream.subscribe` and `.subscribe.signature`, `order.place`, `order.cancel`,
//! `order.cancelReplace`, `order.status`, `openOrders.status`, `myTrades`, `time`. Pure: times
//! and ids come in as arguments.
//!
//! A request is `{"id","method","params":{…}}`. Signed requests carry `apiKey`, `timestamp`,
//! `recvWindow` (if configured) and `signature` over every other param sorted by name
//! ([`super::signing::ws_api_payload`]); after `session.logon` (Ed25519 keys) requests carry
//! only `timestamp` (and `recvWindow`): the session authenticates them.

use rust_decimal::Decimal;
use serde_json::{Map, Value};
use trading::market::TimeMs;
use trading::orders::TimeInForce;

use super::signing::Credentials;
use super::wire::{OrderSide, VenueSymbol};

/// How a request is authenticated.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// Not at all (`time`, `userDataStream.subscribe` on a logged-on session).
    None,
    /// Signed with `credentials` at `timestamp_ms`.
    Signed {
        /// The key.
        credentials: &'a Credentials,
        /// The request's time by the server's clock (the local clock plus the measured offset).
        timestamp_ms: TimeMs,
        /// `recvWindow`, if set (Binance's default is 5,000 ms, its maximum 60,000).
        recv_window_ms: Option<u64>,
    },
    /// On a session `session.logon` authenticated: a timestamp, no key or signature.
    Session {
        /// The request's time by the server's clock.
        timestamp_ms: TimeMs,
        /// `recvWindow`, if set.
        recv_window_ms: Option<u64>,
    },
}

/// How an order prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderKind {
    /// `LIMIT`, with its `timeInForce` (`GTC`, `IOC`, `FOK`).
    Limit {
        /// The limit price.
        price: Decimal,
        /// How long it works.
        time_in_force: TimeInForce,
    },
    /// `LIMIT_MAKER`: post-only, rejected if it would take.
    LimitMaker {
        /// The limit price.
        price: Decimal,
    },
    /// `MARKET`.
    Market,
    /// `STOP_LOSS`: a market order once the last price reaches `stop_price` (a buy at or
    /// above it, a sell at or below).
    StopLoss {
        /// The trigger (`stopPrice`).
        stop_price: Decimal,
    },
    /// `STOP_LOSS_LIMIT`: a limit order at `price` once the last price reaches `stop_price`.
    StopLossLimit {
        /// The trigger (`stopPrice`).
        stop_price: Decimal,
        /// The limit price once triggered.
        price: Decimal,
        /// How long it works once triggered.
        time_in_force: TimeInForce,
    },
}

impl OrderKind {
    /// The limit price (`price`), for the kinds that have one.
    pub fn limit_price(self) -> Option<Decimal> {
        match self {
            OrderKind::Limit { price, .. }
            | OrderKind::LimitMaker { price }
            | OrderKind::StopLossLimit { price, .. } => Some(price),
            OrderKind::Market | OrderKind::StopLoss { .. } => None,
        }
    }

    /// The same order at another limit price; `None` for the kinds without one.
    pub fn with_limit_price(self, price: Decimal) -> Option<Self> {
        match self {
            OrderKind::Limit { time_in_force, .. } => Some(OrderKind::Limit { price, time_in_force }),
            OrderKind::LimitMaker { .. } => Some(OrderKind::LimitMaker { price }),
            OrderKind::StopLossLimit {
                stop_price,
                time_in_force,
                ..
            } => Some(OrderKind::StopLossLimit {
                stop_price,
                price,
                time_in_force,
            }),
            OrderKind::Market | OrderKind::StopLoss { .. } => None,
        }
    }
}

/// Binance's spelling of a time in force.
fn time_in_force_text(time_in_force: TimeInForce) -> &'static str {
    match time_in_force {
        TimeInForce::Gtc => "GTC",
        TimeInForce::Ioc => "IOC",
        TimeInForce::Fok => "FOK",
    }
}

/// A new order, in Binance's terms (the symbol and quantities already on its filters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceOrder {
    /// The symbol.
    pub symbol: VenueSymbol,
    /// Buy or sell.
    pub side: OrderSide,
    /// How it prices.
    pub kind: OrderKind,
    /// The base quantity.
    pub quantity: Decimal,
    /// The host's client order id (`newClientOrderId`), which Binance echoes back.
    pub client_order_id: String,
}

/// One param's value: text, or an integer Binance takes as a JSON number.
#[derive(Debug, Clone)]
enum Param {
    Text(String),
    Int(i64),
}

impl Param {
    fn text(&self) -> String {
        match self {
            Param::Text(text) => text.clone(),
            Param::Int(n) => n.to_string(),
        }
    }
}

/// Builds the request text, adding what `auth` asks for.
fn request(id: u64, method: &str, mut params: Vec<(&'static str, Param)>, auth: Auth<'_>) -> String {
    match auth {
        Auth::None => {}
        Auth::Session {
            timestamp_ms,
            recv_window_ms,
        } => {
            params.push(("timestamp", Param::Int(timestamp_ms)));
            if let Some(window) = recv_window_ms {
                params.push(("recvWindow", Param::Int(i64::try_from(window).unwrap_or(i64::MAX))));
            }
        }
        Auth::Signed {
            credentials,
            timestamp_ms,
            recv_window_ms,
        } => {
            params.push(("apiKey", Param::Text(credentials.api_key().to_owned())));
            params.push(("timestamp", Param::Int(timestamp_ms)));
            if let Some(window) = recv_window_ms {
                params.push(("recvWindow", Param::Int(i64::try_from(window).unwrap_or(i64::MAX))));
            }
            let texts: Vec<(&str, String)> = params.iter().map(|(k, v)| (*k, v.text())).collect();
            let borrowed: Vec<(&str, &str)> = texts.iter().map(|(k, v)| (*k, v.as_str())).collect();
            params.push(("signature", Param::Text(credentials.sign_ws_api(&borrowed))));
        }
    }
    let mut object = Map::new();
    for (key, value) in params {
        let value = match value {
            Param::Text(text) => Value::String(text),
            Param::Int(n) => Value::from(n),
        };
        object.insert(key.to_owned(), value);
    }
    let mut envelope = Map::new();
    envelope.insert("id".into(), Value::from(id));
    envelope.insert("method".into(), Value::String(method.to_owned()));
    if !object.is_empty() {
        envelope.insert("params".into(), Value::Object(object));
    }
    Value::Object(envelope).to_string()
}

/// `session.logon`: authenticates the connection (Ed25519 keys only).
pub fn session_logon(id: u64, credentials: &Credentials, timestamp_ms: TimeMs, recv_window_ms: Option<u64>) -> String {
    let auth = Auth::Signed {
        credentials,
        timestamp_ms,
        recv_window_ms,
    };
    request(id, "session.logon", Vec::new(), auth)
}

/// `userDataStream.subscribe`: user data on a logged-on session.
pub fn user_data_subscribe(id: u64) -> String {
    request(id, "userDataStream.subscribe", Vec::new(), Auth::None)
}

/// `userDataStream.unsubscribe` of `subscription_id`: no more user data on this connection.
pub fn user_data_unsubscribe(id: u64, subscription_id: u64) -> String {
    let params = vec![(
        "subscriptionId",
        Param::Int(i64::try_from(subscription_id).unwrap_or(i64::MAX)),
    )];
    request(id, "userDataStream.unsubscribe", params, Auth::None)
}

/// `userDataStream.subscribe.signature`: user data for any key type, signed.
pub fn user_data_subscribe_signature(
    id: u64,
    credentials: &Credentials,
    timestamp_ms: TimeMs,
    recv_window_ms: Option<u64>,
) -> String {
    let auth = Auth::Signed {
        credentials,
        timestamp_ms,
        recv_window_ms,
    };
    request(id, "userDataStream.subscribe.signature", Vec::new(), auth)
}

/// `order.place`, with the full response (`newOrderRespType` FULL: fills included).
pub fn order_place(id: u64, order: &PlaceOrder, auth: Auth<'_>) -> String {
    request(id, "order.place", order_params(order), auth)
}

/// `order.cancelReplace` (STOP_ON_FAILURE: nothing new is placed unless the cancel worked) of
/// the order with client id `cancel_client_order_id`, by `order`: how an amend goes on Binance
/// spot, which keeps the new order's client id.
pub fn order_cancel_replace(id: u64, cancel_client_order_id: &str, order: &PlaceOrder, auth: Auth<'_>) -> String {
    let mut params = order_params(order);
    params.push(("cancelReplaceMode", Param::Text("STOP_ON_FAILURE".to_owned())));
    params.push((
        "cancelOrigClientOrderId",
        Param::Text(cancel_client_order_id.to_owned()),
    ));
    request(id, "order.cancelReplace", params, auth)
}

/// `order.amend.keepPriority`: the order with client id `client_order_id` down to `new_qty`
/// (its Binance quantity, what filled included), in place: it keeps its place in the queue.
/// Binance only takes a decrease. The client id is sent as the new one too, or Binance would
/// give the amended order a fresh one.
pub fn order_amend_keep_priority(
    id: u64,
    symbol: &VenueSymbol,
    client_order_id: &str,
    new_qty: Decimal,
    auth: Auth<'_>,
) -> String {
    let params = vec![
        ("symbol", Param::Text(symbol.as_str().to_owned())),
        ("origClientOrderId", Param::Text(client_order_id.to_owned())),
        ("newClientOrderId", Param::Text(client_order_id.to_owned())),
        ("newQty", Param::Text(new_qty.to_string())),
    ];
    request(id, "order.amend.keepPriority", params, auth)
}

/// The most trades one `myTrades` answer holds (Binance's maximum `limit`).
pub const MY_TRADES_PAGE: usize = 1_000;

/// Which page of a symbol's trades `myTrades` asks for. Binance takes the order with or
/// without `from_id`, or `start_ms` alone, or `from_id` alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TradesPage {
    /// One order's trades.
    pub order_id: Option<u64>,
    /// Trades from this time on (the first page of a time).
    pub start_ms: Option<TimeMs>,
    /// Trades from this trade id on (every page after the first).
    pub from_id: Option<u64>,
}

/// `myTrades` of `symbol`, one page of [`MY_TRADES_PAGE`] at most.
pub fn my_trades(id: u64, symbol: VenueSymbol, page: &TradesPage, auth: Auth<'_>) -> String {
    let mut params = vec![("symbol", Param::Text(symbol.as_str().to_owned()))];
    let int = |n: u64| Param::Int(i64::try_from(n).unwrap_or(i64::MAX));
    if let Some(order_id) = page.order_id {
        params.push(("orderId", int(order_id)));
    }
    if let Some(start) = page.start_ms {
        params.push(("startTime", Param::Int(start)));
    }
    if let Some(from) = page.from_id {
        params.push(("fromId", int(from)));
    }
    params.push(("limit", int(MY_TRADES_PAGE as u64)));
    request(id, "myTrades", params, auth)
}

fn order_params(order: &PlaceOrder) -> Vec<(&'static str, Param)> {
    let mut params = vec![
        ("symbol", Param::Text(order.symbol.as_str().to_owned())),
        ("side", Param::Text(order.side.as_str().to_owned())),
    ];
    let (kind, stop_price, tif) = match order.kind {
        OrderKind::Limit { time_in_force, .. } => ("LIMIT", None, Some(time_in_force)),
        OrderKind::LimitMaker { .. } => ("LIMIT_MAKER", None, None),
        OrderKind::Market => ("MARKET", None, None),
        OrderKind::StopLoss { stop_price } => ("STOP_LOSS", Some(stop_price), None),
        OrderKind::StopLossLimit {
            stop_price,
            time_in_force,
            ..
        } => ("STOP_LOSS_LIMIT", Some(stop_price), Some(time_in_force)),
    };
    params.push(("type", Param::Text(kind.to_owned())));
    if let Some(tif) = tif {
        params.push(("timeInForce", Param::Text(time_in_force_text(tif).to_owned())));
    }
    if let Some(price) = order.kind.limit_price() {
        params.push(("price", Param::Text(price.to_string())));
    }
    if let Some(stop_price) = stop_price {
        params.push(("stopPrice", Param::Text(stop_price.to_string())));
    }
    params.push(("quantity", Param::Text(order.quantity.to_string())));
    params.push(("newClientOrderId", Param::Text(order.client_order_id.clone())));
    params.push(("newOrderRespType", Param::Text("FULL".to_owned())));
    params
}

/// `order.cancel` of the order with client id `client_order_id`.
pub fn order_cancel(id: u64, symbol: VenueSymbol, client_order_id: &str, auth: Auth<'_>) -> String {
    let params = vec![
        ("symbol", Param::Text(symbol.as_str().to_owned())),
        ("origClientOrderId", Param::Text(client_order_id.to_owned())),
    ];
    request(id, "order.cancel", params, auth)
}

/// `order.status` of the order with client id `client_order_id`: how an unknown outcome is
/// settled.
pub fn order_status(id: u64, symbol: VenueSymbol, client_order_id: &str, auth: Auth<'_>) -> String {
    let params = vec![
        ("symbol", Param::Text(symbol.as_str().to_owned())),
        ("origClientOrderId", Param::Text(client_order_id.to_owned())),
    ];
    request(id, "order.status", params, auth)
}

/// `openOrders.status`, of one symbol or of all.
pub fn open_orders_status(id: u64, symbol: Option<VenueSymbol>, auth: Auth<'_>) -> String {
    let params = symbol
        .map(|s| vec![("symbol", Param::Text(s.as_str().to_owned()))])
        .unwrap_or_default();
    request(id, "openOrders.status", params, auth)
}

/// `account.status`: the account's balances (and, unread, its commissions and permissions),
/// assets with nothing in them left out.
pub fn account_status(id: u64, auth: Auth<'_>) -> String {
    request(
        id,
        "account.status",
        vec![("omitZeroBalances", Param::Text("true".into()))],
        auth,
    )
}

/// `time`: the server's clock, for the offset a signed request's timestamp needs.
pub fn time(id: u64) -> String {
    request(id, "time", Vec::new(), Auth::None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binance::signing::{ws_api_payload, SigningKey};

    fn vectors() -> Value {
        serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/binance/signing_vectors.json"
        )))
        .unwrap()
    }

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    const API_KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";

    #[test]
    fn a_signed_order_place_carries_the_documented_signature() {
        let v = vectors();
        let credentials = Credentials::new(API_KEY, SigningKey::hmac(v["secret_key"].as_str().unwrap()));
        let order = PlaceOrder {
            symbol: VenueSymbol::new("BTCUSDT").unwrap(),
            side: OrderSide::Sell,
            kind: OrderKind::Limit {
                price: d("52000.00"),
                time_in_force: TimeInForce::Gtc,
            },
            quantity: d("0.01000000"),
            client_order_id: "h-1".into(),
        };
        let auth = Auth::Signed {
            credentials: &credentials,
            timestamp_ms: 1_645_423_376_532,
            recv_window_ms: Some(100),
        };
        let text = order_place(7, &order, auth);
        let request: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (request["id"].as_u64(), request["method"].as_str()),
            (Some(7), Some("order.place"))
        );
        let params = request["params"].as_object().unwrap();
        assert_eq!(params["price"], "52000.00");
        assert_eq!(params["quantity"], "0.01000000");
        assert_eq!(params["timestamp"], 1_645_423_376_532i64);
        // What was signed is every param but the signature, sorted by name; the documented
        // vector has no client order id or response type, so the signature is checked by
        // signing that payload again, and the documented payload alone against its signature.
        let signed: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| *k != "signature")
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect();
        let signed: Vec<(&str, &str)> = signed.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(params["signature"], credentials.key().sign(&ws_api_payload(&signed)));

        let without_extras: Vec<(&str, &str)> = signed
            .iter()
            .copied()
            .filter(|(k, _)| *k != "newClientOrderId" && *k != "newOrderRespType")
            .collect();
        assert_eq!(
            ws_api_payload(&without_extras),
            v["ws_api_hmac_sha256"]["payload"].as_str().unwrap()
        );
        assert_eq!(
            credentials.key().sign(&ws_api_payload(&without_extras)),
            v["ws_api_hmac_sha256"]["signature_hex"].as_str().unwrap()
        );
    }

    #[test]
    fn logon_subscriptions_queries_and_sessions() {
        let credentials = Credentials::new("key", SigningKey::hmac("secret"));
        let logon: Value = serde_json::from_str(&session_logon(1, &credentials, 5, None)).unwrap();
        assert_eq!(logon["method"], "session.logon");
        assert_eq!(
            logon["params"]
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            ["apiKey", "signature", "timestamp"]
        );
        assert_eq!(
            user_data_subscribe(2),
            r#"{"id":2,"method":"userDataStream.subscribe"}"#
        );
        let signature: Value =
            serde_json::from_str(&user_data_subscribe_signature(3, &credentials, 5, Some(5000))).unwrap();
        assert_eq!(signature["params"]["recvWindow"], 5000);
        let symbol = VenueSymbol::new("BTCUSDT").unwrap();
        let session = Auth::Session {
            timestamp_ms: 9,
            recv_window_ms: None,
        };
        let status: Value = serde_json::from_str(&order_status(4, symbol, "h-1", session)).unwrap();
        assert_eq!(
            status["params"],
            serde_json::json!({"symbol": "BTCUSDT", "origClientOrderId": "h-1", "timestamp": 9})
        );
        let cancel: Value = serde_json::from_str(&order_cancel(5, symbol, "h-1", session)).unwrap();
        assert_eq!(cancel["method"], "order.cancel");
        let open: Value = serde_json::from_str(&open_orders_status(6, None, session)).unwrap();
        assert_eq!(open["params"], serde_json::json!({"timestamp": 9}));
        assert_eq!(time(7), r#"{"id":7,"method":"time"}"#);
        assert_eq!(
            user_data_unsubscribe(9, 2),
            r#"{"id":9,"method":"userDataStream.unsubscribe","params":{"subscriptionId":2}}"#
        );
        let maker = PlaceOrder {
            symbol,
            side: OrderSide::Buy,
            kind: OrderKind::LimitMaker { price: d("100.10") },
            quantity: d("1"),
            client_order_id: "h-2".into(),
        };
        let placed: Value = serde_json::from_str(&order_place(8, &maker, session)).unwrap();
        assert_eq!(
            (placed["params"]["type"].as_str(), placed["params"].get("timeInForce")),
            (Some("LIMIT_MAKER"), None)
        );
        let terms = |kind| {
            let order = PlaceOrder { kind, ..maker.clone() };
            let placed: Value = serde_json::from_str(&order_place(9, &order, session)).unwrap();
            let p = &placed["params"];
            [&p["type"], &p["timeInForce"], &p["price"], &p["stopPrice"]].map(|v| v.as_str().map(str::to_owned))
        };
        let text = |s: &str| Some(s.to_owned());
        assert_eq!(
            terms(OrderKind::Limit {
                price: d("100.10"),
                time_in_force: TimeInForce::Fok
            }),
            [text("LIMIT"), text("FOK"), text("100.10"), None]
        );
        assert_eq!(
            terms(OrderKind::StopLoss { stop_price: d("95.5") }),
            [text("STOP_LOSS"), None, None, text("95.5")]
        );
        assert_eq!(
            terms(OrderKind::StopLossLimit {
                stop_price: d("95.5"),
                price: d("95.0"),
                time_in_force: TimeInForce::Gtc
            }),
            [text("STOP_LOSS_LIMIT"), text("GTC"), text("95.0"), text("95.5")]
        );
    }
}
