//! [`ReportBuilder`]: equity sampled at each bar close, drawdown and exposure, in one pass.

use rust_decimal::Decimal;

use crate::desk::Desk;
use crate::market::TimeMs;
use crate::orders::StrategyId;
use crate::report::{BacktestReport, ReportTotals};

/// Whether a [`ReportBuilder`] keeps every equity sample (for `write_equity_csv`) or only the
/// running statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EquityCurve {
    Keep,
    Discard,
}

/// One equity sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EquityPoint {
    pub time_ms: TimeMs,
    pub equity: Decimal,
}

/// Running statistics of a strategy's equity, fed once per bar close.
#[derive(Debug, Clone)]
pub struct ReportBuilder {
    bars: u64,
    exposed_bars: u64,
    peak: Option<Decimal>,
    /// The lowest equity since the current peak: a new drawdown is only computed below it.
    trough: Decimal,
    max_drawdown: Decimal,
    /// The previous sample, exactly as it was given (see [`ReportBuilder::on_bar`]).
    last: Option<Decimal>,
    curve: Option<Vec<EquityPoint>>,
}

impl ReportBuilder {
    pub fn new(curve: EquityCurve) -> Self {
        Self {
            bars: 0,
            exposed_bars: 0,
            peak: None,
            trough: Decimal::ZERO,
            max_drawdown: Decimal::ZERO,
            last: None,
            curve: match curve {
                EquityCurve::Keep => Some(Vec::new()),
                EquityCurve::Discard => None,
            },
        }
    }

    /// Records the equity at a bar's close and whether any position was open then.
    ///
    /// Drawdown is measured from the highest equity so far; while that peak is not positive
    /// no drawdown can be expressed as a fraction of it, and none is recorded.
    pub fn on_bar(&mut self, time_ms: TimeMs, equity: Decimal, exposed: bool) {
        self.bars += 1;
        if exposed {
            self.exposed_bars += 1;
        }
        if let Some(curve) = &mut self.curve {
            curve.push(EquityPoint { time_ms, equity });
        }
        // A flat book's equity is its cash, the same value bar after bar, and a repeated value
        // moves neither the peak nor the trough: skip the comparisons. Comparing the 16-byte
        // representations is enough for that (equal values with different scales just take
        // the long way) and much cheaper than comparing decimals.
        let repeated = self.last.is_some_and(|last| last.serialize() == equity.serialize());
        self.last = Some(equity);
        if repeated {
            return;
        }
        match self.peak {
            Some(peak) if equity <= peak => {
                if equity < self.trough {
                    self.trough = equity;
                    if peak > Decimal::ZERO {
                        let drawdown = (peak - equity).checked_div(peak).unwrap_or(Decimal::ZERO);
                        self.max_drawdown = self.max_drawdown.max(drawdown);
                    }
                }
            }
            _ => {
                self.peak = Some(equity);
                self.trough = equity;
            }
        }
    }

    /// Samples a strategy of `desk` at a bar close: its equity and whether it is exposed.
    /// Does nothing for a strategy without a book.
    pub fn sample(&mut self, desk: &Desk, strategy: &StrategyId, time_ms: TimeMs) {
        if let Some(valuation) = desk.valuation(strategy) {
            self.on_bar(time_ms, valuation.equity, valuation.exposed);
        }
    }

    pub fn bars(&self) -> u64 {
        self.bars
    }

    /// The samples so far; empty with [`EquityCurve::Discard`].
    pub fn equity_curve(&self) -> &[EquityPoint] {
        self.curve.as_deref().unwrap_or_default()
    }

    /// The largest peak-to-trough fall so far, as a fraction of the peak.
    pub fn max_drawdown(&self) -> Decimal {
        self.max_drawdown
    }

    pub(crate) fn exposed_bars(&self) -> u64 {
        self.exposed_bars
    }

    /// The report for one strategy of `desk`, from its counters, book and round trips.
    /// `elapsed_ms` and `bars_per_second` are zero until [`BacktestReport::set_elapsed_ms`].
    pub fn finish(&self, desk: &Desk, strategy: &StrategyId) -> BacktestReport {
        let counts = desk.counts(strategy);
        let book = desk.book(strategy);
        let totals = ReportTotals {
            orders: counts.placed,
            rejected: counts.refused_total() + counts.rejected,
            fills: counts.fills,
            fees: book.as_ref().map_or(Decimal::ZERO, |b| b.fees),
            initial_cash: book.as_ref().map_or(Decimal::ZERO, |b| b.initial_cash),
            final_equity: book.as_ref().map_or(Decimal::ZERO, |b| b.equity),
        };
        BacktestReport::new(self, &totals, desk.round_trips(strategy))
    }
}
