//! A column of the master: one hidden unit u = (w, b, v) of the network's
//! own block (|w_i| ≤ ω, |b| ≤ ω, v = s·z with z ∈ {−P..P}^K), with what
//! the formulation charges for it, and the grid patterns z.

use mipnet_formulate::FormulationSettings;

/// One hidden unit: layer-1 weights `w`, bias `b`, and its outgoing grid
/// weights v_k = s·z_k (one per class).
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub w: Vec<f64>,
    pub b: f64,
    pub z: Vec<i32>,
}

impl Unit {
    /// relu(w·x_n + b) for every sample row.
    pub fn hidden(&self, rows: &[&[f64]]) -> Vec<f64> {
        hidden(&self.w, self.b, rows)
    }

    /// Whether the unit lies in its block: the box on w and b, z on the grid.
    pub fn in_block(&self, s: &FormulationSettings) -> bool {
        let p = s.grid_levels as i32;
        self.w
            .iter()
            .chain([&self.b])
            .all(|v| v.is_finite() && v.abs() <= s.omega)
            && self.z.iter().all(|z| (-p..=p).contains(z))
    }
}

/// A unit's side on one sample, as branch-and-price fixes it
/// ([`super::branch`]): w·x_n + b ≥ 0 (active, relu is linear) or ≤ 0
/// (inactive, relu is 0). 0 belongs to both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Free,
    Active,
    Inactive,
}

/// w·x_n + b for every sample row.
pub fn activations(w: &[f64], b: f64, rows: &[&[f64]]) -> Vec<f64> {
    rows.iter()
        .map(|x| w.iter().zip(*x).map(|(a, c)| a * c).sum::<f64>() + b)
        .collect()
}

/// relu(w·x_n + b) for every sample row.
pub fn hidden(w: &[f64], b: f64, rows: &[&[f64]]) -> Vec<f64> {
    activations(w, b, rows).into_iter().map(|a| a.max(0.0)).collect()
}

/// What the formulation charges one outgoing grid weight of value s·z:
/// α·s·|z| + λ·[z ≠ 0] + γ·s²·z² (the cost of its binary, exactly).
pub fn grid_weight_cost(s: &FormulationSettings, z: i32) -> f64 {
    let a = z.unsigned_abs() as f64;
    let step = s.grid_step;
    let l0 = if z != 0 { s.l0 } else { 0.0 };
    s.l1 * step * a + l0 + s.l2 * step * step * a * a
}

/// The part of a unit's cost fixed by its pattern z: its outgoing grid
/// weights' costs, and β when neurons are prunable and the unit is used
/// (a unit with z ≠ 0 must be kept, so its indicator is 1 and paid).
pub fn pattern_cost(s: &FormulationSettings, z: &[i32]) -> f64 {
    let used = z.iter().any(|&v| v != 0);
    let neuron = if s.prune_neurons && used { s.neuron_penalty } else { 0.0 };
    z.iter().map(|&v| grid_weight_cost(s, v)).sum::<f64>() + neuron
}

/// The unit's whole cost in the master: α‖w‖₁ (its layer-1 ℓ1) plus its
/// pattern's cost. The layer-1 ℓ0 and ℓ2 terms are ≥ 0 and dropped.
pub fn unit_cost(s: &FormulationSettings, unit: &Unit) -> f64 {
    s.l1 * unit.w.iter().map(|v| v.abs()).sum::<f64>() + pattern_cost(s, &unit.z)
}

/// Every nonzero pattern z ∈ {−P..P}^K, in a fixed order, or `None` when
/// there are more than `limit`.
pub fn patterns(classes: usize, levels: u32, limit: usize) -> Option<Vec<Vec<i32>>> {
    let base = 2 * levels as u64 + 1;
    let all = base.checked_pow(u32::try_from(classes).ok()?)?;
    if all - 1 > limit as u64 {
        return None;
    }
    let p = levels as i32;
    let decode = |mut code: u64| -> Vec<i32> {
        (0..classes)
            .map(|_| {
                let v = (code % base) as i32 - p;
                code /= base;
                v
            })
            .collect()
    };
    Some((0..all).map(decode).filter(|z| z.iter().any(|&v| v != 0)).collect())
}
