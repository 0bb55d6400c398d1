//! The root cut loop: solve the LP relaxation, add the Lipschitz cuts it
//! violates, repeat. It runs before the full MIP so HiGHS starts from a
//! stronger relaxation; the report records the root LP bound before and
//! after.

use crate::TrainSettings;
use mipnet_formulate::DenseFormulation;
use mipnet_highs::HighsSolver;
use mipnet_milp::{Model, VarType};
use mipnet_solver::{NoObserver, SolveRequest, Solver, SolverError, Status};
use serde::Serialize;
use std::time::Instant;

/// A violation smaller than this does not count.
const VIOLATION_TOL: f64 = 1e-6;

/// What the cut loop did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CutReport {
    pub candidate_pairs: usize,
    pub candidates: usize,
    pub rounds: usize,
    pub cuts_added: usize,
    /// Value of the LP relaxation before any cut.
    pub root_bound_before: Option<f64>,
    /// … and after the last round.
    pub root_bound_after: Option<f64>,
    pub seconds: f64,
}

/// The LP relaxation's value and solution (none when `seconds` is 0 or the
/// LP is not solved to optimality within them).
pub(crate) fn relaxation(
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
    let r = HighsSolver.solve(SolveRequest::new(&lp, &opts), &mut NoObserver)?;
    Ok(match (r.status, r.objective, r.solution) {
        (Status::Optimal, Some(v), Some(x)) => Some((v, x)),
        _ => None,
    })
}

/// Runs the loop on `f`'s model for at most `seconds`, adding the violated
/// cuts to it.
pub fn cut_loop(f: &mut DenseFormulation, s: &TrainSettings, seconds: f64) -> Result<CutReport, SolverError> {
    let clock = Instant::now();
    let st = &s.stages;
    let pairs = f.cut_pairs(st.cut_neighbours);
    let mut candidates: Vec<_> = pairs.iter().flat_map(|&(n, m)| f.lipschitz_cuts(n, m)).collect();
    let mut report = CutReport {
        candidate_pairs: pairs.len(),
        candidates: candidates.len(),
        rounds: 0,
        cuts_added: 0,
        root_bound_before: None,
        root_bound_after: None,
        seconds: 0.0,
    };
    let left = |clock: &Instant| seconds - clock.elapsed().as_secs_f64();
    let Some((bound, mut x)) = relaxation(&f.model, s, left(&clock))? else {
        report.seconds = clock.elapsed().as_secs_f64();
        return Ok(report);
    };
    report.root_bound_before = Some(bound);
    report.root_bound_after = Some(bound);
    for _ in 0..st.cut_rounds {
        if left(&clock) <= 0.0 {
            break;
        }
        let mut violated: Vec<(f64, usize)> = candidates
            .iter()
            .enumerate()
            .map(|(i, c)| (c.violation(&x), i))
            .filter(|&(v, _)| v > VIOLATION_TOL)
            .collect();
        if violated.is_empty() {
            break;
        }
        violated.sort_by(|a, b| b.0.total_cmp(&a.0));
        violated.truncate(st.cuts_per_round);
        let mut chosen: Vec<usize> = violated.iter().map(|&(_, i)| i).collect();
        chosen.sort_unstable_by(|a, b| b.cmp(a));
        for i in chosen {
            let cut = candidates.swap_remove(i);
            f.add_cut(&cut);
            report.cuts_added += 1;
        }
        report.rounds += 1;
        // Cuts already added stay valid even if this LP runs out of time.
        match relaxation(&f.model, s, left(&clock))? {
            Some((b, nx)) => {
                report.root_bound_after = Some(b);
                x = nx;
            }
            None => break,
        }
    }
    report.seconds = clock.elapsed().as_secs_f64();
    Ok(report)
}
