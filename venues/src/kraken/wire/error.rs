//! [`WireError`]: why a Kraken message could not be read, naming the message and the field.
//!
//! Also the one place where typed parsing happens ([`parse_json`]), so every parser reports
//! failures the same way: the message kind (`book`, `add_order`, `AssetPairs`), the JSON path
//! of the field (`data[0].bids[3].price`) and what was expected there.

use serde::Deserialize;

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
///
/// Tracking the path costs an allocation per object key, so the text is parsed plainly first
/// and only a failure is parsed again, with tracking, to name the field: errors are rare and
/// the same text always fails at the same place.
pub(crate) fn parse_json<'a, T: Deserialize<'a>>(
    message: &str,
    path_prefix: &str,
    json: &'a str,
) -> Result<T, WireError> {
    match serde_json::from_str(json) {
        Ok(value) => Ok(value),
        Err(plain) => Err(locate::<T>(message, path_prefix, json, plain)),
    }
}

fn locate<'a, T: Deserialize<'a>>(
    message: &str,
    path_prefix: &str,
    json: &'a str,
    plain: serde_json::Error,
) -> WireError {
    let mut deserializer = serde_json::Deserializer::from_str(json);
    match serde_path_to_error::deserialize::<_, T>(&mut deserializer) {
        Err(e) => field_error(message, path_prefix, &e),
        // The value itself read: the failure was trailing text after it (`{...} junk`).
        Ok(_) => WireError::Field {
            message: message.to_owned(),
            path: path_prefix_or_root(path_prefix),
            reason: plain.to_string(),
        },
    }
}

fn field_error(message: &str, prefix: &str, error: &serde_path_to_error::Error<serde_json::Error>) -> WireError {
    let inner = error.path().to_string();
    let path = match (prefix, inner.as_str()) {
        ("", inner) => inner.to_owned(),
        (prefix, ".") => prefix.to_owned(),
        (prefix, inner) if inner.starts_with('[') => format!("{prefix}{inner}"),
        (prefix, inner) => format!("{prefix}.{inner}"),
    };
    WireError::Field {
        message: message.to_owned(),
        path,
        reason: error.inner().to_string(),
    }
}

fn path_prefix_or_root(prefix: &str) -> String {
    if prefix.is_empty() {
        ".".to_owned()
    } else {
        prefix.to_owned()
    }
}
