//! [`Backoff`]: exponential backoff with full jitter for reconnects.
//!
//! Attempt n (0-based) waits a uniformly random time in `[0, min(max, initial × factorⁿ⁻¹)]`,
//! the "full jitter" of AWS's backoff study: many clients that dropped at once spread out
//! instead of reconnecting in lockstep. The first retry can go at once (a single dropped
//! connection is the common case, and waiting only loses data). A success resets it.

use std::time::Duration;

/// How a connection backs off. Defaults: first retry at once, then up to 250 ms, doubling to
/// at most 30 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackoffConfig {
    /// The ceiling of the first delayed attempt.
    pub initial: Duration,
    /// The largest ceiling.
    pub max: Duration,
    /// How much the ceiling grows per attempt (at least 1).
    pub factor: u32,
    /// Whether the first retry after a success goes without waiting.
    pub immediate_first: bool,
}

impl Default for BackoffConfig {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(250),
            max: Duration::from_secs(30),
            factor: 2,
            immediate_first: true,
        }
    }
}

/// A backoff configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidBackoff {
    #[error("backoff factor must be at least 1, got {0}")]
    Factor(u32),
    #[error("backoff max ({max:?}) must not be below its initial delay ({initial:?})")]
    MaxBelowInitial { initial: Duration, max: Duration },
}

impl BackoffConfig {
    /// # Errors
    ///
    /// [`InvalidBackoff`] for a factor of 0 or a max below the initial delay.
    pub fn validate(&self) -> Result<(), InvalidBackoff> {
        if self.factor == 0 {
            return Err(InvalidBackoff::Factor(self.factor));
        }
        if self.max < self.initial {
            return Err(InvalidBackoff::MaxBelowInitial {
                initial: self.initial,
                max: self.max,
            });
        }
        Ok(())
    }
}

/// The reconnect schedule of one connection.
#[derive(Debug, Clone)]
pub struct Backoff {
    config: BackoffConfig,
    attempt: u32,
    rng: SplitMix64,
}

impl Backoff {
    /// `seed` feeds the jitter (tests fix it; adapters pass something that differs per process).
    ///
    /// # Errors
    ///
    /// [`InvalidBackoff`] for a configuration that cannot work.
    pub fn new(config: BackoffConfig, seed: u64) -> Result<Self, InvalidBackoff> {
        config.validate()?;
        Ok(Self {
            config,
            attempt: 0,
            rng: SplitMix64(seed),
        })
    }

    /// How long to wait before the next attempt; counts the attempt.
    pub fn next_delay(&mut self) -> Duration {
        let attempt = self.attempt;
        self.attempt = self.attempt.saturating_add(1);
        let delayed = if self.config.immediate_first {
            match attempt.checked_sub(1) {
                None => return Duration::ZERO,
                Some(n) => n,
            }
        } else {
            attempt
        };
        let ceiling = self.ceiling(delayed);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(self.rng.below(nanos.saturating_add(1)))
    }

    /// Attempts since the last success.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// The connection is up again: the next failure starts from the beginning.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    fn ceiling(&self, n: u32) -> Duration {
        let growth = self.config.factor.checked_pow(n).unwrap_or(u32::MAX);
        self.config
            .initial
            .checked_mul(growth)
            .unwrap_or(self.config.max)
            .min(self.config.max)
    }
}

/// A small, fast, seedable generator: jitter needs spread, not cryptographic strength (and
/// tests that need repeatable random points use it too).
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, bound)`; 0 for a bound of 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // Multiply-shift maps 64 random bits onto the range with negligible bias.
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn first_retry_is_immediate_then_delays_stay_under_a_doubling_ceiling() {
        let config = BackoffConfig {
            initial: ms(100),
            max: ms(1_000),
            factor: 2,
            immediate_first: true,
        };
        let mut backoff = Backoff::new(config, 7).unwrap();
        assert_eq!(backoff.next_delay(), Duration::ZERO);
        let ceilings = [100, 200, 400, 800, 1_000, 1_000, 1_000];
        for ceiling in ceilings {
            let delay = backoff.next_delay();
            assert!(delay <= ms(ceiling), "{delay:?} over {ceiling} ms");
        }
        backoff.reset();
        assert_eq!((backoff.attempts(), backoff.next_delay()), (0, Duration::ZERO));
    }

    #[test]
    fn jitter_spreads_over_the_whole_range() {
        let config = BackoffConfig {
            initial: ms(1_000),
            max: ms(1_000),
            factor: 2,
            immediate_first: false,
        };
        let mut backoff = Backoff::new(config, 42).unwrap();
        let delays: Vec<Duration> = (0..1_000).map(|_| backoff.next_delay()).collect();
        let below_quarter = delays.iter().filter(|d| **d < ms(250)).count();
        let above_three_quarters = delays.iter().filter(|d| **d > ms(750)).count();
        // Uniform: about 250 each; a lockstep schedule would put all of them in one place.
        assert!((150..350).contains(&below_quarter), "{below_quarter}");
        assert!((150..350).contains(&above_three_quarters), "{above_three_quarters}");
        assert!(delays.iter().all(|d| *d <= ms(1_000)));
    }

    #[test]
    fn bad_configs_are_refused() {
        let zero = BackoffConfig {
            factor: 0,
            ..BackoffConfig::default()
        };
        assert_eq!(Backoff::new(zero, 1).unwrap_err(), InvalidBackoff::Factor(0));
        let inverted = BackoffConfig {
            initial: ms(10),
            max: ms(1),
            ..BackoffConfig::default()
        };
        assert!(matches!(
            Backoff::new(inverted, 1),
            Err(InvalidBackoff::MaxBelowInitial { .. })
        ));
    }

    #[test]
    fn huge_attempt_counts_do_not_overflow() {
        let mut backoff = Backoff::new(BackoffConfig::default(), 3).unwrap();
        for _ in 0..200 {
            assert!(backoff.next_delay() <= BackoffConfig::default().max);
        }
    }
}
