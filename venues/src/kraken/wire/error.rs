//! [`WireError`]: why a Kraken message could not be read, naming the message and the field.
//!
//! Also the one place where typed parsing happens ([`parse_json`]), so every parser reports
//! failures the same way: the message kind (`book`, `add_order`, `AssetPairs`), the JSON path
//! of the field (`data[0].bids[3].price`) and what was expected there.

use serde::Deserialize;

use crate::kit::json_path::{parse_at, FieldError};

/// A message that could not be read. Carries no secrets: tokens are only ever written, never
/// parsed, and the text shown of a bad value is bounded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The text is not JSON, or is JSON but not an object with `channel` or `method`.
    #[error("not a Kraken message: {reason}")]
    NotAMessage {
        /// What was wrong with it.
        reason: String,
    },
    /// A field of a known message is missing or has the wrong type or value.
    #[error("`{message}` message: field `{path}`: {reason}")]
    Field {
        /// The channel, method or REST endpoint whose message it was (`book`, `add_order`).
        message: String,
        /// The JSON path of the field (`data[0].checksum`; `.` for the whole message).
        path: String,
        /// What was expected there and what was found.
        reason: String,
    },
}

/// Deserializes `json` as `T`, naming `message` and the failing field's path on error.
pub(crate) fn parse_json<'a, T: Deserialize<'a>>(
    message: &str,
    path_prefix: &str,
    json: &'a str,
) -> Result<T, WireError> {
    parse_at(path_prefix, json).map_err(|FieldError { path, reason }| WireError::Field {
        message: message.to_owned(),
        path,
        reason,
    })
}
