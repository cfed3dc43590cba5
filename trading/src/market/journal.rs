//! The market journal: every normalized market event a session delivered, in delivery order,
//! one JSON object per line, exact decimals as strings. `run --record FILE` writes it;
//! `backtest --data FILE` replays it, so a live incident can be reproduced offline with the
//! same events in the same order.
//!
//! The first line names the format and its version, so a journal is told from a CSV by its
//! content, and a journal from a newer build is refused with a message instead of misread.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::MarketEvent;

/// The journal format this build writes and reads.
pub const JOURNAL_VERSION: u32 = 1;
const FORMAT: &str = "strategy-host market journal";

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
}

/// Why a journal could not be written or read; each names the file (and the line).
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}:{line}: {reason}", .path.display())]
    Line { path: PathBuf, line: usize, reason: String },
    #[error("{}: journal version {found} is newer than this build's {JOURNAL_VERSION}: replay it with a newer strategy-host", .path.display())]
    TooNew { path: PathBuf, found: u32 },
}

/// Appends events to a journal.
#[derive(Debug)]
pub struct JournalWriter<W: Write> {
    out: W,
    path: PathBuf,
}

impl JournalWriter<std::io::BufWriter<std::fs::File>> {
    /// Creates (or truncates) `path` and writes the header.
    ///
    /// # Errors
    ///
    /// [`JournalError::Io`] when the file cannot be created or written.
    pub fn create(path: &Path) -> Result<Self, JournalError> {
        let file = std::fs::File::create(path).map_err(|source| JournalError::Io {
            path: path.to_owned(),
            source,
        })?;
        Self::new(std::io::BufWriter::new(file), path)
    }
}

impl<W: Write> JournalWriter<W> {
    /// A journal over `out`, named `path` in errors; writes the header.
    ///
    /// # Errors
    ///
    /// [`JournalError::Io`] when the header cannot be written.
    pub fn new(out: W, path: &Path) -> Result<Self, JournalError> {
        let mut writer = Self {
            out,
            path: path.to_owned(),
        };
        let header = Header {
            format: FORMAT.to_owned(),
            version: JOURNAL_VERSION,
        };
        writer.line(&header)?;
        Ok(writer)
    }

    /// Appends one event.
    ///
    /// # Errors
    ///
    /// [`JournalError::Io`] when it cannot be written.
    pub fn append(&mut self, event: &MarketEvent) -> Result<(), JournalError> {
        self.line(event)
    }

    /// Pushes what is buffered to the file.
    ///
    /// # Errors
    ///
    /// [`JournalError::Io`] when it cannot be written.
    pub fn flush(&mut self) -> Result<(), JournalError> {
        self.out.flush().map_err(|source| self.io(source))
    }

    fn line<T: Serialize>(&mut self, value: &T) -> Result<(), JournalError> {
        serde_json::to_writer(&mut self.out, value).map_err(|e| self.io(e.into()))?;
        self.out.write_all(b"\n").map_err(|source| self.io(source))
    }

    fn io(&self, source: std::io::Error) -> JournalError {
        JournalError::Io {
            path: self.path.clone(),
            source,
        }
    }
}

/// Whether the file at `path` starts like a journal (and not, say, like a CSV).
pub fn is_journal(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut first = String::new();
    std::io::BufReader::new(file).read_line(&mut first).is_ok()
        && serde_json::from_str::<Header>(first.trim()).is_ok_and(|h| h.format == FORMAT)
}

/// Every event of the journal at `path`, in order.
///
/// # Errors
///
/// [`JournalError`] naming the file and line of the first bad line, or the version.
pub fn read_journal(path: &Path) -> Result<Vec<MarketEvent>, JournalError> {
    let io = |source| JournalError::Io {
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut lines = std::io::BufReader::new(file).lines();
    let bad = |line: usize, reason: String| JournalError::Line {
        path: path.to_owned(),
        line,
        reason,
    };
    let header = lines.next().transpose().map_err(io)?.unwrap_or_default();
    let header: Header = serde_json::from_str(&header).map_err(|e| {
        bad(
            1,
            format!("expected the journal header {{\"format\": \"{FORMAT}\", ...}}: {e}"),
        )
    })?;
    if header.format != FORMAT {
        return Err(bad(1, format!("format {:?} is not {FORMAT:?}", header.format)));
    }
    if header.version > JOURNAL_VERSION {
        return Err(JournalError::TooNew {
            path: path.to_owned(),
            found: header.version,
        });
    }
    let mut events = Vec::new();
    for (index, line) in lines.enumerate() {
        let line = line.map_err(io)?;
        if line.trim().is_empty() {
            continue;
        }
        let event: MarketEvent =
            serde_json::from_str(&line).map_err(|e| bad(index + 2, format!("expected a market event: {e}")))?;
        events.push(event);
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;
    use crate::market::{Candle, Side, Symbol, Timeframe, Trade};

    fn events() -> Vec<MarketEvent> {
        let symbol = Symbol::new("BTC/USD").unwrap();
        vec![
            MarketEvent::Trade(Trade {
                symbol: symbol.clone(),
                time_ms: 1_000,
                price: "30000.10".parse().unwrap(),
                qty: "0.00100000".parse().unwrap(),
                aggressor: Side::Sell,
            }),
            MarketEvent::Candle(Candle {
                symbol,
                timeframe: Timeframe::MINUTE,
                open_time_ms: 0,
                open: Decimal::ONE,
                high: Decimal::TWO,
                low: Decimal::ONE,
                close: "1.50".parse().unwrap(),
                volume: Decimal::ZERO,
            }),
        ]
    }

    #[test]
    fn a_journal_replays_the_same_events_with_the_same_digits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.jsonl");
        let mut writer = JournalWriter::create(&path).unwrap();
        for event in events() {
            writer.append(&event).unwrap();
        }
        writer.flush().unwrap();
        assert!(is_journal(&path));
        let back = read_journal(&path).unwrap();
        assert_eq!(back, events());
        let MarketEvent::Trade(trade) = &back[0] else { panic!() };
        assert_eq!(trade.qty.to_string(), "0.00100000", "trailing zeros survive");
    }

    #[test]
    fn bad_lines_and_newer_versions_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.jsonl");
        std::fs::write(
            &path,
            format!("{{\"format\":\"{FORMAT}\",\"version\":1}}\n{{\"Trade\":{{\"price\":\"x\"}}}}\n"),
        )
        .unwrap();
        let err = read_journal(&path).unwrap_err().to_string();
        assert!(err.contains("bad.jsonl:2: expected a market event"), "{err}");
        std::fs::write(&path, format!("{{\"format\":\"{FORMAT}\",\"version\":99}}\n")).unwrap();
        assert!(matches!(
            read_journal(&path),
            Err(JournalError::TooNew { found: 99, .. })
        ));
        std::fs::write(&path, "time,open,high,low,close\n").unwrap();
        assert!(!is_journal(&path));
    }
}
