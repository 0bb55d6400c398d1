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
use mipnet_network::{Grid, Layer, Network};

/// The projected network. Neurons whose outgoing weights all round to 0
/// contribute nothing: their incoming weights and bias become 0, and with
/// neuron pruning on they are marked pruned.
pub fn project(net: &Network, s: &FormulationSettings) -> Network {
    let mut out = net.clone();
    let nl = out.layers.len();
    let top = s.grid_step * s.grid_levels as f64;
    for l in (1..nl).rev() {
        let inp = out.layers[l].inputs();
        // Inputs that share one scale: all values of one filter's feature
        // map (pooled or not) after a convolution, each neuron otherwise.
        let units = unit_inputs(&out.layers[l - 1], inp);
        for (u, inputs) in units.iter().enumerate() {
            let max = out.layers[l]
                .weights
                .iter()
                .flat_map(|r| inputs.iter().map(|&j| r[j].abs()))
                .fold(0.0, f64::max);
            let c = if max > 0.0 { max / top } else { 1.0 };
            for row in out.layers[l].weights.iter_mut() {
                for &j in inputs {
                    let z = (row[j] / c / s.grid_step)
                        .round()
                        .clamp(-(s.grid_levels as f64), s.grid_levels as f64);
                    row[j] = z * s.grid_step;
                }
            }
            scale_unit(&mut out.layers[l - 1], u, c);
            // A dead unit of layer l−1: nothing goes out.
            if out.layers[l]
                .weights
                .iter()
                .all(|r| inputs.iter().all(|&j| r[j] == 0.0))
            {
                scale_unit(&mut out.layers[l - 1], u, 0.0);
                if s.prune_neurons {
                    set_kept(&mut out.layers[l - 1], u, false);
                }
            }
        }
        out.layers[l - 1].unroll();
        out.layers[l].grid = Some(Grid {
            step: s.grid_step,
            levels: s.grid_levels,
        });
    }
    let largest = out.layers[0]
        .weight_params()
        .chain(out.layers.iter().flat_map(|l| l.bias.iter()))
        .fold(0.0f64, |m, v| m.max(v.abs()));
    if largest > s.omega {
        let t = s.omega / largest;
        let first = &mut out.layers[0];
        match &mut first.conv {
            Some(c) => c
                .filters
                .iter_mut()
                .for_each(|w| *w = (*w * t).clamp(-s.omega, s.omega)),
            None => first
                .weights
                .iter_mut()
                .flatten()
                .for_each(|w| *w = (*w * t).clamp(-s.omega, s.omega)),
        }
        first.unroll();
        for l in &mut out.layers {
            l.bias.iter_mut().for_each(|b| *b = (*b * t).clamp(-s.omega, s.omega));
        }
    }
    if s.symmetry_breaking {
        sort_neurons(&mut out);
    }
    out
}

/// For each unit of `below` (a filter of a convolution, else a neuron),
/// the inputs of the next layer (`inputs` long) that come from it.
fn unit_inputs(below: &Layer, inputs: usize) -> Vec<Vec<usize>> {
    match &below.conv {
        Some(c) => {
            let per = inputs / c.shape.channels;
            (0..c.shape.channels)
                .map(|u| (u * per..(u + 1) * per).collect())
                .collect()
        }
        None => (0..inputs).map(|j| vec![j]).collect(),
    }
}

/// Multiplies a unit's incoming weights and bias by `c` (the unrolled
/// matrix of a convolution is refreshed by the caller).
fn scale_unit(layer: &mut Layer, u: usize, c: f64) {
    match &mut layer.conv {
        Some(conv) => {
            let per_filter = conv.filters.len() / conv.shape.channels;
            conv.filters[u * per_filter..(u + 1) * per_filter]
                .iter_mut()
                .for_each(|w| *w *= c);
            let per = conv.shape.outputs() / conv.shape.channels;
            layer.bias[u * per..(u + 1) * per].iter_mut().for_each(|b| *b *= c);
        }
        None => {
            layer.weights[u].iter_mut().for_each(|w| *w *= c);
            layer.bias[u] *= c;
        }
    }
}

fn set_kept(layer: &mut Layer, u: usize, kept: bool) {
    let per = layer.conv.as_ref().map_or(1, |c| c.shape.outputs() / c.shape.channels);
    layer.kept[u * per..(u + 1) * per].iter_mut().for_each(|k| *k = kept);
}

/// Permutes each hidden layer's units (neurons, or a convolution's filters)
/// into symmetric order (kept first, then bias descending), moving the next
/// layer's weights along. A layer next to an identity layer keeps its
/// order: the identity passes neurons through by position.
pub fn sort_neurons(net: &mut Network) {
    for l in 0..net.layers.len() - 1 {
        if net.layers[l].identity || net.layers[l + 1].identity {
            continue;
        }
        let order = DenseFormulation::symmetric_order(&net.layers[l]);
        let layer = net.layers[l].clone();
        // Neurons per unit, and the next layer's inputs per unit.
        let per = layer.outputs() / order.len();
        let per_in = net.layers[l + 1].inputs() / order.len();
        if let (Some(c), Some(old)) = (net.layers[l].conv.as_mut(), layer.conv.as_ref()) {
            let block = old.filters.len() / order.len();
            for (new, &o) in order.iter().enumerate() {
                c.filters[new * block..(new + 1) * block].copy_from_slice(&old.filters[o * block..(o + 1) * block]);
            }
        }
        for (new, &o) in order.iter().enumerate() {
            for i in 0..per {
                net.layers[l].weights[new * per + i] = layer.weights[o * per + i].clone();
                net.layers[l].bias[new * per + i] = layer.bias[o * per + i];
                net.layers[l].kept[new * per + i] = layer.kept[o * per + i];
            }
        }
        let next = net.layers[l + 1].clone();
        for (row_new, row_old) in net.layers[l + 1].weights.iter_mut().zip(&next.weights) {
            for (new, &o) in order.iter().enumerate() {
                row_new[new * per_in..(new + 1) * per_in].copy_from_slice(&row_old[o * per_in..(o + 1) * per_in]);
            }
        }
    }
}
