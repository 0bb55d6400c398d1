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
use mipnet_highs::LpSession;
use mipnet_milp::{Model, Sense, VarType};
use mipnet_solver::{SolveOptions, SolverError, Status};

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
    // A handful of columns: one thread, and no time limit of the caller's
    // (a limit meant for a MILP would only make this answer undecided).
    let lp_options = SolveOptions {
        time_limit: None,
        relative_gap: None,
        threads: Some(1),
        ..opts.solve.clone()
    };
    let mut lp = LpSession::new(&m, &lp_options)?;
    let outcome = lp.optimize(&[], Sense::Minimize)?;
    Ok(match outcome.status {
        // The box is finite, so the LP is never unbounded: "infeasible or
        // unbounded" (a presolve answer) is infeasible.
        Status::Infeasible | Status::InfeasibleOrUnbounded => Occupancy::Empty,
        Status::Optimal => Occupancy::Occupied,
        other => Occupancy::Undecided(other),
    })
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

    #[test]
    fn only_the_box_and_input_constraints_decide() {
        let opts = VerifyOptions::default();
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
