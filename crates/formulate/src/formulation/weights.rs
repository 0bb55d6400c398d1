//! The weights: layer 1's continuous weights (a convolution's filter
//! weights) in [−ω, ω] with their penalty auxiliaries and neuron gates,
//! every layer's biases in [−ω, ω] with their gates, and the grid weights
//! of layers ≥ 2 as one binary per nonzero value (Σ_v u ≤ 1), each gated
//! by the neuron it leaves, the neuron it enters and its layer.

use super::pruning::{gate_box, gate_grid_weight};
use super::regularization::{add_l0_indicator, add_l1_auxiliary, add_l1_budget, add_l2_tangents, grid_value_cost};
use super::DenseFormulation;
use crate::layout::LayerOneWeight;
use mipnet_milp::{Col, VarType};

impl DenseFormulation {
    pub(super) fn add_weights(&mut self) {
        // Indicators first: the weights' rows refer to them.
        self.add_indicators();
        self.add_layer_one_weights();
        self.add_biases();
        self.add_grid_weights();
    }

    /// Layer 1: continuous weights with ℓ1, ℓ0, ℓ2 auxiliaries, each
    /// gated by its neuron or filter; then the cutoff's ℓ1 budget.
    fn add_layer_one_weights(&mut self) {
        let s = &self.settings;
        let count = match self.layout.conv() {
            Some(c) => c.shape.params(),
            None => self.layout.width(0) * self.layout.features(),
        };
        let m = &mut self.model;
        for idx in 0..count {
            let w = m.add_col(-s.omega, s.omega, 0.0, VarType::Continuous);
            let abs = (s.l1 > 0.0).then(|| add_l1_auxiliary(m, w, s));
            let on = (s.l0 > 0.0).then(|| add_l0_indicator(m, w, s));
            let sq = (s.l2 > 0.0).then(|| add_l2_tangents(m, w, s));
            if let Some(q) = self.layout.neuron_on(0, self.layout.layer_one_unit(idx)) {
                gate_box(m, w, q, s.omega);
            }
            self.layout.push_layer_one(LayerOneWeight { w, abs, on, sq });
        }
        if let Some(b) = self.l1_budget {
            let auxiliaries = self.layout.layer_one().iter().filter_map(|p| p.abs);
            add_l1_budget(m, auxiliaries, b);
        }
    }

    /// Biases of every layer (per filter in a convolution), gated by
    /// neuron and layer indicators.
    fn add_biases(&mut self) {
        let omega = self.settings.omega;
        for l in 0..self.layout.num_layers() {
            let mut cols = Vec::new();
            for j in 0..self.layout.units(l) {
                let b = self.model.add_col(-omega, omega, 0.0, VarType::Continuous);
                for gate in [self.layout.neuron_on(l, j), self.layout.layer_on(l)]
                    .into_iter()
                    .flatten()
                {
                    gate_box(&mut self.model, b, gate, omega);
                }
                cols.push(b);
            }
            self.layout.push_biases(cols);
        }
    }

    /// Grid weights of layers ≥ 2: one binary per nonzero value, its
    /// penalties in its cost; Σ_v u ≤ 1, and ≤ each gate (neuron in,
    /// neuron out, layer).
    fn add_grid_weights(&mut self) {
        self.layout.push_grid_layer(Vec::new());
        let values = self.layout.values().to_vec();
        for l in 1..self.layout.num_layers() {
            let (inp, out) = (self.layout.inputs_of(l), self.layout.width(l));
            let mut cols = Vec::with_capacity(out * inp * values.len());
            for k in 0..out {
                for j in 0..inp {
                    let ones: Vec<(Col, f64)> = values
                        .iter()
                        .map(|&v| (self.model.add_binary(grid_value_cost(&self.settings, v)), 1.0))
                        .collect();
                    cols.extend(ones.iter().map(|t| t.0));
                    self.model.add_row(f64::NEG_INFINITY, 1.0, ones.iter().copied());
                    let gates = [
                        self.layout.input_gate(l, j),
                        self.layout.neuron_on(l, k),
                        self.layout.layer_on(l),
                    ];
                    for g in gates.into_iter().flatten() {
                        gate_grid_weight(&mut self.model, &ones, g);
                    }
                }
            }
            self.layout.push_grid_layer(cols);
        }
    }
}
