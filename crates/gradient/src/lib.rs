//! A small seeded gradient trainer for the same dense ReLU architecture the
//! MILP trains: full-batch Adam on the multi-class hinge loss (the MILP's
//! loss) or cross-entropy, with an ℓ1 penalty on the weights.
//!
//! It gives the MILP its warm start and every report its baseline. The
//! networks are tiny (at most a few thousand weights, at most a few
//! thousand samples), so this is plain `Vec<f64>` code: a tensor crate would
//! add compile time and nothing measurable at this size.
//!
//! The same trainer fine-tunes a projected network (`freeze_from`: layers
//! from that index on keep their weights, e.g. the grid weights) with its
//! free parameters clipped to a box (`clip`): quantization-aware training.

// Loops over indices mirror the subscripts of the equations (n, j, k, v).
#![allow(clippy::needless_range_loop)]

use mipnet_data::{Dataset, Standardizer};
use mipnet_network::{Layer, Network, FORMAT_VERSION};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The loss the gradient trainer minimizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GradientLoss {
    /// The MILP's multi-class hinge with margin.
    Hinge,
    CrossEntropy,
}

/// Settings of a gradient run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GradientSettings {
    /// Full-batch Adam steps. Default 3000.
    pub epochs: usize,
    /// Adam's step size. Default 0.01.
    pub learning_rate: f64,
    /// Default hinge.
    pub loss: GradientLoss,
    /// Margin of the hinge loss. Default 1.
    pub margin: f64,
    /// ℓ1 penalty on weights (α of the MILP). Default 0.01.
    pub l1: f64,
    /// Seed of the initialization. Default 0.
    pub seed: u64,
}

impl Default for GradientSettings {
    fn default() -> Self {
        GradientSettings {
            epochs: 3000,
            learning_rate: 0.01,
            loss: GradientLoss::Hinge,
            margin: 1.0,
            l1: 0.01,
            seed: 0,
        }
    }
}

#[derive(Debug, Error, PartialEq)]
#[error("invalid gradient setting {name}: {reason}")]
pub struct GradientError {
    pub name: &'static str,
    pub reason: String,
}

impl GradientSettings {
    pub fn validate(&self) -> Result<(), GradientError> {
        let bad = |name, reason: String| Err(GradientError { name, reason });
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad("learning_rate", format!("must be positive, got {}", self.learning_rate));
        }
        if !(self.l1.is_finite() && self.l1 >= 0.0) {
            return bad("l1", format!("must be zero or positive, got {}", self.l1));
        }
        if !(self.margin.is_finite() && self.margin >= 0.0) {
            return bad("margin", format!("must be zero or positive, got {}", self.margin));
        }
        Ok(())
    }
}

/// How a network is trained: which layers move and within which box.
#[derive(Clone, Copy, Debug, Default)]
pub struct Constraints {
    /// Layers with this index and above keep their weights (biases move).
    pub freeze_from: Option<usize>,
    /// Clip layer-1 weights and all biases to [−clip, clip] after each step.
    pub clip: Option<f64>,
}

/// A fresh network d → hidden → K with He-uniform weights (seeded).
pub fn initial_network(data: &Dataset, hidden: &[usize], seed: u64) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let widths: Vec<usize> = hidden.iter().copied().chain([data.num_classes()]).collect();
    let mut inp = data.num_features();
    let mut layers = Vec::new();
    for (l, &out) in widths.iter().enumerate() {
        let r = (6.0 / inp as f64).sqrt();
        layers.push(Layer {
            weights: (0..out)
                .map(|_| (0..inp).map(|_| rng.gen_range(-r..r)).collect())
                .collect(),
            bias: vec![0.0; out],
            kept: vec![true; out],
            relu: l + 1 < widths.len(),
            identity: false,
            grid: None,
            conv: None,
            pool: None,
        });
        inp = out;
    }
    Network {
        format_version: FORMAT_VERSION,
        feature_names: data.feature_names.clone(),
        class_names: data.class_names.clone(),
        standardizer: Standardizer::identity(data.num_features()),
        layers,
        settings: serde_json::Value::Null,
    }
}

/// Adam's state for one parameter vector.
struct Adam {
    m: Vec<f64>,
    v: Vec<f64>,
}

const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const EPS: f64 = 1e-8;

impl Adam {
    fn new(n: usize) -> Self {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }
    fn step(&mut self, params: &mut [f64], grad: &[f64], lr: f64, t: i32) {
        let (c1, c2) = (1.0 - BETA1.powi(t), 1.0 - BETA2.powi(t));
        for i in 0..params.len() {
            self.m[i] = BETA1 * self.m[i] + (1.0 - BETA1) * grad[i];
            self.v[i] = BETA2 * self.v[i] + (1.0 - BETA2) * grad[i] * grad[i];
            params[i] -= lr * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + EPS);
        }
    }
}

/// The gradient of the mean loss with respect to one sample's outputs.
fn output_grad(loss: GradientLoss, margin: f64, o: &[f64], y: usize, inv_n: f64, g: &mut [f64]) -> f64 {
    g.iter_mut().for_each(|v| *v = 0.0);
    match loss {
        GradientLoss::Hinge => {
            let (mut worst, mut arg) = (f64::NEG_INFINITY, usize::MAX);
            for (k, &ok) in o.iter().enumerate() {
                if k != y && margin - o[y] + ok > worst {
                    worst = margin - o[y] + ok;
                    arg = k;
                }
            }
            if worst > 0.0 {
                g[arg] = inv_n;
                g[y] = -inv_n;
                worst * inv_n
            } else {
                0.0
            }
        }
        GradientLoss::CrossEntropy => {
            let mx = o.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let z: f64 = o.iter().map(|v| (v - mx).exp()).sum();
            for (k, &ok) in o.iter().enumerate() {
                g[k] = ((ok - mx).exp() / z - if k == y { 1.0 } else { 0.0 }) * inv_n;
            }
            -((o[y] - mx).exp() / z).ln() * inv_n
        }
    }
}

/// Trains `net` in place on standardized `data`; returns the final mean loss.
pub fn train(net: &mut Network, data: &Dataset, s: &GradientSettings, c: Constraints) -> f64 {
    let nl = net.layers.len();
    let mut adam_w: Vec<Adam> = net.layers.iter().map(|l| Adam::new(l.inputs() * l.outputs())).collect();
    let mut adam_b: Vec<Adam> = net.layers.iter().map(|l| Adam::new(l.outputs())).collect();
    let inv_n = 1.0 / data.len().max(1) as f64;
    let mut last_loss = f64::NAN;
    let frozen = |l: usize| c.freeze_from.is_some_and(|f| l >= f);
    for epoch in 1..=s.epochs {
        let mut gw: Vec<Vec<f64>> = net.layers.iter().map(|l| vec![0.0; l.inputs() * l.outputs()]).collect();
        let mut gb: Vec<Vec<f64>> = net.layers.iter().map(|l| vec![0.0; l.outputs()]).collect();
        let mut loss = 0.0;
        let mut go = vec![0.0; net.class_names.len()];
        for n in 0..data.len() {
            // Forward, keeping each layer's input and pre-activation.
            let mut inputs: Vec<Vec<f64>> = Vec::with_capacity(nl);
            let mut pre: Vec<Vec<f64>> = Vec::with_capacity(nl);
            let mut cur = data.row(n).to_vec();
            for layer in &net.layers {
                let a: Vec<f64> = layer
                    .weights
                    .iter()
                    .zip(&layer.bias)
                    .map(|(r, b)| r.iter().zip(&cur).map(|(w, v)| w * v).sum::<f64>() + b)
                    .collect();
                inputs.push(cur);
                cur = if layer.relu {
                    a.iter().map(|v| v.max(0.0)).collect()
                } else {
                    a.clone()
                };
                pre.push(a);
            }
            loss += output_grad(s.loss, s.margin, &cur, data.label(n), inv_n, &mut go);
            // Backward.
            let mut delta = go.clone();
            for l in (0..nl).rev() {
                let layer = &net.layers[l];
                if layer.relu {
                    for (dv, a) in delta.iter_mut().zip(&pre[l]) {
                        if *a <= 0.0 {
                            *dv = 0.0;
                        }
                    }
                }
                let inp = layer.inputs();
                for (k, dk) in delta.iter().enumerate() {
                    if *dk == 0.0 {
                        continue;
                    }
                    gb[l][k] += dk;
                    let row = &mut gw[l][k * inp..(k + 1) * inp];
                    for (g, v) in row.iter_mut().zip(&inputs[l]) {
                        *g += dk * v;
                    }
                }
                if l > 0 {
                    let mut next = vec![0.0; inp];
                    for (k, dk) in delta.iter().enumerate() {
                        if *dk != 0.0 {
                            for (nv, w) in next.iter_mut().zip(&layer.weights[k]) {
                                *nv += dk * w;
                            }
                        }
                    }
                    delta = next;
                }
            }
        }
        last_loss = loss;
        for l in 0..nl {
            let layer = &mut net.layers[l];
            let inp = layer.inputs();
            if !frozen(l) {
                let mut flat: Vec<f64> = layer.weights.iter().flatten().copied().collect();
                for (g, w) in gw[l].iter_mut().zip(&flat) {
                    *g += s.l1 * w.signum() * (*w != 0.0) as u8 as f64;
                }
                adam_w[l].step(&mut flat, &gw[l], s.learning_rate, epoch as i32);
                for (k, row) in layer.weights.iter_mut().enumerate() {
                    row.copy_from_slice(&flat[k * inp..(k + 1) * inp]);
                }
            }
            adam_b[l].step(&mut layer.bias, &gb[l], s.learning_rate, epoch as i32);
            // Pruned neurons stay pruned.
            for k in 0..layer.outputs() {
                if !layer.kept[k] {
                    layer.bias[k] = 0.0;
                    layer.weights[k].iter_mut().for_each(|w| *w = 0.0);
                }
            }
            if let Some(box_) = c.clip {
                layer.bias.iter_mut().for_each(|b| *b = b.clamp(-box_, box_));
                if l == 0 {
                    layer
                        .weights
                        .iter_mut()
                        .flatten()
                        .for_each(|w| *w = w.clamp(-box_, box_));
                }
            }
        }
    }
    last_loss
}

/// Magnitude pruning: zeroes the smallest weights (biases untouched) until
/// the fraction `sparsity` of weights is 0. The baseline's comparison with
/// the MILP at equal sparsity.
pub fn magnitude_prune(net: &Network, sparsity: f64) -> Network {
    let mut out = net.clone();
    let mut mags: Vec<f64> = net
        .layers
        .iter()
        .flat_map(|l| l.weights.iter().flatten().map(|w| w.abs()))
        .collect();
    mags.sort_by(f64::total_cmp);
    let cut = ((sparsity.clamp(0.0, 1.0) * mags.len() as f64).round() as usize).min(mags.len());
    if cut == 0 {
        return out;
    }
    let threshold = mags[cut - 1];
    let mut zeroed = 0;
    for l in &mut out.layers {
        for w in l.weights.iter_mut().flatten() {
            if w.abs() <= threshold && zeroed < cut {
                *w = 0.0;
                zeroed += 1;
            }
        }
    }
    out
}
