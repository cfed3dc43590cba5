//! [`Crossing`]: the fast and slow averages of one stream (symbol and timeframe), and where
//! they stand relative to each other. Pure: no host, no orders.

use serde::{Deserialize, Serialize};
use strategy_sdk::indicators::{Cross, Crossover, Period, Sma};
use strategy_sdk::Decimal;

/// The averages of one stream and the last relation between them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Crossing {
    fast: Sma,
    slow: Sma,
    crossover: Crossover,
}

impl Crossing {
    /// Empty averages over `fast` and `slow` closes.
    pub fn new(fast: Period, slow: Period) -> Self {
        Crossing {
            fast: Sma::new(fast),
            slow: Sma::new(slow),
            crossover: Crossover::default(),
        }
    }

    /// Takes the newest close; returns the cross, once both averages are warmed up and the fast
    /// one moved to the other side of the slow one.
    pub fn update(&mut self, close: Decimal) -> Option<Cross> {
        self.fast.update(close);
        self.slow.update(close);
        let ordering = self.fast.compare(&self.slow)?;
        self.crossover.update(ordering)
    }

    /// The fast and slow averages, once both are warmed up.
    pub fn averages(&self) -> Option<(Decimal, Decimal)> {
        Some((self.fast.value()?, self.slow.value()?))
    }

    /// Follows new periods (after a restore under new params), keeping the newest closes.
    pub fn resize(&mut self, fast: Period, slow: Period) {
        self.fast.resize(fast);
        self.slow.resize(slow);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn crossing() -> Crossing {
        Crossing::new(Period::new(2).unwrap(), Period::new(3).unwrap())
    }

    fn feed(crossing: &mut Crossing, closes: &[i64]) -> Vec<Option<Cross>> {
        closes
            .iter()
            .map(|close| crossing.update(Decimal::from(*close)))
            .collect()
    }

    #[test]
    fn reports_golden_and_death_crosses_once_warmed_up() {
        let mut crossing = crossing();
        // SMA2 vs SMA3 after each close:
        // 10, 9: not warmed up. 8: 8.5 < 9 (below). 12: 10 > 9.67 (golden).
        // 13: 12.5 > 11 (still above). 5: 9 < 10 (death).
        let crosses = feed(&mut crossing, &[10, 9, 8, 12, 13, 5]);
        assert_eq!(crosses, [None, None, None, Some(Cross::Up), None, Some(Cross::Down)]);
        assert_eq!(crossing.averages(), Some((Decimal::from(9), Decimal::from(10))));
    }

    #[test]
    fn no_cross_without_a_relation_before_it() {
        // Rising from the start: the fast average is above as soon as both are ready.
        assert_eq!(feed(&mut crossing(), &[1, 2, 3, 4]), [None; 4]);
    }

    #[test]
    fn resize_keeps_the_relation_and_the_newest_closes() {
        let mut crossing = crossing();
        feed(&mut crossing, &[10, 9, 8]);
        crossing.resize(Period::new(1).unwrap(), Period::new(2).unwrap());
        // SMA1 = 20 vs SMA2 = (8 + 20) / 2 = 14: above, after below: a golden cross.
        assert_eq!(crossing.update(Decimal::from(20)), Some(Cross::Up));
    }
}
