//! Hot reload as one running piece: a watcher on the strategies folder feeding a [`Reloader`]
//! on a thread of its own. Paper trading starts one; so do the benchmarks of reload latency.

use std::sync::mpsc::{Receiver, Sender};
use std::thread::JoinHandle;

use super::operator::ReloaderInput;
use super::reloader::Reloader;
use super::watcher::watch;

/// A running reloader and the watcher that feeds it. Dropping it stops both (the reloader
/// finishes the sync in hand first, and leaves the requests that came after).
pub struct HotReload {
    /// The folder's watcher, feeding the reloader.
    watcher: Option<notify::RecommendedWatcher>,
    /// Tells the reloader to stop: other senders (operators' handles) may outlive this.
    stop: Sender<ReloaderInput>,
    thread: Option<JoinHandle<()>>,
}

impl HotReload {
    /// Watches the reloader's folder, syncs every strategy in it now (on this thread, so they
    /// run when this returns), then follows changes on a thread named `reloader`. A folder that
    /// cannot be watched is logged and leaves hot reload off; the strategies found now still run.
    /// The reloader takes `inputs`: the folder's changes (the watcher gets `sender`) and
    /// whatever else is sent on it (operators' requests, [`super::StrategyControl`]).
    ///
    /// # Errors
    ///
    /// When the reloader thread cannot be started.
    pub fn start(
        mut reloader: Reloader,
        (sender, inputs): (Sender<ReloaderInput>, Receiver<ReloaderInput>),
    ) -> std::io::Result<Self> {
        // Watch before the first look, so a file dropped in between is not missed.
        let stop = sender.clone();
        let watcher = watch(reloader.dir(), sender)
            .inspect_err(|error| tracing::error!("{error}: hot reload is off"))
            .ok();
        reloader.sync_all();
        let thread = std::thread::Builder::new()
            .name("reloader".into())
            .spawn(move || reloader.run(inputs))?;
        Ok(Self {
            watcher,
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for HotReload {
    fn drop(&mut self) {
        drop(self.watcher.take());
        // A reloader already gone has nothing to be told.
        let _ = self.stop.send(ReloaderInput::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
