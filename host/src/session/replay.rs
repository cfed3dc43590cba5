//! Replaying a series of events through a session, as fast as it goes: backtests.
//!
//! A session with one strategy pulls: the strategy handles a run of events within one
//! `on-events` call, and [`Feed`] settles each event only when the strategy asks for it. The
//! order of everything that happens is the same as [`Session::process`] event by event (the
//! tests compare the two), only with far fewer calls into the strategy.

use trading::desk::Desk;
use trading::market::MarketEvent;

use super::Session;
use crate::runtime::{lock_desk, EventSource, Manifest, SessionShared, SharedDesk};

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
        let manifest = runner.manifest().clone();
        let mut feed = Box::new(Feed::new(
            events,
            self.desk.clone(),
            self.shared.clone(),
            manifest,
            recorder,
        ));
        loop {
            // What the desk owes the strategy comes before its next event.
            self.route_updates();
            if feed.is_drained() {
                break;
            }
            feed = self.runners[0].on_events(feed);
            self.forward_decisions(0);
        }
        feed.finish()
    }
}

/// The events of a one-strategy replay, each settled when the strategy asks for it.
struct Feed<I, R> {
    events: I,
    desk: SharedDesk,
    shared: SessionShared,
    /// The strategy's subscriptions: events it does not want are settled without it.
    manifest: Manifest,
    recorder: R,
    /// The event the desk reacted to last, with its stream id; recorded as settled before the
    /// desk reacts to the next one.
    current: Option<(MarketEvent, u32)>,
    /// `current` is waiting to be handed out: its reaction produced order updates, which the
    /// strategy must hear of first.
    waiting: bool,
    /// `events` has no more.
    exhausted: bool,
}

impl<I, R> Feed<I, R>
where
    I: Iterator<Item = MarketEvent>,
    R: Settled,
{
    fn new(events: I, desk: SharedDesk, shared: SessionShared, manifest: Manifest, recorder: R) -> Self {
        Self {
            events,
            desk,
            shared,
            manifest,
            recorder,
            current: None,
            waiting: false,
            exhausted: false,
        }
    }

    /// Whether every event has been handed out or passed over.
    fn is_drained(&self) -> bool {
        self.exhausted && !self.waiting
    }

    /// Records the last event as settled and returns the recorder.
    fn finish(mut self) -> R {
        if let Some((event, _)) = self.current.take() {
            self.recorder.settled(&lock_desk(&self.desk), &event);
        }
        self.recorder
    }
}

impl<I, R> EventSource for Feed<I, R>
where
    I: Iterator<Item = MarketEvent> + Send + 'static,
    R: Settled,
{
    fn next_event(&mut self) -> Option<(&MarketEvent, u32)> {
        let mut desk = lock_desk(&self.desk);
        // Updates from the event in hand (fills at the close, or at the open of a waiting
        // event) reach the strategy before anything else.
        if desk.has_updates() {
            return None;
        }
        if std::mem::take(&mut self.waiting) {
            return self.current.as_ref().map(|(event, stream)| (event, *stream));
        }
        loop {
            if let Some((settled, _)) = self.current.take() {
                self.recorder.settled(&desk, &settled);
            }
            let Some(event) = self.events.next() else {
                self.exhausted = true;
                return None;
            };
            self.shared.clock.advance_to(event.time_ms());
            let stream = self.shared.streams.id_of(&event);
            desk.on_market_event(&event);
            let wanted = self.manifest.wants(&event);
            self.current = Some((event, stream));
            if desk.has_updates() {
                self.waiting = wanted;
                return None;
            }
            if wanted {
                break;
            }
        }
        self.current.as_ref().map(|(event, stream)| (event, *stream))
    }
}
