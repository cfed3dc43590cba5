//! The control API: an operator halts, reduces or resumes the whole host or one strategy,
//! cancels a strategy's orders, or stops and starts a strategy, over `POST /control/...`. Resuming a strategy also lifts its
//! loss-limit breach. What an operator sets lasts until another action changes it, or the
//! process stops.
//!
//! Control needs a bearer token, read from [`TOKEN_ENV`] at start; without one, control is off
//! and every control request says so (403), while the read-only endpoints stay open. A request
//! with no token or another one is refused (401). Every action is logged with the id of the
//! token (the first 12 hex digits of its SHA-256, never the token itself), published on the
//! event stream and counted (`strategy_host_control_actions_total{action}`).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use sha2::{Digest, Sha256};
use trading::desk::Desk;
use trading::orders::StrategyId;
use trading::risk::{RiskScope, TradingState};

use super::ApiState;
use crate::events::{ControlEvent, HostEvent};
use crate::fleet::{OperatorAction, OperatorOutcome};
use crate::runtime::lock_desk;

/// The environment variable holding the control API's bearer token.
pub const TOKEN_ENV: &str = "STRATEGY_HOST_CONTROL_TOKEN";

/// The token that opens the control API, and the id it is known by in logs and events.
pub struct ControlToken {
    token: String,
    id: String,
}

impl std::fmt::Debug for ControlToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ControlToken")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl ControlToken {
    /// The token in [`TOKEN_ENV`], if it is set and not empty.
    pub fn from_env() -> Option<Self> {
        std::env::var(TOKEN_ENV)
            .ok()
            .filter(|token| !token.is_empty())
            .map(Self::new)
    }

    pub fn new(token: String) -> Self {
        let digest = Sha256::digest(token.as_bytes());
        let id = hex::encode(digest).chars().take(12).collect();
        Self { token, id }
    }

    /// What logs and events call this token.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether `headers` carry `Authorization: Bearer <this token>`, compared in time that
    /// does not depend on where a wrong token differs.
    fn admits(&self, headers: &HeaderMap) -> bool {
        let Some(given) = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
        else {
            return false;
        };
        let (given, expected) = (given.as_bytes(), self.token.as_bytes());
        given.len() == expected.len() && given.iter().zip(expected).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
    }
}

/// Why an action was not carried out.
enum Refused {
    UnknownStrategy(StrategyId),
    /// A strategy to start has no file in the folder.
    NoFile(StrategyId),
    /// Its file could not be loaded.
    LoadFailed(String),
    /// The reloader could not take the request.
    Unavailable(String),
}

/// How long a stop or start may take: a start compiles a component not in the cache.
const OPERATOR_TIMEOUT: Duration = Duration::from_secs(30);

/// Stops the strategy per its `on_delete` (its file stays, held stopped until `start`).
pub async fn stop_strategy(State(state): State<ApiState>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    operate(state, headers, "stop", name, OperatorAction::Stop).await
}

/// Starts a stopped strategy from its file, restored from its latest snapshot.
pub async fn start_strategy(State(state): State<ApiState>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    operate(state, headers, "start", name, OperatorAction::Start).await
}

async fn operate(
    state: ApiState,
    headers: HeaderMap,
    action: &'static str,
    name: String,
    operation: OperatorAction,
) -> Response {
    let token = match authorize(&state, &headers, action) {
        Ok(token) => token,
        Err(denied) => return denied.response(),
    };
    let strategy = StrategyId::new(&name);
    let control = state.strategies.clone();
    let id = strategy.clone();
    // Off the server's threads: the reloader may be compiling a component.
    let outcome = tokio::task::spawn_blocking(move || control.request(id, operation, OPERATOR_TIMEOUT))
        .await
        .map_err(|e| Refused::Unavailable(e.to_string()))
        .and_then(|answer| answer.map_err(|e| Refused::Unavailable(e.to_string())))
        .and_then(|outcome| match outcome {
            OperatorOutcome::Stopped { retired, .. } => Ok(retired.orders_cancelled + retired.closing_orders),
            OperatorOutcome::NotRunning | OperatorOutcome::Started | OperatorOutcome::AlreadyRunning => Ok(0),
            OperatorOutcome::NoFile => Err(Refused::NoFile(strategy.clone())),
            OperatorOutcome::Failed(error) => Err(Refused::LoadFailed(error)),
        });
    let trading_state = lock_desk(&state.desk).trading_state_of(&strategy);
    finish(&state, &token, action, Some(strategy), outcome, trading_state)
}

pub async fn halt(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    act(&state, &headers, "halt", None, |desk| {
        Ok(desk.set_operator_state(TradingState::Halted))
    })
}

pub async fn reduce(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    act(&state, &headers, "reduce", None, |desk| {
        Ok(desk.set_operator_state(TradingState::Reducing))
    })
}

pub async fn resume(State(state): State<ApiState>, headers: HeaderMap) -> Response {
    act(&state, &headers, "resume", None, |desk| {
        Ok(desk.set_operator_state(TradingState::Active))
    })
}

pub async fn cancel_orders(State(state): State<ApiState>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    let strategy = StrategyId::new(&name);
    act(&state, &headers, "cancel_orders", Some(strategy.clone()), |desk| {
        known(desk, &strategy)?;
        let now_ms = desk.now_ms();
        Ok(desk.cancel_all(&strategy, now_ms))
    })
}

pub async fn halt_strategy(State(state): State<ApiState>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    set_strategy_state(&state, &headers, "halt", &name, TradingState::Halted)
}

pub async fn reduce_strategy(State(state): State<ApiState>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    set_strategy_state(&state, &headers, "reduce", &name, TradingState::Reducing)
}

fn set_strategy_state(
    state: &ApiState,
    headers: &HeaderMap,
    action: &'static str,
    name: &str,
    to: TradingState,
) -> Response {
    let strategy = StrategyId::new(name);
    act(state, headers, action, Some(strategy.clone()), |desk| {
        known(desk, &strategy)?;
        Ok(desk.set_strategy_operator_state(&strategy, to))
    })
}

/// Lifts what an operator set for the strategy and its loss-limit breach (its peak put at its
/// equity now): the operator's word that it trades again. Counts the breaches lifted.
pub async fn resume_strategy(State(state): State<ApiState>, headers: HeaderMap, Path(name): Path<String>) -> Response {
    let strategy = StrategyId::new(&name);
    act(&state, &headers, "resume", Some(strategy.clone()), |desk| {
        known(desk, &strategy)?;
        let now_ms = desk.now_ms();
        desk.set_strategy_operator_state(&strategy, TradingState::Active);
        Ok(usize::from(
            desk.clear_loss_breach(&RiskScope::Strategy(strategy.clone()), now_ms),
        ))
    })
}

fn known(desk: &Desk, strategy: &StrategyId) -> Result<(), Refused> {
    match desk.book(strategy) {
        Some(_) => Ok(()),
        None => Err(Refused::UnknownStrategy(strategy.clone())),
    }
}

/// Checks the token, applies `apply` to the locked desk, then logs, publishes and answers.
fn act(
    state: &ApiState,
    headers: &HeaderMap,
    action: &'static str,
    strategy: Option<StrategyId>,
    apply: impl FnOnce(&mut Desk) -> Result<usize, Refused>,
) -> Response {
    let token = match authorize(state, headers, action) {
        Ok(token) => token,
        Err(denied) => return denied.response(),
    };
    let (outcome, trading_state) = {
        let mut desk = lock_desk(&state.desk);
        let outcome = apply(&mut desk);
        let trading_state = match &strategy {
            Some(strategy) => desk.trading_state_of(strategy),
            None => desk.trading_state(),
        };
        (outcome, trading_state)
    };
    finish(state, &token, action, strategy, outcome, trading_state)
}

/// Why a control request is not let in.
enum Denied {
    /// No token was set at start: control is off.
    Off,
    /// The request does not carry the token.
    WrongToken,
}

impl Denied {
    fn response(self) -> Response {
        match self {
            Denied::Off => refuse(
                StatusCode::FORBIDDEN,
                format!("control is off: set {TOKEN_ENV} when starting the host to turn it on"),
            ),
            Denied::WrongToken => {
                let mut response = refuse(
                    StatusCode::UNAUTHORIZED,
                    "control needs the host's token: Authorization: Bearer <token>".into(),
                );
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
                response
            }
        }
    }
}

/// The token, when control is on and `headers` carry it.
fn authorize(state: &ApiState, headers: &HeaderMap, action: &'static str) -> Result<Arc<ControlToken>, Denied> {
    let Some(token) = &state.control else {
        return Err(Denied::Off);
    };
    if !token.admits(headers) {
        tracing::warn!(action, "a control request without the right token was refused");
        return Err(Denied::WrongToken);
    }
    Ok(token.clone())
}

/// Answers an action carried out (logged, published, counted) or refused.
fn finish(
    state: &ApiState,
    token: &ControlToken,
    action: &'static str,
    strategy: Option<StrategyId>,
    outcome: Result<usize, Refused>,
    trading_state: TradingState,
) -> Response {
    let affected = match outcome {
        Ok(affected) => affected,
        Err(Refused::UnknownStrategy(strategy)) => {
            return refuse(StatusCode::NOT_FOUND, format!("no strategy named {strategy}"));
        }
        Err(Refused::NoFile(strategy)) => {
            return refuse(
                StatusCode::NOT_FOUND,
                format!("no strategy named {strategy}: no {strategy}.wasm in the strategies folder"),
            );
        }
        Err(Refused::LoadFailed(error)) => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, format!("cannot start: {error}"));
        }
        Err(Refused::Unavailable(error)) => return refuse(StatusCode::SERVICE_UNAVAILABLE, error),
    };
    let name = strategy.as_ref().map(StrategyId::as_str);
    tracing::warn!(
        action,
        strategy = name.unwrap_or("(host)"),
        token_id = token.id(),
        affected,
        trading_state = trading_state.as_str(),
        "control action"
    );
    let body = json!({
        "action": action,
        "strategy": name,
        "affected": affected,
        "trading_state": trading_state.as_str(),
    });
    state.events.publish(HostEvent::Control(ControlEvent {
        action,
        strategy,
        token_id: token.id().to_owned(),
        affected,
    }));
    Json(body).into_response()
}

fn refuse(status: StatusCode, message: String) -> Response {
    (status, Json(json!({ "error": message }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bearer(token: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, format!("Bearer {token}").parse().unwrap());
        headers
    }

    #[test]
    fn only_the_exact_token_is_admitted_and_its_id_is_not_the_token() {
        let token = ControlToken::new("s3cret-token".into());
        assert!(token.admits(&bearer("s3cret-token")));
        assert!(!token.admits(&bearer("s3cret-tokem")));
        assert!(!token.admits(&bearer("s3cret")));
        assert!(!token.admits(&HeaderMap::new()));
        assert_eq!(token.id().len(), 12);
        assert!(!"s3cret-token".contains(token.id()));
        assert!(!format!("{token:?}").contains("s3cret"));
    }
}
