//! Groups of integral columns that belong together: a hidden unit's, a
//! sample's, a layer's grid. The trainer's large-neighbourhood search frees
//! one or a few groups and fixes every other integral column at the
//! incumbent, so that the solver solves a small sub-MIP around it.

use crate::formulation::DenseFormulation;
use mipnet_milp::Col;

impl DenseFormulation {
    /// Every hidden unit as (layer, unit): neurons of dense layers, the
    /// filters of a convolution.
    pub fn hidden_units(&self) -> Vec<(usize, usize)> {
        let lay = self.layout();
        (0..lay.num_layers() - 1)
            .flat_map(|l| (0..lay.units(l)).map(move |u| (l, u)))
            .collect()
    }

    /// Number of hidden layers.
    pub fn hidden_layers(&self) -> usize {
        self.layout().num_layers() - 1
    }

    /// Number of training samples.
    pub fn samples(&self) -> usize {
        self.layout().samples()
    }

    /// The integral columns of hidden unit `u` of layer `l`: its ReLU
    /// binaries over every sample (every position of a filter, and the
    /// max-pooling selectors of its windows), its neuron indicator, the ℓ0
    /// indicators of its layer-1 weights, and the grid binaries of its
    /// incoming (layer ≥ 2) and outgoing weights.
    pub fn unit_binaries(&self, l: usize, u: usize) -> Vec<Col> {
        let lay = self.layout();
        let mut cols = Vec::new();
        let positions: Vec<usize> = (0..lay.width(l)).filter(|&j| lay.unit(l, j) == u).collect();
        for n in 0..lay.samples() {
            cols.extend(positions.iter().filter_map(|&j| lay.act(l, n, j).sigma));
        }
        if let (0, Some(c)) = (l, lay.conv()) {
            for n in 0..lay.samples() {
                for (w, p) in lay.pooled_of_sample(n).iter().enumerate() {
                    if c.pool.is_some() && c.filter_of_input(w) == u {
                        cols.extend(p.select.iter().flatten());
                    }
                }
            }
        }
        cols.extend(lay.neuron_on(l, u));
        if l == 0 {
            cols.extend(lay.layer_one_of_unit(u).iter().filter_map(|p| p.on));
        }
        if l >= 1 {
            for i in 0..lay.inputs_of(l) {
                cols.extend(lay.grid(l, u, i));
            }
        }
        let next = l + 1;
        for k in 0..lay.width(next) {
            for i in (0..lay.inputs_of(next)).filter(|&i| lay.input_unit(next, i) == u) {
                cols.extend(lay.grid(next, k, i));
            }
        }
        cols
    }

    /// Sample `n`'s integral columns: its ReLU binaries in every hidden
    /// layer, its max-pooling selectors, and its loss binary
    /// (misclassification loss).
    pub fn sample_binaries(&self, n: usize) -> Vec<Col> {
        let lay = self.layout();
        let mut cols = Vec::new();
        for l in 0..lay.num_layers() - 1 {
            cols.extend(lay.acts_of_sample(l, n).iter().filter_map(|a| a.sigma));
        }
        for p in lay.pooled_of_sample(n) {
            cols.extend(p.select.iter().flatten());
        }
        let integral = |c: &Col| self.model.col_types()[c.index()].is_integral();
        cols.extend(lay.loss_of_sample(n).iter().filter(|c| integral(c)));
        cols
    }

    /// The grid binaries of layer `l ≥ 1` (every weight of it).
    pub fn grid_binaries(&self, l: usize) -> Vec<Col> {
        self.layout().grid_layer(l).to_vec()
    }

    /// The layer indicators (layer pruning), one per prunable hidden layer.
    pub fn layer_indicators(&self) -> Vec<Col> {
        self.layout().layer_indicators().collect()
    }
}
