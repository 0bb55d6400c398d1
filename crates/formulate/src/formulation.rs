//! The training MILP of a network on one dataset, built part by part (the
//! equations are in the crate docs): the weights with their pruning gates
//! and penalties, the products of grid weights with activations, the
//! ReLUs with their interval bounds, the pooling of a convolution, the
//! loss, and symmetry breaking. One file per part, in build order; this
//! file holds the formulation itself, the build's order and what other
//! crates may ask of a built model.
//!
//! Reading a network back, start values, the certificate, the objective,
//! flip heuristics, column groups, cuts and the polish LP are other jobs,
//! in their own modules at the crate root: they find the columns through
//! the [`Layout`] and never reach into the build.

mod bound_rows;
mod bounds;
mod layers;
mod loss;
mod pooling;
mod pruning;
pub(crate) mod regularization;
mod relu;
mod symmetry;
mod weights;

use crate::conv::ConvPart;
use crate::layout::Layout;
use crate::rules::{resolve, Resolved, Rule};
use crate::settings::{FormulationSettings, SettingError};
use crate::tolerances::CUTOFF_ROOM;
use mipnet_data::{Dataset, Standardizer};
use mipnet_milp::{Col, Model, Sense};
use mipnet_network::{ConvShape, Pool};
use serde::Serialize;

pub(crate) use layers::product_col;
pub(crate) use loss::{l1_loss_rows, margin_rows};
pub(crate) use pruning::gate_box;

/// Model size, for reports.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ModelStats {
    pub columns: usize,
    pub binaries: usize,
    pub rows: usize,
    pub nonzeros: usize,
    /// ReLU binaries (unstable neuron-sample pairs).
    pub relu_binaries: usize,
    /// Neuron-sample pairs proven stable by the bounds (no binary).
    pub stable_pairs: usize,
    /// Mean of U − L over the unstable pairs (the big-M values).
    pub mean_big_m: f64,
}

/// What the ReLU part counts while it builds, for [`ModelStats`].
#[derive(Default)]
struct ReluCounts {
    binaries: usize,
    stable_pairs: usize,
    big_m_sum: f64,
}

/// The training MILP of a network on one dataset: dense layers, or a
/// convolution (with pooling) followed by dense layers.
pub struct DenseFormulation {
    pub settings: FormulationSettings,
    pub model: Model,
    data: Dataset,
    layout: Layout,
    relu_counts: ReluCounts,
    /// B = f*/α from an objective cutoff (see `build_with_cutoff`).
    l1_budget: Option<f64>,
    /// The settings' rules, resolved against the data (same order).
    rules: Vec<Resolved>,
}

impl DenseFormulation {
    /// Builds the MILP for `data` (already standardized).
    pub fn build(data: &Dataset, settings: &FormulationSettings) -> Result<Self, SettingError> {
        Self::build_with_cutoff(data, settings, None)
    }

    /// Builds the MILP tightened by an incumbent's objective `cutoff` = f*
    /// (needs α > 0). Every term of the objective is nonnegative, so a
    /// network at least as good has α·Σ|W¹| ≤ f*: the layer-1 ℓ1 norm is at
    /// most B = f*/α. The model gets that row (Σ A ≤ B), and each layer-1
    /// pre-activation's bound becomes ω·|b| plus the largest value of
    /// Σ|w_i||x_i| with Σ|w_i| ≤ B and |w_i| ≤ ω (the largest |x_i| first);
    /// later layers' bounds follow from those. No network with objective
    /// ≤ f* is cut off (tested against proven optima); where B ≥ ω·(inputs)
    /// nothing changes.
    pub fn build_with_cutoff(
        data: &Dataset,
        settings: &FormulationSettings,
        cutoff: Option<f64>,
    ) -> Result<Self, SettingError> {
        Self::build_full(data, settings, None, cutoff)
    }

    /// Builds the MILP (with an objective `cutoff` as in
    /// [`DenseFormulation::build_with_cutoff`]) for `data` standardized by
    /// `standardizer`: needed when the rules hold a fixed decision, whose
    /// point is given in the data's own units. Without fixed decisions it
    /// builds the same model as `build_with_cutoff`.
    pub fn build_with_standardizer(
        data: &Dataset,
        settings: &FormulationSettings,
        standardizer: &Standardizer,
        cutoff: Option<f64>,
    ) -> Result<Self, SettingError> {
        Self::build_full(data, settings, Some(standardizer), cutoff)
    }

    fn build_full(
        data: &Dataset,
        settings: &FormulationSettings,
        standardizer: Option<&Standardizer>,
        cutoff: Option<f64>,
    ) -> Result<Self, SettingError> {
        settings.validate()?;
        let rules = resolve(settings, data, standardizer)?;
        // A neuron limit counts kept units: it needs the neuron indicators.
        let mut settings = settings.clone();
        if settings.rules.iter().any(|r| matches!(r, Rule::NeuronLimit { .. })) {
            settings.prune_neurons = true;
        }
        let settings = &settings;
        let l1_budget = match cutoff {
            None => None,
            Some(f) if f.is_finite() && f >= 0.0 && settings.l1 > 0.0 => Some(f / settings.l1 * (1.0 + CUTOFF_ROOM)),
            Some(f) => {
                return Err(SettingError {
                    name: "cutoff",
                    reason: format!(
                        "needs l1 > 0 and a finite objective ≥ 0, got {f} with l1 = {}",
                        settings.l1
                    ),
                })
            }
        };
        if data.num_classes() < 2 {
            return Err(SettingError {
                name: "data",
                reason: "at least two classes are needed".into(),
            });
        }
        let conv = match &settings.conv {
            Some(spec) => Some(ConvPart::new(spec, data.num_features())?),
            None => None,
        };
        let widths = conv
            .as_ref()
            .map(|c| c.shape.outputs())
            .into_iter()
            .chain(settings.hidden.iter().copied())
            .chain([data.num_classes()])
            .collect();
        let layout = Layout::new(data.len(), data.num_features(), widths, settings.grid_values(), conv);
        let mut f = DenseFormulation {
            settings: settings.clone(),
            model: Model::new(Sense::Minimize),
            data: data.clone(),
            layout,
            relu_counts: ReluCounts::default(),
            l1_budget,
            rules,
        };
        f.add_weights();
        f.add_layers();
        f.add_loss();
        f.add_rules();
        if settings.symmetry_breaking {
            f.add_symmetry_breaking();
        }
        Ok(f)
    }

    /// Where every column is.
    pub(crate) fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The model and the layout, for the rules' rows to add to both.
    pub(crate) fn model_and_layout(&mut self) -> (&mut Model, &mut Layout) {
        (&mut self.model, &mut self.layout)
    }

    /// The settings' rules, resolved against the data.
    pub(crate) fn resolved_rules(&self) -> &[Resolved] {
        &self.rules
    }

    /// Model size and big-M statistics.
    pub fn stats(&self) -> ModelStats {
        let c = &self.relu_counts;
        ModelStats {
            columns: self.model.num_cols(),
            binaries: self.model.num_integral(),
            rows: self.model.num_rows(),
            nonzeros: self.model.num_nonzeros(),
            relu_binaries: c.binaries,
            stable_pairs: c.stable_pairs,
            mean_big_m: c.big_m_sum / c.binaries.max(1) as f64,
        }
    }

    /// The integral columns of the model (for the LP polish and partial starts).
    pub fn integral_columns(&self) -> Vec<Col> {
        (0..self.model.num_cols())
            .filter(|&j| self.model.col_types()[j].is_integral())
            .map(Col::from_index)
            .collect()
    }

    /// The convolution in front, with its pooling, when layer 1 is one.
    pub fn convolution(&self) -> Option<(ConvShape, Option<Pool>)> {
        self.layout.conv().map(|c| (c.shape, c.pool))
    }

    /// The training data the model was built on (standardized).
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The ℓ1 auxiliaries A_ji ≥ |W_ji| of layer 1 (index j·d + i), when α > 0.
    pub fn l1_auxiliaries(&self) -> Option<Vec<Col>> {
        self.layout.layer_one().iter().map(|p| p.abs).collect()
    }

    /// Width of hidden layer `l`.
    pub fn hidden_width(&self, l: usize) -> usize {
        self.layout.width(l)
    }

    /// The column of h_{nj} in hidden layer `l`, none when proven 0.
    pub fn activation(&self, l: usize, n: usize, j: usize) -> Option<Col> {
        self.layout.act(l, n, j).h
    }

    /// The products u·h_{nj} of first-layer neuron j with every grid binary
    /// of the next layer, in a fixed order.
    pub fn products_of(&self, n: usize, j: usize) -> Vec<Option<Col>> {
        let out = self.layout.width(1);
        (0..out)
            .flat_map(|k| self.layout.products(1, n, k, j).iter().copied())
            .collect()
    }
}
