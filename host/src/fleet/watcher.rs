//! Watching the strategies folder: each change to a strategy's files becomes the strategy's
//! name on a channel; the reloader debounces and acts.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

use super::files::StrategyFileKind;

/// What the watcher reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchEvent {
    /// A file of strategy `name` was created, written, renamed or removed. `complete` when the
    /// event says the file is whole (renamed into place, closed after writing) or gone: nothing
    /// more is coming for it, so the reloader need not wait for the folder to be quiet.
    Changed { name: String, complete: bool },
    /// Events may have been lost (the kernel queue overflowed): look at everything again.
    Rescan,
}

#[derive(Debug, thiserror::Error)]
#[error("{dir}: cannot watch the strategies folder: {source}")]
pub struct WatchError {
    dir: PathBuf,
    source: notify::Error,
}

/// Starts watching `dir` (not recursively). Events go to `events` (as whatever the channel
/// carries them as) until the returned watcher is dropped.
pub fn watch<T: From<WatchEvent> + Send + 'static>(
    dir: &Path,
    events: Sender<T>,
) -> Result<RecommendedWatcher, WatchError> {
    let fail = |source| WatchError {
        dir: dir.to_owned(),
        source,
    };
    let mut watcher = notify::recommended_watcher(move |result: notify::Result<Event>| {
        let sent = match result {
            Ok(event) if event.need_rescan() => events.send(WatchEvent::Rescan.into()),
            Ok(event) if is_content_change(&event.kind) => {
                let complete = is_complete(&event.kind);
                event
                    .paths
                    .iter()
                    .filter_map(|path| StrategyFileKind::of(path))
                    .try_for_each(|(_, name)| {
                        events.send(
                            WatchEvent::Changed {
                                name: name.to_owned(),
                                complete,
                            }
                            .into(),
                        )
                    })
            }
            Ok(_) => Ok(()),
            Err(error) => {
                tracing::warn!("strategies folder watch: {error}; rescanning");
                events.send(WatchEvent::Rescan.into())
            }
        };
        // A closed channel means the reloader has stopped: nothing left to tell.
        drop(sent);
    })
    .map_err(fail)?;
    watcher.watch(dir, RecursiveMode::NonRecursive).map_err(fail)?;
    Ok(watcher)
}

/// Opening and reading a file (which the reloader itself does) is not a change; finishing a
/// write is.
fn is_content_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// A rename into place, a close after writing and a removal leave the file as it will stay.
fn is_complete(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
            | EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Remove(_)
    )
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;
    use std::time::Duration;

    use super::*;

    #[test]
    fn reports_strategy_files_by_name_and_ignores_others() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = channel();
        let _watcher = watch(dir.path(), tx).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        std::fs::write(dir.path().join(".grid.wasm.swp"), "x").unwrap();
        std::fs::write(dir.path().join("grid.wasm"), "x").unwrap();
        let name_of = |event| match event {
            WatchEvent::Changed { name, .. } => name,
            WatchEvent::Rescan => "(rescan)".into(),
        };
        let first = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert_eq!(name_of(first), "grid");
        // Reading is not a change: after the write's events, the channel goes quiet.
        while rx.recv_timeout(Duration::from_millis(300)).is_ok() {}
        let _ = std::fs::read(dir.path().join("grid.wasm")).unwrap();
        assert!(rx.recv_timeout(Duration::from_millis(300)).is_err());
        std::fs::remove_file(dir.path().join("grid.wasm")).unwrap();
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)).unwrap(),
            WatchEvent::Changed {
                name: "grid".into(),
                complete: true
            }
        );
        // A rename into place is complete at once.
        std::fs::write(dir.path().join(".grid.wasm.part"), "y").unwrap();
        while rx.recv_timeout(Duration::from_millis(300)).is_ok() {}
        std::fs::rename(dir.path().join(".grid.wasm.part"), dir.path().join("grid.wasm")).unwrap();
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)).unwrap(),
            WatchEvent::Changed {
                name: "grid".into(),
                complete: true
            }
        );
    }
}
