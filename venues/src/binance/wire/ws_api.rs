//! Frames of the WebSocket API socket (`wss://ws-api.binance.com:443/ws-api/v3`): responses
//! to requests (`{"id","status","result"|"error","rateLimits"}`) and, on the same socket since
//! listen keys were retired, user data events in their subscription wrapper
//! (`{"subscriptionId":0,"event":{"e":"executionReport",…}}`).
//!
//! Entry point: [`parse_ws_api`]. A response keeps its `result` as JSON text: its shape depends
//! on the method that was asked, which only the caller knows ([`WsApiResponse::result`] reads
//! it).

use serde::Deserialize;
use serde_json::value::RawValue;
use trading::market::TimeMs;

use super::enums::{RateLimitInterval, RateLimitType};
use super::error::{parse_json, require_object, WireError};
use super::rest::RateLimitKind;
use super::stream::RequestId;
use super::user_data::UserDataEvent;
use super::venue_error::BinanceError;

/// One frame of the WebSocket API socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WsApiMessage {
    /// The answer to a request.
    Response(WsApiResponse),
    /// A user data event of one subscription.
    Event(UserDataFrame),
    /// `{"event":{"e":"serverShutdown","E":…}}` (connection-events.md): the server is about to
    /// go away; open a new connection now.
    ServerShutdown {
        /// When it was announced.
        event_time: TimeMs,
    },
}

/// A user data event and the subscription it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDataFrame {
    /// The `subscriptionId` `userDataStream.subscribe` answered with.
    pub subscription_id: u64,
    /// The event.
    pub event: UserDataEvent,
}

/// The answer to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WsApiResponse {
    /// The request's id, echoed (`None` for an unsolicited answer, such as a revoked key's 401).
    pub id: Option<RequestId>,
    /// The HTTP-like status: 200 ok, 400 refused, 403 WAF, 409 cancel-replace half done, 418
    /// banned, 429 rate limited, 5xx unknown.
    pub status: u16,
    /// `result` as JSON text on success; the error otherwise.
    pub outcome: Result<String, ApiError>,
    /// The rate limits' state after this request (absent when `returnRateLimits` is false).
    pub rate_limits: Vec<RateLimitUsage>,
}

/// A request the WebSocket API refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// Binance's code and message, classified.
    pub error: BinanceError,
    /// With a 429 or 418: when sending may start again (`error.data.retryAfter`, UTC ms).
    pub retry_after_ms: Option<TimeMs>,
    /// `error.data` as JSON text when it is more than `retryAfter` (a cancel-replace's two
    /// answers, say).
    pub data: Option<String>,
}

/// What a failed `order.cancelReplace` did, from its `error.data` (-2021 and -2022 carry both
/// halves' answers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelReplaceFailure {
    /// Whether the old order was cancelled.
    pub cancelled: bool,
    /// Whether the new order was placed.
    pub placed: bool,
    /// The cancel's error, if it failed.
    pub cancel_error: Option<BinanceError>,
    /// The new order's error, if it failed.
    pub new_order_error: Option<BinanceError>,
}

impl ApiError {
    /// The two halves of a failed cancel-replace, when `data` says.
    pub fn cancel_replace(&self) -> Option<CancelReplaceFailure> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Data<'a> {
            #[serde(borrow)]
            cancel_result: std::borrow::Cow<'a, str>,
            #[serde(borrow)]
            new_order_result: std::borrow::Cow<'a, str>,
            #[serde(default)]
            cancel_response: Option<Half>,
            #[serde(default)]
            new_order_response: Option<Half>,
        }
        #[derive(Deserialize)]
        struct Half {
            #[serde(default)]
            code: Option<i64>,
            #[serde(default)]
            msg: Option<String>,
        }
        let data: Data<'_> = parse_json("order.cancelReplace", "error.data", self.data.as_deref()?).ok()?;
        let error = |half: Option<Half>| match half {
            Some(Half { code: Some(code), msg }) => Some(BinanceError::new(code, msg.unwrap_or_default())),
            _ => None,
        };
        Some(CancelReplaceFailure {
            cancelled: data.cancel_result == "SUCCESS",
            placed: data.new_order_result == "SUCCESS",
            cancel_error: error(data.cancel_response),
            new_order_error: error(data.new_order_response),
        })
    }
}

/// One rate limit's count after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitUsage {
    /// What it counts.
    pub kind: RateLimitKind,
    /// The window's unit.
    pub interval: RateLimitInterval,
    /// The window's length in units.
    pub interval_num: u32,
    /// The most allowed in a window.
    pub limit: u64,
    /// How much of it is used.
    pub count: u64,
}

impl WsApiResponse {
    /// Whether the outcome is unknown whatever the body says: a 5xx (the module doc of
    /// [`super::venue_error`]), or an error whose code says so.
    pub fn outcome_unknown(&self) -> bool {
        (500..600).contains(&self.status)
            || matches!(&self.outcome, Err(e) if e.error.outcome() == super::venue_error::Outcome::Unknown)
    }

    /// Reads the `result` as `T`, for the method the caller asked (`method` names it in
    /// errors).
    ///
    /// # Errors
    /// [`WireError::Field`] naming the field under `result`; [`WireError::NotAMessage`] when
    /// the response is an error, which has no result.
    pub fn result<'a, T: Deserialize<'a>>(&'a self, method: &str) -> Result<T, WireError> {
        match &self.outcome {
            Ok(text) => parse_json(method, "result", text),
            Err(e) => Err(WireError::NotAMessage {
                reason: format!("`{method}` failed ({}), it has no result", e.error),
            }),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Frame<'a> {
    #[serde(default)]
    id: Option<RequestId>,
    #[serde(default)]
    status: Option<u16>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<ErrorBody<'a>>,
    #[serde(default)]
    rate_limits: Vec<RawUsage>,
    #[serde(default)]
    subscription_id: Option<u64>,
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct ErrorBody<'a> {
    code: i64,
    msg: String,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawUsage {
    rate_limit_type: RateLimitType,
    interval: RateLimitInterval,
    interval_num: u32,
    limit: u64,
    count: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorData {
    #[serde(default)]
    retry_after: Option<TimeMs>,
}

/// Parses one text frame of the WebSocket API socket.
///
/// # Errors
/// [`WireError::NotAMessage`] when the text is neither a response nor an event;
/// [`WireError::Field`] when a known shape has a missing or mistyped field. An event type this
/// version does not know is not an error: it is [`UserDataEvent::Unknown`].
pub fn parse_ws_api(text: &str) -> Result<WsApiMessage, WireError> {
    require_object(text)?;
    let frame: Frame<'_> = parse_json("WebSocket API frame", "", text).map_err(|e| match e {
        WireError::Field { path, reason, .. } if path == "." => WireError::NotAMessage { reason },
        other => other,
    })?;
    match (frame.subscription_id, frame.event, frame.status) {
        (Some(subscription_id), Some(event), _) => Ok(WsApiMessage::Event(UserDataFrame {
            subscription_id,
            event: UserDataEvent::parse(event.get(), "event")?,
        })),
        (_, _, Some(status)) => response(frame, status).map(WsApiMessage::Response),
        (None, Some(event), None) => connection_event(event.get()),
        _ => Err(WireError::NotAMessage {
            reason: "neither a response (`status`) nor an event (`subscriptionId` and `event`)".to_owned(),
        }),
    }
}

/// An event outside any subscription: only `serverShutdown` is one.
fn connection_event(text: &str) -> Result<WsApiMessage, WireError> {
    #[derive(Deserialize)]
    struct Event<'a> {
        #[serde(borrow, rename = "e")]
        event: std::borrow::Cow<'a, str>,
        #[serde(rename = "E")]
        event_time: TimeMs,
    }
    let event: Event<'_> = parse_json("connection event", "event", text)?;
    match event.event.as_ref() {
        "serverShutdown" => Ok(WsApiMessage::ServerShutdown {
            event_time: event.event_time,
        }),
        other => Err(WireError::NotAMessage {
            reason: format!("an event `{}` outside a subscription", super::error::excerpt(other)),
        }),
    }
}

fn response(frame: Frame<'_>, status: u16) -> Result<WsApiResponse, WireError> {
    let outcome = match (frame.error, frame.result) {
        (Some(error), _) => {
            let retry_after_ms = match error.data {
                Some(data) => parse_json::<ErrorData>("response", "error.data", data.get())
                    .ok()
                    .and_then(|d| d.retry_after),
                None => None,
            };
            Err(ApiError {
                error: BinanceError::new(error.code, error.msg),
                retry_after_ms,
                data: error.data.map(|d| d.get().to_owned()),
            })
        }
        (None, Some(result)) => Ok(result.get().to_owned()),
        (None, None) if (200..300).contains(&status) => Ok("null".to_owned()),
        (None, None) => {
            return Err(WireError::Field {
                message: "response".to_owned(),
                path: "error".to_owned(),
                reason: format!("status {status} with neither `result` nor `error`"),
            })
        }
    };
    let rate_limits = frame
        .rate_limits
        .into_iter()
        .filter_map(|raw| {
            Some(RateLimitUsage {
                kind: RateLimitKind::of(&raw.rate_limit_type)?,
                interval: raw.interval,
                interval_num: raw.interval_num,
                limit: raw.limit,
                count: raw.count,
            })
        })
        .collect();
    Ok(WsApiResponse {
        id: frame.id,
        status,
        outcome,
        rate_limits,
    })
}

#[cfg(test)]
mod tests;
