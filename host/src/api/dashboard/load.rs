//! Strategies' events per second and call p99 over the last sampling interval, from the
//! counters the metrics keep (a rate needs two samples; the first sample of a strategy has none).

use std::collections::BTreeMap;
use std::time::Instant;

use crate::metrics::StrategyLoad;

/// One strategy's rates over the interval before its latest sample.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rate {
    pub events_per_second: Option<f64>,
    /// The upper bound (µs) of the call-duration bucket that holds the 99th percentile of the
    /// interval's calls, or the last bucket's bound when it is beyond every bucket
    /// ([`Rate::call_p99_beyond`]).
    pub call_p99_us: Option<f64>,
    /// The 99th percentile is slower than the last bucket: all that is known is "more than".
    pub call_p99_beyond: bool,
}

#[derive(Debug, Default)]
pub struct LoadRates {
    samples: BTreeMap<String, (Instant, StrategyLoad)>,
    rates: BTreeMap<String, Rate>,
}

impl LoadRates {
    /// Takes a new sample of each of `strategies` and forgets the others.
    pub fn update<'a>(
        &mut self,
        strategies: impl IntoIterator<Item = &'a str>,
        load: impl Fn(&str) -> StrategyLoad,
        now: Instant,
    ) {
        let mut samples = BTreeMap::new();
        let mut rates = BTreeMap::new();
        for strategy in strategies {
            let current = load(strategy);
            if let Some((then, before)) = self.samples.get(strategy) {
                rates.insert(
                    strategy.to_owned(),
                    rate(before, &current, now.duration_since(*then).as_secs_f64()),
                );
            }
            samples.insert(strategy.to_owned(), (now, current));
        }
        self.samples = samples;
        self.rates = rates;
    }

    /// `strategy`'s rates as of its latest sample (none before its second).
    pub fn rate(&self, strategy: &str) -> Rate {
        self.rates.get(strategy).copied().unwrap_or_default()
    }
}

fn rate(before: &StrategyLoad, now: &StrategyLoad, seconds: f64) -> Rate {
    let events_per_second = (seconds > 0.0).then(|| now.events.saturating_sub(before.events) as f64 / seconds);
    let calls = now.calls.saturating_sub(before.calls);
    if calls == 0 {
        return Rate {
            events_per_second,
            ..Rate::default()
        };
    }
    // The smallest count that is at least 99 % of the calls.
    let target = calls - calls / 100;
    let cumulative = |load: &StrategyLoad, i: usize| load.call_buckets.get(i).map_or(0, |b| b.1);
    let within = now
        .call_buckets
        .iter()
        .enumerate()
        .find(|(i, _)| cumulative(now, *i).saturating_sub(cumulative(before, *i)) >= target);
    let (bucket, beyond) = match within {
        Some((_, bucket)) => (Some(bucket), false),
        None => (now.call_buckets.last(), true),
    };
    Rate {
        events_per_second,
        call_p99_us: bucket.map(|(upper, _)| upper * 1e6),
        call_p99_beyond: beyond,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(events: u64, buckets: &[(f64, u64)]) -> StrategyLoad {
        StrategyLoad {
            events,
            calls: buckets.last().map_or(0, |b| b.1),
            call_buckets: buckets.to_vec(),
        }
    }

    #[test]
    fn rates_come_from_the_interval_between_two_samples() {
        let start = Instant::now();
        let mut rates = LoadRates::default();
        rates.update(["a"], |_| load(100, &[(1e-6, 50), (1e-5, 90), (1e-4, 100)]), start);
        assert_eq!(rates.rate("a"), Rate::default(), "one sample has no rate");
        // 200 calls in two seconds: 100 within 1 µs, 198 within 10 µs: p99 is in the second bucket.
        rates.update(
            ["a"],
            |_| load(500, &[(1e-6, 150), (1e-5, 288), (1e-4, 300)]),
            start + std::time::Duration::from_secs(2),
        );
        let rate = rates.rate("a");
        assert_eq!(rate.events_per_second, Some(200.0));
        assert_eq!((rate.call_p99_us, rate.call_p99_beyond), (Some(10.0), false));
        // Then 100 calls, 2 of them slower than every bucket.
        rates.update(
            ["a"],
            |_| StrategyLoad {
                calls: 400,
                ..load(600, &[(1e-6, 150), (1e-5, 386), (1e-4, 398)])
            },
            start + std::time::Duration::from_secs(3),
        );
        let rate = rates.rate("a");
        assert_eq!((rate.call_p99_us, rate.call_p99_beyond), (Some(100.0), true));
        rates.update(["b"], |_| load(0, &[]), start);
        assert_eq!(rates.rate("a"), Rate::default(), "a strategy not sampled is forgotten");
    }
}
