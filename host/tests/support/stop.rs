//! Stopping a running host the way an operator does (SIGTERM, then wait for it to exit), or the
//! way a crash does (SIGKILL).

use std::process::{Command, ExitStatus};
use std::time::Duration;

use super::{wait_until, RunningHost};

/// Sends SIGTERM to `host` and waits (polling, up to `timeout`) for it to exit.
pub fn terminate(host: &mut RunningHost, timeout: Duration) -> ExitStatus {
    let pid = host.child.id().to_string();
    let signalled = Command::new("kill").args(["-TERM", &pid]).status().expect("run kill");
    assert!(signalled.success(), "kill -TERM {pid} failed");
    wait_until("the host to exit after SIGTERM", timeout, || {
        host.child.try_wait().ok().flatten()
    })
}

/// Kills `host` with SIGKILL (what `Child::kill` sends on Unix: no handler runs, nothing is
/// flushed) and reaps it.
pub fn kill(host: &mut RunningHost) -> ExitStatus {
    host.child.kill().expect("SIGKILL the host");
    host.child.wait().expect("reap the killed host")
}
