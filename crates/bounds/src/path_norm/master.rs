//! The restricted master of the column generation, written as the dual LP
//! over the hinge multipliers (that is what the certificate needs):
//!
//! max margin·Σ π_nk
//! s.t. Σ_k π_nk ≤ 1/N                                  (each sample n),
//!      Σ_n λ_nk = 0                                     (each class k),
//!      −ακ ≤ Σ_n λ_nk·relu(w_a·x_n + b_a) ≤ ακ            (each unit a, class k),
//!      0 ≤ π_nk ≤ 1/N,
//!
//! with λ_nk = π_nk (k ≠ y_n) and λ_{n,y_n} = −Σ_k π_nk. Its value is at
//! least the relaxation's optimum (a unit's rows are the pricing condition
//! for that unit only); it is certified only through the pricing MILP.

use super::pricing::Atom;
use mipnet_milp::{Col, Model, Sense, VarType};

/// The master over a set of units.
pub struct Master {
    pub model: Model,
    /// π_nk's column, per sample and class (None on the sample's class).
    pub pi: Vec<Vec<Option<Col>>>,
}

impl Master {
    pub fn build(rows: &[&[f64]], labels: &[usize], classes: usize, margin: f64, price: f64, atoms: &[Atom]) -> Master {
        let n_samples = rows.len();
        let inv_n = 1.0 / n_samples as f64;
        let mut m = Model::new(Sense::Maximize);
        let pi: Vec<Vec<Option<Col>>> = labels
            .iter()
            .map(|&y| {
                (0..classes)
                    .map(|k| (k != y).then(|| m.add_col(0.0, inv_n, margin, VarType::Continuous)))
                    .collect()
            })
            .collect();
        for cols in &pi {
            m.add_row(f64::NEG_INFINITY, inv_n, cols.iter().flatten().map(|&c| (c, 1.0)));
        }
        // Σ_n λ_nk·v_n as terms over π, for one class k and values v.
        let lambda_terms = |k: usize, v: &[f64]| -> Vec<(Col, f64)> {
            let mut terms = Vec::new();
            for (n, &y) in labels.iter().enumerate() {
                if v[n] == 0.0 {
                    continue;
                }
                if y == k {
                    terms.extend(pi[n].iter().flatten().map(|&c| (c, -v[n])));
                } else if let Some(c) = pi[n][k] {
                    terms.push((c, v[n]));
                }
            }
            terms
        };
        let ones = vec![1.0; n_samples];
        for k in 0..classes {
            m.add_row(0.0, 0.0, lambda_terms(k, &ones));
        }
        for atom in atoms {
            let out = atom.outputs(rows);
            for k in 0..classes {
                let terms = lambda_terms(k, &out);
                if !terms.is_empty() {
                    m.add_row(-price, price, terms);
                }
            }
        }
        Master { model: m, pi }
    }

    /// π per sample and class from a solution of the master (0 on the
    /// sample's own class).
    pub fn multipliers(&self, solution: &[f64]) -> Vec<Vec<f64>> {
        self.pi
            .iter()
            .map(|cols| cols.iter().map(|c| c.map_or(0.0, |c| solution[c.index()])).collect())
            .collect()
    }
}
