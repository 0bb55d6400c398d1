//! Pruning: a neuron (filter) indicator per hidden unit, paid β when kept,
//! and a layer indicator per hidden layer that may become the identity,
//! paid the layer penalty when kept. A closed gate forces what it gates
//! to 0: the unit's weights in and out and its bias, or the whole layer's
//! weights and biases (the ReLU part then ties the layer's activations to
//! the previous layer's).

use super::DenseFormulation;
use mipnet_milp::{Col, Model};

impl DenseFormulation {
    /// The neuron and layer indicators, before the weights whose rows
    /// refer to them: hidden layers get theirs (when pruning is on and,
    /// for layers, when the layer may become the identity), the output
    /// layer none.
    pub(super) fn add_indicators(&mut self) {
        let s = &self.settings;
        let hidden = self.layout.num_layers() - 1;
        for l in 0..hidden {
            let cols = (0..self.layout.units(l))
                .map(|_| s.prune_neurons.then(|| self.model.add_binary(s.neuron_penalty)))
                .collect();
            self.layout.push_neuron_indicators(cols);
        }
        let prunable = s.prunable_layers();
        for l in 0..hidden {
            let col = (s.prune_layers && prunable.contains(&l)).then(|| self.model.add_binary(s.layer_penalty));
            self.layout.push_layer_indicator(col);
        }
        self.layout.push_layer_indicator(None);
        let outputs = self.layout.width(hidden);
        self.layout.push_neuron_indicators(vec![None; outputs]);
    }
}

/// −ω·g ≤ w ≤ ω·g: the gate `g` closed forces `w` ∈ [−ω, ω] to 0.
pub(crate) fn gate_box(m: &mut Model, w: Col, g: Col, omega: f64) {
    m.add_row(f64::NEG_INFINITY, 0.0, [(w, 1.0), (g, -omega)]);
    m.add_row(0.0, f64::INFINITY, [(w, 1.0), (g, omega)]);
}

/// Σ_v u_v ≤ g: the gate `g` closed forces a grid weight's binaries
/// (`ones`: each with coefficient 1) to 0.
pub(super) fn gate_grid_weight(m: &mut Model, ones: &[(Col, f64)], g: Col) {
    m.add_row(f64::NEG_INFINITY, 0.0, ones.iter().copied().chain([(g, -1.0)]));
}
