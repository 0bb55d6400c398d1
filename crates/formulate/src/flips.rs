//! Flip heuristics: which ReLU binaries of the last hidden layer to flip
//! to lower the loss of the samples that miss the margin. The trainer's
//! search tries them as partial starts around the incumbent.

use crate::formulation::DenseFormulation;
use crate::settings::Loss;
use crate::tolerances::BINARY_THRESHOLD;
use mipnet_milp::Col;
use mipnet_network::Network;

impl DenseFormulation {
    /// ReLU binaries of the last hidden layer whose flip could lower the loss
    /// of the samples that miss the margin in solution `x` (network `net`):
    /// for a sample with label y and most violating class c, an inactive
    /// neuron j with z_yj > z_cj (turning it on raises o_y − o_c) or an
    /// active one with z_yj < z_cj. Ranked by |z_yj − z_cj| × the sample's
    /// loss; at most `limit`, each with its flipped value. Empty for the ℓ1
    /// loss and when the last hidden layer is a convolution.
    pub fn flip_candidates(&self, x: &[f64], net: &Network, limit: usize) -> Vec<(Col, f64)> {
        let lay = self.layout();
        let l = lay.num_layers() - 2;
        if self.settings.loss == Loss::L1 || (l == 0 && lay.conv().is_some()) {
            return Vec::new();
        }
        let (width, k) = (lay.width(l), lay.classes());
        let out = lay.num_layers() - 1;
        // Output grid weights z[c][j] from the solution.
        let z = |c: usize, j: usize| -> f64 { lay.grid_value(x, out, c, j) as f64 };
        let mut scored: Vec<(f64, Col, f64)> = Vec::new();
        for n in 0..lay.samples() {
            let o = net.scores_standardized(self.data().row(n));
            let y = self.data().label(n);
            let loss = self.sample_loss(y, &o);
            if loss <= 0.0 {
                continue;
            }
            let c = (0..k)
                .filter(|&c| c != y)
                .max_by(|&a, &b| o[a].total_cmp(&o[b]))
                .expect("two classes at least");
            for j in 0..width {
                let Some(sigma) = lay.act(l, n, j).sigma else {
                    continue;
                };
                let gain = z(y, j) - z(c, j);
                let on = x[sigma.index()] > BINARY_THRESHOLD;
                if (!on && gain > 0.0) || (on && gain < 0.0) {
                    scored.push((gain.abs() * loss, sigma, if on { 0.0 } else { 1.0 }));
                }
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored.truncate(limit);
        scored.into_iter().map(|(_, c, v)| (c, v)).collect()
    }
}
