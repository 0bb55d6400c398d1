//! Heuristic pricing: columns of negative reduced cost found without a
//! proof, by alternating the best grid pattern for a hidden unit (w, b)
//! (per class, since the pattern's cost and the unit's interaction with the
//! multipliers are sums over the classes) and a coordinate descent of
//! (w, b) for that pattern ([`super::pricing::PatternPricing::descend`]).
//! Starts: the master's best-pricing columns, the incumbent's units, and a
//! pool of hyperplanes (axis thresholds, bisectors of sample pairs).

use super::column::{grid_weight_cost, hidden, unit_cost, Unit};
use super::dual::HingeDual;
use super::pricing::PatternPricing;
use super::{UnitColumns, UnitColumnsSettings};

/// Quantile thresholds per input feature for the axis-aligned starts.
const AXIS_THRESHOLDS: usize = 7;

/// Coordinates this close make two columns the same.
const SAME_UNIT: f64 = 1e-9;

/// Descent/pattern alternations per heuristic start.
const ALTERNATIONS: usize = 3;

impl UnitColumns<'_> {
    /// The pool of heuristic starts: axis-aligned thresholds at quantiles
    /// of each feature, then bisectors of sample pairs of different
    /// classes, each scaled into the box.
    pub(super) fn start_pool(&self) -> Vec<(Vec<f64>, f64)> {
        let (n, d) = (self.data.len(), self.data.num_features());
        let omega = self.settings.omega;
        let into_box = |w: Vec<f64>, b: f64| -> (Vec<f64>, f64) {
            let big = w.iter().fold(b.abs(), |a, v| a.max(v.abs()));
            if big == 0.0 {
                (w, b)
            } else {
                let t = omega / big;
                (w.iter().map(|v| v * t).collect(), b * t)
            }
        };
        let mut pool = Vec::new();
        for i in 0..d {
            let mut column: Vec<f64> = (0..n).map(|m| self.data.row(m)[i]).collect();
            column.sort_by(f64::total_cmp);
            for q in 1..=AXIS_THRESHOLDS {
                let x = column[q * (n - 1) / (AXIS_THRESHOLDS + 1)];
                for sign in [1.0, -1.0] {
                    let mut w = vec![0.0; d];
                    w[i] = sign;
                    pool.push(into_box(w, -sign * x));
                }
            }
        }
        // Bisectors: w = x_m − x_n, through their midpoint; pairs walk the
        // samples with a stride coprime to n so they spread over the data.
        let stride = (1..n).rev().find(|s| gcd(*s, n) == 1 && *s * 3 < n * 2).unwrap_or(1);
        let mut m = 0;
        for a in 0..n {
            m = (m + stride) % n;
            if self.data.label(a) == self.data.label(m) {
                continue;
            }
            let (xa, xm) = (self.data.row(a), self.data.row(m));
            let w: Vec<f64> = xm.iter().zip(xa).map(|(p, q)| p - q).collect();
            let b = -w
                .iter()
                .zip(xm.iter().zip(xa))
                .map(|(v, (p, q))| v * (p + q) / 2.0)
                .sum::<f64>();
            pool.push(into_box(w, b));
        }
        pool
    }

    /// For a hidden unit (w, b) under multipliers λ (per sample, per
    /// class), the pattern z of least reduced cost and that cost; `None`
    /// when every z ≠ 0 has a reduced cost ≥ 0.
    pub(super) fn best_pattern(
        &self,
        lambda: &[Vec<f64>],
        w: &[f64],
        b: f64,
        rows: &[&[f64]],
    ) -> Option<(f64, Vec<i32>)> {
        let s = self.settings;
        let h = hidden(w, b, rows);
        let k = self.data.num_classes();
        let mut g = vec![0.0; k];
        for (n, hn) in h.iter().enumerate() {
            if *hn != 0.0 {
                for c in 0..k {
                    g[c] += lambda[n][c] * hn;
                }
            }
        }
        let p = s.grid_levels as i32;
        let z: Vec<i32> = g
            .iter()
            .map(|&gk| {
                (-p..=p)
                    .map(|z| (grid_weight_cost(s, z) + s.grid_step * z as f64 * gk, z))
                    .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.abs().cmp(&b.1.abs())))
                    .map_or(0, |(_, z)| z)
            })
            .collect();
        if z.iter().all(|&v| v == 0) {
            return None;
        }
        let unit = Unit { w: w.to_vec(), b, z };
        let rc = unit_cost(s, &unit) + self.interaction(lambda, &unit.z, &h);
        (rc < 0.0).then_some((rc, unit.z))
    }

    /// G_u = s·Σ_n h_n·Σ_k z_k·λ_nk.
    pub(super) fn interaction(&self, lambda: &[Vec<f64>], z: &[i32], h: &[f64]) -> f64 {
        let s = self.settings.grid_step;
        h.iter()
            .zip(lambda)
            .filter(|(hn, _)| **hn != 0.0)
            .map(|(hn, l)| hn * l.iter().zip(z).map(|(a, &b)| a * b as f64).sum::<f64>())
            .sum::<f64>()
            * s
    }

    /// The reduced cost of a column under λ.
    pub(super) fn reduced_cost(&self, lambda: &[Vec<f64>], column: &(Unit, f64, Vec<f64>)) -> f64 {
        column.1 + self.interaction(lambda, &column.0.z, &column.2)
    }

    /// Heuristic pricing: from the master's best-pricing columns, the
    /// incumbent's units and the next starts of the pool, alternate the
    /// best pattern for (w, b) and a coordinate descent of (w, b) for that
    /// pattern; up to `columns_per_round` columns of reduced cost below
    /// `threshold`, most negative first.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn heuristic_columns(
        &self,
        rows: &[&[f64]],
        dual: &HingeDual,
        columns: &[(Unit, f64, Vec<f64>)],
        pool: &[(Vec<f64>, f64)],
        cursor: &mut usize,
        s: &UnitColumnsSettings,
        threshold: f64,
    ) -> Vec<Unit> {
        let lambda = dual.lambda();
        let mut ranked: Vec<(f64, usize)> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (self.reduced_cost(&lambda, c), i))
            .collect();
        ranked.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut starts: Vec<(Vec<f64>, f64)> = ranked
            .iter()
            .take(s.column_starts)
            .map(|&(_, i)| (columns[i].0.w.clone(), columns[i].0.b))
            .collect();
        starts.extend(self.seeds.iter().map(|u| (u.w.clone(), u.b)));
        for _ in 0..s.pool_starts.min(pool.len()) {
            starts.push(pool[*cursor % pool.len()].clone());
            *cursor += 1;
        }
        let mut found: Vec<(f64, Unit)> = Vec::new();
        for (w0, b0) in starts {
            let (mut w, mut b) = (w0, b0);
            let mut best: Option<(f64, Vec<i32>)> = None;
            for _ in 0..ALTERNATIONS {
                let Some((rc, z)) = self.best_pattern(&lambda, &w, b, rows) else {
                    break;
                };
                if best.as_ref().is_some_and(|(v, _)| rc >= *v) {
                    break;
                }
                best = Some((rc, z.clone()));
                let e: Vec<f64> = lambda
                    .iter()
                    .map(|l| self.settings.grid_step * l.iter().zip(&z).map(|(a, &c)| a * c as f64).sum::<f64>())
                    .collect();
                let pricing = PatternPricing::new(rows, e, self.settings.l1, self.settings.omega);
                let (_, w1, b1) = pricing.descend(&w, b);
                w = w1;
                b = b1;
            }
            if let Some((rc, z)) = self.best_pattern(&lambda, &w, b, rows) {
                if rc < threshold {
                    found.push((rc, Unit { w, b, z }));
                }
            }
        }
        found.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut added: Vec<Unit> = Vec::new();
        for (_, unit) in found {
            if added.len() == s.columns_per_round {
                break;
            }
            if !added
                .iter()
                .chain(columns.iter().map(|c| &c.0))
                .any(|u| same_unit(u, &unit))
            {
                added.push(unit);
            }
        }
        added
    }
}

fn gcd(a: usize, b: usize) -> usize {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

pub(super) fn same_unit(a: &Unit, b: &Unit) -> bool {
    a.z == b.z && (a.b - b.b).abs() <= SAME_UNIT && a.w.iter().zip(&b.w).all(|(x, y)| (x - y).abs() <= SAME_UNIT)
}
