//! Where a strategy's words go: its `log` import and its stdout/stderr, both into the host's
//! log under the strategy's name, rate-limited so that a flooding guest cannot drown the host.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::Bytes;
use prometheus::IntCounter;
use trading::orders::StrategyId;
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};

/// Lines a strategy may log per second, sustained.
pub const DEFAULT_LOG_LINES_PER_SECOND: f64 = 50.0;
/// Lines a strategy may log in a burst.
pub const DEFAULT_LOG_BURST: f64 = 200.0;
/// Longest line kept; the rest is cut, so one huge line cannot cost more than a short one.
const MAX_LINE_BYTES: usize = 2_048;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GuestLogLevel {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

/// A token bucket shared by all of one strategy's outputs.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    refilled_at: Instant,
    /// Dropped since the last line that got through (which reports them).
    dropped: u64,
}

/// The rate-limited log of one strategy.
#[derive(Debug, Clone)]
pub struct GuestLog {
    strategy: StrategyId,
    bucket: Arc<Mutex<Bucket>>,
    /// Every line dropped, for `strategy_host_strategy_log_lines_dropped_total`.
    dropped_total: IntCounter,
}

impl GuestLog {
    pub fn new(strategy: StrategyId, dropped_total: IntCounter) -> Self {
        let bucket = Bucket {
            tokens: DEFAULT_LOG_BURST,
            refilled_at: Instant::now(),
            dropped: 0,
        };
        Self {
            strategy,
            bucket: Arc::new(Mutex::new(bucket)),
            dropped_total,
        }
    }

    /// Logs one line if the budget allows; otherwise counts it, and reports the count once the
    /// budget is back.
    pub fn line(&self, level: GuestLogLevel, source: &str, text: &str) {
        let Some(dropped_before) = self.take_token() else {
            return;
        };
        let strategy = self.strategy.as_str();
        if dropped_before > 0 {
            tracing::warn!(
                strategy,
                dropped = dropped_before,
                "strategy log rate limit: lines dropped"
            );
        }
        let text = truncate(text, MAX_LINE_BYTES);
        match level {
            GuestLogLevel::Trace => tracing::trace!(strategy, source, "{text}"),
            GuestLogLevel::Debug => tracing::debug!(strategy, source, "{text}"),
            GuestLogLevel::Info => tracing::info!(strategy, source, "{text}"),
            GuestLogLevel::Warn => tracing::warn!(strategy, source, "{text}"),
            GuestLogLevel::Error => tracing::error!(strategy, source, "{text}"),
        }
    }

    /// Lines the rate limit has dropped since the strategy was first loaded.
    pub fn dropped_total(&self) -> u64 {
        self.dropped_total.get()
    }

    /// Takes one token; `Some(lines dropped since the last success)` when allowed.
    fn take_token(&self) -> Option<u64> {
        let mut bucket = self.bucket.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        let elapsed = now.duration_since(bucket.refilled_at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * DEFAULT_LOG_LINES_PER_SECOND).min(DEFAULT_LOG_BURST);
        bucket.refilled_at = now;
        if bucket.tokens < 1.0 {
            bucket.dropped += 1;
            self.dropped_total.inc();
            return None;
        }
        bucket.tokens -= 1.0;
        Some(std::mem::take(&mut bucket.dropped))
    }

    /// A WASI stdout/stderr that feeds this log, line by line.
    pub fn output(&self, source: &'static str) -> GuestOutput {
        GuestOutput {
            log: self.clone(),
            source,
            partial: Vec::new(),
        }
    }
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A guest's stdout or stderr. Complete lines go to the [`GuestLog`]; a partial line waits for
/// its end (up to [`MAX_LINE_BYTES`]).
pub struct GuestOutput {
    log: GuestLog,
    source: &'static str,
    partial: Vec<u8>,
}

impl GuestOutput {
    fn emit(&self, line: &[u8]) {
        let text = String::from_utf8_lossy(line);
        let level = if self.source == "stderr" {
            GuestLogLevel::Warn
        } else {
            GuestLogLevel::Info
        };
        self.log.line(level, self.source, text.trim_end_matches('\r'));
    }
}

impl OutputStream for GuestOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        for &byte in bytes.iter() {
            if byte == b'\n' {
                let line = std::mem::take(&mut self.partial);
                self.emit(&line);
            } else if self.partial.len() < MAX_LINE_BYTES {
                self.partial.push(byte);
            }
        }
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(64 * 1024)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for GuestOutput {
    async fn ready(&mut self) {}
}

impl Drop for GuestOutput {
    fn drop(&mut self) {
        if !self.partial.is_empty() {
            let line = std::mem::take(&mut self.partial);
            self.emit(&line);
        }
    }
}

/// The factory WASI asks for a stream each time the guest opens stdout or stderr.
pub struct GuestStdio {
    log: GuestLog,
    source: &'static str,
}

impl GuestStdio {
    pub fn new(log: &GuestLog, source: &'static str) -> Self {
        Self {
            log: log.clone(),
            source,
        }
    }
}

impl IsTerminal for GuestStdio {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for GuestStdio {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.log.output(self.source))
    }

    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        // Only WASIp3 guests use this path, and this host links WASIp2 only.
        Box::new(tokio::io::sink())
    }
}
