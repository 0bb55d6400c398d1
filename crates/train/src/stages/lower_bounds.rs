//! Proven lower bounds from `mipnet-bounds`, run before the full MIP:
//! relaxations that keep the weights shared by all samples, so they prove
//! far more than the big-M relaxation of the MILP does (docs/training.md,
//! "Proven lower bounds"). Each method's certified bound, or why it gave
//! none, goes into the report; the report's `dual_bound` is the best of
//! them and of the MIP's own bound. Choosing pairs and building the LP
//! cannot be interrupted, so the stage runs only while the MIP would still
//! have time too.

use crate::error::TrainError;
use crate::events::{RunStage, TrainObserver};
use crate::report::LowerBoundReport;
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};
use mipnet_bounds::{BoundError, LipschitzMargin, LipschitzMarginSettings, PathNorm, PathNormSettings, ProvenBound};
use mipnet_solver::SolveOptions;
use std::time::Instant;

/// Least time a method is started with: below it neither finishes.
pub const MIN_METHOD_SECONDS: f64 = 0.2;

/// The lower bounds' settings.
pub(crate) struct LowerBounds {
    /// Sample pairs of the Lipschitz-margin LP.
    pub max_pairs: usize,
}

impl Stage for LowerBounds {
    fn name(&self) -> StageName {
        StageName::LowerBounds
    }

    fn run(&self, run: &mut Run, obs: &mut dyn TrainObserver, _: Option<&mut dyn Partner>) -> Result<(), TrainError> {
        if !run.budget.mip_has_time() {
            obs.stage("lower bounds skipped: the time limit is spent (give more --time-limit)");
            return Ok(());
        }
        run.started(obs, RunStage::Bounds);
        let seconds = run.budget.lower_bound_seconds();
        let reports = self.prove(run, &run.settings.solver.options(seconds), seconds);
        for r in &reports {
            obs.stage(&match r.bound {
                Some(b) => format!("lower bound ({}): {b:.6} in {:.1} s ({})", r.method, r.seconds, r.note),
                None => format!("lower bound ({}): none ({})", r.method, r.note),
            });
        }
        for r in &reports {
            if let Some(b) = r.bound {
                run.findings.trace.bound(run.budget.elapsed(), &r.method, b);
            }
        }
        run.findings.lower_bounds = reports;
        Ok(())
    }
}

impl LowerBounds {
    /// Runs every method on the run's training problem (standardized, as
    /// the formulation sees it), one after the other within `seconds` in
    /// all: the Lipschitz-margin LP first (fast), then the path-norm column
    /// generation with the time left.
    fn prove(&self, run: &Run, options: &SolveOptions, seconds: f64) -> Vec<LowerBoundReport> {
        let (data, formulation, solver) = (run.f.data(), &run.settings.formulation, run.solver);
        let started = Instant::now();
        let left = || (seconds - started.elapsed().as_secs_f64()).max(0.0);
        let with_limit = |t: f64| SolveOptions {
            time_limit: Some(t.max(MIN_METHOD_SECONDS)),
            ..options.clone()
        };
        let lipschitz = LipschitzMargin::new(data, formulation).and_then(|m| {
            m.solve(
                solver,
                &with_limit(left()),
                &LipschitzMarginSettings {
                    max_pairs: self.max_pairs,
                },
            )
        });
        let mut reports = vec![report(
            mipnet_bounds::lipschitz_margin::METHOD,
            started,
            lipschitz,
            |b| format!("{} sample pairs, {} rows", b.pairs, b.rows),
        )];
        let path_started = Instant::now();
        let path = if run.stopped() {
            Err(BoundError::NoBound("interrupted".into()))
        } else if left() < MIN_METHOD_SECONDS {
            Err(BoundError::NoBound("no time left after the Lipschitz-margin LP".into()))
        } else {
            let t = left();
            PathNorm::new(data, formulation).and_then(|m| {
                m.with_interrupt(run.interrupt.cloned()).solve(
                    solver,
                    &with_limit(t),
                    &PathNormSettings {
                        seconds: t,
                        ..PathNormSettings::default()
                    },
                )
            })
        };
        reports.push(report(mipnet_bounds::path_norm::METHOD, path_started, path, |b| {
            format!("column generation, {} master rows", b.rows)
        }));
        reports
    }
}

fn report(
    method: &str,
    started: Instant,
    result: Result<ProvenBound, BoundError>,
    note: impl Fn(&ProvenBound) -> String,
) -> LowerBoundReport {
    match result {
        Ok(b) => LowerBoundReport {
            method: b.method.to_string(),
            bound: Some(b.value),
            seconds: b.seconds,
            note: note(&b),
        },
        Err(e) => LowerBoundReport {
            method: method.to_string(),
            bound: None,
            seconds: started.elapsed().as_secs_f64(),
            note: match e {
                BoundError::NotApplicable(why) => format!("no bound method applies: {why}"),
                other => other.to_string(),
            },
        },
    }
}
