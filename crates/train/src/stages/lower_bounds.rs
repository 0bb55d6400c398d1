//! Proven lower bounds from `mipnet-bounds`, run before the full MIP:
//! relaxations that keep the weights shared by all samples, so they prove
//! far more than the big-M relaxation of the MILP does (docs/training.md,
//! "Proven lower bounds"). Each method's certified bound, or why it gave
//! none, goes into the report; the report's `dual_bound` is the best of
//! them and of the MIP's own bound. Choosing pairs and building the LP
//! cannot be interrupted, so the stage runs only while the MIP would still
//! have time too.
//!
//! When the full MIP starts ([`give_to_mip`], `stages.bound_rows`), the
//! best certified bound goes into the MILP as an objective floor, and the
//! Lipschitz-margin LP's active sample pairs as output-pair rows on the ℓ1
//! auxiliaries (`DenseFormulation::add_objective_floor`,
//! `add_output_pair_rows`): every network obeys both, so the full MIP's own
//! bound starts at the certified one. The report still names the method
//! that proved it (a MIP bound counts as the MIP's own only above it, see
//! `report::best_bound`).

use crate::error::TrainError;
use crate::events::{RunStage, TrainObserver};
use crate::incumbent::hidden_units;
use crate::report::{bound_report, GivenToMip, LowerBoundReport};
use crate::run::Run;
use crate::stage::{Partner, Stage, StageName};
use mipnet_bounds::{
    BoundError, LipschitzMargin, LipschitzMarginSettings, PathNorm, PathNormSettings, UnitColumns, UnitColumnsSettings,
};
use mipnet_solver::SolveOptions;
use std::time::Instant;

/// Least time a method is started with: below it neither finishes.
pub const MIN_METHOD_SECONDS: f64 = 0.2;

/// Largest share of the stage's seconds the Lipschitz-margin LP may take
/// when the path-norm method applies too, so the path-norm always gets the
/// rest: measured on 2 loaded cores, the LP takes 0.2–2.3 s of the 10–15 s
/// stage on Iris, Wine and WDBC, but on MNIST 10/class (196 → 16 → 10,
/// 3,000 pairs, 60,000 rows) it ran out of the whole 11.6 s unsolved and
/// left the path-norm nothing.
pub const LIPSCHITZ_SHARE: f64 = 0.5;

/// At most this many of the Lipschitz-margin LP's active pairs become rows
/// of the MILP (2·K rows each, every one over all n_1·d ℓ1 auxiliaries: on
/// WDBC 4 rows of about 250 nonzeros per pair, so 200 pairs add a sixth of
/// the model's nonzeros). The pairs with the largest multipliers come first.
pub const MAX_MIP_PAIRS: usize = 200;

/// Largest share of the time after the Lipschitz-margin LP that the
/// path-norm method takes when the unit-columns method applies too (it
/// gets the rest, and all of it when the path-norm converges early).
/// Measured on 2 loaded cores (load 9–13): on Iris the path-norm converges
/// in 0.5 s and the unit-columns bound then reaches 0.136 in 4.6 s
/// (path-norm 0.098); on Wine and WDBC the unit-columns bound needs 25 s
/// and more (Wine 0.062 after 27 s, 0.010 after 10 s; WDBC 0.003 after
/// 10 s) while the path-norm proves 0.028 and 0.027 in 10 s, and with
/// 75 % of a 60 s run's stage (7.6 s) the path-norm fell to 0.014 on WDBC.
/// So the path-norm goes first and keeps nearly all of a short stage; in
/// long runs the tenth left is enough for the unit columns.
pub const PATH_NORM_SHARE: f64 = 0.9;

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

/// Adds the best certified bound of `run.findings.lower_bounds` as the
/// MILP's objective floor and the first [`MAX_MIP_PAIRS`] active pairs of
/// the Lipschitz-margin LP as output-pair rows, and records both in the
/// methods' reports (`given_to_mip`); what was added, in words, or `None`
/// when no method proved a bound above 0 or the rows were already added.
/// Called by the full MIP when it starts ([`crate::stages::full_mip`]):
/// the bounds were proven on this run's formulation (`run.f`), the model
/// the MIP solves, and the stages before it (cut loop, root LP) report
/// the MILP's own LP bounds.
pub(crate) fn give_to_mip(run: &mut Run) -> Option<String> {
    let reports = &mut run.findings.lower_bounds;
    if reports.iter().any(|r| r.given_to_mip.is_some()) {
        return None;
    }
    let best = reports
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.bound.map(|b| (b, i)))
        .filter(|(b, _)| b.is_finite() && *b > 0.0)
        .max_by(|a, b| a.0.total_cmp(&b.0))?;
    let (floor, best_index) = best;
    run.f.add_objective_floor(floor);
    let lipschitz = LipschitzMargin::new(run.f.data(), &run.settings.formulation).map(|m| m.lipschitz_constant());
    let mut pair_rows = 0;
    let mut pairs_used = 0;
    for (i, r) in reports.iter_mut().enumerate() {
        let pairs = &r.active_pairs[..r.active_pairs.len().min(MAX_MIP_PAIRS)];
        let rows = match (&lipschitz, pairs.is_empty()) {
            (Ok(l), false) => run.f.add_output_pair_rows(pairs, *l),
            _ => 0,
        };
        let used = if rows == 0 { 0 } else { pairs.len() };
        if i == best_index || rows > 0 {
            r.given_to_mip = Some(GivenToMip {
                floor: (i == best_index).then_some(floor),
                pair_rows: rows,
                pairs: used,
            });
        }
        pair_rows += rows;
        pairs_used += used;
    }
    let method = &reports[best_index].method;
    Some(format!(
        "the MIP gets the objective floor ≥ {floor:.6} ({method}) and {pair_rows} output-pair rows ({pairs_used} sample pairs)"
    ))
}

impl LowerBounds {
    /// Runs every method on the run's training problem (standardized, as
    /// the formulation sees it), one after the other within `seconds` in
    /// all: the Lipschitz-margin LP first (fast), then the path-norm
    /// column generation (at most [`PATH_NORM_SHARE`] of the rest when the
    /// unit columns apply), then the unit-columns column generation
    /// (started from the incumbent's units) with the time left.
    /// The Lipschitz-margin LP's report holds its active pairs (none
    /// without its bound).
    fn prove(&self, run: &Run, options: &SolveOptions, seconds: f64) -> Vec<LowerBoundReport> {
        let (data, formulation, solver) = (run.f.data(), &run.settings.formulation, run.solver);
        let started = Instant::now();
        let left = || (seconds - started.elapsed().as_secs_f64()).max(0.0);
        let with_limit = |t: f64| SolveOptions {
            time_limit: Some(t.max(MIN_METHOD_SECONDS)),
            ..options.clone()
        };
        let path_applies = PathNorm::new(data, formulation).is_ok();
        let units_apply = UnitColumns::new(data, formulation).is_ok();
        let lipschitz = LipschitzMargin::new(data, formulation).and_then(|m| {
            m.solve(
                solver,
                &with_limit(lipschitz_seconds(left(), path_applies || units_apply)),
                &LipschitzMarginSettings {
                    max_pairs: self.max_pairs,
                },
            )
        });
        let mut reports = vec![bound_report(
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
            let t = path_norm_seconds(left(), units_apply);
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
        reports.push(bound_report(
            mipnet_bounds::path_norm::METHOD,
            path_started,
            path,
            |b| format!("column generation, {} master rows", b.rows),
        ));
        let units_started = Instant::now();
        let units = if run.stopped() {
            Err(BoundError::NoBound("interrupted".into()))
        } else if left() < MIN_METHOD_SECONDS {
            Err(BoundError::NoBound("no time left after the path-norm bound".into()))
        } else {
            let t = left();
            UnitColumns::new(data, formulation).and_then(|m| {
                let seeds = run
                    .best
                    .as_ref()
                    .map_or_else(Vec::new, |b| hidden_units(&b.network.layers, formulation.grid_step));
                m.with_interrupt(run.interrupt.cloned()).with_units(seeds).solve(
                    solver,
                    &with_limit(t),
                    &UnitColumnsSettings {
                        seconds: t,
                        ..UnitColumnsSettings::default()
                    },
                )
            })
        };
        let (units, units_note) = match units {
            Ok(r) => {
                let note = format!(
                    "column generation, {} rounds ({} certified), {} columns{}",
                    r.rounds,
                    r.certified_rounds,
                    r.columns,
                    if r.converged { ", converged" } else { "" }
                );
                (Ok(r.bound), note)
            }
            Err(e) => (Err(e), String::new()),
        };
        reports.push(bound_report(
            mipnet_bounds::unit_columns::METHOD,
            units_started,
            units,
            |_| units_note.clone(),
        ));
        reports
    }
}

/// Seconds for the path-norm method out of the `seconds` left after the
/// Lipschitz-margin LP: [`PATH_NORM_SHARE`] of them when the unit-columns
/// method applies too (it gets the rest), else all of them.
fn path_norm_seconds(seconds: f64, unit_columns_apply: bool) -> f64 {
    if unit_columns_apply {
        seconds * PATH_NORM_SHARE
    } else {
        seconds
    }
}

/// Seconds for the Lipschitz-margin LP out of the stage's `seconds`: all
/// of them when it is the only method that applies, else
/// [`LIPSCHITZ_SHARE`] of them.
fn lipschitz_seconds(seconds: f64, another_applies: bool) -> f64 {
    if another_applies {
        seconds * LIPSCHITZ_SHARE
    } else {
        seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lipschitz_lp_leaves_the_path_norm_its_share() {
        assert_eq!(lipschitz_seconds(10.0, true), 10.0 * LIPSCHITZ_SHARE);
        assert!(10.0 - lipschitz_seconds(10.0, true) >= 10.0 * (1.0 - LIPSCHITZ_SHARE));
        assert_eq!(lipschitz_seconds(10.0, false), 10.0, "alone, it has the whole stage");
    }

    #[test]
    fn the_path_norm_leaves_the_unit_columns_their_share() {
        assert_eq!(path_norm_seconds(10.0, true), 10.0 * PATH_NORM_SHARE);
        assert!(
            10.0 - path_norm_seconds(10.0, true) > 0.0,
            "the unit columns get some time"
        );
        assert_eq!(path_norm_seconds(10.0, false), 10.0);
    }
}
