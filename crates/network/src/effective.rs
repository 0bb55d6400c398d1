//! Which neurons affect an output, and the network without the others.
//!
//! The analysis reads the weights that the forward pass multiplies, not the
//! pruning mask: a neuron marked pruned has zero weights in and out, so it
//! comes out constant or without effect here too; a file that marked a
//! neuron pruned and still gave it weights is analysed as `predict` computes
//! it.
//!
//! * A hidden neuron is **constant** when every weight it reads from a
//!   varying value is zero. Its output is then `max(0, b + Σ w·c)` over the
//!   constant values `c` it reads, the same for every input. Constants are
//!   found layer by layer from the inputs forward and folded into the biases
//!   of the next layer (`folded_bias`).
//! * A varying neuron has **no effect** when every path from it to an output
//!   has a zero weight or passes a neuron that has no effect itself (a
//!   varying neuron never feeds a constant one: reading it with a nonzero
//!   weight makes the reader vary).
//! * The others are **effective**: removing one of them may change an output.
//!   The outputs themselves are always effective.
//!
//! Removing the neurons without effect drops only terms `0·x`, which adds
//! exact zeros. Folding a constant adds its terms in another order than the
//! forward pass does, so the simplified network agrees with the original to
//! rounding (a few units in the last place of each sum), not bit for bit.
//!
//! Convolution layers share each filter between positions, so a constant
//! position cannot be folded into a per-neuron bias without untying the
//! filter. A convolution is therefore kept as trained, filter by filter: a
//! filter is effective when an effective neuron of the next layer reads one
//! of its (pooled) outputs with a nonzero weight, and constant only when its
//! kernel is zero and its bias at most 0 (its every output is then exactly
//! 0, pooled or not). Constants are only folded into dense layers; a value a
//! convolution reads is never treated as constant.

use crate::{Layer, Network};

/// What one neuron does for the outputs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Role {
    /// Removing it may change an output.
    Effective,
    /// Its output is this value for every input; it is folded into the
    /// next layer's biases.
    Constant(f64),
    /// Its output varies but reaches no output.
    NoEffect,
}

/// What kind of layer a [`LayerEffect`] describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    Dense,
    /// A convolution with this many neurons (positions) per filter.
    Convolution {
        per_filter: usize,
    },
    /// A layer pruned to the identity: its "neurons" are the values it
    /// passes on.
    Identity,
}

/// The analysis of one layer.
#[derive(Clone, Debug, PartialEq)]
pub struct LayerEffect {
    pub kind: LayerKind,
    /// One per neuron (before pooling); for an identity layer, one per
    /// value passed on.
    pub roles: Vec<Role>,
    /// A dense layer's biases with the contributions of the constant values
    /// it reads folded in; a convolution's or identity layer's biases as
    /// they are.
    pub folded_bias: Vec<f64>,
}

impl LayerEffect {
    /// Whether each neuron is effective.
    pub fn effective_mask(&self) -> Vec<bool> {
        self.roles.iter().map(|r| *r == Role::Effective).collect()
    }

    /// Effective neurons of a dense layer, effective filters of a
    /// convolution; 0 for a layer pruned to the identity (it has none).
    pub fn effective_count(&self) -> usize {
        let step = match self.kind {
            LayerKind::Dense => 1,
            LayerKind::Convolution { per_filter } => per_filter.max(1),
            LayerKind::Identity => return 0,
        };
        self.roles
            .iter()
            .step_by(step)
            .filter(|r| **r == Role::Effective)
            .count()
    }
}

/// Which neurons of a network affect an output (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub struct Effective {
    /// One per layer of the network, the output layer last.
    pub layers: Vec<LayerEffect>,
    /// Per input feature: whether an effective neuron reads it with a
    /// nonzero weight.
    pub inputs_used: Vec<bool>,
}

impl Effective {
    /// Effective neurons of each hidden layer (effective filters of a
    /// convolution), like [`Network::neurons_kept`].
    pub fn effective_neurons(&self) -> Vec<usize> {
        let hidden = self.layers.len().saturating_sub(1);
        self.layers[..hidden].iter().map(LayerEffect::effective_count).collect()
    }

    /// The same function as `net` (to rounding, see the module docs) with
    /// only the effective neurons of dense layers, constants folded into
    /// the biases; convolutions and the output layer kept whole. `self`
    /// must be `net.effective()`.
    pub fn simplify(&self, net: &Network) -> Network {
        let mut layers = Vec::with_capacity(net.layers.len());
        // Indices (in the original layer's outputs) of the values the
        // simplified network still passes to the current layer.
        let mut cols: Vec<usize> = (0..net.feature_names.len()).collect();
        let last = last_computing_layer(net);
        for (l, (layer, eff)) in net.layers.iter().zip(&self.layers).enumerate() {
            if layer.identity || layer.conv.is_some() {
                if layer.identity {
                    layers.push(Layer {
                        weights: vec![vec![0.0; cols.len()]; cols.len()],
                        bias: vec![0.0; cols.len()],
                        kept: vec![true; cols.len()],
                        ..layer.clone()
                    });
                } else {
                    layers.push(layer.clone());
                    cols = (0..layer.output_len()).collect();
                }
                continue;
            }
            let rows: Vec<usize> = if Some(l) == last {
                (0..layer.outputs()).collect()
            } else {
                (0..layer.outputs())
                    .filter(|&j| eff.roles[j] == Role::Effective)
                    .collect()
            };
            layers.push(Layer {
                weights: rows
                    .iter()
                    .map(|&j| cols.iter().map(|&i| layer.weights[j][i]).collect())
                    .collect(),
                bias: rows.iter().map(|&j| eff.folded_bias[j]).collect(),
                kept: vec![true; rows.len()],
                ..layer.clone()
            });
            cols = rows;
        }
        Network { layers, ..net.clone() }
    }
}

/// The index of the last layer that is not pruned to the identity: its
/// values are the network's outputs (identity layers after it pass them on).
fn last_computing_layer(net: &Network) -> Option<usize> {
    net.layers.iter().rposition(|l| !l.identity)
}

/// Whether the next layer after `l` that is not the identity is dense, so
/// that constants among `l`'s outputs can be folded into its biases.
fn next_computing_layer_is_dense(net: &Network, l: usize) -> bool {
    net.layers[l + 1..]
        .iter()
        .find(|x| !x.identity)
        .is_some_and(|x| x.conv.is_none())
}

/// A convolution's per-filter constant: exactly 0 when the filter's kernel
/// is zero and its bias at most 0, `None` (varying, or not folded)
/// otherwise.
fn zero_filters(layer: &Layer, per_filter: usize) -> Vec<Option<f64>> {
    let Some(c) = &layer.conv else { return Vec::new() };
    let block = c.filters.len() / c.shape.channels.max(1);
    (0..c.shape.channels)
        .map(|f| {
            let kernel_zero = c.filters[f * block..(f + 1) * block].iter().all(|w| *w == 0.0);
            (kernel_zero && layer.bias[f * per_filter] <= 0.0).then_some(0.0)
        })
        .collect()
}

impl Network {
    /// Which neurons affect an output, with the constants folded (see
    /// [`Effective`]).
    pub fn effective(&self) -> Effective {
        let n = self.layers.len();
        let last = last_computing_layer(self);
        // Forward: the constant values entering each layer, each neuron's
        // constant, the folded biases.
        let mut consts: Vec<Option<f64>> = vec![None; self.feature_names.len()];
        let mut inputs_const: Vec<Vec<Option<f64>>> = Vec::with_capacity(n);
        let mut neuron_const: Vec<Vec<Option<f64>>> = Vec::with_capacity(n);
        let mut folded: Vec<Vec<f64>> = Vec::with_capacity(n);
        for (l, layer) in self.layers.iter().enumerate() {
            inputs_const.push(consts.clone());
            let foldable = Some(l) != last && next_computing_layer_is_dense(self, l);
            if layer.identity {
                neuron_const.push(consts.clone());
                folded.push(layer.bias.clone());
                continue;
            }
            if let Some(c) = &layer.conv {
                let per_filter = (c.shape.outputs() / c.shape.channels).max(1);
                let filters = zero_filters(layer, per_filter);
                let own: Vec<Option<f64>> = (0..layer.outputs())
                    .map(|j| filters[j / per_filter].filter(|_| foldable))
                    .collect();
                consts = match (&layer.pool, foldable) {
                    (Some(p), true) => p
                        .windows(c.shape.output_shape())
                        .iter()
                        .map(|w| w.iter().all(|&j| own[j] == Some(0.0)).then_some(0.0))
                        .collect(),
                    (Some(_), false) => vec![None; layer.output_len()],
                    (None, _) => own.clone(),
                };
                neuron_const.push(own);
                folded.push(layer.bias.clone());
                continue;
            }
            let mut own = Vec::with_capacity(layer.outputs());
            let mut biases = Vec::with_capacity(layer.outputs());
            for (row, &b) in layer.weights.iter().zip(&layer.bias) {
                let mut bias = b;
                let mut varies = false;
                for (&w, c) in row.iter().zip(&consts) {
                    if w == 0.0 {
                        continue;
                    }
                    match c {
                        Some(c) => bias += w * c,
                        None => varies = true,
                    }
                }
                biases.push(bias);
                let value = if layer.relu { bias.max(0.0) } else { bias };
                own.push((foldable && !varies).then_some(value));
            }
            consts = own.clone();
            neuron_const.push(own);
            folded.push(biases);
        }

        // Backward: which values each layer's output must deliver.
        let mut roles: Vec<Vec<Role>> = vec![Vec::new(); n];
        let mut needed: Vec<bool> = match last {
            Some(l) => vec![true; self.layers[l].output_len()],
            None => vec![true; self.feature_names.len()],
        };
        for l in (0..n).rev() {
            let layer = &self.layers[l];
            if layer.identity {
                roles[l] = neuron_const[l]
                    .iter()
                    .zip(&needed)
                    .map(|(c, &need)| match c {
                        Some(v) => Role::Constant(*v),
                        None if need => Role::Effective,
                        None => Role::NoEffect,
                    })
                    .collect();
                continue;
            }
            // Which neurons (before pooling) deliver a needed value.
            let read: Vec<bool> = match (&layer.pool, &layer.conv) {
                (Some(p), Some(c)) => {
                    let mut read = vec![false; layer.outputs()];
                    for (w, _) in p
                        .windows(c.shape.output_shape())
                        .iter()
                        .zip(&needed)
                        .filter(|(_, n)| **n)
                    {
                        for &j in w {
                            read[j] = true;
                        }
                    }
                    read
                }
                _ => needed.clone(),
            };
            roles[l] = if Some(l) == last {
                vec![Role::Effective; layer.outputs()]
            } else if let Some(c) = &layer.conv {
                let per_filter = (c.shape.outputs() / c.shape.channels).max(1);
                (0..layer.outputs())
                    .map(|j| {
                        let f = j / per_filter;
                        let filter = f * per_filter..(f + 1) * per_filter;
                        match neuron_const[l][j] {
                            Some(v) => Role::Constant(v),
                            None if read[filter].iter().any(|r| *r) => Role::Effective,
                            None => Role::NoEffect,
                        }
                    })
                    .collect()
            } else {
                neuron_const[l]
                    .iter()
                    .zip(&read)
                    .map(|(c, &r)| match c {
                        Some(v) => Role::Constant(*v),
                        None if r => Role::Effective,
                        None => Role::NoEffect,
                    })
                    .collect()
            };
            let mut need_in = vec![false; layer.inputs()];
            for (row, role) in layer.weights.iter().zip(&roles[l]) {
                if *role != Role::Effective {
                    continue;
                }
                for (i, &w) in row.iter().enumerate() {
                    if w != 0.0 && inputs_const[l][i].is_none() {
                        need_in[i] = true;
                    }
                }
            }
            needed = need_in;
        }
        let layers = self
            .layers
            .iter()
            .zip(roles)
            .zip(folded)
            .map(|((layer, roles), folded_bias)| LayerEffect {
                kind: match &layer.conv {
                    _ if layer.identity => LayerKind::Identity,
                    Some(c) => LayerKind::Convolution {
                        per_filter: (c.shape.outputs() / c.shape.channels).max(1),
                    },
                    None => LayerKind::Dense,
                },
                roles,
                folded_bias,
            })
            .collect();
        Effective {
            layers,
            inputs_used: needed,
        }
    }

    /// Neurons of each hidden layer that affect an output (filters of a
    /// convolution): see [`Effective`].
    pub fn neurons_effective(&self) -> Vec<usize> {
        self.effective().effective_neurons()
    }

    /// The same function with only the neurons that affect an output,
    /// constants folded into biases (see [`Effective::simplify`]).
    pub fn simplified(&self) -> Network {
        self.effective().simplify(self)
    }
}
