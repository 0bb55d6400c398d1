//! A run with rules beside the same run without them: what the rules cost
//! in accuracy. The rules run gets (1 − share) of the time limit, the run
//! without rules the rest; both on the same split, with the same
//! settings otherwise (class weights kept; a fairness rule's group column
//! is an input of the run without rules, which has no rules to drop it).

use crate::error::TrainError;
use crate::events::TrainObserver;
use crate::job::Job;
use crate::outcome::TrainOutcome;
use crate::settings::TrainSettingError;
use mipnet_solver::InterruptFlag;
use mipnet_verify::VerifySolver;
use serde::Serialize;
use std::sync::Arc;

/// Default share of the time limit for the run without rules: enough for
/// its warm starts and search to reach a network of the usual quality
/// (its objective is recorded, so a short run shows as a worse one).
pub const DEFAULT_UNCONSTRAINED_SHARE: f64 = 0.3;

/// The run without rules, beside the run with them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Unconstrained {
    /// Its share of the run's time limit.
    pub share: f64,
    pub train_accuracy: f64,
    pub test_accuracy: Option<f64>,
    pub weight_sparsity: f64,
    /// Input features read (a nonzero layer-1 weight), counted.
    pub features_read: usize,
    /// Its MILP objective (the rules run's without its rules' rows).
    pub objective: f64,
    /// The full MIP's status.
    pub status: String,
    pub seconds: f64,
}

fn features_read(net: &mipnet_network::Network) -> usize {
    let first = &net.layers[0];
    (0..first.inputs())
        .filter(|&i| first.weights.iter().any(|r| r[i] != 0.0))
        .count()
}

/// Trains `job` with its rules (region rules with `verifier`, see
/// [`crate::train_verified`]) in (1 − `share`) of its time limit, then
/// without them in `share` of it, and records the second beside the first
/// (`report.unconstrained`; when the second fails, why, in
/// `report.unconstrained_failure`, and the rules run is still returned). Refuses a share outside (0, 1) and a job
/// without rules (nothing to compare).
pub fn train_compared(
    job: &Job,
    share: f64,
    verifier: Option<Arc<dyn VerifySolver>>,
    obs: &mut dyn TrainObserver,
    interrupt: Option<&InterruptFlag>,
) -> Result<TrainOutcome, TrainError> {
    let refuse = |why: String| TrainError::Settings(TrainSettingError::Other(why));
    if !(share > 0.0 && share < 1.0) {
        return Err(refuse(format!(
            "compare_unconstrained: the share of the time limit must be within (0, 1), got {share}"
        )));
    }
    if job.settings.formulation.rules.is_empty() {
        return Err(refuse(
            "compare_unconstrained: the run has no rules to compare with".into(),
        ));
    }
    let limit = job.settings.solver.time_limit;
    let mut ruled = job.settings.clone().into_inner();
    ruled.solver.time_limit = limit * (1.0 - share);
    let ruled = ruled.check(job.solver).map_err(TrainError::Settings)?;
    let mut free = job.settings.clone().into_inner();
    free.formulation.rules.clear();
    free.solver.time_limit = limit * share;
    let free = free.check(job.solver).map_err(TrainError::Settings)?;
    let with = |settings| Job {
        dataset: job.dataset.clone(),
        train: job.train,
        test: job.test,
        settings,
        solver: job.solver,
    };
    let mut out = crate::train_with(&with(&ruled), verifier.clone(), obs, interrupt)?;
    if interrupt.is_some_and(|f| f.is_raised()) {
        return Ok(out);
    }
    obs.stage(&format!(
        "training without the rules for comparison ({:.0} s)",
        limit * share
    ));
    // The rules run is the result: a run without rules that fails (no
    // network in its share) is recorded beside it, never returned instead.
    let plain = match crate::train_with(&with(&free), verifier, obs, interrupt) {
        Ok(plain) => plain,
        Err(e) => {
            let why = format!("the run without rules failed: {e}");
            obs.stage(&why);
            out.report.unconstrained_failure = Some(why);
            return Ok(out);
        }
    };
    let r = &plain.report;
    out.report.unconstrained = Some(Unconstrained {
        share,
        train_accuracy: r.train_accuracy,
        test_accuracy: r.test_accuracy,
        weight_sparsity: r.weight_sparsity,
        features_read: features_read(&plain.network),
        objective: r.objective,
        status: r.status.clone(),
        seconds: r.total_seconds,
    });
    Ok(out)
}
