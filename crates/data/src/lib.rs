//! Labelled tabular data for training: the bundled datasets, any user CSV
//! with a header (text columns one-hot encoded, columns dropped, missing
//! values refused or their rows dropped), seeded stratified splits,
//! balanced subsets, and standardization with training statistics only.
//!
//! Every error names its cause: the file, and the line and column where
//! there is one, so the CLI can print it on one line.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use thiserror::Error;

mod bundled;
mod csv_load;
mod encoding;
mod folds;
mod idx;
mod standardize;
mod table;
pub use bundled::Bundled;
pub use csv_load::{
    read_rows_like, CsvNotes, CsvOptions, InputRows, LabelColumn, Missing, MAX_CATEGORIES, MAX_CLASSES,
    MIN_ROWS_FOR_IDENTIFIER_NOTE, MISSING_MARKERS,
};
pub use encoding::{one_hot_name, ColumnEncoding, Encoding};
pub use folds::{StratifiedFolds, MIN_FOLDS};
pub use idx::{idx_dataset, load_mnist, mnist_dir, read_idx};
pub use standardize::{Standardizer, MIN_STD};

/// Why data could not be loaded or used.
#[derive(Debug, Error)]
pub enum DataError {
    #[error("cannot read {path}: {reason}")]
    Io { path: PathBuf, reason: std::io::Error },
    #[error("{path}: the file is empty")]
    Empty { path: PathBuf },
    #[error("{path}: no data rows after the header")]
    NoRows { path: PathBuf },
    #[error("{path}, line {line}: {found} fields, but the header has {expected}")]
    Ragged {
        path: PathBuf,
        line: u64,
        expected: usize,
        found: usize,
    },
    #[error("{path}, line {line}, column '{column}': '{value}' is not a number")]
    NotNumeric {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
    },
    #[error("{path}, line {line}, column '{column}': {value} is not a finite number")]
    NotFinite {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
    },
    #[error("{path}: no label column '{column}' (columns: {available})")]
    UnknownLabelColumn {
        path: PathBuf,
        column: String,
        available: String,
    },
    #[error("{path}: the header names column '{column}' twice")]
    DuplicateColumn { path: PathBuf, column: String },
    #[error("{path}: only one class ('{class}'); training needs at least two")]
    SingleClass { path: PathBuf, class: String },
    #[error("{path}: no feature columns besides the label")]
    NoFeatures { path: PathBuf },
    #[error("{path}: feature '{feature}' of the training data is missing")]
    MissingFeature { path: PathBuf, feature: String },
    #[error("{path}, line {line}: label '{label}' is not a class of the training data ({classes})")]
    UnknownClass {
        path: PathBuf,
        line: u64,
        label: String,
        classes: String,
    },
    #[error("{path}, line {line}: {message}")]
    Malformed { path: PathBuf, line: u64, message: String },
    #[error("{path}: {message}")]
    Idx { path: PathBuf, message: String },
    #[error("{path}, line {line}, {column}: not UTF-8 text (byte 0x{byte:02X} at byte {offset} of the field); save the file as UTF-8")]
    NotUtf8 {
        path: PathBuf,
        line: u64,
        /// `column 'name'` or `column 3 (unnamed)`.
        column: String,
        byte: u8,
        offset: usize,
    },
    #[error("{path}: column {index} has no name in the header (an unnamed index column?); name it, or leave it out with --drop ''")]
    UnnamedColumn { path: PathBuf, index: usize },
    #[error("{path}: --drop '{column}': no such column (columns: {available})")]
    UnknownDropColumn {
        path: PathBuf,
        column: String,
        available: String,
    },
    #[error("{path}: --drop '{column}' names the label column")]
    DropLabel { path: PathBuf, column: String },
    #[error("{path}, line {line}, {column}{role}: missing value ('{value}'{})", if value.parse::<f64>().is_ok_and(f64::is_nan) { ", not a finite number" } else { "" })]
    MissingValue {
        path: PathBuf,
        line: u64,
        /// `column 'name'` or `column 3 (unnamed)`.
        column: String,
        /// ` (the label)` for the label column.
        role: &'static str,
        value: String,
    },
    #[error("{path}: all {rows} rows have a missing value")]
    NoCompleteRows { path: PathBuf, rows: usize },
    #[error("{path}, line {line}, column '{column}': {detail}; a column must be all numbers or all text")]
    MixedColumn {
        path: PathBuf,
        line: u64,
        column: String,
        /// What the odd value is and what the column's usual values are.
        detail: String,
    },
    #[error("{path}: column '{column}' has {count} distinct text values, more than the {max} mipnet one-hot encodes; if it is an identifier or free text, leave it out with --drop '{column}'", max = MAX_CATEGORIES)]
    TooManyCategories {
        path: PathBuf,
        column: String,
        count: usize,
    },
    #[error("{path}: label column '{column}' has {count} distinct values, more than the {max} classes mipnet accepts: is this a continuous target? mipnet classifies", max = MAX_CLASSES)]
    TooManyClasses {
        path: PathBuf,
        column: String,
        count: usize,
    },
    #[error("{path}, line {line}: label '{value}' of column '{column}' is a fractional number: is this a continuous target? mipnet classifies (classes are names or integers)")]
    FractionalLabel {
        path: PathBuf,
        line: u64,
        column: String,
        value: String,
    },
    #[error("{path}: two inputs would be named '{feature}' (a column of that name and a category of a text column); rename one")]
    DuplicateFeature { path: PathBuf, feature: String },
    #[error("{path}: column '{column}' cannot be standardized: {reason}; rescale the column (e.g. other units)")]
    Unstandardizable {
        path: PathBuf,
        column: String,
        reason: String,
    },
    #[error("{0}")]
    Invalid(String),
}

/// The label column's name in [`Dataset::to_csv`] unless a feature has it
/// (the name `predict` and `verify` look for without `--label`).
pub const CSV_LABEL: &str = "label";

/// A labelled dataset: `n` samples of `d` named features, each with one of
/// `K` named classes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dataset {
    /// Where it came from (`iris`, or a file path).
    pub name: String,
    pub feature_names: Vec<String>,
    pub class_names: Vec<String>,
    /// Row-major, `n × d`.
    x: Vec<f64>,
    y: Vec<usize>,
    /// How the table's raw columns became the features, when a text
    /// column was one-hot encoded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encoding: Option<Encoding>,
}

impl Dataset {
    /// A dataset from parts. Panics when shapes disagree (a programming error).
    pub fn new(
        name: impl Into<String>,
        feature_names: Vec<String>,
        class_names: Vec<String>,
        x: Vec<f64>,
        y: Vec<usize>,
    ) -> Self {
        let d = feature_names.len();
        assert_eq!(x.len(), y.len() * d, "x has the wrong size");
        assert!(y.iter().all(|&c| c < class_names.len()), "label out of range");
        Dataset {
            name: name.into(),
            feature_names,
            class_names,
            x,
            y,
            encoding: None,
        }
    }

    /// The same data, recorded as encoded from a table by `encoding`.
    pub fn with_encoding(mut self, encoding: Encoding) -> Self {
        self.encoding = Some(encoding);
        self
    }

    /// How the features were encoded from a table's columns, when a text
    /// column was one-hot encoded.
    pub fn encoding(&self) -> Option<&Encoding> {
        self.encoding.as_ref()
    }

    pub fn len(&self) -> usize {
        self.y.len()
    }
    pub fn is_empty(&self) -> bool {
        self.y.is_empty()
    }
    pub fn num_features(&self) -> usize {
        self.feature_names.len()
    }
    pub fn num_classes(&self) -> usize {
        self.class_names.len()
    }
    /// The name of the label column in [`Dataset::to_csv`]: `label`, or,
    /// when a feature has that name, `label_2`, `label_3`, … (the first no
    /// feature has), so the file reads back without a duplicate column.
    pub fn csv_label_column(&self) -> String {
        std::iter::once(CSV_LABEL.to_string())
            .chain((2..).map(|n| format!("{CSV_LABEL}_{n}")))
            .find(|name| !self.feature_names.contains(name))
            .expect("finitely many feature names")
    }

    /// The dataset as CSV text: a header of the feature names and the
    /// label column ([`Dataset::csv_label_column`]), raw values (shortest
    /// round-trip form, so reading it back gives the same f64s) and class
    /// names. `mipnet train --out` writes the test split this way, ready
    /// for `predict` and `verify`.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let label = self.csv_label_column();
        let header = self
            .feature_names
            .iter()
            .map(String::as_str)
            .chain(std::iter::once(label.as_str()));
        w.write_record(header).expect("writing to memory");
        for i in 0..self.len() {
            let mut rec: Vec<String> = self.row(i).iter().map(|v| v.to_string()).collect();
            rec.push(self.class_names[self.label(i)].clone());
            w.write_record(&rec).expect("writing to memory");
        }
        String::from_utf8(w.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 fields")
    }

    /// Sample `i`'s features.
    pub fn row(&self, i: usize) -> &[f64] {
        let d = self.num_features();
        &self.x[i * d..(i + 1) * d]
    }
    pub fn label(&self, i: usize) -> usize {
        self.y[i]
    }
    pub fn labels(&self) -> &[usize] {
        &self.y
    }
    /// Number of samples of each class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut c = vec![0; self.num_classes()];
        for &l in &self.y {
            c[l] += 1;
        }
        c
    }

    /// The samples at `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> Dataset {
        let mut x = Vec::with_capacity(indices.len() * self.num_features());
        for &i in indices {
            x.extend_from_slice(self.row(i));
        }
        Dataset {
            name: self.name.clone(),
            feature_names: self.feature_names.clone(),
            class_names: self.class_names.clone(),
            x,
            y: indices.iter().map(|&i| self.y[i]).collect(),
            encoding: self.encoding.clone(),
        }
    }

    fn indices_by_class(&self) -> Vec<Vec<usize>> {
        let mut by = vec![Vec::new(); self.num_classes()];
        for (i, &l) in self.y.iter().enumerate() {
            by[l].push(i);
        }
        by
    }

    /// A seeded stratified split into (train, test): `ceil(test_fraction·n)`
    /// test samples, shared among classes in proportion to their sizes
    /// (largest remainders first), so Iris at 0.25 gives 38 test samples
    /// and WDBC 143.
    pub fn split_stratified(&self, test_fraction: f64, seed: u64) -> Result<(Dataset, Dataset), DataError> {
        if !(test_fraction > 0.0 && test_fraction < 1.0) {
            return Err(DataError::Invalid(format!(
                "test fraction must be strictly between 0 and 1, got {test_fraction}"
            )));
        }
        let n = self.len();
        let n_test = ((test_fraction * n as f64) - 1e-9).ceil() as usize;
        let counts = self.class_counts();
        let exact: Vec<f64> = counts.iter().map(|&c| n_test as f64 * c as f64 / n as f64).collect();
        let mut take: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
        let mut order: Vec<usize> = (0..counts.len()).collect();
        order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
        let mut left = n_test - take.iter().sum::<usize>();
        for &k in order.iter().cycle().take(order.len() * 2) {
            if left == 0 {
                break;
            }
            if take[k] < counts[k] {
                take[k] += 1;
                left -= 1;
            }
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (mut train, mut test) = (Vec::new(), Vec::new());
        for (k, mut idx) in self.indices_by_class().into_iter().enumerate() {
            idx.shuffle(&mut rng);
            test.extend_from_slice(&idx[..take[k]]);
            train.extend_from_slice(&idx[take[k]..]);
        }
        train.sort_unstable();
        test.sort_unstable();
        let (train, test) = (self.subset(&train), self.subset(&test));
        for part in [&train, &test] {
            if part.class_counts().iter().filter(|&&c| c > 0).count() < 2 && !part.is_empty() {
                return Err(DataError::Invalid(format!(
                    "{}: too few samples to split into train and test sets with every class",
                    self.name
                )));
            }
        }
        Ok((train, test))
    }

    /// A seeded balanced subset with `per_class` samples of each class.
    pub fn balanced_subset(&self, per_class: usize, seed: u64) -> Result<Dataset, DataError> {
        if per_class == 0 {
            return Err(DataError::Invalid("samples per class must be at least 1".into()));
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut chosen = Vec::new();
        for (k, mut idx) in self.indices_by_class().into_iter().enumerate() {
            if idx.len() < per_class {
                return Err(DataError::Invalid(format!(
                    "class '{}' has {} training samples, fewer than the {per_class} asked for",
                    self.class_names[k],
                    idx.len()
                )));
            }
            idx.shuffle(&mut rng);
            chosen.extend_from_slice(&idx[..per_class]);
        }
        chosen.sort_unstable();
        Ok(self.subset(&chosen))
    }

    /// Checks that the data can train a classifier.
    pub fn check_trainable(&self) -> Result<(), DataError> {
        let present: Vec<usize> = self
            .class_counts()
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(k, _)| k)
            .collect();
        if present.len() < 2 {
            return Err(DataError::SingleClass {
                path: self.name.clone().into(),
                class: present
                    .first()
                    .map(|&k| self.class_names[k].clone())
                    .unwrap_or_default(),
            });
        }
        Standardizer::try_fit(self)?;
        Ok(())
    }

    /// Replaces the features by `standardizer`'s transform of them.
    pub fn standardized(&self, s: &Standardizer) -> Dataset {
        let mut out = self.clone();
        let d = self.num_features();
        for (i, v) in out.x.iter_mut().enumerate() {
            *v = s.apply_one(i % d, *v);
        }
        out
    }
}
