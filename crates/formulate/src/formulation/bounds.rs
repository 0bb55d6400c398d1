//! Interval bounds of the pre-activations, per sample: the big-M values
//! of the ReLUs, the bounds of the products and of the loss variables.
//! Layer 1: U = ω(Σ_i |x_i| + 1) (under an objective cutoff, the largest
//! Σ|w_i||x_i| within the ℓ1 budget); layer ℓ ≥ 2: U = s·P·Σ_j H_j + ω;
//! L = −U.

use super::DenseFormulation;

impl DenseFormulation {
    /// Interval bound U of |a| for neuron `j` of layer `l`, sample `n`
    /// (the same for every neuron of a dense layer).
    pub(super) fn interval_bound(&self, l: usize, n: usize, j: usize) -> f64 {
        let s = &self.settings;
        let row = self.data.row(n);
        match (l, self.layout.conv()) {
            (0, Some(c)) => {
                let xs: Vec<f64> = c.taps[j].iter().map(|&(i, _)| row[i].abs()).collect();
                budgeted_sum(xs, s.omega, self.l1_budget) + s.omega
            }
            (0, None) => budgeted_sum(row.iter().map(|x| x.abs()).collect(), s.omega, self.l1_budget) + s.omega,
            _ => {
                let h_sum: f64 = (0..self.layout.inputs_of(l))
                    .map(|j| self.layout.input_act(l, n, j).upper)
                    .sum();
                s.grid_step * s.grid_levels as f64 * h_sum + s.omega
            }
        }
    }

    /// Bound on |o_{nk}| for sample n.
    pub(crate) fn output_bound(&self, n: usize) -> f64 {
        self.interval_bound(self.layout.num_layers() - 1, n, 0)
    }
}

/// The largest Σ w_i·x_i over 0 ≤ w_i ≤ ω with Σ w_i ≤ `budget` (for
/// x_i ≥ 0): ω on the largest x_i first, the rest of the budget on the next.
fn budgeted_sum(mut xs: Vec<f64>, omega: f64, budget: Option<f64>) -> f64 {
    let Some(mut left) = budget else {
        return omega * xs.iter().sum::<f64>();
    };
    xs.sort_by(|a, b| b.total_cmp(a));
    let mut sum = 0.0;
    for x in xs {
        if left <= 0.0 {
            break;
        }
        let w = omega.min(left);
        sum += w * x;
        left -= w;
    }
    sum
}
