//! The incumbent: the best certified network so far, and the one test of
//! "better" every stage uses.

use crate::events::Step;
use mipnet_bounds::unit_columns::column::Unit;
use mipnet_formulate::Certificate;
use mipnet_network::{Layer, Network};

/// Relative objective decrease a network must show to replace the
/// incumbent (and a solver's objective to be worth certifying): smaller
/// differences are floating-point rounding of one objective (the forward
/// pass sums thousands of f64 terms), and counting them would credit a
/// later stage with a network an earlier one found.
pub const BETTER_TOLERANCE: f64 = 1e-9;

/// Relative objective decrease below which another polish, search round
/// or flip round is not worth its LP: on digits 64→8→10 further rounds
/// gained 6e-5 in all (0.55814 → 0.55810) at about 15 s per LP.
pub const MIN_RELATIVE_GAIN: f64 = 1e-4;

/// Whether objective `new` is better than `old` (by more than
/// [`BETTER_TOLERANCE`], relative).
pub fn better(new: f64, old: f64) -> bool {
    new < old - BETTER_TOLERANCE * (1.0 + old.abs())
}

/// Whether `new` improves on `old` by more than [`MIN_RELATIVE_GAIN`]:
/// worth another round.
pub fn worth_another_round(new: f64, old: f64) -> bool {
    new < old - MIN_RELATIVE_GAIN * (1.0 + old.abs())
}

/// A certified network: its column values in the MILP, the network, its
/// certificate, and what found it.
pub struct Incumbent {
    pub x: Vec<f64>,
    pub network: Network,
    pub certificate: Certificate,
    pub found_by: Step,
}

impl Incumbent {
    /// The objective by its forward pass (the certified one).
    pub fn objective(&self) -> f64 {
        self.certificate.objective_forward
    }

    /// Whether a network of objective `objective` would replace it.
    pub fn beaten_by(&self, objective: f64) -> bool {
        better(objective, self.objective())
    }
}

/// The hidden units of a one-hidden-layer network as columns of the
/// unit-columns master (w, b, and the outgoing weights on the grid of step
/// `grid_step`); none for other architectures.
pub(crate) fn hidden_units(layers: &[Layer], grid_step: f64) -> Vec<Unit> {
    let [first, second] = layers else {
        return Vec::new();
    };
    if first.conv.is_some() || grid_step <= 0.0 {
        return Vec::new();
    }
    (0..first.weights.len())
        .map(|j| Unit {
            w: first.weights[j].clone(),
            b: first.bias[j],
            z: second
                .weights
                .iter()
                .map(|row| (row[j] / grid_step).round() as i32)
                .collect(),
        })
        .collect()
}

/// `template` (a one-hidden-layer network of the formulation) with its
/// hidden units replaced by `units` (layer 1's weights and biases, the
/// outgoing weights s·z on the grid of step `grid_step`); every unit kept,
/// the output biases the template's. The inverse of [`hidden_units`].
pub(crate) fn with_hidden_units(template: &Network, units: &[Unit], grid_step: f64) -> Option<Network> {
    let mut net = template.clone();
    let [first, second] = net.layers.as_mut_slice() else {
        return None;
    };
    if first.conv.is_some() || first.identity || second.identity || first.weights.len() != units.len() {
        return None;
    }
    for (j, u) in units.iter().enumerate() {
        if u.w.len() != first.weights[j].len() || u.z.len() != second.weights.len() {
            return None;
        }
        first.weights[j] = u.w.clone();
        first.bias[j] = u.b;
        first.kept[j] = true;
        for (k, row) in second.weights.iter_mut().enumerate() {
            row[j] = grid_step * u.z[k] as f64;
        }
    }
    Some(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn better_needs_more_than_rounding_and_a_round_needs_a_real_gain() {
        assert!(better(0.5, 0.6));
        assert!(!better(0.6, 0.6));
        assert!(!better(0.6 - 1e-12, 0.6));
        assert!(better(0.6 - 1e-6, 0.6));
        assert!(!worth_another_round(0.6 - 1e-6, 0.6));
        assert!(worth_another_round(0.59, 0.6));
    }

    #[test]
    fn an_incumbent_becomes_columns_unit_by_unit() {
        let dense = |weights: Vec<Vec<f64>>, relu: bool| Layer {
            bias: vec![0.0; weights.len()],
            kept: vec![true; weights.len()],
            weights,
            relu,
            identity: false,
            grid: None,
            conv: None,
            pool: None,
        };
        let mut first = dense(vec![vec![0.5, -1.0], vec![0.0, 0.25]], true);
        first.bias = vec![0.1, -0.2];
        let second = dense(vec![vec![2.0, 0.0], vec![-2.0, 2.0], vec![0.0, -2.0]], false);
        let layers = [first, second];
        let units = hidden_units(&layers, 2.0);
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].w, vec![0.5, -1.0]);
        assert_eq!(units[0].b, 0.1);
        assert_eq!(units[0].z, vec![1, -1, 0]);
        assert_eq!(units[1].z, vec![0, 1, -1]);
        assert!(hidden_units(&layers[..1], 2.0).is_empty(), "no hidden layer, no units");
    }
}
