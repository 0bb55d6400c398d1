//! The dual of a linear program, built as a model of its own, so any LP
//! solver behind the [`mipnet_solver::Solver`] trait gives row multipliers
//! (the solver trait returns primal values only).
//!
//! Primal: min cᵀx + offset s.t. l ≤ Ax ≤ u, lx ≤ x ≤ ux. Dual:
//!
//! max Σ_r (l_r·p_r − u_r·q_r) + Σ_j (lx_j·g_j − ux_j·h_j) + offset
//! s.t. Σ_r a_rj·(p_r − q_r) + g_j − h_j = c_j   for every column j,
//!      p, q, g, h ≥ 0,
//!
//! with a variable only for each finite side. The row multipliers are
//! y_r = p_r − q_r; [`crate::safe::lower_bound`] turns them into a bound
//! that does not trust the solver's tolerances.

use mipnet_milp::{Col, Model, Sense, VarType};

/// The dual model and where each primal row's multipliers live in it.
#[derive(Clone, Debug)]
pub struct LpDual {
    pub model: Model,
    /// Per primal row: the dual columns of its lower and upper sides.
    sides: Vec<(Option<Col>, Option<Col>)>,
}

impl LpDual {
    /// The dual of `primal` (its integrality is ignored: the dual of the LP
    /// relaxation). `primal` must minimize.
    pub fn of(primal: &Model) -> LpDual {
        assert_eq!(primal.sense(), Sense::Minimize, "the dual is built for a minimization");
        let (start, index, value) = primal.matrix();
        let n = primal.num_cols();
        // Column-wise entries of A: for each primal column, (dual col, coefficient).
        let mut by_column: Vec<Vec<(Col, f64)>> = vec![Vec::new(); n];
        let mut dual = Model::new(Sense::Maximize);
        dual.set_offset(primal.offset());
        let mut sides = Vec::with_capacity(primal.num_rows());
        for r in 0..primal.num_rows() {
            let (l, u) = (primal.row_lower()[r], primal.row_upper()[r]);
            let p = l
                .is_finite()
                .then(|| dual.add_col(0.0, f64::INFINITY, l, VarType::Continuous));
            let q = u
                .is_finite()
                .then(|| dual.add_col(0.0, f64::INFINITY, -u, VarType::Continuous));
            for e in start[r]..start[r + 1] {
                let j = index[e] as usize;
                if let Some(p) = p {
                    by_column[j].push((p, value[e]));
                }
                if let Some(q) = q {
                    by_column[j].push((q, -value[e]));
                }
            }
            sides.push((p, q));
        }
        for j in 0..n {
            let (l, u) = (primal.col_lower()[j], primal.col_upper()[j]);
            let mut terms = std::mem::take(&mut by_column[j]);
            if l.is_finite() {
                terms.push((dual.add_col(0.0, f64::INFINITY, l, VarType::Continuous), 1.0));
            }
            if u.is_finite() {
                terms.push((dual.add_col(0.0, f64::INFINITY, -u, VarType::Continuous), -1.0));
            }
            let c = primal.col_cost()[j];
            dual.add_row(c, c, terms);
        }
        LpDual { model: dual, sides }
    }

    /// The primal row multipliers y_r = p_r − q_r of a dual solution.
    pub fn row_multipliers(&self, dual_solution: &[f64]) -> Vec<f64> {
        self.sides
            .iter()
            .map(|&(p, q)| p.map_or(0.0, |c| dual_solution[c.index()]) - q.map_or(0.0, |c| dual_solution[c.index()]))
            .collect()
    }
}
