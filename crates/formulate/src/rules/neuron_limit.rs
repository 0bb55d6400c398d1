//! Neuron limit: Σ q_u ≤ k over the neuron indicators of every hidden
//! layer (a convolution's filters count as units; see the module docs).

use crate::formulation::DenseFormulation;
use crate::layout::RuleCols;
use mipnet_network::Network;

/// Adds the rule's row (the build turned neuron pruning on for it).
pub(super) fn add(f: &mut DenseFormulation, max: usize) -> RuleCols {
    let (m, lay) = f.model_and_layout();
    let indicators: Vec<_> = (0..lay.num_layers() - 1)
        .flat_map(|l| (0..lay.units(l)).map(move |u| (l, u)))
        .map(|(l, u)| {
            (
                lay.neuron_on(l, u).expect("a neuron limit turns neuron pruning on"),
                1.0,
            )
        })
        .collect();
    m.add_row(f64::NEG_INFINITY, max as f64, indicators);
    RuleCols::NeuronLimit
}

/// Whether `net` keeps at most `max` hidden units, counted by their kept
/// flags (a unit not kept has every weight and its bias 0).
pub(super) fn check(net: &Network, max: usize) -> (bool, String) {
    let kept: usize = net.neurons_kept().iter().sum();
    (kept <= max, format!("keeps {kept} of at most {max} hidden units"))
}
