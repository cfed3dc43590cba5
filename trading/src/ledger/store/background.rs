//! The store's own threads (the journal's applier, the WAL checkpointer) work behind the
//! order path: nothing waits for them but the tables' lag. They run at a lower CPU priority, so
//! that on a busy machine a thread on the order path (a feed's task, a strategy, an order
//! port) that wakes finds a core at once instead of waiting out their time slice.

/// The nice value of the store's threads: a weight about a tenth of a normal thread's, so they
/// still get their share whenever the trading threads sleep.
#[cfg(target_os = "linux")]
pub(super) const NICE: libc::c_int = 10;

/// Lowers the calling thread's priority (see the module's header). Where that is refused, the
/// thread runs on at normal priority, which costs only latency.
#[allow(unsafe_code)]
pub(super) fn run_behind_the_order_path() {
    #[cfg(target_os = "linux")]
    {
        // Linux keeps a nice value per thread, and `PRIO_PROCESS` with a thread id sets that
        // thread's alone. Raising one's own nice value needs no privilege.
        // SAFETY: `gettid` and `setpriority` take plain integers and touch no memory of ours.
        let refused = unsafe {
            let tid = libc::gettid();
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICE) != 0
        };
        if refused {
            tracing::debug!(error = %std::io::Error::last_os_error(), "a store thread keeps normal priority");
        }
    }
}
