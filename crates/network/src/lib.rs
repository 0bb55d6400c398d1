//! A trained network as mipnet hands it to people: the file format
//! (`network.json`), the forward pass in plain f64, metrics, and the
//! readable form that `mipnet show` prints. It needs no solver, so
//! `predict` and `show` stay light.

mod relu_net;
mod show;

use mipnet_data::{Dataset, Standardizer};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

pub use relu_net::{generated_names, Affine, Op, ReluNet};
pub use show::render;

/// The version of `network.json` this mipnet writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// Why a network file could not be used.
#[derive(Debug, Error)]
pub enum NetworkError {
    #[error("cannot read {path}: {reason}")]
    Io { path: PathBuf, reason: std::io::Error },
    #[error("{path}: not a mipnet network file: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("{path}: network format version {found}, but this mipnet reads version {FORMAT_VERSION}")]
    Version { path: PathBuf, found: u64 },
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
}

impl Layer {
    pub fn inputs(&self) -> usize {
        self.weights.first().map_or(0, |r| r.len())
    }
    pub fn outputs(&self) -> usize {
        self.weights.len()
    }
    /// `W x + b`, then ReLU when the layer has one; the identity when pruned.
    pub fn apply(&self, x: &[f64]) -> Vec<f64> {
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

    /// Number of weights (biases excluded).
    pub fn weight_count(&self) -> usize {
        self.layers.iter().map(|l| l.inputs() * l.outputs()).sum()
    }

    /// Fraction of weights exactly 0.
    pub fn weight_sparsity(&self) -> f64 {
        let zero: usize = self
            .layers
            .iter()
            .map(|l| l.weights.iter().flatten().filter(|w| **w == 0.0).count())
            .sum();
        zero as f64 / self.weight_count().max(1) as f64
    }

    /// Weights and biases.
    pub fn params_total(&self) -> usize {
        self.layers.iter().map(|l| l.inputs() * l.outputs() + l.outputs()).sum()
    }

    /// Nonzero weights and biases of layers that are not the identity.
    pub fn params_kept(&self) -> usize {
        self.layers
            .iter()
            .filter(|l| !l.identity)
            .map(|l| {
                l.weights.iter().flatten().filter(|w| **w != 0.0).count() + l.bias.iter().filter(|b| **b != 0.0).count()
            })
            .sum()
    }

    /// Kept neurons of each hidden layer.
    pub fn neurons_kept(&self) -> Vec<usize> {
        let hidden = self.layers.len().saturating_sub(1);
        self.layers[..hidden]
            .iter()
            .map(|l| l.kept.iter().filter(|k| **k).count())
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
        let mut width = d;
        for (i, l) in self.layers.iter().enumerate() {
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
            if l.weights.iter().flatten().chain(&l.bias).any(|v| !v.is_finite()) {
                return Err(format!("layer {} has a weight that is not finite", i + 1));
            }
            width = l.outputs();
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
        let malformed = |reason: String| NetworkError::Malformed {
            path: path.into(),
            reason,
        };
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| malformed(e.to_string()))?;
        match value.get("format_version").and_then(|v| v.as_u64()) {
            None => return Err(malformed("no format_version field".into())),
            Some(v) if v != FORMAT_VERSION as u64 => {
                return Err(NetworkError::Version {
                    path: path.into(),
                    found: v,
                })
            }
            Some(_) => {}
        }
        let net: Network = serde_json::from_value(value).map_err(|e| malformed(e.to_string()))?;
        net.check().map_err(|reason| NetworkError::Inconsistent {
            path: path.into(),
            reason,
        })?;
        Ok(net)
    }

    /// Writes `network.json` whole or not at all.
    pub fn save(&self, path: &Path) -> Result<(), NetworkError> {
        let text = serde_json::to_string_pretty(self).expect("a network serializes");
        write_atomic(path, text.as_bytes()).map_err(|reason| NetworkError::Write {
            path: path.into(),
            reason,
        })
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
