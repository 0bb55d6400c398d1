//! The MILP's objective evaluated for a network by its forward pass: the
//! mean loss plus every penalty, as the model's columns would price them.
//! The certificate compares it with the solver's objective; the trainer
//! ranks networks by it.

use crate::formulation::DenseFormulation;
use crate::settings::Loss;
use crate::tolerances::MARGIN_MET;
use mipnet_network::Network;

impl DenseFormulation {
    /// The loss of one sample with label `y` and output scores `o`, as the
    /// MILP defines it (before averaging).
    pub fn sample_loss(&self, y: usize, o: &[f64]) -> f64 {
        let margin = self.settings.margin;
        let worst = (0..o.len())
            .filter(|&c| c != y)
            .map(|c| margin - (o[y] - o[c]))
            .fold(f64::NEG_INFINITY, f64::max);
        match self.settings.loss {
            Loss::Hinge => worst.max(0.0),
            // A sample exactly at the margin counts as met.
            Loss::Misclassification => {
                if worst > MARGIN_MET {
                    1.0
                } else {
                    0.0
                }
            }
            Loss::L1 => o
                .iter()
                .enumerate()
                .map(|(c, v)| (v - if c == y { 1.0 } else { 0.0 }).abs())
                .sum(),
        }
    }

    /// The MILP's objective evaluated for a network by its forward pass
    /// (each sample's loss weighted by its class's weight).
    pub fn objective_of(&self, net: &Network) -> f64 {
        let s = &self.settings;
        let data = self.data();
        let loss: f64 = (0..data.len())
            .map(|n| self.loss_cost(n) * self.sample_loss(data.label(n), &net.scores_standardized(data.row(n))))
            .sum::<f64>();
        let mut reg = 0.0;
        for (l, layer) in net.layers.iter().enumerate() {
            if layer.identity {
                continue;
            }
            for w in layer.weight_params() {
                if l == 0 {
                    reg += s.l1 * w.abs() + s.l2 * s.l2_approx(*w);
                } else {
                    reg += s.l1 * w.abs() + s.l2 * w * w;
                }
                if *w != 0.0 {
                    reg += s.l0;
                }
            }
        }
        let neurons: usize = if s.prune_neurons {
            net.neurons_kept().iter().sum()
        } else {
            0
        };
        let layers = (0..net.layers.len())
            .filter(|&l| self.layout().layer_on(l).is_some() && !net.layers[l].identity)
            .count();
        loss + reg + s.neuron_penalty * neurons as f64 + s.layer_penalty * layers as f64
    }
}
