//! [`RollingHigh`] and [`RollingLow`]: the extremes of the last N values, in O(1) amortized.

use std::collections::VecDeque;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Period, StateError};

/// The highest of the last `period` values.
///
/// A monotonic deque holds, oldest first, each value that no newer value has met or beaten, so
/// its front is the maximum. An update drops the value leaving the window from the front and
/// the values the new one beats from the back: each value is pushed and popped once, so an
/// update is O(1) amortized. The deque is allocated once with room for `period` entries, which
/// it never exceeds, so updates never allocate.
///
/// Warm-up: the first value comes with the `period`-th update.
///
/// ```
/// use strategy_sdk::{indicators::{Period, RollingHigh}, Decimal};
///
/// let mut high = RollingHigh::new(Period::new(3)?);
/// for price in [5, 9, 7, 6, 4] {
///     high.update(Decimal::from(price));
/// }
/// assert_eq!(high.value(), Some(Decimal::from(7))); // of 7, 6, 4: the 9 has left the window
/// # Ok::<(), strategy_sdk::indicators::PeriodError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Extremes")]
pub struct RollingHigh(Extremes);

/// The lowest of the last `period` values: [`RollingHigh`] mirrored, with the same costs and
/// warm-up.
///
/// ```
/// use strategy_sdk::{indicators::{Period, RollingLow}, Decimal};
///
/// let mut low = RollingLow::new(Period::new(2)?);
/// for price in [5, 3, 4, 6] {
///     low.update(Decimal::from(price));
/// }
/// assert_eq!(low.value(), Some(Decimal::from(4)));
/// # Ok::<(), strategy_sdk::indicators::PeriodError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "Extremes")]
pub struct RollingLow(Extremes);

impl RollingHigh {
    /// The highest of `period` values, empty.
    pub fn new(period: Period) -> Self {
        RollingHigh(Extremes::new(period))
    }

    /// Adds the newest value; the one `period` updates old leaves.
    pub fn update(&mut self, value: Decimal) {
        self.0.push(value, Keep::Highest);
    }

    /// The highest value of the window, once `period` values have been seen.
    pub fn value(&self) -> Option<Decimal> {
        self.0.value()
    }

    /// Whether `period` values have been seen.
    pub fn is_ready(&self) -> bool {
        self.0.is_full()
    }

    /// The window length.
    pub fn period(&self) -> Period {
        self.0.period
    }
}

impl RollingLow {
    /// The lowest of `period` values, empty.
    pub fn new(period: Period) -> Self {
        RollingLow(Extremes::new(period))
    }

    /// Adds the newest value; the one `period` updates old leaves.
    pub fn update(&mut self, value: Decimal) {
        self.0.push(value, Keep::Lowest);
    }

    /// The lowest value of the window, once `period` values have been seen.
    pub fn value(&self) -> Option<Decimal> {
        self.0.value()
    }

    /// Whether `period` values have been seen.
    pub fn is_ready(&self) -> bool {
        self.0.is_full()
    }

    /// The window length.
    pub fn period(&self) -> Period {
        self.0.period
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    Highest,
    Lowest,
}

impl Keep {
    /// Whether `newer` makes `older` irrelevant: it is as extreme and stays longer.
    fn supersedes(self, newer: Decimal, older: Decimal) -> bool {
        match self {
            Keep::Highest => newer >= older,
            Keep::Lowest => newer <= older,
        }
    }
}

/// The monotonic deque behind both, and their snapshot form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Extremes {
    period: Period,
    /// The sequence number the next value gets. It wraps (after 2^64 updates), and ages are
    /// taken with wrapping subtraction, so wrapping changes nothing.
    next: u64,
    /// How many values the window holds: the updates so far, up to `period`.
    len: usize,
    /// (sequence number, value), oldest first, strictly less extreme towards the back.
    entries: VecDeque<(u64, Decimal)>,
}

impl Extremes {
    fn new(period: Period) -> Self {
        Extremes {
            period,
            next: 0,
            len: 0,
            entries: VecDeque::with_capacity(period.get()),
        }
    }

    fn push(&mut self, value: Decimal, keep: Keep) {
        // After this push the window spans the last `period` sequence numbers, up to `next`.
        if let Some(&(oldest, _)) = self.entries.front() {
            if self.next.wrapping_sub(oldest) >= self.period.get() as u64 {
                self.entries.pop_front();
            }
        }
        while let Some(&(_, back)) = self.entries.back() {
            if !keep.supersedes(value, back) {
                break;
            }
            self.entries.pop_back();
        }
        self.entries.push_back((self.next, value));
        self.next = self.next.wrapping_add(1);
        self.len = (self.len + 1).min(self.period.get());
    }

    fn value(&self) -> Option<Decimal> {
        self.is_full()
            .then(|| self.entries.front().map(|&(_, value)| value))
            .flatten()
    }

    fn is_full(&self) -> bool {
        self.len == self.period.get()
    }

    /// Checks what no sequence of updates can break.
    fn check(self, keep: Keep) -> Result<Self, StateError> {
        let invalid = |why: &str| Err(StateError(format!("rolling extreme snapshot: {why}")));
        if self.len > self.period.get() || self.entries.len() > self.len {
            return invalid("more entries than its window holds");
        }
        if self.len > 0 && self.entries.back().map(|&(seq, _)| seq) != Some(self.next.wrapping_sub(1)) {
            return invalid("the newest value is missing");
        }
        // Ages: 0 for the newest entry, growing towards the front, each below `len`.
        let newest = self.next.wrapping_sub(1);
        let ages: Vec<u64> = self.entries.iter().map(|&(seq, _)| newest.wrapping_sub(seq)).collect();
        if ages.iter().any(|&age| age >= self.len as u64) || ages.windows(2).any(|pair| pair[0] <= pair[1]) {
            return invalid("sequence numbers out of order or outside the window");
        }
        let values: Vec<Decimal> = self.entries.iter().map(|&(_, value)| value).collect();
        if values.windows(2).any(|pair| keep.supersedes(pair[1], pair[0])) {
            return invalid("values not strictly ordered");
        }
        let mut extremes = Extremes::new(self.period);
        extremes.entries.extend(self.entries);
        Ok(Extremes {
            next: self.next,
            len: self.len,
            ..extremes
        })
    }
}

impl TryFrom<Extremes> for RollingHigh {
    type Error = StateError;

    fn try_from(state: Extremes) -> Result<Self, Self::Error> {
        state.check(Keep::Highest).map(RollingHigh)
    }
}

impl TryFrom<Extremes> for RollingLow {
    type Error = StateError;

    fn try_from(state: Extremes) -> Result<Self, Self::Error> {
        state.check(Keep::Lowest).map(RollingLow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(length: usize) -> Period {
        Period::new(length).unwrap()
    }

    /// A deterministic, bumpy series with repeats.
    fn series() -> Vec<Decimal> {
        (0..200u32).map(|i| Decimal::from((i * 37 + i * i) % 23)).collect()
    }

    #[test]
    fn equals_the_extremes_of_the_window_by_brute_force() {
        let values = series();
        for length in [1, 2, 3, 7, 23] {
            let (mut high, mut low) = (RollingHigh::new(period(length)), RollingLow::new(period(length)));
            for (i, value) in values.iter().enumerate() {
                high.update(*value);
                low.update(*value);
                let window = &values[(i + 1).saturating_sub(length)..=i];
                let full = window.len() == length;
                assert_eq!(
                    high.value(),
                    full.then(|| *window.iter().max().unwrap()),
                    "{length} {i}"
                );
                assert_eq!(low.value(), full.then(|| *window.iter().min().unwrap()), "{length} {i}");
                assert!(high.0.entries.len() <= length);
            }
        }
    }

    #[test]
    fn never_grows_beyond_the_capacity_allocated_at_start() {
        let mut low = RollingLow::new(period(5));
        let capacity = low.0.entries.capacity();
        // Rising values are never superseded by a later low: the deque fills to `period`.
        for i in 0..100 {
            low.update(Decimal::from(i));
            assert!(low.0.entries.len() <= 5);
        }
        assert_eq!(low.0.entries.capacity(), capacity);
    }

    #[test]
    fn sequence_numbers_may_wrap() {
        let mut high = RollingHigh::new(period(3));
        high.0.next = u64::MAX - 1;
        for value in [1, 5, 2, 3, 1] {
            high.update(Decimal::from(value));
        }
        assert_eq!(high.value(), Some(Decimal::from(3)));
        let json = serde_json::to_string(&high).unwrap();
        assert_eq!(serde_json::from_str::<RollingHigh>(&json).unwrap(), high);
    }

    #[test]
    fn snapshots_round_trip_and_broken_ones_are_refused() {
        let mut high = RollingHigh::new(period(3));
        for value in [4, 2, 3] {
            high.update(Decimal::from(value));
        }
        let json = serde_json::to_string(&high).unwrap();
        assert_eq!(json, r#"{"period":3,"next":3,"len":3,"entries":[[0,"4"],[2,"3"]]}"#);
        assert_eq!(serde_json::from_str::<RollingHigh>(&json).unwrap(), high);
        // The same deque is not a valid low (values must rise towards the back).
        assert!(serde_json::from_str::<RollingLow>(&json).is_err());
        let refused = [
            r#"{"period":3,"next":3,"len":3,"entries":[[0,"4"],[1,"3"]]}"#, // newest missing
            r#"{"period":3,"next":5,"len":3,"entries":[[1,"4"],[4,"3"]]}"#, // 1 has left the window
            r#"{"period":3,"next":3,"len":4,"entries":[[2,"3"]]}"#,         // len above period
            r#"{"period":3,"next":3,"len":3,"entries":[[2,"3"],[2,"3"]]}"#, // repeated
        ];
        for json in refused {
            assert!(serde_json::from_str::<RollingHigh>(json).is_err(), "{json}");
        }
    }
}
