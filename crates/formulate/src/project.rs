//! Projection of a real-valued network onto the MILP's feasible set: weights
//! of layers ≥ 2 on the grid s·{−P..P}, layer-1 weights and biases in
//! [−ω, ω], neurons in the order symmetry breaking demands.
//!
//! ReLU is positively homogeneous: scaling a hidden neuron's incoming
//! weights and bias by c > 0 and its outgoing weights by 1/c leaves the
//! network's function unchanged. Going from the output layer down, each
//! neuron's scale is chosen so its largest outgoing weight lands on ±s·P,
//! the outgoing weights are rounded to the grid, and the scale moves into
//! the layer below. A final common factor t ≤ 1 brings layer 1 and every
//! bias into the box (it scales all outputs by t, which keeps every
//! prediction).

use crate::{DenseFormulation, FormulationSettings};
use mipnet_network::{Grid, Network};

/// The projected network. Neurons whose outgoing weights all round to 0
/// contribute nothing: their incoming weights and bias become 0, and with
/// neuron pruning on they are marked pruned.
pub fn project(net: &Network, s: &FormulationSettings) -> Network {
    let mut out = net.clone();
    let nl = out.layers.len();
    let top = s.grid_step * s.grid_levels as f64;
    for l in (1..nl).rev() {
        let inp = out.layers[l].inputs();
        for j in 0..inp {
            let max = out.layers[l].weights.iter().map(|r| r[j].abs()).fold(0.0, f64::max);
            let c = if max > 0.0 { max / top } else { 1.0 };
            for row in out.layers[l].weights.iter_mut() {
                let z = (row[j] / c / s.grid_step)
                    .round()
                    .clamp(-(s.grid_levels as f64), s.grid_levels as f64);
                row[j] = z * s.grid_step;
            }
            let below = &mut out.layers[l - 1];
            below.weights[j].iter_mut().for_each(|w| *w *= c);
            below.bias[j] *= c;
        }
        out.layers[l].grid = Some(Grid {
            step: s.grid_step,
            levels: s.grid_levels,
        });
        // Dead neurons of layer l−1: nothing goes out.
        for j in 0..inp {
            if out.layers[l].weights.iter().all(|r| r[j] == 0.0) {
                let below = &mut out.layers[l - 1];
                below.weights[j].iter_mut().for_each(|w| *w = 0.0);
                below.bias[j] = 0.0;
                if s.prune_neurons {
                    below.kept[j] = false;
                }
            }
        }
    }
    let largest = out.layers[0]
        .weights
        .iter()
        .flatten()
        .chain(out.layers.iter().flat_map(|l| l.bias.iter()))
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if largest > s.omega {
        let t = s.omega / largest;
        out.layers[0]
            .weights
            .iter_mut()
            .flatten()
            .for_each(|w| *w = (*w * t).clamp(-s.omega, s.omega));
        for l in &mut out.layers {
            l.bias.iter_mut().for_each(|b| *b = (*b * t).clamp(-s.omega, s.omega));
        }
    }
    if s.symmetry_breaking {
        sort_neurons(&mut out);
    }
    out
}

/// Permutes each hidden layer's neurons into symmetric order (kept first,
/// then bias descending), moving the next layer's weights along. A layer
/// next to an identity layer keeps its order: the identity passes neurons
/// through by position.
pub fn sort_neurons(net: &mut Network) {
    for l in 0..net.layers.len() - 1 {
        if net.layers[l].identity || net.layers[l + 1].identity {
            continue;
        }
        let order = DenseFormulation::symmetric_order(&net.layers[l]);
        let layer = net.layers[l].clone();
        for (new, &old) in order.iter().enumerate() {
            net.layers[l].weights[new] = layer.weights[old].clone();
            net.layers[l].bias[new] = layer.bias[old];
            net.layers[l].kept[new] = layer.kept[old];
        }
        let next = net.layers[l + 1].clone();
        for (row_new, row_old) in net.layers[l + 1].weights.iter_mut().zip(&next.weights) {
            for (new, &old) in order.iter().enumerate() {
                row_new[new] = row_old[old];
            }
        }
    }
}
