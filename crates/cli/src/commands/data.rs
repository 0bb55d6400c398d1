//! The data flags of `train` and `bench`: bundled datasets, CSV files,
//! splits and subsets.

use crate::exit::input;
use anyhow::Result;
use clap::Args;
use mipnet_data::{load_mnist, mnist_dir, Bundled, Dataset};
use std::path::PathBuf;

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
    /// A CSV file with a header row (numeric features, one label column).
    #[arg(long, value_name = "FILE.csv", requires = "label")]
    pub data: Option<PathBuf>,
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
                let label = self.label.as_deref().expect("clap requires --label");
                (
                    path.display().to_string(),
                    Dataset::from_csv(path, label).map_err(input)?,
                )
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
                let (test, labelled) = Dataset::from_csv_like(path, Some(label), &all).map_err(input)?;
                if !labelled {
                    return Err(input(anyhow::anyhow!(
                        "{}: the test data has no label column '{label}'",
                        path.display()
                    )));
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
