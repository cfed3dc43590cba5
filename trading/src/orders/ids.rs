//! Client order ids: `{prefix}-{seq}`.
//!
//! The prefix comes from configuration: the host derives it from its start time when it trades
//! live (so ids never repeat across restarts, and venues dedupe on them), and backtests use a
//! fixed one such as `bt` (so the same run gives the same ids). The sequence starts at 1.

use crate::orders::OrderId;

/// The longest prefix accepted: venues cap client order ids (36 characters is common), and the
/// sequence needs room.
pub const MAX_ORDER_ID_PREFIX_LEN: usize = 16;

/// Hands out `{prefix}-1`, `{prefix}-2`, ...
#[derive(Debug, Clone)]
pub struct OrderIdGen {
    prefix: String,
    next: u64,
}

/// A prefix that would make ids a venue may refuse or that could collide.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid order id prefix `{prefix}`: expected 1 to {MAX_ORDER_ID_PREFIX_LEN} ASCII letters, digits or `_`")]
pub struct InvalidOrderIdPrefix {
    pub prefix: String,
}

impl OrderIdGen {
    /// # Errors
    ///
    /// [`InvalidOrderIdPrefix`] unless the prefix is 1 to [`MAX_ORDER_ID_PREFIX_LEN`] ASCII
    /// letters, digits or underscores (no `-`, so the sequence is always the part after the last one).
    pub fn new(prefix: &str) -> Result<Self, InvalidOrderIdPrefix> {
        let valid = !prefix.is_empty()
            && prefix.len() <= MAX_ORDER_ID_PREFIX_LEN
            && prefix.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !valid {
            return Err(InvalidOrderIdPrefix {
                prefix: prefix.to_owned(),
            });
        }
        Ok(Self {
            prefix: prefix.to_owned(),
            next: 1,
        })
    }

    /// The next id; never the same one twice from one generator.
    pub fn next_id(&mut self) -> OrderId {
        let id = OrderId::new(&format!("{}-{}", self.prefix, self.next));
        self.next += 1;
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefix_dash_sequence() {
        let mut ids = OrderIdGen::new("bt").unwrap();
        assert_eq!(ids.next_id().as_str(), "bt-1");
        assert_eq!(ids.next_id().as_str(), "bt-2");
    }

    #[test]
    fn bad_prefixes_are_refused() {
        for bad in [
            "",
            "a-b",
            "with space",
            "ü",
            "x".repeat(MAX_ORDER_ID_PREFIX_LEN + 1).as_str(),
        ] {
            assert!(OrderIdGen::new(bad).is_err(), "{bad:?}");
        }
        assert!(OrderIdGen::new("h1733000000_0").is_ok());
    }
}
