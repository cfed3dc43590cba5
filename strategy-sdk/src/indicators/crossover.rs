//! [`Crossover`]: notices when one series crosses another.
//!
//! How an exact tie counts: it is no relation at all. An `Equal` comparison leaves the last
//! strict relation (above or below) in place and reports nothing, so a cross is reported on the
//! first strict comparison that differs from the last strict one: touching and turning back is
//! no cross, going through (below, equal…, above) is one cross, reported when the series is
//! strictly above. Ties before any strict comparison set nothing; the first strict comparison
//! only sets the relation. Warm-up: a cross needs two strict comparisons.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

/// Where the first series stands relative to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Relation {
    /// Strictly above.
    Above,
    /// Strictly below.
    Below,
}

/// A change of [`Relation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cross {
    /// The first series crossed above the second (for moving averages: a golden cross).
    Up,
    /// The first series crossed below the second (a death cross).
    Down,
}

/// Tracks the relation of two series and reports each time it flips.
///
/// The first comparison only sets the relation: there is no cross without a before. Equality
/// keeps the previous relation, so a series that touches the other and turns back does not
/// cross, and one that goes through it crosses exactly once.
///
/// ```
/// use std::cmp::Ordering::*;
/// use strategy_sdk::indicators::{Cross, Crossover};
///
/// let mut crossover = Crossover::default();
/// assert_eq!(crossover.update(Less), None);
/// assert_eq!(crossover.update(Equal), None);
/// assert_eq!(crossover.update(Greater), Some(Cross::Up));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crossover {
    relation: Option<Relation>,
}

impl Crossover {
    /// Takes the newest comparison of the first series with the second (`first.cmp(&second)`);
    /// returns the cross, if the relation flipped.
    pub fn update(&mut self, ordering: Ordering) -> Option<Cross> {
        let now = match ordering {
            Ordering::Greater => Relation::Above,
            Ordering::Less => Relation::Below,
            Ordering::Equal => return None,
        };
        let before = self.relation.replace(now);
        match (before, now) {
            (Some(Relation::Below), Relation::Above) => Some(Cross::Up),
            (Some(Relation::Above), Relation::Below) => Some(Cross::Down),
            _ => None,
        }
    }

    /// The last strict relation seen, if any.
    pub fn relation(&self) -> Option<Relation> {
        self.relation
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering::{Equal, Greater, Less};

    use super::*;

    fn crosses(orderings: &[Ordering]) -> Vec<Option<Cross>> {
        let mut crossover = Crossover::default();
        orderings.iter().map(|o| crossover.update(*o)).collect()
    }

    #[test]
    fn reports_each_flip_once() {
        assert_eq!(
            crosses(&[Less, Less, Greater, Greater, Less]),
            [None, None, Some(Cross::Up), None, Some(Cross::Down)]
        );
    }

    #[test]
    fn the_first_comparison_is_not_a_cross() {
        assert_eq!(crosses(&[Greater]), [None]);
        assert_eq!(crosses(&[Equal, Greater, Less]), [None, None, Some(Cross::Down)]);
    }

    #[test]
    fn touching_is_not_crossing_and_going_through_is() {
        assert_eq!(crosses(&[Less, Equal, Less]), [None, None, None]);
        assert_eq!(crosses(&[Less, Equal, Greater]), [None, None, Some(Cross::Up)]);
    }

    #[test]
    fn ties_keep_the_last_strict_relation_however_long_they_last() {
        assert_eq!(
            crosses(&[Greater, Equal, Equal, Equal, Less]),
            [None, None, None, None, Some(Cross::Down)]
        );
        assert_eq!(crosses(&[Equal, Equal, Less, Equal, Less]), [None; 5]);
        let mut crossover = Crossover::default();
        crossover.update(Less);
        crossover.update(Equal);
        assert_eq!(crossover.relation(), Some(Relation::Below));
    }

    #[test]
    fn the_relation_survives_a_snapshot() {
        let mut crossover = Crossover::default();
        crossover.update(Less);
        let json = serde_json::to_string(&crossover).unwrap();
        assert_eq!(json, r#"{"relation":"below"}"#);
        let mut restored: Crossover = serde_json::from_str(&json).unwrap();
        assert_eq!(restored.update(Greater), Some(Cross::Up));
    }
}
