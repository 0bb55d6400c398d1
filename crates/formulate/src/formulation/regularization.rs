//! The penalties on the weights: α·ℓ1, λ·ℓ0 and γ·ℓ2. A layer-1 weight
//! (continuous) gets an auxiliary column per penalty with its rows; a grid
//! weight's binary u_v carries its value's penalties exactly in its cost.
//! The polish LP adds the same layer-1 auxiliaries to its free weights,
//! through the same functions.

use crate::formulation::pruning::gate_box;
use crate::settings::FormulationSettings;
use mipnet_milp::{Col, Model, VarType};

/// A ≥ |w| with cost α: A ≥ w and A ≥ −w, A ∈ [0, ω].
pub(crate) fn add_l1_auxiliary(m: &mut Model, w: Col, s: &FormulationSettings) -> Col {
    let a = m.add_col(0.0, s.omega, s.l1, VarType::Continuous);
    m.add_row(0.0, f64::INFINITY, [(a, 1.0), (w, -1.0)]);
    m.add_row(0.0, f64::INFINITY, [(a, 1.0), (w, 1.0)]);
    a
}

/// A binary with cost λ that is 1 when w ≠ 0: |w| ≤ ω·on.
pub(crate) fn add_l0_indicator(m: &mut Model, w: Col, s: &FormulationSettings) -> Col {
    let on = m.add_binary(s.l0);
    gate_box(m, w, on, s.omega);
    on
}

/// r ≥ w² (outer approximation) with cost γ: r ≥ 2tw − t² at each tangent
/// point t of [`FormulationSettings::l2_points`], r ∈ [0, ω²].
pub(crate) fn add_l2_tangents(m: &mut Model, w: Col, s: &FormulationSettings) -> Col {
    let r = m.add_col(0.0, s.omega * s.omega, s.l2, VarType::Continuous);
    for t in s.l2_points() {
        m.add_row(-t * t, f64::INFINITY, [(r, 1.0), (w, -2.0 * t)]);
    }
    r
}

/// The objective cutoff's ℓ1 budget: Σ A ≤ B over the layer-1 auxiliaries.
pub(super) fn add_l1_budget(m: &mut Model, auxiliaries: impl Iterator<Item = Col>, budget: f64) {
    let terms: Vec<(Col, f64)> = auxiliaries.map(|a| (a, 1.0)).collect();
    m.add_row(f64::NEG_INFINITY, budget, terms);
}

/// The cost of a grid weight's binary for value `v`: s·|v|·α + λ + s²v²·γ,
/// its penalties exactly.
pub(super) fn grid_value_cost(s: &FormulationSettings, v: i32) -> f64 {
    let a = (v.abs()) as f64;
    let step = s.grid_step;
    s.l1 * step * a + s.l0 + s.l2 * step * step * a * a
}
