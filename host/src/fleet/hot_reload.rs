//! Hot reload as one running piece: a watcher on the strategies folder feeding a [`Reloader`]
//! on a thread of its own. Paper trading starts one; so do the benchmarks of reload latency.

use std::sync::mpsc::channel;
use std::thread::JoinHandle;

use super::reloader::Reloader;
use super::watcher::watch;

/// A running reloader and the watcher that feeds it. Dropping it stops both (the reloader
/// finishes the sync in hand first).
pub struct HotReload {
    /// Dropping it ends the reloader's event stream, and so the reloader.
    watcher: Option<notify::RecommendedWatcher>,
    thread: Option<JoinHandle<()>>,
}

impl HotReload {
    /// Watches the reloader's folder, syncs every strategy in it now (on this thread, so they
    /// run when this returns), then follows changes on a thread named `reloader`. A folder that
    /// cannot be watched is logged and leaves hot reload off; the strategies found now still run.
    ///
    /// # Errors
    ///
    /// When the reloader thread cannot be started.
    pub fn start(mut reloader: Reloader) -> std::io::Result<Self> {
        // Watch before the first look, so a file dropped in between is not missed.
        let (events, changes) = channel();
        let watcher = watch(reloader.dir(), events)
            .inspect_err(|error| tracing::error!("{error}: hot reload is off"))
            .ok();
        reloader.sync_all();
        let thread = std::thread::Builder::new()
            .name("reloader".into())
            .spawn(move || reloader.run(changes))?;
        Ok(Self {
            watcher,
            thread: Some(thread),
        })
    }
}

impl Drop for HotReload {
    fn drop(&mut self) {
        drop(self.watcher.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
