//! Every tolerance of the formulation, in one place: the certificate's and
//! the solution reader's (a setting, [`Tolerances`], whose defaults are
//! named here), and the fixed ones used where a float is compared with a
//! value the model demands exactly. Each says why it has its size.

use serde::Serialize;

/// Default of [`Tolerances::value`]: a solver meets each row to ~1e-7
/// (HiGHS's primal feasibility tolerance), and an activation or output
/// follows from a chain of such rows, one per layer, so its error can be
/// a few times that; 1e-5 (relative to 1 + its bound) leaves the room,
/// while a wrong activation pattern is off by far more.
pub(crate) const DEFAULT_VALUE_TOLERANCE: f64 = 1e-5;
/// Default of [`Tolerances::objective`]: the objective and each sample's
/// loss are sums of such values, as forgiving as one value.
pub(crate) const DEFAULT_OBJECTIVE_TOLERANCE: f64 = 1e-5;
/// Default of [`Tolerances::zero_weight`]: a solver leaves weights of
/// ~1e-12 where it means 0; reading them as 0 keeps a sparse network
/// sparse, and changes its outputs by far less than the value tolerance.
pub(crate) const DEFAULT_ZERO_WEIGHT: f64 = 1e-9;

/// A binary's value above this reads as 1, at or below as 0: the midpoint,
/// so a solver's integrality error (≤ 1e-6) never flips it.
pub(crate) const BINARY_THRESHOLD: f64 = 0.5;

/// The certificate's allowed violation of a row, bound or integrality, as
/// a multiple of [`Tolerances::value`]: the model's rows hold values of up
/// to the big-M bounds, whose rounding is larger than a single value's.
pub(crate) const CONSTRAINT_VIOLATION_FACTOR: f64 = 10.0;

/// How far a network's weight or bias may lie outside the box ±ω, or off
/// the grid, and still be a start (it is then clamped or rounded onto it);
/// also how far above 0 a neuron the bounds prove dead may be. Networks
/// read from solutions are exact to ~1e-12; anything further off is a
/// different network and is refused.
pub(crate) const START_TOLERANCE: f64 = 1e-9;

/// Relative room of the objective cutoff's ℓ1 budget B = f*/α: the
/// incumbent whose objective gave f* must stay feasible although f* and
/// its ℓ1 norm were rounded separately (each to ~1e-16 relative).
pub(crate) const CUTOFF_ROOM: f64 = 1e-9;

/// A sample whose worst margin violation is at most this counts as
/// meeting the margin in the misclassification loss: outputs computed in
/// f64 in a different order than the MILP's rows differ by ~1e-12, and a
/// sample the MILP puts exactly at the margin must not count as missed.
pub(crate) const MARGIN_MET: f64 = 1e-7;

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
            value: DEFAULT_VALUE_TOLERANCE,
            objective: DEFAULT_OBJECTIVE_TOLERANCE,
            zero_weight: DEFAULT_ZERO_WEIGHT,
        }
    }
}

/// Whether a gate or binary is on in `x` (a column that does not exist
/// is always on: nothing gates).
pub(crate) fn is_on(x: &[f64], col: Option<mipnet_milp::Col>) -> bool {
    col.is_none_or(|c| x[c.index()] > BINARY_THRESHOLD)
}

impl Tolerances {
    /// `w` read as a weight: 0 when within [`Tolerances::zero_weight`] of it.
    pub(crate) fn weight(&self, w: f64) -> f64 {
        if w.abs() <= self.zero_weight {
            0.0
        } else {
            w
        }
    }
}
