//! The one call into the training pipeline: every cross-validation run and
//! the refit go through [`train_run`], so a change of
//! `mipnet_train::train`'s signature is a change here only.

use mipnet_solver::InterruptFlag;
use mipnet_train::{Job, TrainError, TrainObserver, TrainOutcome};

/// One exact training run of `job`.
pub fn train_run(
    job: &Job,
    observer: &mut dyn TrainObserver,
    interrupt: &InterruptFlag,
) -> Result<TrainOutcome, TrainError> {
    mipnet_train::train(job, observer, Some(interrupt))
}
