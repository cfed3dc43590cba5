//! The outer object every WebSocket v2 message shares, read once before its payload.
//!
//! A message is either a channel message (`{"channel", "type", "data"}`) or a method response
//! (`{"method", "success", "result" | "error", "req_id", "time_in", "time_out"}`). The envelope
//! keeps `data` and `result` as raw JSON text so the payload is parsed once, into its own type,
//! after the dispatch on `channel`/`method`, and errors name its fields from the top
//! (`data[0].qty`).
//!
//! The `book` channel, the hot path, has a shortcut: a frame that starts as Kraken writes them
//! (`{"channel":"book",…`) is read in one pass ([`feed_in_one_pass`]), and only if that fails
//! goes the two-step way.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use trading::market::TimeMs;

use super::error::{parse_json, WireError};
use crate::kit::wire_enum;

wire_enum! {
    /// Whether a channel message carries the full state (`snapshot`) or a change (`update`).
    pub enum FeedKind {
        /// The full state: replace what you had.
        Snapshot = "snapshot",
        /// A change to the state.
        Update = "update",
    }
}

/// A channel message: its kind, Kraken's per-connection `sequence` where the channel has one
/// (private channels), and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed<T> {
    /// Snapshot or update.
    pub kind: FeedKind,
    /// The message's `sequence`, where Kraken sends one.
    pub sequence: Option<u64>,
    /// The payload (`data`).
    pub data: T,
}

/// The envelope, with the payload left as text.
#[derive(Deserialize)]
pub(crate) struct Envelope<'a> {
    #[serde(borrow, default)]
    pub(crate) channel: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub(crate) method: Option<Cow<'a, str>>,
    #[serde(rename = "type", default)]
    pub(crate) kind: Option<FeedKind>,
    #[serde(default)]
    pub(crate) sequence: Option<u64>,
    #[serde(borrow, default)]
    pub(crate) data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub(crate) result: Option<&'a RawValue>,
    #[serde(default)]
    pub(crate) success: Option<bool>,
    #[serde(default)]
    pub(crate) error: Option<String>,
    #[serde(default)]
    pub(crate) symbol: Option<String>,
    #[serde(default)]
    pub(crate) req_id: Option<u64>,
    #[serde(default, deserialize_with = "super::time::opt_rfc3339")]
    pub(crate) time_in: Option<TimeMs>,
    #[serde(default, deserialize_with = "super::time::opt_rfc3339")]
    pub(crate) time_out: Option<TimeMs>,
    #[serde(default)]
    pub(crate) warnings: Option<Vec<String>>,
}

/// What the envelope says the message is.
pub(crate) enum Topic<'e> {
    Channel(&'e str),
    Method(&'e str),
}

impl<'a> Envelope<'a> {
    /// Reads the envelope of one WebSocket text frame.
    pub(crate) fn parse(text: &'a str) -> Result<Self, WireError> {
        // serde would read a struct from an array too (`[1, 2]`); a message is an object.
        if !text.trim_start().starts_with('{') {
            return Err(WireError::NotAMessage {
                reason: "not a JSON object".to_owned(),
            });
        }
        let envelope: Envelope<'a> = parse_json("message", "", text).map_err(|e| match e {
            // A wrong top-level shape (an array, a number) is not a message at all.
            WireError::Field { path, reason, .. } if path == "." => WireError::NotAMessage { reason },
            other => other,
        })?;
        if envelope.channel.is_none() && envelope.method.is_none() {
            return Err(WireError::NotAMessage {
                reason: "neither `channel` nor `method` is set".to_owned(),
            });
        }
        Ok(envelope)
    }

    /// The channel or method; a channel wins when, oddly, both are set.
    pub(crate) fn topic(&self) -> Topic<'_> {
        match (&self.channel, &self.method) {
            (Some(channel), _) => Topic::Channel(channel),
            (None, Some(method)) => Topic::Method(method),
            // `parse` refuses envelopes with neither.
            (None, None) => Topic::Channel(""),
        }
    }

    /// Reads the payload of a channel message as `T`.
    pub(crate) fn feed<T: Deserialize<'a>>(&self, channel: &str) -> Result<Feed<T>, WireError> {
        let kind = self.kind.ok_or_else(|| missing(channel, "type"))?;
        let data = self.data.ok_or_else(|| missing(channel, "data"))?;
        Ok(Feed {
            kind,
            sequence: self.sequence,
            data: parse_json(channel, "data", data.get())?,
        })
    }
}

/// The channel a frame names if it starts the way Kraken writes channel messages,
/// `{"channel":"<name>"`.
pub(crate) fn sniff_channel(text: &str) -> Option<&str> {
    let rest = text.strip_prefix(r#"{"channel":""#)?;
    rest.get(..rest.find('"')?)
}

/// A channel frame read whole: the fast path's shape.
#[derive(Deserialize)]
struct FeedFrame<T> {
    #[serde(rename = "type")]
    kind: FeedKind,
    #[serde(default)]
    sequence: Option<u64>,
    data: T,
}

/// Reads a whole channel frame as a [`Feed`] in one pass, or `None` if it does not read that
/// way; the caller then takes the two-step path, which names what is wrong. One pass skips
/// scanning `data` a second time, which is most of a `book` frame.
pub(crate) fn feed_in_one_pass<'a, T: Deserialize<'a>>(text: &'a str) -> Option<Feed<T>> {
    let frame: FeedFrame<T> = serde_json::from_str(text).ok()?;
    Some(Feed {
        kind: frame.kind,
        sequence: frame.sequence,
        data: frame.data,
    })
}

pub(crate) fn missing(message: &str, field: &str) -> WireError {
    WireError::Field {
        message: message.to_owned(),
        path: field.to_owned(),
        reason: "missing field".to_owned(),
    }
}
