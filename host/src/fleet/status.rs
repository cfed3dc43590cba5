//! What `/status` shows of the strategies: each running one's version, health, last decision
//! and last reload, and the files that could not be loaded.

use serde::Serialize;

use crate::runtime::{Decision, Health, Runner, Subscription};

#[derive(Debug, Clone, Serialize)]
pub struct StrategyStatus {
    /// The strategy's name in the host: its file name without `.wasm`.
    pub strategy: String,
    /// The name its manifest gives.
    pub name: String,
    pub version: String,
    pub hash: String,
    pub file: String,
    pub state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub subscriptions: Vec<String>,
    /// The same subscriptions, typed: what a live venue subscribes for the strategy.
    #[serde(skip)]
    pub wants: Vec<Subscription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_decision: Option<Decision>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_reload: Option<ReloadStatus>,
}

impl StrategyStatus {
    pub fn of(runner: &Runner, last_decision: Option<Decision>) -> Self {
        let manifest = runner.manifest();
        Self {
            strategy: runner.context().strategy.to_string(),
            name: manifest.name.clone(),
            version: manifest.version.clone(),
            hash: runner.component().hash().to_string(),
            file: runner.component().path().display().to_string(),
            state: runner.health().label(),
            error: health_error(runner.health()),
            subscriptions: manifest.subscriptions.iter().map(ToString::to_string).collect(),
            wants: manifest.subscriptions.clone(),
            last_decision,
            last_reload: None,
        }
    }

    /// Brings the version and health fields up to date with `runner`, cheaply when nothing
    /// changed (this runs after every event).
    pub fn refresh(&mut self, runner: &Runner) {
        self.state = runner.health().label();
        let error = health_error(runner.health());
        if error != self.error {
            self.error = error;
        }
    }
}

fn health_error(health: &Health) -> Option<String> {
    match health {
        Health::Running => None,
        Health::Failed { last_error, .. } | Health::Quarantined { last_error } => Some(last_error.clone()),
    }
}

/// The outcome of the latest attempt to load a new version or new params of a strategy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReloadStatus {
    /// `ok` or `failed`, as in `strategy_host_strategy_reloads_total`.
    pub result: &'static str,
    /// When it was attempted, UTC ms.
    pub at_ms: i64,
    /// SHA-256 of the attempted component, if it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long event handling paused for the swap, µs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub swap_pause_us: Option<u64>,
}

/// A strategy file that could not be loaded, shown so the operator sees why.
#[derive(Debug, Clone, Serialize)]
pub struct LoadFailure {
    pub file: String,
    pub error: String,
}
