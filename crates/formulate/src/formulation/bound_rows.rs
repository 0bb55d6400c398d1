//! Rows that hand proven lower bounds to the MIP solver.
//!
//! - The **objective floor**: Σ_j c_j·x_j + offset ≥ B for a certified lower
//!   bound B on the optimum (from mipnet-bounds). Every network of the
//!   formulation scores at least B, so no integer-feasible point is cut off;
//!   the solver's own dual bound then starts at B instead of its root LP's
//!   value (near 0, docs/training.md says why).
//! - **Output-pair rows** (the Lipschitz-margin relaxation's rows, on the
//!   MILP's own columns): for samples n, m and every output k,
//!
//!   o_nk − o_mk ≤ Λ·Σ_i |x_ni − x_mi|·Σ_j A_ji
//!
//!   with A_ji ≥ |W_ji| the layer-1 ℓ1 auxiliaries
//!   ([`DenseFormulation::l1_auxiliaries`]) and Λ the Lipschitz constant of
//!   the outputs in the layer-1 ℓ1 masses (mipnet-bounds'
//!   `LipschitzMargin::lipschitz_constant`, which derives it for every
//!   dense architecture it accepts). A network's outputs obey it with
//!   A_ji = |W_ji|, and larger A only loosens it, so it holds at every
//!   integer-feasible point. Unlike the ReLU-level cuts of [`crate::cuts`],
//!   these rows tie the loss rows (on the outputs) to the ℓ1 penalty
//!   directly, which is what the Lipschitz-margin bound is made of.

use super::DenseFormulation;
use crate::expr::{merge_terms, negated, Expr};
use mipnet_milp::{Col, Row};

/// The objective floor is lowered by this relative amount (of max(1, |B|)):
/// the solver evaluates Σ c_j·x_j in f64, so a network scoring exactly B
/// could appear to miss the row by rounding; 1e-9 is far above that
/// rounding (about 2⁻⁵³ times the number of terms) and far below any gap
/// mipnet reports.
pub const FLOOR_SLACK: f64 = 1e-9;

/// Relative outward rounding of each output-pair row's coefficients
/// Λ·|x_ni − x_mi|, computed in f64: widened so a rounding can never make
/// the row tighter than the inequality it stands for.
pub const PAIR_ROW_ROUNDING: f64 = 1e-12;

impl DenseFormulation {
    /// Adds the row objective ≥ `floor` (lowered by [`FLOOR_SLACK`]) for a
    /// certified lower bound `floor` on the MILP's optimum. A caller with a
    /// bound that is not proven would cut off networks: only certified
    /// bounds belong here.
    pub fn add_objective_floor(&mut self, floor: f64) -> Row {
        let lowered = floor - FLOOR_SLACK * floor.abs().max(1.0) - self.model.offset();
        let terms: Vec<(Col, f64)> = self
            .model
            .col_cost()
            .iter()
            .enumerate()
            .filter(|(_, &c)| c != 0.0)
            .map(|(j, &c)| (Col::from_index(j), c))
            .collect();
        self.model.add_row(lowered, f64::INFINITY, terms)
    }

    /// The output-pair rows of samples (n, m) in `pairs`, both directions
    /// and every output, with the Lipschitz constant `lipschitz` (see the
    /// module docs for where it must come from); added to the model.
    /// Returns how many rows were added: none without ℓ1 auxiliaries (α = 0)
    /// or with a convolutional first layer (its layer-1 weights are shared
    /// filters, not the per-input masses the constant is derived for).
    pub fn add_output_pair_rows(&mut self, pairs: &[(usize, usize)], lipschitz: f64) -> usize {
        if self.convolution().is_some() || !(lipschitz.is_finite() && lipschitz > 0.0) {
            return 0;
        }
        let Some(aux) = self.l1_auxiliaries() else {
            return 0;
        };
        let (d, k) = (self.data.num_features(), self.layout.classes());
        let width = self.hidden_width(0);
        let mut added = 0;
        for &(n, m) in pairs {
            // −Λ·|Δx_i| on every A_ji.
            let mut budget: Vec<(Col, f64)> = Vec::new();
            for i in 0..d {
                let gap = (self.data.row(n)[i] - self.data.row(m)[i]).abs();
                if gap > 0.0 {
                    let coef = lipschitz * gap * (1.0 + PAIR_ROW_ROUNDING);
                    budget.extend((0..width).map(|j| (aux[self.layout.layer_one_index(j, i)], -coef)));
                }
            }
            for c in 0..k {
                let (on, om) = (self.output_terms(n, c), self.output_terms(m, c));
                for (hi, lo) in [(&on, &om), (&om, &on)] {
                    // The output biases appear on both sides and cancel.
                    let mut row: Expr = hi.clone();
                    row.extend(negated(lo));
                    row.extend_from_slice(&budget);
                    self.model.add_row(f64::NEG_INFINITY, 0.0, merge_terms(row));
                    added += 1;
                }
            }
        }
        added
    }
}
