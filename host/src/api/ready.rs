//! `GET /ready`: whether the host should be given work yet. 200 once every condition it waits
//! for is met; 503 before, naming each condition still pending and why. Liveness is `/health`;
//! this is what an orchestrator gates traffic and rollouts on.
//!
//! The conditions: the strategies in the folder are loaded (every file started or listed under
//! `load_failures` in `/status`), and each live venue has been reconciled once (`venue:NAME`,
//! registered by the live session). A condition is whatever its owner registers with
//! [`Readiness::wait_for`]. Readiness is only ever gained: a strategy quarantined later, or a
//! venue reconciling again after a reconnect, is an alert, not a reason to take the host out
//! of service.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;

use super::ApiState;

/// The conditions the host still waits for. Cheap to clone: every clone shares them.
#[derive(Clone, Default)]
pub struct Readiness {
    state: Arc<Mutex<Conditions>>,
}

#[derive(Default)]
struct Conditions {
    next_id: u64,
    pending: Vec<Pending>,
}

/// One condition not yet met, as `/ready` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Pending {
    /// Tells two conditions of the same name apart.
    #[serde(skip)]
    id: u64,
    pub condition: String,
    pub reason: String,
}

/// The handle of one pending condition; [`Condition::met`] clears it. Dropped unmet, the
/// condition stays pending (the host never becomes ready on a failure).
pub struct Condition {
    readiness: Readiness,
    id: u64,
}

impl Readiness {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `condition` as not met, for `reason`. The host is not ready until the
    /// returned handle is [`met`](Condition::met).
    pub fn wait_for(&self, condition: impl Into<String>, reason: impl Into<String>) -> Condition {
        let mut state = self.lock();
        let id = state.next_id;
        state.next_id += 1;
        state.pending.push(Pending {
            id,
            condition: condition.into(),
            reason: reason.into(),
        });
        Condition {
            readiness: self.clone(),
            id,
        }
    }

    /// The conditions still pending, in the order they were registered; empty means ready.
    pub fn pending(&self) -> Vec<Pending> {
        self.lock().pending.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Conditions> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Condition {
    /// Replaces the reason shown while the condition is pending (progress, say).
    pub fn update(&self, reason: impl Into<String>) {
        let reason = reason.into();
        if let Some(p) = self.readiness.lock().pending.iter_mut().find(|p| p.id == self.id) {
            p.reason = reason;
        }
    }

    pub fn met(self) {
        self.readiness.lock().pending.retain(|p| p.id != self.id);
    }
}

#[derive(Serialize)]
struct ReadyResponse {
    ready: bool,
    waiting_for: Vec<Pending>,
}

pub(super) async fn ready(State(state): State<ApiState>) -> impl IntoResponse {
    let waiting_for = state.readiness.pending();
    let ready = waiting_for.is_empty();
    let code = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (code, Json(ReadyResponse { ready, waiting_for }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_only_when_every_condition_is_met() {
        let readiness = Readiness::new();
        assert!(readiness.pending().is_empty(), "nothing registered: ready");
        let strategies = readiness.wait_for("strategies", "loading the strategies folder");
        let venue = readiness.wait_for("venue:kraken", "reconciling open orders");
        strategies.update("loading 3 of 10");
        let pending = readiness.pending();
        assert_eq!(pending.len(), 2);
        assert_eq!(pending[0].reason, "loading 3 of 10");
        strategies.met();
        assert_eq!(readiness.pending()[0].condition, "venue:kraken");
        drop(venue);
        assert_eq!(readiness.pending().len(), 1, "a condition dropped unmet stays pending");
    }
}
