//! A lower bound on an LP's optimum that holds whatever the LP solver's
//! tolerances did: recomputed in f64 from any row multipliers, with the
//! columns' boxes absorbing every residual, and a rounding margin.
//!
//! For `min cᵀx` subject to `l ≤ Ax ≤ u` and `lx ≤ x ≤ ux`, take any row
//! multipliers y (y_r > 0 on a row's lower side, y_r < 0 on its upper side).
//! For every feasible x,
//!
//! cᵀx = yᵀAx + (c − Aᵀy)ᵀx ≥ Σ_r side_r(y_r) + Σ_j min(r_j·lx_j, r_j·ux_j),
//!
//! with r = c − Aᵀy and side_r(y) = y·l_r if y > 0, y·u_r if y < 0. That is
//! weak duality with the reduced costs bounded over the box (Neumaier and
//! Shcherbina, "Safe bounds in linear and mixed-integer programming", Math.
//! Prog. 2004). It needs no feasibility of y: a multiplier on an infinite
//! side is dropped (set to 0), and a reduced cost of the wrong sign on an
//! infinite bound makes the bound −∞ (reported as none). So an inexact or
//! even a deliberately perturbed dual can only weaken the bound, never make
//! it exceed the optimum.
//!
//! Floating point: every product and sum is rounded. The bound is lowered by
//! `ROUNDING_MARGIN_PER_TERM · terms · Σ|term| + ROUNDING_MARGIN_FLOOR`,
//! plus, per column, the rounding its reduced cost can carry times the
//! largest |bound| it meets: the error of a sum of n
//! terms is at most about n·2⁻⁵³ of the sum of their magnitudes, so this
//! covers it twice over.

use mipnet_milp::{Model, Sense};

/// Relative margin, per term, on the sum of magnitudes of the terms of the
/// recomputed bound: 4 × 2⁻⁵³ per accumulated term, generous for both the
/// products and the running sums.
pub const ROUNDING_MARGIN_PER_TERM: f64 = 4.0 * f64::EPSILON / 2.0;

/// The bound's absolute floor of the margin: a bound is lowered by at least
/// this, so a sum that cancels to exactly zero is not taken at face value.
pub const ROUNDING_MARGIN_FLOOR: f64 = 1e-12;

/// A recomputed bound and what it took.
#[derive(Clone, Debug, PartialEq)]
pub struct SafeBound {
    /// The certified lower bound on the minimum (already lowered by the margin).
    pub value: f64,
    /// Σ y·side over the rows, before the box terms.
    pub row_part: f64,
    /// Σ over columns of min(r·lx, r·ux).
    pub box_part: f64,
    /// How much the bound was lowered for rounding.
    pub margin: f64,
    /// Row multipliers dropped because they pointed at an infinite side.
    pub dropped_multipliers: usize,
}

/// The certified lower bound of a minimizing LP from row multipliers `y`
/// (one per row, any values): `None` when a reduced cost meets an infinite
/// column bound on its wrong side (the multipliers prove nothing), when the
/// model is not a minimization, or when `y` has the wrong length.
pub fn lower_bound(lp: &Model, y: &[f64]) -> Option<SafeBound> {
    if lp.sense() != Sense::Minimize || y.len() != lp.num_rows() {
        return None;
    }
    let (start, index, value) = lp.matrix();
    let (row_lo, row_hi) = (lp.row_lower(), lp.row_upper());
    let mut reduced: Vec<f64> = lp.col_cost().to_vec();
    // |c_j| + Σ|y_r·a_rj|: what the rounding of reduced cost j scales with.
    let mut reduced_magnitude: Vec<f64> = reduced.iter().map(|c| c.abs()).collect();
    // How many products were subtracted from reduced cost j.
    let mut reduced_terms = vec![0usize; lp.num_cols()];
    let mut magnitude = 0.0;
    let mut terms = 0usize;
    let mut row_part = 0.0;
    let mut dropped = 0;
    for r in 0..lp.num_rows() {
        let side = if y[r] > 0.0 {
            row_lo[r]
        } else if y[r] < 0.0 {
            row_hi[r]
        } else {
            continue;
        };
        if !side.is_finite() || !y[r].is_finite() {
            dropped += 1;
            continue;
        }
        let t = y[r] * side;
        row_part += t;
        magnitude += t.abs();
        terms += 1;
        for e in start[r]..start[r + 1] {
            let c = index[e] as usize;
            let p = y[r] * value[e];
            reduced[c] -= p;
            reduced_magnitude[c] += p.abs();
            reduced_terms[c] += 1;
        }
    }
    let (lo, hi) = (lp.col_lower(), lp.col_upper());
    let mut box_part = 0.0;
    let mut box_error = 0.0;
    for j in 0..lp.num_cols() {
        let r = reduced[j];
        // The true reduced cost lies within ±err of the computed one.
        let err = ROUNDING_MARGIN_PER_TERM * (reduced_terms[j] + 2) as f64 * reduced_magnitude[j];
        let (l, u) = (lo[j], hi[j]);
        // min over x ∈ [l, u] of r·x, for every r within ±err.
        let t = match (l.is_finite(), u.is_finite()) {
            (true, true) => {
                box_error += err * l.abs().max(u.abs());
                (r * l).min(r * u)
            }
            (true, false) if r - err >= 0.0 => {
                box_error += err * l.abs();
                r * l
            }
            (false, true) if r + err <= 0.0 => {
                box_error += err * u.abs();
                r * u
            }
            (false, false) if r == 0.0 && err == 0.0 => 0.0,
            _ => return None,
        };
        box_part += t;
        magnitude += t.abs();
        terms += 1;
    }
    let raw = row_part + box_part + lp.offset();
    magnitude += lp.offset().abs();
    terms += 1;
    let margin = ROUNDING_MARGIN_PER_TERM * terms.max(1) as f64 * magnitude + box_error + ROUNDING_MARGIN_FLOOR;
    let value = raw - margin;
    value.is_finite().then_some(SafeBound {
        value,
        row_part,
        box_part,
        margin,
        dropped_multipliers: dropped,
    })
}
