//! The bridge between networks and the MILP's points: every column's value
//! for a network in the feasible set (a MIP start, and the exact point of
//! a network), and the network a solution stands for (binaries rounded,
//! pruned units zeroed).

use crate::formulation::DenseFormulation;
use crate::settings::Loss;
use crate::tolerances::{is_on, Tolerances, START_TOLERANCE};
use mipnet_data::Standardizer;
use mipnet_network::{Conv, Grid, Layer, Network, FORMAT_VERSION};

impl DenseFormulation {
    /// Every column's value for `net` (which must lie in the MILP's feasible
    /// set: layer-1 weights and biases within ±ω, later weights on the grid,
    /// neurons in symmetric order when that is on). `data` is the training
    /// data this formulation was built on.
    pub fn start_values(&self, net: &Network) -> Result<Vec<f64>, String> {
        self.check_shape(net)?;
        let (s, lay) = (&self.settings, self.layout());
        let tol = START_TOLERANCE;
        let mut x = vec![0.0; self.model.num_cols()];
        let values = lay.values();
        for (l, layer) in net.layers.iter().enumerate() {
            if let Some(r) = lay.layer_on(l) {
                x[r.index()] = if layer.identity { 0.0 } else { 1.0 };
            } else if layer.identity {
                return Err(format!(
                    "layer {} is the identity, but layer pruning is off for it",
                    l + 1
                ));
            }
            // Indicators and biases, per neuron (per filter).
            let per = layer.outputs() / lay.units(l);
            for u in 0..lay.units(l) {
                let j = u * per;
                if let Some(q) = lay.neuron_on(l, u) {
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
                x[lay.bias(l, u).index()] = b.clamp(-s.omega, s.omega);
            }
            if l == 0 {
                // Layer 1 (or the filters): free weights in the box.
                for (idx, &w) in layer.weight_params().enumerate() {
                    let w = if layer.identity { 0.0 } else { w };
                    if w.abs() > s.omega + tol {
                        let at = match lay.conv() {
                            Some(_) => format!("filter weight {}", idx + 1),
                            None => {
                                let (k, i) = lay.layer_one_position(idx);
                                format!("weight ({}, {}) of layer 1", k + 1, i + 1)
                            }
                        };
                        return Err(format!("{at} is {w}, outside ±ω"));
                    }
                    let w = w.clamp(-s.omega, s.omega);
                    let p = &lay.layer_one()[idx];
                    x[p.w.index()] = w;
                    if let Some(a) = p.abs {
                        x[a.index()] = w.abs();
                    }
                    if let Some(o) = p.on {
                        x[o.index()] = if w != 0.0 { 1.0 } else { 0.0 };
                    }
                    if let Some(r) = p.sq {
                        x[r.index()] = s.l2_approx(w);
                    }
                }
                continue;
            }
            for j in 0..layer.outputs() {
                for i in 0..lay.inputs_of(l) {
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
                        x[lay.grid(l, j, i)[vi].index()] = 1.0;
                    }
                }
            }
        }
        // Activations, pooled values, products and losses from the forward pass.
        for n in 0..lay.samples() {
            let trace = trace(net, self.data().row(n));
            let mut input: Vec<f64> = self.data().row(n).to_vec();
            for (l, (neurons, out)) in trace.iter().enumerate() {
                if l >= 1 {
                    for k in 0..lay.width(l) {
                        for j in 0..lay.inputs_of(l) {
                            for (u, q) in lay.grid(l, k, j).iter().zip(lay.products(l, n, k, j)) {
                                if let Some(p) = q {
                                    x[p.index()] = x[u.index()] * input[j];
                                }
                            }
                        }
                    }
                }
                if l < lay.num_layers() - 1 {
                    let layer = &net.layers[l];
                    for j in 0..lay.width(l) {
                        let a = lay.act(l, n, j);
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
        self.set_rule_values(&mut x, net)?;
        Ok(x)
    }

    /// Pooled values, and for max pooling the binary of the element that
    /// wins (the first largest).
    fn set_pool_values(&self, x: &mut [f64], n: usize, h: &[f64], pooled: &[f64]) {
        let lay = self.layout();
        let Some(c) = lay.pooling_conv() else {
            return;
        };
        for (q, win) in c.windows.iter().enumerate() {
            let p = lay.pooled(n, q);
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
        let y = self.data().label(n);
        let cols = self.layout().loss_of_sample(n);
        match self.settings.loss {
            Loss::Hinge | Loss::Misclassification => {
                x[cols[0].index()] = self.sample_loss(y, scores);
            }
            Loss::L1 => {
                for (c, &o) in scores.iter().enumerate() {
                    let t = if c == y { 1.0 } else { 0.0 };
                    x[cols[c].index()] = (o - t).abs();
                }
            }
        }
    }

    fn check_shape(&self, net: &Network) -> Result<(), String> {
        let lay = self.layout();
        let widths: Vec<usize> = net.layers.iter().map(|l| l.outputs()).collect();
        let conv = net.layers[0].conv.as_ref().map(|c| (c.shape, net.layers[0].pool));
        let ours = self.convolution();
        if conv != ours {
            return Err(format!(
                "the network's first layer ({}) is not the formulation's ({})",
                conv.map_or("dense".into(), |c| format!("{:?}", c)),
                ours.map_or("dense".into(), |c| format!("{:?}", c))
            ));
        }
        if widths != lay.widths() || net.feature_names.len() != lay.features() {
            return Err(format!(
                "network {} → {:?} does not match the formulation {} → {:?}",
                net.feature_names.len(),
                widths,
                lay.features(),
                lay.widths()
            ));
        }
        Ok(())
    }

    /// Reads the network out of a solution. Binaries are rounded; layer-1
    /// weights within `tol.zero_weight` of 0 become 0.
    pub fn network_from(&self, x: &[f64], standardizer: &Standardizer, tol: &Tolerances) -> Network {
        let (s, lay) = (&self.settings, self.layout());
        let on = |c| is_on(x, c);
        let read_w1 = |p: usize| tol.weight(x[lay.layer_one()[p].w.index()]);
        let mut layers = Vec::new();
        for l in 0..lay.num_layers() {
            if let (0, Some(c)) = (l, lay.conv()) {
                // The filters; a pruned filter is all zero with bias 0.
                let kept: Vec<bool> = (0..c.shape.channels).map(|u| on(lay.neuron_on(0, u))).collect();
                let filters = (0..c.shape.params())
                    .map(|p| if kept[lay.layer_one_unit(p)] { read_w1(p) } else { 0.0 })
                    .collect();
                let bias: Vec<f64> = (0..c.shape.channels)
                    .map(|u| if kept[u] { x[lay.bias(0, u).index()] } else { 0.0 })
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
            let (inp, out) = (lay.inputs_of(l), lay.width(l));
            let identity = !on(lay.layer_on(l));
            let mut weights = vec![vec![0.0; inp]; out];
            let mut bias = vec![0.0; out];
            let kept: Vec<bool> = (0..out).map(|j| on(lay.neuron_on(l, j))).collect();
            if !identity {
                for k in 0..out {
                    bias[k] = x[lay.bias(l, k).index()];
                    for j in 0..inp {
                        weights[k][j] = if l == 0 {
                            let (lo, hi) = self.layer_one_range(x, k, j);
                            read_w1(lay.layer_one_index(k, j)).clamp(lo, hi)
                        } else {
                            s.grid_step * lay.grid_value(x, l, k, j) as f64
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
                relu: l + 1 < lay.num_layers(),
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
            feature_names: self.data().feature_names.clone(),
            class_names: self.data().class_names.clone(),
            standardizer: standardizer.clone(),
            layers,
            settings: serde_json::Value::Null,
        }
    }
}

/// Each layer's neuron outputs (after ReLU, before pooling) and what it
/// hands on (after pooling), for a standardized input: the forward pass
/// the start values and the certificate follow.
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
