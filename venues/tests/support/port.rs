//! Waiting on an execution port in tests, whatever the venue: poll it until an event matches
//! (every event seen is kept), or until a condition holds. Polls every 5 ms and fails after
//! 20 s, naming what it waited for. Included by each venue's execution test with `#[path]`.

use std::time::{Duration, Instant};

use trading::brokers::{Execution, ExecutionPort, VenueEvent};

const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(5);

/// Polls `port` into `events` until an event at or after index `from` matches; returns it.
pub fn wait_for_event(
    port: &mut dyn ExecutionPort,
    events: &mut Vec<VenueEvent>,
    from: usize,
    what: &str,
    matches: impl Fn(&VenueEvent) -> bool,
) -> VenueEvent {
    let deadline = Instant::now() + WAIT;
    loop {
        port.poll(events);
        if let Some(event) = events.get(from..).and_then(|new| new.iter().find(|e| matches(e))) {
            return event.clone();
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}: {events:#?}");
        std::thread::sleep(POLL);
    }
}

/// [`wait_for_event`] for an execution.
pub fn wait_for_execution(
    port: &mut dyn ExecutionPort,
    events: &mut Vec<VenueEvent>,
    what: &str,
    matches: impl Fn(&Execution) -> bool,
) -> Execution {
    match wait_for_event(
        port,
        events,
        0,
        what,
        |e| matches!(e, VenueEvent::Execution(x) if matches(x)),
    ) {
        VenueEvent::Execution(execution) => execution,
        other => panic!("not an execution: {other:?}"),
    }
}

/// Waits until `check` holds.
pub fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(POLL);
    }
}
