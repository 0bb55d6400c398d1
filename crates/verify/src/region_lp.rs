//! Whether an input region holds any input at all, decided by an LP over
//! its box and its input-only constraints alone, with no network in it.
//!
//! A property's MILP maximizes a free slack `t` (`a·x + b·y + t ≤ rhs`), so
//! its output constraints can always be met: only the box and the
//! input-only constraints can make it infeasible. When HiGHS calls such a
//! MILP infeasible, that claim is checked here, independently of the
//! network's encoding and its big-M bounds: a disjunct is dropped only when
//! this LP is infeasible too. If the LP holds an input, the MILP's
//! infeasibility came from the encoding (a bug, or rounding in bounds) and
//! must not silently remove a disjunct that other disjuncts' `unsat` would
//! then speak for.
//!
//! HiGHS's tolerances work in the safe direction here: it calls an LP
//! infeasible only when no point satisfies the rows even within its primal
//! feasibility tolerance, so an infeasible answer means the region is empty.
//! Coefficients too small for HiGHS are relaxed into their rows
//! ([`encode::add_row_kept`]), which can only make the LP feasible, never
//! drop a region with inputs.

use crate::encode;
use crate::{Region, VerifyOptions};
use mipnet_milp::{Model, Sense, VarType};
use mipnet_solver::{SolveOptions, SolverError, Status};
use mipnet_vnnlib::Disjunct;

/// What the LP over a region's box and input-only constraints says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Occupancy {
    /// No input satisfies the box and the input-only constraints.
    Empty,
    /// The LP found an input.
    Occupied,
    /// The LP ended without an answer (interrupted, or numerical trouble).
    Undecided(Status),
}

/// Solves the LP over `region`'s box and its constraints that mention no
/// output. Constraints with outputs are left out: they are not the
/// region's.
pub fn occupancy(region: &Region, opts: &VerifyOptions) -> Result<Occupancy, SolverError> {
    let mut m = Model::new(Sense::Minimize);
    let inputs: Vec<_> = region
        .lower
        .iter()
        .zip(&region.upper)
        .map(|(&l, &u)| m.add_col(l, u, 0.0, VarType::Continuous))
        .collect();
    for c in region.constraints.iter().filter(|c| c.outputs.is_empty()) {
        encode::add_row_kept(
            &mut m,
            f64::NEG_INFINITY,
            c.rhs,
            c.inputs.iter().map(|&(i, a)| (inputs[i], a)),
        );
    }
    let mut lp = opts.solver.relaxation(&m, &lp_options(opts))?;
    let outcome = lp.optimize(&[], Sense::Minimize)?;
    Ok(match outcome.status {
        // The box is finite, so the LP is never unbounded: "infeasible or
        // unbounded" (a presolve answer) is infeasible.
        Status::Infeasible | Status::InfeasibleOrUnbounded => Occupancy::Empty,
        Status::Optimal => Occupancy::Occupied,
        other => Occupancy::Undecided(other),
    })
}

/// Whether strictness needs an LP of its own: a strict input-only row, or a
/// strict side of the box beside input-only rows that may pin an input to
/// it. (A box alone is decided by [`Disjunct::empty_input`]; strict rows on
/// outputs never empty the input region.)
pub fn strictness_matters(d: &Disjunct) -> bool {
    let rows = || d.constraints.iter().filter(|c| c.outputs.is_empty());
    let strict_side = d.lower_strict.iter().chain(&d.upper_strict).any(|&s| s);
    rows().any(|c| c.strict) || (strict_side && rows().next().is_some())
}

/// The largest margin `s` by which an input of `d`'s box meets its strict
/// comparisons: maximize `s ≤ 1` subject to every input-only row (`+ s` on
/// the strict ones) and, for each strict side of the box, the input at
/// least `s` inside it. `Some(s)` when the LP is solved (`s ≤ 0`: no input
/// meets them strictly); `None` when it has no optimum (an empty closed
/// region is the infeasible MILP's business, [`occupancy`]).
pub fn strict_margin(d: &Disjunct, opts: &VerifyOptions) -> Result<Option<f64>, SolverError> {
    let mut m = Model::new(Sense::Maximize);
    let inputs: Vec<_> = d
        .lower
        .iter()
        .zip(&d.upper)
        .map(|(&l, &u)| m.add_col(l, u, 0.0, VarType::Continuous))
        .collect();
    let s = m.add_col(f64::NEG_INFINITY, 1.0, 0.0, VarType::Continuous);
    for c in d.constraints.iter().filter(|c| c.outputs.is_empty()) {
        let margin = c.strict.then_some((s, 1.0));
        let terms = c.inputs.iter().map(|&(i, a)| (inputs[i], a)).chain(margin);
        encode::add_row_kept(&mut m, f64::NEG_INFINITY, c.rhs, terms);
    }
    for (i, &x) in inputs.iter().enumerate() {
        if d.lower_strict[i] {
            // x − s ≥ lower
            encode::add_row_kept(&mut m, d.lower[i], f64::INFINITY, [(x, 1.0), (s, -1.0)]);
        }
        if d.upper_strict[i] {
            // x + s ≤ upper
            encode::add_row_kept(&mut m, f64::NEG_INFINITY, d.upper[i], [(x, 1.0), (s, 1.0)]);
        }
    }
    let mut lp = opts.solver.relaxation(&m, &lp_options(opts))?;
    let outcome = lp.optimize(&[(s, 1.0)], Sense::Maximize)?;
    Ok(outcome.value.filter(|_| outcome.status == Status::Optimal))
}

/// A handful of columns: one thread, and no time limit of the caller's (a
/// limit meant for a MILP would only make these answers undecided).
fn lp_options(opts: &VerifyOptions) -> SolveOptions {
    SolveOptions {
        time_limit: None,
        relative_gap: None,
        threads: Some(1),
        ..opts.solve.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mipnet_vnnlib::Linear;

    fn region(constraints: Vec<Linear>) -> Region {
        Region {
            lower: vec![0.0, 0.0],
            upper: vec![1.0, 1.0],
            constraints,
        }
    }

    fn row(inputs: Vec<(usize, f64)>, outputs: Vec<(usize, f64)>, rhs: f64) -> Linear {
        Linear {
            inputs,
            outputs,
            rhs,
            strict: false,
        }
    }

    /// `X_0`, `X_1` declared, then `body`: the one disjunct.
    fn disjunct(body: &str) -> Disjunct {
        let p = mipnet_vnnlib::Property::parse(&format!(
            "(declare-const X_0 Real)\n(declare-const X_1 Real)\n(declare-const Y_0 Real)\n\
             (assert (>= X_0 0))\n(assert (<= X_0 1))\n(assert (>= X_1 0))\n(assert (<= X_1 1))\n{body}"
        ))
        .unwrap();
        p.disjuncts[0].clone()
    }

    #[test]
    fn strict_comparisons_that_leave_no_input_have_no_margin() {
        let opts = VerifyOptions::new(std::sync::Arc::new(mipnet_highs::HighsSolver));
        let margin = |body: &str| {
            let d = disjunct(body);
            assert!(strictness_matters(&d), "{body}");
            strict_margin(&d, &opts).unwrap().unwrap()
        };
        // x0 + x1 < 1 and x0 + x1 > 1: the closed region is a segment, the open one empty.
        assert!(margin("(assert (< (+ X_0 X_1) 1))\n(assert (> (+ X_0 X_1) 1))") <= 0.0);
        // A strict side of the box that a row pins the input to: x0 < 0.5, x0 + x1 ≥ 1.5.
        assert!(margin("(assert (< X_0 0.5))\n(assert (>= (+ X_0 X_1) 1.5))") <= 0.0);
        // Room inside: x0 + x1 < 1 in the unit box (margin 1, its cap).
        assert!((margin("(assert (< (+ X_0 X_1) 1))") - 1.0).abs() < 1e-9);
        assert!((margin("(assert (< X_0 0.5))\n(assert (>= (+ X_0 X_1) 1))") - 0.5).abs() < 1e-9);
        // Nothing strict, or strict rows on outputs only: no LP needed.
        assert!(!strictness_matters(&disjunct("(assert (<= (+ X_0 X_1) 1))")));
        assert!(!strictness_matters(&disjunct("(assert (< (+ X_0 Y_0) 1))")));
    }

    #[test]
    fn only_the_box_and_input_constraints_decide() {
        let opts = VerifyOptions::new(std::sync::Arc::new(mipnet_highs::HighsSolver));
        // x0 + x1 ≥ 3 in the unit box: empty.
        let empty = region(vec![row(vec![(0, -1.0), (1, -1.0)], vec![], -3.0)]);
        assert_eq!(occupancy(&empty, &opts).unwrap(), Occupancy::Empty);
        // x0 + x1 ≥ 2: the corner (1, 1) only.
        let corner = region(vec![row(vec![(0, -1.0), (1, -1.0)], vec![], -2.0)]);
        assert_eq!(occupancy(&corner, &opts).unwrap(), Occupancy::Occupied);
        // An output constraint that no output could meet is not the region's.
        let outputs = region(vec![row(vec![(0, 1.0)], vec![(0, 1.0)], -1e6)]);
        assert_eq!(occupancy(&outputs, &opts).unwrap(), Occupancy::Occupied);
        // The box alone.
        assert_eq!(occupancy(&region(vec![]), &opts).unwrap(), Occupancy::Occupied);
    }
}
