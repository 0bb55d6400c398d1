//! Monotone in a feature (one hidden layer): sign binaries p⁺_j, p⁻_j of
//! W_{ji} and the sign rows on d_{jl} = v_{cj} − v_{lj} (the equations are
//! in the module docs).

use crate::formulation::DenseFormulation;
use crate::layout::RuleCols;
use mipnet_milp::Col;
use mipnet_network::Network;

/// Adds the rule's columns and rows.
pub(super) fn add(f: &mut DenseFormulation, feature: usize, class: usize, increasing: bool) -> RuleCols {
    let (omega, step) = (f.settings.omega, f.settings.grid_step);
    let big = 2.0 * step * f.settings.grid_levels as f64;
    let (m, lay) = f.model_and_layout();
    let values: Vec<f64> = lay.values().iter().map(|&v| step * v as f64).collect();
    let mut signs = Vec::with_capacity(lay.width(0));
    for j in 0..lay.width(0) {
        let w = lay.layer_one()[lay.layer_one_index(j, feature)].w;
        let (pos, neg) = (m.add_binary(0.0), m.add_binary(0.0));
        // W ≤ ω·p⁺, W ≥ −ω·p⁻, p⁺ + p⁻ ≤ 1.
        m.add_row(f64::NEG_INFINITY, 0.0, [(w, 1.0), (pos, -omega)]);
        m.add_row(0.0, f64::INFINITY, [(w, 1.0), (neg, omega)]);
        m.add_row(f64::NEG_INFINITY, 1.0, [(pos, 1.0), (neg, 1.0)]);
        // The sign binary that demands d ≥ 0, and the one that demands d ≤ 0.
        let (up, down) = if increasing { (pos, neg) } else { (neg, pos) };
        for l in (0..lay.classes()).filter(|&l| l != class) {
            // d = s·Σ_v v·(u_{cjv} − u_{ljv})
            let d: Vec<(Col, f64)> = lay
                .grid(1, class, j)
                .iter()
                .zip(&values)
                .map(|(&u, &v)| (u, v))
                .chain(lay.grid(1, l, j).iter().zip(&values).map(|(&u, &v)| (u, -v)))
                .collect();
            // d ≥ −D(1 − up): d − D·up ≥ −D
            m.add_row(-big, f64::INFINITY, d.iter().copied().chain([(up, -big)]));
            // d ≤ D(1 − down): d + D·down ≤ D
            m.add_row(f64::NEG_INFINITY, big, d.iter().copied().chain([(down, big)]));
        }
        signs.push((pos, neg));
    }
    RuleCols::Monotone { signs }
}

/// The paths (unit j, other class l) whose sign breaks the rule:
/// (v_{cj} − v_{lj})·W_{ji} < 0 (increasing) or > 0 (decreasing).
pub(super) fn broken_paths(net: &Network, feature: usize, class: usize, increasing: bool) -> Vec<(usize, usize)> {
    let (first, out) = (&net.layers[0], &net.layers[1]);
    let mut broken = Vec::new();
    for j in 0..first.outputs() {
        for l in (0..out.outputs()).filter(|&l| l != class) {
            let sign = (out.weights[class][j] - out.weights[l][j]) * first.weights[j][feature];
            if (increasing && sign < 0.0) || (!increasing && sign > 0.0) {
                broken.push((j, l));
            }
        }
    }
    broken
}

/// Whether every path's sign condition holds on `net`'s weights.
pub(super) fn check(net: &Network, feature: usize, class: usize, increasing: bool) -> (bool, String) {
    if net.layers.len() != 2 {
        return (
            false,
            format!(
                "{} weight layers: the sign condition is for one hidden layer",
                net.layers.len()
            ),
        );
    }
    let broken = broken_paths(net, feature, class, increasing);
    let detail = match broken.first() {
        None => format!(
            "(v_cj − v_lj)·W_ji {} 0 on all {} paths",
            if increasing { "≥" } else { "≤" },
            net.layers[0].outputs() * (net.layers[1].outputs() - 1)
        ),
        Some(&(j, l)) => format!(
            "{} paths break the sign condition, e.g. hidden unit {} against class \"{}\"",
            broken.len(),
            j + 1,
            net.class_names[l]
        ),
    };
    (broken.is_empty(), detail)
}

/// p⁺ = [W > 0], p⁻ = [W < 0].
pub(super) fn start(x: &mut [f64], signs: &[(Col, Col)], net: &Network, feature: usize) {
    for (j, &(pos, neg)) in signs.iter().enumerate() {
        let w = net.layers[0].weights[j][feature];
        x[pos.index()] = if w > 0.0 { 1.0 } else { 0.0 };
        x[neg.index()] = if w < 0.0 { 1.0 } else { 0.0 };
    }
}
