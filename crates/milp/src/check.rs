//! Evaluating a point against a model: the basis of every certificate check.

use crate::{Model, Row};

/// How a point fares against a [`Model`]. Violations are absolute and 0 when
/// the point satisfies the constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// `cost·x + offset`.
    pub objective: f64,
    /// Largest violation of a column bound.
    pub max_bound_violation: f64,
    /// Largest violation of a row side.
    pub max_row_violation: f64,
    /// Largest distance of an integral column from the nearest integer.
    pub max_integrality_violation: f64,
    /// The row with the largest violation, if any row is violated.
    pub worst_row: Option<Row>,
    /// The tolerance the evaluation was made with.
    pub tolerance: f64,
}

impl Evaluation {
    /// Whether every violation is within the tolerance.
    pub fn is_feasible(&self) -> bool {
        self.max_bound_violation <= self.tolerance
            && self.max_row_violation <= self.tolerance
            && self.max_integrality_violation <= self.tolerance
    }
}

pub(crate) fn evaluate(m: &Model, x: &[f64], tol: f64) -> Evaluation {
    assert_eq!(x.len(), m.num_cols(), "point has the wrong number of columns");
    let mut bound = 0.0f64;
    let mut integ = 0.0f64;
    for (j, &v) in x.iter().enumerate() {
        bound = bound.max(m.col_lower[j] - v).max(v - m.col_upper[j]);
        if m.col_type[j].is_integral() {
            integ = integ.max((v - v.round()).abs());
        }
        if v.is_nan() {
            bound = f64::INFINITY;
        }
    }
    let mut row_viol = 0.0f64;
    let mut worst_row = None;
    for (r, a) in m.row_activities(x).into_iter().enumerate() {
        let v = (m.row_lower[r] - a).max(a - m.row_upper[r]);
        if v > row_viol || (a.is_nan() && row_viol.is_finite()) {
            row_viol = if a.is_nan() { f64::INFINITY } else { v };
            worst_row = Some(Row::from_index(r));
        }
    }
    Evaluation {
        objective: m.objective_value(x),
        max_bound_violation: bound.max(0.0),
        max_row_violation: row_viol.max(0.0),
        max_integrality_violation: integ,
        worst_row,
        tolerance: tol,
    }
}
