//! One ReLU h = max(0, a) per neuron and sample, with the interval bounds
//! L ≤ a ≤ U of that sample: U ≤ 0 ⇒ h = 0 (no column); L ≥ 0 ⇒ h = a;
//! otherwise a binary σ with h ≥ a, h ≥ 0, h ≤ a − L(1 − σ), h ≤ U·σ.
//! When the layer may become the identity (layer pruning), each row is
//! relaxed by big-M through the layer indicator r, and r = 0 ties h to
//! the previous layer's activation.

use super::DenseFormulation;
use crate::layout::Act;
use mipnet_milp::{Col, VarType};

impl DenseFormulation {
    /// One ReLU h = max(0, a) with a ∈ [lo, up] and a = Σ `terms`.
    pub(super) fn add_relu(&mut self, l: usize, n: usize, j: usize, lo: f64, up: f64, terms: Vec<(Col, f64)>) -> Act {
        let layer_on = self.layout.layer_on(l);
        // With layer pruning h may equal the previous layer's activation.
        let prev = layer_on.map(|_| *self.layout.act(l - 1, n, j));
        let h_upper = prev.map_or(up.max(0.0), |p| up.max(p.upper));
        let m = &mut self.model;
        let counts = &mut self.relu_counts;
        if layer_on.is_none() && up <= 0.0 {
            counts.stable_pairs += 1;
            return Act {
                h: None,
                sigma: None,
                upper: 0.0,
            };
        }
        let h = m.add_col(0.0, h_upper, 0.0, VarType::Continuous);
        let neg = |t: &[(Col, f64)]| t.iter().map(|&(c, v)| (c, -v)).collect::<Vec<_>>();
        let big = h_upper - lo; // bounds |h − a| when the layer is off
        let relax = |row: &mut Vec<(Col, f64)>, coef: f64| {
            if let Some(r) = layer_on {
                row.push((r, coef));
            }
        };
        let relax_rhs = if layer_on.is_some() { big } else { 0.0 };
        if layer_on.is_none() && lo >= 0.0 {
            // Stable active: h = a.
            counts.stable_pairs += 1;
            let mut row = vec![(h, 1.0)];
            row.extend(neg(&terms));
            m.add_row(0.0, 0.0, row);
            return Act {
                h: Some(h),
                sigma: None,
                upper: h_upper,
            };
        }
        let sigma = m.add_binary(0.0);
        counts.binaries += 1;
        counts.big_m_sum += up - lo;
        // h − a ≥ 0   (relaxed: h − a − big·r ≥ −big)
        let mut row = vec![(h, 1.0)];
        row.extend(neg(&terms));
        relax(&mut row, -big);
        m.add_row(-relax_rhs, f64::INFINITY, row);
        // h − a − lo·σ ≤ −lo   (relaxed: + big·r on the left, + big on the right)
        let mut row = vec![(h, 1.0), (sigma, -lo)];
        row.extend(neg(&terms));
        relax(&mut row, big);
        m.add_row(f64::NEG_INFINITY, -lo + relax_rhs, row);
        // h − up·σ ≤ 0
        let mut row = vec![(h, 1.0), (sigma, -up.max(0.0))];
        relax(&mut row, big);
        m.add_row(f64::NEG_INFINITY, relax_rhs, row);
        if let (Some(r), Some(p)) = (layer_on, prev) {
            // Off ⇒ h = h_prev: |h − h_prev| ≤ M·r.
            let mm = h_upper.max(p.upper);
            if let Some(ph) = p.h {
                m.add_row(f64::NEG_INFINITY, 0.0, [(h, 1.0), (ph, -1.0), (r, -mm)]);
                m.add_row(0.0, f64::INFINITY, [(h, 1.0), (ph, -1.0), (r, mm)]);
            } else {
                m.add_row(f64::NEG_INFINITY, 0.0, [(h, 1.0), (r, -mm)]);
            }
        }
        Act {
            h: Some(h),
            sigma: Some(sigma),
            upper: h_upper,
        }
    }
}
