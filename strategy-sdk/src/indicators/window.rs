//! [`Window`]: the last N values of a series, in a ring buffer.

use std::collections::VecDeque;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::Period;

/// The most recent `period` values of a series, oldest first.
///
/// Pushing into a full window evicts the oldest value; the buffer is allocated once, so the
/// per-event path never allocates.
///
/// ```
/// use strategy_sdk::indicators::{Period, Window};
///
/// let mut closes = Window::new(Period::new(2)?);
/// assert_eq!(closes.push(1), None);
/// assert_eq!(closes.push(2), None);
/// assert_eq!(closes.push(3), Some(1));
/// assert_eq!(closes.oldest(), Some(&2));
/// # Ok::<(), strategy_sdk::indicators::PeriodError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "WindowState<T>")]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Window<T> {
    period: Period,
    values: VecDeque<T>,
}

impl<T> Window<T> {
    /// An empty window of `period` values.
    pub fn new(period: Period) -> Self {
        Window {
            period,
            values: VecDeque::with_capacity(period.get()),
        }
    }

    /// Appends `value`; once the window is full, returns the value it evicted.
    pub fn push(&mut self, value: T) -> Option<T> {
        let evicted = if self.is_full() { self.values.pop_front() } else { None };
        self.values.push_back(value);
        evicted
    }

    /// The number of values the window holds when full.
    pub fn period(&self) -> Period {
        self.period
    }

    /// How many values it holds now.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether it holds no value yet.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether it holds `period` values.
    pub fn is_full(&self) -> bool {
        self.values.len() == self.period.get()
    }

    /// The oldest value held.
    pub fn oldest(&self) -> Option<&T> {
        self.values.front()
    }

    /// The newest value held.
    pub fn newest(&self) -> Option<&T> {
        self.values.back()
    }

    /// The values held, oldest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + ExactSizeIterator {
        self.values.iter()
    }

    /// Changes the period, keeping the newest values that still fit. Lets a restored window
    /// follow a new version's params.
    pub fn resize(&mut self, period: Period) {
        let excess = self.values.len().saturating_sub(period.get());
        self.values.drain(..excess);
        self.values
            .reserve_exact(period.get().saturating_sub(self.values.len()));
        self.period = period;
    }
}

/// What a snapshot holds; checked before it becomes a [`Window`].
#[derive(Deserialize)]
struct WindowState<T> {
    period: Period,
    values: VecDeque<T>,
}

impl<T> TryFrom<WindowState<T>> for Window<T> {
    type Error = WindowStateError;

    fn try_from(state: WindowState<T>) -> Result<Self, Self::Error> {
        if state.values.len() > state.period.get() {
            return Err(WindowStateError {
                period: state.period,
                len: state.values.len(),
            });
        }
        let mut window = Window::new(state.period);
        window.values.extend(state.values);
        Ok(window)
    }
}

/// A snapshot of a window holding more values than its period.
#[derive(Debug)]
pub struct WindowStateError {
    period: Period,
    len: usize,
}

impl fmt::Display for WindowStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a window of period {} cannot hold {} values", self.period, self.len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(period: usize, values: &[i32]) -> Window<i32> {
        let mut window = Window::new(Period::new(period).unwrap());
        for value in values {
            window.push(*value);
        }
        window
    }

    #[test]
    fn keeps_the_last_period_values_and_evicts_the_oldest() {
        let mut window = window(3, &[1, 2]);
        assert!(!window.is_full());
        assert_eq!(window.push(3), None);
        assert!(window.is_full());
        assert_eq!(window.push(4), Some(1));
        assert_eq!(window.iter().copied().collect::<Vec<_>>(), [2, 3, 4]);
        assert_eq!((window.oldest(), window.newest()), (Some(&2), Some(&4)));
    }

    #[test]
    fn resize_keeps_the_newest_values() {
        let mut window = window(4, &[1, 2, 3, 4]);
        window.resize(Period::new(2).unwrap());
        assert_eq!(window.iter().copied().collect::<Vec<_>>(), [3, 4]);
        assert!(window.is_full());
        window.resize(Period::new(5).unwrap());
        assert!(!window.is_full());
        assert_eq!(window.push(5), None);
        assert_eq!(window.len(), 3);
    }

    #[test]
    fn round_trips_through_json_and_refuses_overfull_snapshots() {
        let window = window(3, &[1, 2, 3, 4]);
        let json = serde_json::to_string(&window).unwrap();
        assert_eq!(json, r#"{"period":3,"values":[2,3,4]}"#);
        let restored: Window<i32> = serde_json::from_str(&json).unwrap();
        assert_eq!(restored, window);

        let error = serde_json::from_str::<Window<i32>>(r#"{"period":2,"values":[1,2,3]}"#)
            .unwrap_err()
            .to_string();
        assert_eq!(error, "a window of period 2 cannot hold 3 values");
        let error = serde_json::from_str::<Window<i32>>(r#"{"period":0,"values":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("must be between 1 and 100000, got 0"), "{error}");
    }
}
