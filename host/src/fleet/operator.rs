//! An operator's stop and start of one strategy (the control API), carried to the reloader on
//! the channel its folder's changes come on, so that a stop, a start and a new file are acted
//! on one at a time, in the order they came.
//!
//! A stopped strategy's file stays in the folder; the reloader holds it stopped (a new version
//! dropped meanwhile does not start it) until an operator starts it again, or the process
//! stops. Stopping applies the strategy's `on_delete` to its orders and positions, as deleting
//! its file would; starting loads it as a new file would, restored from its latest snapshot.

use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use trading::orders::StrategyId;

use super::retire::{OnDelete, Retired};
use super::watcher::WatchEvent;

/// What the reloader's thread takes in.
#[derive(Debug)]
pub enum ReloaderInput {
    Watch(WatchEvent),
    Operator(OperatorRequest),
    /// The reloader is to stop (its hot reload is dropped): operators' handles outlive it.
    Stop,
}

impl From<WatchEvent> for ReloaderInput {
    fn from(event: WatchEvent) -> Self {
        ReloaderInput::Watch(event)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperatorAction {
    Stop,
    Start,
}

/// One request, with where its outcome goes.
#[derive(Debug)]
pub struct OperatorRequest {
    pub strategy: StrategyId,
    pub action: OperatorAction,
    pub reply: Sender<OperatorOutcome>,
}

/// What a request did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperatorOutcome {
    /// It ran, and stopped per its `on_delete`.
    Stopped { on_delete: OnDelete, retired: Retired },
    /// It was not running; it is held stopped all the same.
    NotRunning,
    /// It runs (again).
    Started,
    /// It was running already.
    AlreadyRunning,
    /// No file of it is in the strategies folder.
    NoFile,
    /// Its file could not be loaded (the error is in the log and `/status`).
    Failed(String),
}

/// Why an operator's request got no outcome.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OperatorError {
    #[error("the strategies are not loaded yet (or the host is stopping): try again")]
    Unavailable,
    #[error("no answer within {0:?}: the reloader is busy (compiling a component?); look at /status")]
    Timeout(Duration),
}

/// The operator's handle on the reloader. Cheap to clone.
#[derive(Debug, Clone)]
pub struct StrategyControl {
    inputs: Sender<ReloaderInput>,
}

impl StrategyControl {
    /// A control and the receiving end the reloader follows.
    pub fn channel() -> (Self, Sender<ReloaderInput>, Receiver<ReloaderInput>) {
        let (inputs, receiver) = channel();
        (Self { inputs: inputs.clone() }, inputs, receiver)
    }

    /// Asks the reloader to `action` `strategy` and waits (at most `timeout`) for the outcome.
    /// Blocks: call it off an async runtime's threads.
    ///
    /// # Errors
    ///
    /// [`OperatorError`] when no reloader takes the request, or it does not answer in time
    /// (the request still stands and is acted on).
    pub fn request(
        &self,
        strategy: StrategyId,
        action: OperatorAction,
        timeout: Duration,
    ) -> Result<OperatorOutcome, OperatorError> {
        let (reply, outcome) = channel();
        self.inputs
            .send(ReloaderInput::Operator(OperatorRequest {
                strategy,
                action,
                reply,
            }))
            .map_err(|_| OperatorError::Unavailable)?;
        match outcome.recv_timeout(timeout) {
            Ok(outcome) => Ok(outcome),
            Err(RecvTimeoutError::Timeout) => Err(OperatorError::Timeout(timeout)),
            Err(RecvTimeoutError::Disconnected) => Err(OperatorError::Unavailable),
        }
    }
}
