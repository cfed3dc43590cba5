//! `run --record FILE`: every market event the strategies received, in delivery order, in a
//! market journal that `backtest --data FILE` replays. Recording never stops trading: a
//! failed write is logged once and recording ends there.

use std::io::BufWriter;
use std::path::Path;

use trading::market::{JournalError, JournalWriter, MarketEvent};

#[derive(Debug, Default)]
pub struct Recorder {
    writer: Option<JournalWriter<BufWriter<std::fs::File>>>,
}

impl Recorder {
    /// A recorder writing to `path`, or one that records nothing.
    ///
    /// # Errors
    ///
    /// [`JournalError`] when the journal cannot be created.
    pub fn open(path: Option<&Path>) -> Result<Self, JournalError> {
        let writer = path.map(JournalWriter::create).transpose()?;
        if let Some(path) = path {
            tracing::info!(path = %path.display(), "recording delivered market events");
        }
        Ok(Self { writer })
    }

    pub fn record(&mut self, event: &MarketEvent) {
        if let Some(writer) = &mut self.writer {
            if let Err(e) = writer.append(event) {
                tracing::error!(error = %e, "the market journal cannot be written: recording stops");
                self.writer = None;
            }
        }
    }

    pub fn flush(&mut self) {
        if let Some(writer) = &mut self.writer {
            if let Err(e) = writer.flush() {
                tracing::error!(error = %e, "the market journal cannot be written: recording stops");
                self.writer = None;
            }
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.flush();
    }
}
