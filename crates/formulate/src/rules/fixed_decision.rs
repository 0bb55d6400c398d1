//! Fixed decision: the point gets its own activations like a training
//! sample (ReLU binaries, exact products with the grid binaries) and the
//! hard rows o_c − o_k ≥ μ for every k ≠ c (see the module docs). Dense
//! layers without layer pruning.

use super::class_recall::meets_margin;
use crate::bridge::trace;
use crate::expr::Expr;
use crate::formulation::{margin_rows, product_col, DenseFormulation};
use crate::layout::{Act, PointCols, RuleCols};
use crate::tolerances::START_TOLERANCE;
use mipnet_milp::{Col, Model, VarType};
use mipnet_network::Network;

/// A fixed decision with its point in the data's units and standardized.
#[derive(Clone, Debug)]
pub(crate) struct ResolvedPoint {
    /// In the data's own units, by feature.
    pub(crate) raw: Vec<f64>,
    /// Standardized as the training data (what layer 1 reads).
    pub(crate) x: Vec<f64>,
    pub(crate) class: usize,
    pub(crate) margin: f64,
}

/// Adds the point's activations, products and margin rows.
pub(super) fn add(f: &mut DenseFormulation, p: &ResolvedPoint) -> RuleCols {
    let s = f.settings.clone();
    let (m, lay) = f.model_and_layout();
    let layers = lay.num_layers();
    let nv = lay.values().len();
    let mut cols = PointCols {
        acts: Vec::with_capacity(layers - 1),
        prod: vec![Vec::new()],
    };
    let mut outputs: Vec<Expr> = Vec::new();
    for l in 0..layers {
        // Products of this layer's grid binaries with the point's inputs.
        let mut inputs_upper = 0.0;
        if l >= 1 {
            let (inp, out) = (lay.inputs_of(l), lay.width(l));
            let mut prod = Vec::with_capacity(out * inp * nv);
            for k in 0..out {
                for j in 0..inp {
                    let a = cols.acts[l - 1][j];
                    for &u in lay.grid(l, k, j) {
                        prod.push(a.h.map(|h| product_col(m, u, h, a.upper)));
                    }
                }
            }
            cols.prod.push(prod);
            inputs_upper = cols.acts[l - 1].iter().map(|a| a.upper).sum::<f64>();
        }
        let mut acts = Vec::with_capacity(lay.width(l));
        for k in 0..lay.width(l) {
            let mut terms: Expr = Vec::new();
            let bound = if l == 0 {
                let w1 = lay.layer_one();
                terms.extend(lay.layer_one_terms(k, &p.x).map(|(i, v)| (w1[i].w, v)));
                s.omega * (p.x.iter().map(|v| v.abs()).sum::<f64>() + 1.0)
            } else {
                for j in 0..lay.inputs_of(l) {
                    for (q, &v) in lay.point_products(&cols, l, k, j).iter().zip(lay.values()) {
                        if let Some(q) = q {
                            terms.push((*q, s.grid_step * v as f64));
                        }
                    }
                }
                s.grid_step * s.grid_levels as f64 * inputs_upper + s.omega
            };
            terms.push((lay.bias(l, lay.unit(l, k)), 1.0));
            if l + 1 == layers {
                outputs.push(terms);
            } else {
                acts.push(relu(m, -bound, bound, &terms));
            }
        }
        if l + 1 < layers {
            cols.acts.push(acts);
        }
    }
    margin_rows(m, &outputs, p.class, p.margin, None);
    RuleCols::FixedDecision(cols)
}

/// h = max(0, a) for a ∈ [lo, up] (lo < 0 < up), a = Σ `terms`: the
/// training samples' ReLU rows (formulation/relu.rs) without layer
/// pruning: h ≥ a, h ≥ 0, h ≤ a − lo(1 − σ), h ≤ up·σ.
fn relu(m: &mut Model, lo: f64, up: f64, terms: &[(Col, f64)]) -> Act {
    let h = m.add_col(0.0, up, 0.0, VarType::Continuous);
    let sigma = m.add_binary(0.0);
    let neg = terms.iter().map(|&(c, v)| (c, -v));
    m.add_row(0.0, f64::INFINITY, [(h, 1.0)].into_iter().chain(neg.clone()));
    m.add_row(f64::NEG_INFINITY, -lo, [(h, 1.0), (sigma, -lo)].into_iter().chain(neg));
    m.add_row(f64::NEG_INFINITY, 0.0, [(h, 1.0), (sigma, -up)]);
    Act {
        h: Some(h),
        sigma: Some(sigma),
        upper: up,
    }
}

/// Whether `net` gives the point its class with the margin, by the
/// forward pass of the point in the data's own units.
pub(super) fn check(net: &Network, p: &ResolvedPoint) -> (bool, String) {
    let o = net.scores(&p.raw);
    let c = p.class;
    let worst = (0..o.len())
        .filter(|&k| k != c)
        .map(|k| o[c] - o[k])
        .fold(f64::INFINITY, f64::min);
    (
        meets_margin(&o, c, p.margin),
        format!(
            "class \"{}\" leads every other by {worst:.6} (margin {})",
            net.class_names[c], p.margin
        ),
    )
}

/// The point's activations, ReLU binaries and products from the forward
/// pass of `net` (its layers read the standardized point).
pub(super) fn start(
    f: &DenseFormulation,
    x: &mut [f64],
    cols: &PointCols,
    net: &Network,
    p: &ResolvedPoint,
) -> Result<(), String> {
    let lay = f.layout();
    let trace = trace(net, &p.x);
    let mut input = p.x.clone();
    for (l, (neurons, _)) in trace.iter().enumerate() {
        if l >= 1 {
            for k in 0..lay.width(l) {
                for j in 0..lay.inputs_of(l) {
                    for (u, q) in lay.grid(l, k, j).iter().zip(lay.point_products(cols, l, k, j)) {
                        if let Some(q) = q {
                            x[q.index()] = x[u.index()] * input[j];
                        }
                    }
                }
            }
        }
        if l + 1 < lay.num_layers() {
            let layer = &net.layers[l];
            for (j, a) in cols.acts[l].iter().enumerate() {
                let pre = layer.weights[j].iter().zip(&input).map(|(w, v)| w * v).sum::<f64>() + layer.bias[j];
                if pre > a.upper + START_TOLERANCE {
                    return Err(format!(
                        "the fixed point's neuron {} of layer {} exceeds its bound",
                        j + 1,
                        l + 1
                    ));
                }
                if let Some(h) = a.h {
                    x[h.index()] = neurons[j];
                }
                if let Some(sg) = a.sigma {
                    x[sg.index()] = if pre > 0.0 { 1.0 } else { 0.0 };
                }
            }
        }
        input = neurons.clone();
    }
    Ok(())
}
