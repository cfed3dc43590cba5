//! Frames of the market stream socket (`wss://stream.binance.com:9443/stream?streams=…`): the
//! combined-stream wrapper `{"stream":"btcusdt@trade","data":{…}}`, the answers to `SUBSCRIBE`
//! and `UNSUBSCRIBE`, and `serverShutdown`; plus the names of streams and the text of control
//! requests.
//!
//! Entry point: [`parse_stream`]. The wrapper's `stream` decides how `data` is read (a
//! `bookTicker` payload has no event type). A `depthUpdate`, the hot path, is read straight
//! from its bytes when it is in Binance's own shape (`depth_scan.rs`), else in one serde pass
//! when the frame starts the way Binance writes it; anything else, or a depth frame that does
//! not read that way, goes the two-step way, whose errors name the field.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use trading::market::TimeMs;

use super::error::{excerpt, parse_json, require_object, WireError};
use super::market::{BookTickerEvent, DepthUpdate, KlineEvent, TradeEvent};
use super::symbols::VenueSymbol;

mod depth_scan;

/// One frame of the market stream socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamMessage {
    /// `<symbol>@trade`.
    Trade(TradeEvent),
    /// `<symbol>@kline_<interval>`.
    Kline(KlineEvent),
    /// `<symbol>@bookTicker`.
    BookTicker(BookTickerEvent),
    /// `<symbol>@depth` or `<symbol>@depth@100ms`.
    Depth(DepthUpdate),
    /// The answer to a control request (`SUBSCRIBE`, `UNSUBSCRIBE`, `LIST_SUBSCRIPTIONS`).
    Response(ControlResponse),
    /// `serverShutdown`: the server is going away; reconnect now.
    ServerShutdown {
        /// The event's time, if it carried one.
        time_ms: Option<TimeMs>,
    },
    /// A stream this version does not read (an `aggTrade`, a partial book), named for the logs.
    /// Not an error: a subscription this layer did not make is not a reason to drop the frame.
    Unknown {
        /// Its stream name, or its event type for a raw (unwrapped) frame.
        name: String,
    },
}

/// A control request's id, as echoed: Binance takes an integer, a string of up to 36
/// alphanumerics, or `null`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(untagged)]
pub enum RequestId {
    /// An integer id (the kind this adapter sends).
    Number(i64),
    /// A string id.
    Text(String),
}

/// The answer to a control request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlResponse {
    /// The request's id, echoed (`None` when Binance could not read one, or for `null`).
    pub id: Option<RequestId>,
    /// `result` on success: `null` for (un)subscribing, the names for `LIST_SUBSCRIPTIONS`;
    /// the error otherwise.
    pub outcome: Result<Vec<String>, StreamError>,
}

/// A control request Binance refused (`{"code": 2, "msg": "Invalid request: …"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamError {
    /// Binance's code (0 unknown property, 1 bad value type, 2 invalid request, 3 invalid
    /// JSON).
    pub code: i64,
    /// Binance's text.
    pub msg: String,
}

/// What a stream carries, from its name's part after the first `@`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StreamKind {
    /// `trade`.
    Trade,
    /// `kline_<interval>` (`kline_1m`).
    Kline(String),
    /// `bookTicker`.
    BookTicker,
    /// `depth` (1000 ms) or `depth@100ms`.
    Depth(DepthSpeed),
    /// Anything else (`aggTrade`, `depth5`, `ticker`), as written.
    Other(String),
}

/// How often a diff depth stream sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepthSpeed {
    /// Every 1000 ms: `<symbol>@depth`.
    Ms1000,
    /// Every 100 ms: `<symbol>@depth@100ms`.
    Ms100,
}

impl StreamKind {
    /// Reads the part of a stream name after the symbol (`depth@100ms`).
    pub fn parse(suffix: &str) -> Self {
        match suffix {
            "trade" => StreamKind::Trade,
            "bookTicker" => StreamKind::BookTicker,
            "depth" | "depth@1000ms" => StreamKind::Depth(DepthSpeed::Ms1000),
            "depth@100ms" => StreamKind::Depth(DepthSpeed::Ms100),
            other => match other.strip_prefix("kline_") {
                Some(interval) => StreamKind::Kline(interval.to_owned()),
                None => StreamKind::Other(other.to_owned()),
            },
        }
    }

    /// The suffix as Binance names it.
    pub fn suffix(&self) -> Cow<'_, str> {
        match self {
            StreamKind::Trade => "trade".into(),
            StreamKind::BookTicker => "bookTicker".into(),
            StreamKind::Depth(DepthSpeed::Ms1000) => "depth".into(),
            StreamKind::Depth(DepthSpeed::Ms100) => "depth@100ms".into(),
            StreamKind::Kline(interval) => format!("kline_{interval}").into(),
            StreamKind::Other(other) => other.as_str().into(),
        }
    }
}

/// The name of a stream of `symbol` (`btcusdt@depth@100ms`), as `SUBSCRIBE` takes it.
pub fn stream_name(symbol: &VenueSymbol, kind: &StreamKind) -> String {
    format!("{}@{}", symbol.stream_name(), kind.suffix())
}

/// The JSON text of a `SUBSCRIBE` (`subscribe` true) or `UNSUBSCRIBE` of `streams`.
pub fn subscription_request(subscribe: bool, streams: &[String], id: i64) -> String {
    let method = if subscribe { "SUBSCRIBE" } else { "UNSUBSCRIBE" };
    serde_json::json!({ "method": method, "params": streams, "id": id }).to_string()
}

/// Parses one text frame of the market stream socket.
///
/// # Errors
/// [`WireError::NotAMessage`] when the text is not a JSON object of any shape the socket sends;
/// [`WireError::Field`] when a known stream's payload has a missing or mistyped field.
pub fn parse_stream(text: &str) -> Result<StreamMessage, WireError> {
    if let Some(depth) = depth_scan::scan_depth_frame(text).or_else(|| depth_in_one_pass(text)) {
        return Ok(StreamMessage::Depth(depth));
    }
    require_object(text)?;
    let frame: Frame<'_> = parse_json("stream frame", "", text).map_err(|e| match e {
        WireError::Field { path, reason, .. } if path == "." => WireError::NotAMessage { reason },
        other => other,
    })?;
    match (&frame.stream, frame.data) {
        (Some(stream), Some(data)) => wrapped(stream, data),
        _ if frame.is_response() => Ok(StreamMessage::Response(frame.response()?)),
        _ => raw(&frame, text),
    }
}

/// The wrapper, and the other top-level shapes, with the payload left as text.
#[derive(Deserialize)]
struct Frame<'a> {
    #[serde(borrow, default)]
    stream: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(default)]
    id: Option<RequestId>,
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    error: Option<ErrorBody>,
    #[serde(borrow, rename = "e", default)]
    event: Option<Cow<'a, str>>,
    #[serde(rename = "E", default)]
    event_time: Option<TimeMs>,
}

#[derive(Deserialize)]
struct ErrorBody {
    code: i64,
    msg: String,
}

impl Frame<'_> {
    fn is_response(&self) -> bool {
        self.event.is_none()
            && (self.result.is_some() || self.id.is_some() || self.code.is_some() || self.error.is_some())
    }

    fn response(&self) -> Result<ControlResponse, WireError> {
        let failure = match (&self.error, self.code, &self.msg) {
            (Some(error), _, _) => Some(StreamError {
                code: error.code,
                msg: error.msg.clone(),
            }),
            (None, Some(code), msg) => Some(StreamError {
                code,
                msg: msg.clone().unwrap_or_default(),
            }),
            (None, None, _) => None,
        };
        let outcome = match failure {
            Some(error) => Err(error),
            None => Ok(match self.result {
                // `null` (a subscription's answer) reads as no names.
                Some(result) => {
                    parse_json::<Option<Vec<String>>>("response", "result", result.get())?.unwrap_or_default()
                }
                None => Vec::new(),
            }),
        };
        Ok(ControlResponse {
            id: self.id.clone(),
            outcome,
        })
    }
}

/// A combined-stream frame: `data` read as the stream's name says.
fn wrapped(stream: &str, data: &RawValue) -> Result<StreamMessage, WireError> {
    let suffix = stream.split_once('@').map_or("", |(_, suffix)| suffix);
    let data = data.get();
    match StreamKind::parse(suffix) {
        StreamKind::Trade => parse_json("trade", "data", data).map(StreamMessage::Trade),
        StreamKind::Kline(_) => parse_json("kline", "data", data).map(StreamMessage::Kline),
        StreamKind::BookTicker => parse_json("bookTicker", "data", data).map(StreamMessage::BookTicker),
        StreamKind::Depth(_) => parse_json("depthUpdate", "data", data).map(StreamMessage::Depth),
        StreamKind::Other(_) => Ok(StreamMessage::Unknown { name: excerpt(stream) }),
    }
}

/// A frame without the wrapper: a raw stream's event (`/ws/<stream>`), or `serverShutdown`.
fn raw(frame: &Frame<'_>, text: &str) -> Result<StreamMessage, WireError> {
    match frame.event.as_deref() {
        Some("serverShutdown") => Ok(StreamMessage::ServerShutdown {
            time_ms: frame.event_time,
        }),
        Some("trade") => parse_json("trade", "", text).map(StreamMessage::Trade),
        Some("kline") => parse_json("kline", "", text).map(StreamMessage::Kline),
        Some("depthUpdate") => parse_json("depthUpdate", "", text).map(StreamMessage::Depth),
        Some(other) => Ok(StreamMessage::Unknown { name: excerpt(other) }),
        None => Err(WireError::NotAMessage {
            reason: "neither a stream wrapper, a response nor an event".to_owned(),
        }),
    }
}

/// A whole depth frame, `{"stream":"<symbol>@depth…","data":{…}}`, read in one pass; `None`
/// when the frame does not start that way or does not read so (the caller then takes the
/// two-step path, which names what is wrong). One pass skips scanning `data` twice, which is
/// most of a depth frame.
fn depth_in_one_pass(text: &str) -> Option<DepthUpdate> {
    #[derive(Deserialize)]
    struct DepthFrame {
        data: DepthUpdate,
    }
    let rest = text.strip_prefix(r#"{"stream":""#)?;
    let name = rest.get(..rest.find('"')?)?;
    let (_, suffix) = name.split_once('@')?;
    if !matches!(StreamKind::parse(suffix), StreamKind::Depth(_)) {
        return None;
    }
    serde_json::from_str::<DepthFrame>(text).ok().map(|frame| frame.data)
}

#[cfg(test)]
mod tests;
