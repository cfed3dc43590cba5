//! The header of a bar file: which column holds the time, the prices and the volume.

use csv::ByteRecord;

use super::error::CsvError;

/// A column a bar needs, with the header names that mean it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Time,
    Open,
    High,
    Low,
    Close,
    Volume,
}

impl Role {
    const ALL: [Role; 6] = [Role::Time, Role::Open, Role::High, Role::Low, Role::Close, Role::Volume];

    pub(super) fn name(self) -> &'static str {
        match self {
            Role::Time => "time",
            Role::Open => "open",
            Role::High => "high",
            Role::Low => "low",
            Role::Close => "close",
            Role::Volume => "volume",
        }
    }

    /// Header names, compared after [`normalize`] (so `Open Time`, `open_time` and `OPEN-TIME`
    /// all read `opentime`).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Role::Time => &["time", "date", "timestamp", "datetime", "opentime"],
            Role::Open => &["open", "o"],
            Role::High => &["high", "h"],
            Role::Low => &["low", "l"],
            Role::Close => &["close", "c"],
            Role::Volume => &["volume", "vol", "v"],
        }
    }
}

/// Lowercase, without spaces, `_` and `-`: the form header names are compared in.
fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each needed column is, and the header's own spelling of every column for messages.
#[derive(Debug)]
pub(super) struct Columns {
    pub(super) time: usize,
    pub(super) open: usize,
    pub(super) high: usize,
    pub(super) low: usize,
    pub(super) close: usize,
    /// Absent in files without volumes; such bars get a volume of zero.
    pub(super) volume: Option<usize>,
    names: Vec<String>,
}

impl Columns {
    /// Reads the header record (found on `line` of `file`). Extra columns are ignored.
    pub(super) fn locate(header: &ByteRecord, file: &str, line: u64) -> Result<Self, CsvError> {
        let names: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(i, raw)| {
                let raw = if i == 0 {
                    raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
                } else {
                    raw
                };
                String::from_utf8_lossy(raw.trim_ascii()).into_owned()
            })
            .collect();
        let normalized: Vec<String> = names.iter().map(|n| normalize(n)).collect();
        let mut found: [Option<usize>; 6] = [None; 6];
        for (role, slot) in Role::ALL.into_iter().zip(found.iter_mut()) {
            for (i, name) in normalized.iter().enumerate() {
                if !role.aliases().contains(&name.as_str()) {
                    continue;
                }
                if let Some(first) = *slot {
                    return Err(CsvError::AmbiguousColumn {
                        file: file.to_owned(),
                        line,
                        column: role.name(),
                        first: names[first].clone(),
                        second: names[i].clone(),
                    });
                }
                *slot = Some(i);
            }
        }
        let required = |role: Role| {
            found[role as usize].ok_or_else(|| CsvError::MissingColumn {
                file: file.to_owned(),
                line,
                column: role.name(),
                header: names.join(", "),
            })
        };
        Ok(Columns {
            time: required(Role::Time)?,
            open: required(Role::Open)?,
            high: required(Role::High)?,
            low: required(Role::Low)?,
            close: required(Role::Close)?,
            volume: found[Role::Volume as usize],
            names,
        })
    }

    /// The header's spelling of column `index`.
    pub(super) fn name(&self, index: usize) -> &str {
        self.names.get(index).map_or("?", String::as_str)
    }
}
