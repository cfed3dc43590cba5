//! A strategy's worker: the thread that owns its [`Runner`] and handles its mailbox, one letter
//! at a time. Swaps and retirement arrive as control letters, so they always happen between two
//! events.

use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::mailbox::{Letter, Mailbox, Next};
use super::retire::{retire, OnDelete, Retired};
use super::routes::Routes;
use super::status::StrategyStatus;
use crate::runtime::{lock_desk, ContentHash, Decision, PreparedVersion, Runner, SwapError};

/// Where each decision goes, with the hash of the version that made it.
pub type DecisionSink = Arc<dyn Fn(&Decision, &ContentHash) + Send + Sync>;

/// What a worker is asked to do besides handling market events and order updates.
pub enum Control {
    /// Hand the strategy to a new version (or the same code with new params).
    Swap {
        version: Box<PreparedVersion>,
        reply: SyncSender<Result<Swapped, SwapError>>,
    },
    /// Stop: apply `on_delete` to the strategy's orders and positions, then exit.
    Retire {
        on_delete: OnDelete,
        reply: SyncSender<Retired>,
    },
}

/// A swap that took place.
#[derive(Debug, Clone, Copy)]
pub struct Swapped {
    /// How long event handling paused: snapshot, restore and hand-over.
    pub pause: Duration,
}

pub struct Worker {
    pub runner: Runner,
    pub mailbox: Arc<Mailbox>,
    pub routes: Arc<Routes>,
    pub status: Arc<Mutex<StrategyStatus>>,
    pub decisions: DecisionSink,
    pub snapshots: SnapshotKeeping,
}

/// When a worker writes its strategy's state to the book of record: at every swap, when the
/// host shuts down, and every `every` while it handles events (`None`: only then).
#[derive(Debug, Clone, Copy)]
pub struct SnapshotKeeping {
    pub every: Option<Duration>,
    pub(super) kept_at: Instant,
}

impl SnapshotKeeping {
    pub fn every(every: Option<Duration>) -> Self {
        Self {
            every,
            kept_at: Instant::now(),
        }
    }

    fn due(&self) -> bool {
        self.every.is_some_and(|every| self.kept_at.elapsed() >= every)
    }
}

impl Worker {
    /// Handles letters until the mailbox closes or the strategy is retired.
    pub fn run(mut self) {
        loop {
            let letter = match self.mailbox.next(self.runner.retry_at()) {
                Next::Letter(letter) => letter,
                Next::TimedOut => {
                    // A trapped strategy comes back when its backoff ends, not with the next
                    // event: order updates may be waiting for it.
                    self.runner.recover_if_due();
                    self.forward_decisions();
                    continue;
                }
                Next::Closed => {
                    // The host is shutting down: the state it stops with is the one it starts
                    // from next time.
                    self.keep_snapshot();
                    return;
                }
            };
            let retired = match letter {
                Letter::Market { event, stream } => {
                    self.runner.context().clock.advance_to(event.time_ms());
                    self.runner.on_market_event(&event, stream);
                    false
                }
                Letter::Update(update) => {
                    // What the strategy does about an update it does as of when the update
                    // became known, as in a backtest: a fill at a bar's open may be answered
                    // within that bar, one further in only from its close on.
                    self.runner.context().clock.advance_to(update.time_ms);
                    self.runner.on_order_update(&update);
                    false
                }
                Letter::Control(Control::Swap { version, reply }) => {
                    let started = Instant::now();
                    let result = self.runner.swap(*version).map(|()| Swapped {
                        pause: started.elapsed(),
                    });
                    let swapped = result.is_ok();
                    // The reloader waits for the answer; if it has gone, nobody needs it.
                    let _ = reply.send(result);
                    self.publish_version();
                    if swapped {
                        self.keep_snapshot();
                    }
                    false
                }
                Letter::Control(Control::Retire { on_delete, reply }) => {
                    let ctx = self.runner.context();
                    let mut desk = lock_desk(&ctx.desk);
                    let retired = retire(&mut desk, &ctx.strategy, on_delete, ctx.clock.now_ms());
                    // Its state ends with it: the orders it knew of are cancelled or closed
                    // out, so a file of that name that comes back starts fresh.
                    if let Err(error) = desk.forget_strategy_snapshots(&ctx.strategy) {
                        tracing::error!(strategy = %ctx.strategy, %error, "the retired strategy's snapshots were not dropped");
                    }
                    drop(desk);
                    let _ = reply.send(retired);
                    true
                }
            };
            // Orders placed during the call may already be filled or rejected (close-price
            // fills, broker refusals): their updates go out now, not with the next event.
            self.routes.deliver_updates(&mut lock_desk(&self.runner.context().desk));
            self.forward_decisions();
            if retired {
                self.mailbox.close();
                return;
            }
            if self.snapshots.due() {
                self.keep_snapshot();
            }
        }
    }

    /// Writes the strategy's state to the book of record, under the running version's hash.
    /// A failed write is logged: the strategy trades on, and the next one may succeed.
    fn keep_snapshot(&mut self) {
        self.snapshots.kept_at = Instant::now();
        let hash = self.runner.component().hash().to_string();
        let (strategy, desk, now_ms) = {
            let ctx = self.runner.context();
            (ctx.strategy.clone(), ctx.desk.clone(), ctx.clock.now_ms())
        };
        let Some(state) = self.runner.snapshot_now() else {
            return;
        };
        let saved = lock_desk(&desk).save_strategy_snapshot(&strategy, &hash, state, now_ms);
        if let Err(error) = saved {
            tracing::error!(%strategy, %error, "the strategy's snapshot was not kept");
        }
    }

    fn forward_decisions(&mut self) {
        let decisions = self.runner.take_decisions();
        let hash = self.runner.component().hash();
        for decision in &decisions {
            (self.decisions)(decision, &hash);
        }
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        status.refresh(&self.runner);
        if let Some(last) = decisions.into_iter().last() {
            status.last_decision = Some(last);
        }
    }

    /// After a swap: the new version's name, hash and subscriptions.
    fn publish_version(&self) {
        let mut status = self.status.lock().unwrap_or_else(|p| p.into_inner());
        let fresh = StrategyStatus::of(&self.runner, status.last_decision.take());
        *status = StrategyStatus {
            last_reload: status.last_reload.take(),
            ..fresh
        };
    }
}
