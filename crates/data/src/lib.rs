//! Labelled tabular data for training: the bundled datasets, any user CSV
//! with a header, seeded stratified splits, balanced subsets, and
//! standardization with training statistics only.
//!
//! Every error names its cause: the file, and the line and column where
//! there is one, so the CLI can print it on one line.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use thiserror::Error;

mod bundled;
mod idx;
pub use bundled::Bundled;
pub use idx::{idx_dataset, load_mnist, mnist_dir, read_idx};

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
    #[error("{0}")]
    Invalid(String),
}

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
        }
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
    /// Sample `i`'s features.
    /// The dataset as CSV text: a header of the feature names and `label`,
    /// raw values (shortest round-trip form, so reading it back gives the
    /// same f64s) and class names. `mipnet train --out` writes the test
    /// split this way, ready for `predict` and `verify`.
    pub fn to_csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let header = self
            .feature_names
            .iter()
            .map(String::as_str)
            .chain(std::iter::once("label"));
        w.write_record(header).expect("writing to memory");
        for i in 0..self.len() {
            let mut rec: Vec<String> = self.row(i).iter().map(|v| v.to_string()).collect();
            rec.push(self.class_names[self.label(i)].clone());
            w.write_record(&rec).expect("writing to memory");
        }
        String::from_utf8(w.into_inner().expect("flushing to memory")).expect("CSV of UTF-8 fields")
    }

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

    /// Reads a CSV file with a header: the `label` column holds the classes
    /// (integers or strings; class names sorted, numerically when all are
    /// integers), every other column is a numeric feature.
    pub fn from_csv(path: &Path, label: &str) -> Result<Dataset, DataError> {
        let table = Table::read(path)?;
        let label_col = table.find_label(label)?;
        let features: Vec<usize> = (0..table.header.len()).filter(|&c| c != label_col).collect();
        if features.is_empty() {
            return Err(DataError::NoFeatures { path: path.into() });
        }
        let raw_labels: Vec<&str> = table.rows.iter().map(|(_, r)| r[label_col].as_str()).collect();
        let class_names = class_names_of(&raw_labels);
        let y: Vec<usize> = raw_labels
            .iter()
            .map(|l| class_names.iter().position(|c| c == l.trim()).expect("label collected"))
            .collect();
        let x = table.numeric(&features)?;
        let ds = Dataset::new(
            path.display().to_string(),
            features.iter().map(|&c| table.header[c].clone()).collect(),
            class_names,
            x,
            y,
        );
        ds.check_trainable()?;
        Ok(ds)
    }

    /// Reads a CSV with the same features as `like` (in any column order;
    /// extra columns are ignored) and, when `label` is given, labels among
    /// `like`'s classes. Without a label column every label is 0 and
    /// `has_labels` in the result is false.
    pub fn from_csv_like(path: &Path, label: Option<&str>, like: &Dataset) -> Result<(Dataset, bool), DataError> {
        let table = Table::read(path)?;
        let features = like
            .feature_names
            .iter()
            .map(|f| {
                table
                    .header
                    .iter()
                    .position(|h| h == f)
                    .ok_or_else(|| DataError::MissingFeature {
                        path: path.into(),
                        feature: f.clone(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let x = table.numeric(&features)?;
        let label_col = match label {
            Some(l) if table.header.iter().any(|h| h == l) => Some(table.find_label(l)?),
            _ => None,
        };
        let y = match label_col {
            None => vec![0; table.rows.len()],
            Some(c) => table
                .rows
                .iter()
                .map(|(line, r)| {
                    let l = r[c].trim();
                    like.class_names
                        .iter()
                        .position(|k| k == l)
                        .ok_or_else(|| DataError::UnknownClass {
                            path: path.into(),
                            line: *line,
                            label: l.to_string(),
                            classes: like.class_names.join(", "),
                        })
                })
                .collect::<Result<Vec<_>, _>>()?,
        };
        let ds = Dataset::new(
            path.display().to_string(),
            like.feature_names.clone(),
            like.class_names.clone(),
            x,
            y,
        );
        Ok((ds, label_col.is_some()))
    }
}

/// Class names from raw labels: numeric order when all are integers.
fn class_names_of(labels: &[&str]) -> Vec<String> {
    let set: BTreeSet<&str> = labels.iter().map(|l| l.trim()).collect();
    let mut names: Vec<String> = set.into_iter().map(String::from).collect();
    if names.iter().all(|n| n.parse::<i64>().is_ok()) {
        names.sort_by_key(|n| n.parse::<i64>().unwrap());
    }
    names
}

/// A CSV file's header and rows (with their line numbers).
struct Table {
    path: PathBuf,
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    fn read(path: &Path) -> Result<Table, DataError> {
        let io = |reason| DataError::Io {
            path: path.into(),
            reason,
        };
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(io)?;
        if text.trim().is_empty() {
            return Err(DataError::Empty { path: path.into() });
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| DataError::Malformed {
                path: path.into(),
                line: 1,
                message: e.to_string(),
            })?
            .iter()
            .map(String::from)
            .collect();
        for (i, h) in header.iter().enumerate() {
            if header[..i].contains(h) {
                return Err(DataError::DuplicateColumn {
                    path: path.into(),
                    column: h.clone(),
                });
            }
        }
        let mut rows = Vec::new();
        for rec in reader.records() {
            let rec = rec.map_err(|e| DataError::Malformed {
                path: path.into(),
                line: e.position().map_or(0, |p| p.line()),
                message: e.to_string(),
            })?;
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
            rows.push((line, rec.iter().map(String::from).collect()));
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

    fn find_label(&self, label: &str) -> Result<usize, DataError> {
        self.header
            .iter()
            .position(|h| h == label)
            .ok_or_else(|| DataError::UnknownLabelColumn {
                path: self.path.clone(),
                column: label.into(),
                available: self.header.join(", "),
            })
    }

    /// The given columns as numbers, row-major.
    fn numeric(&self, cols: &[usize]) -> Result<Vec<f64>, DataError> {
        let mut x = Vec::with_capacity(self.rows.len() * cols.len());
        for (line, r) in &self.rows {
            for &c in cols {
                let s = r[c].as_str();
                let v: f64 = s.parse().map_err(|_| DataError::NotNumeric {
                    path: self.path.clone(),
                    line: *line,
                    column: self.header[c].clone(),
                    value: s.into(),
                })?;
                if !v.is_finite() {
                    return Err(DataError::NotFinite {
                        path: self.path.clone(),
                        line: *line,
                        column: self.header[c].clone(),
                        value: s.into(),
                    });
                }
                x.push(v);
            }
        }
        Ok(x)
    }
}

/// Per-feature mean and standard deviation of the training data; features
/// become `(x − mean) / std`. A constant feature keeps std 1.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl Standardizer {
    /// Statistics of `train` (population standard deviation).
    pub fn fit(train: &Dataset) -> Self {
        let (n, d) = (train.len() as f64, train.num_features());
        let mut mean = vec![0.0; d];
        for i in 0..train.len() {
            for (m, v) in mean.iter_mut().zip(train.row(i)) {
                *m += v / n;
            }
        }
        let mut var = vec![0.0; d];
        for i in 0..train.len() {
            for ((s, v), m) in var.iter_mut().zip(train.row(i)).zip(&mean) {
                *s += (v - m) * (v - m) / n;
            }
        }
        let std = var
            .into_iter()
            .map(|v| if v.sqrt() > 1e-12 { v.sqrt() } else { 1.0 })
            .collect();
        Standardizer { mean, std }
    }

    /// One mean and one standard deviation over every feature of `train`,
    /// the same for all: for images, where a convolution slides one kernel
    /// over all pixels and per-pixel scaling would make it read each
    /// position in different units.
    pub fn fit_global(train: &Dataset) -> Self {
        let d = train.num_features();
        let count = (train.len() * d) as f64;
        let values = || (0..train.len()).flat_map(|i| train.row(i).iter().copied());
        let mean = values().sum::<f64>() / count.max(1.0);
        let var = values().map(|v| (v - mean) * (v - mean)).sum::<f64>() / count.max(1.0);
        let std = if var.sqrt() > 1e-12 { var.sqrt() } else { 1.0 };
        Standardizer {
            mean: vec![mean; d],
            std: vec![std; d],
        }
    }

    /// The identity transform for `d` features.
    pub fn identity(d: usize) -> Self {
        Standardizer {
            mean: vec![0.0; d],
            std: vec![1.0; d],
        }
    }

    pub fn apply_one(&self, feature: usize, v: f64) -> f64 {
        (v - self.mean[feature]) / self.std[feature]
    }

    pub fn apply(&self, row: &[f64]) -> Vec<f64> {
        row.iter().enumerate().map(|(j, &v)| self.apply_one(j, v)).collect()
    }
}
