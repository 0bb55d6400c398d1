//! The data flags of `train` and `bench`: bundled datasets, CSV files,
//! splits and subsets.

use crate::exit::input;
use anyhow::Result;
use clap::{Args, ValueEnum};
use mipnet_data::{load_mnist, mnist_dir, Bundled, CsvNotes, CsvOptions, DataError, Dataset, LabelColumn, Missing};
use std::path::{Path, PathBuf};

/// `--missing`: what to do with a row of --data or --test-data that has a
/// missing feature or label.
#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingArg {
    /// Refuse the file, naming the line and column of the first one.
    #[default]
    Error,
    /// Leave such rows out, and say how many on stderr.
    Drop,
}

impl From<MissingArg> for Missing {
    fn from(m: MissingArg) -> Missing {
        match m {
            MissingArg::Error => Missing::Error,
            MissingArg::Drop => Missing::Drop,
        }
    }
}

/// Where the training data comes from, shared by `train` and `bench`.
#[derive(Args, Debug, Clone)]
pub struct DataArgs {
    /// A bundled dataset: iris, wine, wdbc, digits, or mnist (read from
    /// data/mnist or $MIPNET_DATA_DIR/mnist, original 60k/10k split; use
    /// it with --train-per-class).
    #[arg(long, value_name = "NAME", conflicts_with = "data")]
    pub dataset: Option<String>,
    /// MNIST only: average the images over P×P blocks (2: 14×14 = 196
    /// inputs instead of 784).
    #[arg(long, value_name = "P", default_value_t = 1)]
    pub image_pool: usize,
    /// A CSV file with a header row: one label column, every other column
    /// a feature (numeric, or text: one-hot encoded, one 0/1 input per
    /// category, named like `island=Biscoe`). Needs --label.
    #[arg(long, value_name = "FILE.csv")]
    pub data: Option<PathBuf>,
    /// Leave this column of --data out (an ID, free text, a leak of the
    /// label); repeatable. `--drop ''` leaves out unnamed columns.
    #[arg(long = "drop", value_name = "COLUMN")]
    pub drop: Vec<String>,
    /// A row of --data or --test-data with a missing feature or label
    /// (empty, NA, N/A, NaN, nan or ?): `error` refuses the file naming
    /// its line and column, `drop` leaves such rows out and says how many.
    #[arg(long, value_name = "POLICY", value_enum, default_value_t = MissingArg::Error)]
    pub missing: MissingArg,
    /// The label column of --data (and --test-data).
    #[arg(long, value_name = "COLUMN")]
    pub label: Option<String>,
    /// A separate test set (same columns); otherwise a stratified split.
    #[arg(long, value_name = "FILE.csv")]
    pub test_data: Option<PathBuf>,
    /// Fraction of the data held out for testing.
    #[arg(long, value_name = "F", default_value_t = 0.25)]
    pub test_fraction: f64,
    /// Seed of the train/test split and of --train-per-class.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub split_seed: u64,
    /// Train on a balanced subset of N samples per class.
    #[arg(long, value_name = "N")]
    pub train_per_class: Option<usize>,
}

impl DataArgs {
    /// (name, train, test) as the user asked.
    pub fn load(&self) -> Result<(String, Dataset, Option<Dataset>)> {
        let is_mnist = self.dataset.as_deref().is_some_and(|d| d.eq_ignore_ascii_case("mnist"));
        if self.image_pool != 1 && !is_mnist {
            return Err(input(anyhow::anyhow!("--image-pool applies to --dataset mnist only")));
        }
        // clap ties these flags to --data; a config file can set them too.
        if self.data.is_none() && (!self.drop.is_empty() || self.missing == MissingArg::Drop) {
            return Err(input(anyhow::anyhow!(
                "--drop and --missing drop apply to a CSV file (--data), not to a bundled dataset"
            )));
        }
        if is_mnist {
            if self.test_data.is_some() {
                return Err(input(anyhow::anyhow!(
                    "--dataset mnist has its own test set (the original 10,000 images); drop --test-data"
                )));
            }
            let (mut train, test) = load_mnist(&mnist_dir(), self.image_pool).map_err(input)?;
            if let Some(n) = self.train_per_class {
                train = train.balanced_subset(n, self.split_seed).map_err(input)?;
            }
            let name = if self.image_pool > 1 {
                format!("mnist (pooled {0}×{0})", self.image_pool)
            } else {
                "mnist".to_string()
            };
            return Ok((name, train, Some(test)));
        }
        let (name, all) = match (&self.dataset, &self.data) {
            (Some(name), None) => {
                let b = Bundled::from_name(name).map_err(input)?;
                (b.name().to_string(), b.load())
            }
            (None, Some(path)) => {
                let Some(label) = self.label.clone() else {
                    return Err(input(anyhow::anyhow!(
                        "--data {} needs --label COLUMN (the column holding the classes)",
                        path.display()
                    )));
                };
                let opts = CsvOptions {
                    label,
                    drop: self.drop.clone(),
                    missing: self.missing.into(),
                };
                let (all, notes) = Dataset::from_csv_with(path, &opts).map_err(missing_hint)?;
                say_dropped(path, &notes, all.len());
                for column in &notes.likely_identifiers {
                    eprintln!(
                        "note: {}: column '{column}' holds integers increasing row by row, like a row number; \
                         if it identifies rows, --drop '{column}'",
                        path.display()
                    );
                }
                (path.display().to_string(), all)
            }
            _ => {
                return Err(input(anyhow::anyhow!(
                    "give --dataset NAME or --data FILE.csv --label COLUMN"
                )))
            }
        };
        let (mut train, test) = match &self.test_data {
            Some(path) => {
                let Some(label) = self.label.as_deref() else {
                    return Err(input(anyhow::anyhow!(
                        "--test-data {} needs --label COLUMN (the column holding its classes)",
                        path.display()
                    )));
                };
                let (test, _, notes) =
                    Dataset::from_csv_like_with(path, LabelColumn::Required(label), &all, self.missing.into())
                        .map_err(missing_hint)?;
                say_dropped(path, &notes, test.len());
                if notes.rows_with_unseen_category > 0 {
                    eprintln!(
                        "note: {}: {} rows have a text value not seen in the training data (its one-hot inputs are all 0)",
                        path.display(),
                        notes.rows_with_unseen_category
                    );
                }
                (all, Some(test))
            }
            None => {
                let (train, test) = all
                    .split_stratified(self.test_fraction, self.split_seed)
                    .map_err(input)?;
                (train, Some(test))
            }
        };
        if let Some(n) = self.train_per_class {
            train = train.balanced_subset(n, self.split_seed).map_err(input)?;
        }
        train.check_trainable().map_err(input)?;
        Ok((name, train, test))
    }
}

/// A data error for the user, pointing a missing value to `--missing drop`.
fn missing_hint(e: DataError) -> anyhow::Error {
    match e {
        DataError::MissingValue { .. } => input(anyhow::anyhow!(
            "{e}; --missing drop leaves out rows with a missing feature or label"
        )),
        e => input(e),
    }
}

/// Says on stderr how many rows `--missing drop` left out of `path`, and
/// which column was missing most often.
fn say_dropped(path: &Path, notes: &CsvNotes, kept: usize) {
    if notes.rows_dropped > 0 {
        let most = notes
            .most_missing
            .as_ref()
            .map(|(column, n)| format!("; most often '{column}', missing in {n}"))
            .unwrap_or_default();
        eprintln!(
            "{}: dropped {} of {} rows with a missing feature or label (--missing drop){most}",
            path.display(),
            notes.rows_dropped,
            notes.rows_dropped + kept
        );
    }
}
