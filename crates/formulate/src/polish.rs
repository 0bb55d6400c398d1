//! The LP polish, built small.
//!
//! Once every binary is fixed (activation patterns, grid weights, pruning
//! and loss binaries), most of the training MILP is determined: a product
//! u·h is h or 0, an activation is its pre-activation or 0. What is left to
//! optimize is layer-1 weights, biases, the ℓ1/ℓ2 auxiliaries and the loss
//! variables, under one sign row per (sample, neuron) and the loss rows.
//! This module builds exactly that LP, instead of the full model with fixed
//! columns: on digits 64→8→10 the full model has 692k rows.
//!
//! Its solution is read into a network, and the full model's column values
//! follow from the network ([`DenseFormulation::start_values`]), so the
//! result is checked against the full MILP like any other.

use crate::expr::{merge_terms as merge, negated, Expr};
use crate::formulation::regularization::{add_l1_auxiliary, add_l2_tangents};
use crate::formulation::{l1_loss_rows, DenseFormulation};
use crate::settings::Loss;
use crate::tolerances::{is_on as on, Tolerances, BINARY_THRESHOLD};
use mipnet_milp::{Col, Model, Sense, VarType};
use mipnet_network::PoolKind;

/// The reduced LP and where its variables are.
pub struct PolishLp {
    pub model: Model,
    w1: Vec<Option<Col>>,
    bias: Vec<Vec<Option<Col>>>,
}

impl DenseFormulation {
    /// The LP left when every integral column is fixed at its rounded value
    /// in `x`. Its objective equals the full model's objective over the
    /// same fixing (the integral columns' costs are its offset).
    pub fn polish_lp(&self, x: &[f64]) -> PolishLp {
        let (s, lay) = (&self.settings, self.layout());
        let mut m = Model::new(Sense::Minimize);
        // The integral columns' part of the objective is fixed.
        let offset: f64 = (0..self.model.num_cols())
            .filter(|&j| self.model.col_types()[j].is_integral())
            .map(|j| self.model.col_cost()[j] * x[j].round())
            .sum();
        m.set_offset(self.model.offset() + offset);
        let layers = lay.num_layers();
        let layer_on: Vec<bool> = (0..layers).map(|l| on(x, lay.layer_on(l))).collect();
        // Biases (per filter in a convolution).
        let mut bias = Vec::with_capacity(layers);
        for l in 0..layers {
            let cols: Vec<Option<Col>> = (0..lay.units(l))
                .map(|k| {
                    (layer_on[l] && on(x, lay.neuron_on(l, k)))
                        .then(|| m.add_col(-s.omega, s.omega, 0.0, VarType::Continuous))
                })
                .collect();
            bias.push(cols);
        }
        // Layer-1 weights (filter weights) and their penalties.
        let mut w1 = Vec::with_capacity(lay.layer_one().len());
        for (idx, p) in lay.layer_one().iter().enumerate() {
            // The rules' binaries (feature budget, monotone signs) narrow
            // a dense layer-1 weight's box; a convolution has none.
            let (lo, hi) = match lay.conv() {
                Some(_) => (-s.omega, s.omega),
                None => {
                    let (k, i) = lay.layer_one_position(idx);
                    let (lo, hi) = self.layer_one_range(x, k, i);
                    (lo.max(-s.omega), hi.min(s.omega))
                }
            };
            let free = on(x, lay.neuron_on(0, lay.layer_one_unit(idx))) && on(x, p.on) && lo < hi;
            let w = free.then(|| m.add_col(lo, hi, 0.0, VarType::Continuous));
            if let Some(w) = w {
                if p.abs.is_some() {
                    add_l1_auxiliary(&mut m, w, s);
                }
                if p.sq.is_some() {
                    add_l2_tangents(&mut m, w, s);
                }
            }
            w1.push(w);
        }
        // Grid weights fixed: z_kj of each layer ≥ 2.
        // z[l][k][j]: the weight's value s·z.
        let z: Vec<Vec<Vec<f64>>> = (0..layers)
            .map(|l| {
                if l == 0 {
                    return Vec::new();
                }
                let (inp, out) = (lay.inputs_of(l), lay.width(l));
                (0..out)
                    .map(|k| {
                        (0..inp)
                            .map(|j| lay.grid_values_on(x, l, k, j).map(|v| v as f64 * s.grid_step).sum())
                            .collect()
                    })
                    .collect()
            })
            .collect();
        // Symmetry breaking on the biases, with the indicators fixed.
        if s.symmetry_breaking {
            for l in 0..layers - 1 {
                for j in 0..lay.units(l).saturating_sub(1) {
                    let q = |c: Option<Col>| if on(x, c) { 1.0 } else { 0.0 };
                    let rhs = -2.0 * s.omega * (q(lay.neuron_on(l, j)) - q(lay.neuron_on(l, j + 1)));
                    let terms: Vec<(Col, f64)> = [(bias[l][j], 1.0), (bias[l][j + 1], -1.0)]
                        .into_iter()
                        .filter_map(|(c, v)| c.map(|c| (c, v)))
                        .collect();
                    m.add_row(rhs, f64::INFINITY, terms);
                }
            }
        }
        // Per sample: activations layer by layer, then the loss.
        for n in 0..lay.samples() {
            // Activations of the current layer's inputs as linear
            // expressions: a column of its own, or (in a convolution, where
            // every activation is a short expression in the few filter
            // weights) the pre-activation itself. None = 0.
            let mut input: Vec<Option<Expr>> = Vec::new();
            for l in 0..layers {
                let width = lay.width(l);
                let pre = |k: usize, input: &[Option<Expr>]| -> Expr {
                    let mut t: Expr = Vec::new();
                    let row = self.data().row(n);
                    if l == 0 {
                        t.extend(lay.layer_one_terms(k, row).filter_map(|(p, x)| w1[p].map(|w| (w, x))));
                    } else {
                        for (j, h) in input.iter().enumerate() {
                            let zk = z[l][k][j];
                            if let (Some(h), true) = (h, zk != 0.0) {
                                t.extend(h.iter().map(|&(c, v)| (c, v * zk)));
                            }
                        }
                    }
                    t.extend(bias[l][lay.unit(l, k)].map(|b| (b, 1.0)));
                    merge(t)
                };
                if l == layers - 1 {
                    let outputs: Vec<Expr> = (0..width).map(|k| pre(k, &input)).collect();
                    self.add_polish_loss(&mut m, n, &outputs, x);
                    self.add_polish_recall_rows(&mut m, n, &outputs, x);
                    break;
                }
                if !layer_on[l] {
                    // The identity: activations pass through unchanged.
                    continue;
                }
                let mut next = Vec::with_capacity(width);
                for j in 0..width {
                    let act = lay.act(l, n, j);
                    let terms = pre(j, &input);
                    let active = act.h.is_some() && on(x, act.sigma) && on(x, lay.neuron_on(l, lay.unit(l, j)));
                    if active && l == 0 && lay.conv().is_some() {
                        // h = a ≥ 0, kept as the expression a (its bound U
                        // follows from the box).
                        if !terms.is_empty() {
                            m.add_row(0.0, f64::INFINITY, terms.iter().copied());
                        }
                        next.push(Some(terms));
                    } else if active {
                        // h = a, 0 ≤ h ≤ U
                        let h = m.add_col(0.0, act.upper, 0.0, VarType::Continuous);
                        let mut row = vec![(h, 1.0)];
                        row.extend(negated(&terms));
                        m.add_row(0.0, 0.0, row);
                        next.push(Some(vec![(h, 1.0)]));
                    } else {
                        // h = 0, so a ≤ 0.
                        if !terms.is_empty() {
                            m.add_row(f64::NEG_INFINITY, 0.0, terms);
                        }
                        next.push(None);
                    }
                }
                input = if l == 0 {
                    self.polish_pooling(&mut m, n, next, x)
                } else {
                    next
                };
            }
        }
        PolishLp { model: m, w1, bias }
    }

    /// What the convolution hands on with its pooling binaries fixed:
    /// average pooling the mean of its window's expressions; max pooling
    /// the element that the fixed binary picks, with rows keeping it the
    /// largest of its window.
    fn polish_pooling(&self, m: &mut Model, n: usize, h: Vec<Option<Expr>>, x: &[f64]) -> Vec<Option<Expr>> {
        let lay = self.layout();
        let Some((c, pool)) = lay.conv().and_then(|c| c.pool.map(|p| (c, p))) else {
            return h;
        };
        let mut out = Vec::with_capacity(c.windows.len());
        for (q, win) in c.windows.iter().enumerate() {
            let p = lay.pooled(n, q);
            match pool.kind {
                PoolKind::Average => {
                    let inv = 1.0 / win.len() as f64;
                    let sum: Expr = win
                        .iter()
                        .filter_map(|&e| h[e].as_ref())
                        .flat_map(|e| e.iter().map(|&(c, v)| (c, v * inv)))
                        .collect();
                    let sum = merge(sum);
                    out.push((!sum.is_empty()).then_some(sum));
                }
                PoolKind::Max => {
                    // The picked element: the one whose binary is 1, or the
                    // only element that can be nonzero.
                    let picked = p
                        .select
                        .iter()
                        .position(|s| s.is_some_and(|s| x[s.index()] > BINARY_THRESHOLD))
                        .or_else(|| (0..win.len()).find(|&i| h[win[i]].is_some()));
                    let g = picked.and_then(|i| h[win[i]].clone());
                    for (i, &e) in win.iter().enumerate() {
                        let Some(he) = h[e].as_ref().filter(|_| Some(i) != picked) else {
                            continue;
                        };
                        // g − h_e ≥ 0 (h_e ≤ 0 when the pick is 0).
                        let mut row = g.clone().unwrap_or_default();
                        row.extend(negated(he));
                        let row = merge(row);
                        if !row.is_empty() {
                            m.add_row(0.0, f64::INFINITY, row);
                        }
                    }
                    out.push(g);
                }
            }
        }
        out
    }

    fn add_polish_loss(&self, m: &mut Model, n: usize, outputs: &[Expr], x: &[f64]) {
        let y = self.data().label(n);
        let cost = self.loss_cost(n);
        let margin = self.settings.margin;
        let diff = |c: usize| -> Expr {
            let mut t = outputs[y].clone();
            t.extend(negated(&outputs[c]));
            merge(t)
        };
        match self.settings.loss {
            Loss::Hinge => {
                let xi = m.add_col(0.0, f64::INFINITY, cost, VarType::Continuous);
                for c in (0..outputs.len()).filter(|&c| c != y) {
                    let mut t = diff(c);
                    t.push((xi, 1.0));
                    m.add_row(margin, f64::INFINITY, t);
                }
            }
            Loss::Misclassification => {
                // e_n is fixed (its cost is in the offset); e_n = 0 demands the margin.
                if x[self.layout().loss_of_sample(n)[0].index()] < BINARY_THRESHOLD {
                    for c in (0..outputs.len()).filter(|&c| c != y) {
                        m.add_row(margin, f64::INFINITY, diff(c));
                    }
                }
            }
            Loss::L1 => {
                for (c, o) in outputs.iter().enumerate() {
                    let target = if c == y { 1.0 } else { 0.0 };
                    let t = m.add_col(0.0, f64::INFINITY, cost, VarType::Continuous);
                    l1_loss_rows(m, t, o, target);
                }
            }
        }
    }

    /// The network given by a solution `y` of [`DenseFormulation::polish_lp`]
    /// with the integral values of `x`.
    pub fn network_from_polish(
        &self,
        lp: &PolishLp,
        y: &[f64],
        x: &[f64],
        standardizer: &mipnet_data::Standardizer,
        tol: &Tolerances,
    ) -> mipnet_network::Network {
        // Start from the fixed pattern's network, then put in the LP's values.
        let mut net = self.network_from(x, standardizer, tol);
        let lay = self.layout();
        let read = |c: Option<Col>| tol.weight(c.map_or(0.0, |c| y[c.index()]));
        for (l, layer) in net.layers.iter_mut().enumerate() {
            if layer.identity {
                continue;
            }
            if let Some(c) = &mut layer.conv {
                for (p, f) in c.filters.iter_mut().enumerate() {
                    *f = read(lp.w1[p]);
                }
                for (j, b) in layer.bias.iter_mut().enumerate() {
                    *b = lp.bias[0][lay.unit(0, j)].map_or(0.0, |c| y[c.index()]);
                }
                layer.unroll();
                continue;
            }
            for k in 0..layer.outputs() {
                layer.bias[k] = lp.bias[l][k].map_or(0.0, |c| y[c.index()]);
                if l == 0 {
                    for i in 0..lay.features() {
                        let (lo, hi) = self.layer_one_range(x, k, i);
                        layer.weights[k][i] = read(lp.w1[lay.layer_one_index(k, i)]).clamp(lo, hi);
                    }
                }
            }
        }
        net
    }
}
