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
//!
//! [`pruning`] holds the gradient-based pruning baselines (one-shot and
//! iterative magnitude pruning, ℓ1 proximal training) that `mipnet select`
//! compares the MILP's sparse network with at equal sparsity.

// Loops over indices mirror the subscripts of the equations (n, j, k, v).
#![allow(clippy::needless_range_loop)]

use mipnet_data::{Dataset, Standardizer};
use mipnet_network::{Conv, ConvShape, Layer, Network, Pool, PoolKind, FORMAT_VERSION};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::time::Instant;
use thiserror::Error;

pub mod pruning;

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
    /// At most this many input features read by a dense first layer: see
    /// [`train`]. Default none. The trainer does not set it from a
    /// `feature_budget` rule (its starts are repaired to the budget
    /// instead: masked starts all read the same few features, and ended
    /// worse on the WDBC rules example; `mipnet-train`'s `train_job`);
    /// `[gradient] max_features` in a config sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_features: Option<usize>,
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
            max_features: None,
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
        if self.max_features == Some(0) {
            return bad("max_features", "must be at least 1, got 0".into());
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
    /// Stop after the epoch during which this instant passes (the run's
    /// time budget): the network is then as trained so far, still a valid
    /// network. None: all epochs.
    pub deadline: Option<Instant>,
}

/// A fresh network d → [convolution →] hidden → K with He-uniform weights
/// (seeded). `conv` is the first layer's geometry and pooling, already
/// checked against the data.
pub fn initial_network(
    data: &Dataset,
    conv: Option<(ConvShape, Option<Pool>)>,
    hidden: &[usize],
    seed: u64,
) -> Network {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut layers = Vec::new();
    let mut inp = data.num_features();
    if let Some((shape, pool)) = conv {
        let r = (6.0 / (shape.input[0] * shape.kernel * shape.kernel) as f64).sqrt();
        let filters = (0..shape.params()).map(|_| rng.gen_range(-r..r)).collect();
        let layer = Layer::convolution(Conv { shape, filters }, &vec![0.0; shape.channels], pool);
        inp = layer.output_len();
        layers.push(layer);
    }
    let widths: Vec<usize> = hidden.iter().copied().chain([data.num_classes()]).collect();
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
    // A dense hidden layer after a convolution reads ReLU maps, all ≥ 0
    // with a large common mean: with zero biases a unit would be on for
    // every sample or off for every sample. Its biases start at −w·(mean
    // input), which centres each pre-activation over the data (and `train`
    // keeps training it on centred inputs).
    if layers.len() > 2 && layers[0].conv.is_some() && !data.is_empty() {
        let mut mean = vec![0.0; layers[0].output_len()];
        for n in 0..data.len() {
            for (m, v) in mean.iter_mut().zip(layers[0].apply(data.row(n))) {
                *m += v / data.len() as f64;
            }
        }
        let next = &mut layers[1];
        for (b, row) in next.bias.iter_mut().zip(&next.weights) {
            *b = -row.iter().zip(&mean).map(|(w, m)| w * m).sum::<f64>();
        }
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

/// How a layer is wired, fixed during training: a convolution's taps and
/// the pooling windows.
struct Wiring {
    /// Per neuron, (input, filter weight) pairs.
    taps: Option<Vec<Vec<(usize, usize)>>>,
    /// Neurons per filter (1 for a dense layer).
    per_filter: usize,
    pool: Option<(PoolKind, Vec<Vec<usize>>)>,
}

impl Wiring {
    fn of(l: &Layer) -> Wiring {
        let conv = l.conv.as_ref();
        Wiring {
            taps: conv.map(|c| c.shape.taps()),
            per_filter: conv.map_or(1, |c| c.shape.outputs() / c.shape.channels),
            pool: match (&l.pool, conv) {
                (Some(p), Some(c)) => Some((p.kind, p.windows(c.shape.output_shape()))),
                _ => None,
            },
        }
    }
}

/// The layer's free weights as one vector (a convolution's filters).
fn free_weights(l: &Layer) -> Vec<f64> {
    l.weight_params().copied().collect()
}

/// Pre-activations of a layer for input `x`, from its free weights `w`
/// and biases `b` (one per filter in a convolution).
fn preactivation(wiring: &Wiring, w: &[f64], b: &[f64], x: &[f64]) -> Vec<f64> {
    match &wiring.taps {
        Some(taps) => taps
            .iter()
            .enumerate()
            .map(|(k, t)| t.iter().map(|&(i, p)| w[p] * x[i]).sum::<f64>() + b[k / wiring.per_filter])
            .collect(),
        None => {
            let inp = x.len();
            b.iter()
                .enumerate()
                .map(|(k, bk)| w[k * inp..(k + 1) * inp].iter().zip(x).map(|(a, v)| a * v).sum::<f64>() + bk)
                .collect()
        }
    }
}

/// Trains `net` in place on standardized `data`; returns the final mean loss.
///
/// With `s.max_features = Some(m)` and a dense first layer, the network
/// returned reads at most m input features (every layer-1 weight of the
/// other columns exactly 0): when it reads more at the start, the first
/// [`FEATURE_CHOICE_SHARE`] of the epochs train unmasked, the m columns
/// with the largest layer-1 column norms ‖W_{·i}‖₂ are kept (ties to the
/// lower index) and the rest of the epochs train with the others held at
/// 0; a network that already reads at most m features keeps its unread
/// columns at 0 for every epoch.
pub fn train(net: &mut Network, data: &Dataset, s: &GradientSettings, c: Constraints) -> f64 {
    let Some(m) = s.max_features.filter(|_| net.layers[0].conv.is_none()) else {
        return train_with(net, data, s, c, AfterStep::Nothing);
    };
    if features_read(&net.layers[0]) > m {
        let warmup = GradientSettings {
            epochs: ((s.epochs as f64 * FEATURE_CHOICE_SHARE).ceil() as usize).min(s.epochs),
            ..s.clone()
        };
        train_with(net, data, &warmup, c, AfterStep::Nothing);
        let keep = largest_columns(&net.layers[0], m);
        let first = &mut net.layers[0];
        for row in first.weights.iter_mut() {
            row.iter_mut()
                .zip(&keep)
                .filter(|(_, k)| !**k)
                .for_each(|(w, _)| *w = 0.0);
        }
        let rest = GradientSettings {
            epochs: s.epochs - warmup.epochs,
            ..s.clone()
        };
        return train_masked_columns(net, data, &rest, c);
    }
    train_masked_columns(net, data, s, c)
}

/// Share of a feature-budgeted run's epochs trained before its columns
/// are chosen: enough steps for the ℓ1 penalty and the data's gradient to
/// separate the columns the data uses from the rest, while most epochs go
/// to the masked network. A round number, not tuned (the test data's two
/// informative inputs of six are found with it for every seed tried).
pub const FEATURE_CHOICE_SHARE: f64 = 0.25;

/// Input columns of a dense layer with a nonzero weight.
fn features_read(first: &Layer) -> usize {
    (0..first.inputs())
        .filter(|&i| first.weights.iter().any(|r| r[i] != 0.0))
        .count()
}

/// The `m` columns of `first` with the largest ℓ2 norms (ties to the lower
/// index), as a keep-mask over the inputs.
fn largest_columns(first: &Layer, m: usize) -> Vec<bool> {
    let d = first.inputs();
    let norm = |i: usize| first.weights.iter().map(|r| r[i] * r[i]).sum::<f64>();
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&a, &b| norm(b).total_cmp(&norm(a)).then(a.cmp(&b)));
    let mut keep = vec![false; d];
    order.iter().take(m).for_each(|&i| keep[i] = true);
    keep
}

/// [`train_with`] holding every layer-1 weight of a column that `net`
/// does not read at 0 (a dense first layer).
fn train_masked_columns(net: &mut Network, data: &Dataset, s: &GradientSettings, c: Constraints) -> f64 {
    let first = &net.layers[0];
    let read: Vec<bool> = (0..first.inputs())
        .map(|i| first.weights.iter().any(|r| r[i] != 0.0))
        .collect();
    // Free weights of a dense layer are row-major: (k, i) at k·inputs + i.
    let mut mask: Vec<Vec<bool>> = net.layers.iter().map(|l| vec![true; free_weights(l).len()]).collect();
    mask[0] = (0..first.outputs()).flat_map(|_| read.iter().copied()).collect();
    train_with(net, data, s, c, AfterStep::Mask(&mask))
}

/// What happens to a layer's free weights after each Adam step, besides
/// the step itself: how the pruning baselines ([`pruning`]) train.
#[derive(Clone, Copy, Debug)]
pub(crate) enum AfterStep<'a> {
    Nothing,
    /// Weights whose entry is false are set to 0 after every step (a fixed
    /// pruning mask, per layer, over the layer's free weights).
    Mask(&'a [Vec<bool>]),
    /// Soft-thresholding (the proximal step of the ℓ1 penalty λ‖w‖₁):
    /// w ← sign(w)·max(|w| − η·λ, 0) with η the learning rate; the
    /// settings' own ℓ1 subgradient is not applied then.
    SoftThreshold {
        lambda: f64,
    },
}

/// [`train`] with `after` applied to the weights after every step.
pub(crate) fn train_with(
    net: &mut Network,
    data: &Dataset,
    s: &GradientSettings,
    c: Constraints,
    after: AfterStep,
) -> f64 {
    let nl = net.layers.len();
    let wiring: Vec<Wiring> = net.layers.iter().map(Wiring::of).collect();
    // Free parameters: weights (filters) and biases (one per filter).
    let mut weights: Vec<Vec<f64>> = net.layers.iter().map(free_weights).collect();
    let mut biases: Vec<Vec<f64>> = net.layers.iter().map(|l| l.bias_params()).collect();
    let mut adam_w: Vec<Adam> = weights.iter().map(|w| Adam::new(w.len())).collect();
    let mut adam_b: Vec<Adam> = biases.iter().map(|b| Adam::new(b.len())).collect();
    let inv_n = 1.0 / data.len().max(1) as f64;
    let mut last_loss = f64::NAN;
    let frozen = |l: usize| c.freeze_from.is_some_and(|f| l >= f);
    // A hidden dense layer after a convolution reads pooled ReLU maps: all
    // ≥ 0 with a large common mean, so every step moves its
    // pre-activations for all samples the same way and switches whole units
    // off for good. It trains on centred inputs x − m instead (m: the mean
    // over the data in the previous epoch), and m is folded into its bias
    // at the end: the same function, without the common shift.
    let centred: Vec<bool> = (0..nl)
        .map(|l| l > 0 && net.layers[l - 1].conv.is_some() && net.layers[l].relu && net.layers[l].conv.is_none())
        .collect();
    let mut means: Vec<Vec<f64>> = (0..nl)
        .map(|l| {
            if !centred[l] {
                return Vec::new();
            }
            let mut m = vec![0.0; net.layers[l].inputs()];
            for n in 0..data.len() {
                let x = net.layers[..l]
                    .iter()
                    .fold(data.row(n).to_vec(), |x, layer| layer.apply(&x));
                m.iter_mut().zip(&x).for_each(|(a, v)| *a += v * inv_n);
            }
            m
        })
        .collect();
    // In the centred form the bias is b + w·m.
    for l in (0..nl).filter(|&l| centred[l]) {
        add_to_biases(&mut biases[l], &weights[l], &means[l], 1.0);
    }
    for epoch in 1..=s.epochs {
        if c.deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        let mut next_means: Vec<Vec<f64>> = means.iter().map(|m| vec![0.0; m.len()]).collect();
        let mut gw: Vec<Vec<f64>> = weights.iter().map(|w| vec![0.0; w.len()]).collect();
        let mut gb: Vec<Vec<f64>> = biases.iter().map(|b| vec![0.0; b.len()]).collect();
        let mut loss = 0.0;
        let mut go = vec![0.0; net.class_names.len()];
        for n in 0..data.len() {
            // Forward, keeping each layer's input, pre-activation and the
            // element each max-pool window took.
            let mut inputs: Vec<Vec<f64>> = Vec::with_capacity(nl);
            let mut pre: Vec<Vec<f64>> = Vec::with_capacity(nl);
            let mut winners: Vec<Vec<usize>> = Vec::with_capacity(nl);
            let mut cur = data.row(n).to_vec();
            for (l, layer) in net.layers.iter().enumerate() {
                if centred[l] {
                    for ((nm, m), v) in next_means[l].iter_mut().zip(&means[l]).zip(cur.iter_mut()) {
                        *nm += *v * inv_n;
                        *v -= m;
                    }
                }
                let a = preactivation(&wiring[l], &weights[l], &biases[l], &cur);
                inputs.push(cur);
                let h: Vec<f64> = if layer.relu {
                    a.iter().map(|v| v.max(0.0)).collect()
                } else {
                    a.clone()
                };
                let mut won = Vec::new();
                cur = match &wiring[l].pool {
                    Some((PoolKind::Max, windows)) => windows
                        .iter()
                        .map(|w| {
                            let best = w.iter().copied().fold(w[0], |b, i| if h[i] > h[b] { i } else { b });
                            won.push(best);
                            h[best]
                        })
                        .collect(),
                    Some((PoolKind::Average, windows)) => windows
                        .iter()
                        .map(|w| w.iter().map(|&i| h[i]).sum::<f64>() / w.len() as f64)
                        .collect(),
                    None => h,
                };
                winners.push(won);
                pre.push(a);
            }
            loss += output_grad(s.loss, s.margin, &cur, data.label(n), inv_n, &mut go);
            // Backward.
            let mut delta = go.clone();
            for l in (0..nl).rev() {
                let layer = &net.layers[l];
                let w = &weights[l];
                // Through the pooling, to the neurons.
                if let Some((kind, windows)) = &wiring[l].pool {
                    let mut dh = vec![0.0; layer.outputs()];
                    for (q, win) in windows.iter().enumerate() {
                        match kind {
                            PoolKind::Max => dh[winners[l][q]] += delta[q],
                            PoolKind::Average => win.iter().for_each(|&i| dh[i] += delta[q] / win.len() as f64),
                        }
                    }
                    delta = dh;
                }
                if layer.relu {
                    for (dv, a) in delta.iter_mut().zip(&pre[l]) {
                        if *a <= 0.0 {
                            *dv = 0.0;
                        }
                    }
                }
                let inp = inputs[l].len();
                let per = wiring[l].per_filter;
                let mut next = vec![0.0; if l > 0 { inp } else { 0 }];
                for (k, dk) in delta.iter().enumerate() {
                    if *dk == 0.0 {
                        continue;
                    }
                    gb[l][k / per] += dk;
                    match &wiring[l].taps {
                        Some(taps) => {
                            for &(i, p) in &taps[k] {
                                gw[l][p] += dk * inputs[l][i];
                                if l > 0 {
                                    next[i] += dk * w[p];
                                }
                            }
                        }
                        None => {
                            let row = &mut gw[l][k * inp..(k + 1) * inp];
                            for (g, v) in row.iter_mut().zip(&inputs[l]) {
                                *g += dk * v;
                            }
                            if l > 0 {
                                for (nv, wv) in next.iter_mut().zip(&w[k * inp..(k + 1) * inp]) {
                                    *nv += dk * wv;
                                }
                            }
                        }
                    }
                }
                delta = next;
            }
        }
        last_loss = loss;
        // New means, with the biases moved so the function stays the same:
        // w·(x − m') + b' = w·(x − m) + b for b' = b + w·(m' − m).
        for l in (0..nl).filter(|&l| centred[l]) {
            let shift: Vec<f64> = next_means[l].iter().zip(&means[l]).map(|(a, b)| a - b).collect();
            add_to_biases(&mut biases[l], &weights[l], &shift, 1.0);
            means[l] = std::mem::take(&mut next_means[l]);
        }
        for l in 0..nl {
            let layer = &net.layers[l];
            let per = wiring[l].per_filter;
            let fan = weights[l].len() / biases[l].len().max(1);
            if !frozen(l) {
                if !matches!(after, AfterStep::SoftThreshold { .. }) {
                    for (g, w) in gw[l].iter_mut().zip(&weights[l]) {
                        *g += s.l1 * w.signum() * (*w != 0.0) as u8 as f64;
                    }
                }
                adam_w[l].step(&mut weights[l], &gw[l], s.learning_rate, epoch as i32);
                match after {
                    AfterStep::Nothing => {}
                    AfterStep::Mask(mask) => {
                        for (w, keep) in weights[l].iter_mut().zip(&mask[l]) {
                            if !keep {
                                *w = 0.0;
                            }
                        }
                    }
                    AfterStep::SoftThreshold { lambda } => {
                        let t = s.learning_rate * lambda;
                        for w in weights[l].iter_mut() {
                            *w = w.signum() * (w.abs() - t).max(0.0);
                        }
                    }
                }
            }
            adam_b[l].step(&mut biases[l], &gb[l], s.learning_rate, epoch as i32);
            // Pruned neurons (filters) stay pruned.
            for k in 0..biases[l].len() {
                if !layer.kept[k * per] {
                    biases[l][k] = 0.0;
                    weights[l][k * fan..(k + 1) * fan].iter_mut().for_each(|w| *w = 0.0);
                }
            }
            if let Some(box_) = c.clip {
                biases[l].iter_mut().for_each(|b| *b = b.clamp(-box_, box_));
                if l == 0 {
                    weights[l].iter_mut().for_each(|w| *w = w.clamp(-box_, box_));
                }
            }
        }
    }
    for (l, layer) in net.layers.iter_mut().enumerate() {
        if centred[l] {
            // w·(x − m) + b = w·x + (b − w·m)
            add_to_biases(&mut biases[l], &weights[l], &means[l], -1.0);
        }
        set_params(layer, &weights[l], &biases[l]);
    }
    last_loss
}

/// `b_k += sign · w_k·v` for each neuron k of a dense layer (weights
/// row-major, one row per bias).
fn add_to_biases(biases: &mut [f64], weights: &[f64], v: &[f64], sign: f64) {
    let inp = v.len();
    for (k, b) in biases.iter_mut().enumerate() {
        *b += sign
            * weights[k * inp..(k + 1) * inp]
                .iter()
                .zip(v)
                .map(|(w, x)| w * x)
                .sum::<f64>();
    }
}

/// Puts free weights and biases back into a layer (unrolling a
/// convolution's filters).
fn set_params(layer: &mut Layer, w: &[f64], b: &[f64]) {
    let per = layer.outputs() / b.len().max(1);
    for (j, bias) in layer.bias.iter_mut().enumerate() {
        *bias = b[j / per.max(1)];
    }
    match &mut layer.conv {
        Some(c) => {
            c.filters.copy_from_slice(w);
            layer.unroll();
        }
        None => {
            let inp = layer.inputs();
            for (k, row) in layer.weights.iter_mut().enumerate() {
                row.copy_from_slice(&w[k * inp..(k + 1) * inp]);
            }
        }
    }
}

/// Magnitude pruning: zeroes the smallest weights (biases untouched) until
/// the fraction `sparsity` of weights is 0. The baseline's comparison with
/// the MILP at equal sparsity.
pub fn magnitude_prune(net: &Network, sparsity: f64) -> Network {
    let mut out = net.clone();
    let mut mags: Vec<f64> = net
        .layers
        .iter()
        .flat_map(|l| l.weight_params().map(|w| w.abs()))
        .collect();
    mags.sort_by(f64::total_cmp);
    let cut = ((sparsity.clamp(0.0, 1.0) * mags.len() as f64).round() as usize).min(mags.len());
    if cut == 0 {
        return out;
    }
    let threshold = mags[cut - 1];
    let mut zeroed = 0;
    for l in &mut out.layers {
        let mut w = free_weights(l);
        for v in w.iter_mut() {
            if v.abs() <= threshold && zeroed < cut {
                *v = 0.0;
                zeroed += 1;
            }
        }
        let b = l.bias_params();
        set_params(l, &w, &b);
    }
    out
}
