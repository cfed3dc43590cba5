//! Loss limits: the daily loss and the drawdown from the equity peak, per strategy and per
//! venue account, and the trading state a breach puts its scope in.
//!
//! A [`LossGuard`] follows one scope's equity (cash plus positions at their marks, so
//! realized and unrealized PnL and fees together) through explicit times:
//! 1. The day starts at [`LossLimits::daily_reset_ms`] after UTC midnight; the equity at the
//!    first observation of a day is that day's opening, and the daily loss is the opening
//!    less the equity now.
//! 2. The peak is the highest equity observed; the drawdown is the peak less the equity now.
//! 3. Crossing a limit moves the scope to [`LossLimits::action`] (reducing or halted). A daily
//!    loss breach is lifted at the next reset; a drawdown breach holds until
//!    [`LossGuard::clear`], since waiting does not undo a drawdown.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::market::TimeMs;
use crate::orders::{StrategyId, VenueId};
use crate::risk::{LimitProblem, TradingState};

/// A day in milliseconds.
pub const DAY_MS: TimeMs = 86_400_000;
/// Default [`LossLimits::action`]: halted, the state that stops damage without a judgement
/// about which orders still help.
pub const DEFAULT_LOSS_ACTION: LossAction = LossAction::Halted;
/// Default [`LossLimits::daily_reset_ms`]: midnight UTC.
pub const DEFAULT_DAILY_RESET_MS: TimeMs = 0;

/// What a breached scope may still do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LossAction {
    /// Only orders that bring a position toward zero; the working orders that would add to
    /// a position (or open one) are cancelled.
    Reducing,
    /// No new orders, and the scope's working orders are cancelled.
    Halted,
}

impl LossAction {
    pub fn state(self) -> TradingState {
        match self {
            LossAction::Reducing => TradingState::Reducing,
            LossAction::Halted => TradingState::Halted,
        }
    }
}

/// The loss limits of a desk. Every limit is an amount of the quote currency; `None` is no
/// limit, the default of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LossLimits {
    /// Largest loss of one strategy within a day.
    pub daily_loss_limit: Option<Decimal>,
    /// Largest fall of one strategy's equity from its peak.
    pub max_drawdown: Option<Decimal>,
    /// [`LossLimits::daily_loss_limit`] of a venue account: every strategy on it together.
    pub account_daily_loss_limit: Option<Decimal>,
    /// [`LossLimits::max_drawdown`] of a venue account.
    pub account_max_drawdown: Option<Decimal>,
    /// The state a breach moves its scope to. Defaults to [`DEFAULT_LOSS_ACTION`].
    pub action: LossAction,
    /// When the day starts, in milliseconds after midnight UTC, in `[0, DAY_MS)`.
    /// Defaults to [`DEFAULT_DAILY_RESET_MS`].
    pub daily_reset_ms: TimeMs,
}

impl Default for LossLimits {
    fn default() -> Self {
        Self {
            daily_loss_limit: None,
            max_drawdown: None,
            account_daily_loss_limit: None,
            account_max_drawdown: None,
            action: DEFAULT_LOSS_ACTION,
            daily_reset_ms: DEFAULT_DAILY_RESET_MS,
        }
    }
}

impl LossLimits {
    /// Whether no loss limit is set: the desk then follows no equity at all.
    pub fn is_off(&self) -> bool {
        self.daily_loss_limit.is_none()
            && self.max_drawdown.is_none()
            && self.account_daily_loss_limit.is_none()
            && self.account_max_drawdown.is_none()
    }

    /// The limits of a scope of `kind`.
    pub fn of(&self, kind: ScopeKind) -> ScopeLimits {
        match kind {
            ScopeKind::Strategy => ScopeLimits {
                daily_loss_limit: self.daily_loss_limit,
                max_drawdown: self.max_drawdown,
            },
            ScopeKind::Account => ScopeLimits {
                daily_loss_limit: self.account_daily_loss_limit,
                max_drawdown: self.account_max_drawdown,
            },
        }
    }

    /// The index of the day `time_ms` falls in (days start at the reset time).
    pub fn day_of(&self, time_ms: TimeMs) -> i64 {
        time_ms.saturating_sub(self.daily_reset_ms).div_euclid(DAY_MS)
    }

    pub(crate) fn problems(&self, problems: &mut Vec<LimitProblem>) {
        let limits = [
            ("daily_loss_limit", self.daily_loss_limit),
            ("max_drawdown", self.max_drawdown),
            ("account_daily_loss_limit", self.account_daily_loss_limit),
            ("account_max_drawdown", self.account_max_drawdown),
        ];
        for (key, limit) in limits {
            if let Some(limit) = limit.filter(|l| *l <= Decimal::ZERO) {
                problems.push(LimitProblem {
                    key,
                    expected: "a positive amount",
                    got: limit.to_string(),
                });
            }
        }
        if !(0..DAY_MS).contains(&self.daily_reset_ms) {
            problems.push(LimitProblem {
                key: "daily_reset_ms",
                expected: "a time of day in [0, 86400000) ms",
                got: self.daily_reset_ms.to_string(),
            });
        }
    }
}

/// The two limits of one scope: the host-wide ones of its kind ([`LossLimits::of`]), or a
/// strategy's own where it sets them ([`ScopeLimits::or`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ScopeLimits {
    pub daily_loss_limit: Option<Decimal>,
    pub max_drawdown: Option<Decimal>,
}

impl ScopeLimits {
    /// These limits, each one that is unset taken from `fallback`.
    pub fn or(self, fallback: ScopeLimits) -> ScopeLimits {
        ScopeLimits {
            daily_loss_limit: self.daily_loss_limit.or(fallback.daily_loss_limit),
            max_drawdown: self.max_drawdown.or(fallback.max_drawdown),
        }
    }

    pub fn is_off(self) -> bool {
        self.daily_loss_limit.is_none() && self.max_drawdown.is_none()
    }
}

/// Whose equity a guard follows.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RiskScope {
    Strategy(StrategyId),
    /// A venue account: every strategy trading on the venue.
    Account(VenueId),
}

impl RiskScope {
    pub fn kind(&self) -> ScopeKind {
        match self {
            RiskScope::Strategy(_) => ScopeKind::Strategy,
            RiskScope::Account(_) => ScopeKind::Account,
        }
    }

    /// The strategy's or the venue's name.
    pub fn name(&self) -> &str {
        match self {
            RiskScope::Strategy(id) => id.as_str(),
            RiskScope::Account(venue) => venue.as_str(),
        }
    }
}

impl fmt::Display for RiskScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind().as_str(), self.name())
    }
}

/// The kinds of [`RiskScope`], for labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScopeKind {
    Strategy,
    Account,
}

impl ScopeKind {
    pub const ALL: [ScopeKind; 2] = [ScopeKind::Strategy, ScopeKind::Account];

    pub fn as_str(self) -> &'static str {
        match self {
            ScopeKind::Strategy => "strategy",
            ScopeKind::Account => "account",
        }
    }
}

/// Which loss limit was crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LossKind {
    DailyLoss,
    Drawdown,
}

impl LossKind {
    /// The stable code: the [`crate::risk::RiskCheck`] of the orders it refuses.
    pub fn code(self) -> &'static str {
        match self {
            LossKind::DailyLoss => "daily_loss_limit",
            LossKind::Drawdown => "max_drawdown",
        }
    }
}

/// A crossed loss limit, with the numbers at the crossing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Breach {
    pub kind: LossKind,
    /// The daily loss or the drawdown when the limit was crossed.
    pub loss: Decimal,
    pub limit: Decimal,
    /// [`TradingState::Reducing`] or [`TradingState::Halted`].
    pub state: TradingState,
    pub since_ms: TimeMs,
}

/// One scope's equity anchors and breach: what the book of record keeps of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LossGuard {
    /// The day ([`LossLimits::day_of`]) `day_open_equity` opened.
    pub day: i64,
    pub day_open_equity: Decimal,
    pub peak_equity: Decimal,
    pub breach: Option<Breach>,
}

/// What one observation changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Observed {
    /// A new day opened (the anchors changed).
    pub new_day: bool,
    /// The scope's state went from the first to the second.
    pub state_change: Option<(TradingState, TradingState)>,
}

impl LossGuard {
    /// A guard whose day opens and whose peak is at `equity`.
    pub fn start(limits: &LossLimits, equity: Decimal, now_ms: TimeMs) -> Self {
        Self {
            day: limits.day_of(now_ms),
            day_open_equity: equity,
            peak_equity: equity,
            breach: None,
        }
    }

    /// The state the guard puts its scope in.
    pub fn state(&self) -> TradingState {
        self.breach.map_or(TradingState::Active, |b| b.state)
    }

    /// The daily loss at `equity` (negative while the day is a gain).
    pub fn daily_loss(&self, equity: Decimal) -> Decimal {
        self.day_open_equity.saturating_sub(equity)
    }

    /// The drawdown at `equity` from the peak.
    pub fn drawdown(&self, equity: Decimal) -> Decimal {
        self.peak_equity.saturating_sub(equity).max(Decimal::ZERO)
    }

    /// Follows the scope's `equity` at `now_ms` against its `caps`; `limits` gives the day's
    /// reset and the action.
    pub fn observe(&mut self, limits: &LossLimits, caps: ScopeLimits, equity: Decimal, now_ms: TimeMs) -> Observed {
        let before = self.state();
        let mut observed = Observed::default();
        let day = limits.day_of(now_ms);
        if day > self.day {
            self.day = day;
            self.day_open_equity = equity;
            observed.new_day = true;
            if self.breach.is_some_and(|b| b.kind == LossKind::DailyLoss) {
                self.breach = None;
            }
        }
        self.peak_equity = self.peak_equity.max(equity);
        if self.breach.is_none() {
            let (daily_limit, drawdown_limit) = (caps.daily_loss_limit, caps.max_drawdown);
            let crossed = |kind, loss: Decimal, limit: Option<Decimal>| {
                limit.filter(|limit| loss > *limit).map(|limit| Breach {
                    kind,
                    loss,
                    limit,
                    state: limits.action.state(),
                    since_ms: now_ms,
                })
            };
            self.breach = crossed(LossKind::Drawdown, self.drawdown(equity), drawdown_limit)
                .or_else(|| crossed(LossKind::DailyLoss, self.daily_loss(equity), daily_limit));
        }
        let after = self.state();
        observed.state_change = (before != after).then_some((before, after));
        observed
    }

    /// Lifts a breach and puts the peak at `equity`: the operator's decision that the scope
    /// trades again.
    pub fn clear(&mut self, equity: Decimal) {
        self.breach = None;
        self.peak_equity = equity;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn limits() -> LossLimits {
        LossLimits {
            daily_loss_limit: Some(dec("100")),
            max_drawdown: Some(dec("250")),
            ..LossLimits::default()
        }
    }

    const HOUR: TimeMs = 3_600_000;

    #[test]
    fn a_daily_loss_beyond_the_limit_halts_until_the_next_reset() {
        let limits = limits();
        let mut guard = LossGuard::start(&limits, dec("1000"), HOUR);
        let at =
            |g: &mut LossGuard, equity: &str, t| g.observe(&limits, limits.of(ScopeKind::Strategy), dec(equity), t);
        assert_eq!(
            at(&mut guard, "900", 2 * HOUR),
            Observed::default(),
            "a loss of 100 is at the limit"
        );
        let crossed = at(&mut guard, "899.99", 3 * HOUR);
        assert_eq!(crossed.state_change, Some((TradingState::Active, TradingState::Halted)));
        assert_eq!(
            guard.breach,
            Some(Breach {
                kind: LossKind::DailyLoss,
                loss: dec("100.01"),
                limit: dec("100"),
                state: TradingState::Halted,
                since_ms: 3 * HOUR
            })
        );
        // A recovery within the day changes nothing; the next day lifts it and opens at 950.
        assert_eq!(at(&mut guard, "1000", 4 * HOUR).state_change, None);
        let next_day = at(&mut guard, "950", DAY_MS);
        assert_eq!(
            next_day,
            Observed {
                new_day: true,
                state_change: Some((TradingState::Halted, TradingState::Active))
            }
        );
        assert_eq!(guard.day_open_equity, dec("950"));
    }

    #[test]
    fn the_reset_time_moves_the_day() {
        let limits = LossLimits {
            daily_reset_ms: 8 * HOUR,
            ..limits()
        };
        assert_eq!(limits.day_of(8 * HOUR - 1), -1);
        assert_eq!(limits.day_of(8 * HOUR), 0);
        assert_eq!(limits.day_of(DAY_MS + 7 * HOUR), 0);
        assert_eq!(limits.day_of(DAY_MS + 8 * HOUR), 1);
    }

    #[test]
    fn a_drawdown_from_the_peak_holds_across_days_until_cleared() {
        let limits = LossLimits {
            action: LossAction::Reducing,
            ..limits()
        };
        let mut guard = LossGuard::start(&limits, dec("1000"), 0);
        // Day 0 climbs to 1,200; each following day loses less than 100.
        let steps = [("1200", HOUR), ("1110", DAY_MS), ("1020", 2 * DAY_MS)];
        for (equity, t) in steps {
            assert_eq!(
                guard
                    .observe(&limits, limits.of(ScopeKind::Strategy), dec(equity), t)
                    .state_change,
                None
            );
        }
        // 949.99 is 250.01 below the peak of 1,200 (and 70.01 down on the day).
        let crossed = guard.observe(&limits, limits.of(ScopeKind::Strategy), dec("949.99"), 3 * DAY_MS);
        assert_eq!(
            crossed.state_change,
            Some((TradingState::Active, TradingState::Reducing))
        );
        let breach = guard.breach.unwrap();
        assert_eq!(
            (breach.kind, breach.loss, breach.limit),
            (LossKind::Drawdown, dec("250.01"), dec("250"))
        );
        let later = guard.observe(&limits, limits.of(ScopeKind::Strategy), dec("949.99"), 9 * DAY_MS);
        assert_eq!(later.state_change, None, "a new day does not lift a drawdown");
        guard.clear(dec("949.99"));
        assert_eq!(
            (guard.state(), guard.peak_equity),
            (TradingState::Active, dec("949.99"))
        );
    }

    #[test]
    fn each_scope_kind_has_its_own_limits_and_none_means_none() {
        let limits = LossLimits {
            account_daily_loss_limit: Some(dec("10")),
            ..LossLimits::default()
        };
        let mut strategy = LossGuard::start(&limits, dec("1000"), 0);
        let mut account = strategy;
        assert_eq!(
            strategy
                .observe(&limits, limits.of(ScopeKind::Strategy), dec("1"), 1)
                .state_change,
            None
        );
        assert_eq!(
            account
                .observe(&limits, limits.of(ScopeKind::Account), dec("989"), 1)
                .state_change,
            Some((TradingState::Active, TradingState::Halted))
        );
    }

    #[test]
    fn bad_limits_are_named_by_key() {
        let limits = LossLimits {
            daily_loss_limit: Some(Decimal::ZERO),
            account_max_drawdown: Some(dec("-1")),
            daily_reset_ms: DAY_MS,
            ..LossLimits::default()
        };
        let mut problems = Vec::new();
        limits.problems(&mut problems);
        let keys: Vec<_> = problems.iter().map(|p| p.key).collect();
        assert_eq!(keys, ["daily_loss_limit", "account_max_drawdown", "daily_reset_ms"]);
    }
}
