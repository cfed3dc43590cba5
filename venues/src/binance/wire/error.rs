//! [`WireError`]: why a Binance message could not be read, naming the message and the field.
//!
//! Every parser here goes through [`parse_json`], so failures read the same way: the message
//! (`depthUpdate`, `exchangeInfo`, `order.place`), the JSON path of the field
//! (`data.b[3][0]`) and what was expected there.

use serde::Deserialize;

use crate::kit::json_path::{parse_at, FieldError};

/// A message that could not be read. Carries no secrets: keys and signatures are only ever
/// written, never parsed, and the text shown of a bad value is bounded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The text is not a JSON object, or is one of no shape Binance sends on that path.
    #[error("not a Binance message: {reason}")]
    NotAMessage {
        /// What was wrong with it.
        reason: String,
    },
    /// A field of a known message is missing or has the wrong type or value.
    #[error("`{message}` message: field `{path}`: {reason}")]
    Field {
        /// The event type, stream or endpoint whose message it was (`trade`, `exchangeInfo`).
        message: String,
        /// The JSON path of the field (`data.b[0][1]`; `.` for the whole message).
        path: String,
        /// What was expected there and what was found.
        reason: String,
    },
}

/// Deserializes `json` as `T`, naming `message` and the failing field's path (under
/// `path_prefix`) on error.
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

/// Refuses text that is not a JSON object before any typed parse: serde reads a struct from an
/// array too (`[1, 2]`), and no Binance message is one.
pub(crate) fn require_object(text: &str) -> Result<(), WireError> {
    if text.trim_start().starts_with('{') {
        Ok(())
    } else {
        Err(WireError::NotAMessage {
            reason: "not a JSON object".to_owned(),
        })
    }
}

/// A bounded excerpt of venue text for an error message: a hostile megabyte does not come back.
pub(crate) fn excerpt(text: &str) -> String {
    let shown: String = text.chars().take(40).collect();
    if shown.len() < text.len() {
        format!("{shown}…")
    } else {
        shown
    }
}
