//! Symmetry breaking: the units of a hidden layer (neurons, or a
//! convolution's filters) are ordered, kept first (q_j ≥ q_{j+1}) then by
//! bias (b_j − b_{j+1} ≥ −2ω(q_j − q_{j+1})). Any network can be permuted
//! into that order, so the optimum is unchanged, and the solver does not
//! explore the same network in every order of its neurons.

use super::DenseFormulation;
use mipnet_network::Layer;

impl DenseFormulation {
    pub(super) fn add_symmetry_breaking(&mut self) {
        let omega = self.settings.omega;
        let lay = &self.layout;
        for l in 0..lay.num_layers() - 1 {
            for j in 0..lay.units(l).saturating_sub(1) {
                let (b0, b1) = (lay.bias(l, j), lay.bias(l, j + 1));
                match (lay.neuron_on(l, j), lay.neuron_on(l, j + 1)) {
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
}
