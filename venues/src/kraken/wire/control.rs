//! The messages both sockets share: heartbeats, system status, subscribe and unsubscribe
//! acknowledgements, pongs, and what this version does not know; plus [`Response`], the shape
//! of every method's answer.

use serde::Deserialize;
use trading::market::{Symbol, TimeMs};

use super::envelope::{Envelope, Feed, Topic};
use super::error::{parse_json, WireError};
use super::reject::KrakenError;
use crate::kit::wire_enum;

/// A message either socket may send that is not market data, executions or an order answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlMessage {
    /// `{"channel":"heartbeat"}`: about once a second when nothing else was sent, once any
    /// channel is subscribed.
    Heartbeat,
    /// `status`: the trading engine's state, sent on connect and when it changes.
    Status(Feed<Vec<SystemStatus>>),
    /// The answer to a `subscribe`.
    Subscribed(Response<SubscriptionAck>),
    /// The answer to an `unsubscribe`.
    Unsubscribed(Response<SubscriptionAck>),
    /// The answer to a `ping`.
    Pong(Response<()>),
    /// A channel or method this version does not know. Not an error: Kraken adds channels.
    Unknown(UnknownMessage),
}

/// A message of a channel or method this version does not know, named for the logs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMessage {
    /// Its `channel`, if any.
    pub channel: Option<String>,
    /// Its `method`, if any.
    pub method: Option<String>,
}

/// A method's answer. Kraken echoes `req_id` and stamps when it received the request and sent
/// the answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response<T> {
    /// The request's `req_id`, echoed.
    pub req_id: Option<u64>,
    /// When the request was received (`time_in`).
    pub time_in: Option<TimeMs>,
    /// When the answer was sent (`time_out`).
    pub time_out: Option<TimeMs>,
    /// Top-level `warnings` (deprecations, mostly).
    pub warnings: Vec<String>,
    /// `result` when `success` is true (or absent, as in a pong); the error otherwise.
    pub outcome: Result<T, RequestFailure>,
}

/// A method that failed: `success: false` with `error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFailure {
    /// Kraken's error, classified. Check [`KrakenError::outcome`] before calling an order
    /// rejected.
    pub error: KrakenError,
    /// The symbol the failure concerns, on subscription failures.
    pub symbol: Option<String>,
}

wire_enum! {
    /// A channel name, as in subscription acknowledgements.
    pub open enum ChannelName {
        /// `book`.
        Book = "book",
        /// `trade`.
        Trade = "trade",
        /// `ticker`.
        Ticker = "ticker",
        /// `ohlc`.
        Ohlc = "ohlc",
        /// `instrument`.
        Instrument = "instrument",
        /// `level3`.
        Level3 = "level3",
        /// `executions`.
        Executions = "executions",
        /// `balances`.
        Balances = "balances",
        /// `heartbeat`.
        Heartbeat = "heartbeat",
        /// `status`.
        Status = "status",
    }
}

/// The `result` of a successful `subscribe` or `unsubscribe`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SubscriptionAck {
    /// The channel.
    pub channel: ChannelName,
    /// The symbol, for per-symbol channels (one ack per symbol).
    #[serde(default, deserialize_with = "super::symbols::de_opt_ws_symbol")]
    pub symbol: Option<Symbol>,
    /// The book depth, for `book`.
    #[serde(default)]
    pub depth: Option<u32>,
    /// The candle interval in minutes, for `ohlc`.
    #[serde(default)]
    pub interval: Option<u32>,
    /// Whether a snapshot follows.
    #[serde(default)]
    pub snapshot: Option<bool>,
    /// Advisory messages (`tick_size is deprecated, use price_increment`).
    #[serde(default)]
    pub warnings: Vec<String>,
}

wire_enum! {
    /// The trading engine's state.
    pub open enum EngineState {
        /// Trading normally.
        Online = "online",
        /// Only cancels are accepted.
        CancelOnly = "cancel_only",
        /// Only post-only limit orders are accepted.
        PostOnly = "post_only",
        /// Only limit orders are accepted.
        LimitOnly = "limit_only",
        /// Down for maintenance.
        Maintenance = "maintenance",
    }
}

/// One entry of a `status` message.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SystemStatus {
    /// The engine's state.
    pub system: EngineState,
    /// The API version (`v2`).
    #[serde(default)]
    pub api_version: Option<String>,
    /// This connection's id.
    #[serde(default)]
    pub connection_id: Option<u64>,
    /// The WebSocket service's version.
    #[serde(default)]
    pub version: Option<String>,
}

impl<T> Response<T> {
    /// Converts the successful result, keeping the rest.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            req_id: self.req_id,
            time_in: self.time_in,
            time_out: self.time_out,
            warnings: self.warnings,
            outcome: self.outcome.map(f),
        }
    }
}

impl<'a> Envelope<'a> {
    /// Reads a method's answer, its `result` as `T`.
    pub(crate) fn response<T: Deserialize<'a>>(&self, method: &str) -> Result<Response<T>, WireError> {
        let outcome = if self.success == Some(false) {
            Err(RequestFailure {
                error: KrakenError::new(self.error.clone().unwrap_or_default()),
                symbol: self.symbol.clone(),
            })
        } else {
            // A pong has no `result`; `()` reads `null`.
            Ok(parse_json(
                method,
                "result",
                self.result.map_or("null", |raw| raw.get()),
            )?)
        };
        Ok(Response {
            req_id: self.req_id,
            time_in: self.time_in,
            time_out: self.time_out,
            warnings: self.warnings.clone().unwrap_or_default(),
            outcome,
        })
    }

    /// Reads a message both sockets share; anything else is [`ControlMessage::Unknown`].
    pub(crate) fn control(&self) -> Result<ControlMessage, WireError> {
        match self.topic() {
            Topic::Channel("heartbeat") => Ok(ControlMessage::Heartbeat),
            Topic::Channel("status") => self.feed("status").map(ControlMessage::Status),
            Topic::Method("subscribe") => self.response("subscribe").map(ControlMessage::Subscribed),
            Topic::Method("unsubscribe") => self.response("unsubscribe").map(ControlMessage::Unsubscribed),
            Topic::Method("pong") => {
                // Whatever a pong's `result` holds, if anything, is of no use.
                let pong = self.response::<serde::de::IgnoredAny>("pong")?;
                Ok(ControlMessage::Pong(pong.map(|_| ())))
            }
            _ => Ok(ControlMessage::Unknown(UnknownMessage {
                channel: self.channel.as_deref().map(str::to_owned),
                method: self.method.as_deref().map(str::to_owned),
            })),
        }
    }
}
