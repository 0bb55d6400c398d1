//! Which neurons affect an output, and the network without the others.
//!
//! The analysis reads the weights that the forward pass multiplies, not the
//! pruning mask: a neuron marked pruned has zero weights in and out, so it
//! comes out constant or without effect here too; a file that marked a
//! neuron pruned and still gave it weights is analysed as `predict` computes
//! it.
//!
//! * A hidden neuron is **constant** when its output is the same for every
//!   input. Either every weight it reads a varying value with is zero (its
//!   output is then `max(0, b + Σ w·c)` over the constant values `c` it
//!   reads), or it is a ReLU that never rises above 0: its bias with the
//!   constants folded in is at most 0, it reads no value of unknown sign
//!   with a nonzero weight, and every nonzero weight on a varying value that
//!   is never negative (a ReLU output, pooled or passed on by an identity
//!   layer) is at most 0; it is then exactly 0. Constants are found layer by
//!   layer from the inputs forward and folded into the biases of the next
//!   layer (`folded_bias`).
//! * A varying neuron has **no effect** when every path from it to an output
//!   has a zero weight or passes a neuron that has no effect itself (a
//!   varying neuron never feeds a constant one with a weight that could
//!   change it).
//! * The others are **effective**: removing one of them may change an output.
//!   The outputs themselves are always effective.
//!
//! A constant's value is computed in the forward pass's order of addition,
//! so it is the neuron's output bit for bit (and "exactly 0" holds despite
//! rounding). Removing the neurons without effect drops only terms `0·x`,
//! which adds exact zeros. Folding a constant into the next layer's bias
//! adds its terms in another order than the forward pass does, so the
//! simplified network agrees with the original to rounding (a few units in
//! the last place of each sum), not bit for bit.
//!
//! Convolution layers share each filter between positions, so they are
//! analysed by whole filters: a filter is constant when every one of its
//! positions is (for a first layer, which reads the inputs: its kernel is
//! zero, and its value is `max(0, bias)`), and its (pooled) values, computed
//! as the forward pass pools them, are folded into the next dense layer's
//! biases; the simplified network sets such a filter to zero. A filter is
//! effective when an effective neuron of the next layer reads one of its
//! (pooled) outputs with a nonzero weight. Constants are only folded into
//! dense layers: a value a convolution reads is never treated as constant.

use crate::{Layer, Network, Pool};

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
        let last = net.last_computing_layer();
        for (l, (layer, eff)) in net.layers.iter().zip(&self.layers).enumerate() {
            if layer.identity {
                layers.push(Layer {
                    weights: vec![vec![0.0; cols.len()]; cols.len()],
                    bias: vec![0.0; cols.len()],
                    kept: vec![true; cols.len()],
                    ..layer.clone()
                });
                continue;
            }
            if layer.conv.is_some() {
                layers.push(without_constant_filters(layer, eff));
                cols = (0..layer.output_len()).collect();
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

/// A convolution whose constant filters output exactly 0: their values
/// are folded into the next layer's biases, which must not read them again.
fn without_constant_filters(layer: &Layer, eff: &LayerEffect) -> Layer {
    let mut out = layer.clone();
    let per_filter = layer.neurons_per_filter();
    if let Some(c) = &mut out.conv {
        let block = c.filters.len() / c.shape.channels.max(1);
        for f in 0..c.shape.channels {
            if matches!(eff.roles[f * per_filter], Role::Constant(_)) {
                c.filters[f * block..(f + 1) * block].fill(0.0);
                out.bias[f * per_filter..(f + 1) * per_filter].fill(0.0);
            }
        }
    }
    out.unroll();
    out
}

impl Layer {
    /// Neurons per filter of a convolution (its positions), 1 for any other
    /// layer: biases, pruning and roles are equal within each such block.
    pub(crate) fn neurons_per_filter(&self) -> usize {
        self.conv
            .as_ref()
            .map_or(1, |c| (c.shape.outputs() / c.shape.channels).max(1))
    }
}

impl Network {
    /// The index of the last layer that is not pruned to the identity: its
    /// values are the network's outputs (identity layers after it pass them
    /// on).
    pub(crate) fn last_computing_layer(&self) -> Option<usize> {
        self.layers.iter().rposition(|l| !l.identity)
    }

    /// The next layer after `l` that is not pruned to the identity: the one
    /// that reads `l`'s outputs (identity layers in between keep indices).
    pub(crate) fn next_computing_layer(&self, l: usize) -> Option<usize> {
        (l + 1..self.layers.len()).find(|&k| !self.layers[k].identity)
    }
}

/// What the analysis knows of a value a layer reads.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Known {
    /// The same value for every input; folded into the reader's bias.
    Constant(f64),
    /// Varies, never below 0: a ReLU's output, pooled or passed on by
    /// identity layers.
    Nonnegative,
    /// Varies, of either sign: an input feature or an affine output.
    AnySign,
}

impl Known {
    fn constant(self) -> Option<f64> {
        match self {
            Known::Constant(c) => Some(c),
            Known::Nonnegative | Known::AnySign => None,
        }
    }

    /// A neuron's output as the next layer reads it.
    fn of_output(constant: Option<f64>, relu: bool) -> Known {
        match constant {
            Some(c) => Known::Constant(c),
            None if relu => Known::Nonnegative,
            None => Known::AnySign,
        }
    }

    /// A pooled value: constant when its whole window is (computed as the
    /// forward pass computes it), nonnegative when every value in it is.
    fn pooled(pool: &Pool, window: &[usize], values: &[Known]) -> Known {
        let constants: Option<Vec<f64>> = window.iter().map(|&j| values[j].constant()).collect();
        if let Some(c) = constants {
            return Known::Constant(pool.reduce(c.into_iter()));
        }
        let nonnegative = window.iter().all(|&j| match values[j] {
            Known::Constant(c) => c >= 0.0,
            Known::Nonnegative => true,
            Known::AnySign => false,
        });
        if nonnegative {
            Known::Nonnegative
        } else {
            Known::AnySign
        }
    }
}

/// One neuron reading `inputs` through `row`: its bias with the constants
/// it reads folded in, and its output when that is the same for every
/// input. That is the case when it reads no varying value with a nonzero
/// weight, or when it is a ReLU that can never rise above 0: folded bias at
/// most 0 (also when added in the forward pass's order), every nonzero
/// weight on a nonnegative varying value at most 0, and no nonzero weight
/// on a varying value of either sign (its output is then exactly 0).
fn analyse_neuron(row: &[f64], bias: f64, relu: bool, inputs: &[Known]) -> (f64, Option<f64>) {
    let mut folded = bias;
    let (mut varies, mut may_rise) = (false, false);
    for (&w, known) in row.iter().zip(inputs) {
        if w == 0.0 {
            continue;
        }
        match *known {
            Known::Constant(c) => folded += w * c,
            Known::Nonnegative => {
                varies = true;
                may_rise |= w > 0.0;
            }
            Known::AnySign => {
                varies = true;
                may_rise = true;
            }
        }
    }
    // The constants and the bias added as the forward pass adds them, each
    // varying value taken as 0: a constant neuron's value bit for bit, and,
    // rounding being monotone, a bound the forward pass's sum never exceeds
    // when the varying terms are at most 0.
    let at_zero = row
        .iter()
        .zip(inputs)
        .map(|(&w, known)| w * known.constant().unwrap_or(0.0))
        .sum::<f64>()
        + bias;
    let constant = if !varies {
        Some(if relu { at_zero.max(0.0) } else { at_zero })
    } else if relu && !may_rise && folded <= 0.0 && at_zero <= 0.0 {
        Some(0.0)
    } else {
        None
    };
    (folded, constant)
}

impl Network {
    /// Which neurons affect an output, with the constants folded (see
    /// [`Effective`]).
    pub fn effective(&self) -> Effective {
        let n = self.layers.len();
        let last = self.last_computing_layer();
        // Forward: what is known of the values entering each layer, each
        // neuron's constant, the folded biases.
        let mut known: Vec<Known> = vec![Known::AnySign; self.feature_names.len()];
        let mut inputs_known: Vec<Vec<Known>> = Vec::with_capacity(n);
        let mut neuron_const: Vec<Vec<Option<f64>>> = Vec::with_capacity(n);
        let mut folded: Vec<Vec<f64>> = Vec::with_capacity(n);
        for (l, layer) in self.layers.iter().enumerate() {
            inputs_known.push(known.clone());
            if layer.identity {
                neuron_const.push(known.iter().map(|k| k.constant()).collect());
                folded.push(layer.bias.clone());
                continue;
            }
            // A constant is only folded into a dense layer's biases.
            let foldable = Some(l) != last
                && self
                    .next_computing_layer(l)
                    .is_some_and(|k| self.layers[k].conv.is_none());
            let mut own = Vec::with_capacity(layer.outputs());
            let mut biases = Vec::with_capacity(layer.outputs());
            for (row, &b) in layer.weights.iter().zip(&layer.bias) {
                let (bias, constant) = analyse_neuron(row, b, layer.relu, &known);
                biases.push(bias);
                own.push(constant.filter(|_| foldable));
            }
            if let Some(c) = &layer.conv {
                // A filter is constant only as a whole (it is shown and
                // simplified by whole filters).
                for filter in own.chunks_mut(layer.neurons_per_filter()) {
                    if filter.iter().any(Option::is_none) {
                        filter.fill(None);
                    }
                }
                let outputs: Vec<Known> = own.iter().map(|c| Known::of_output(*c, layer.relu)).collect();
                known = match &layer.pool {
                    Some(p) => p
                        .windows(c.shape.output_shape())
                        .iter()
                        .map(|w| Known::pooled(p, w, &outputs))
                        .collect(),
                    None => outputs,
                };
                folded.push(layer.bias.clone());
            } else {
                known = own.iter().map(|c| Known::of_output(*c, layer.relu)).collect();
                folded.push(biases);
            }
            neuron_const.push(own);
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
            } else if layer.conv.is_some() {
                let per_filter = layer.neurons_per_filter();
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
                    if w != 0.0 && inputs_known[l][i].constant().is_none() {
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
                    Some(_) => LayerKind::Convolution {
                        per_filter: layer.neurons_per_filter(),
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
