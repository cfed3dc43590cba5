//! Kraken's REST API: the fallback for what WebSocket v2 lacks (the WebSocket token, order and
//! trade history after a reconnect) and `AssetPairs` reference data (each pair's
//! [`AssetPair::instrument`]: its tick, lot and minimums).
//!
//! - Requests: [`get_websockets_token`], [`add_order`], [`query_orders`],
//!   [`query_orders_by_cl_ord_id`], [`open_orders`],
//!   [`trades_history`] build a [`PrivateRequest`] (path, nonce and url-encoded body; its
//!   [`PrivateRequest::api_sign`] is the `API-Sign` header); [`asset_pairs`] a
//!   [`PublicRequest`].
//! - Responses: one parser per endpoint, each reading Kraken's envelope
//!   `{"error":[...],"result":...}`: a non-empty `error` is a [`RestError::Kraken`] with every
//!   error classified (check [`super::KrakenError::outcome`] before calling an order rejected).
//!
//! REST writes decimals as strings (`"0.0001"`) and times as Unix seconds with a fraction
//! (`1616666559.8974`); both are read exactly. Times REST writes as `0` for "not set" are `None`.

mod asset_pairs;
mod envelope;
mod form;
mod orders;

pub use asset_pairs::{parse_asset_pairs, AssetPair, PairDetails};
pub use envelope::RestError;
pub use form::{
    add_order, asset_pairs, get_websockets_token, open_orders, query_orders, query_orders_by_cl_ord_id, trades_history,
    PrivateRequest, PublicRequest,
};
pub use orders::{
    parse_add_order, parse_open_orders, parse_query_orders, parse_trades_history, parse_websockets_token,
    AddOrderResult, OrderDescription, RestOrder, RestOrderDescription, RestOrderStatus, RestTrade, TradesHistory,
    WebSocketsToken,
};
