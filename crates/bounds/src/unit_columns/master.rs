//! The restricted master, written as its dual LP over the hinge multipliers
//! (the solver trait returns primal values only, and the certificate needs
//! the multipliers):
//!
//! max margin·Σ π_nk − ω·Σ_k t_k + Σ_j cap_j·μ_j
//! s.t. Σ_k π_nk ≤ 1/N                                   (each sample n),
//!      t_k ≥ r_k, t_k ≥ −r_k, r_k = Σ_n λ_nk              (each class k),
//!      μ_j − s·Σ_n h_un·Σ_k z_uk·λ_nk ≤ cost_u             (each column u of block j),
//!      0 ≤ π_nk ≤ 1/N, t ≥ 0,
//!
//! with λ_nk = π_nk (k ≠ y_n), λ_{n,y_n} = −Σ_k π_nk and h_un =
//! relu(w_u·x_n + b_u). It is the LP dual of the primal master of the module
//! docs (ξ, o, c and λ_u over the columns found so far): μ_j is block j's
//! convexity row's multiplier, t_k the output bias's box. A block is either
//! the whole width (one block, Σ_u λ_u ≤ H: μ ≤ 0, cap H) or one hidden
//! unit of branch-and-price ([`super::branch`]: Σ_u λ_ju = 1, μ_j free,
//! cap 1). Its optimum is at least the full master's; the certificate
//! ([`super::certify`]) is what makes any of its points a bound. The
//! multipliers of the column rows are the primal weights λ_u.

use super::column::Unit;
use mipnet_milp::{Col, Model, Row, Sense, VarType};

/// The dual master over a set of columns.
pub struct Master {
    pub model: Model,
    /// π_nk's column, per sample and class (None on the sample's class).
    pub pi: Vec<Vec<Option<Col>>>,
    /// μ_j per block, its convexity row's multiplier: every column of the
    /// block has a reduced cost of at least μ_j in the master's solution.
    pub mu: Vec<Col>,
    /// The row of each column, in the order given: its multiplier is the
    /// column's weight λ_u in the primal master.
    pub column_rows: Vec<Row>,
}

/// A block's convexity row in the primal master.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Convexity {
    /// Σ_u λ_u ≤ cap: the whole width H (μ ≤ 0).
    AtMost(f64),
    /// Σ_u λ_u = 1: one hidden unit (μ free).
    One,
}

/// A column of the master: its block, unit, cost and hidden outputs.
pub struct MasterColumn<'c> {
    pub block: usize,
    pub unit: &'c Unit,
    pub cost: f64,
    pub h: &'c [f64],
}

/// What the master needs of the formulation.
pub struct MasterShape<'a> {
    pub rows: &'a [&'a [f64]],
    pub labels: &'a [usize],
    pub classes: usize,
    pub margin: f64,
    pub omega: f64,
    pub grid_step: f64,
}

impl Master {
    /// The master over `columns`, one convexity row per entry of `blocks`.
    pub fn build(shape: &MasterShape, blocks: &[Convexity], columns: &[MasterColumn]) -> Master {
        let MasterShape {
            labels,
            classes,
            margin,
            omega,
            grid_step,
            ..
        } = *shape;
        let n_samples = labels.len();
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
        let mu: Vec<Col> = blocks
            .iter()
            .map(|b| match *b {
                Convexity::AtMost(cap) => m.add_col(f64::NEG_INFINITY, 0.0, cap, VarType::Continuous),
                Convexity::One => m.add_col(f64::NEG_INFINITY, f64::INFINITY, 1.0, VarType::Continuous),
            })
            .collect();
        for cols in &pi {
            m.add_row(f64::NEG_INFINITY, inv_n, cols.iter().flatten().map(|&c| (c, 1.0)));
        }
        for k in 0..classes {
            let t = m.add_col(0.0, f64::INFINITY, -omega, VarType::Continuous);
            // r_k as terms over π.
            let mut r: Vec<(Col, f64)> = Vec::new();
            for (n, &y) in labels.iter().enumerate() {
                if y == k {
                    r.extend(pi[n].iter().flatten().map(|&c| (c, -1.0)));
                } else if let Some(c) = pi[n][k] {
                    r.push((c, 1.0));
                }
            }
            let plus = std::iter::once((t, 1.0)).chain(r.iter().map(|&(c, v)| (c, -v)));
            m.add_row(0.0, f64::INFINITY, plus);
            let minus = std::iter::once((t, 1.0)).chain(r.iter().copied());
            m.add_row(0.0, f64::INFINITY, minus);
        }
        let mut column_rows = Vec::with_capacity(columns.len());
        for &MasterColumn { block, unit, cost, h } in columns {
            let mut terms: Vec<(Col, f64)> = vec![(mu[block], 1.0)];
            for (n, &y) in labels.iter().enumerate() {
                if h[n] == 0.0 {
                    continue;
                }
                for (k, c) in pi[n].iter().enumerate() {
                    if let Some(c) = c {
                        let dz = (unit.z[k] - unit.z[y]) as f64;
                        if dz != 0.0 {
                            terms.push((*c, -grid_step * h[n] * dz));
                        }
                    }
                }
            }
            column_rows.push(m.add_row(f64::NEG_INFINITY, cost, terms));
        }
        Master {
            model: m,
            pi,
            mu,
            column_rows,
        }
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
