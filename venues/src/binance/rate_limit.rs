//! [`RateLimits`]: Binance's limits and how much of each is used, from what Binance reports
//! (the WebSocket API's `rateLimits`, REST's `X-MBX-USED-WEIGHT-<n><unit>` and
//! `X-MBX-ORDER-COUNT-<n><unit>` headers), so that an order Binance would refuse for its count
//! is refused here first, and nothing is sent while a 429 or 418 says to wait. Pure: times are
//! arguments.
//!
//! The counts are Binance's own, as of its last answer: weight is per IP and shared with every
//! other client on it, so only Binance knows it. Between answers the count can only be what
//! it was or more, so each order sent adds one to the order counts ([`RateLimits::count_order`])
//! until the next answer says; and a count older than its window has been reset by Binance, so
//! it no longer refuses anything.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::wire::{RateLimit, RateLimitInterval, RateLimitKind, RateLimitUsage};

/// One limit's identity: what it counts over which window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LimitKey {
    /// What it counts.
    pub kind: RateLimitKind,
    /// The window's unit.
    pub interval: RateLimitInterval,
    /// The window's length in units.
    pub interval_num: u32,
}

impl LimitKey {
    /// The window's length.
    pub fn window(&self) -> Duration {
        let ms = self.interval.unit_ms().saturating_mul(i64::from(self.interval_num));
        Duration::from_millis(u64::try_from(ms).unwrap_or(0))
    }

    /// The `limit` label of `strategy_host_venue_rate_limit_used`: `request_weight_1m`,
    /// `orders_10s`, `orders_1d`.
    pub fn label(&self) -> String {
        let kind = match self.kind {
            RateLimitKind::RequestWeight => "request_weight",
            RateLimitKind::Orders => "orders",
            RateLimitKind::RawRequests => "raw_requests",
            RateLimitKind::Connections => "connections",
        };
        let unit = match self.interval {
            RateLimitInterval::Second => 's',
            RateLimitInterval::Minute => 'm',
            RateLimitInterval::Hour => 'h',
            RateLimitInterval::Day => 'd',
        };
        format!("{kind}_{}{unit}", self.interval_num)
    }
}

/// Why a request may not go now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// A 429 or 418 said to wait: nothing is sent before it ends.
    #[error("Binance asked to wait {remaining:?} more (429/418 Retry-After)")]
    Backoff {
        /// How long is left.
        remaining: Duration,
    },
    /// An order count limit is used up: Binance would refuse the order (-1015).
    #[error("the {limit} order limit is used up ({used} of {max})")]
    OrderLimit {
        /// The limit's label.
        limit: String,
        /// Binance's count.
        used: u64,
        /// The limit.
        max: u64,
    },
}

/// Binance's limits and their use.
#[derive(Debug, Clone, Default)]
pub struct RateLimits {
    limits: BTreeMap<LimitKey, u64>,
    /// Each count and when it was learned.
    used: BTreeMap<LimitKey, (u64, Instant)>,
    wait_until: Option<Instant>,
}

impl RateLimits {
    /// The limits `exchangeInfo` lists.
    pub fn new(limits: &[RateLimit]) -> Self {
        Self {
            limits: limits
                .iter()
                .map(|l| {
                    let key = LimitKey {
                        kind: l.kind,
                        interval: l.interval,
                        interval_num: l.interval_num,
                    };
                    (key, l.limit)
                })
                .collect(),
            ..Self::default()
        }
    }

    /// Takes the limits `exchangeInfo` lists, keeping the counts already known.
    pub fn set_limits(&mut self, limits: &[RateLimit]) {
        self.limits = Self::new(limits).limits;
    }

    /// Takes a WebSocket API answer's `rateLimits` received at `now` (their limits too: Binance
    /// may change them).
    pub fn observe(&mut self, usage: &[RateLimitUsage], now: Instant) {
        for u in usage {
            let key = LimitKey {
                kind: u.kind,
                interval: u.interval,
                interval_num: u.interval_num,
            };
            self.limits.insert(key, u.limit);
            self.used.insert(key, (u.count, now));
        }
    }

    /// Takes one REST response header received at `now`; headers other than Binance's counters
    /// are ignored.
    pub fn observe_header(&mut self, name: &str, value: &str, now: Instant) {
        let Some(key) = header_key(name) else {
            return;
        };
        if let Ok(count) = value.trim().parse() {
            self.used.insert(key, (count, now));
        }
    }

    /// An order was sent at `now`: every order count is one more until Binance says.
    pub fn count_order(&mut self, now: Instant) {
        let keys: Vec<LimitKey> = self
            .limits
            .keys()
            .filter(|k| k.kind == RateLimitKind::Orders)
            .copied()
            .collect();
        for key in keys {
            let used = self.current(&key, now);
            self.used.insert(key, (used + 1, now));
        }
    }

    /// The count of `key` at `now`: zero once its window has passed since it was learned.
    fn current(&self, key: &LimitKey, now: Instant) -> u64 {
        match self.used.get(key) {
            Some((count, at)) if now.saturating_duration_since(*at) < key.window() => *count,
            _ => 0,
        }
    }

    /// A 429 or 418 at `now` said to wait `retry_after`.
    pub fn back_off(&mut self, now: Instant, retry_after: Duration) {
        let until = now + retry_after;
        self.wait_until = Some(self.wait_until.map_or(until, |current| current.max(until)));
    }

    /// Whether any request may go at `now`.
    ///
    /// # Errors
    /// [`Refused::Backoff`] while a 429 or 418's wait lasts.
    pub fn may_send(&self, now: Instant) -> Result<(), Refused> {
        match self.wait_until {
            Some(until) if until > now => Err(Refused::Backoff { remaining: until - now }),
            _ => Ok(()),
        }
    }

    /// Whether a new order may go at `now`: no wait in force and every order count below its
    /// limit.
    ///
    /// # Errors
    /// [`Refused`] saying which.
    pub fn may_place(&self, now: Instant) -> Result<(), Refused> {
        self.may_send(now)?;
        for (key, max) in &self.limits {
            if key.kind != RateLimitKind::Orders {
                continue;
            }
            let used = self.current(key, now);
            if used >= *max {
                return Err(Refused::OrderLimit {
                    limit: key.label(),
                    used,
                    max: *max,
                });
            }
        }
        Ok(())
    }

    /// Every limit with its last known use, for `strategy_host_venue_rate_limit_used`.
    pub fn usage(&self) -> Vec<(LimitKey, u64, Option<u64>)> {
        let mut keys: Vec<LimitKey> = self.limits.keys().chain(self.used.keys()).copied().collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .map(|key| {
                (
                    key,
                    self.used.get(&key).map_or(0, |(count, _)| *count),
                    self.limits.get(&key).copied(),
                )
            })
            .collect()
    }
}

/// `X-MBX-USED-WEIGHT-1M` → request weight per 1 minute; `X-MBX-ORDER-COUNT-10S` → orders per
/// 10 seconds. Header names compare case-insensitively.
fn header_key(name: &str) -> Option<LimitKey> {
    let upper = name.to_ascii_uppercase();
    let (kind, window) = if let Some(window) = upper.strip_prefix("X-MBX-USED-WEIGHT-") {
        (RateLimitKind::RequestWeight, window)
    } else if let Some(window) = upper.strip_prefix("X-MBX-ORDER-COUNT-") {
        (RateLimitKind::Orders, window)
    } else {
        return None;
    };
    let unit_at = window.len().checked_sub(1)?;
    let (number, unit) = (window.get(..unit_at)?, window.get(unit_at..)?);
    let interval = match unit {
        "S" => RateLimitInterval::Second,
        "M" => RateLimitInterval::Minute,
        "H" => RateLimitInterval::Hour,
        "D" => RateLimitInterval::Day,
        _ => return None,
    };
    Some(LimitKey {
        kind,
        interval,
        interval_num: number.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::binance::wire::parse_exchange_info;

    fn limits() -> RateLimits {
        let info = parse_exchange_info(
            r#"{"serverTime":1,"symbols":[],"rateLimits":[
                {"rateLimitType":"REQUEST_WEIGHT","interval":"MINUTE","intervalNum":1,"limit":6000},
                {"rateLimitType":"ORDERS","interval":"SECOND","intervalNum":10,"limit":50},
                {"rateLimitType":"ORDERS","interval":"DAY","intervalNum":1,"limit":160000}]}"#,
        )
        .unwrap();
        RateLimits::new(&info.rate_limits)
    }

    #[test]
    fn headers_and_answers_set_the_use_and_order_limits_refuse_first() {
        let mut limits = limits();
        let now = Instant::now();
        assert_eq!(limits.may_place(now), Ok(()));
        let mut refreshed = limits.clone();
        refreshed.observe_header("X-MBX-ORDER-COUNT-10S", "50", now);
        refreshed.set_limits(&[]);
        assert_eq!(refreshed.may_place(now), Ok(()), "no limit listed, none refuses");
        limits.observe_header("x-mbx-used-weight-1m", "120", now);
        limits.observe_header("X-MBX-ORDER-COUNT-10S", "50", now);
        limits.observe_header("Content-Type", "application/json", now);
        limits.observe_header("X-MBX-USED-WEIGHT-1X", "7", now);
        assert_eq!(
            limits.may_place(now),
            Err(Refused::OrderLimit {
                limit: "orders_10s".into(),
                used: 50,
                max: 50
            })
        );
        assert_eq!(limits.may_send(now), Ok(()), "a cancel or a query may still go");
        let usage: Vec<(String, u64, Option<u64>)> =
            limits.usage().into_iter().map(|(k, u, l)| (k.label(), u, l)).collect();
        assert_eq!(
            usage,
            [
                ("request_weight_1m".to_owned(), 120, Some(6000)),
                ("orders_10s".to_owned(), 50, Some(50)),
                ("orders_1d".to_owned(), 0, Some(160000)),
            ]
        );
        limits.observe(
            &[RateLimitUsage {
                kind: RateLimitKind::Orders,
                interval: RateLimitInterval::Second,
                interval_num: 10,
                limit: 100,
                count: 3,
            }],
            now,
        );
        assert_eq!(limits.may_place(now), Ok(()));
    }

    #[test]
    fn orders_sent_count_until_binance_answers_and_a_count_past_its_window_is_reset() {
        let mut limits = limits();
        let now = Instant::now();
        limits.observe(
            &[RateLimitUsage {
                kind: RateLimitKind::Orders,
                interval: RateLimitInterval::Second,
                interval_num: 10,
                limit: 50,
                count: 48,
            }],
            now,
        );
        limits.count_order(now);
        assert_eq!(limits.may_place(now), Ok(()), "49 of 50");
        limits.count_order(now);
        assert!(matches!(
            limits.may_place(now),
            Err(Refused::OrderLimit { used: 50, .. })
        ));
        assert_eq!(
            limits.may_place(now + Duration::from_secs(10)),
            Ok(()),
            "Binance has started a new window since"
        );
    }

    #[test]
    fn nothing_goes_before_retry_after() {
        let mut limits = limits();
        let now = Instant::now();
        limits.back_off(now, Duration::from_secs(30));
        limits.back_off(now, Duration::from_secs(5));
        assert_eq!(
            limits.may_send(now + Duration::from_secs(10)),
            Err(Refused::Backoff {
                remaining: Duration::from_secs(20)
            }),
            "the longer wait holds"
        );
        assert!(limits.may_place(now + Duration::from_secs(29)).is_err());
        assert_eq!(limits.may_send(now + Duration::from_secs(30)), Ok(()));
    }
}
