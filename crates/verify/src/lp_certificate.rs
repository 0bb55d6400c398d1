//! Certified bounds on one column of an LP relaxation, recomputed from the
//! LP's row multipliers rather than read off the solver's optimum.
//!
//! The solver's optimal value is exact only up to its feasibility
//! tolerances, and the error scales with the dual multipliers times the
//! columns' box widths, which no fixed slack covers. Any row multipliers y,
//! exact or not, give a bound that holds for every feasible point: for
//! `min cᵀx` over the rows and the box, `yᵀb + Σ_j min over [l_j, u_j] of
//! (c − Aᵀy)_j·x_j`, rounded down (Neumaier and Shcherbina, 2004;
//! [`mipnet_bounds::safe::lower_bound`] computes it with the rounding
//! margin). Inexact multipliers only weaken the bound.

use mipnet_milp::{Col, Model, Sense};

/// A copy of an LP relaxation's rows and column boxes, kept in step with
/// the solver's copy (every `set_col_bounds` on the solver is mirrored
/// here), against which the solver's multipliers are checked.
#[derive(Clone, Debug)]
pub struct CertifyingLp {
    /// The relaxation as a minimization with a zero objective; each question
    /// sets one column's cost and clears it after.
    model: Model,
}

impl CertifyingLp {
    /// The rows and column boxes of `model` (objective, offset and
    /// integrality dropped, as in the solver's relaxation).
    pub fn new(model: &Model) -> CertifyingLp {
        let mut m = model.clone();
        m.set_sense(Sense::Minimize);
        m.set_offset(0.0);
        for j in 0..m.num_cols() {
            m.set_cost(Col::from_index(j), 0.0);
        }
        CertifyingLp { model: m }
    }

    /// Mirrors a change of a column's bounds in the solver's relaxation.
    pub fn set_col_bounds(&mut self, col: Col, lower: f64, upper: f64) {
        self.model.set_col_bounds(col, lower, upper);
    }

    /// A certified lower bound on `col` over the relaxation from the row
    /// multipliers `duals`, or `None` when they prove nothing finite.
    pub fn certified_min(&mut self, col: Col, duals: &[f64]) -> Option<f64> {
        self.lower_bound_of(col, 1.0, duals)
    }

    /// A certified upper bound on `col` over the relaxation from the row
    /// multipliers `duals` (of the maximization), or `None`.
    pub fn certified_max(&mut self, col: Col, duals: &[f64]) -> Option<f64> {
        self.lower_bound_of(col, -1.0, duals).map(|v| -v)
    }

    /// A certified lower bound on `sign · col`. Solvers differ in the sign
    /// they give a maximization's multipliers; both `y` and `−y` are valid
    /// multipliers (any are), so the better of the two bounds is taken.
    fn lower_bound_of(&mut self, col: Col, sign: f64, duals: &[f64]) -> Option<f64> {
        self.model.set_cost(col, sign);
        let negated: Vec<f64> = duals.iter().map(|y| -y).collect();
        let as_given = mipnet_bounds::safe::lower_bound(&self.model, duals).map(|b| b.value);
        let flipped = mipnet_bounds::safe::lower_bound(&self.model, &negated).map(|b| b.value);
        self.model.set_cost(col, 0.0);
        match (as_given, flipped) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mipnet_milp::VarType;

    /// How far below the exact optimum the rounding margin may put a
    /// certified bound on these small, well-scaled LPs.
    const ROUNDING_SLACK: f64 = 1e-9;

    /// x + y ≤ 1, x − y ≤ 0.5 (as rows), x, y ∈ [0, 1]: max x = 0.75.
    fn lp() -> (Model, Col, Col) {
        let mut m = Model::new(Sense::Minimize);
        let x = m.add_col(0.0, 1.0, 0.0, VarType::Continuous);
        let y = m.add_col(0.0, 1.0, 0.0, VarType::Continuous);
        m.add_row(f64::NEG_INFINITY, 1.0, [(x, 1.0), (y, 1.0)]);
        m.add_row(f64::NEG_INFINITY, 0.5, [(x, 1.0), (y, -1.0)]);
        (m, x, y)
    }

    #[test]
    fn exact_multipliers_certify_the_optimum_and_wrong_ones_only_weaken_it() {
        let (m, x, _) = lp();
        let mut c = CertifyingLp::new(&m);
        // max x: x = ½(row1) + ½(row2) ≤ 0.75, multipliers ½, ½ on the upper sides.
        let exact = c.certified_max(x, &[0.5, 0.5]).unwrap();
        assert!((0.75..0.75 + ROUNDING_SLACK).contains(&exact), "{exact}");
        for wrong in [[0.4, 0.5], [0.5, 0.7], [0.0, 0.0], [1.0, -3.0]] {
            let b = c.certified_max(x, &wrong).unwrap();
            assert!(b >= 0.75, "multipliers {wrong:?} gave {b} below the true maximum");
        }
        // min x over the box: 0 with no rows used.
        let low = c.certified_min(x, &[0.0, 0.0]).unwrap();
        assert!(low <= 0.0 && low > -ROUNDING_SLACK, "{low}");
    }

    #[test]
    fn a_mirrored_column_box_change_is_used() {
        let (m, x, y) = lp();
        let mut c = CertifyingLp::new(&m);
        c.set_col_bounds(y, 0.0, 0.1);
        // x ≤ 0.5 + y ≤ 0.6 now: the second row's multiplier 1.
        let b = c.certified_max(x, &[0.0, 1.0]).unwrap();
        assert!((0.6..0.6 + ROUNDING_SLACK).contains(&b), "{b}");
    }
}
