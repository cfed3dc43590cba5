//! Snapshots: the state a strategy hands to its next version on hot reload, and that the host
//! keeps to recover it after a trap.
//!
//! The host calls `init(params)` on the new instance first and then `restore(snapshot)`, so a
//! snapshot only has to carry what params cannot rebuild. Two ways to provide one:
//!
//! - **For free.** Every `Serialize + Deserialize` type implements [`Snapshot`]: the snapshot is
//!   the whole value as JSON, and restore replaces the whole value. The new version continues
//!   exactly where the old one stopped, *including the old one's params*.
//! - **By hand**, when the new version's params must win (or the state is not serde): keep the
//!   state in its own serde type and implement [`Snapshot`] with [`encode`] and [`decode`]:
//!
//! ```
//! use serde::{Deserialize, Serialize};
//! use strategy_sdk::snapshot::{self, Snapshot};
//!
//! struct Counter {
//!     label: String, // from params: the new version's value wins
//!     state: CounterState,
//! }
//!
//! #[derive(Serialize, Deserialize)]
//! struct CounterState {
//!     count: u64,
//! }
//!
//! impl Snapshot for Counter {
//!     fn snapshot(&self) -> Vec<u8> {
//!         snapshot::encode(&self.state)
//!     }
//!
//!     fn restore(&mut self, bytes: &[u8]) -> Result<(), String> {
//!         self.state = snapshot::decode(bytes)?;
//!         Ok(())
//!     }
//! }
//! ```
//!
//! Snapshots are JSON: decimals keep their exact text (`"0.10"` stays `0.10`), so state round-trips
//! exactly, and an old snapshot stays readable by a new version that adds `#[serde(default)]`
//! fields.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// State carried across versions and traps. See the [module docs](self).
pub trait Snapshot {
    /// The state to hand to the next version.
    fn snapshot(&self) -> Vec<u8>;

    /// Takes over the state of a previous version (or of this one before a trap). Called after
    /// `init`, so `self` already holds the current params.
    ///
    /// # Errors
    ///
    /// A message saying why the bytes are not a snapshot this version can continue from; the
    /// host then keeps the old version running.
    fn restore(&mut self, bytes: &[u8]) -> Result<(), String>;
}

impl<T: Serialize + DeserializeOwned> Snapshot for T {
    fn snapshot(&self) -> Vec<u8> {
        encode(self)
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), String> {
        *self = decode(bytes)?;
        Ok(())
    }
}

/// Serializes `state` as a snapshot.
///
/// # Panics
///
/// If `state`'s `Serialize` fails, which derived impls only do for maps whose keys are not
/// strings or integers: a bug in the strategy, which the host sees as a trap in `snapshot` (it
/// then keeps the last good snapshot).
pub fn encode<T: Serialize + ?Sized>(state: &T) -> Vec<u8> {
    match serde_json::to_vec(state) {
        Ok(bytes) => bytes,
        Err(error) => panic!("strategy state cannot be serialized: {error}"),
    }
}

/// Deserializes a snapshot made by [`encode`].
///
/// # Errors
///
/// [`SnapshotError`] when the bytes are not a snapshot of a `T`: empty, not JSON, or of another
/// shape (its message names the field and position).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, SnapshotError> {
    if bytes.is_empty() {
        return Err(SnapshotError {
            message: "the snapshot is empty".to_owned(),
        });
    }
    serde_json::from_slice(bytes).map_err(|error| SnapshotError {
        message: error.to_string(),
    })
}

/// A snapshot this version cannot continue from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotError {
    message: String,
}

impl fmt::Display for SnapshotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot restore the snapshot: {}", self.message)
    }
}

impl std::error::Error for SnapshotError {}

/// Lets `?` turn a [`SnapshotError`] into the `String` error of [`Snapshot::restore`].
impl From<SnapshotError> for String {
    fn from(error: SnapshotError) -> Self {
        error.to_string()
    }
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct State {
        price: Decimal,
        seen: u64,
    }

    #[test]
    fn serde_types_round_trip_exactly_for_free() {
        let state = State {
            price: Decimal::new(1_000, 4),
            seen: 7,
        };
        let mut restored = State {
            price: Decimal::ZERO,
            seen: 0,
        };
        restored.restore(&state.snapshot()).unwrap();
        assert_eq!(restored, state);
        assert_eq!(restored.price.to_string(), "0.1000");
    }

    #[test]
    fn bad_snapshots_are_errors_with_a_reason() {
        let mut state = State {
            price: Decimal::ZERO,
            seen: 0,
        };
        assert_eq!(
            state.restore(b""),
            Err("cannot restore the snapshot: the snapshot is empty".to_owned())
        );
        let error = state.restore(b"\xff\x00garbage").unwrap_err();
        assert!(
            error.starts_with("cannot restore the snapshot: expected value"),
            "{error}"
        );
        let error = state.restore(br#"{"price": "1"}"#).unwrap_err();
        assert!(error.contains("missing field `seen`"), "{error}");
        let error = state.restore(br#"{"price": "x", "seen": 1}"#).unwrap_err();
        assert!(error.contains("expected a Decimal"), "{error}");
        // A failed restore leaves the state as it was.
        assert_eq!(state.seen, 0);
    }
}
