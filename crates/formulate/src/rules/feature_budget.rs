//! Feature budget: a binary f_i per input column, −ω·f_i ≤ W_{ji} ≤ ω·f_i
//! for every hidden neuron j, Σ_i f_i ≤ m (see the module docs).

use crate::formulation::gate_box;
use crate::formulation::DenseFormulation;
use crate::layout::RuleCols;
use mipnet_milp::Col;
use mipnet_network::Network;

/// Adds the rule's columns and rows.
pub(super) fn add(f: &mut DenseFormulation, max: usize) -> RuleCols {
    let omega = f.settings.omega;
    let (m, lay) = f.model_and_layout();
    let used: Vec<Col> = (0..lay.features()).map(|_| m.add_binary(0.0)).collect();
    for j in 0..lay.width(0) {
        for (i, &u) in used.iter().enumerate() {
            let w = lay.layer_one()[lay.layer_one_index(j, i)].w;
            gate_box(m, w, u, omega);
        }
    }
    m.add_row(f64::NEG_INFINITY, max as f64, used.iter().map(|&u| (u, 1.0)));
    RuleCols::FeatureBudget { used }
}

/// The input features `net` reads: those with a nonzero layer-1 weight.
pub(super) fn features_read(net: &Network) -> Vec<usize> {
    let first = &net.layers[0];
    (0..first.inputs())
        .filter(|&i| first.weights.iter().any(|row| row[i] != 0.0))
        .collect()
}

/// Whether `net` reads at most `max` features, and which it reads.
pub(super) fn check(net: &Network, max: usize) -> (bool, String) {
    let read = features_read(net);
    let names: Vec<&str> = read.iter().map(|&i| net.feature_names[i].as_str()).collect();
    (
        read.len() <= max,
        format!("reads {} of at most {max} features: {}", read.len(), names.join(", ")),
    )
}

/// f_i = 1 exactly for the features `net` reads.
pub(super) fn start(x: &mut [f64], used: &[Col], net: &Network) {
    for i in features_read(net) {
        x[used[i].index()] = 1.0;
    }
}
