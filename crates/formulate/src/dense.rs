//! Building the dense training MILP, starting it from a network, reading a
//! network back from a solution, and checking that solution against the
//! network's forward pass (the certificate).

use crate::settings::{FormulationSettings, Loss, SettingError};
use mipnet_data::{Dataset, Standardizer};
use mipnet_milp::{Col, Model, Sense, VarType};
use mipnet_network::{Conv, ConvShape, Grid, Layer, Network, Pool, PoolKind, FORMAT_VERSION};
use serde::Serialize;

/// Tolerances of the certificate check and of reading a solution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Tolerances {
    /// Largest allowed |MILP − forward pass| of an activation or output,
    /// relative to 1 + the value's bound.
    pub value: f64,
    /// Largest allowed |MILP − forward| of the objective and of each
    /// sample's loss.
    pub objective: f64,
    /// Layer-1 weights below this in magnitude are read as exactly 0.
    pub zero_weight: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            value: 1e-5,
            objective: 1e-5,
            zero_weight: 1e-9,
        }
    }
}

/// The outcome of comparing a MILP solution with the forward pass of the
/// network read from it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Certificate {
    pub passed: bool,
    /// Largest |h_MILP − h_forward| over samples and hidden neurons.
    pub max_activation_deviation: f64,
    /// Largest |o_MILP − o_forward| over samples and classes.
    pub max_output_deviation: f64,
    /// Largest |loss_MILP − loss_forward| over samples.
    pub max_loss_deviation: f64,
    pub objective_milp: f64,
    pub objective_forward: f64,
    /// Largest violation of a row, bound or integrality by the solution.
    pub max_constraint_violation: f64,
    /// What failed, when something did.
    pub failure: Option<String>,
}

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

/// A hidden activation h_{nj}: its column (none when proven 0), its ReLU
/// binary (none when stable), and its bounds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Act {
    pub(crate) h: Option<Col>,
    pub(crate) sigma: Option<Col>,
    pub(crate) upper: f64,
}

/// A pooled value g of the convolution's feature maps: its column (none
/// when every element is proven 0), its bound, and for max pooling the
/// binary that picks each element of the window (none when there is no
/// choice to make).
#[derive(Clone, Debug)]
pub(crate) struct PoolAct {
    pub(crate) g: Option<Col>,
    pub(crate) upper: f64,
    pub(crate) select: Vec<Option<Col>>,
}

/// The convolution in front of the dense layers: its geometry, each
/// neuron's taps (input, filter weight), and the pooling windows.
pub(crate) struct ConvPart {
    pub(crate) shape: ConvShape,
    pub(crate) taps: Vec<Vec<(usize, usize)>>,
    pub(crate) pool: Option<Pool>,
    pub(crate) windows: Vec<Vec<usize>>,
    /// pooled[n·windows + q].
    pub(crate) pooled: Vec<PoolAct>,
}

impl ConvPart {
    /// Length of what the next layer reads.
    pub(crate) fn out_len(&self) -> usize {
        if self.pool.is_some() {
            self.windows.len()
        } else {
            self.shape.outputs()
        }
    }
    /// The filter that the next layer's input `j` comes from.
    pub(crate) fn filter_of_input(&self, j: usize) -> usize {
        j / (self.out_len() / self.shape.channels)
    }
}

/// The training MILP of a network on one dataset: dense layers, or a
/// convolution (with pooling) followed by dense layers.
pub struct DenseFormulation {
    pub settings: FormulationSettings,
    pub model: Model,
    pub(crate) data: Dataset,
    /// Widths of every layer's output: hidden widths, then K.
    pub(crate) widths: Vec<usize>,
    /// The convolution, when layer 1 is one: then `w1`, `w1_*` are per
    /// filter weight, and `bias[0]`, `neuron_on[0]` per filter.
    pub(crate) conv: Option<ConvPart>,
    pub(crate) w1: Vec<Col>,
    pub(crate) bias: Vec<Vec<Col>>,
    pub(crate) w1_abs: Vec<Option<Col>>,
    pub(crate) w1_on: Vec<Option<Col>>,
    pub(crate) w1_sq: Vec<Option<Col>>,
    /// grid[l][(k·in + j)·V + v], for layers l ≥ 1.
    pub(crate) grid: Vec<Vec<Col>>,
    /// act[l][n·width + j], hidden layers.
    pub(crate) act: Vec<Vec<Act>>,
    /// prod[l][((n·out + k)·in + j)·V + v], layers l ≥ 1.
    pub(crate) prod: Vec<Vec<Option<Col>>>,
    pub(crate) neuron_on: Vec<Vec<Option<Col>>>,
    pub(crate) layer_on: Vec<Option<Col>>,
    /// ξ_n (hinge) or e_n (misclassification); t_{nk} for ℓ1 (n·K + k).
    pub(crate) loss_cols: Vec<Col>,
    relu_binaries: usize,
    stable_pairs: usize,
    big_m_sum: f64,
    /// B = f*/α from an objective cutoff (see `build_with_cutoff`).
    l1_budget: Option<f64>,
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
        settings.validate()?;
        let l1_budget = match cutoff {
            None => None,
            // A relative 1e-9 of room: the incumbent itself stays feasible.
            Some(f) if f.is_finite() && f >= 0.0 && settings.l1 > 0.0 => Some(f / settings.l1 * (1.0 + 1e-9)),
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
            Some(spec) => {
                let shape = spec
                    .shape(data.num_features())
                    .map_err(|reason| SettingError { name: "conv", reason })?;
                let windows = spec.pool.map_or(Vec::new(), |p| p.windows(shape.output_shape()));
                Some(ConvPart {
                    shape,
                    taps: shape.taps(),
                    pool: spec.pool,
                    windows,
                    pooled: Vec::new(),
                })
            }
            None => None,
        };
        let widths = conv
            .as_ref()
            .map(|c| c.shape.outputs())
            .into_iter()
            .chain(settings.hidden.iter().copied())
            .chain([data.num_classes()])
            .collect();
        let mut f = DenseFormulation {
            settings: settings.clone(),
            model: Model::new(Sense::Minimize),
            data: data.clone(),
            widths,
            conv,
            w1: Vec::new(),
            bias: Vec::new(),
            w1_abs: Vec::new(),
            w1_on: Vec::new(),
            w1_sq: Vec::new(),
            grid: Vec::new(),
            act: Vec::new(),
            prod: Vec::new(),
            neuron_on: Vec::new(),
            layer_on: Vec::new(),
            loss_cols: Vec::new(),
            relu_binaries: 0,
            stable_pairs: 0,
            big_m_sum: 0.0,
            l1_budget,
        };
        f.add_weights();
        f.add_layers();
        f.add_loss();
        if settings.symmetry_breaking {
            f.add_symmetry_breaking();
        }
        Ok(f)
    }

    pub(crate) fn n(&self) -> usize {
        self.data.len()
    }
    pub(crate) fn d(&self) -> usize {
        self.data.num_features()
    }
    pub(crate) fn k(&self) -> usize {
        self.data.num_classes()
    }
    pub(crate) fn num_layers(&self) -> usize {
        self.widths.len()
    }
    pub(crate) fn inputs_of(&self, l: usize) -> usize {
        match (l, &self.conv) {
            (0, _) => self.d(),
            (1, Some(c)) => c.out_len(),
            _ => self.widths[l - 1],
        }
    }

    /// Where neuron `j` of layer `l` has its bias and indicator: its filter
    /// in a convolution, itself otherwise.
    pub(crate) fn unit(&self, l: usize, j: usize) -> usize {
        match (l, &self.conv) {
            (0, Some(c)) => c.shape.channel_of(j),
            _ => j,
        }
    }

    /// Number of biases (and neuron indicators) of layer `l`.
    pub(crate) fn units(&self, l: usize) -> usize {
        match (l, &self.conv) {
            (0, Some(c)) => c.shape.channels,
            _ => self.widths[l],
        }
    }

    /// The indicator that gates input `j` of layer `l ≥ 1`.
    pub(crate) fn input_gate(&self, l: usize, j: usize) -> Option<Col> {
        match (l, &self.conv) {
            (1, Some(c)) => self.neuron_on[0][c.filter_of_input(j)],
            _ => self.neuron_on[l - 1][j],
        }
    }

    /// Input `j` of layer `l ≥ 1` for sample `n`: a pooled value after a
    /// pooling convolution, the previous layer's activation otherwise.
    pub(crate) fn input_act(&self, l: usize, n: usize, j: usize) -> Act {
        match (l, &self.conv) {
            (1, Some(c)) if c.pool.is_some() => {
                let p = &c.pooled[n * c.windows.len() + j];
                Act {
                    h: p.g,
                    sigma: None,
                    upper: p.upper,
                }
            }
            _ => self.act[l - 1][n * self.widths[l - 1] + j],
        }
    }
    pub(crate) fn values(&self) -> Vec<i32> {
        self.settings.grid_values()
    }

    fn add_weights(&mut self) {
        let s = self.settings.clone();
        let omega = s.omega;
        let hidden = self.widths.len() - 1;
        let units: Vec<usize> = (0..self.widths.len()).map(|l| self.units(l)).collect();
        let (count, per_unit) = match &self.conv {
            Some(c) => (c.shape.params(), c.shape.params() / c.shape.channels),
            None => (self.widths[0] * self.d(), self.d()),
        };
        let m = &mut self.model;
        // Neuron (filter) and layer indicators first: the weights' rows refer to them.
        for l in 0..hidden {
            let cols = (0..units[l])
                .map(|_| s.prune_neurons.then(|| m.add_binary(s.neuron_penalty)))
                .collect();
            self.neuron_on.push(cols);
        }
        let prunable = s.prunable_layers();
        for l in 0..hidden {
            let col = (s.prune_layers && prunable.contains(&l)).then(|| m.add_binary(s.layer_penalty));
            self.layer_on.push(col);
        }
        self.layer_on.push(None);
        self.neuron_on.push(vec![None; self.widths[hidden]]);

        // Layer 1: continuous weights (a convolution's filter weights) with
        // ℓ1, ℓ0, ℓ2 auxiliaries, each gated by its neuron or filter.
        for idx in 0..count {
            let w = m.add_col(-omega, omega, 0.0, VarType::Continuous);
            self.w1.push(w);
            let abs = (s.l1 > 0.0).then(|| {
                let a = m.add_col(0.0, omega, s.l1, VarType::Continuous);
                m.add_row(0.0, f64::INFINITY, [(a, 1.0), (w, -1.0)]);
                m.add_row(0.0, f64::INFINITY, [(a, 1.0), (w, 1.0)]);
                a
            });
            let on = (s.l0 > 0.0).then(|| {
                let o = m.add_binary(s.l0);
                m.add_row(f64::NEG_INFINITY, 0.0, [(w, 1.0), (o, -omega)]);
                m.add_row(0.0, f64::INFINITY, [(w, 1.0), (o, omega)]);
                o
            });
            let sq = (s.l2 > 0.0).then(|| {
                let r = m.add_col(0.0, omega * omega, s.l2, VarType::Continuous);
                for t in s.l2_points() {
                    // r ≥ 2tw − t²
                    m.add_row(-t * t, f64::INFINITY, [(r, 1.0), (w, -2.0 * t)]);
                }
                r
            });
            if let Some(q) = self.neuron_on[0][idx / per_unit] {
                m.add_row(f64::NEG_INFINITY, 0.0, [(w, 1.0), (q, -omega)]);
                m.add_row(0.0, f64::INFINITY, [(w, 1.0), (q, omega)]);
            }
            self.w1_abs.push(abs);
            self.w1_on.push(on);
            self.w1_sq.push(sq);
        }
        // The objective cutoff's ℓ1 budget: Σ A ≤ B.
        if let Some(b) = self.l1_budget {
            let terms: Vec<(Col, f64)> = self.w1_abs.iter().flatten().map(|&a| (a, 1.0)).collect();
            m.add_row(f64::NEG_INFINITY, b, terms);
        }
        // Biases of every layer, gated by neuron and layer indicators.
        for l in 0..self.widths.len() {
            let mut cols = Vec::new();
            for j in 0..units[l] {
                let b = m.add_col(-omega, omega, 0.0, VarType::Continuous);
                for gate in [self.neuron_on[l][j], self.layer_on[l]].into_iter().flatten() {
                    m.add_row(f64::NEG_INFINITY, 0.0, [(b, 1.0), (gate, -omega)]);
                    m.add_row(0.0, f64::INFINITY, [(b, 1.0), (gate, omega)]);
                }
                cols.push(b);
            }
            self.bias.push(cols);
        }
        // Grid weights of layers ≥ 2: one binary per nonzero value.
        self.grid.push(Vec::new());
        let values = s.grid_values();
        let step = s.grid_step;
        for l in 1..self.widths.len() {
            let (inp, out) = (self.inputs_of(l), self.widths[l]);
            let mut cols = Vec::with_capacity(out * inp * values.len());
            for k in 0..out {
                for j in 0..inp {
                    let mut ones = Vec::with_capacity(values.len());
                    for &v in &values {
                        let a = (v.abs()) as f64;
                        let cost = s.l1 * step * a + s.l0 + s.l2 * step * step * a * a;
                        let u = self.model.add_binary(cost);
                        cols.push(u);
                        ones.push((u, 1.0));
                    }
                    // Σ_v u ≤ 1, and ≤ each gate (neuron in, neuron out, layer).
                    self.model.add_row(f64::NEG_INFINITY, 1.0, ones.iter().copied());
                    let gates = [self.input_gate(l, j), self.neuron_on[l][k], self.layer_on[l]];
                    for g in gates.into_iter().flatten() {
                        self.model
                            .add_row(f64::NEG_INFINITY, 0.0, ones.iter().copied().chain([(g, -1.0)]));
                    }
                }
            }
            self.grid.push(cols);
        }
    }

    /// Pre-activation terms of layer `l`, sample `n`, neuron `k`.
    fn preact_terms(&self, l: usize, n: usize, k: usize) -> Vec<(Col, f64)> {
        let mut terms = Vec::new();
        if l == 0 {
            let d = self.d();
            let row = self.data.row(n);
            match &self.conv {
                Some(c) => {
                    for &(i, p) in &c.taps[k] {
                        if row[i] != 0.0 {
                            terms.push((self.w1[p], row[i]));
                        }
                    }
                }
                None => {
                    for (i, &x) in row.iter().enumerate() {
                        if x != 0.0 {
                            terms.push((self.w1[k * d + i], x));
                        }
                    }
                }
            }
        } else {
            let values = self.values();
            let (inp, out, nv) = (self.inputs_of(l), self.widths[l], values.len());
            let base = (n * out + k) * inp * nv;
            for j in 0..inp {
                for (vi, &v) in values.iter().enumerate() {
                    if let Some(c) = self.prod[l][base + j * nv + vi] {
                        terms.push((c, self.settings.grid_step * v as f64));
                    }
                }
            }
        }
        terms.push((self.bias[l][self.unit(l, k)], 1.0));
        terms
    }

    /// Interval bound U of |a| for neuron `j` of layer `l`, sample `n`
    /// (the same for every neuron of a dense layer).
    fn interval_bound(&self, l: usize, n: usize, j: usize) -> f64 {
        let s = &self.settings;
        let row = self.data.row(n);
        match (l, &self.conv) {
            (0, Some(c)) => {
                let xs: Vec<f64> = c.taps[j].iter().map(|&(i, _)| row[i].abs()).collect();
                budgeted_sum(xs, s.omega, self.l1_budget) + s.omega
            }
            (0, None) => budgeted_sum(row.iter().map(|x| x.abs()).collect(), s.omega, self.l1_budget) + s.omega,
            _ => {
                let h_sum: f64 = (0..self.inputs_of(l)).map(|j| self.input_act(l, n, j).upper).sum();
                s.grid_step * s.grid_levels as f64 * h_sum + s.omega
            }
        }
    }

    fn add_layers(&mut self) {
        let hidden = self.num_layers() - 1;
        let values = self.values();
        let nv = values.len();
        for l in 0..self.num_layers() {
            // Products of this layer's grid weights with its inputs.
            if l >= 1 {
                let (inp, out) = (self.inputs_of(l), self.widths[l]);
                let mut prod = Vec::with_capacity(self.n() * out * inp * nv);
                for n in 0..self.n() {
                    for k in 0..out {
                        for j in 0..inp {
                            let a = self.input_act(l, n, j);
                            for vi in 0..nv {
                                let u = self.grid[l][(k * inp + j) * nv + vi];
                                let col = a.h.map(|h| {
                                    let hu = a.upper;
                                    let m = &mut self.model;
                                    let q = m.add_col(0.0, hu, 0.0, VarType::Continuous);
                                    m.add_row(f64::NEG_INFINITY, 0.0, [(q, 1.0), (u, -hu)]);
                                    m.add_row(f64::NEG_INFINITY, 0.0, [(q, 1.0), (h, -1.0)]);
                                    m.add_row(-hu, f64::INFINITY, [(q, 1.0), (h, -1.0), (u, -hu)]);
                                    q
                                });
                                prod.push(col);
                            }
                        }
                    }
                }
                self.prod.push(prod);
            } else {
                self.prod.push(Vec::new());
            }
            if l == hidden {
                break;
            }
            // ReLU of hidden layer l.
            let width = self.widths[l];
            let mut acts = Vec::with_capacity(self.n() * width);
            for n in 0..self.n() {
                for j in 0..width {
                    let bound = self.interval_bound(l, n, j);
                    let (lo, up) = (-bound, bound);
                    let terms = self.preact_terms(l, n, j);
                    let act = self.add_relu(l, n, j, lo, up, terms);
                    acts.push(act);
                }
            }
            self.act.push(acts);
            if l == 0 {
                self.add_pooling();
            }
        }
    }

    /// The pooled values of the convolution's feature maps. Average: g is
    /// the mean of its window, one equality. Max: g ≥ h_e for every element
    /// e, and g ≤ h_e + G(1 − δ_e) with Σ_e δ_e = 1, G = the largest bound
    /// in the window: g equals the element δ picks, which is the largest.
    fn add_pooling(&mut self) {
        let Some(pool) = self.conv.as_ref().and_then(|c| c.pool) else {
            return;
        };
        let windows = self.conv.as_ref().expect("a convolution").windows.clone();
        let width = self.widths[0];
        let mut pooled = Vec::with_capacity(self.n() * windows.len());
        for n in 0..self.n() {
            for win in &windows {
                let elems: Vec<Act> = win.iter().map(|&e| self.act[0][n * width + e]).collect();
                let live: Vec<(usize, Col, f64)> = elems
                    .iter()
                    .enumerate()
                    .filter_map(|(i, a)| a.h.map(|h| (i, h, a.upper)))
                    .collect();
                let m = &mut self.model;
                let mut select = vec![None; elems.len()];
                let (g, upper) = match pool.kind {
                    _ if live.is_empty() => (None, 0.0),
                    PoolKind::Average => {
                        let inv = 1.0 / elems.len() as f64;
                        let upper: f64 = live.iter().map(|t| t.2 * inv).sum();
                        let g = m.add_col(0.0, upper, 0.0, VarType::Continuous);
                        let row = [(g, 1.0)].into_iter().chain(live.iter().map(|t| (t.1, -inv)));
                        m.add_row(0.0, 0.0, row);
                        (Some(g), upper)
                    }
                    PoolKind::Max if live.len() == 1 => (Some(live[0].1), live[0].2),
                    PoolKind::Max => {
                        let upper = live.iter().map(|t| t.2).fold(0.0, f64::max);
                        let g = m.add_col(0.0, upper, 0.0, VarType::Continuous);
                        let mut pick = Vec::with_capacity(live.len());
                        for &(i, h, _) in &live {
                            let d = m.add_binary(0.0);
                            select[i] = Some(d);
                            pick.push((d, 1.0));
                            // g ≥ h_e ; g − h_e + G·δ_e ≤ G
                            m.add_row(0.0, f64::INFINITY, [(g, 1.0), (h, -1.0)]);
                            m.add_row(f64::NEG_INFINITY, upper, [(g, 1.0), (h, -1.0), (d, upper)]);
                        }
                        m.add_row(1.0, 1.0, pick);
                        // g ≤ Σ_e U_e·δ_e: valid (g is the picked element,
                        // at most its bound) and tighter in the relaxation.
                        let caps = live.iter().map(|&(i, _, u)| (select[i].expect("picked"), -u));
                        m.add_row(f64::NEG_INFINITY, 0.0, [(g, 1.0)].into_iter().chain(caps));
                        (Some(g), upper)
                    }
                };
                pooled.push(PoolAct { g, upper, select });
            }
        }
        self.conv.as_mut().expect("a convolution").pooled = pooled;
    }

    /// One ReLU h = max(0, a) with a ∈ [lo, up]; relaxed by the layer
    /// indicator when the layer may become the identity.
    fn add_relu(&mut self, l: usize, n: usize, j: usize, lo: f64, up: f64, terms: Vec<(Col, f64)>) -> Act {
        let layer_on = self.layer_on[l];
        // With layer pruning h may equal the previous layer's activation.
        let prev = layer_on.map(|_| self.act[l - 1][n * self.widths[l - 1] + j]);
        let h_upper = prev.map_or(up.max(0.0), |p| up.max(p.upper));
        let m = &mut self.model;
        if layer_on.is_none() && up <= 0.0 {
            self.stable_pairs += 1;
            return Act {
                h: None,
                sigma: None,
                upper: 0.0,
            };
        }
        let h = m.add_col(0.0, h_upper, 0.0, VarType::Continuous);
        let neg = |t: &[(Col, f64)]| t.iter().map(|&(c, v)| (c, -v)).collect::<Vec<_>>();
        let big = h_upper - lo; // bounds |h − a| when the layer is off
        let relax = |row: &mut Vec<(Col, f64)>, coef: f64| {
            if let Some(r) = layer_on {
                row.push((r, coef));
            }
        };
        let relax_rhs = if layer_on.is_some() { big } else { 0.0 };
        if layer_on.is_none() && lo >= 0.0 {
            // Stable active: h = a.
            self.stable_pairs += 1;
            let mut row = vec![(h, 1.0)];
            row.extend(neg(&terms));
            m.add_row(0.0, 0.0, row);
            return Act {
                h: Some(h),
                sigma: None,
                upper: h_upper,
            };
        }
        let sigma = m.add_binary(0.0);
        self.relu_binaries += 1;
        self.big_m_sum += up - lo;
        // h − a ≥ 0   (relaxed: h − a − big·r ≥ −big)
        let mut row = vec![(h, 1.0)];
        row.extend(neg(&terms));
        relax(&mut row, -big);
        m.add_row(-relax_rhs, f64::INFINITY, row);
        // h − a − lo·σ ≤ −lo   (relaxed: + big·r on the left, + big on the right)
        let mut row = vec![(h, 1.0), (sigma, -lo)];
        row.extend(neg(&terms));
        relax(&mut row, big);
        m.add_row(f64::NEG_INFINITY, -lo + relax_rhs, row);
        // h − up·σ ≤ 0
        let mut row = vec![(h, 1.0), (sigma, -up.max(0.0))];
        relax(&mut row, big);
        m.add_row(f64::NEG_INFINITY, relax_rhs, row);
        if let (Some(r), Some(p)) = (layer_on, prev) {
            // Off ⇒ h = h_prev: |h − h_prev| ≤ M·r.
            let mm = h_upper.max(p.upper);
            if let Some(ph) = p.h {
                m.add_row(f64::NEG_INFINITY, 0.0, [(h, 1.0), (ph, -1.0), (r, -mm)]);
                m.add_row(0.0, f64::INFINITY, [(h, 1.0), (ph, -1.0), (r, mm)]);
            } else {
                m.add_row(f64::NEG_INFINITY, 0.0, [(h, 1.0), (r, -mm)]);
            }
        }
        let _ = j;
        Act {
            h: Some(h),
            sigma: Some(sigma),
            upper: h_upper,
        }
    }

    fn output_terms(&self, n: usize, k: usize) -> Vec<(Col, f64)> {
        self.preact_terms(self.num_layers() - 1, n, k)
    }

    /// Bound on |o_{nk}| for sample n.
    fn output_bound(&self, n: usize) -> f64 {
        self.interval_bound(self.num_layers() - 1, n, 0)
    }

    fn add_loss(&mut self) {
        let (n_samples, k) = (self.n(), self.k());
        let inv_n = 1.0 / n_samples as f64;
        let margin = self.settings.margin;
        for n in 0..n_samples {
            let y = self.data.label(n);
            match self.settings.loss {
                Loss::Hinge | Loss::Misclassification => {
                    let big = 2.0 * self.output_bound(n) + margin;
                    let col = if self.settings.loss == Loss::Hinge {
                        self.model.add_col(0.0, big, inv_n, VarType::Continuous)
                    } else {
                        self.model.add_binary(inv_n)
                    };
                    let coef = if self.settings.loss == Loss::Hinge { 1.0 } else { big };
                    let oy = self.output_terms(n, y);
                    for c in (0..k).filter(|&c| c != y) {
                        let oc = self.output_terms(n, c);
                        let row = diff_terms(&oy, &oc, (col, coef));
                        self.model.add_row(margin, f64::INFINITY, row);
                    }
                    self.loss_cols.push(col);
                }
                Loss::L1 => {
                    let big = self.output_bound(n) + 1.0;
                    for c in 0..k {
                        let target = if c == y { 1.0 } else { 0.0 };
                        let t = self.model.add_col(0.0, big, inv_n, VarType::Continuous);
                        let o = self.output_terms(n, c);
                        // t − o ≥ −target ; t + o ≥ target
                        let mut row = vec![(t, 1.0)];
                        row.extend(o.iter().map(|&(c, v)| (c, -v)));
                        self.model.add_row(-target, f64::INFINITY, row);
                        let mut row = vec![(t, 1.0)];
                        row.extend(o.iter().copied());
                        self.model.add_row(target, f64::INFINITY, row);
                        self.loss_cols.push(t);
                    }
                }
            }
        }
    }

    fn add_symmetry_breaking(&mut self) {
        let omega = self.settings.omega;
        // Per unit: a convolution's filters are ordered by their biases too.
        for l in 0..self.num_layers() - 1 {
            for j in 0..self.units(l).saturating_sub(1) {
                let (b0, b1) = (self.bias[l][j], self.bias[l][j + 1]);
                match (self.neuron_on[l][j], self.neuron_on[l][j + 1]) {
                    (Some(q0), Some(q1)) => {
                        self.model.add_row(0.0, f64::INFINITY, [(q0, 1.0), (q1, -1.0)]);
                        self.model.add_row(
                            0.0,
                            f64::INFINITY,
                            [(b0, 1.0), (b1, -1.0), (q0, 2.0 * omega), (q1, -2.0 * omega)],
                        );
                    }
                    _ => {
                        self.model.add_row(0.0, f64::INFINITY, [(b0, 1.0), (b1, -1.0)]);
                    }
                }
            }
        }
    }

    /// Model size and big-M statistics.
    pub fn stats(&self) -> ModelStats {
        ModelStats {
            columns: self.model.num_cols(),
            binaries: self.model.num_integral(),
            rows: self.model.num_rows(),
            nonzeros: self.model.num_nonzeros(),
            relu_binaries: self.relu_binaries,
            stable_pairs: self.stable_pairs,
            mean_big_m: self.big_m_sum / self.relu_binaries.max(1) as f64,
        }
    }

    /// The integral columns of the model (for the LP polish and partial starts).
    pub fn integral_columns(&self) -> Vec<Col> {
        (0..self.model.num_cols())
            .filter(|&j| self.model.col_types()[j].is_integral())
            .map(Col::from_index)
            .collect()
    }

    /// The permutation that sorts a hidden layer's neurons into the order
    /// symmetry breaking demands: kept first, then bias descending.
    pub fn symmetric_order(layer: &Layer) -> Vec<usize> {
        // Units: a convolution's filters (their first neuron speaks for them).
        let per = layer.conv.as_ref().map_or(1, |c| c.shape.outputs() / c.shape.channels);
        let mut order: Vec<usize> = (0..layer.outputs() / per).collect();
        order.sort_by(|&a, &b| {
            layer.kept[b * per]
                .cmp(&layer.kept[a * per])
                .then(layer.bias[b * per].total_cmp(&layer.bias[a * per]))
        });
        order
    }

    /// Every column's value for `net` (which must lie in the MILP's feasible
    /// set: layer-1 weights and biases within ±ω, later weights on the grid,
    /// neurons in symmetric order when that is on). `data` is the training
    /// data this formulation was built on.
    pub fn start_values(&self, net: &Network) -> Result<Vec<f64>, String> {
        self.check_shape(net)?;
        let s = &self.settings;
        let tol = 1e-9;
        let mut x = vec![0.0; self.model.num_cols()];
        let d = self.d();
        let values = self.values();
        let nv = values.len();
        for (l, layer) in net.layers.iter().enumerate() {
            if let Some(r) = self.layer_on[l] {
                x[r.index()] = if layer.identity { 0.0 } else { 1.0 };
            } else if layer.identity {
                return Err(format!(
                    "layer {} is the identity, but layer pruning is off for it",
                    l + 1
                ));
            }
            // Indicators and biases, per neuron (per filter).
            let per = layer.outputs() / self.units(l);
            for u in 0..self.units(l) {
                let j = u * per;
                if let Some(q) = self.neuron_on[l][u] {
                    x[q.index()] = if layer.kept[j] { 1.0 } else { 0.0 };
                } else if !layer.kept[j] {
                    return Err(format!(
                        "neuron {} of layer {} is pruned, but neuron pruning is off",
                        u + 1,
                        l + 1
                    ));
                }
                let b = if layer.identity { 0.0 } else { layer.bias[j] };
                if b.abs() > s.omega + tol {
                    return Err(format!(
                        "bias {} of layer {} is {b}, outside ±ω = {}",
                        u + 1,
                        l + 1,
                        s.omega
                    ));
                }
                x[self.bias[l][u].index()] = b.clamp(-s.omega, s.omega);
            }
            if l == 0 {
                // Layer 1 (or the filters): free weights in the box.
                for (idx, &w) in layer.weight_params().enumerate() {
                    let w = if layer.identity { 0.0 } else { w };
                    if w.abs() > s.omega + tol {
                        let at = match &self.conv {
                            Some(_) => format!("filter weight {}", idx + 1),
                            None => format!("weight ({}, {}) of layer 1", idx / d + 1, idx % d + 1),
                        };
                        return Err(format!("{at} is {w}, outside ±ω"));
                    }
                    let w = w.clamp(-s.omega, s.omega);
                    x[self.w1[idx].index()] = w;
                    if let Some(a) = self.w1_abs[idx] {
                        x[a.index()] = w.abs();
                    }
                    if let Some(o) = self.w1_on[idx] {
                        x[o.index()] = if w != 0.0 { 1.0 } else { 0.0 };
                    }
                    if let Some(r) = self.w1_sq[idx] {
                        x[r.index()] = s.l2_approx(w);
                    }
                }
                continue;
            }
            for j in 0..layer.outputs() {
                for i in 0..self.inputs_of(l) {
                    let w = if layer.identity { 0.0 } else { layer.weights[j][i] };
                    let z = (w / s.grid_step).round();
                    if (w - z * s.grid_step).abs() > tol || z.abs() > s.grid_levels as f64 {
                        return Err(format!(
                            "weight ({}, {}) of layer {} is {w}, not on the grid {}·{{−{}..{}}}",
                            j + 1,
                            i + 1,
                            l + 1,
                            s.grid_step,
                            s.grid_levels,
                            s.grid_levels
                        ));
                    }
                    if z != 0.0 {
                        let vi = values.iter().position(|&v| v as f64 == z).expect("z on grid");
                        x[self.grid[l][(j * self.inputs_of(l) + i) * nv + vi].index()] = 1.0;
                    }
                }
            }
        }
        // Activations, pooled values, products and losses from the forward pass.
        for n in 0..self.n() {
            let trace = trace(net, self.data.row(n));
            let mut input: Vec<f64> = self.data.row(n).to_vec();
            for (l, (neurons, out)) in trace.iter().enumerate() {
                if l >= 1 {
                    let (inp, width) = (self.inputs_of(l), self.widths[l]);
                    for k in 0..width {
                        for j in 0..inp {
                            for vi in 0..nv {
                                let u = self.grid[l][(k * inp + j) * nv + vi];
                                if let Some(p) = self.prod[l][((n * width + k) * inp + j) * nv + vi] {
                                    x[p.index()] = x[u.index()] * input[j];
                                }
                            }
                        }
                    }
                }
                if l < self.num_layers() - 1 {
                    let width = self.widths[l];
                    let layer = &net.layers[l];
                    for j in 0..width {
                        let a = &self.act[l][n * width + j];
                        if let Some(h) = a.h {
                            x[h.index()] = neurons[j];
                        } else if neurons[j] > tol {
                            return Err(format!(
                                "sample {n}: neuron {} of layer {} is proven 0 but is {}",
                                j + 1,
                                l + 1,
                                neurons[j]
                            ));
                        }
                        if let Some(sg) = a.sigma {
                            let pre = if layer.identity {
                                0.0
                            } else {
                                layer.weights[j].iter().zip(&input).map(|(w, v)| w * v).sum::<f64>() + layer.bias[j]
                            };
                            x[sg.index()] = if pre > 0.0 { 1.0 } else { 0.0 };
                        }
                    }
                    if l == 0 {
                        self.set_pool_values(&mut x, n, neurons, out);
                    }
                }
                input = out.clone();
            }
            self.set_loss_values(&mut x, n, &input);
        }
        Ok(x)
    }

    /// Pooled values, and for max pooling the binary of the element that
    /// wins (the first largest).
    fn set_pool_values(&self, x: &mut [f64], n: usize, h: &[f64], pooled: &[f64]) {
        let Some(c) = self.conv.as_ref().filter(|c| c.pool.is_some()) else {
            return;
        };
        for (q, win) in c.windows.iter().enumerate() {
            let p = &c.pooled[n * c.windows.len() + q];
            if let Some(g) = p.g {
                x[g.index()] = pooled[q];
            }
            let best = (0..win.len())
                .filter(|&i| p.select[i].is_some())
                .fold(None, |b: Option<usize>, i| match b {
                    Some(b) if h[win[b]] >= h[win[i]] => Some(b),
                    _ => Some(i),
                });
            for (i, sel) in p.select.iter().enumerate() {
                if let Some(sel) = sel {
                    x[sel.index()] = if Some(i) == best { 1.0 } else { 0.0 };
                }
            }
        }
    }

    fn set_loss_values(&self, x: &mut [f64], n: usize, scores: &[f64]) {
        let y = self.data.label(n);
        match self.settings.loss {
            Loss::Hinge | Loss::Misclassification => {
                x[self.loss_cols[n].index()] = self.sample_loss(y, scores);
            }
            Loss::L1 => {
                for (c, &o) in scores.iter().enumerate() {
                    let t = if c == y { 1.0 } else { 0.0 };
                    x[self.loss_cols[n * self.k() + c].index()] = (o - t).abs();
                }
            }
        }
    }

    /// The loss of one sample with label `y` and output scores `o`, as the
    /// MILP defines it (before averaging).
    pub fn sample_loss(&self, y: usize, o: &[f64]) -> f64 {
        let margin = self.settings.margin;
        let worst = (0..o.len())
            .filter(|&c| c != y)
            .map(|c| margin - (o[y] - o[c]))
            .fold(f64::NEG_INFINITY, f64::max);
        match self.settings.loss {
            Loss::Hinge => worst.max(0.0),
            // A sample exactly at the margin counts as met.
            Loss::Misclassification => {
                if worst > 1e-7 {
                    1.0
                } else {
                    0.0
                }
            }
            Loss::L1 => o
                .iter()
                .enumerate()
                .map(|(c, v)| (v - if c == y { 1.0 } else { 0.0 }).abs())
                .sum(),
        }
    }

    /// The MILP's objective evaluated for a network by its forward pass.
    pub fn objective_of(&self, net: &Network) -> f64 {
        let s = &self.settings;
        let loss: f64 = (0..self.n())
            .map(|n| self.sample_loss(self.data.label(n), &net.scores_standardized(self.data.row(n))))
            .sum::<f64>()
            / self.n() as f64;
        let mut reg = 0.0;
        for (l, layer) in net.layers.iter().enumerate() {
            if layer.identity {
                continue;
            }
            for w in layer.weight_params() {
                if l == 0 {
                    reg += s.l1 * w.abs() + s.l2 * s.l2_approx(*w);
                } else {
                    reg += s.l1 * w.abs() + s.l2 * w * w;
                }
                if *w != 0.0 {
                    reg += s.l0;
                }
            }
        }
        let neurons: usize = if s.prune_neurons {
            net.neurons_kept().iter().sum()
        } else {
            0
        };
        let layers = (0..net.layers.len())
            .filter(|&l| self.layer_on[l].is_some() && !net.layers[l].identity)
            .count();
        loss + reg + s.neuron_penalty * neurons as f64 + s.layer_penalty * layers as f64
    }

    fn check_shape(&self, net: &Network) -> Result<(), String> {
        let widths: Vec<usize> = net.layers.iter().map(|l| l.outputs()).collect();
        let conv = net.layers[0].conv.as_ref().map(|c| (c.shape, net.layers[0].pool));
        if conv != self.conv.as_ref().map(|c| (c.shape, c.pool)) {
            return Err(format!(
                "the network's first layer ({}) is not the formulation's ({})",
                conv.map_or("dense".into(), |c| format!("{:?}", c)),
                self.conv
                    .as_ref()
                    .map_or("dense".into(), |c| format!("{:?}", (c.shape, c.pool)))
            ));
        }
        if widths != self.widths || net.feature_names.len() != self.d() {
            return Err(format!(
                "network {} → {:?} does not match the formulation {} → {:?}",
                net.feature_names.len(),
                widths,
                self.d(),
                self.widths
            ));
        }
        Ok(())
    }

    /// Reads the network out of a solution. Binaries are rounded; layer-1
    /// weights within `tol.zero_weight` of 0 become 0.
    pub fn network_from(&self, x: &[f64], standardizer: &Standardizer, tol: &Tolerances) -> Network {
        let s = &self.settings;
        let d = self.d();
        let values = self.values();
        let nv = values.len();
        let on = |c: Option<Col>| c.is_none_or(|c| x[c.index()] > 0.5);
        let read_w1 = |c: Col| {
            let w = x[c.index()];
            if w.abs() <= tol.zero_weight {
                0.0
            } else {
                w
            }
        };
        let mut layers = Vec::new();
        for l in 0..self.num_layers() {
            if let (0, Some(c)) = (l, &self.conv) {
                // The filters; a pruned filter is all zero with bias 0.
                let per = c.shape.params() / c.shape.channels;
                let kept: Vec<bool> = (0..c.shape.channels).map(|u| on(self.neuron_on[0][u])).collect();
                let filters = (0..c.shape.params())
                    .map(|p| if kept[p / per] { read_w1(self.w1[p]) } else { 0.0 })
                    .collect();
                let bias: Vec<f64> = (0..c.shape.channels)
                    .map(|u| if kept[u] { x[self.bias[0][u].index()] } else { 0.0 })
                    .collect();
                let conv = Conv {
                    shape: c.shape,
                    filters,
                };
                let mut layer = Layer::convolution(conv, &bias, c.pool);
                for (j, k) in layer.kept.iter_mut().enumerate() {
                    *k = kept[c.shape.channel_of(j)];
                }
                layers.push(layer);
                continue;
            }
            let (inp, out) = (self.inputs_of(l), self.widths[l]);
            let identity = !on(self.layer_on[l]);
            let mut weights = vec![vec![0.0; inp]; out];
            let mut bias = vec![0.0; out];
            let kept: Vec<bool> = (0..out).map(|j| on(self.neuron_on[l][j])).collect();
            if !identity {
                for k in 0..out {
                    bias[k] = x[self.bias[l][k].index()];
                    for j in 0..inp {
                        weights[k][j] = if l == 0 {
                            read_w1(self.w1[k * d + j])
                        } else {
                            let z: i32 = (0..nv)
                                .filter(|&vi| x[self.grid[l][(k * inp + j) * nv + vi].index()] > 0.5)
                                .map(|vi| values[vi])
                                .sum();
                            s.grid_step * z as f64
                        };
                    }
                    if !kept[k] {
                        bias[k] = 0.0;
                        weights[k].iter_mut().for_each(|w| *w = 0.0);
                    }
                }
            }
            layers.push(Layer {
                weights,
                bias,
                kept,
                relu: l + 1 < self.num_layers(),
                identity,
                grid: (l >= 1).then_some(Grid {
                    step: s.grid_step,
                    levels: s.grid_levels,
                }),
                conv: None,
                pool: None,
            });
        }
        Network {
            format_version: FORMAT_VERSION,
            feature_names: self.data.feature_names.clone(),
            class_names: self.data.class_names.clone(),
            standardizer: standardizer.clone(),
            layers,
            settings: serde_json::Value::Null,
        }
    }

    /// Compares the solution `x` with the forward pass of `net` (read from
    /// `x` by [`DenseFormulation::network_from`]) on every training sample:
    /// hidden activations, outputs, each sample's loss, and the objective.
    pub fn certify(&self, x: &[f64], net: &Network, tol: &Tolerances) -> Certificate {
        let eval = self.model.evaluate(x, tol.value);
        let max_violation = eval
            .max_bound_violation
            .max(eval.max_row_violation)
            .max(eval.max_integrality_violation);
        let mut act_dev = 0.0f64;
        let mut out_dev = 0.0f64;
        let mut loss_dev = 0.0f64;
        let mut failure = None;
        for n in 0..self.n() {
            let trace = trace(net, self.data.row(n));
            for l in 0..self.num_layers() - 1 {
                let w = self.widths[l];
                for j in 0..w {
                    let a = &self.act[l][n * w + j];
                    let milp = a.h.map_or(0.0, |h| x[h.index()]);
                    let dev = (milp - trace[l].0[j]).abs() / (1.0 + a.upper);
                    act_dev = act_dev.max(dev);
                }
            }
            // Pooled values count as activations.
            if let Some(c) = self.conv.as_ref().filter(|c| c.pool.is_some()) {
                for q in 0..c.windows.len() {
                    let p = &c.pooled[n * c.windows.len() + q];
                    let milp = p.g.map_or(0.0, |g| x[g.index()]);
                    act_dev = act_dev.max((milp - trace[0].1[q]).abs() / (1.0 + p.upper));
                }
            }
            let scores = &trace.last().expect("output").1;
            let bound = self.output_bound(n);
            for (k, &o) in scores.iter().enumerate() {
                let milp: f64 = self.output_terms(n, k).iter().map(|&(c, v)| v * x[c.index()]).sum();
                out_dev = out_dev.max((milp - o).abs() / (1.0 + bound));
            }
            let y = self.data.label(n);
            let milp_loss = match self.settings.loss {
                Loss::L1 => (0..self.k()).map(|c| x[self.loss_cols[n * self.k() + c].index()]).sum(),
                _ => x[self.loss_cols[n].index()],
            };
            let milp_loss = if self.settings.loss == Loss::Misclassification {
                milp_loss.round()
            } else {
                milp_loss
            };
            loss_dev = loss_dev.max((milp_loss - self.sample_loss(y, scores)).abs());
        }
        let objective_milp = self.model.objective_value(x);
        let objective_forward = self.objective_of(net);
        let scale = 1.0 + objective_milp.abs();
        if max_violation > tol.value * 10.0 {
            failure = Some(format!("the solution violates the model by {max_violation:.3e}"));
        } else if act_dev > tol.value {
            failure = Some(format!("hidden activations differ by {act_dev:.3e}"));
        } else if out_dev > tol.value {
            failure = Some(format!("outputs differ by {out_dev:.3e}"));
        } else if loss_dev > tol.objective {
            failure = Some(format!("a sample's loss differs by {loss_dev:.3e}"));
        } else if (objective_milp - objective_forward).abs() > tol.objective * scale {
            failure = Some(format!(
                "objective {objective_milp} of the MILP, {objective_forward} by the forward pass"
            ));
        }
        Certificate {
            passed: failure.is_none(),
            max_activation_deviation: act_dev,
            max_output_deviation: out_dev,
            max_loss_deviation: loss_dev,
            objective_milp,
            objective_forward,
            max_constraint_violation: max_violation,
            failure,
        }
    }

    /// ReLU binaries of the last hidden layer whose flip could lower the loss
    /// of the samples that miss the margin in solution `x` (network `net`):
    /// for a sample with label y and most violating class c, an inactive
    /// neuron j with z_yj > z_cj (turning it on raises o_y − o_c) or an
    /// active one with z_yj < z_cj. Ranked by |z_yj − z_cj| × the sample's
    /// loss; at most `limit`, each with its flipped value. Empty for the ℓ1
    /// loss and when the last hidden layer is a convolution.
    pub fn flip_candidates(&self, x: &[f64], net: &Network, limit: usize) -> Vec<(Col, f64)> {
        let l = self.num_layers() - 2;
        if self.settings.loss == Loss::L1 || (l == 0 && self.conv.is_some()) {
            return Vec::new();
        }
        let (width, k) = (self.widths[l], self.k());
        let values = self.values();
        let nv = values.len();
        let out = self.num_layers() - 1;
        // Output grid weights z[c][j] from the solution.
        let z = |c: usize, j: usize| -> f64 {
            (0..nv)
                .filter(|&vi| x[self.grid[out][(c * width + j) * nv + vi].index()] > 0.5)
                .map(|vi| values[vi] as f64)
                .sum()
        };
        let mut scored: Vec<(f64, Col, f64)> = Vec::new();
        for n in 0..self.n() {
            let o = net.scores_standardized(self.data.row(n));
            let y = self.data.label(n);
            let loss = self.sample_loss(y, &o);
            if loss <= 0.0 {
                continue;
            }
            let c = (0..k)
                .filter(|&c| c != y)
                .max_by(|&a, &b| o[a].total_cmp(&o[b]))
                .expect("two classes at least");
            for j in 0..width {
                let Some(sigma) = self.act[l][n * width + j].sigma else {
                    continue;
                };
                let gain = z(y, j) - z(c, j);
                let on = x[sigma.index()] > 0.5;
                if (!on && gain > 0.0) || (on && gain < 0.0) {
                    scored.push((gain.abs() * loss, sigma, if on { 0.0 } else { 1.0 }));
                }
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(limit);
        scored.into_iter().map(|(_, c, v)| (c, v)).collect()
    }

    /// The convolution in front, with its pooling, when layer 1 is one.
    pub fn convolution(&self) -> Option<(ConvShape, Option<Pool>)> {
        self.conv.as_ref().map(|c| (c.shape, c.pool))
    }

    /// The point to certify for a solver's solution `x` and the network
    /// read from it. A heuristic incumbent may leave slack in its loss
    /// variables (ξ above the hinge; seen on wine, seed 1, 10 s: three
    /// samples 2.8e-3 above), so its network is better than its value. When
    /// the solution's rows, activations and outputs agree with the network
    /// and only the losses (hence the objective) are higher, the network's
    /// own exact point is returned; otherwise `x` itself, for
    /// [`DenseFormulation::certify`] to judge.
    pub fn exact_point(&self, x: &[f64], net: &Network, tol: &Tolerances) -> Vec<f64> {
        let raw = self.certify(x, net, tol);
        let scale = 1.0 + raw.objective_milp.abs();
        let slack_only = !raw.passed
            && raw.max_constraint_violation <= 10.0 * tol.value
            && raw.max_activation_deviation <= tol.value
            && raw.max_output_deviation <= tol.value
            && raw.objective_forward <= raw.objective_milp + tol.objective * scale;
        match slack_only.then(|| self.start_values(net)) {
            Some(Ok(exact)) => exact,
            _ => x.to_vec(),
        }
    }

    /// The training data the model was built on (standardized).
    pub fn data(&self) -> &Dataset {
        &self.data
    }

    /// The ℓ1 auxiliaries A_ji ≥ |W_ji| of layer 1 (index j·d + i), when α > 0.
    pub fn l1_auxiliaries(&self) -> Option<Vec<Col>> {
        self.w1_abs.iter().copied().collect()
    }

    /// Width of hidden layer `l`.
    pub fn hidden_width(&self, l: usize) -> usize {
        self.widths[l]
    }

    /// The column of h_{nj} in hidden layer `l`, none when proven 0.
    pub fn activation(&self, l: usize, n: usize, j: usize) -> Option<Col> {
        self.act[l][n * self.widths[l] + j].h
    }

    /// The products u·h_{nj} of first-layer neuron j with every grid binary
    /// of the next layer, in a fixed order.
    pub fn products_of(&self, n: usize, j: usize) -> Vec<Option<Col>> {
        let (inp, out, nv) = (self.widths[0], self.widths[1], self.values().len());
        let mut v = Vec::with_capacity(out * nv);
        for k in 0..out {
            for vi in 0..nv {
                v.push(self.prod[1][((n * out + k) * inp + j) * nv + vi]);
            }
        }
        v
    }
}

/// Each layer's neuron outputs (after ReLU, before pooling) and what it
/// hands on (after pooling), for a standardized input: the forward pass
/// the certificate compares with.
pub(crate) fn trace(net: &Network, x: &[f64]) -> Vec<(Vec<f64>, Vec<f64>)> {
    let mut out: Vec<(Vec<f64>, Vec<f64>)> = Vec::with_capacity(net.layers.len());
    for layer in &net.layers {
        let input = out.last().map_or(x, |t| t.1.as_slice());
        let h = layer.neuron_outputs(input);
        let pooled = layer.pool_outputs(h.clone());
        out.push((h, pooled));
    }
    out
}

/// The largest Σ w_i·x_i over 0 ≤ w_i ≤ ω with Σ w_i ≤ `budget` (for
/// x_i ≥ 0): ω on the largest x_i first, the rest of the budget on the next.
fn budgeted_sum(mut xs: Vec<f64>, omega: f64, budget: Option<f64>) -> f64 {
    let Some(mut left) = budget else {
        return omega * xs.iter().sum::<f64>();
    };
    xs.sort_by(|a, b| b.total_cmp(a));
    let mut sum = 0.0;
    for x in xs {
        if left <= 0.0 {
            break;
        }
        let w = omega.min(left);
        sum += w * x;
        left -= w;
    }
    sum
}

/// Terms of `a − b + coef·extra`, merging repeated columns.
fn diff_terms(a: &[(Col, f64)], b: &[(Col, f64)], extra: (Col, f64)) -> Vec<(Col, f64)> {
    let mut terms: Vec<(Col, f64)> = a.to_vec();
    terms.extend(b.iter().map(|&(c, v)| (c, -v)));
    terms.push(extra);
    merge_terms(terms)
}

/// Sums the coefficients of repeated columns and drops zeros.
pub(crate) fn merge_terms(mut terms: Vec<(Col, f64)>) -> Vec<(Col, f64)> {
    terms.sort_by_key(|t| t.0);
    let mut merged: Vec<(Col, f64)> = Vec::with_capacity(terms.len());
    for (c, v) in terms {
        match merged.last_mut() {
            Some(last) if last.0 == c => last.1 += v,
            _ => merged.push((c, v)),
        }
    }
    merged.retain(|t| t.1 != 0.0);
    merged
}
