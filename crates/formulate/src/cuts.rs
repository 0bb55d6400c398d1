//! Valid inequalities that cut off the relaxation's cheat.
//!
//! With fractional ReLU binaries the LP relaxation gives different samples
//! different hidden activations while the weights are 0, so its value is 0.
//! But all samples share the weights and ReLU is 1-Lipschitz: for samples
//! n, m and a first-layer neuron j,
//!
//! |h_nj − h_mj| ≤ |a_nj − a_mj| = |Σ_i W_ji (x_ni − x_mi)| ≤ Σ_i |x_ni − x_mi|·A_ji
//!
//! where A_ji ≥ |W_ji| are the ℓ1 auxiliaries. Each product with a grid
//! binary, q = u·h with u ∈ {0, 1}, obeys the same bound. Both sides are
//! linear, and every integer-feasible point satisfies them, so they are
//! valid cuts. They need the ℓ1 auxiliaries (α > 0).
//!
//! Adding all of them makes the LP much slower (DESIGN.md: 45 s instead of
//! 0.6 s on Iris), so they are separated: candidates are pairs of each
//! sample with its nearest samples of other classes, and only the inequalities
//! a relaxation solution violates are added.

use crate::formulation::DenseFormulation;
use mipnet_milp::Col;

/// One Lipschitz inequality: `plus − minus − Σ coef·A ≤ 0`.
#[derive(Clone, Debug, PartialEq)]
pub struct LipschitzCut {
    /// The larger side (an activation or a product), if not proven 0.
    pub plus: Option<Col>,
    /// The smaller side, if not proven 0.
    pub minus: Option<Col>,
    /// (A_ji, |x_ni − x_mi|) terms.
    pub budget: Vec<(Col, f64)>,
}

impl LipschitzCut {
    /// The row's terms.
    pub fn terms(&self) -> Vec<(Col, f64)> {
        let mut t: Vec<(Col, f64)> = self.plus.into_iter().map(|c| (c, 1.0)).collect();
        t.extend(self.minus.map(|c| (c, -1.0)));
        t.extend(self.budget.iter().map(|&(c, v)| (c, -v)));
        t
    }

    /// How much `x` violates it (positive when violated).
    pub fn violation(&self, x: &[f64]) -> f64 {
        self.terms().iter().map(|&(c, v)| v * x[c.index()]).sum()
    }
}

impl DenseFormulation {
    /// Pairs (n, m) of each training sample with its `k` nearest samples
    /// (Euclidean, standardized) of other classes, each pair once.
    pub fn cut_pairs(&self, k: usize) -> Vec<(usize, usize)> {
        let data = self.data();
        let n = data.len();
        let mut pairs = Vec::new();
        for a in 0..n {
            let mut others: Vec<(f64, usize)> = (0..n)
                .filter(|&b| data.label(b) != data.label(a))
                .map(|b| {
                    let d: f64 = data
                        .row(a)
                        .iter()
                        .zip(data.row(b))
                        .map(|(p, q)| (p - q) * (p - q))
                        .sum();
                    (d, b)
                })
                .collect();
            others.sort_by(|p, q| p.0.total_cmp(&q.0));
            for &(_, b) in others.iter().take(k) {
                pairs.push((a.min(b), a.max(b)));
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// Every Lipschitz inequality of the pair (n, m): both directions, for
    /// each first-layer neuron's activation and each of its products with a
    /// grid binary. Empty without ℓ1 auxiliaries.
    pub fn lipschitz_cuts(&self, n: usize, m: usize) -> Vec<LipschitzCut> {
        let Some(aux) = self.l1_auxiliaries() else {
            return Vec::new();
        };
        let data = self.data();
        let (d, lay) = (data.num_features(), self.layout());
        let dx: Vec<f64> = data
            .row(n)
            .iter()
            .zip(data.row(m))
            .map(|(p, q)| (p - q).abs())
            .collect();
        let mut cuts = Vec::new();
        let width = self.hidden_width(0);
        for j in 0..width {
            let budget: Vec<(Col, f64)> = (0..d)
                .filter(|&i| dx[i] > 0.0)
                .map(|i| (aux[lay.layer_one_index(j, i)], dx[i]))
                .collect();
            let mut sides = vec![(self.activation(0, n, j), self.activation(0, m, j))];
            sides.extend(self.products_of(n, j).into_iter().zip(self.products_of(m, j)));
            for (a, b) in sides {
                if a.is_none() && b.is_none() {
                    continue;
                }
                cuts.push(LipschitzCut {
                    plus: a,
                    minus: b,
                    budget: budget.clone(),
                });
                cuts.push(LipschitzCut {
                    plus: b,
                    minus: a,
                    budget: budget.clone(),
                });
            }
        }
        cuts
    }

    /// Adds a cut to the model.
    pub fn add_cut(&mut self, cut: &LipschitzCut) {
        self.model.add_row(f64::NEG_INFINITY, 0.0, cut.terms());
    }
}
