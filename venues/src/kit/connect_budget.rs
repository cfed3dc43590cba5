//! [`ConnectBudget`]: how many connections a venue lets one address open in a rolling window
//! (Kraken: about 150 per 10 minutes per IP, past which it bans the address for 10 minutes).
//! A supervisor asks before each attempt and waits when the budget is spent, whatever its
//! backoff says.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct ConnectBudget {
    limit: usize,
    window: Duration,
    attempts: VecDeque<Instant>,
}

impl ConnectBudget {
    /// At most `limit` attempts in any `window` (a limit of 0 is taken as 1).
    pub fn new(limit: usize, window: Duration) -> Self {
        Self {
            limit: limit.max(1),
            window,
            attempts: VecDeque::new(),
        }
    }

    /// Records an attempt at `now` if the budget allows one; otherwise how long until it does.
    ///
    /// # Errors
    ///
    /// The wait until the oldest attempt in the window leaves it.
    pub fn try_attempt(&mut self, now: Instant) -> Result<(), Duration> {
        while let Some(&oldest) = self.attempts.front() {
            if now.saturating_duration_since(oldest) >= self.window {
                self.attempts.pop_front();
            } else {
                break;
            }
        }
        if self.attempts.len() >= self.limit {
            let oldest = self.attempts.front().copied().unwrap_or(now);
            return Err(self.window.saturating_sub(now.saturating_duration_since(oldest)));
        }
        self.attempts.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_rolls() {
        let start = Instant::now();
        let s = Duration::from_secs;
        let mut budget = ConnectBudget::new(2, s(10));
        assert_eq!(budget.try_attempt(start), Ok(()));
        assert_eq!(budget.try_attempt(start + s(3)), Ok(()));
        assert_eq!(budget.try_attempt(start + s(4)), Err(s(6)));
        assert_eq!(budget.try_attempt(start + s(10)), Ok(()), "the first left the window");
        assert_eq!(budget.try_attempt(start + s(11)), Err(s(2)));
    }
}
