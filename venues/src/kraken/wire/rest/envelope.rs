//! REST's envelope, `{"error":[...],"result":...}`, and [`RestError`].

use serde::Deserialize;
use serde_json::value::RawValue;

use super::super::error::{parse_json, WireError};
use super::super::reject::KrakenError;

/// Why a REST response gave no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestError {
    /// The response could not be read.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// Kraken answered with errors (each classified).
    #[error("Kraken answered {}", errors.iter().map(|e| e.text.as_str()).collect::<Vec<_>>().join("; "))]
    Kraken {
        /// The errors, in Kraken's order.
        errors: Vec<KrakenError>,
    },
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default)]
    error: Vec<String>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
}

/// Reads the envelope of a response from `endpoint` and its `result` as `T`.
pub(crate) fn parse_result<'a, T: Deserialize<'a>>(endpoint: &str, text: &'a str) -> Result<T, RestError> {
    let envelope: Envelope<'a> = parse_json(endpoint, "", text)?;
    // Kraken puts warnings (`W…`) in the same list as errors (`E…`); only errors fail.
    let errors: Vec<KrakenError> = envelope
        .error
        .iter()
        .filter(|e| !e.starts_with('W'))
        .map(|e| KrakenError::new(e.as_str()))
        .collect();
    if !errors.is_empty() {
        return Err(RestError::Kraken { errors });
    }
    let result = envelope.result.map_or("null", |raw| raw.get());
    Ok(parse_json(endpoint, "result", result)?)
}
