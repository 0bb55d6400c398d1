//! The size of a training MILP computed from its dimensions, before
//! anything is built: a model too large for the machine is refused at once
//! (building even a few samples' model of 100,000 hidden neurons took
//! 15–40 s).
//!
//! Every count follows [`DenseFormulation::build`] part by part (the
//! equations are in the crate docs); the test `estimate_matches_the_built_model`
//! checks the counts against built models, every part switched on and off,
//! and `rules_estimate.rs` the rules' columns and rows (each kind alone and
//! all together, two and three classes).
//! The build gives every neuron-sample pair a ReLU binary (its interval
//! bounds are symmetric and at least ω wide), so only the data's zeros (no
//! term in a layer-1 row) depend on the values, and they are counted here.
//!
//! [`DenseFormulation::build`]: crate::DenseFormulation::build

use crate::conv::ConvPart;
use crate::rules::{resolve_one, Resolved, Rule};
use crate::settings::{FormulationSettings, Loss, SettingError};
use mipnet_data::{Dataset, Standardizer};
use serde::Serialize;

/// Bytes per nonzero of a training run's peak memory, the full MIP
/// included: fitted with [`BYTES_PER_LINE`] to the peak resident memory of
/// four runs with HiGHS 1.16 (dense MNIST 100 samples 0.57 GB, digits 400
/// samples 0.84 GB, CNN on MNIST 100 and 400 samples 3.7 and 14.3 GB), 0–15 %
/// above each; an estimate, not a bound.
const BYTES_PER_NONZERO: f64 = 400.0;
/// Bytes per column or row of that peak.
const BYTES_PER_LINE: f64 = 2200.0;
/// Bytes per nonzero when the full MIP does not run (only mipnet's model and
/// the small polish LPs): the CNN run above peaked at 0.27 GB without the
/// MIP, this and [`BYTES_PER_LINE_WITHOUT_MIP`] give 0.52 GB.
const BYTES_PER_NONZERO_WITHOUT_MIP: f64 = 64.0;
/// Bytes per column or row when the full MIP does not run.
const BYTES_PER_LINE_WITHOUT_MIP: f64 = 256.0;

/// The size of a training MILP before it is built, and the memory it will
/// need with HiGHS's copies.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ModelEstimate {
    pub columns: usize,
    pub binaries: usize,
    pub rows: usize,
    pub nonzeros: usize,
    /// Peak bytes of a training run, the full MIP included: 400 per
    /// nonzero and 2,200 per column or row, fitted to the peak resident
    /// memory of four runs with HiGHS 1.16 (an estimate, not a bound).
    pub bytes: f64,
    /// Peak bytes when the full MIP does not run: 64 per nonzero and 256
    /// per column or row.
    pub bytes_without_mip: f64,
}

/// Running totals of the model's parts. Counts are f64: exact below 2⁵³,
/// and a model of absurd dimensions saturates instead of overflowing.
#[derive(Default)]
struct Count {
    columns: f64,
    binaries: f64,
    rows: f64,
    nonzeros: f64,
}

impl Count {
    /// `times` columns, `binary` ones or not.
    fn cols(&mut self, times: f64, binary: bool) {
        self.columns += times;
        if binary {
            self.binaries += times;
        }
    }
    /// `times` rows of `terms` nonzeros each.
    fn rows(&mut self, times: f64, terms: f64) {
        self.rows += times;
        self.nonzeros += times * terms;
    }
}

impl ModelEstimate {
    /// The size of `DenseFormulation::build(data, settings)` (`data`
    /// standardized), computed from the dimensions and the data's zeros;
    /// the same settings errors as the build. The rules' rows and binaries
    /// are counted; without the standardizer a fixed decision's point is
    /// taken to have no zero after standardizing (its count of layer-1
    /// terms is then exact unless a coordinate equals the training mean;
    /// [`ModelEstimate::of_standardized`] counts those exactly).
    pub fn of(data: &Dataset, settings: &FormulationSettings) -> Result<ModelEstimate, SettingError> {
        Self::of_with(data, settings, None)
    }

    /// [`ModelEstimate::of`] for `DenseFormulation::build_with_standardizer(data,
    /// settings, standardizer, _)`: fixed decisions' points standardized
    /// as the build does, so their zeros are counted exactly.
    pub fn of_standardized(
        data: &Dataset,
        settings: &FormulationSettings,
        standardizer: &Standardizer,
    ) -> Result<ModelEstimate, SettingError> {
        Self::of_with(data, settings, Some(standardizer))
    }

    fn of_with(
        data: &Dataset,
        settings: &FormulationSettings,
        standardizer: Option<&Standardizer>,
    ) -> Result<ModelEstimate, SettingError> {
        settings.validate()?;
        // A neuron limit turns neuron pruning on (as the build does).
        let mut settings = settings.clone();
        if settings.rules.iter().any(|r| matches!(r, Rule::NeuronLimit { .. })) {
            settings.prune_neurons = true;
        }
        let settings = &settings;
        if data.num_classes() < 2 {
            return Err(SettingError {
                name: "data",
                reason: "at least two classes are needed".into(),
            });
        }
        let s = settings;
        let (n, d, k) = (data.len() as f64, data.num_features(), data.num_classes() as f64);
        let conv = match &s.conv {
            Some(spec) => Some(ConvPart::new(spec, d)?),
            None => None,
        };
        // Every layer's output width: the convolution's, hidden, K.
        let widths: Vec<f64> = conv
            .as_ref()
            .map(|c| c.shape.outputs())
            .into_iter()
            .chain(s.hidden.iter().copied())
            .map(|w| w as f64)
            .chain([k])
            .collect();
        let layers = widths.len();
        let hidden = layers - 1;
        let units = |l: usize| match (l, &conv) {
            (0, Some(c)) => c.shape.channels as f64,
            _ => widths[l],
        };
        let inputs = |l: usize| match (l, &conv) {
            (0, _) => d as f64,
            (1, Some(c)) => c.out_len() as f64,
            _ => widths[l - 1],
        };
        let prunable = s.prunable_layers();
        let layer_gate = |l: usize| s.prune_layers && prunable.contains(&l);
        let neuron_gate = |l: usize| s.prune_neurons && l < hidden;
        let v = s.grid_values().len() as f64;
        let mut c = Count::default();

        // Neuron (filter) and layer indicators.
        for l in 0..hidden {
            if s.prune_neurons {
                c.cols(units(l), true);
            }
            if layer_gate(l) {
                c.cols(1.0, true);
            }
        }
        // Layer-1 weights (filter weights) with their auxiliaries and gate.
        let weights = match &conv {
            Some(c) => c.shape.params() as f64,
            None => widths[0] * d as f64,
        };
        c.cols(weights, false);
        if s.l1 > 0.0 {
            c.cols(weights, false);
            c.rows(2.0 * weights, 2.0);
        }
        if s.l0 > 0.0 {
            c.cols(weights, true);
            c.rows(2.0 * weights, 2.0);
        }
        if s.l2 > 0.0 {
            c.cols(weights, false);
            c.rows(s.l2_points().len() as f64 * weights, 2.0);
        }
        if neuron_gate(0) {
            c.rows(2.0 * weights, 2.0);
        }
        // Biases, each with two rows per gate.
        for l in 0..layers {
            c.cols(units(l), false);
            let gates = (neuron_gate(l) as usize + layer_gate(l) as usize) as f64;
            c.rows(2.0 * gates * units(l), 2.0);
        }
        // Grid weights: a binary per value, Σ_v u ≤ 1 and one row per gate
        // (the input's neuron, the output neuron, the layer).
        for l in 1..layers {
            let pairs = widths[l] * inputs(l);
            c.cols(pairs * v, true);
            c.rows(pairs, v);
            let gates = (s.prune_neurons as usize + neuron_gate(l) as usize + layer_gate(l) as usize) as f64;
            c.rows(pairs * gates, v + 1.0);
        }

        // Products of grid weights and inputs: a column and three rows of
        // 2, 2 and 3 terms each.
        let products = |l: usize| n * widths[l] * inputs(l) * v;
        for l in 1..layers {
            c.cols(products(l), false);
            c.rows(3.0 * products(l), 0.0);
            c.nonzeros += 7.0 * products(l);
        }
        // Terms of a neuron's pre-activation over all samples (its bias
        // included) in hidden layer l, summed over the layer's neurons.
        let layer_one_terms = || -> f64 {
            match &conv {
                None => {
                    let nonzero = (0..data.len()).flat_map(|m| data.row(m)).filter(|&&x| x != 0.0).count() as f64;
                    widths[0] * (nonzero + n)
                }
                Some(c) => {
                    // How many neurons read each input.
                    let mut reads = vec![0.0; d];
                    for taps in &c.taps {
                        for &(i, _) in taps {
                            reads[i] += 1.0;
                        }
                    }
                    let read: f64 = (0..data.len())
                        .flat_map(|m| data.row(m).iter().zip(&reads))
                        .filter(|(&x, _)| x != 0.0)
                        .map(|(_, r)| r)
                        .sum();
                    read + n * widths[0]
                }
            }
        };
        // ReLU: h and σ, three rows (h − a ≥ 0, h − a − L·σ ≤ −L, h ≤ U·σ),
        // each with the layer indicator when the layer may be pruned, and
        // two rows tying h to the previous layer's then.
        for l in 0..hidden {
            let pairs = n * widths[l];
            let terms = if l == 0 {
                layer_one_terms()
            } else {
                pairs * (inputs(l) * v + 1.0)
            };
            let gate = layer_gate(l) as usize as f64;
            c.cols(pairs, false);
            c.cols(pairs, true);
            c.rows(3.0 * pairs, 0.0);
            c.nonzeros += 2.0 * terms + pairs * (5.0 + 3.0 * gate);
            if layer_gate(l) {
                c.rows(2.0 * pairs, 3.0);
            }
        }
        // Pooling of the convolution's maps, per sample and window.
        if let Some((kind, windows)) = conv.as_ref().and_then(|c| c.pool.map(|p| (p.kind, &c.windows))) {
            for w in windows {
                let e = w.len() as f64;
                match kind {
                    mipnet_network::PoolKind::Average => {
                        c.cols(n, false);
                        c.rows(n, 1.0 + e);
                    }
                    mipnet_network::PoolKind::Max if w.len() == 1 => {}
                    mipnet_network::PoolKind::Max => {
                        c.cols(n, false);
                        c.cols(n * e, true);
                        c.rows(n * e, 2.0);
                        c.rows(n * e, 3.0);
                        c.rows(n, e);
                        c.rows(n, 1.0 + e);
                    }
                }
            }
        }
        // Loss: an output's terms, its bias included.
        let output = inputs(layers - 1) * v + 1.0;
        match s.loss {
            Loss::Hinge | Loss::Misclassification => {
                c.cols(n, s.loss == Loss::Misclassification);
                c.rows(n * (k - 1.0), 2.0 * output + 1.0);
            }
            Loss::L1 => {
                c.cols(n * k, false);
                c.rows(2.0 * n * k, output + 1.0);
            }
        }
        // Symmetry breaking between neighbouring units.
        if s.symmetry_breaking {
            for l in 0..hidden {
                let pairs = (units(l) - 1.0).max(0.0);
                if s.prune_neurons {
                    c.rows(pairs, 2.0);
                    c.rows(pairs, 4.0);
                } else {
                    c.rows(pairs, 2.0);
                }
            }
        }
        // The rules' columns and rows (rules/*.rs), in the settings' order.
        let dims = Dims {
            n,
            k,
            d,
            v,
            widths: &widths,
            inputs: &(0..layers).map(inputs).collect::<Vec<_>>(),
            units: &(0..hidden).map(units).collect::<Vec<_>>(),
            output,
        };
        for (i, rule) in s.rules.iter().enumerate() {
            count_rule(&mut c, &dims, data, s, standardizer, rule).map_err(|e| crate::rules::rule_error(i, rule, e))?;
        }
        let lines = c.columns + c.rows;
        Ok(ModelEstimate {
            columns: c.columns as usize,
            binaries: c.binaries as usize,
            rows: c.rows as usize,
            nonzeros: c.nonzeros as usize,
            bytes: BYTES_PER_NONZERO * c.nonzeros + BYTES_PER_LINE * lines,
            bytes_without_mip: BYTES_PER_NONZERO_WITHOUT_MIP * c.nonzeros + BYTES_PER_LINE_WITHOUT_MIP * lines,
        })
    }
}

/// The dimensions the rules' counts need.
struct Dims<'a> {
    /// Samples, classes, features, grid values.
    n: f64,
    k: f64,
    d: usize,
    v: f64,
    /// Every layer's output width and input count; hidden layers' units.
    widths: &'a [f64],
    inputs: &'a [f64],
    units: &'a [f64],
    /// Terms of one output's expression (its products and bias).
    output: f64,
}

/// Adds one rule's columns and rows to `c`, as rules/*.rs build them.
fn count_rule(
    c: &mut Count,
    dims: &Dims,
    data: &Dataset,
    s: &FormulationSettings,
    standardizer: Option<&Standardizer>,
    rule: &Rule,
) -> Result<(), String> {
    let Dims { n, k, d, v, .. } = *dims;
    let d_f = d as f64;
    // A margin row of one sample: o_c − o_k (+ a binary).
    let margin_row = 2.0 * dims.output;
    match rule {
        // Built without region rules (the trainer's loop adds them as
        // fixed decisions); the build refuses them.
        Rule::Region { .. } => {}
        Rule::FeatureBudget { .. } => {
            // f_i, −ω f_i ≤ W_ji ≤ ω f_i, Σ f_i ≤ m.
            c.cols(d_f, true);
            c.rows(2.0 * dims.widths[0] * d_f, 2.0);
            c.rows(1.0, d_f);
        }
        Rule::NeuronLimit { .. } => c.rows(1.0, dims.units.iter().sum()),
        Rule::ClassRecall { .. } => {
            let Resolved::ClassRecall { class, .. } = resolve_one(rule, data, standardizer, s.margin)? else {
                unreachable!("a class recall resolves as one")
            };
            let n_c = data.labels().iter().filter(|&&y| y == class).count() as f64;
            c.cols(n_c, true);
            c.rows(n_c * (k - 1.0), margin_row + 1.0);
            c.rows(1.0, n_c);
        }
        Rule::Monotone { .. } => {
            resolve_one(rule, data, standardizer, s.margin)?;
            let units = dims.widths[0];
            // p⁺, p⁻; three rows of two terms; per other class two rows of
            // d (2V terms) and a sign binary.
            c.cols(2.0 * units, true);
            c.rows(3.0 * units, 2.0);
            c.rows(2.0 * units * (k - 1.0), 2.0 * v + 1.0);
        }
        Rule::FixedDecision { .. } => {
            let Resolved::FixedDecision(p) = resolve_one(rule, data, standardizer, s.margin)? else {
                unreachable!("a fixed decision resolves as one")
            };
            let layers = dims.widths.len();
            for l in 0..layers {
                let width = dims.widths[l];
                if l >= 1 {
                    // Products: a column and rows of 2, 2 and 3 terms.
                    let products = width * dims.inputs[l] * v;
                    c.cols(products, false);
                    c.rows(3.0 * products, 0.0);
                    c.nonzeros += 7.0 * products;
                }
                if l + 1 == layers {
                    break;
                }
                // Each unit's pre-activation terms (its bias included).
                let terms = if l == 0 {
                    let read = match standardizer {
                        Some(_) => p.x.iter().filter(|x| **x != 0.0).count(),
                        None => d,
                    };
                    read as f64 + 1.0
                } else {
                    dims.inputs[l] * v + 1.0
                };
                // h, σ; h − a ≥ 0, h − σ·lo − a ≤ −lo, h − U·σ ≤ 0.
                c.cols(width, false);
                c.cols(width, true);
                c.rows(width, 1.0 + terms);
                c.rows(width, 2.0 + terms);
                c.rows(width, 2.0);
            }
            c.rows(k - 1.0, margin_row);
        }
        Rule::Fairness {
            group,
            threshold,
            members,
            ..
        } => {
            // The groups: given, two at a threshold, or one per value.
            let groups = match (members, threshold) {
                (Some(m), _) => m.names.len(),
                (None, Some(_)) => 2,
                (None, None) => crate::rules::group_members(group, None, data)?.names.len(),
            } as f64;
            // e_n and its rows (A), (B); with more than two classes the
            // z_nk, their rows (B) and Σ_k z_nk = e_n.
            c.cols(n, true);
            c.rows(n * (k - 1.0), margin_row + 1.0);
            if k == 2.0 {
                c.rows(n, margin_row + 1.0);
            } else {
                c.cols(n * (k - 1.0), true);
                c.rows(n * (k - 1.0), margin_row + 1.0);
                c.rows(n, k);
            }
            // n_h·E_g − n_g·E_h ≤ ⌊δ n_g n_h⌋ per ordered pair: each
            // sample is in one group and in 2(G − 1) of these rows.
            c.rows(groups * (groups - 1.0), 0.0);
            c.nonzeros += 2.0 * (groups - 1.0) * n;
        }
    }
    Ok(())
}
