//! Named benchmark suites of `mipnet train`: fixed datasets, splits, seeds
//! and budgets, so a table in the docs can be reproduced by one command.
//! HiGHS's results vary with its seed, so every run is repeated over seeds
//! and the table shows medians. The harness is its own crate: the trainer
//! knows nothing of suites, MNIST files or markdown tables.
//!
//! - [`suites`]: the suites and their cases, and their data (the bundled
//!   datasets and MNIST, through `mipnet-data`, as the CLI reads them);
//! - [`ablations`]: each ablation an edit of the run's stage list;
//! - [`run`]: a suite's runs ([`run_suite`]) and their medians;
//! - [`table`]: the markdown table.

pub mod ablations;
pub mod run;
pub mod suites;
pub mod table;

pub use ablations::{Ablation, ABLATIONS};
pub use run::{median, run_suite, AblationResult, BenchResult, CaseSummary};
pub use suites::{BenchCase, Suite, SUITES};
pub use table::markdown;

use mipnet_train::TrainError;
use thiserror::Error;

/// Why a bench could not run or finish.
#[derive(Debug, Error)]
pub enum BenchError {
    /// A run of the pipeline failed.
    #[error(transparent)]
    Train(#[from] TrainError),
    /// A case's data could not be read (MNIST files missing, say).
    #[error("data: {0}")]
    Data(String),
}
