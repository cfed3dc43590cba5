//! [`Redial`]: when a supervised connection tries again: its backoff's delay (full jitter),
//! stretched to what the venue's connect budget allows.

use std::time::{Duration, Instant};

use super::{Backoff, BackoffConfig, ConnectBudget, InvalidBackoff};

/// One connection's reconnect schedule.
#[derive(Debug, Clone)]
pub struct Redial {
    backoff: Backoff,
    budget: ConnectBudget,
}

/// How long to wait before the next attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Wait {
    pub duration: Duration,
    /// Whether the venue's connect budget, not the backoff, set it.
    pub budget_spent: bool,
}

impl Redial {
    /// At most `budget` attempts per `window`; `seed` feeds the jitter.
    ///
    /// # Errors
    ///
    /// [`InvalidBackoff`] for a backoff that cannot work.
    pub fn new(backoff: BackoffConfig, (budget, window): (usize, Duration), seed: u64) -> Result<Self, InvalidBackoff> {
        Ok(Self {
            backoff: Backoff::new(backoff, seed)?,
            budget: ConnectBudget::new(budget, window),
        })
    }

    /// The wait from `now` before the next attempt, which it counts.
    pub fn next_wait(&mut self, now: Instant) -> Wait {
        let delay = self.backoff.next_delay();
        match self.budget.try_attempt(now + delay) {
            Ok(()) => Wait {
                duration: delay,
                budget_spent: false,
            },
            Err(more) => {
                // The budget has room then: the attempt is counted at the time it is made.
                let _ = self.budget.try_attempt(now + delay + more);
                Wait {
                    duration: delay + more,
                    budget_spent: true,
                }
            }
        }
    }

    /// The connection proved healthy: the next failure starts the backoff over.
    pub fn reset(&mut self) {
        self.backoff.reset();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_backoff_is_stretched_to_the_budget() {
        let backoff = BackoffConfig {
            initial: Duration::from_millis(10),
            max: Duration::from_millis(10),
            ..BackoffConfig::default()
        };
        let mut redial = Redial::new(backoff, (2, Duration::from_secs(60)), 7).unwrap();
        let start = Instant::now();
        let first = redial.next_wait(start);
        assert_eq!(
            first,
            Wait {
                duration: Duration::ZERO,
                budget_spent: false
            },
            "the first retry goes at once"
        );
        let second = redial.next_wait(start);
        assert!(!second.budget_spent && second.duration <= Duration::from_millis(10));
        let third = redial.next_wait(start);
        assert!(third.budget_spent, "two attempts a minute");
        assert!(third.duration >= Duration::from_secs(59), "{third:?}");
        redial.reset();
        let after_reset = redial.next_wait(start + Duration::from_secs(200));
        assert_eq!(after_reset.duration, Duration::ZERO);
    }
}
