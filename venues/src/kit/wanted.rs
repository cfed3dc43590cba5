//! [`Wanted`]: the streams the host wants from a venue, as a connection task keeps them: the
//! set, and the [`FeedCommand`]s that change it, taken while the task waits for anything else.

use std::collections::BTreeSet;
use std::time::Duration;

use tokio::sync::mpsc;
use trading::market::FeedStream;

use super::{FeedCommand, Redial};

/// The wanted streams and the channel that changes them. Derefs to the set.
#[derive(Debug)]
pub struct Wanted {
    streams: BTreeSet<FeedStream>,
    commands: mpsc::UnboundedReceiver<FeedCommand>,
}

impl Wanted {
    /// Nothing wanted yet; `commands` brings the changes.
    pub fn new(commands: mpsc::UnboundedReceiver<FeedCommand>) -> Self {
        Self {
            streams: BTreeSet::new(),
            commands,
        }
    }

    /// Applies one change.
    pub fn apply(&mut self, command: FeedCommand) {
        match command {
            FeedCommand::Subscribe(stream) => {
                self.streams.insert(stream);
            }
            FeedCommand::Unsubscribe(stream) => {
                self.streams.remove(&stream);
            }
        }
    }

    /// The next change, not yet applied; `None` when the feed is gone. Cancel-safe.
    pub async fn next_command(&mut self) -> Option<FeedCommand> {
        self.commands.recv().await
    }

    /// Waits until something is wanted. `false` when the feed is gone.
    pub async fn wait_for_any(&mut self) -> bool {
        while self.streams.is_empty() {
            match self.commands.recv().await {
                Some(command) => self.apply(command),
                None => return false,
            }
        }
        true
    }

    /// Before each connect of a feed: waits until something is wanted, then for `redial`'s next
    /// wait (logged when the venue's connect budget, not the backoff, sets it), still taking
    /// changes. `false` when the feed is gone.
    pub async fn wait_to_connect(&mut self, redial: &mut Redial, venue: &str) -> bool {
        if self.streams.is_empty() && !self.wait_for_any().await {
            return false;
        }
        let wait = redial.next_wait(std::time::Instant::now());
        if wait.budget_spent {
            tracing::warn!(venue, wait = ?wait.duration, "connect budget spent: waiting before reconnecting");
        }
        self.sleep(wait.duration).await
    }

    /// Sleeps `delay`, still taking changes. `false` when the feed is gone.
    pub async fn sleep(&mut self, delay: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + delay;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => return true,
                command = self.commands.recv() => match command {
                    Some(command) => self.apply(command),
                    None => return false,
                },
            }
        }
    }
}

impl std::ops::Deref for Wanted {
    type Target = BTreeSet<FeedStream>;
    fn deref(&self) -> &BTreeSet<FeedStream> {
        &self.streams
    }
}
