//! The incumbent: the best certified network so far, and the one test of
//! "better" every stage uses.

use crate::events::Step;
use mipnet_formulate::Certificate;
use mipnet_network::Network;

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
}
