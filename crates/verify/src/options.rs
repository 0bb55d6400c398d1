//! How hard to try and with which solver ([`VerifyOptions`]), their
//! defaults and checks, and the margin that separates a proof from a
//! solver's tolerance ([`proof_margin`]).

use crate::attack::AttackSettings;
use crate::VerifyError;
use crate::VerifySolver;
use mipnet_solver::{InterruptFlag, SolveOptions};
use std::sync::Arc;

/// How hard to try, and with which solver.
#[derive(Clone, Debug)]
pub struct VerifyOptions {
    /// The backend every MILP and LP goes to.
    pub solver: Arc<dyn VerifySolver>,
    /// Per query: one input's robustness, one output bound, one disjunct.
    pub solve: SolveOptions,
    /// Run LP-based bound tightening after interval arithmetic.
    pub lp_tightening: bool,
    /// Seconds the LP tightening may take per query.
    pub tighten_seconds: f64,
    /// Margin that separates a proof from a solver tolerance, relative:
    /// a bound proves only when it clears [`proof_margin`]`(tolerance,
    /// magnitude)`, the tolerance scaled by the magnitude of the values the
    /// bound is about.
    pub tolerance: f64,
    pub interrupt: Option<InterruptFlag>,
    /// The falsification run before any bound or MILP.
    pub attack: AttackSettings,
    /// Back-substitution bounds ([`linear_bounds`]) after interval
    /// arithmetic and before LP tightening.
    pub linear_bounds: bool,
    /// Properties: split the input box ([`input_split`]) before the MILP
    /// when the network has at most [`MAX_SPLIT_INPUTS`] inputs.
    pub input_split: bool,
    /// The share of each disjunct's time the input splitting may take; the
    /// MILP gets the rest.
    pub split_share: f64,
    /// Seconds for a whole property (every disjunct, attack included), on
    /// top of the per-disjunct `solve.time_limit`: VNN-COMP's per-instance
    /// timeout.
    pub total_time_limit: Option<f64>,
    /// Properties: a witness must also hold as float32 inputs in the
    /// float32 forward pass ([`crate::witness`]), as VNN-COMP's checker
    /// runs it; otherwise the search goes on.
    pub witness_float32: bool,
}

/// Input splitting is tried on networks with at most this many inputs:
/// halving a box along one input at a time closes parts fast only when
/// there are few inputs to halve (ACAS Xu has 5); on images it would need
/// exponentially many parts, and the MILP goes first there.
pub const MAX_SPLIT_INPUTS: usize = 16;

/// The default share of a disjunct's time for input splitting: on the
/// low-dimensional networks it runs on it decides most properties, and the
/// MILP keeps a fifth for the parts of the box it could not close.
pub const DEFAULT_SPLIT_SHARE: f64 = 0.8;

/// The default relative proof tolerance (see [`proof_margin`]).
pub const DEFAULT_TOLERANCE: f64 = 1e-5;

/// The margin by which a proven bound must clear 0 to count as a proof:
/// `tolerance · (1 + magnitude)`, `magnitude` the size of the values the
/// bound is about (the right-hand sides and the proven bounds of the
/// outputs involved, over the region the proof is about: the MILP's
/// prepared bounds, or one part's bounds in input splitting). Solver tolerances are absolute on rows whose coefficients
/// (the big-M constants) grow with those values, so a fixed 1e-5 would be
/// far inside the solver's error on a network whose outputs are 1e4; the
/// same margin applies to every proof (MILP dual bounds, interval and
/// linear bounds, input splitting).
pub fn proof_margin(tolerance: f64, magnitude: f64) -> f64 {
    tolerance * (1.0 + magnitude.abs())
}

impl VerifyOptions {
    /// Refuses options under which a proof would mean nothing: a tolerance
    /// that is not a positive number makes every bound of 0 a "proof".
    pub fn check(&self) -> Result<(), VerifyError> {
        if !(self.tolerance.is_finite() && self.tolerance > 0.0) {
            return Err(VerifyError::Region(format!(
                "the proof tolerance must be a positive number, got {}",
                self.tolerance
            )));
        }
        if !(0.0..=1.0).contains(&self.split_share) {
            return Err(VerifyError::Region(format!(
                "the input-splitting share must be within [0, 1], got {}",
                self.split_share
            )));
        }
        Ok(())
    }

    /// The default effort with `solver`.
    pub fn new(solver: Arc<dyn VerifySolver>) -> Self {
        VerifyOptions {
            solver,
            solve: SolveOptions::default(),
            lp_tightening: true,
            tighten_seconds: 10.0,
            tolerance: DEFAULT_TOLERANCE,
            interrupt: None,
            attack: AttackSettings::default(),
            linear_bounds: true,
            input_split: true,
            split_share: DEFAULT_SPLIT_SHARE,
            total_time_limit: None,
            witness_float32: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_that_would_make_a_proof_meaningless_are_refused() {
        let mut o = VerifyOptions::new(std::sync::Arc::new(mipnet_highs::HighsSolver));
        o.tolerance = 0.0;
        assert!(o.check().unwrap_err().to_string().contains("tolerance"));
        o.tolerance = DEFAULT_TOLERANCE;
        o.split_share = f64::NAN;
        assert!(o.check().unwrap_err().to_string().contains("share"));
    }
}
