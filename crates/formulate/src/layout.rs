//! Where every variable of the training MILP sits: the column of each
//! weight, bias, indicator, activation, product and loss term, by its
//! subscripts. The model's parts fill these tables in build order; every
//! other part (start values, reading a network back, the certificate, the
//! polish LP, column groups, cuts) finds a column by its subscripts here.
//! The tables are flat; each index formula is written once, in this file.

use crate::conv::ConvPart;
use crate::tolerances::BINARY_THRESHOLD;
use mipnet_milp::Col;
use std::ops::Range;

/// A hidden activation h_{nj}: its column (none when proven 0), its ReLU
/// binary (none when stable), and its bound.
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

/// A layer-1 weight (a convolution's filter weight) and its penalty
/// auxiliaries: A ≥ |W| (ℓ1), the nonzero indicator (ℓ0), r ≥ W² (ℓ2).
#[derive(Clone, Copy, Debug)]
pub(crate) struct LayerOneWeight {
    pub(crate) w: Col,
    pub(crate) abs: Option<Col>,
    pub(crate) on: Option<Col>,
    pub(crate) sq: Option<Col>,
}

/// The dimensions of the network and data, and the column tables.
pub(crate) struct Layout {
    samples: usize,
    features: usize,
    /// Widths of every layer's output: hidden widths (a convolution's
    /// neurons first), then K.
    widths: Vec<usize>,
    /// The grid's nonzero values −P..−1, 1..P (V of them).
    values: Vec<i32>,
    conv: Option<ConvPart>,
    /// `layer_one[k·d + i]` for a dense layer 1, by filter parameter for a
    /// convolution.
    layer_one: Vec<LayerOneWeight>,
    /// `bias[l][unit]`.
    bias: Vec<Vec<Col>>,
    /// `grid[l][(k·in + j)·V + v]`, layers l ≥ 1 (empty for l = 0).
    grid: Vec<Vec<Col>>,
    /// `act[l][n·width + j]`, hidden layers.
    act: Vec<Vec<Act>>,
    /// `pooled[n·windows + q]`, a pooling convolution's output.
    pooled: Vec<PoolAct>,
    /// `prod[l][((n·out + k)·in + j)·V + v]`, layers l ≥ 1 (empty for l = 0).
    prod: Vec<Vec<Option<Col>>>,
    /// `neuron_on[l][unit]`: every layer, all none for the output layer.
    neuron_on: Vec<Vec<Option<Col>>>,
    /// `layer_on[l]`: every layer, none for the output layer.
    layer_on: Vec<Option<Col>>,
    /// ξ_n (hinge) or e_n (misclassification) at n; t_{nk} (ℓ1) at n·K + k.
    loss: Vec<Col>,
    /// The columns of each rule, in the order of the settings' rules.
    rules: Vec<RuleCols>,
}

/// The columns a rule adds (see the rules module for its rows).
#[derive(Clone, Debug)]
pub(crate) enum RuleCols {
    /// f_i per input feature: 1 when the feature may be read.
    FeatureBudget { used: Vec<Col> },
    /// None of its own: its row is over the neuron indicators.
    NeuronLimit,
    /// (sample, e_n) for every training sample of the rule's class.
    ClassRecall { missed: Vec<(usize, Col)> },
    /// A fairness rule's (sample, e_n) for every training sample and,
    /// with more than two classes, `beaten[i]` the (class k, z_{nk}) of
    /// `missed[i]`'s sample for every k other than its counted class
    /// (z_{nk} = 1: k leads it to within the margin − the band;
    /// Σ_k z_{nk} = e_n). Empty lists with two classes: e_n picks the one
    /// other class itself.
    Fairness {
        missed: Vec<(usize, Col)>,
        beaten: Vec<Vec<(usize, Col)>>,
    },
    /// The point's own activations and products.
    FixedDecision(PointCols),
    /// (p⁺_j, p⁻_j) per hidden neuron j: W_{ji} may be positive, negative.
    Monotone { signs: Vec<(Col, Col)> },
}

/// A fixed decision's point's columns, laid out as a sample's.
#[derive(Clone, Debug)]
pub(crate) struct PointCols {
    /// `acts[l][j]`, hidden layers.
    pub(crate) acts: Vec<Vec<Act>>,
    /// `prod[l][(k·in + j)·V + v]`, layers l ≥ 1 (empty for l = 0).
    pub(crate) prod: Vec<Vec<Option<Col>>>,
}

impl Layout {
    /// Empty tables for these dimensions.
    pub(crate) fn new(
        samples: usize,
        features: usize,
        widths: Vec<usize>,
        values: Vec<i32>,
        conv: Option<ConvPart>,
    ) -> Self {
        Layout {
            samples,
            features,
            widths,
            values,
            conv,
            layer_one: Vec::new(),
            bias: Vec::new(),
            grid: Vec::new(),
            act: Vec::new(),
            pooled: Vec::new(),
            prod: Vec::new(),
            neuron_on: Vec::new(),
            layer_on: Vec::new(),
            loss: Vec::new(),
            rules: Vec::new(),
        }
    }

    // ---- dimensions ----

    /// N, the training samples.
    pub(crate) fn samples(&self) -> usize {
        self.samples
    }
    /// d, the input features.
    pub(crate) fn features(&self) -> usize {
        self.features
    }
    /// K, the classes (the output layer's width).
    pub(crate) fn classes(&self) -> usize {
        *self.widths.last().expect("an output layer")
    }
    /// Layers with weights: hidden ones and the output layer.
    pub(crate) fn num_layers(&self) -> usize {
        self.widths.len()
    }
    /// Every layer's output width.
    pub(crate) fn widths(&self) -> &[usize] {
        &self.widths
    }
    /// Output width of layer `l`.
    pub(crate) fn width(&self, l: usize) -> usize {
        self.widths[l]
    }
    /// The grid's nonzero values.
    pub(crate) fn values(&self) -> &[i32] {
        &self.values
    }
    /// The convolution, when layer 1 is one.
    pub(crate) fn conv(&self) -> Option<&ConvPart> {
        self.conv.as_ref()
    }
    /// The convolution when it pools.
    pub(crate) fn pooling_conv(&self) -> Option<&ConvPart> {
        self.conv.as_ref().filter(|c| c.pool.is_some())
    }
    /// Inputs of layer `l`: the data, a convolution's (pooled) maps, or
    /// the previous layer's activations.
    pub(crate) fn inputs_of(&self, l: usize) -> usize {
        match (l, &self.conv) {
            (0, _) => self.features,
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
    /// The unit of layer `l − 1` that input `i` of layer `l ≥ 1` comes from.
    pub(crate) fn input_unit(&self, l: usize, i: usize) -> usize {
        match (l, &self.conv) {
            (1, Some(c)) => c.filter_of_input(i),
            _ => i,
        }
    }

    // ---- layer 1 ----

    /// Every layer-1 weight (filter weight) with its auxiliaries.
    pub(crate) fn layer_one(&self) -> &[LayerOneWeight] {
        &self.layer_one
    }
    /// Index in [`Layout::layer_one`] of dense layer 1's weight from input
    /// `i` to neuron `k`.
    pub(crate) fn layer_one_index(&self, k: usize, i: usize) -> usize {
        k * self.features + i
    }
    /// (neuron, input) of dense layer 1's weight at `index`.
    pub(crate) fn layer_one_position(&self, index: usize) -> (usize, usize) {
        (index / self.features, index % self.features)
    }
    /// The unit (neuron or filter) that layer-1 weight `index` belongs to.
    pub(crate) fn layer_one_unit(&self, index: usize) -> usize {
        index / self.layer_one_per_unit()
    }
    /// The layer-1 weights of unit `u`.
    pub(crate) fn layer_one_of_unit(&self, u: usize) -> &[LayerOneWeight] {
        let per = self.layer_one_per_unit();
        &self.layer_one[u * per..(u + 1) * per]
    }
    /// The terms of layer-1 neuron `k`'s pre-activation on the input `row`
    /// (its bias aside): (index in [`Layout::layer_one`], input value),
    /// for the inputs it reads (a convolution's taps) that are not 0.
    pub(crate) fn layer_one_terms<'a>(
        &'a self,
        k: usize,
        row: &'a [f64],
    ) -> Box<dyn Iterator<Item = (usize, f64)> + 'a> {
        match &self.conv {
            Some(c) => Box::new(c.taps[k].iter().filter(|t| row[t.0] != 0.0).map(|&(i, p)| (p, row[i]))),
            None => Box::new(
                row.iter()
                    .enumerate()
                    .filter(|t| *t.1 != 0.0)
                    .map(move |(i, &x)| (self.layer_one_index(k, i), x)),
            ),
        }
    }
    fn layer_one_per_unit(&self) -> usize {
        match &self.conv {
            Some(c) => c.params_per_filter(),
            None => self.features,
        }
    }
    pub(crate) fn push_layer_one(&mut self, weight: LayerOneWeight) {
        self.layer_one.push(weight);
    }

    // ---- biases, indicators ----

    pub(crate) fn bias(&self, l: usize, unit: usize) -> Col {
        self.bias[l][unit]
    }
    /// The biases of layer `l`, by unit.
    pub(crate) fn push_biases(&mut self, cols: Vec<Col>) {
        self.bias.push(cols);
    }
    pub(crate) fn neuron_on(&self, l: usize, unit: usize) -> Option<Col> {
        self.neuron_on[l][unit]
    }
    /// The neuron indicators of layer `l`, by unit.
    pub(crate) fn push_neuron_indicators(&mut self, cols: Vec<Option<Col>>) {
        self.neuron_on.push(cols);
    }
    pub(crate) fn layer_on(&self, l: usize) -> Option<Col> {
        self.layer_on[l]
    }
    pub(crate) fn push_layer_indicator(&mut self, col: Option<Col>) {
        self.layer_on.push(col);
    }
    /// Every layer indicator there is.
    pub(crate) fn layer_indicators(&self) -> impl Iterator<Item = Col> + '_ {
        self.layer_on.iter().flatten().copied()
    }
    /// The indicator that gates input `j` of layer `l ≥ 1`.
    pub(crate) fn input_gate(&self, l: usize, j: usize) -> Option<Col> {
        self.neuron_on[l - 1][self.input_unit(l, j)]
    }

    // ---- grid weights ----

    /// The V binaries of the grid weight from input `j` to neuron `k` of
    /// layer `l ≥ 1`, one per value of [`Layout::values`].
    pub(crate) fn grid(&self, l: usize, k: usize, j: usize) -> &[Col] {
        &self.grid[l][self.weight_range(l, k, j)]
    }
    /// Every grid binary of layer `l` (none for layer 1).
    pub(crate) fn grid_layer(&self, l: usize) -> &[Col] {
        self.grid.get(l).map_or(&[], |g| g.as_slice())
    }
    /// The grid binaries of layer `l`, in the order of [`Layout::grid`]
    /// (k, then j, then the value); empty for layer 1.
    pub(crate) fn push_grid_layer(&mut self, cols: Vec<Col>) {
        self.grid.push(cols);
    }
    /// z of the grid weight (l, k, j) in the solution `x`: the sum of the
    /// values whose binary is on.
    pub(crate) fn grid_value(&self, x: &[f64], l: usize, k: usize, j: usize) -> i32 {
        self.grid_values_on(x, l, k, j).sum()
    }
    /// The values of the grid weight (l, k, j) whose binary is on in `x`
    /// (one at most in a feasible point).
    pub(crate) fn grid_values_on<'a>(
        &'a self,
        x: &'a [f64],
        l: usize,
        k: usize,
        j: usize,
    ) -> impl Iterator<Item = i32> + 'a {
        self.grid(l, k, j)
            .iter()
            .zip(&self.values)
            .filter(|(u, _)| x[u.index()] > BINARY_THRESHOLD)
            .map(|(_, &v)| v)
    }
    /// Position of weight (k, j)'s V entries in layer `l`'s tables.
    fn weight_range(&self, l: usize, k: usize, j: usize) -> Range<usize> {
        let nv = self.values.len();
        let start = (k * self.inputs_of(l) + j) * nv;
        start..start + nv
    }

    // ---- activations, pooled values, products ----

    /// h_{nj} of hidden layer `l`.
    pub(crate) fn act(&self, l: usize, n: usize, j: usize) -> &Act {
        &self.act[l][n * self.widths[l] + j]
    }
    /// Every h_{n·} of hidden layer `l` for sample `n`.
    pub(crate) fn acts_of_sample(&self, l: usize, n: usize) -> &[Act] {
        let w = self.widths[l];
        &self.act[l][n * w..(n + 1) * w]
    }
    /// The activations of hidden layer `l`, by sample then neuron.
    pub(crate) fn push_activations(&mut self, acts: Vec<Act>) {
        self.act.push(acts);
    }
    /// Pooled value `q` of sample `n`.
    pub(crate) fn pooled(&self, n: usize, q: usize) -> &PoolAct {
        &self.pooled_of_sample(n)[q]
    }
    /// Every pooled value of sample `n` (none without pooling).
    pub(crate) fn pooled_of_sample(&self, n: usize) -> &[PoolAct] {
        let q = self.conv.as_ref().map_or(0, |c| c.windows.len());
        &self.pooled[n * q..(n + 1) * q]
    }
    /// The pooled values, by sample then window.
    pub(crate) fn set_pooled(&mut self, pooled: Vec<PoolAct>) {
        self.pooled = pooled;
    }
    /// Input `j` of layer `l ≥ 1` for sample `n`: a pooled value after a
    /// pooling convolution, the previous layer's activation otherwise.
    pub(crate) fn input_act(&self, l: usize, n: usize, j: usize) -> Act {
        match (l, &self.conv) {
            (1, Some(c)) if c.pool.is_some() => {
                let p = self.pooled(n, j);
                Act {
                    h: p.g,
                    sigma: None,
                    upper: p.upper,
                }
            }
            _ => *self.act(l - 1, n, j),
        }
    }
    /// The V products u·h of grid weight (k, j) of layer `l ≥ 1` with input
    /// `j` of sample `n` (none where the input is proven 0).
    pub(crate) fn products(&self, l: usize, n: usize, k: usize, j: usize) -> &[Option<Col>] {
        let per_sample = self.widths[l] * self.inputs_of(l) * self.values.len();
        let range = self.weight_range(l, k, j);
        &self.prod[l][n * per_sample + range.start..n * per_sample + range.end]
    }
    /// The products of layer `l`, by sample, then as [`Layout::grid`]
    /// (empty for layer 1).
    pub(crate) fn push_products(&mut self, cols: Vec<Option<Col>>) {
        self.prod.push(cols);
    }

    // ---- loss ----

    /// Sample `n`'s loss columns: ξ_n or e_n, or its K terms t_{nk}.
    pub(crate) fn loss_of_sample(&self, n: usize) -> &[Col] {
        let per = self.loss.len() / self.samples.max(1);
        &self.loss[n * per..(n + 1) * per]
    }
    /// The loss columns, by sample (then class).
    pub(crate) fn push_loss(&mut self, col: Col) {
        self.loss.push(col);
    }

    // ---- rules ----

    /// Each rule's columns, in the order of the settings' rules.
    pub(crate) fn rules(&self) -> &[RuleCols] {
        &self.rules
    }
    pub(crate) fn push_rule(&mut self, cols: RuleCols) {
        self.rules.push(cols);
    }
    /// The V products u·h of grid weight (k, j) of layer `l ≥ 1` with the
    /// point's input `j` (none where the input is proven 0).
    pub(crate) fn point_products<'a>(&self, p: &'a PointCols, l: usize, k: usize, j: usize) -> &'a [Option<Col>] {
        &p.prod[l][self.weight_range(l, k, j)]
    }
}

#[cfg(test)]
mod tests;
