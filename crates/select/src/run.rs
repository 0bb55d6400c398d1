//! The one call into the training pipeline: every cross-validation run and
//! the refit go through [`train_run`], so a change of
//! `mipnet_train::train`'s signature or of its `Job` is a change here only.

use mipnet_data::Dataset;
use mipnet_solver::InterruptFlag;
use mipnet_train::{Job, TrainError, TrainObserver, TrainOutcome, TrainSettings, TrainSolver};

/// One exact training run on `train` with `settings` (checked here, as
/// each run's time limit and threads are its own) on `solver`; `test` is
/// only scored.
pub fn train_run<S: TrainSolver>(
    solver: &S,
    dataset: String,
    train: &Dataset,
    test: Option<&Dataset>,
    settings: &TrainSettings,
    observer: &mut dyn TrainObserver,
    interrupt: &InterruptFlag,
) -> Result<TrainOutcome, TrainError> {
    let settings = settings.clone().check(solver)?;
    let job = Job {
        dataset,
        train,
        test,
        settings: &settings,
        solver,
    };
    mipnet_train::train(&job, observer, Some(interrupt))
}
