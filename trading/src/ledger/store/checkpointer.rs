//! [`Checkpointer`]: moves the WAL's pages into the database file from a thread of its own.
//!
//! SQLite checkpoints on its own every 1,000 WAL pages, on the thread of the commit that
//! crosses the mark, and a checkpoint writes the database file and syncs it: milliseconds on
//! a virtual disk, spent on the desk's thread between an order's write and its send (the
//! tick-to-order benchmark's p99 was 4.2 ms with it, 0.5 ms with the file on tmpfs). So the
//! store turns automatic checkpoints off and this thread runs passive ones, which wait for no
//! reader or writer. Durability is unchanged: a commit is in the WAL either way.

use std::path::Path;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::Connection;

use super::background;

/// How often the WAL is checkpointed.
const EVERY: Duration = Duration::from_millis(500);

/// The checkpointing thread of one database file; stopped (after a last checkpoint) on drop.
#[derive(Debug)]
pub(super) struct Checkpointer {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the database at `path` on its own connection.
    ///
    /// # Errors
    ///
    /// When the connection cannot be opened or the thread cannot start.
    pub(super) fn start(path: &Path) -> std::io::Result<Self> {
        let conn = Connection::open(path).map_err(std::io::Error::other)?;
        let (stop, stopped) = mpsc::channel::<()>();
        let name = path.display().to_string();
        let thread = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || {
                background::run_behind_the_order_path();
                loop {
                    let last = !matches!(stopped.recv_timeout(EVERY), Err(RecvTimeoutError::Timeout));
                    // PASSIVE copies what it can without waiting for anyone; what is left waits
                    // for the next round. A busy or failed round is retried then too.
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::debug!(path = %name, error = %e, "a WAL checkpoint did not run");
                    }
                    if last {
                        return;
                    }
                }
            })?;
        Ok(Self {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
