//! `run --event-log FILE`: the event stream appended to a file as JSON lines, the lines of
//! `GET /events` (see [`super::events`]), for an audit trail of everything the host did. The
//! book of record stays the source of truth; this is what it told the world, in order. Market
//! data (`candle` events) is left out: the market journal of `run --record` keeps it.
//!
//! A thread of its own writes the lines, flushing whenever it has caught up, so it never slows
//! a publisher. Should it fall more than the bus holds behind, the skip is written as a
//! `{"type": "skipped"}` line: a gap in the log is always visible. On shutdown
//! [`EventLog::finish`] waits (bounded) for it to write what was published before.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use super::events::to_json;
use crate::events::{subscriber, EventBus, Progress, Received, Subscription};

/// How long a shutdown waits for the log to be written.
const FINISH_WITHIN: Duration = Duration::from_secs(2);

/// Why the event log could not be started.
#[derive(Debug, thiserror::Error)]
pub enum EventLogError {
    #[error("cannot open the event log {path}: {source}")]
    Open { path: PathBuf, source: std::io::Error },
    #[error("cannot start the event log's thread: {0}")]
    Thread(std::io::Error),
}

pub struct EventLog {
    bus: EventBus,
    progress: Arc<Progress>,
}

impl EventLog {
    /// Opens `path` for appending and starts writing every event published from now on.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened or the thread started.
    pub fn start(bus: &EventBus, path: &Path) -> Result<Self, EventLogError> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|source| EventLogError::Open {
                path: path.to_owned(),
                source,
            })?;
        let subscription = bus.subscribe(subscriber::LOG);
        let progress = Arc::new(Progress::default());
        let thread_progress = progress.clone();
        let path = path.to_owned();
        std::thread::Builder::new()
            .name("event-log".into())
            .spawn(move || write_log(subscription, BufWriter::new(file), &path, &thread_progress))
            .map_err(EventLogError::Thread)?;
        Ok(Self {
            bus: bus.clone(),
            progress,
        })
    }

    /// Waits (a bounded time) until every event published before this call is written and flushed.
    pub fn finish(&self) {
        if !self.progress.wait_for(self.bus.published(), FINISH_WITHIN) {
            tracing::warn!("the event log did not catch up before the host stopped");
        }
    }
}

fn write_log(mut subscription: Subscription, mut out: BufWriter<File>, path: &Path, progress: &Progress) {
    let mut written = 0;
    let mut next = subscription.next_blocking();
    while let Some(received) = next {
        let line = match received {
            Received::Event(published) => {
                written = published.seq;
                (!published.event.is_market_data()).then(|| to_json(&published))
            }
            Received::Skipped(count) => Some(json!({"type": "skipped", "data": {"count": count}})),
        };
        if let Err(error) = line.map_or(Ok(()), |line| writeln!(out, "{line}")) {
            tracing::error!(path = %path.display(), %error, "the event log cannot be written; it stops");
            return;
        }
        next = subscription.try_next();
        if next.is_none() {
            // Caught up: flush before sleeping, so the file holds everything published until now.
            if let Err(error) = out.flush() {
                tracing::error!(path = %path.display(), %error, "the event log cannot be written; it stops");
                return;
            }
            progress.advance(written);
            next = subscription.next_blocking();
        }
    }
}

#[cfg(test)]
mod tests {
    use trading::orders::StrategyId;

    use super::*;
    use crate::events::{HostEvent, Lifecycle, StrategyEvent};

    #[test]
    fn every_event_is_appended_as_a_json_line_and_finish_waits_for_the_flush() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        std::fs::write(&path, "{\"type\":\"from_before\"}\n").unwrap();
        let bus = EventBus::new(1_024);
        let log = EventLog::start(&bus, &path).unwrap();
        for n in 0..100 {
            bus.publish(HostEvent::Strategy(StrategyEvent {
                strategy: StrategyId::new(&format!("s{n}")),
                lifecycle: Lifecycle::Recovered,
            }));
        }
        log.finish();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 101, "appended after what was there");
        assert_eq!(lines[0]["type"], "from_before");
        assert_eq!(lines[100]["seq"], 100);
        assert_eq!(lines[100]["data"]["strategy"], "s99");
    }

    #[test]
    fn a_log_that_cannot_be_opened_names_its_path() {
        let bus = EventBus::new(4);
        let err = EventLog::start(&bus, Path::new("/nonexistent-dir/events.jsonl"))
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.starts_with("cannot open the event log /nonexistent-dir/events.jsonl:"),
            "{err}"
        );
    }
}
