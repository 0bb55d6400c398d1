//! The layers, in order: for each layer ≥ 2 the products q = u·h of its
//! grid binaries with its inputs (exact, as h is bounded and u binary),
//! then for each hidden layer its pre-activations and ReLUs, and after a
//! convolution its pooling. A pre-activation is linear in the columns:
//! data × layer-1 weights, or grid values × products, plus the bias.

use super::DenseFormulation;
use mipnet_milp::{Col, Model, VarType};

impl DenseFormulation {
    pub(super) fn add_layers(&mut self) {
        let hidden = self.layout.num_layers() - 1;
        for l in 0..self.layout.num_layers() {
            let products = if l >= 1 { self.products(l) } else { Vec::new() };
            self.layout.push_products(products);
            if l == hidden {
                break;
            }
            // ReLU of hidden layer l.
            let width = self.layout.width(l);
            let mut acts = Vec::with_capacity(self.layout.samples() * width);
            for n in 0..self.layout.samples() {
                for j in 0..width {
                    let bound = self.interval_bound(l, n, j);
                    let (lo, up) = (-bound, bound);
                    let terms = self.preact_terms(l, n, j);
                    let act = self.add_relu(l, n, j, lo, up, terms);
                    acts.push(act);
                }
            }
            self.layout.push_activations(acts);
            if l == 0 {
                self.add_pooling();
            }
        }
    }

    /// Products of layer `l`'s grid weights with its inputs, in the order
    /// of [`crate::layout::Layout::products`]: q ≤ H·u, q ≤ h,
    /// q ≥ h − H(1 − u), 0 ≤ q ≤ H (none where the input is proven 0).
    fn products(&mut self, l: usize) -> Vec<Option<Col>> {
        let (inp, out, nv) = (
            self.layout.inputs_of(l),
            self.layout.width(l),
            self.layout.values().len(),
        );
        let mut prod = Vec::with_capacity(self.layout.samples() * out * inp * nv);
        for n in 0..self.layout.samples() {
            for k in 0..out {
                for j in 0..inp {
                    let a = self.layout.input_act(l, n, j);
                    for &u in self.layout.grid(l, k, j) {
                        let col = a.h.map(|h| product_col(&mut self.model, u, h, a.upper));
                        prod.push(col);
                    }
                }
            }
        }
        prod
    }

    /// Pre-activation terms of layer `l`, sample `n`, neuron `k`.
    pub(super) fn preact_terms(&self, l: usize, n: usize, k: usize) -> Vec<(Col, f64)> {
        let lay = &self.layout;
        let mut terms = Vec::new();
        if l == 0 {
            let row = self.data.row(n);
            let w1 = lay.layer_one();
            terms.extend(lay.layer_one_terms(k, row).map(|(p, x)| (w1[p].w, x)));
        } else {
            let values = lay.values();
            for j in 0..lay.inputs_of(l) {
                for (q, &v) in lay.products(l, n, k, j).iter().zip(values) {
                    if let Some(c) = q {
                        terms.push((*c, self.settings.grid_step * v as f64));
                    }
                }
            }
        }
        terms.push((lay.bias(l, lay.unit(l, k)), 1.0));
        terms
    }

    /// The terms of output `k` of sample `n`.
    pub(crate) fn output_terms(&self, n: usize, k: usize) -> Vec<(Col, f64)> {
        self.preact_terms(self.layout.num_layers() - 1, n, k)
    }
}

/// The product q = u·h of a binary `u` and an activation 0 ≤ h ≤ `hu`,
/// exact: q ≤ H·u, q ≤ h, q ≥ h − H(1 − u), 0 ≤ q ≤ H.
pub(crate) fn product_col(m: &mut Model, u: Col, h: Col, hu: f64) -> Col {
    let q = m.add_col(0.0, hu, 0.0, VarType::Continuous);
    m.add_row(f64::NEG_INFINITY, 0.0, [(q, 1.0), (u, -hu)]);
    m.add_row(f64::NEG_INFINITY, 0.0, [(q, 1.0), (h, -1.0)]);
    m.add_row(-hu, f64::INFINITY, [(q, 1.0), (h, -1.0), (u, -hu)]);
    q
}
