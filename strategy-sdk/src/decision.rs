//! Decisions: why a strategy did what it did, for the dashboard and the audit trail.

use rust_decimal::Decimal;

use crate::market::Side;

/// What a decision amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Buying (or would buy).
    Buy,
    /// Selling (or would sell).
    Sell,
    /// Doing nothing, on purpose.
    Hold,
}

/// Buying or selling, as the action of an order on that side.
impl From<Side> for Action {
    fn from(side: Side) -> Self {
        match side {
            Side::Buy => Action::Buy,
            Side::Sell => Action::Sell,
        }
    }
}

/// A named indicator value that backed a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    /// Short name, such as `fast` or `rsi`.
    pub name: String,
    /// Its value when the decision was taken.
    pub value: Decimal,
}

/// Why a strategy acted (or held) on a symbol. Send it with
/// [`Host::emit_decision`](crate::Host::emit_decision).
///
/// ```
/// use strategy_sdk::{Action, Decimal, Decision};
///
/// let decision = Decision::new("BTC/USD", Action::Buy)
///     .with_confidence(0.8)
///     .with_reasoning("fast SMA crossed above slow SMA")
///     .with_indicator("fast", Decimal::new(101, 0))
///     .with_indicator("slow", Decimal::new(100, 0));
/// assert_eq!(decision.indicators.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// `BASE/QUOTE`.
    pub symbol: String,
    /// What the strategy does.
    pub action: Action,
    /// From 0.0 (a guess) to 1.0 (certain). Values outside that range, and NaN, are clamped
    /// when the decision is sent.
    pub confidence: f32,
    /// A short sentence for people.
    pub reasoning: String,
    /// The indicator values the decision rests on.
    pub indicators: Vec<Indicator>,
}

impl Decision {
    /// A decision with confidence 0.5, no reasoning and no indicators.
    pub fn new(symbol: impl Into<String>, action: Action) -> Self {
        Decision {
            symbol: symbol.into(),
            action,
            confidence: 0.5,
            reasoning: String::new(),
            indicators: Vec::new(),
        }
    }

    /// Sets the confidence (0.0 ..= 1.0).
    pub fn with_confidence(mut self, confidence: f32) -> Self {
        self.confidence = confidence;
        self
    }

    /// Sets the reasoning.
    pub fn with_reasoning(mut self, reasoning: impl Into<String>) -> Self {
        self.reasoning = reasoning.into();
        self
    }

    /// Adds an indicator value.
    pub fn with_indicator(mut self, name: impl Into<String>, value: Decimal) -> Self {
        self.indicators.push(Indicator {
            name: name.into(),
            value,
        });
        self
    }
}
