//! The full MIP, started from the incumbent: for a better network and the
//! solver's dual bound. A better incumbent is polished (or, without the
//! polish, made exact) and certified like every other network. It runs
//! after the search, or beside it ([`crate::alongside`]).

use crate::error::TrainError;
use crate::events::{RunStage, Step, TrainObserver};
use crate::report::{best_bound, LowerBoundReport, MIP_METHOD};
use crate::run::Run;
use crate::stage::{BesideStage, DetachedSolve, Partner, Stage, StageName};
use crate::stages::lower_bounds::give_to_mip;
use mipnet_solver::{MipStart, SolveRequest, SolveResult};

/// The full MIP (its settings are the solver's).
pub(crate) struct FullMip;

impl Stage for FullMip {
    fn name(&self) -> StageName {
        StageName::FullMip
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        // The search used its share of the budget; the MIP gets the rest.
        let seconds = run.budget.mip_seconds();
        let threads = run.settings.solver.threads;
        let Some(solve) = self.start(run, obs, RunStage::FullMip, seconds, threads) else {
            return Ok(());
        };
        let mut req = SolveRequest::new(&run.f.model, &solve.options);
        if let Some(start) = &solve.start {
            req = req.start(start);
        }
        if let Some(flag) = run.interrupt {
            req = req.interrupt(flag);
        }
        let r = run.solver.solve(req, obs.solver())?;
        self.finish(run, r, obs)
    }
}

impl BesideStage for FullMip {
    fn prepare(
        &self,
        run: &mut Run,
        obs: &mut dyn TrainObserver,
        seconds: f64,
        threads: usize,
    ) -> Option<DetachedSolve> {
        self.start(run, obs, RunStage::FullMipAlongsideSearch, seconds, Some(threads))
    }

    fn finish(&self, run: &mut Run, r: SolveResult, obs: &mut dyn TrainObserver) -> Result<(), TrainError> {
        let mip = &mut run.findings.mip;
        mip.seconds = r.seconds;
        mip.status = r.status.as_str().to_string();
        mip.dual_bound = r.dual_bound;
        mip.user_solutions = r.user_solutions;
        if let Some(b) = mip_bound_for_trace(&run.findings.lower_bounds, r.dual_bound) {
            run.findings.trace.bound(run.budget.elapsed(), MIP_METHOD, b);
        }
        let Some(x) = r.solution else { return Ok(()) };
        let improved = match (&run.best, r.objective) {
            (None, _) => true,
            (Some(b), Some(o)) => b.beaten_by(o),
            (Some(_), None) => false,
        };
        if !improved {
            return Ok(());
        }
        run.started(obs, RunStage::Finishing);
        if run.settings.stages.polish {
            run.polish_and_consider(&x, Step::Mip, None, run.budget.end())?;
            return Ok(());
        }
        let net = run.with_standardizer(run.f.network_from(&x, &run.standardizer, &run.tol));
        run.record(Step::Mip, None, &net, r.seconds);
        run.findings.failed_certificate = None;
        // A heuristic incumbent may leave slack in its loss variables; see
        // DenseFormulation::exact_point.
        let x = run.f.exact_point(&x, &net, &run.tol);
        if !run.consider(x, net, Step::Mip) {
            if let Some(c) = &run.findings.failed_certificate {
                obs.stage(&format!(
                    "the MIP's incumbent failed its certificate ({}) and is not kept; \
                     the polish (on by default) makes incumbents exact",
                    c.failure.as_deref().unwrap_or("no reason given")
                ));
            }
        }
        Ok(())
    }
}

impl FullMip {
    /// Says the MIP starts (or why not, when the budget is spent: the
    /// solver would load and presolve the model past the limit and prove
    /// nothing in its floor of time) and gives its options and start.
    fn start(
        &self,
        run: &mut Run,
        obs: &mut dyn TrainObserver,
        stage: RunStage,
        seconds: f64,
        threads: Option<usize>,
    ) -> Option<DetachedSolve> {
        if !run.budget.mip_has_time() {
            obs.stage("full MIP skipped: the time limit is spent, so there is no dual bound (give more --time-limit)");
            return None;
        }
        run.started(obs, stage);
        // Added here, after the cut loop and the root LP, so their LP bounds
        // are the MILP's own; beside the search, before the model is copied.
        if run.settings.stages.bound_rows {
            if let Some(note) = give_to_mip(run) {
                obs.stage(&note);
            }
        }
        obs.stage(&match &run.best {
            Some(b) => format!(
                "full MIP {} from objective {:.6} (found by {})",
                run.findings.mip.schedule.name(),
                b.objective(),
                b.found_by
            ),
            None => "full MIP".to_string(),
        });
        // No start at all only when every warm start broke a rule and was
        // dropped: a start is never one that breaks a rule.
        let start_x = match (&run.best, &run.findings.best_start) {
            (Some(b), _) => Some(b.x.clone()),
            (None, Some((_, x))) => Some(x.clone()),
            (None, None) => None,
        };
        let mut options = run.settings.solver.options(seconds);
        options.threads = threads;
        Some(DetachedSolve {
            options,
            start: start_x.map(MipStart::Full),
        })
    }
}

/// The MIP's dual bound as a point of the trace: only when the report names
/// the MIP as the proof ([`best_bound`]'s margin over the methods' floor),
/// so the trace's last bound is always the report's `dual_bound`.
fn mip_bound_for_trace(methods: &[LowerBoundReport], mip: Option<f64>) -> Option<f64> {
    best_bound(methods, mip).and_then(|(b, method)| (method == MIP_METHOD).then_some(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::MIP_OWN_BOUND_MARGIN;

    fn method(bound: f64) -> LowerBoundReport {
        LowerBoundReport {
            method: "lipschitz-margin".into(),
            bound: Some(bound),
            seconds: 0.0,
            rounds: Some(1),
            note: String::new(),
            given_to_mip: None,
            active_pairs: Vec::new(),
        }
    }

    #[test]
    fn a_mip_bound_at_the_floor_is_no_point_of_the_trace() {
        let methods = [method(2.0)];
        let at_floor = 2.0 * (1.0 + MIP_OWN_BOUND_MARGIN / 2.0);
        assert_eq!(mip_bound_for_trace(&methods, Some(at_floor)), None);
        assert_eq!(mip_bound_for_trace(&methods, Some(1.5)), None);
        assert_eq!(mip_bound_for_trace(&methods, Some(2.5)), Some(2.5));
        assert_eq!(mip_bound_for_trace(&[], Some(0.5)), Some(0.5));
        assert_eq!(mip_bound_for_trace(&methods, None), None);
    }
}
