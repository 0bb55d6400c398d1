//! Groups of integral columns that belong together: a hidden unit's, a
//! sample's, a layer's grid. The trainer's large-neighbourhood search frees
//! one or a few groups and fixes every other integral column at the
//! incumbent, so that the solver solves a small sub-MIP around it.

use crate::formulation::DenseFormulation;
use crate::layout::RuleCols;
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
    /// incoming (layer ≥ 2) and outgoing weights, and its rules' binaries
    /// (ReLU binaries at fixed decisions' points, monotone sign binaries).
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
        cols.extend(self.unit_rule_binaries(l, u));
        cols
    }

    /// The rules' binaries of hidden unit `u` of layer `l`: its ReLU
    /// binaries at each fixed decision's point and, in layer 1, its
    /// monotone rules' sign binaries (none for a convolution's filters,
    /// which rules do not reach).
    fn unit_rule_binaries(&self, l: usize, u: usize) -> Vec<Col> {
        let lay = self.layout();
        let mut cols = Vec::new();
        if l == 0 && lay.conv().is_some() {
            return cols;
        }
        for r in lay.rules() {
            match r {
                RuleCols::FixedDecision(p) => cols.extend(p.acts[l][u].sigma),
                RuleCols::Monotone { signs } if l == 0 => cols.extend([signs[u].0, signs[u].1]),
                _ => {}
            }
        }
        cols
    }

    /// Sample `n`'s integral columns: its ReLU binaries in every hidden
    /// layer, its max-pooling selectors, its loss binary
    /// (misclassification loss), its class-recall and fairness miss
    /// binaries and a fairness rule's beaten-by binaries.
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
        // Its miss binaries of class-recall and fairness rules, and a
        // fairness rule's beaten-by binaries (more than two classes).
        for r in lay.rules() {
            match r {
                RuleCols::ClassRecall { missed } => cols.extend(missed.iter().filter(|m| m.0 == n).map(|m| m.1)),
                RuleCols::Fairness { missed, beaten } => {
                    for (i, m) in missed.iter().enumerate().filter(|(_, m)| m.0 == n) {
                        cols.push(m.1);
                        cols.extend(beaten.get(i).into_iter().flatten().map(|b| b.1));
                    }
                }
                _ => {}
            }
        }
        cols
    }

    /// The grid binaries of layer `l ≥ 1` (every weight of it).
    pub fn grid_binaries(&self, l: usize) -> Vec<Col> {
        self.layout().grid_layer(l).to_vec()
    }

    /// Every integral column the rules add (feature-used binaries, miss
    /// binaries, the points' ReLU binaries, sign binaries), for a
    /// neighbourhood that frees the rules' choices.
    pub fn rule_binaries(&self) -> Vec<Col> {
        let lay = self.layout();
        let mut cols = Vec::new();
        for r in lay.rules() {
            match r {
                RuleCols::FeatureBudget { used } => cols.extend(used),
                RuleCols::NeuronLimit => {}
                RuleCols::ClassRecall { missed } => cols.extend(missed.iter().map(|m| m.1)),
                RuleCols::Fairness { missed, beaten } => {
                    cols.extend(missed.iter().map(|m| m.1));
                    cols.extend(beaten.iter().flatten().map(|b| b.1));
                }
                RuleCols::FixedDecision(p) => cols.extend(p.acts.iter().flatten().filter_map(|a| a.sigma)),
                RuleCols::Monotone { signs } => cols.extend(signs.iter().flat_map(|s| [s.0, s.1])),
            }
        }
        cols
    }

    /// The layer indicators (layer pruning), one per prunable hidden layer.
    pub fn layer_indicators(&self) -> Vec<Col> {
        self.layout().layer_indicators().collect()
    }
}
