//! Replaying a series of events through a session, as fast as it goes: backtests.
//!
//! A session with one strategy pulls: the strategy handles a run of events, and the order
//! updates they cause, within one `on-events` call, and [`Feed`] settles each event only when
//! the strategy asks for it. The order of everything that happens is the same as
//! [`Session::process`] event by event (the tests compare the two), only with far fewer calls
//! into the strategy.

use std::collections::VecDeque;

use trading::desk::Desk;
use trading::market::MarketEvent;
use trading::orders::{OrderUpdate, StrategyId};

use super::Session;
use crate::runtime::{lock_desk, EventSource, Manifest, Next, SessionShared, SharedDesk};

/// What a replay records once an event is settled: the desk has reacted to it, every strategy
/// has handled it, and every order update it caused has been delivered.
pub trait Settled: Send + 'static {
    fn settled(&mut self, desk: &Desk, event: &MarketEvent);
}

impl Session {
    /// Replays `events` (in time order) to the end, calling `recorder` once each is settled,
    /// and returns the recorder.
    pub fn replay<I, R>(&mut self, events: I, mut recorder: R) -> R
    where
        I: Iterator<Item = MarketEvent> + Send + 'static,
        R: Settled,
    {
        let [runner] = self.runners.as_slice() else {
            // Every event goes to every strategy in turn: one call each.
            for event in events {
                self.process(&event);
                recorder.settled(&lock_desk(&self.desk), &event);
            }
            return recorder;
        };
        let strategy = runner.context().strategy.clone();
        let manifest = runner.manifest().clone();
        let mut feed = Box::new(Feed {
            events,
            desk: self.desk.clone(),
            shared: self.shared.clone(),
            strategy,
            manifest,
            recorder,
            updates: VecDeque::new(),
            drained: Vec::new(),
            handed_update: None,
            updates_in_a_row: 0,
            current: None,
            waiting: false,
            exhausted: false,
        });
        while !feed.is_drained() {
            feed = self.runners[0].on_events(feed);
            self.forward_decisions(0);
        }
        feed.finish()
    }
}

/// Order updates handed out in a row, with no market event between them, after which the next
/// event comes first: a strategy whose every update makes another (an order refused, placed
/// again, refused...) still moves through the replay.
const MAX_UPDATES_IN_A_ROW: u32 = 10_000;

/// The events of a one-strategy replay, each settled when the strategy asks for it, and the
/// order updates they cause, each handed out as soon as the desk has it.
struct Feed<I, R> {
    events: I,
    desk: SharedDesk,
    shared: SessionShared,
    strategy: StrategyId,
    /// The strategy's subscriptions: events it does not want are settled without it.
    manifest: Manifest,
    recorder: R,
    /// Updates from the desk not handed out yet, oldest first.
    updates: VecDeque<OrderUpdate>,
    /// Reused for every drain of the desk.
    drained: Vec<OrderUpdate>,
    /// The update handed out last (kept in case the strategy fails on it).
    handed_update: Option<OrderUpdate>,
    updates_in_a_row: u32,
    /// The event the desk reacted to last, with its stream id; recorded as settled before the
    /// desk reacts to the next one.
    current: Option<(MarketEvent, u32)>,
    /// `current` is still to be handed out (after the updates its reaction produced).
    waiting: bool,
    /// `events` has no more.
    exhausted: bool,
}

/// What the feed hands out next, found by [`Feed::advance`].
enum Handout {
    Update,
    Event,
}

impl<I, R> Feed<I, R>
where
    I: Iterator<Item = MarketEvent>,
    R: Settled,
{
    /// Whether everything has been handed out (or passed over).
    fn is_drained(&self) -> bool {
        self.exhausted && !self.waiting && self.updates.is_empty() && !lock_desk(&self.desk).has_updates()
    }

    /// Records the last event as settled and returns the recorder.
    fn finish(mut self) -> R {
        if let Some((event, _)) = self.current.take() {
            self.recorder.settled(&lock_desk(&self.desk), &event);
        }
        self.recorder
    }

    /// Moves on to what comes next: the updates the event in hand caused at the desk, in the
    /// order the desk made them; then the event; then the updates that answering them caused;
    /// then, once the event in hand is settled, the next event. This is the order a paper
    /// strategy's mailbox gets them in (an answer's updates queue behind the event), so both
    /// see the same. The clock is each update's time as it is handed out (when it became
    /// known) and the event's time with the event.
    fn advance(&mut self) -> Option<Handout> {
        let mut desk = lock_desk(&self.desk);
        loop {
            if !self.waiting && desk.has_updates() {
                desk.drain_updates(&mut self.drained);
                self.updates.extend(self.drained.drain(..));
            }
            if !self.updates.is_empty() && self.updates_in_a_row < MAX_UPDATES_IN_A_ROW {
                while let Some(update) = self.updates.pop_front() {
                    if update.strategy != self.strategy {
                        tracing::warn!(strategy = %update.strategy, order = %update.order_id, "order update for a strategy that is not in this replay");
                        continue;
                    }
                    self.updates_in_a_row += 1;
                    self.shared.clock.advance_to(update.time_ms);
                    self.handed_update = Some(update);
                    return Some(Handout::Update);
                }
            }
            self.updates_in_a_row = 0;
            if let Some((event, _)) = &self.current {
                self.shared.clock.advance_to(event.time_ms());
            }
            if std::mem::take(&mut self.waiting) {
                return Some(Handout::Event);
            }
            if desk.has_updates() {
                continue;
            }
            if let Some((settled, _)) = self.current.take() {
                self.recorder.settled(&desk, &settled);
            }
            let Some(event) = self.events.next() else {
                self.exhausted = true;
                return None;
            };
            let stream = self.shared.streams.id_of(&event);
            desk.on_market_event(&event);
            if desk.has_updates() {
                desk.drain_updates(&mut self.drained);
                self.updates.extend(self.drained.drain(..));
            }
            self.waiting = self.manifest.wants(&event);
            self.current = Some((event, stream));
        }
    }
}

impl<I, R> EventSource for Feed<I, R>
where
    I: Iterator<Item = MarketEvent> + Send + 'static,
    R: Settled,
{
    fn next_event(&mut self) -> Option<Next<'_>> {
        match self.advance()? {
            Handout::Update => self.handed_update.as_ref().map(Next::Update),
            Handout::Event => self
                .current
                .as_ref()
                .map(|(event, stream)| Next::Market(event, *stream)),
        }
    }

    fn redeliver_update(&mut self) {
        if let Some(update) = self.handed_update.take() {
            self.updates.push_front(update);
        }
    }
}
