//! One LP kept alive across many objectives: bound tightening asks for the
//! minimum and maximum of hundreds of variables over the same relaxation,
//! and HiGHS re-solves from the previous basis when only the costs change,
//! which is much faster than passing the model again for each question.

use crate::instance::{CallbackState, HInt, Instance};
use crate::map_status;
use highs_sys as hs;
use mipnet_milp::{Col, Model, Sense, VarType};
use mipnet_solver::{LpOutcome, LpRelaxation, SolveOptions, SolverError, Status};

/// The LP relaxation of a model (integrality dropped), loaded once.
pub(crate) struct LpSession {
    inst: Instance,
    /// Columns whose cost is currently nonzero, reset before the next objective.
    costed: Vec<HInt>,
}

impl LpSession {
    /// Loads `model`'s relaxation with its objective cleared. Only the
    /// solver-neutral options that make sense for an LP are applied
    /// (time limit per solve, threads, seed, pass-through options).
    pub(crate) fn new(model: &Model, options: &SolveOptions) -> Result<LpSession, SolverError> {
        let mut relaxed = model.clone();
        for j in 0..relaxed.num_cols() {
            let c = Col::from_index(j);
            relaxed.set_cost(c, 0.0);
            if relaxed.col_types()[j] != VarType::Continuous {
                relaxed.set_col_type(c, VarType::Continuous);
            }
        }
        relaxed.set_offset(0.0);
        let inst = Instance::new();
        crate::apply_options(&inst, options)?;
        inst.pass_model(&relaxed)?;
        Ok(LpSession {
            inst,
            costed: Vec::new(),
        })
    }
}

impl LpRelaxation for LpSession {
    /// Optimizes `Σ coef · col` in direction `sense`, warm-started from the
    /// previous basis.
    fn optimize(&mut self, terms: &[(Col, f64)], sense: Sense) -> Result<LpOutcome, SolverError> {
        let zeros = vec![0.0; self.costed.len()];
        let index: Vec<HInt> = terms.iter().map(|(c, _)| c.index() as HInt).collect();
        let cost: Vec<f64> = terms.iter().map(|(_, v)| *v).collect();
        let hs_sense = match sense {
            Sense::Minimize => hs::kHighsObjSenseMinimize,
            Sense::Maximize => hs::kHighsObjSenseMaximize,
        } as HInt;
        // SAFETY: valid instance; each index array is paired with a value
        // array of the same length that lives through the call.
        let ok = unsafe {
            hs::Highs_changeColsCostBySet(
                self.inst.ptr(),
                self.costed.len() as HInt,
                self.costed.as_ptr(),
                zeros.as_ptr(),
            ) != hs::kHighsStatusError as HInt
                && hs::Highs_changeColsCostBySet(self.inst.ptr(), index.len() as HInt, index.as_ptr(), cost.as_ptr())
                    != hs::kHighsStatusError as HInt
                && hs::Highs_changeObjectiveSense(self.inst.ptr(), hs_sense) != hs::kHighsStatusError as HInt
        };
        if !ok {
            return Err(SolverError::Backend("HiGHS refused an objective change".into()));
        }
        self.costed = index;
        let mut state = CallbackState::new(false);
        self.inst.install_callback(&mut state, false);
        // The callback state outlives the run; the callback is removed
        // right after.
        self.inst.run();
        self.inst.remove_callback();
        // SAFETY: valid instance.
        let status = map_status(unsafe { hs::Highs_getModelStatus(self.inst.ptr()) });
        let value = (status == Status::Optimal).then(|| unsafe { hs::Highs_getObjectiveValue(self.inst.ptr()) });
        let (col_values, row_duals) = match status {
            Status::Optimal => {
                let (x, y) = self.inst.primal_and_duals();
                (Some(x), Some(y))
            }
            _ => (None, None),
        };
        Ok(LpOutcome {
            status,
            value,
            row_duals,
            col_values,
        })
    }

    /// Changes column bounds, e.g. after a bound has been tightened.
    fn set_col_bounds(&mut self, col: Col, lower: f64, upper: f64) -> Result<(), SolverError> {
        let i = col.index() as HInt;
        // SAFETY: valid instance; one-entry arrays.
        let st = unsafe { hs::Highs_changeColsBoundsBySet(self.inst.ptr(), 1, &i, &lower, &upper) };
        if st == hs::kHighsStatusError as HInt {
            return Err(SolverError::Backend(format!(
                "HiGHS refused bounds for column {}",
                col.index()
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_session_answers_many_objectives_over_the_relaxation() {
        // x + y ≤ 1.5, x − y ≤ 0.5, x, y ∈ [0, 1], y integer (ignored).
        let mut m = Model::new(Sense::Minimize);
        let x = m.add_col(0.0, 1.0, 7.0, VarType::Continuous);
        let y = m.add_col(0.0, 1.0, 0.0, VarType::Integer);
        m.add_row(f64::NEG_INFINITY, 1.5, [(x, 1.0), (y, 1.0)]);
        m.add_row(f64::NEG_INFINITY, 0.5, [(x, 1.0), (y, -1.0)]);
        let mut s = LpSession::new(&m, &SolveOptions::default()).unwrap();
        let max_x = s.optimize(&[(x, 1.0)], Sense::Maximize).unwrap();
        assert_eq!(max_x.status, Status::Optimal);
        assert!((max_x.value.unwrap() - 1.0).abs() < 1e-9);
        assert_eq!(
            max_x.row_duals.as_ref().map(Vec::len),
            Some(2),
            "one multiplier per row"
        );
        // The cost on x must be gone when asking about y alone.
        let min_y = s.optimize(&[(y, 1.0)], Sense::Minimize).unwrap();
        assert!(min_y.value.unwrap().abs() < 1e-9);
        let max_sum = s.optimize(&[(x, 1.0), (y, 1.0)], Sense::Maximize).unwrap();
        assert!((max_sum.value.unwrap() - 1.5).abs() < 1e-9);
        s.set_col_bounds(y, 0.0, 0.25).unwrap();
        // x ≤ 0.5 + y now binds: x = 0.75, y = 0.25.
        let max_sum = s.optimize(&[(x, 1.0), (y, 1.0)], Sense::Maximize).unwrap();
        assert!((max_sum.value.unwrap() - 1.0).abs() < 1e-9);
        s.set_col_bounds(x, 0.9, 1.0).unwrap();
        s.set_col_bounds(y, 0.0, 0.1).unwrap();
        let infeasible = s.optimize(&[(x, 1.0)], Sense::Maximize).unwrap();
        assert_eq!(infeasible.status, Status::Infeasible);
        assert_eq!(infeasible.value, None);
        assert_eq!(infeasible.row_duals, None);
    }
}
