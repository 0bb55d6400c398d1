//! The settings of the training MILP, with their defaults and validation.

use crate::rules::{check_rules_settings, Rule};
use mipnet_network::ConvSpec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use thiserror::Error;

/// The training loss, averaged over the training samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Multi-class hinge: ξ_n ≥ margin − (o_{n,y} − o_{n,k}) for k ≠ y, ξ ≥ 0.
    #[default]
    Hinge,
    /// Number of samples that miss the margin (a binary per sample).
    Misclassification,
    /// Σ_k |o_{n,k} − t_{n,k}| against one-hot targets t.
    L1,
}

impl Loss {
    pub fn name(self) -> &'static str {
        match self {
            Loss::Hinge => "hinge",
            Loss::Misclassification => "misclassification",
            Loss::L1 => "l1",
        }
    }
}

/// Everything that shapes the training MILP. Defaults are documented on
/// each field; [`FormulationSettings::validate`] refuses bad values before
/// anything is built.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FormulationSettings {
    /// A convolution (with optional pooling) as the first layer, before the
    /// dense hidden layers. Default none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conv: Option<ConvSpec>,
    /// Hidden dense layer widths, e.g. `[8]` or `[16, 8]` (after the
    /// convolution, when there is one; may then be empty).
    pub hidden: Vec<usize>,
    /// ω: layer-1 weights and every bias lie in [−ω, ω]. Default 1.
    pub omega: f64,
    /// s: weights of layers ≥ 2 are s·z. Default 1.
    pub grid_step: f64,
    /// P: z ∈ {−P..P}. Default 1 (ternary weights).
    pub grid_levels: u32,
    /// Default hinge.
    pub loss: Loss,
    /// Margin of the hinge and misclassification losses. Default 1.
    pub margin: f64,
    /// α: weight of the ℓ1 norm of all weights. Default 0.01 (chosen by the
    /// sweep in docs/benchmarks.md).
    pub l1: f64,
    /// λ: weight of the number of nonzero weights (ℓ0). Default 0.
    pub l0: f64,
    /// γ: weight of the squared ℓ2 norm (tangent outer approximation for
    /// layer-1 weights, exact for grid weights). Default 0.
    pub l2: f64,
    /// Number of tangents of the ℓ2 approximation, spread over [−ω, ω].
    /// With k tangents the gap is at most (2ω/(k−1))²/4. Default 9.
    pub l2_tangents: usize,
    /// Neuron indicators: a pruned neuron has all weights in and out and
    /// its bias 0. Default off.
    pub prune_neurons: bool,
    /// β: cost of each kept neuron (with `prune_neurons`). Default 0.
    pub neuron_penalty: f64,
    /// Layer indicators for hidden layers ≥ 2 whose width equals the
    /// previous one: a pruned layer is the identity. Default off.
    pub prune_layers: bool,
    /// Cost of each kept prunable layer. Default 0.
    pub layer_penalty: f64,
    /// Order the neurons of each hidden layer (kept first, then by bias,
    /// descending). Never changes the optimum. Default on.
    pub symmetry_breaking: bool,
    /// Rules the network must satisfy (`[[rules]]`), each enforced by rows
    /// of the MILP and checked by the certificate. Default none; omitted
    /// from the serialized settings when empty, so files without rules
    /// read and write as before.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Per-class loss weights by class name (`class_weights = { malignant
    /// = 3 }`): each sample's loss counts its class's weight times in the
    /// mean loss; classes not named weigh 1. Each weight at least 1 (see
    /// [`MIN_CLASS_WEIGHT`]). Default none; omitted when empty.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub class_weights: BTreeMap<String, f64>,
}

/// The smallest class weight: the proven lower bounds on the training
/// optimum (mipnet-bounds) price every sample's loss at weight 1, so they
/// stay lower bounds of a weighted objective only when no weight is below
/// 1 (the weighted objective is then at least the unweighted one).
pub const MIN_CLASS_WEIGHT: f64 = 1.0;

impl Default for FormulationSettings {
    fn default() -> Self {
        FormulationSettings {
            conv: None,
            hidden: vec![8],
            omega: 1.0,
            grid_step: 1.0,
            grid_levels: 1,
            loss: Loss::Hinge,
            margin: 1.0,
            l1: 0.01,
            l0: 0.0,
            l2: 0.0,
            l2_tangents: 9,
            prune_neurons: false,
            neuron_penalty: 0.0,
            prune_layers: false,
            layer_penalty: 0.0,
            symmetry_breaking: true,
            rules: Vec::new(),
            class_weights: BTreeMap::new(),
        }
    }
}

/// A setting that cannot be used, named.
#[derive(Debug, Error, PartialEq)]
#[error("invalid setting {name}: {reason}")]
pub struct SettingError {
    pub name: &'static str,
    pub reason: String,
}

fn bad(name: &'static str, reason: impl Into<String>) -> Result<(), SettingError> {
    Err(SettingError {
        name,
        reason: reason.into(),
    })
}

impl FormulationSettings {
    /// Refuses settings that cannot define a model.
    pub fn validate(&self) -> Result<(), SettingError> {
        if self.hidden.is_empty() && self.conv.is_none() {
            return bad("hidden", "at least one hidden layer is needed");
        }
        if let Some(i) = self.hidden.iter().position(|&w| w == 0) {
            return bad("hidden", format!("layer {} has width 0", i + 1));
        }
        let positive = [("omega", self.omega), ("grid_step", self.grid_step)];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return bad(name, format!("must be a positive number, got {v}"));
            }
        }
        if self.grid_levels == 0 || self.grid_levels > 64 {
            return bad(
                "grid_levels",
                format!("must be within 1..=64, got {}", self.grid_levels),
            );
        }
        let nonneg = [
            ("margin", self.margin),
            ("l1", self.l1),
            ("l0", self.l0),
            ("l2", self.l2),
            ("neuron_penalty", self.neuron_penalty),
            ("layer_penalty", self.layer_penalty),
        ];
        for (name, v) in nonneg {
            if !(v.is_finite() && v >= 0.0) {
                return bad(name, format!("must be zero or positive, got {v}"));
            }
        }
        if self.l2 > 0.0 && self.l2_tangents < 2 {
            return bad("l2_tangents", "at least 2 tangents are needed");
        }
        if self.neuron_penalty > 0.0 && !self.prune_neurons {
            return bad("neuron_penalty", "needs prune_neurons");
        }
        if self.layer_penalty > 0.0 && !self.prune_layers {
            return bad("layer_penalty", "needs prune_layers");
        }
        if self.prune_layers && self.prunable_layers().is_empty() {
            return bad(
                "prune_layers",
                format!(
                    "no hidden layer can become the identity: it needs a previous hidden layer of the same width (widths {:?})",
                    self.hidden
                ),
            );
        }
        if let Some((class, w)) = self
            .class_weights
            .iter()
            .find(|(_, w)| !(w.is_finite() && **w >= MIN_CLASS_WEIGHT))
        {
            return bad(
                "class_weights",
                format!(
                    "the weight of class \"{class}\" must be a number of at least {MIN_CLASS_WEIGHT} (the proven lower bounds price every sample at weight 1; weigh the other classes up instead), got {w}"
                ),
            );
        }
        check_rules_settings(self)
    }

    /// Hidden layers (0-based, the convolution counted) that layer pruning
    /// may turn into the identity: dense layers after the first dense one,
    /// as wide as the layer before.
    pub fn prunable_layers(&self) -> Vec<usize> {
        let shift = self.conv.is_some() as usize;
        (1..self.hidden.len())
            .filter(|&l| self.hidden[l] == self.hidden[l - 1])
            .map(|l| l + shift)
            .collect()
    }

    /// The grid values of a weight, without 0: −P..−1, 1..P.
    pub fn grid_values(&self) -> Vec<i32> {
        let p = self.grid_levels as i32;
        (-p..=p).filter(|&v| v != 0).collect()
    }

    /// Tangent points of the ℓ2 approximation.
    pub fn l2_points(&self) -> Vec<f64> {
        let k = self.l2_tangents.max(2);
        (0..k)
            .map(|i| -self.omega + 2.0 * self.omega * i as f64 / (k - 1) as f64)
            .collect()
    }

    /// The tangent approximation of w²: max_t (2tw − t²) ≤ w².
    pub fn l2_approx(&self, w: f64) -> f64 {
        self.l2_points().iter().map(|t| 2.0 * t * w - t * t).fold(0.0, f64::max)
    }
}
