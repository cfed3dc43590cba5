//! The write-ahead journal of the book of record: append-only files of [`Write`]s.
//!
//! Each record is one line of JSON, `{"seq":N,"write":{...}}`, appended with one `write(2)` and
//! no sync. When the call returns the record is in the kernel's page cache: it survives the
//! process crashing or being killed (what SQLite's WAL at `synchronous = NORMAL` promises too)
//! and a power cut can lose the last records. That costs a microsecond or two, where a SQLite
//! commit of the same order costs tens (BENCHMARKS.md, tick-to-order), which is why the desk's
//! write before an order is sent goes here.
//!
//! Records are numbered from 1 without gaps. A journal is a series of segment files beside the
//! database, `<db>.log.<first seq, 20 digits>`; a new one starts when the current one passes
//! [`SEGMENT_BYTES`], and a segment is deleted once every record in it is in the tables.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ledger::store::rows::Write;

/// A segment past this size is closed and a new one started.
pub(crate) const SEGMENT_BYTES: u64 = 16 * 1024 * 1024;

/// A failure reading or writing the journal, naming the file (and the line).
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("journal {}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("journal {} line {line}: {problem}", .path.display())]
    Corrupt {
        path: PathBuf,
        line: usize,
        problem: String,
    },
    #[error("journal {} is locked by another process: one process at a time writes a book of record", .path.display())]
    Locked { path: PathBuf },
}

/// Takes the journal's lock file, `<db>.log.lock`, for as long as the returned file is open:
/// two writers appending to one journal would interleave their numbering. The operating
/// system releases it when the process ends, however it ends.
///
/// # Errors
///
/// [`JournalError::Locked`] when another process holds it, [`JournalError::Io`] when it cannot
/// be created.
pub(crate) fn lock(db: &Path) -> Result<File, JournalError> {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(".log.lock");
    let path = db.with_file_name(name);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| JournalError::Io {
            path: path.clone(),
            source,
        })?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::Locked { path }),
        Err(std::fs::TryLockError::Error(source)) => Err(JournalError::Io { path, source }),
    }
}

#[derive(Serialize)]
struct RecordOut<'a> {
    seq: u64,
    write: &'a Write,
}

#[derive(Deserialize)]
struct RecordIn {
    seq: u64,
    write: Write,
}

/// One segment file and the first sequence number in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub first_seq: u64,
    pub path: PathBuf,
}

impl Segment {
    fn new(db: &Path, first_seq: u64) -> Self {
        let mut name = db.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".log.{first_seq:020}"));
        Self {
            first_seq,
            path: db.with_file_name(name),
        }
    }
}

/// The journal's segments beside the database `db`, oldest first.
///
/// # Errors
///
/// [`JournalError::Io`] when the directory cannot be read.
pub(crate) fn segments(db: &Path) -> Result<Vec<Segment>, JournalError> {
    let dir = match db.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = format!("{}.log.", db.file_name().unwrap_or_default().to_string_lossy());
    let io_err = |source| JournalError::Io {
        path: dir.clone(),
        source,
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(io_err)? {
        let name = entry.map_err(io_err)?.file_name();
        let Some(seq) = name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        // Only the names this module writes: twenty digits.
        if let (20, Ok(first_seq)) = (seq.len(), seq.parse::<u64>()) {
            found.push(Segment::new(db, first_seq));
        }
    }
    found.sort_by_key(|s| s.first_seq);
    Ok(found)
}

/// Reads a segment's records. A last line without its newline is a record whose write was cut
/// short (a power cut, a full disk): it never counted, and is dropped with a warning. Any
/// other line that does not parse, or a number out of sequence, is corruption.
///
/// # Errors
///
/// [`JournalError`] naming the file, and the line for corruption.
pub(crate) fn read_segment(segment: &Segment) -> Result<Vec<(u64, Write)>, JournalError> {
    let path = &segment.path;
    let file = File::open(path).map_err(|source| JournalError::Io {
        path: path.clone(),
        source,
    })?;
    let mut reader = BufReader::new(file);
    let mut records = Vec::new();
    let mut line = String::new();
    let mut number = 0;
    loop {
        line.clear();
        let read = reader.read_line(&mut line).map_err(|source| JournalError::Io {
            path: path.clone(),
            source,
        })?;
        if read == 0 {
            return Ok(records);
        }
        number += 1;
        if !line.ends_with('\n') {
            tracing::warn!(path = %path.display(), line = number, "the journal's last record was cut short; it is dropped");
            return Ok(records);
        }
        let corrupt = |problem: String| JournalError::Corrupt {
            path: path.clone(),
            line: number,
            problem,
        };
        let record: RecordIn = serde_json::from_str(&line).map_err(|e| corrupt(e.to_string()))?;
        let expected = segment.first_seq + records.len() as u64;
        if record.seq != expected {
            return Err(corrupt(format!("record {} where {expected} was expected", record.seq)));
        }
        records.push((record.seq, record.write));
    }
}

/// Deletes a segment whose records are all in the tables.
pub(crate) fn remove_segment(segment: &Segment) {
    if let Err(e) = std::fs::remove_file(&segment.path) {
        tracing::warn!(path = %segment.path.display(), error = %e, "an applied journal segment could not be deleted");
    }
}

/// Appends records to the journal of one database, starting a new segment when one is full.
#[derive(Debug)]
pub(crate) struct JournalWriter {
    db: PathBuf,
    file: File,
    segment: Segment,
    written: u64,
    segment_bytes: u64,
    next_seq: u64,
    /// One record's line, reused.
    line: Vec<u8>,
}

impl JournalWriter {
    /// Starts a new segment whose first record will be `next_seq`.
    ///
    /// # Errors
    ///
    /// [`JournalError::Io`] when the segment cannot be created.
    pub(crate) fn create(db: &Path, next_seq: u64, segment_bytes: u64) -> Result<Self, JournalError> {
        let segment = Segment::new(db, next_seq);
        let file = open_segment(&segment)?;
        Ok(Self {
            db: db.to_path_buf(),
            file,
            segment,
            written: 0,
            segment_bytes,
            next_seq,
            line: Vec::with_capacity(512),
        })
    }

    /// The segment being written.
    pub(crate) fn segment(&self) -> &Segment {
        &self.segment
    }

    /// Appends one record and returns its sequence number, and the new segment when this
    /// record filled the old one (the next record goes there).
    ///
    /// # Errors
    ///
    /// [`JournalError::Io`] when the record could not be written whole: nothing counts then.
    pub(crate) fn append(&mut self, write: &Write) -> Result<(u64, Option<Segment>), JournalError> {
        let seq = self.next_seq;
        self.line.clear();
        serde_json::to_writer(&mut self.line, &RecordOut { seq, write }).map_err(|e| self.io(io::Error::other(e)))?;
        self.line.push(b'\n');
        // One write(2) for the whole line, so a crash of the process leaves it whole or absent.
        self.file.write_all(&self.line).map_err(|e| self.io(e))?;
        self.next_seq += 1;
        self.written += self.line.len() as u64;
        if self.written < self.segment_bytes {
            return Ok((seq, None));
        }
        let segment = Segment::new(&self.db, self.next_seq);
        self.file = open_segment(&segment)?;
        self.segment = segment.clone();
        self.written = 0;
        Ok((seq, Some(segment)))
    }

    fn io(&self, source: io::Error) -> JournalError {
        JournalError::Io {
            path: self.segment.path.clone(),
            source,
        }
    }
}

/// Truncates as it opens: a segment of this name can only be one left empty, or already
/// replayed, by a crash (the store replays and deletes segments before it writes).
fn open_segment(segment: &Segment) -> Result<File, JournalError> {
    OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .open(&segment.path)
        .map_err(|source| JournalError::Io {
            path: segment.path.clone(),
            source,
        })
}
