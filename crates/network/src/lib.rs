//! A trained network as mipnet hands it to people: the file format
//! (`network.json`), the forward pass in plain f64, metrics, and the
//! readable form that `mipnet show` prints. It needs no solver, so
//! `predict` and `show` stay light.

mod conv;
mod effective;
mod relu_net;
mod show;
mod window;

use mipnet_data::{Dataset, Standardizer};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

pub use conv::{parse_architecture, Conv, ConvShape, ConvSpec, Pool, PoolKind};
pub use effective::{Effective, LayerEffect, LayerKind, Role};
pub use relu_net::{generated_names, Affine, Op, ReluNet};
pub use show::{render, Equation, Term};
pub use window::{pool_windows, Window};

/// The newest version of `network.json` this mipnet writes. Version 2
/// added convolution and pooling layers, version 3 the encoding of text
/// columns (`standardizer.encoding`); older files read as they are. A
/// file gets the lowest version that holds it, so older mipnets read
/// every network they can use.
pub const FORMAT_VERSION: u32 = 3;

/// The first version with convolution and pooling layers.
const CONV_FORMAT_VERSION: u32 = 2;

/// The first version with an input encoding (one-hot text columns).
const ENCODING_FORMAT_VERSION: u32 = 3;

/// Keys of `network.json` whose value may be `null` (absent options);
/// anywhere else in the standardizer and the layers, `null` is a number
/// that was not finite when written.
const NULLABLE_KEYS: &[&str] = &["grid", "conv", "pool", "encoding"];

/// The oldest version of `network.json` this mipnet reads.
pub const OLDEST_FORMAT_VERSION: u32 = 1;

/// Why a network file could not be used.
#[derive(Debug, Error)]
pub enum NetworkError {
    #[error("cannot read {path}: {reason}")]
    Io { path: PathBuf, reason: std::io::Error },
    #[error("{path}: not a mipnet network file: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("{path}: network format version {found}, but this mipnet reads versions {OLDEST_FORMAT_VERSION} to {FORMAT_VERSION}")]
    Version { path: PathBuf, found: u64 },
    #[error("{path}: {field} is null, not a number (JSON writes NaN and infinity as null): the network is unusable")]
    NotANumber { path: PathBuf, field: String },
    #[error("{path}: inconsistent network: {reason}")]
    Inconsistent { path: PathBuf, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: std::io::Error },
}

/// The grid that weights of layers ≥ 2 live on: `step · {−levels..levels}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub step: f64,
    pub levels: u32,
}

/// One affine layer, followed by a ReLU unless it is the output layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// `weights[out][in]`.
    pub weights: Vec<Vec<f64>>,
    pub bias: Vec<f64>,
    /// Neurons kept by pruning; a pruned neuron has zero weights in and out.
    pub kept: Vec<bool>,
    pub relu: bool,
    /// Layer pruning turned this layer into the identity: its output is its
    /// input (weights and biases are then unused and zero).
    #[serde(default)]
    pub identity: bool,
    /// The integer grid of the weights, when they are on one.
    pub grid: Option<Grid>,
    /// A convolution layer: its geometry and filters. `weights` is then the
    /// unrolled (tied, mostly zero) matrix; it is kept in memory for the
    /// code that treats every layer as an affine map, and left out of the
    /// file. Biases and `kept` are per neuron and equal within a filter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conv: Option<Conv>,
    /// Pooling after the ReLU, per filter (convolution layers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<Pool>,
}

impl Layer {
    pub fn inputs(&self) -> usize {
        self.weights.first().map_or(0, |r| r.len())
    }
    /// Number of neurons (before pooling).
    pub fn outputs(&self) -> usize {
        self.weights.len()
    }
    /// Length of what the next layer reads: the pooled values when the
    /// layer pools, its neurons otherwise.
    pub fn output_len(&self) -> usize {
        match (&self.pool, &self.conv) {
            (Some(p), Some(c)) => p.output_shape(c.shape.output_shape()).map_or(0, |s| s.iter().product()),
            _ => self.outputs(),
        }
    }

    /// A convolution layer (ReLU, every filter kept) with one bias per
    /// filter, optionally pooled.
    pub fn convolution(conv: Conv, filter_bias: &[f64], pool: Option<Pool>) -> Layer {
        let shape = conv.shape;
        let n = shape.outputs();
        let mut layer = Layer {
            weights: Vec::new(),
            bias: (0..n).map(|j| filter_bias[shape.channel_of(j)]).collect(),
            kept: vec![true; n],
            relu: true,
            identity: false,
            grid: None,
            conv: Some(conv),
            pool,
        };
        layer.unroll();
        layer
    }

    /// Recomputes a convolution layer's unrolled `weights` from its filters
    /// (after the filters changed).
    pub fn unroll(&mut self) {
        if let Some(c) = &self.conv {
            self.weights = c.shape.unroll(&c.filters);
        }
    }

    /// The free weights: the filters of a convolution, every entry of a
    /// dense matrix.
    pub fn weight_params(&self) -> Box<dyn Iterator<Item = &f64> + '_> {
        match &self.conv {
            Some(c) => Box::new(c.filters.iter()),
            None => Box::new(self.weights.iter().flatten()),
        }
    }

    /// The free biases: one per filter of a convolution, one per neuron of
    /// a dense layer.
    pub fn bias_params(&self) -> Vec<f64> {
        match &self.conv {
            Some(_) => self.bias.iter().step_by(self.neurons_per_filter()).copied().collect(),
            None => self.bias.clone(),
        }
    }

    /// `W x + b`, then ReLU when the layer has one, before pooling; the
    /// identity when pruned.
    pub fn neuron_outputs(&self, x: &[f64]) -> Vec<f64> {
        if self.identity {
            return x.to_vec();
        }
        self.weights
            .iter()
            .zip(&self.bias)
            .map(|(row, b)| {
                let a = row.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + b;
                if self.relu {
                    a.max(0.0)
                } else {
                    a
                }
            })
            .collect()
    }

    /// Pools a layer's neuron outputs when it pools.
    pub fn pool_outputs(&self, h: Vec<f64>) -> Vec<f64> {
        match (&self.pool, &self.conv) {
            (Some(p), Some(c)) => p.apply(c.shape.output_shape(), &h),
            _ => h,
        }
    }

    /// The layer's output: neurons, then pooling.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
        self.pool_outputs(self.neuron_outputs(x))
    }

    fn check_conv(&self) -> Result<(), String> {
        let Some(c) = &self.conv else {
            return match self.pool {
                Some(_) => Err("pooling without a convolution".into()),
                None => Ok(()),
            };
        };
        c.shape.validate()?;
        if c.filters.len() != c.shape.params() {
            return Err(format!(
                "{} filter weights for {} filters of {}×{}×{}",
                c.filters.len(),
                c.shape.channels,
                c.shape.input[0],
                c.shape.kernel,
                c.shape.kernel
            ));
        }
        if !self.relu || self.identity {
            return Err("a convolution must be followed by a ReLU and cannot be pruned to the identity".into());
        }
        if self.weights != c.shape.unroll(&c.filters) {
            return Err("the unrolled weights differ from the filters".into());
        }
        for j in 0..self.outputs() {
            let first = j - j % self.neurons_per_filter();
            if self.bias[j] != self.bias[first] || self.kept[j] != self.kept[first] {
                return Err(format!("neuron {} differs from its filter's bias or pruning", j + 1));
            }
        }
        if let Some(p) = &self.pool {
            p.output_shape(c.shape.output_shape())?;
        }
        Ok(())
    }
}

/// A feed-forward ReLU classifier with its input standardization.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub format_version: u32,
    pub feature_names: Vec<String>,
    pub class_names: Vec<String>,
    /// Applied to raw inputs before the first layer.
    pub standardizer: Standardizer,
    pub layers: Vec<Layer>,
    /// How it was trained (all settings, seeds included), for the record.
    #[serde(default)]
    pub settings: serde_json::Value,
}

impl Network {
    /// Every layer's output for a standardized input: hidden activations
    /// (after ReLU), then the output scores.
    pub fn activations(&self, x_std: &[f64]) -> Vec<Vec<f64>> {
        let mut out = Vec::with_capacity(self.layers.len());
        let mut cur = x_std.to_vec();
        for l in &self.layers {
            cur = l.apply(&cur);
            out.push(cur.clone());
        }
        out
    }

    /// Whether any layer is a convolution.
    pub fn has_conv(&self) -> bool {
        self.layers.iter().any(|l| l.conv.is_some())
    }

    /// Output scores for a standardized input.
    pub fn scores_standardized(&self, x_std: &[f64]) -> Vec<f64> {
        self.layers.iter().fold(x_std.to_vec(), |cur, l| l.apply(&cur))
    }

    /// Output scores for a raw (unstandardized) input.
    pub fn scores(&self, x_raw: &[f64]) -> Vec<f64> {
        self.scores_standardized(&self.standardizer.apply(x_raw))
    }

    /// The predicted class of a raw input: the highest score, the lowest
    /// index on ties.
    pub fn predict(&self, x_raw: &[f64]) -> usize {
        argmax(&self.scores(x_raw))
    }

    /// Fraction of `data` (raw features) classified correctly.
    pub fn accuracy(&self, data: &Dataset) -> f64 {
        if data.is_empty() {
            return 0.0;
        }
        let right = (0..data.len())
            .filter(|&i| self.predict(data.row(i)) == data.label(i))
            .count();
        right as f64 / data.len() as f64
    }

    /// Number of free weights (biases excluded; a convolution counts its
    /// filters once).
    pub fn weight_count(&self) -> usize {
        self.layers.iter().map(|l| l.weight_params().count()).sum()
    }

    /// Fraction of free weights exactly 0.
    pub fn weight_sparsity(&self) -> f64 {
        let zero: usize = self
            .layers
            .iter()
            .map(|l| l.weight_params().filter(|w| **w == 0.0).count())
            .sum();
        zero as f64 / self.weight_count().max(1) as f64
    }

    /// Free weights and biases.
    pub fn params_total(&self) -> usize {
        self.layers
            .iter()
            .map(|l| l.weight_params().count() + l.bias_params().len())
            .sum()
    }

    /// Nonzero free weights and biases of layers that are not the identity.
    pub fn params_kept(&self) -> usize {
        self.layers
            .iter()
            .filter(|l| !l.identity)
            .map(|l| {
                l.weight_params().filter(|w| **w != 0.0).count() + l.bias_params().iter().filter(|b| **b != 0.0).count()
            })
            .sum()
    }

    /// Kept neurons of each hidden layer (kept filters of a convolution).
    pub fn neurons_kept(&self) -> Vec<usize> {
        let hidden = self.layers.len().saturating_sub(1);
        self.layers[..hidden]
            .iter()
            .map(|l| l.kept.iter().step_by(l.neurons_per_filter()).filter(|k| **k).count())
            .collect()
    }

    /// Checks shapes: layer widths chain, names match the first and last
    /// layers, the standardizer fits the inputs.
    pub fn check(&self) -> Result<(), String> {
        let d = self.feature_names.len();
        if self.layers.is_empty() {
            return Err("no layers".into());
        }
        if self.standardizer.mean.len() != d || self.standardizer.std.len() != d {
            return Err(format!(
                "standardization for {} features, network has {d}",
                self.standardizer.mean.len()
            ));
        }
        let s = &self.standardizer;
        for (j, name) in self.feature_names.iter().enumerate() {
            if !s.mean[j].is_finite() {
                return Err(format!(
                    "standardizer.mean[{j}] ('{name}') is {}, not finite",
                    s.mean[j]
                ));
            }
            // Inputs are divided by the standard deviation. Training never
            // writes one at most `MIN_STD` (such a feature gets scale 1), so a
            // smaller one is a damaged or hand-made file whose coefficients in
            // data units blow up (1e−310 makes `show` print inf·[x]).
            if !(s.std[j].is_finite() && s.std[j] > mipnet_data::MIN_STD) {
                return Err(format!(
                    "standardizer.std[{j}] ('{name}') is {}, not a finite positive number above {:e} \
                     (a smaller one counts as 0: training gives such a feature scale 1)",
                    s.std[j],
                    mipnet_data::MIN_STD
                ));
            }
        }
        if let Some(e) = &s.encoding {
            e.check(&self.feature_names)?;
        }
        let mut width = d;
        for (i, l) in self.layers.iter().enumerate() {
            if l.identity && (l.conv.is_some() || l.pool.is_some()) {
                return Err(format!(
                    "layer {}: a convolution or pooling layer cannot be pruned to the identity",
                    i + 1
                ));
            }
            if l.identity {
                if l.outputs() != width {
                    return Err(format!("identity layer {} changes width", i + 1));
                }
                continue;
            }
            if l.weights.iter().any(|r| r.len() != width) {
                return Err(format!("layer {} expects {} inputs, gets {width}", i + 1, l.inputs()));
            }
            if l.bias.len() != l.outputs() || l.kept.len() != l.outputs() {
                return Err(format!("layer {}: bias or mask length differs from its width", i + 1));
            }
            if let Some((r, c)) = l
                .weights
                .iter()
                .enumerate()
                .find_map(|(r, row)| row.iter().position(|v| !v.is_finite()).map(|c| (r, c)))
            {
                return Err(format!(
                    "layers[{i}].weights[{r}][{c}] is {}, not finite",
                    l.weights[r][c]
                ));
            }
            if let Some(j) = l.bias.iter().position(|v| !v.is_finite()) {
                return Err(format!("layers[{i}].bias[{j}] is {}, not finite", l.bias[j]));
            }
            if let Some(g) = l.grid.filter(|g| !(g.step.is_finite() && g.step > 0.0)) {
                return Err(format!(
                    "layers[{i}].grid.step is {}, not a finite positive number",
                    g.step
                ));
            }
            l.check_conv().map_err(|e| format!("layer {}: {e}", i + 1))?;
            width = l.output_len();
        }
        if width != self.class_names.len() {
            return Err(format!("{width} outputs for {} classes", self.class_names.len()));
        }
        Ok(())
    }

    /// Reads `network.json`, refusing other format versions.
    pub fn load(path: &Path) -> Result<Network, NetworkError> {
        let text = std::fs::read_to_string(path).map_err(|reason| NetworkError::Io {
            path: path.into(),
            reason,
        })?;
        Network::from_json(&text, path)
    }

    /// Reads the text of a `network.json`, with the checks of
    /// [`Network::load`]; `path` names the source in error messages (for
    /// text that came from elsewhere, e.g. a pickled Python estimator, a
    /// name such as `<pickle>`).
    pub fn from_json(text: &str, path: &Path) -> Result<Network, NetworkError> {
        let malformed = |reason: String| NetworkError::Malformed {
            path: path.into(),
            reason,
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
        match value.get("format_version").and_then(|v| v.as_u64()) {
            None => return Err(malformed("no format_version field".into())),
            Some(v) if !(OLDEST_FORMAT_VERSION as u64..=FORMAT_VERSION as u64).contains(&v) => {
                return Err(NetworkError::Version {
                    path: path.into(),
                    found: v,
                })
            }
            Some(_) => {}
        }
        for key in ["standardizer", "layers"] {
            if let Some(field) = value.get(key).and_then(|v| null_number(v, key)) {
                return Err(NetworkError::NotANumber {
                    path: path.into(),
                    field,
                });
            }
        }
        let mut net: Network = serde_json::from_value(value).map_err(|e| malformed(e.to_string()))?;
        for (i, l) in net.layers.iter_mut().enumerate() {
            if let Some(c) = &l.conv {
                c.shape
                    .validate()
                    .map_err(|e| malformed(format!("layer {}: {e}", i + 1)))?;
                if c.filters.len() != c.shape.params() {
                    return Err(malformed(format!(
                        "layer {}: {} filter weights, its shape needs {}",
                        i + 1,
                        c.filters.len(),
                        c.shape.params()
                    )));
                }
                l.unroll();
            }
        }
        net.format_version = FORMAT_VERSION;
        net.check().map_err(|reason| NetworkError::Inconsistent {
            path: path.into(),
            reason,
        })?;
        Ok(net)
    }

    /// Writes `network.json` whole or not at all.
    pub fn save(&self, path: &Path) -> Result<(), NetworkError> {
        write_atomic(path, self.to_json().as_bytes()).map_err(|reason| NetworkError::Write {
            path: path.into(),
            reason,
        })
    }

    /// The text of `network.json`, as [`Network::save`] writes it.
    pub fn to_json(&self) -> String {
        // A convolution's unrolled matrix follows from its filters. A
        // dense network is written as version 1, which older mipnets read.
        let mut copy = self.clone();
        copy.format_version = if self.standardizer.encoding.is_some() {
            ENCODING_FORMAT_VERSION
        } else if self.has_conv() {
            CONV_FORMAT_VERSION
        } else {
            OLDEST_FORMAT_VERSION
        };
        for l in copy.layers.iter_mut().filter(|l| l.conv.is_some()) {
            l.weights.clear();
        }
        serde_json::to_string_pretty(&copy).expect("a network serializes")
    }
}

/// The path (`layers[0].bias[2]`) of the first `null` under `value` that
/// stands where a number belongs: an array element, or an object's value
/// outside [`NULLABLE_KEYS`].
fn null_number(value: &serde_json::Value, at: &str) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::Null => Some(at.to_string()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| null_number(v, &format!("{at}[{i}]"))),
        Value::Object(fields) => fields
            .iter()
            .filter(|(k, v)| !(v.is_null() && NULLABLE_KEYS.contains(&k.as_str())))
            .find_map(|(k, v)| null_number(v, &format!("{at}.{k}"))),
        _ => None,
    }
}

/// Index of the largest value, the first on ties.
pub fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Index of the smallest value, the first on ties.
pub fn argmin(v: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x < v[best] {
            best = i;
        }
    }
    best
}

/// Writes a file under a temporary name beside it, then renames it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let res = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}
