//! CSV records with the exact line each starts on, blank lines skipped.
//!
//! The csv crate stamps a record with the position *after the previous record*, which is off
//! by the blank lines skipped in between, and by one in CRLF files (the `\n` of a `\r\n` is
//! consumed with the next record). So records are split on `\n` alone (a `\r` left at a line's
//! end is whitespace the field parsers trim), and a record's first line is counted back from
//! the reader's position after it: minus the newlines inside quoted fields, minus the `\n`
//! that ended it, which every record has except possibly the last.

use std::io::{self, Read};

use csv::ByteRecord;

use super::error::CsvError;

/// The reader's buffer: large enough that a million-row file costs few system calls.
const BUFFER_BYTES: usize = 1 << 16;

pub(super) struct Records<'a, R> {
    reader: csv::Reader<Watched<R>>,
    file: &'a str,
}

impl<'a, R: Read> Records<'a, R> {
    pub(super) fn new(source: R, file: &'a str) -> Self {
        let reader = csv::ReaderBuilder::new()
            // The header is read by hand, to be told apart from an empty file.
            .has_headers(false)
            // Short rows get a message naming the missing column, not the csv crate's.
            .flexible(true)
            .terminator(csv::Terminator::Any(b'\n'))
            .buffer_capacity(BUFFER_BYTES)
            .from_reader(Watched {
                inner: source,
                bytes: 0,
                ended: false,
                last_byte: None,
            });
        Self { reader, file }
    }

    /// Reads the next non-blank record into `record` and returns the line it starts on;
    /// `None` at the end of the input.
    pub(super) fn next(&mut self, record: &mut ByteRecord) -> Result<Option<u64>, CsvError> {
        loop {
            let more = self.reader.read_byte_record(record).map_err(|err| self.error(err))?;
            if !more {
                return Ok(None);
            }
            // A line of only spaces or a lone `\r` (a blank CRLF line) is blank too.
            let blank = record.len() == 1 && record[0].trim_ascii().is_empty();
            if !blank {
                return Ok(Some(self.start_line(record)));
            }
        }
    }

    fn start_line(&self, record: &ByteRecord) -> u64 {
        let end = self.reader.position();
        let source = self.reader.get_ref();
        let bytes = record.as_slice();
        let inside = if bytes.contains(&b'\n') {
            bytes.iter().filter(|&&b| b == b'\n').count() as u64
        } else {
            0
        };
        let unterminated = source.ended && end.byte() == source.bytes && source.last_byte != Some(b'\n');
        end.line().saturating_sub(inside + u64::from(!unterminated))
    }

    fn error(&self, err: csv::Error) -> CsvError {
        let line = err.position().map_or(0, csv::Position::line);
        let message = err.to_string();
        match err.into_kind() {
            csv::ErrorKind::Io(error) => CsvError::Io {
                file: self.file.to_owned(),
                error,
            },
            _ => CsvError::Malformed {
                file: self.file.to_owned(),
                line,
                message,
            },
        }
    }
}

/// Passes the source through, remembering how much it gave, whether it ended and its last
/// byte: what tells a last line without a final `\n` apart.
struct Watched<R> {
    inner: R,
    bytes: u64,
    ended: bool,
    last_byte: Option<u8>,
}

impl<R: Read> Read for Watched<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        match buf.get(..n).and_then(<[u8]>::last) {
            Some(&last) => {
                self.bytes += n as u64;
                self.last_byte = Some(last);
            }
            None => self.ended |= !buf.is_empty(),
        }
        Ok(n)
    }
}
