//! A user's CSV table as a labelled dataset, and rows of another table
//! read the way a trained network reads them.
//!
//! Training tables: the label column holds the classes (integers or
//! names); `--drop` leaves columns out; every other column is a feature,
//! numeric when every value is a number, one-hot encoded when no value is
//! (a column mixing both is refused, naming a line of each). Missing
//! values (see [`MISSING_MARKERS`]) are refused with their line and column,
//! or the rows holding them are dropped and counted.

use crate::encoding::{ColumnEncoding, Encoding};
use crate::table::{column_label, Row, Table};
use crate::{DataError, Dataset};
use std::collections::BTreeSet;
use std::path::Path;

/// Field values that mean "no value": empty, and the markers R, pandas and
/// the UCI repository write (`NA`, `N/A`, `NaN`, `nan`, `?`). A category
/// literally spelled like one of these is read as missing too.
pub const MISSING_MARKERS: &[&str] = &["", "NA", "N/A", "NaN", "nan", "?"];

/// The most classes a label column may have. A label with more distinct
/// values is almost surely a continuous target (a measurement, an age) or
/// an identifier, and a MILP classifier with that many outputs would not be
/// trainable anyway; the largest bundled problem has 10.
pub const MAX_CLASSES: usize = 50;

/// The most categories a text feature column may have. One-hot encoding
/// adds one input per category; beyond this the column is almost surely an
/// identifier or free text (names, ticket numbers), which would swamp the
/// MILP with inputs that cannot generalize.
pub const MAX_CATEGORIES: usize = 50;

/// What to do with a row that has a missing feature or label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Missing {
    /// Refuse the file, naming the line and column.
    #[default]
    Error,
    /// Leave the row out (and count it).
    Drop,
}

/// How to read a training table.
#[derive(Clone, Debug, Default)]
pub struct CsvOptions {
    /// The label column.
    pub label: String,
    /// Columns left out (an empty name leaves out every unnamed column).
    pub drop: Vec<String>,
    pub missing: Missing,
}

/// What reading a table did besides reading it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvNotes {
    /// Rows left out for a missing value (with [`Missing::Drop`]).
    pub rows_dropped: usize,
    /// The column missing in most of the dropped rows, and in how many
    /// (the first such column when several tie).
    pub most_missing: Option<(String, usize)>,
    /// Rows with a text value not seen in training (encoded as all zeros).
    pub rows_with_unseen_category: usize,
    /// Numeric feature columns that look like row identifiers: integers
    /// increasing row by row (used as features all the same).
    pub likely_identifiers: Vec<String>,
}

/// Fewest rows before a column of integers increasing row by row is
/// noted as a likely identifier (with fewer, sorted data is too likely).
pub const MIN_ROWS_FOR_IDENTIFIER_NOTE: usize = 10;

/// Which label column to read from a table of inputs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelColumn<'a> {
    /// No labels.
    None,
    /// This column when the file has it (a default name).
    IfPresent(&'a str),
    /// This column; the file must have it.
    Required(&'a str),
}

/// Rows of a table as a network reads them: the features (labels all 0),
/// the label column's values as written (when read), and each row's line.
pub struct InputRows {
    pub features: Dataset,
    pub labels: Option<Vec<String>>,
    pub lines: Vec<u64>,
    pub notes: CsvNotes,
}

impl Dataset {
    /// Reads a CSV file with a header: the `label` column holds the classes
    /// (integers or strings; class names sorted, numerically when all are
    /// integers), every other column is a feature (text columns one-hot
    /// encoded). Missing values are refused.
    pub fn from_csv(path: &Path, label: &str) -> Result<Dataset, DataError> {
        let opts = CsvOptions {
            label: label.into(),
            ..CsvOptions::default()
        };
        Dataset::from_csv_with(path, &opts).map(|(d, _)| d)
    }

    /// Reads a training table as `opts` says.
    pub fn from_csv_with(path: &Path, opts: &CsvOptions) -> Result<(Dataset, CsvNotes), DataError> {
        let table = Table::read(path)?;
        let label_col = table.column(&opts.label).ok_or_else(|| DataError::UnknownLabelColumn {
            path: path.into(),
            column: opts.label.clone(),
            available: table.columns_list(),
        })?;
        let dropped = dropped_columns(&table, &opts.drop, label_col)?;
        let feature_cols: Vec<usize> = (0..table.header.len())
            .filter(|&c| c != label_col && !dropped[c])
            .collect();
        if feature_cols.is_empty() {
            return Err(DataError::NoFeatures { path: path.into() });
        }
        if let Some(&c) = feature_cols.iter().find(|&&c| table.header[c].is_empty()) {
            return Err(DataError::UnnamedColumn {
                path: path.into(),
                index: c + 1,
            });
        }
        let mut used = feature_cols.clone();
        used.push(label_col);
        let CompleteRows {
            rows,
            dropped: rows_dropped,
            most_missing,
        } = complete_rows(&table, &used, label_col, opts.missing)?;
        let raw_labels: Vec<&str> = rows.iter().map(|r| r.fields[label_col].as_str()).collect();
        let class_names = class_names_of(&raw_labels);
        check_label(&table, label_col, &rows, &class_names)?;
        let encoding = Encoding {
            columns: feature_cols
                .iter()
                .map(|&c| column_encoding(&table, c, &rows))
                .collect::<Result<_, _>>()?,
        };
        let feature_names = encoding.feature_names();
        for (i, f) in feature_names.iter().enumerate() {
            if feature_names[..i].contains(f) {
                return Err(DataError::DuplicateFeature {
                    path: path.into(),
                    feature: f.clone(),
                });
            }
        }
        let sources: Vec<(usize, &ColumnEncoding)> = feature_cols.iter().copied().zip(&encoding.columns).collect();
        let mut x = Vec::with_capacity(rows.len() * feature_names.len());
        for r in &rows {
            // Training categories are every value of the column: none is unseen.
            encode_row(&table, r, &sources, &mut x)?;
        }
        let y: Vec<usize> = raw_labels
            .iter()
            .map(|l| class_names.iter().position(|c| c == l).expect("label collected"))
            .collect();
        let likely_identifiers = sources
            .iter()
            .filter(|(c, e)| matches!(e, ColumnEncoding::Numeric { .. }) && looks_like_identifier(&rows, *c))
            .map(|(c, _)| table.header[*c].clone())
            .collect();
        let mut ds = Dataset::new(path.display().to_string(), feature_names, class_names, x, y);
        if encoding.has_text_columns() {
            ds = ds.with_encoding(encoding);
        }
        ds.check_trainable()?;
        Ok((
            ds,
            CsvNotes {
                rows_dropped,
                most_missing,
                rows_with_unseen_category: 0,
                likely_identifiers,
            },
        ))
    }

    /// Reads a CSV with the same features as `like` (in any column order;
    /// extra columns are ignored) and, when `label` is given and the file
    /// has that column, labels among `like`'s classes. Without a label
    /// column every label is 0 and `has_labels` in the result is false.
    pub fn from_csv_like(path: &Path, label: Option<&str>, like: &Dataset) -> Result<(Dataset, bool), DataError> {
        let label = label.map_or(LabelColumn::None, LabelColumn::IfPresent);
        Dataset::from_csv_like_with(path, label, like, Missing::Error).map(|(d, labelled, _)| (d, labelled))
    }

    /// [`Dataset::from_csv_like`] with a label column that may be required
    /// and a policy for missing values.
    pub fn from_csv_like_with(
        path: &Path,
        label: LabelColumn,
        like: &Dataset,
        missing: Missing,
    ) -> Result<(Dataset, bool, CsvNotes), DataError> {
        let rows = read_rows_like(path, label, like, missing)?;
        let Some(labels) = &rows.labels else {
            return Ok((rows.features, false, rows.notes));
        };
        let y = labels
            .iter()
            .zip(&rows.lines)
            .map(|(l, line)| {
                like.class_names
                    .iter()
                    .position(|k| k == l)
                    .ok_or_else(|| DataError::UnknownClass {
                        path: path.into(),
                        line: *line,
                        label: l.clone(),
                        classes: like.class_names.join(", "),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let f = rows.features;
        let mut ds = Dataset::new(f.name.clone(), f.feature_names.clone(), f.class_names.clone(), f.x, y);
        ds.encoding = f.encoding;
        Ok((ds, true, rows.notes))
    }
}

/// Reads the rows of a CSV as a network with `like`'s features, classes
/// and encoding reads them. A file holding the encoded inputs themselves
/// (every feature name a column, as `train --out` writes `test.csv`) is
/// read as it is; otherwise the encoding's raw columns are encoded, a text
/// value not seen in training as all zeros (counted in the notes).
pub fn read_rows_like(
    path: &Path,
    label: LabelColumn,
    like: &Dataset,
    missing: Missing,
) -> Result<InputRows, DataError> {
    let table = Table::read(path)?;
    let label_col = match label {
        LabelColumn::None => None,
        LabelColumn::IfPresent(l) => table.column(l),
        LabelColumn::Required(l) => Some(table.column(l).ok_or_else(|| DataError::UnknownLabelColumn {
            path: path.into(),
            column: l.into(),
            available: table.columns_list(),
        })?),
    };
    let direct = like.feature_names.iter().all(|f| table.column(f).is_some());
    let numeric_by_name: Encoding;
    let encoding = match like.encoding() {
        Some(e) if !direct => e,
        _ => {
            numeric_by_name = Encoding {
                columns: like
                    .feature_names
                    .iter()
                    .map(|f| ColumnEncoding::Numeric { name: f.clone() })
                    .collect(),
            };
            &numeric_by_name
        }
    };
    let sources = encoding
        .columns
        .iter()
        .map(|c| {
            table
                .column(c.name())
                .map(|i| (i, c))
                .ok_or_else(|| DataError::MissingFeature {
                    path: path.into(),
                    feature: c.name().to_string(),
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut used: Vec<usize> = sources.iter().map(|(c, _)| *c).collect();
    used.extend(label_col);
    let CompleteRows {
        rows,
        dropped: rows_dropped,
        most_missing,
    } = complete_rows(&table, &used, label_col.unwrap_or(usize::MAX), missing)?;
    let mut x = Vec::with_capacity(rows.len() * like.num_features());
    let mut rows_with_unseen_category = 0;
    for r in &rows {
        if !encode_row(&table, r, &sources, &mut x)? {
            rows_with_unseen_category += 1;
        }
    }
    let mut features = Dataset::new(
        path.display().to_string(),
        like.feature_names.clone(),
        like.class_names.clone(),
        x,
        vec![0; rows.len()],
    );
    features.encoding = like.encoding.clone();
    Ok(InputRows {
        features,
        labels: label_col.map(|c| rows.iter().map(|r| r.fields[c].clone()).collect()),
        lines: rows.iter().map(|r| r.line).collect(),
        notes: CsvNotes {
            rows_dropped,
            most_missing,
            rows_with_unseen_category,
            likely_identifiers: Vec::new(),
        },
    })
}

/// Marks the columns `--drop` names; refuses unknown names and the label.
fn dropped_columns(table: &Table, drop: &[String], label_col: usize) -> Result<Vec<bool>, DataError> {
    let mut dropped = vec![false; table.header.len()];
    for name in drop {
        let matching: Vec<usize> = (0..table.header.len()).filter(|&c| table.header[c] == *name).collect();
        if matching.is_empty() {
            return Err(DataError::UnknownDropColumn {
                path: table.path.clone(),
                column: name.clone(),
                available: table.columns_list(),
            });
        }
        if matching.contains(&label_col) {
            return Err(DataError::DropLabel {
                path: table.path.clone(),
                column: name.clone(),
            });
        }
        for c in matching {
            dropped[c] = true;
        }
    }
    Ok(dropped)
}

fn is_missing(value: &str) -> bool {
    MISSING_MARKERS.contains(&value)
}

/// The rows with a value in every column of `used`, how many were
/// dropped, and the column missing most often among them; with
/// [`Missing::Error`] the first missing value is an error.
fn complete_rows<'t>(
    table: &'t Table,
    used: &[usize],
    label_col: usize,
    missing: Missing,
) -> Result<CompleteRows<'t>, DataError> {
    let mut rows = Vec::with_capacity(table.rows.len());
    let mut missing_in = vec![0usize; table.header.len()];
    for r in &table.rows {
        let mut complete = true;
        for &c in used.iter().filter(|&&c| is_missing(&r.fields[c])) {
            if missing == Missing::Error {
                return Err(DataError::MissingValue {
                    path: table.path.clone(),
                    line: r.line,
                    column: column_label(c, &table.header[c]),
                    role: if c == label_col { " (the label)" } else { "" },
                    value: r.fields[c].clone(),
                });
            }
            missing_in[c] += 1;
            complete = false;
        }
        if complete {
            rows.push(r);
        }
    }
    let dropped = table.rows.len() - rows.len();
    if rows.is_empty() {
        return Err(DataError::NoCompleteRows {
            path: table.path.clone(),
            rows: dropped,
        });
    }
    let most = (0..table.header.len())
        .filter(|&c| missing_in[c] > 0)
        .max_by_key(|&c| (missing_in[c], std::cmp::Reverse(c)))
        .map(|c| (table.header[c].clone(), missing_in[c]));
    Ok(CompleteRows {
        rows,
        dropped,
        most_missing: most,
    })
}

/// What [`complete_rows`] found.
struct CompleteRows<'t> {
    rows: Vec<&'t Row>,
    dropped: usize,
    most_missing: Option<(String, usize)>,
}

/// Class names from raw labels: numeric order when all are integers.
fn class_names_of(labels: &[&str]) -> Vec<String> {
    let set: BTreeSet<&str> = labels.iter().copied().collect();
    let mut names: Vec<String> = set.into_iter().map(String::from).collect();
    if names.iter().all(|n| n.parse::<i64>().is_ok()) {
        names.sort_by_key(|n| n.parse::<i64>().unwrap());
    }
    names
}

/// Refuses a label that looks continuous: fractional numbers, or more
/// classes than [`MAX_CLASSES`].
fn check_label(table: &Table, label_col: usize, rows: &[&Row], class_names: &[String]) -> Result<(), DataError> {
    let column = table.header[label_col].clone();
    let all_numbers = rows.iter().all(|r| r.fields[label_col].parse::<f64>().is_ok());
    if all_numbers {
        let fractional = rows.iter().find(|r| {
            let v: f64 = r.fields[label_col].parse().expect("checked above");
            v.is_finite() && v.fract() != 0.0
        });
        if let Some(r) = fractional {
            return Err(DataError::FractionalLabel {
                path: table.path.clone(),
                line: r.line,
                column,
                value: r.fields[label_col].clone(),
            });
        }
    }
    if class_names.len() > MAX_CLASSES {
        return Err(DataError::TooManyClasses {
            path: table.path.clone(),
            column,
            count: class_names.len(),
        });
    }
    Ok(())
}

/// Whether a field is a number, refusing numbers that are not finite.
fn parse_number(table: &Table, r: &Row, c: usize) -> Result<Option<f64>, DataError> {
    let s = r.fields[c].as_str();
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Err(DataError::NotFinite {
            path: table.path.clone(),
            line: r.line,
            column: table.header[c].clone(),
            value: s.into(),
        }),
        Err(_) => Ok(None),
    }
}

/// A feature column's encoding: numeric when every value is a number,
/// one-hot when none is; a column mixing both is refused.
fn column_encoding(table: &Table, c: usize, rows: &[&Row]) -> Result<ColumnEncoding, DataError> {
    let mut first_number: Option<&Row> = None;
    let mut first_text: Option<&Row> = None;
    let (mut numbers, mut texts) = (0usize, 0usize);
    for r in rows {
        if parse_number(table, r, c)?.is_some() {
            numbers += 1;
            first_number.get_or_insert(r);
        } else {
            texts += 1;
            first_text.get_or_insert(r);
        }
    }
    let name = table.header[c].clone();
    if let (Some(n), Some(t)) = (first_number, first_text) {
        // Name the minority: a typo in a numeric column, or a number in a
        // text column.
        let (odd, usual, odd_is_text) = if texts <= numbers { (t, n, true) } else { (n, t, false) };
        return Err(DataError::MixedColumn {
            path: table.path.clone(),
            line: odd.line,
            column: name,
            detail: format!(
                "'{}' {}, but the column's other values are {} (line {}: '{}')",
                odd.fields[c],
                if odd_is_text { "is not a number" } else { "is a number" },
                if odd_is_text { "numbers" } else { "text" },
                usual.line,
                usual.fields[c]
            ),
        });
    }
    if texts == 0 {
        return Ok(ColumnEncoding::Numeric { name });
    }
    let categories: BTreeSet<&str> = rows.iter().map(|r| r.fields[c].as_str()).collect();
    if categories.len() > MAX_CATEGORIES {
        return Err(DataError::TooManyCategories {
            path: table.path.clone(),
            column: name,
            count: categories.len(),
        });
    }
    Ok(ColumnEncoding::OneHot {
        name,
        categories: categories.into_iter().map(String::from).collect(),
    })
}

/// Whether a numeric column holds integers that increase row by row, as
/// a row number or record ID does.
fn looks_like_identifier(rows: &[&Row], c: usize) -> bool {
    let values: Vec<f64> = rows.iter().filter_map(|r| r.fields[c].parse().ok()).collect();
    values.len() >= MIN_ROWS_FOR_IDENTIFIER_NOTE
        && values.iter().all(|v| v.fract() == 0.0)
        && values.windows(2).all(|w| w[0] < w[1])
}

/// Appends one row's inputs to `x`; returns false when a text value was
/// not among its column's categories (encoded as all zeros).
fn encode_row(
    table: &Table,
    r: &Row,
    sources: &[(usize, &ColumnEncoding)],
    x: &mut Vec<f64>,
) -> Result<bool, DataError> {
    let mut all_seen = true;
    for &(c, enc) in sources {
        match enc {
            ColumnEncoding::Numeric { .. } => {
                let v = parse_number(table, r, c)?.ok_or_else(|| DataError::NotNumeric {
                    path: table.path.clone(),
                    line: r.line,
                    column: table.header[c].clone(),
                    value: r.fields[c].clone(),
                })?;
                x.push(v);
            }
            ColumnEncoding::OneHot { categories, .. } => {
                let value = r.fields[c].as_str();
                all_seen &= categories.iter().any(|k| k == value);
                x.extend(categories.iter().map(|k| if k == value { 1.0 } else { 0.0 }));
            }
        }
    }
    Ok(all_seen)
}
