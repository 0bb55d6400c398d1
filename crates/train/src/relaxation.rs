//! The MILP's LP relaxation, solved for its value: the root LP bound each
//! bound stage records, and the cut loop's separation point.

use crate::error::TrainError;
use crate::events::TrainObserver;
use crate::report::BoundStage;
use crate::run::Run;
use crate::settings::TrainSettings;
use mipnet_milp::{Model, VarType};
use mipnet_solver::{NoObserver, SolveRequest, Solver, SolverError, Status};
use std::time::Instant;

/// The LP relaxation's value and solution (none when `seconds` is 0 or the
/// LP is not solved to optimality within them).
pub(crate) fn relaxation(
    solver: &dyn Solver,
    model: &Model,
    s: &TrainSettings,
    seconds: f64,
) -> Result<Option<(f64, Vec<f64>)>, SolverError> {
    if seconds <= 0.0 {
        return Ok(None);
    }
    let mut lp = model.clone();
    for j in 0..lp.num_cols() {
        if lp.col_types()[j].is_integral() {
            lp.set_col_type(mipnet_milp::Col::from_index(j), VarType::Continuous);
        }
    }
    let mut opts = s.solver.options(seconds);
    opts.log = false;
    let r = solver.solve(SolveRequest::new(&lp, &opts), &mut NoObserver)?;
    Ok(match (r.status, r.objective, r.solution) {
        (Status::Optimal, Some(v), Some(x)) => Some((v, x)),
        _ => None,
    })
}

/// Records the run's current model as bound stage `stage` (which took
/// `seconds`), solving its root LP in the budget's share for it.
pub(crate) fn record_bound_stage(
    run: &mut Run,
    stage: &str,
    seconds: f64,
    obs: &mut dyn TrainObserver,
) -> Result<(), TrainError> {
    let t = Instant::now();
    let stats = run.f.stats();
    let seconds_for_lp = run.budget.bound_stage_seconds(run.settings.stages.root_lp_seconds);
    let root = relaxation(run.solver, &run.f.model, run.settings, seconds_for_lp)?.map(|(v, _)| v);
    let b = BoundStage {
        stage: stage.to_string(),
        relu_binaries: stats.relu_binaries,
        mean_big_m: stats.mean_big_m,
        root_lp_bound: root,
        seconds: seconds + t.elapsed().as_secs_f64(),
    };
    obs.stage(&format!(
        "bounds ({stage}): {} ReLU binaries, mean big-M {:.3}, root LP bound {}",
        b.relu_binaries,
        b.mean_big_m,
        root.map_or("not solved (--root-lp-seconds)".into(), |v| format!("{v:.6}"))
    ));
    run.findings.bounds.push(b);
    Ok(())
}
