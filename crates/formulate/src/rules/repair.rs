//! Repairing a start for the rules it can be repaired for, cheaply and
//! without a solve: a feature budget keeps the features with the largest
//! layer-1 weights, a monotone rule zeroes each layer-1 weight whose path
//! breaks the sign condition (W = 0 satisfies it for every path), a
//! neuron limit keeps the units with the largest weights in and out.
//! Class recall, fixed decisions and fairness are not repaired: a start
//! that breaks them is dropped ([`DenseFormulation::start_values`] refuses it).

use super::{monotone, Resolved};
use crate::formulation::DenseFormulation;
use crate::project::sort_neurons;
use mipnet_network::Network;

impl DenseFormulation {
    /// `net` changed as little as these rules need for it to keep every
    /// feature budget, neuron limit and monotone rule of the formulation
    /// (dense layers; a network with a convolution is returned as is);
    /// neurons re-sorted when symmetry breaking is on. Call before
    /// [`DenseFormulation::start_values`], which still refuses a start
    /// that breaks a rule (a class recall or fixed decision, which this
    /// does not repair).
    pub fn repair_for_rules(&self, net: &Network) -> Network {
        let mut out = net.clone();
        if out.has_conv() {
            return out;
        }
        for rule in self.resolved_rules() {
            match *rule {
                Resolved::FeatureBudget { max } => keep_features(&mut out, max),
                Resolved::Monotone {
                    feature,
                    class,
                    increasing,
                } => {
                    for (j, _) in monotone::broken_paths(&out, feature, class, increasing) {
                        out.layers[0].weights[j][feature] = 0.0;
                    }
                }
                Resolved::NeuronLimit { max } => keep_units(&mut out, max),
                Resolved::ClassRecall { .. }
                | Resolved::FixedDecision(_)
                | Resolved::Fairness(_)
                | Resolved::Region => {}
            }
        }
        if self.settings.symmetry_breaking {
            sort_neurons(&mut out);
        }
        out
    }
}

/// Zeroes the layer-1 weights of every feature but the `max` with the
/// largest Σ_j |W_{ji}| (ties: the first).
fn keep_features(net: &mut Network, max: usize) {
    let first = &mut net.layers[0];
    let mass = |i: usize| first.weights.iter().map(|r| r[i].abs()).sum::<f64>();
    let mut order: Vec<usize> = (0..first.inputs()).collect();
    order.sort_by(|&a, &b| mass(b).total_cmp(&mass(a)).then(a.cmp(&b)));
    for &i in &order[max.min(order.len())..] {
        first.weights.iter_mut().for_each(|r| r[i] = 0.0);
    }
}

/// Prunes every kept hidden unit but the `max` with the largest
/// (Σ|weights in| + |bias|)·Σ|weights out|: its kept flag off, every
/// weight in and out and its bias 0.
fn keep_units(net: &mut Network, max: usize) {
    let hidden = net.layers.len() - 1;
    let mut units: Vec<(usize, usize, f64)> = Vec::new();
    for l in 0..hidden {
        let (layer, next) = (&net.layers[l], &net.layers[l + 1]);
        for j in (0..layer.outputs()).filter(|&j| layer.kept[j]) {
            let inward = layer.weights[j].iter().map(|w| w.abs()).sum::<f64>() + layer.bias[j].abs();
            let outward: f64 = next.weights.iter().map(|r| r[j].abs()).sum();
            units.push((l, j, inward * outward));
        }
    }
    units.sort_by(|a, b| b.2.total_cmp(&a.2).then((a.0, a.1).cmp(&(b.0, b.1))));
    for &(l, j, _) in &units[max.min(units.len())..] {
        let layer = &mut net.layers[l];
        layer.kept[j] = false;
        layer.weights[j].iter_mut().for_each(|w| *w = 0.0);
        layer.bias[j] = 0.0;
        net.layers[l + 1].weights.iter_mut().for_each(|r| r[j] = 0.0);
    }
}
