//! Named benchmark suites of `mipnet train`: fixed datasets, splits, seeds
//! and budgets, so a table in the docs can be reproduced by one command.
//! HiGHS's results vary with its seed and a dataset's test accuracy with
//! its split, so every run is repeated over seeds and split seeds and the
//! tables show medians (over seeds per split, then over splits with their
//! range). A suite can select the model in every run (mipnet-select's
//! plan instead of one `train` run), and trains the pruning baselines
//! beside each dense run. The harness is its own crate: the trainer knows
//! nothing of suites, MNIST files or markdown tables.
//!
//! - [`suites`]: the suites and their cases, and their data (the bundled
//!   datasets and MNIST, through `mipnet-data`, as the CLI reads them);
//! - [`splits`]: the split seeds of `--split-seeds`;
//! - [`selection`]: model selection as a suite option;
//! - [`instance`]: one run (train or selection, then baselines) and its row;
//! - [`ablations`]: each ablation an edit of the run's stage list;
//! - [`run`]: a suite's runs ([`run_suite`]);
//! - [`quantities`]: the quantities summarized, each read from a run's row;
//! - [`summary`]: the medians per split and over splits;
//! - [`table`]: the markdown tables.

pub mod ablations;
#[cfg(test)]
mod format_tests;
pub mod instance;
#[cfg(test)]
mod planted;
pub mod quantities;
pub mod run;
pub mod selection;
pub mod splits;
pub mod suites;
pub mod summary;
pub mod table;

pub use ablations::{Ablation, ABLATIONS};
pub use instance::RunRow;
pub use quantities::{PerQuantity, Quantity};
pub use run::{check_suite, run_suite, AblationResult, BenchObservers, BenchResult, BENCH_FORMAT_VERSION};
pub use selection::SuiteSelection;
pub use splits::{parse_split_seeds, MAX_SPLIT_SEEDS};
pub use suites::{BenchCase, Suite, SUITES};
pub use summary::{median, CaseSummary, SplitsSummary, Spread};
pub use table::markdown;

use mipnet_select::SelectError;
use mipnet_train::TrainError;
use thiserror::Error;

/// Why a bench could not run or finish.
#[derive(Debug, Error)]
pub enum BenchError {
    /// A run of the pipeline failed.
    #[error(transparent)]
    Train(#[from] TrainError),
    /// A run's model selection failed or cannot run (a bad grid, folds,
    /// time plan, or a failed training run inside it).
    #[error(transparent)]
    Select(SelectError),
    /// A case's data could not be read (MNIST files missing, say).
    #[error("data: {0}")]
    Data(String),
}
