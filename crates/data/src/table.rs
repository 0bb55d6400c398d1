//! A CSV file as text: its header and its rows, each with its line number,
//! every field checked to be UTF-8 (an error names the line and column).
//! What the fields mean (numbers, categories, labels) is decided elsewhere.

use crate::DataError;
use std::path::{Path, PathBuf};

/// The UTF-8 byte order mark.
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// A CSV file's header and rows (with their line numbers).
pub(crate) struct Table {
    pub path: PathBuf,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// One data row and the line of the file it starts on.
pub(crate) struct Row {
    pub line: u64,
    pub fields: Vec<String>,
}

impl Table {
    /// Reads a CSV file with a header row. Blank rows are skipped; every
    /// other row must have as many fields as the header. Two columns of
    /// the same (non-empty) name are refused; columns with an empty name
    /// are kept here and refused where they would be used.
    pub fn read(path: &Path) -> Result<Table, DataError> {
        let bytes = std::fs::read(path).map_err(|reason| DataError::Io {
            path: path.into(),
            reason,
        })?;
        // Spreadsheets often start a UTF-8 file with a byte order mark; it
        // is not part of the first column's name.
        let text = bytes.strip_prefix(UTF8_BOM).unwrap_or(&bytes);
        if text.iter().all(u8::is_ascii_whitespace) {
            return Err(DataError::Empty { path: path.into() });
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text);
        let malformed = |e: csv::Error| DataError::Malformed {
            path: path.into(),
            line: e.position().map_or(1, |p| p.line()),
            message: e.to_string(),
        };
        let header_record = reader.byte_headers().map_err(malformed)?.clone();
        let header = header_record
            .iter()
            .enumerate()
            .map(|(c, field)| utf8(path, 1, &format!("column {}", c + 1), field))
            .collect::<Result<Vec<_>, _>>()?;
        for (i, h) in header.iter().enumerate() {
            if !h.is_empty() && header[..i].contains(h) {
                return Err(DataError::DuplicateColumn {
                    path: path.into(),
                    column: h.clone(),
                });
            }
        }
        let mut rows = Vec::new();
        for rec in reader.byte_records() {
            let rec = rec.map_err(malformed)?;
            let line = rec.position().map_or(0, |p| p.line());
            if rec.iter().all(|f| f.is_empty()) {
                continue;
            }
            if rec.len() != header.len() {
                return Err(DataError::Ragged {
                    path: path.into(),
                    line,
                    expected: header.len(),
                    found: rec.len(),
                });
            }
            let fields = rec
                .iter()
                .zip(&header)
                .enumerate()
                .map(|(c, (field, name))| utf8(path, line, &column_label(c, name), field))
                .collect::<Result<Vec<_>, _>>()?;
            rows.push(Row { line, fields });
        }
        if rows.is_empty() {
            return Err(DataError::NoRows { path: path.into() });
        }
        Ok(Table {
            path: path.into(),
            header,
            rows,
        })
    }

    /// The index of the column named `name`.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// The header's names, for messages.
    pub fn columns_list(&self) -> String {
        self.header
            .iter()
            .enumerate()
            .map(|(c, h)| {
                if h.is_empty() {
                    format!("(column {}, unnamed)", c + 1)
                } else {
                    h.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// How messages name a column: its name, or its position when unnamed.
pub(crate) fn column_label(index: usize, name: &str) -> String {
    if name.is_empty() {
        format!("column {} (unnamed)", index + 1)
    } else {
        format!("column '{name}'")
    }
}

/// A field as UTF-8 text, or an error naming its line and column and the
/// offending byte.
fn utf8(path: &Path, line: u64, column: &str, field: &[u8]) -> Result<String, DataError> {
    match std::str::from_utf8(field) {
        Ok(s) => Ok(s.to_string()),
        Err(e) => Err(DataError::NotUtf8 {
            path: path.into(),
            line,
            column: column.to_string(),
            byte: field[e.valid_up_to()],
            offset: e.valid_up_to() + 1,
        }),
    }
}
